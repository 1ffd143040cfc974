"""Reporters: they read a finished `Report` and format it. They never re-run checks.

Output is deterministic (no timestamps, sorted findings), so the same input gives byte-identical output.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from medlint import __version__
from medlint.engine import RunResult
from medlint.findings import Finding
from medlint.model import ArtifactKind, Level, Project
from medlint.rulepack import RulePack

FORMATS = ("text", "json", "sarif", "junit", "github", "gitlab")


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
    root: str = "."
    config_path: str | None = None
    automation_id: str = "medlint/"
    provenance: Any = None  # medlint.vcs.Provenance, or None outside a git checkout
    baselined: int = 0  # findings matched by --baseline and therefore not reported
    fixed: tuple[Any, ...] = ()  # baseline entries that no longer occur
    table_versions: Mapping[str, str] = field(default_factory=dict)
    sarif_omit_suppressed: bool = False  # GitHub shows suppressed SARIF results as open alerts
    evaluation_date: str = ""  # the "today" of date-dependent rules and waiver expiry (YYYY-MM-DD)
    #: What each waiver did (medlint.waivers.WaiverOutcome), in the order the waivers were found.
    waivers: tuple[Any, ...] = ()
    #: Findings matched by --baseline: left out of the other formats, listed as known in the evidence report.
    baselined_findings: tuple[Finding, ...] = ()
    baseline_path: str | None = None  # the --baseline file as given
    sanitized: bool = False  # every text already redacted and printable (medlint.report.sanitize)

    def active_findings(self) -> tuple[Finding, ...]:
        """Findings that count: not waived."""
        return tuple(finding for finding in self.result.findings if not finding.suppressed)

    def level_counts(self) -> dict[str, int]:
        counts = Counter(finding.level.value for finding in self.active_findings())
        return {level.value: counts.get(level.value, 0) for level in Level}

    def files_by_kind(self) -> dict[str, int]:
        """Files read and analysed, per kind (files that could not be analysed are counted apart)."""
        counts = Counter(item.kind.value for item in self.project.files if item.analysed)
        return {kind.value: counts.get(kind.value, 0) for kind in ArtifactKind}

    def not_analysed(self) -> list[str]:
        """Artifact files that could not be read or parsed; each has an MD001 (or MD003) finding."""
        return sorted({item.path for item in self.project.files if not item.analysed})

    def charts_read(self) -> int:
        return len(self.project.charts)

    def suppressed_count(self) -> int:
        return sum(1 for finding in self.result.findings if finding.suppressed)

    def failing(self) -> bool:
        return any(finding.level.rank >= self.fail_on.rank for finding in self.active_findings()) or any(
            note.level is Level.ERROR for note in self.result.notifications
        )


def render(report: Report, output_format: str, *, step_summary_path: str | None = None) -> str:
    """The report in one format. `step_summary_path` (GitHub's $GITHUB_STEP_SUMMARY, passed in by the CLI so
    reporters never read the environment) makes the `github` format also append a Markdown job summary.

    Every text is redacted and made printable first (`medlint.report.sanitize`), whatever made it."""
    from medlint.report.sanitize import sanitized

    report = sanitized(report)
    if output_format == "text":
        from medlint.report.text import render_text

        return render_text(report, color=False)
    if output_format == "json":
        from medlint.report.json_report import render_json

        return render_json(report)
    if output_format == "sarif":
        from medlint.report.sarif import render_sarif

        return render_sarif(report)
    if output_format == "junit":
        from medlint.report.junit import render_junit

        return render_junit(report)
    if output_format == "github":
        from medlint.report.github import render_github

        return render_github(report, step_summary_path)
    if output_format == "gitlab":
        from medlint.report.gitlab import render_gitlab

        return render_gitlab(report)
    raise ValueError(f"unknown output format {output_format!r}")
