"""Partial runs: files named on the command line are checked with the rest of their system as context.

pre-commit names the few files a commit changes. Linted alone, a Deployment has no NetworkPolicy, no
namespace and no Service beside it, and gets findings that the repository as a whole does not have: the hook
then blocks commits that CI accepts. So when files are named, medlint also reads the rest of their system,
runs every rule on the whole, and reports only the findings whose primary location is in a named file.

- The context is the folder of the configuration file when one governs the named files (a configuration
  marks the top of what it configures, and its `systems:` divide that folder), else the enclosing
  repository: the git checkout's root, else the working directory. The same excludes and `.gitignore`
  files apply as to a directory scan; context files are parsed like any other.
- A Helm chart counts as named when any of its files is; a Compose project when any of its files is; a
  `.dockerignore` stands for the Dockerfiles it governs. A named folder is reported whole.
- Waivers written in files outside the named ones are not reported as unused or rejected, and the baseline
  entries of other files are not reported as fixed.
- `--no-context` (API: `context=False`) turns this off: the named files are read alone, as before.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from medlint.discover import Candidate, Discovery, discover
from medlint.findings import Finding, Notification, SuppressionKind
from medlint.model import Location, Project
from medlint.waivers import Waiver, WaiverOutcome


@dataclass(frozen=True, slots=True)
class Scope:
    """What a partial run reports on: named files and the folders reported whole (named folders, charts)."""

    files: frozenset[str]
    folders: tuple[str, ...]
    context_root: str  # the folder read as context, relative to the run's root ("." for the root)
    context_files: int = 0  # files read only as context

    def holds(self, path: str) -> bool:
        if path in self.files:
            return True
        return any(folder in ("", ".") or path.startswith(folder + "/") for folder in self.folders)

    def holds_location(self, location: Location | None) -> bool:
        return location is None or self.holds(location.path)


def needs_context(paths: Sequence[str], cwd: Path) -> bool:
    """Context is loaded when at least one named path is a file (a named folder is scanned whole anyway)."""
    for path in paths:
        candidate = Path(path) if Path(path).is_absolute() else cwd / path
        if candidate.is_file():
            return True
    return False


def context_root(discovery: Discovery, config_folder: Path | None) -> Path:
    """The configuration's folder when it lies inside the run's root, else the root (module docstring)."""
    root = discovery.root
    if config_folder is not None:
        folder = config_folder.resolve()
        if folder == root or root in folder.parents:
            return folder
    return root


def with_context(
    discovery: Discovery,
    folder: Path,
    cwd: Path,
    excludes: tuple[str, ...],
    gitignore: bool,
) -> Discovery:
    """The named files' discovery plus every artifact under `folder`, the named ones keeping their flag."""
    context = discover([str(folder)], cwd, excludes=excludes, root=discovery.root, gitignore=gitignore)
    by_path: dict[str, Candidate] = {candidate.relative: candidate for candidate in context.candidates}
    for candidate in discovery.candidates:
        by_path[candidate.relative] = candidate  # named: explicit, read even when .gitignore leaves it out
    charts = {chart.relative: chart for chart in context.charts}
    for chart in discovery.charts:
        charts.setdefault(chart.relative, chart)
    return dataclasses.replace(
        discovery,
        scanned=[folder],
        candidates=sorted(by_path.values(), key=lambda candidate: candidate.relative),
        charts=sorted(charts.values(), key=lambda chart: chart.relative),
        gitignored=context.gitignored,
    )


def scope_of(
    discovery: Discovery, given: Sequence[Path], project: Project, folder: Path, context_files: int
) -> Scope:
    """The files a partial run reports on (module docstring), given the project read with its context."""
    root = discovery.root
    files = set(discovery.named_files)
    folders: list[str] = sorted(set(discovery.named_charts))
    for path in given:
        if path.is_dir():
            folders.append(_relative(path, root))
    compose_files = _compose_files(project)
    for project_files in compose_files:
        if files & project_files:
            files |= project_files
    return Scope(frozenset(files), tuple(folders), _relative(folder, root), context_files)


def _relative(path: Path, root: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), root)).as_posix()
    except ValueError:
        return path.as_posix()


def _compose_files(project: Project) -> list[set[str]]:
    """The files each Compose project is written in: every file merged into it (a base and its overlays), and
    those its services come from (extends, include), as their positions tell."""
    found = []
    for compose in project.compose_projects:
        paths = {compose.path, *compose.files}
        for service in compose.services:
            paths.add(service.location.path)
            paths.add(service.workload.location.path)
            paths.update(mount.location.path for mount in service.mounts)
            paths.update(port.location.path for port in service.ports)
        found.append(paths)
    return found


def in_scope(findings: Iterable[Finding], scope: Scope) -> tuple[Finding, ...]:
    return tuple(finding for finding in findings if scope.holds(finding.location.path))


def outside_waivers(waivers: Iterable[Waiver], scope: Scope) -> set[Location]:
    """Where the waivers written in files outside the named ones are: their problems are not reported."""
    return {
        waiver.origin
        for waiver in waivers
        if waiver.kind is SuppressionKind.IN_SOURCE and not scope.holds(waiver.origin.path)
    }


def notifications_in_scope(
    notes: Iterable[Notification], scope: Scope, outside: set[Location]
) -> tuple[Notification, ...]:
    """Notifications of the named files, and of none of the waivers written outside them. A configured
    waiver was judged against the whole system, so an unused one is still reported."""
    return tuple(note for note in notes if note.location is None or note.location not in outside)


def waiver_outcomes_in_scope(outcomes: Iterable[WaiverOutcome], scope: Scope) -> tuple[WaiverOutcome, ...]:
    """What each waiver did, for the waivers that concern the named files: the configured ones and those
    written in the named files, plus any other that matches a finding of them; each lists only those."""
    kept = []
    for outcome in outcomes:
        waiver = outcome.waiver
        suppressed = in_scope(outcome.suppressed, scope)
        expired = in_scope(outcome.expired_matches, scope)
        if (
            waiver.kind is SuppressionKind.EXTERNAL
            or scope.holds(waiver.origin.path)
            or suppressed
            or expired
        ):
            kept.append(dataclasses.replace(outcome, suppressed=suppressed, expired_matches=expired))
    return tuple(kept)
