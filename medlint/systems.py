"""Dividing a run into systems and running the rules on each (catalog 4.9; medlint.model.system).

By default every artifact of one invocation is one system, named after the configuration's `name`, else the
one scanned chart, else the scanned folder. The configuration may declare `systems:`, each with path globs
(relative to the configuration's folder, gitignore's `**`; a folder stands for everything in it); artifacts
no entry matches form one more system under the default name, so nothing goes unchecked. A chart belongs to
a system when its folder or its Chart.yaml matches, with everything rendered from it; a Dockerfile that a
system's Compose service builds belongs to that system too.

Each system is checked on its own: the rules receive a project holding only its artifacts, with its own
safety class (command line, else the entry's `safety_class`, else the configuration's, else its labels).
Findings of several systems are merged; the same finding reached twice keeps its highest level.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from medlint.config import Config, ConfigError, SystemSettings
from medlint.engine import EngineSettings, RunResult, run_rules
from medlint.findings import Finding, Notification
from medlint.model import Location, Project, System, VersionGroup
from medlint.pathglob import matches_any
from medlint.rulepack import RulePack
from medlint.safety import CLASS_ORDER, SafetyClassDecision, resolve_safety_class


@dataclass(frozen=True, slots=True)
class SystemRun:
    """One system of the run and the safety class its findings were levelled with."""

    system: System
    decision: SafetyClassDecision


def default_name(config: Config, project: Project, scanned: Sequence[Path], root: Path) -> tuple[str, str]:
    """(name, where it came from) of the default system: the configuration's `name`, the one chart's name,
    else the scanned folder (the root's when the scan is the root)."""
    if config.system.name:
        return config.system.name, f"name in {_shown(config)}"
    charts = [chart for chart in project.charts if chart.name is not None and str(chart.name.value).strip()]
    if len(charts) == 1 and charts[0].name is not None:
        return str(charts[0].name.value).strip(), f"the chart's name in {charts[0].path}"
    folders = [path if path.is_dir() else path.parent for path in scanned] or [root]
    try:
        common = Path(os.path.commonpath([str(folder) for folder in folders]))
    except ValueError:
        common = root
    name = common.name or root.name or "scan"
    return name, "the scanned folder"


def _shown(config: Config) -> str:
    return config.path.name if config.path is not None else "the configuration"


class _Membership:
    """Which files of the project a configured system's globs take (paths relative to the run's root)."""

    def __init__(self, project: Project, root: Path, folder: Path | None) -> None:
        self.root = root
        self.folder = folder
        self.chart_dirs = sorted(
            {chart.directory for chart in project.charts if chart.directory not in ("", ".")},
            key=len,
            reverse=True,
        )
        self.root_chart = any(chart.directory in ("", ".") for chart in project.charts)

    def unit(self, path: str) -> str:
        """The unit a file belongs to: its chart's folder for chart files and renders, else itself."""
        for directory in self.chart_dirs:
            if path == directory or path.startswith(directory + "/"):
                return directory
        return "." if self.root_chart else path

    def _relative(self, path: str) -> str | None:
        """A root-relative path as seen from the configuration's folder (None: outside it)."""
        if self.folder is None:
            return path
        relative = os.path.relpath(self.root / path, self.folder).replace(os.sep, "/")
        return None if relative == ".." or relative.startswith("../") else relative

    def takes(self, path: str, globs: Sequence[str]) -> bool:
        unit = self.unit(path)
        is_chart = unit != path or (unit == "." and self.root_chart)
        candidates = (
            [(unit, True), (posixpath.join(unit, "Chart.yaml"), False)] if is_chart else [(path, False)]
        )
        for candidate, is_dir in candidates:
            relative = self._relative(candidate)
            if relative is None:
                continue
            if relative in (".", "") or matches_any(relative, globs, is_dir):
                return True
        return False


def _project_paths(project: Project) -> list[str]:
    """Every file a system can hold: what was read, what could not be, and every rendered template."""
    paths = {item.path for item in project.files}
    paths |= {problem.location.path for problem in project.problems}
    paths |= {obj.path for obj in project.k8s_objects}
    paths |= {dockerfile.path for dockerfile in project.dockerfiles}
    paths |= {compose.path for compose in project.compose_projects}
    return sorted(paths)


def _version_groups(
    settings: SystemSettings, membership: _Membership, paths: Iterable[str]
) -> tuple[VersionGroup, ...]:
    groups = []
    for group in settings.version_groups or ():
        files = frozenset(path for path in paths if group.paths and membership.takes(path, group.paths))
        groups.append(VersionGroup(group.name, group.images, files))
    return tuple(groups)


def _system(
    name: str,
    origin: str,
    settings: SystemSettings,
    config: Config,
    membership: _Membership,
    paths: Sequence[str],
    files: frozenset[str] | None,
    configured: bool,
) -> System:
    declared_at = None
    if configured and config.path is not None:
        declared_at = Location(_shown(config), settings.line)
    return System(
        name=name,
        origin=origin,
        configured=configured,
        globs=settings.paths,
        files=files,
        safety_class=settings.safety_class or config.safety_class,
        own_image_prefixes=settings.own_images or (),
        version_groups=_version_groups(settings, membership, paths if files is None else sorted(files)),
        external_secrets=settings.external_secrets or (),
        external_config_maps=settings.external_config_maps or (),
        external_volume_claims=settings.external_volume_claims or (),
        sboms=tuple(_configured_sbom(written, config, membership.root) for written in settings.sbom or ()),
        declared_at=declared_at,
    )


def _configured_sbom(written: str, config: Config, root: Path) -> str:
    """How findings name an SBOM of the configuration's `sbom:`; ConfigError when it lies outside the project.

    The configuration comes with the repository, so `sbom: /etc/passwd` or `../../secrets.json` is read from
    no one's choice but the repository's: refused like every other path that leaves the scanned project
    (a configuration outside the project, found above it, is the user's own and may name its neighbours)."""
    folder = (
        Path(os.path.abspath(config.folder)) if config.folder is not None else Path(os.path.abspath(root))
    )
    absolute = Path(os.path.abspath(folder / written))
    root = Path(os.path.abspath(root))
    boundary = root if folder == root or root in folder.parents else folder
    if absolute != boundary and boundary not in absolute.parents:
        raise ConfigError(
            f"sbom: {written} in {_shown(config)} lies outside the scanned project; medlint reads no file "
            "outside it (name an SBOM kept elsewhere with --sbom on the command line)"
        )
    return sbom_shown(absolute, root)


def sbom_shown(path: Path, root: Path) -> str:
    """How findings name a supplied SBOM: relative to the run's root when inside it, else its absolute path."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path(os.path.abspath(root))).as_posix()
    except ValueError:
        return absolute.as_posix()


def define_systems(
    config: Config, project: Project, scanned: Sequence[Path], root: Path
) -> tuple[System, ...]:
    """The systems of a run: the default one, or the configured ones plus one for what none of them takes."""
    membership = _Membership(project, root, config.folder)
    paths = _project_paths(project)
    name, origin = default_name(config, project, scanned, root)
    if not config.systems:
        return (_system(name, origin, config.system, config, membership, paths, None, configured=False),)
    systems: list[System] = []
    taken: set[str] = set()
    for index, entry in enumerate(config.systems):
        settings = entry.over(config.system)
        files = {path for path in paths if membership.takes(path, settings.paths)}
        files |= _built_dockerfiles(project, files)
        taken |= files
        systems.append(
            _system(
                entry.name or f"system-{index + 1}",
                f"systems[{index}] in {_shown(config)}",
                settings,
                config,
                membership,
                paths,
                frozenset(files),
                configured=True,
            )
        )
    rest = [path for path in paths if path not in taken]
    if rest:
        rest_files = set(rest)
        names = {system.name for system in systems}
        rest_name = name if name not in names else f"{name} (not in a configured system)"
        systems.append(
            _system(
                rest_name,
                f"the files no entry of systems in {_shown(config)} takes ({origin})",
                config.system,
                config,
                membership,
                paths,
                frozenset(rest_files),
                configured=False,
            )
        )
    return tuple(systems)


def _built_dockerfiles(project: Project, files: set[str]) -> set[str]:
    """The Dockerfiles the Compose services among `files` build: their images are part of the system."""
    built: set[str] = set()
    for compose in project.compose_projects:
        if compose.path not in files:
            continue
        for service in compose.services:
            if (
                service.dockerfile_path is not None
                and project.dockerfile(service.dockerfile_path) is not None
            ):
                built.add(service.dockerfile_path)
    return built


def project_for(project: Project, system: System) -> Project:
    """The project seen by the rules for one system: only its artifacts (all of them for the default)."""
    if system.files is None:
        return dataclasses.replace(project, system=system)
    files = system.files
    chart_dirs = {
        chart.directory for chart in project.charts if chart.path in files or chart.directory in files
    }

    def held(path: str) -> bool:
        return path in files

    return dataclasses.replace(
        project,
        system=system,
        files=tuple(item for item in project.files if held(item.path)),
        problems=tuple(problem for problem in project.problems if held(problem.location.path)),
        dockerfiles=tuple(item for item in project.dockerfiles if held(item.path)),
        compose_projects=tuple(item for item in project.compose_projects if held(item.path)),
        k8s_objects=tuple(
            obj
            for obj in project.k8s_objects
            if (obj.rendered_from in chart_dirs if obj.rendered_from is not None else held(obj.path))
        ),
        workloads=tuple(workload for workload in project.workloads if held(workload.path)),
        charts=tuple(chart for chart in project.charts if chart.directory in chart_dirs),
        class_declarations=tuple(decl for decl in project.class_declarations if held(decl.location.path)),
    )


def _requested(
    system: System, command_line: str | None, config: Config, several: bool
) -> tuple[str | None, str]:
    if command_line:
        return command_line, "--safety-class"
    if system.safety_class:
        entry = next((item for item in config.systems if item.name == system.name), None)
        if several and entry is not None and entry.safety_class:
            return system.safety_class, f"safety_class of system {system.name} in {_shown(config)}"
        return system.safety_class, f"safety_class in {_shown(config)}" if config.path else ""
    return None, ""


def _merge_key(finding: Finding) -> tuple[object, ...]:
    return (
        finding.rule_id,
        finding.location,
        finding.message,
        finding.subject,
        finding.variant,
        finding.related,
        finding.artifact,
    )


def _combined_decision(runs: Sequence[SystemRun]) -> SafetyClassDecision:
    if len(runs) == 1:
        return runs[0].decision
    highest = max(runs, key=lambda run: CLASS_ORDER[run.decision.value])
    parts = "; ".join(f"{run.system.name}: {run.decision.value} ({run.decision.reason})" for run in runs)
    return dataclasses.replace(
        highest.decision,
        reason=f"the highest class of {len(runs)} systems ({parts})",
        resolution=None,
    )


def run_systems(
    project: Project,
    systems: Sequence[System],
    pack: RulePack,
    settings: EngineSettings,
    config: Config,
    safety_class: str | None = None,
    jobs: int = 1,
) -> tuple[RunResult, tuple[SystemRun, ...]]:
    """Run every enabled rule once per system and merge the results (module docstring); `jobs` processes
    share each system's checks."""
    several = len(systems) > 1
    runs: list[SystemRun] = []
    results: list[RunResult] = []
    for system in systems:
        scoped = project_for(project, system)
        requested, requested_from = _requested(system, safety_class, config, several)
        decision = resolve_safety_class(scoped, requested, requested_from)
        runs.append(SystemRun(system, decision))
        results.append(run_rules(scoped, pack, decision, settings, jobs))
    if len(results) == 1:
        return results[0], tuple(runs)
    return _merge(results, _combined_decision(runs), pack), tuple(runs)


def _merge(results: Sequence[RunResult], decision: SafetyClassDecision, pack: RulePack) -> RunResult:
    best: dict[tuple[object, ...], Finding] = {}
    for result in results:
        for finding in result.findings:
            key = _merge_key(finding)
            kept = best.get(key)
            if kept is None or finding.level.rank > kept.level.rank:
                best[key] = finding
    notifications: dict[tuple[object, ...], Notification] = {}
    for result in results:
        for note in result.notifications:
            notifications.setdefault((note.level, note.message, note.location, note.rule_id), note)
    order = {rule.id: index for index, rule in enumerate(pack.rules)}
    run = {rule for result in results for rule in result.rules_run}
    disabled = {rule for result in results for rule in result.rules_disabled}
    off = set.intersection(*(set(result.rules_off) for result in results)) - run
    return RunResult(
        findings=tuple(sorted(best.values(), key=Finding.sort_key)),
        notifications=tuple(notifications.values()),
        safety_class=decision,
        rules_run=tuple(sorted(run, key=order.__getitem__)),
        rules_disabled=tuple(sorted(disabled, key=order.__getitem__)),
        rules_off=tuple(sorted(off, key=order.__getitem__)),
    )


def system_of(runs: Sequence[SystemRun]) -> Mapping[str, SystemRun]:
    """The runs by system name."""
    return {run.system.name: run for run in runs}
