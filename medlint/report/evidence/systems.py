"""Which system(s) a report covers, for the evidence report's header and its per-system matrix columns.

The systems are the run's (medlint.systems): by default one, named after the configuration's `name`, the one
chart scanned or the scanned folder; with `systems:` configured, one scope per system, and the matrix gains a
column for each. Reports made without systems (older callers) fall back to the chart or folder name.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from medlint.engine import artifact_kinds
from medlint.findings import Finding
from medlint.report import Report


@dataclass(frozen=True, slots=True)
class SystemScope:
    """A system: its name, the artifact kinds it holds, and the files that belong to it (None: all)."""

    name: str
    artifact_kinds: frozenset[str]
    paths: frozenset[str] | None = None
    safety_class: str | None = None  # the class the system was checked at (None: the run's)
    origin: str = ""  # how the system was defined or named
    class_reason: str = ""  # how its class was determined

    def holds(self, finding: Finding) -> bool:
        return self.paths is None or finding.location.path in self.paths


def system_name(report: Report) -> tuple[str, str]:
    """(name, how it was found): the run's system (several: their names joined), else the chart's name when
    exactly one chart was scanned, else the folder."""
    if report.systems:
        if len(report.systems) == 1:
            system = report.systems[0].system
            return system.name, system.origin
        return ", ".join(run.system.name for run in report.systems), "the systems of the configuration"
    charts = report.project.charts
    if len(charts) == 1 and charts[0].name is not None and charts[0].name.value:
        name = charts[0].name
        return str(name.value), f"name in {name.location.path}"
    if len(report.scanned_paths) == 1:
        scanned = report.scanned_paths[0].replace("\\", "/").rstrip("/")
        if any(item.path == scanned or item.path.endswith("/" + scanned) for item in report.project.files):
            scanned = posixpath.dirname(scanned)  # a single file was named: its folder names the system
        folder = posixpath.basename(scanned) if scanned not in ("", ".") else ""
        if folder and folder != "..":
            return folder, "the scanned folder"
    return posixpath.basename(report.root.replace("\\", "/").rstrip("/")) or "scan", "the project folder"


def system_scopes(report: Report) -> tuple[SystemScope, ...]:
    """The systems of this report: each run system with the artifact kinds and files it holds (one scope
    covering the whole scan when there is a single default system)."""
    kinds = frozenset(kind.value for kind in artifact_kinds(report.project))
    runs = report.systems
    if len(runs) <= 1:
        name, origin = system_name(report)
        decision = runs[0].decision if runs else report.result.safety_class
        return (SystemScope(name, kinds, None, decision.value, origin, decision.reason),)
    scopes = []
    for run in runs:
        files = run.system.files
        own_kinds = frozenset(
            item.kind.value for item in report.project.files if files is None or item.path in files
        )
        scopes.append(
            SystemScope(
                run.system.name,
                own_kinds,
                None if files is None else frozenset(files),
                run.decision.value,
                run.system.origin,
                run.decision.reason,
            )
        )
    return tuple(scopes)
