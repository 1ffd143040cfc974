"""The library entry point: lint paths and get a Report. The CLI and the tests both go through here.

Pipeline: discover → parse (rendering Helm charts) → run rules → values-key explanations → fingerprints →
waivers → baseline → Report.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import functools
import gc
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from medlint.baseline import BaselineEntry, match_baseline
from medlint.config import Config
from medlint.discover import discover
from medlint.findings import Finding
from medlint.fingerprints import add_fingerprints
from medlint.limits import Limits
from medlint.loader import HelmSettings, load_project
from medlint.model import Level
from medlint.partial import (
    Scope,
    context_root,
    in_scope,
    needs_context,
    notifications_in_scope,
    outside_waivers,
    scope_of,
    waiver_outcomes_in_scope,
    with_context,
)
from medlint.reader import FileReader
from medlint.report import Report
from medlint.rulepack import RulePack, load_rule_pack, table_versions
from medlint.systems import define_systems, run_systems, sbom_shown
from medlint.vcs import read_provenance
from medlint.waivers import annotation_waivers, configured_waivers, evaluate_waivers

if TYPE_CHECKING:
    from medlint.parallel import Workers


@dataclass(frozen=True, slots=True)
class HelmValues:
    """Helm values from the command line: one more values set for every chart being linted."""

    files: tuple[str, ...] = ()  # absolute paths of -f files, merged in order
    set_values: tuple[str, ...] = ()
    set_string_values: tuple[str, ...] = ()
    kube_version: str | None = None
    api_versions: tuple[str, ...] = ()
    namespace: str | None = None  # the release namespace (`helm template --namespace`)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while linting, then as before.

    Loading builds millions of small objects that all stay alive (the model): with CPython's default
    thresholds the collector traverses them again and again, a third of a large run, and finds nothing.
    Collecting young objects after 20,000 allocations instead of 700 keeps the cycles that rendering leaves
    from piling up, at a small cost in memory.
    """
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], COLLECTOR_THRESHOLD), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


Params = ParamSpec("Params")
Answer = TypeVar("Answer")

#: Allocations between two collections of the youngest generation while linting (CPython's default: 700).
COLLECTOR_THRESHOLD = 20_000


def _workers(jobs: int) -> contextlib.AbstractContextManager[Workers | None]:
    """Worker processes for `jobs` above 1 (started only if the scan is large enough to use them)."""
    if jobs <= 1:
        return contextlib.nullcontext()
    from medlint.parallel import Workers

    return Workers(jobs)


def _collecting_less(function: Callable[Params, Answer]) -> Callable[Params, Answer]:
    """The whole of a lint runs under `fewer_collections`: once the model exists, a collection with the
    default thresholds would traverse all of it again (a full one costs half a second on the corpus)."""

    @functools.wraps(function)
    def collecting_less(*args: Params.args, **kwargs: Params.kwargs) -> Answer:
        with fewer_collections():
            return function(*args, **kwargs)

    return collecting_less


