"""Which system(s) a report covers, for the evidence report's header and its per-system matrix columns.

Today a scan is one system: its name comes from the one chart scanned, else from the scanned folder. When
systems can be declared (configuration, cross-artifact rules), `system_scopes` returns one scope per system
and the matrix gains a column per system; nothing else in the evidence report has to change.
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

    def holds(self, finding: Finding) -> bool:
        return self.paths is None or finding.location.path in self.paths


def system_name(report: Report) -> tuple[str, str]:
    """(name, how it was found): the chart's name when exactly one chart was scanned, else the folder."""
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
    """The systems of this report: one, the whole scan, until systems can be declared."""
    kinds = frozenset(kind.value for kind in artifact_kinds(report.project))
    return (SystemScope(system_name(report)[0], kinds),)
