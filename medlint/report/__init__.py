"""Reporters: they read a finished `Report` and format it. They never re-run checks.

Output is deterministic (no timestamps, sorted findings), so the same input gives byte-identical output.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from medlint import __version__
from medlint.engine import RunResult
from medlint.model import ArtifactKind, Level, Project
from medlint.rulepack import RulePack

FORMATS = ("text", "json", "sarif")


@dataclass(frozen=True, slots=True)
class Report:
    """Everything a reporter may show: the run's findings plus the context an auditor needs."""

    result: RunResult
    pack: RulePack
    project: Project
    scanned_paths: tuple[str, ...]
    unrecognised: tuple[str, ...]
    fail_on: Level
    command_line: tuple[str, ...] = ()
    tool_version: str = __version__

    def level_counts(self) -> dict[str, int]:
        counts = Counter(finding.level.value for finding in self.result.findings)
        return {level.value: counts.get(level.value, 0) for level in Level}

    def files_by_kind(self) -> dict[str, int]:
        counts = Counter(item.kind.value for item in self.project.files)
        return {kind.value: counts.get(kind.value, 0) for kind in ArtifactKind}

    def charts_read(self) -> int:
        return len(self.project.charts)

    def failing(self) -> bool:
        return any(finding.level.rank >= self.fail_on.rank for finding in self.result.findings) or any(
            note.level is Level.ERROR for note in self.result.notifications
        )


def render(report: Report, output_format: str) -> str:
    if output_format == "text":
        from medlint.report.text import render_text

        return render_text(report, color=False)
    if output_format == "json":
        from medlint.report.json_report import render_json

        return render_json(report)
    if output_format == "sarif":
        from medlint.report.sarif import render_sarif

        return render_sarif(report)
    raise ValueError(f"unknown output format {output_format!r}")
