"""The `Report`: a finished run, with the context an auditor needs, as every reporter reads it."""

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
    #: The systems of the run (medlint.systems.SystemRun): each system and the class it was checked at.
    systems: tuple[Any, ...] = ()
    #: A partial run's scope (medlint.partial.Scope): the named files reported on; None for a full run.
    scope: Any = None
    #: {path: SHA-256 of the bytes read} of every file the run read (the reader's record, the configuration
    #: and the baseline as the user named them): the evidence report's scope, without a second read.
    file_digests: Mapping[str, str] = field(default_factory=dict)
    #: The effective configuration (medlint.config.Config), with the lines of its fields: what the
    #: declarations inventory (medlint.report.declarations) lists. None when the Report was built without one.
    config: Any = None

    def active_findings(self) -> tuple[Finding, ...]:
        """Findings that count: not waived."""
        return tuple(finding for finding in self.result.findings if not finding.suppressed)

    def level_counts(self) -> dict[str, int]:
        counts = Counter(finding.level.value for finding in self.active_findings())
        return {level.value: counts.get(level.value, 0) for level in Level}

    def reports_on(self, path: str) -> bool:
        """Whether findings of this file are reported (a partial run reports on its named files only)."""
        return self.scope is None or self.scope.holds(path)

    def files_by_kind(self) -> dict[str, int]:
        """Files read and analysed, per kind (files that could not be analysed are counted apart); for a
        partial run, the named ones (the others were read as context)."""
        counts = Counter(
            item.kind.value for item in self.project.files if item.analysed and self.reports_on(item.path)
        )
        return {kind.value: counts.get(kind.value, 0) for kind in ArtifactKind}

    def not_analysed(self) -> list[str]:
        """Artifact files that could not be read or parsed; each has an MD001 (or MD003) finding."""
        return sorted(
            {item.path for item in self.project.files if not item.analysed and self.reports_on(item.path)}
        )

    def charts_read(self) -> int:
        return sum(1 for chart in self.project.charts if self.reports_on(chart.path))

    def systems_summary(self) -> list[dict[str, Any]]:
        """Each system of the run with the class it was checked at and why (for JSON and SARIF)."""
        return [
            {
                "name": run.system.name,
                "origin": run.system.origin,
                "safety_class": run.decision.value,
                "safety_class_reason": run.decision.reason,
            }
            for run in self.systems
        ]

    def partial_run(self) -> dict[str, Any] | None:
        """For a partial run: the named files reported on and the folder read as context."""
        if self.scope is None:
            return None
        return {
            "named_files": sorted(self.scope.files),
            "named_folders": list(self.scope.folders),
            "context": self.scope.context_root,
            "context_files": self.context_files(),
        }

    def context_files(self) -> int:
        """Artifact files a partial run read only as context."""
        return sum(1 for item in self.project.files if not self.reports_on(item.path))

    def suppressed_count(self) -> int:
        return sum(1 for finding in self.result.findings if finding.suppressed)

    def failing(self) -> bool:
        return any(finding.level.rank >= self.fail_on.rank for finding in self.active_findings()) or any(
            note.level is Level.ERROR for note in self.result.notifications
        )