@_collecting_less
def lint(
    paths: list[str],
    cwd: Path | None = None,
    safety_class: str | None = None,
    fail_on: str | None = None,
    rules_dirs: tuple[str, ...] = (),
    excludes: tuple[str, ...] = (),
    pack: RulePack | None = None,
    config: Config | None = None,
    baseline: tuple[BaselineEntry, ...] | None = None,
    today: datetime.date | None = None,
    command_line: tuple[str, ...] = (),
    chart_paths: tuple[str, ...] = (),
    helm: HelmValues | None = None,
    gitignore: bool = True,
    baseline_path: str | None = None,
    limits: Limits | None = None,
    keep_render_sources: bool = False,
    jobs: int = 1,
    context: bool = False,
    release_manifest: Mapping[str, str] | None = None,
    sboms: tuple[str, ...] | None = None,
    baseline_sha256: str | None = None,
) -> Report:
    """Discover, parse, check, waive, compare with the baseline. Raises DiscoveryError or RulePackError
    for usage problems. Every file is read through one bounded reader with `limits` (default: the
    configuration's). `jobs` worker processes parse the files and render the charts (1: all in this one);
    the report is the same for every value.

    With `context` (the command line's default), named files are checked with the rest of their system and
    only their findings are reported (medlint.partial); without it they are read alone.

    `sboms` (`--sbom`, paths relative to `cwd`) replace the configuration's `sbom:` for every system; every
    SBOM a system names is read before the rules run (medlint.sbom.read raises SbomError when one cannot be).

    `baseline_sha256` is the digest of the baseline file's bytes as read (`read_baseline_file`), for the
    report's record of the files read."""
    config = config or Config()
    pack = pack or load_rule_pack(tuple(config.rules_dirs) + tuple(rules_dirs))
    base = cwd or Path.cwd()
    all_excludes = tuple(config.exclude) + tuple(excludes)
    discovery = discover(paths, base, excludes=all_excludes, gitignore=gitignore)
    given = [Path(path) if Path(path).is_absolute() else base / path for path in paths]
    scope: Scope | None = None
    context_folder: Path | None = None
    named = 0
    if context and needs_context(paths, base):
        context_folder = context_root(discovery, config.folder)
        named = len(discovery.candidates) + len(discovery.charts)
        discovery = with_context(discovery, context_folder, base, all_excludes, gitignore)
    scanned = [context_folder] if context_folder is not None else [path.resolve() for path in given]
    reader = FileReader(discovery.root, limits or config.limits)
    helm = helm or HelmValues(
        kube_version=config.helm_kube_version,
        api_versions=config.helm_api_versions,
        namespace=config.helm_namespace,
    )
    settings_for_charts = HelmSettings(
        command_line_files=helm.files,
        set_values=helm.set_values,
        set_string_values=helm.set_string_values,
        configured=config.helm_values,
        kube_version=helm.kube_version,
        api_versions=helm.api_versions,
        namespace=helm.namespace,
        keep_render_sources=keep_render_sources,
    )
    with _workers(jobs) as workers:
        project, unrecognised = load_project(
            discovery,
            tuple((base / path).resolve() for path in chart_paths),
            settings_for_charts,
            reader,
            workers=workers,
            compose_projects=config.compose_projects,
        )
        if context_folder is not None:
            read = len(discovery.candidates) + len(discovery.charts)
            scope = scope_of(discovery, given, project, context_folder, max(read - named, 0))
        settings = dataclasses.replace(config.engine_settings(today), release_manifest=release_manifest)
        systems = define_systems(config, project, scanned, discovery.root)
        if sboms is not None:
            shown = tuple(sbom_shown(base / path, discovery.root) for path in sboms)
            systems = tuple(dataclasses.replace(system, sboms=shown) for system in systems)
        if any(system.sboms for system in systems):
            from medlint.sbom.read import read_supplied_sboms

            project = dataclasses.replace(project, sboms=read_supplied_sboms(systems, discovery.root, reader))
        # The checks share the processes only when the project was loaded in workers (a large scan): for a
        # few files, starting a process costs more than the checks.
        rule_jobs = workers.jobs if workers is not None and workers.started else 1
        result, system_runs = run_systems(
            project, systems, pack, settings, config, safety_class, jobs=rule_jobs
        )
        findings = result.findings
        if any(obj.rendered_from for obj in project.k8s_objects):
            from medlint.helm.sourcemap import explain_findings  # only Helm renders carry a source map

            findings = explain_findings(findings)
        findings = add_fingerprints(findings, discovery.root, reader, workers)
    waivers = [
        *project.inline_waivers,
        *annotation_waivers(project.k8s_objects),
        *configured_waivers(config.waivers, _folder_in_root(config.folder, discovery.root)),
    ]
    effective_today = settings.today or datetime.date.today()
    waiving = evaluate_waivers(findings, waivers, effective_today)
    findings = waiving.findings
    notifications = result.notifications + waiving.notifications
    outcomes: tuple[Any, ...] = waiving.outcomes
    unrecognised = list(unrecognised)
    if scope is not None:  # waivers were judged against the whole system; report what concerns named files
        findings = in_scope(findings, scope)
        notifications = notifications_in_scope(notifications, scope, outside_waivers(waivers, scope))
        outcomes = waiver_outcomes_in_scope(outcomes, scope)
        unrecognised = [item for item in unrecognised if scope.holds(item.split(" (", 1)[0])]
    known: tuple[Finding, ...] = ()
    fixed: tuple[BaselineEntry, ...] = ()
    if baseline is not None:
        findings, known, fixed = match_baseline(findings, baseline)
        if scope is not None:
            fixed = tuple(entry for entry in fixed if scope.holds(entry.path))
    findings = tuple(sorted(findings, key=Finding.sort_key))  # total: the same bytes for every hash seed
    result = dataclasses.replace(result, findings=findings, notifications=notifications)
    return Report(
        result=result,
        pack=pack,
        project=project,
        scanned_paths=tuple(paths),
        unrecognised=tuple(sorted(unrecognised)),
        fail_on=Level(fail_on or config.fail_on or "error"),
        command_line=command_line,
        root=str(discovery.root),
        config_path=str(config.path) if config.path else None,
        automation_id=config.sarif_automation_id,
        provenance=read_provenance(discovery.root, reader.limits),
        baselined=len(known),
        baselined_findings=known,
        fixed=fixed,
        table_versions=table_versions(pack),
        evaluation_date=effective_today.isoformat(),
        waivers=outcomes,
        baseline_path=baseline_path,
        systems=system_runs,
        scope=scope,
        file_digests=_files_read(reader, config, baseline_path, baseline_sha256),
        config=config,
    )


def _files_read(
    reader: FileReader, config: Config, baseline_path: str | None, baseline_sha256: str | None
) -> dict[str, str]:
    """{path: SHA-256} of every file the run read: the reader's record (repository paths), plus the
    configuration and the baseline under the paths the report shows for them."""
    digests = reader.digests()
    if config.path is not None and config.sha256 is not None:
        digests[shown_path(str(config.path), str(reader.root))] = config.sha256
    if baseline_path is not None and baseline_sha256 is not None:
        digests[baseline_path] = baseline_sha256
    return dict(sorted(digests.items()))


def shown_path(path: str, root: str) -> str:
    """A file the user named, as reports show it: relative to the scanned root when inside it."""
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except (ValueError, OSError):
        return path


def _folder_in_root(folder: Path | None, root: Path) -> str:
    """`folder` relative to the run's root ("" for the root, or for a folder outside it)."""
    if folder is None:
        return ""
    relative = os.path.relpath(folder.resolve(), root).replace(os.sep, "/")
    return "" if relative == "." or relative.startswith("..") else relative
