"""Reading discovered files into the common model (`Project`), failing closed.

Each file is read and parsed on its own: a file that cannot be read or parsed becomes a `ParseProblem`
(reported as MD001) and the others are still analysed. An unexpected exception inside a parser is a medlint
bug; it is reported the same way, with the exception named, instead of ending the run.
"""

from __future__ import annotations

import dataclasses
import json
import os
import posixpath
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medlint.decoding import SourceError
from medlint.discover import Candidate, ChartUnit, Discovery, own_path
from medlint.escape import printable
from medlint.limits import Limits
from medlint.model.common import ArtifactKind
from medlint.model.location import Location
from medlint.model.project import ClassDeclaration, ParseProblem, Project, SourceFile
from medlint.reader import FileReader, ReadRefused
from medlint.redact import internal_error_text, redact

if TYPE_CHECKING:  # each artifact family's model loads with its parser (start-up time)
    from medlint.model import (
        Chart,
        ComposeProject,
        Dockerfile,
        K8sObject,
        ValuesFile,
        VendoredChart,
        Workload,
    )
    from medlint.parallel import Workers


@dataclass(frozen=True, slots=True)
class HelmSettings:
    """How charts are rendered beyond their own values files: command-line values (`-f`, `--set`,
    `--set-string`) and `helm.values` of the configuration, plus the Kubernetes version, API versions and
    release namespace."""

    command_line_files: tuple[str, ...] = ()
    set_values: tuple[str, ...] = ()
    set_string_values: tuple[str, ...] = ()
    configured: tuple[Any, ...] = ()  # medlint.config.ChartValues
    kube_version: str | None = None
    api_versions: tuple[str, ...] = ()
    namespace: str | None = None  # the release namespace; None: not known (templates see `default`)
    #: Keep each render's source map in `Project.render_sources` (for `medlint fix`, which edits values).
    keep_render_sources: bool = False

    @property
    def from_command_line(self) -> bool:
        return bool(self.command_line_files or self.set_values or self.set_string_values)


class WorkerStopped(Exception):
    """A worker process stopped (crashed or was killed) while it loaded a file."""


@dataclass
class _Collector:
    """Mutable accumulator used only while loading; frozen into a Project at the end."""

    root: Path
    reader: FileReader
    files: list[SourceFile] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    dockerfiles: list[Dockerfile] = field(default_factory=list)
    compose_projects: list[ComposeProject] = field(default_factory=list)
    #: Compose files, read while scanning and grouped into projects at the end (`_load_compose_projects`).
    compose_candidates: list[str] = field(default_factory=list)
    compose_texts: dict[str, str] = field(default_factory=dict)
    compose_alone: dict[str, ComposeProject | None] = field(default_factory=dict)
    compose_broken: set[str] = field(default_factory=set)
    compose_projects_configured: tuple[tuple[str, ...], ...] = ()  # `compose.projects`, absolute paths
    k8s_objects: list[K8sObject] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    waivers: list[Any] = field(default_factory=list)
    chart_paths: tuple[Path, ...] = ()  # where unvendored chart dependencies may be found
    helm: HelmSettings = HelmSettings()
    render_sources: dict[tuple[str, str], Any] = field(default_factory=dict)
    render_budget: Any = None  # the run's medlint.helm.budget.RenderBudget, made at the first chart
    #: Evaluation steps this collector's charts spent (a worker's part reports them to the run's budget).
    render_steps: int = 0
    #: Failures recorded by `fail_once`, as (index in files, index in problems): when loading runs in
    #: workers, the parent drops those whose path an earlier part already recorded.
    once: list[tuple[int, int]] = field(default_factory=list)
    #: Named files that are no artifact (in the order met).
    unrecognised: list[str] = field(default_factory=list)
    #: The repository facts of the build contexts (`_context_facts`), when worked out before the charts
    #: were loaded (with workers, while they render).
    context_facts: dict[str, Any] | None = None

    def note_waivers(self, relative: str, text: str, dockerfile: Dockerfile | None = None) -> None:
        """Collect `# medlint: ignore` comments while the text is at hand (cheap when there are none)."""
        if "medlint:" in text:
            from medlint.waivers import scan_inline_waivers

            self.waivers.extend(scan_inline_waivers(relative, text, dockerfile is not None, dockerfile))

    def fail(self, relative: str, kind: ArtifactKind, error: Exception, role: str = "") -> None:
        """Record a file that could not be read or parsed as MD001; the message never quotes its content."""
        if isinstance(error, ReadRefused):
            location = Location(relative)
            message = f"{relative} was not read: {error.message}"
        elif isinstance(error, SourceError):
            location = Location(relative, error.line, error.column)
            message = f"{relative} could not be parsed: {error.message}"
        elif isinstance(error, WorkerStopped):
            location = Location(relative)
            message = f"{relative} could not be parsed: {error}; the other files were checked"
        elif isinstance(error, OSError):
            location = Location(relative)
            message = f"{relative} could not be read: {error.strerror or type(error).__name__}"
        else:  # a parser bug: still fail closed, and name it so it can be reported upstream
            location = Location(relative)
            message = f"{relative} could not be parsed: internal error {internal_error_text(error)}"
        self.files.append(SourceFile(relative, kind, analysed=False, role=role))
        self.problems.append(ParseProblem("MD001", location, redact(message), kind))

    def fail_once(self, relative: str, kind: ArtifactKind, error: Exception, role: str = "") -> None:
        """`fail` for a file several artifacts share (an ignore file, a `.env`, a link out of a chart): only
        when no record of that path exists yet."""
        if any(item.path == relative for item in self.files):
            return
        self.fail(relative, kind, error, role)
        self.once.append((len(self.files) - 1, len(self.problems) - 1))

    def read(self, path: Path, within: Path | None = None) -> str:
        """A file's text through the bounded reader (inside the root, or inside `within`: a chart)."""
        return self.reader.read_text(path, within=within)


def _load_dockerfile(collector: _Collector, path: Path, relative: str) -> None:
    from medlint.parsers.dockerfile import dockerfile_workload, parse_dockerfile

    try:
        text = collector.read(path)
    except Exception as error:
        collector.fail(relative, ArtifactKind.DOCKERFILE, error)
        return
    ignore = _read_ignore_file(collector, path)
    try:
        dockerfile = parse_dockerfile(relative, text, ignore, collector.reader.limits)
        if "pip" in text:  # requirement files named by `pip install -r/-c`, read from the build context
            from medlint.context_files import requirement_files

            context_files = requirement_files(
                dockerfile, collector.root / posixpath.dirname(relative), collector.root, collector.reader
            )
            if context_files:
                dockerfile = dataclasses.replace(dockerfile, context_files=context_files)
        workload = dockerfile_workload(dockerfile)
    except Exception as error:
        collector.fail(relative, ArtifactKind.DOCKERFILE, error)
        return
    collector.files.append(SourceFile(relative, ArtifactKind.DOCKERFILE))
    collector.note_waivers(relative, text, dockerfile)
    collector.dockerfiles.append(dockerfile)
    collector.workloads.append(workload)


def _read_ignore_file(collector: _Collector, dockerfile: Path) -> Any:
    """The Dockerfile's own `X.dockerignore`, else the `.dockerignore` beside it; None when there is none.

    One that cannot be read is an MD001 of its own, and the Dockerfile is still analysed without it.
    """
    from medlint.parsers.dockerfile import read_dockerignore

    for ignore_path in (
        dockerfile.with_name(dockerfile.name + ".dockerignore"),
        dockerfile.parent / ".dockerignore",
    ):
        if not os.path.lexists(ignore_path):
            continue
        ignore_relative = collector.reader.display(ignore_path)
        try:
            return read_dockerignore(ignore_relative, collector.read(ignore_path))
        except Exception as error:
            collector.fail_once(ignore_relative, ArtifactKind.DOCKERFILE, error, role="dockerignore")
            return None
    return None


def _read_env_file(collector: _Collector, compose_file: Path) -> str | None:
    """The `.env` beside a Compose file (its variables are interpolated); None when absent or refused."""
    env_path = compose_file.parent / ".env"
    if not os.path.lexists(env_path):
        return None
    try:
        return collector.read(env_path)
    except Exception as error:
        collector.fail_once(collector.reader.display(env_path), ArtifactKind.COMPOSE, error, role=".env")
        return None


def _load_compose(collector: _Collector, path: Path, relative: str, text: str | None = None) -> None:
    """A scanned Compose file: read now, parsed once every Compose file is known, because a file may be
    merged with others into one project (medlint.compose_groups)."""
    if relative in collector.compose_texts:
        return
    try:
        collector.compose_texts[relative] = collector.read(path) if text is None else text
    except Exception as error:
        collector.fail(relative, ArtifactKind.COMPOSE, error)
        return
    collector.compose_candidates.append(relative)


def _compose_text(collector: _Collector, relative: str) -> str | None:
    """A Compose file's text (one not scanned, such as the base of a scanned overlay, is read now)."""
    if relative in collector.compose_texts:
        return collector.compose_texts[relative]
    if relative in collector.compose_broken:
        return None
    try:
        text = collector.read(own_path(collector.root / relative))
    except Exception as error:
        collector.compose_broken.add(relative)
        collector.fail(relative, ArtifactKind.COMPOSE, error)
        return None
    collector.compose_texts[relative] = text
    return text


def _parse_compose_group(
    collector: _Collector, files: list[tuple[str, str]], base_missing: bool = False
) -> ComposeProject:
    from medlint.parsers.compose import parse_compose_files

    first = files[0][0]
    return parse_compose_files(
        files,
        read_file=collector.reader.relative_reader(),
        env_file_text=_read_env_file(collector, own_path(collector.root / first)),
        limits=collector.reader.limits,
        env_file_path=posixpath.join(posixpath.dirname(first), ".env"),
        base_missing=base_missing,
    )


def _compose_alone(collector: _Collector, relative: str) -> ComposeProject | None:
    """The file parsed on its own (cached); None, with an MD001 finding, when it cannot be parsed."""
    if relative in collector.compose_alone:
        return collector.compose_alone[relative]
    text = _compose_text(collector, relative)
    project = None
    if text is not None:
        try:
            project = _parse_compose_group(collector, [(relative, text)])
        except Exception as error:
            collector.compose_broken.add(relative)
            collector.fail(relative, ArtifactKind.COMPOSE, error)
    collector.compose_alone[relative] = project
    return project


def _load_compose_projects(collector: _Collector) -> None:
    """Group the scanned Compose files into projects as `docker compose` merges them, and parse each project."""
    if not collector.compose_candidates:
        return  # no Compose file: nothing to group (and no Compose parser or YAML to import)
    from medlint.compose_groups import group_compose_files
    from medlint.model.compose_references import undefined_references
    from medlint.parsers.compose import extended_files

    def exists(relative: str) -> bool:
        path = own_path(collector.root / relative)
        return not relative.startswith("../") and os.path.isfile(path)

    def incomplete(relative: str) -> bool:
        project = _compose_alone(collector, relative)
        return project is not None and any(True for _ in undefined_references(project))

    def extended(relative: str) -> list[str]:
        text = _compose_text(collector, relative)
        return extended_files(relative, text) if text is not None else []

    def belongs_to(overlay: str, base: str) -> bool:
        mine, theirs = _compose_alone(collector, overlay), _compose_alone(collector, base)
        if mine is None or theirs is None:
            return False
        base_names = {service.name for service in theirs.services}
        if base_names & {service.name for service in mine.services}:
            return True
        defined = base_names.union(
            *(theirs.declared(section) for section in ("networks", "volumes", "secrets", "configs"))
        )
        return any(reference.name in defined for reference in undefined_references(mine))

    candidates = [
        relative for relative in collector.compose_candidates if _compose_alone(collector, relative)
    ]
    configured = [
        tuple(collector.reader.display(Path(file)) for file in files)
        for files in collector.compose_projects_configured
    ]
    recorded: set[str] = set()
    skipped: list[str] = []
    for group in group_compose_files(candidates, configured, exists, incomplete, extended, belongs_to):
        files = [
            (relative, text)
            for relative in group.files
            if _compose_alone(collector, relative) is not None
            and (text := _compose_text(collector, relative)) is not None
        ]
        if not files or files[0][0] != group.files[0]:
            # No base to merge onto: its MD001 stands for the project (overlays alone would mislead).
            skipped.extend(relative for relative, _ in files)
            continue
        try:
            if len(files) == 1 and not group.base_missing:
                project = collector.compose_alone[files[0][0]]
                assert project is not None
            else:
                project = _parse_compose_group(collector, files, group.base_missing)
        except Exception as error:  # each file parses alone; merging them failed (an include conflict)
            collector.fail(files[-1][0], ArtifactKind.COMPOSE, error)
            continue
        for relative, text in files:
            if relative not in recorded:
                recorded.add(relative)
                collector.files.append(SourceFile(relative, ArtifactKind.COMPOSE))
                collector.note_waivers(relative, text)
        collector.compose_projects.append(project)
        collector.workloads.extend(service.workload for service in project.services)
    for relative in dict.fromkeys(skipped):
        if relative not in recorded:
            recorded.add(relative)
            collector.files.append(SourceFile(relative, ArtifactKind.COMPOSE, analysed=False, role="overlay"))


def _load_manifest(
    collector: _Collector, relative: str, text: str, documents: list[Any] | None = None
) -> None:
    """A Kubernetes manifest; `documents` when the content sniff has parsed it already."""
    from medlint.parsers.kubernetes import (
        load_manifest_documents,
        objects_from_documents,
        workload_from_object,
    )

    try:
        if documents is None:
            documents = load_manifest_documents(relative, text)
        objects = objects_from_documents(relative, documents)
        workloads = [workload for obj in objects if (workload := workload_from_object(obj)) is not None]
    except Exception as error:
        collector.fail(relative, ArtifactKind.KUBERNETES, error)
        return
    collector.files.append(SourceFile(relative, ArtifactKind.KUBERNETES))
    collector.note_waivers(relative, text)
    collector.k8s_objects.extend(objects)
    collector.workloads.extend(workloads)


def _load_built_dockerfiles(collector: _Collector) -> None:
    """The Dockerfiles Compose services build belong to their Compose project: read them too, so a Compose
    file named alone (as pre-commit does) is checked with its images, not against guesses."""
    loaded = {dockerfile.path for dockerfile in collector.dockerfiles}
    loaded |= {item.path for item in collector.files if item.kind is ArtifactKind.DOCKERFILE}
    for project in list(collector.compose_projects):
        for service in project.services:
            relative = service.dockerfile_path
            if relative is None or relative in loaded or relative.startswith("../"):
                continue  # a build context outside the scanned project is not part of the scan
            path = own_path(collector.root / relative)
            if os.path.lexists(path) and not path.is_dir():
                loaded.add(relative)
                _load_dockerfile(collector, path, relative)


def _looks_like_compose(text: str) -> bool:
    """Text sniff for a file that cannot be parsed: a top-level `services:` line."""
    return any(line.startswith("services:") for line in text.splitlines())


def _is_compose(documents: list[Any]) -> bool:
    """A Compose file by content: a top-level mapping with `services`."""
    return any(isinstance(document.value, dict) and "services" in document.value for document in documents)


def _load_sniffed(collector: _Collector, path: Path, relative: str, explicit: bool) -> None:
    """A YAML or JSON file whose name does not tell its kind: decide from its parsed content.

    A manifest is an object with `apiVersion` and `kind` (in any document, JSON value or flow mapping); a
    Compose file has a top-level `services`. A file that cannot be parsed is an MD001 finding when it is
    named on the command line or its text writes `apiVersion` and `kind`; otherwise, like any other file of no
    kind, it is listed as not an artifact (JSON files found by a directory scan, such as package.json, stay
    quiet: they are manifests only when they say so).
    """
    from medlint.parsers.kubernetes import is_manifest, load_manifest_documents, looks_like_manifest

    try:
        text = collector.read(path)
    except Exception as error:
        collector.fail(relative, ArtifactKind.KUBERNETES, error)
        return
    is_json = relative.lower().endswith(".json")
    if explicit or ("apiVersion" in text and "kind" in text) or "services" in text:  # else: nothing to parse
        try:
            documents = load_manifest_documents(relative, text)
        except SourceError as error:
            if looks_like_manifest(text):
                collector.fail(relative, ArtifactKind.KUBERNETES, error)
            elif _looks_like_compose(text):
                collector.fail(relative, ArtifactKind.COMPOSE, error)
            elif explicit:
                collector.fail(relative, ArtifactKind.KUBERNETES, error)
            elif not is_json:
                collector.unrecognised.append(relative)
            return
        if is_manifest(documents):
            _load_manifest(collector, relative, text, documents)
            return
        if _is_compose(documents):
            _load_compose(collector, path, relative, text)
            return
    if explicit or not is_json:
        collector.unrecognised.append(relative)


def _load_chart(collector: _Collector, unit: ChartUnit) -> None:
    from medlint.parsers.helm import parse_chart, parse_values, parse_values_schema, read_chart_lock

    directory, relative_dir = unit.directory, unit.relative
    prefix = "" if relative_dir in ("", ".") else relative_dir + "/"
    lock, lock_path, lock_file_parsed = None, None, None
    lock_file = directory / "Chart.lock"
    if os.path.lexists(lock_file):
        lock_path = prefix + "Chart.lock"
        try:
            lock_file_parsed = read_chart_lock(lock_path, collector.read(lock_file, directory))
            lock = lock_file_parsed.entries
            collector.files.append(SourceFile(lock_path, ArtifactKind.HELM, role="Chart.lock"))
        except Exception as error:
            collector.fail(lock_path, ArtifactKind.HELM, error, role="Chart.lock")
    values_files: list[ValuesFile] = []
    for values_path in sorted(directory.glob("values*.y*ml")):
        if not values_path.name.endswith((".yaml", ".yml")):
            continue
        relative = prefix + values_path.name
        try:
            values_text = collector.read(values_path, directory)
            values_files.append(parse_values(relative, values_text))
            collector.files.append(SourceFile(relative, ArtifactKind.HELM, role="values"))
            collector.note_waivers(relative, values_text)
        except Exception as error:
            collector.fail(relative, ArtifactKind.HELM, error, role="values")
    schema_file = directory / "values.schema.json"
    values_schema, values_schema_path = None, None
    if os.path.lexists(schema_file):
        relative = prefix + "values.schema.json"
        try:
            values_schema = parse_values_schema(collector.read(schema_file, directory))
            values_schema_path = relative
            collector.files.append(SourceFile(relative, ArtifactKind.HELM, role="values.schema.json"))
        except json.JSONDecodeError as error:
            collector.fail(
                relative,
                ArtifactKind.HELM,
                SourceError(f"JSON syntax error: {error.msg}", error.lineno, error.colno),
            )
        except Exception as error:
            collector.fail(relative, ArtifactKind.HELM, error)
    chart_yaml = prefix + "Chart.yaml"
    try:
        chart_text = collector.read(directory / "Chart.yaml", directory)
        chart = parse_chart(
            relative_dir,
            chart_yaml,
            chart_text,
            lock,
            lock_path,
            tuple(values_files),
            lock_anchor=lock_file_parsed.anchor if lock_file_parsed else None,
            lock_digest=lock_file_parsed.digest if lock_file_parsed else None,
            vendored_charts=_vendored_charts(collector, directory, prefix),
            values_schema=values_schema,
            values_schema_path=values_schema_path,
        )
        collector.note_waivers(chart_yaml, chart_text)
    except Exception as error:
        collector.fail(chart_yaml, ArtifactKind.HELM, error, role="Chart.yaml")
        return
    collector.files.append(SourceFile(chart_yaml, ArtifactKind.HELM, role="Chart.yaml"))
    collector.charts.append(chart)
    _report_links_out_of_chart(collector, directory, prefix)
    _render_chart(collector, unit)


def _report_links_out_of_chart(collector: _Collector, directory: Path, prefix: str) -> None:
    """Every symbolic link in a chart that leads out of it is an MD001 finding: Helm would follow it, medlint
    renders the chart without it (never reading what it points at), so the render differs from Helm's."""
    chart_real = os.path.realpath(directory)
    for current, dirnames, filenames in os.walk(directory):
        dirnames.sort()
        for name in sorted([*dirnames, *filenames]):
            path = Path(current) / name
            if not path.is_symlink():
                continue
            target = os.path.realpath(path)
            if target == chart_real or target.startswith(chart_real.rstrip(os.sep) + os.sep):
                continue
            collector.fail_once(
                printable(prefix + path.relative_to(directory).as_posix()),
                ArtifactKind.HELM,
                ReadRefused(
                    "it is a symbolic link that leads outside its chart; medlint does not follow it, so "
                    "the chart is rendered without it (Helm would follow it)"
                ),
            )


def _vendored_charts(collector: _Collector, directory: Path, prefix: str) -> tuple[VendoredChart, ...]:
    """The sub-charts in `charts/`: each `.tgz` archive (its Chart.yaml read in memory, never extracted) and
    each unpacked directory with a Chart.yaml. An unreadable one is kept with the reason (MD106 reports it)."""
    from medlint.helm.chart_files import ChartError, LoadLimits, read_archive_file
    from medlint.parsers.helm import archive_chart_yaml, unreadable_vendored_chart, vendored_chart

    charts_dir = directory / "charts"
    found: list[VendoredChart] = []
    try:
        if not charts_dir.is_dir() or charts_dir.is_symlink():
            return ()
        entries = sorted(charts_dir.iterdir(), key=lambda item: item.name)
    except OSError:
        return ()  # an unreadable charts/ folder fails the render, which MD003 reports
    for entry in entries:
        relative = printable(f"{prefix}charts/{entry.name}")
        try:
            resolved = entry.resolve()
            if resolved != directory and directory not in resolved.parents:
                # Helm would follow it; medlint reads nothing outside the chart (MD106 reports it).
                raise ReadRefused(
                    "it is a symbolic link that leads outside the chart; medlint does not follow it"
                )
            if entry.name.endswith(".tgz") and not resolved.is_dir():
                limits = LoadLimits.from_limits(collector.reader.limits)
                text = archive_chart_yaml(read_archive_file(entry, relative, limits, within=directory))
                found.append(vendored_chart(relative, text))
            elif resolved.is_dir() and os.path.lexists(resolved / "Chart.yaml"):
                relative += "/Chart.yaml"
                found.append(vendored_chart(relative, collector.read(resolved / "Chart.yaml", directory)))
        except (ChartError, SourceError) as error:
            found.append(unreadable_vendored_chart(relative, error.message))
        except (OSError, RuntimeError) as error:
            found.append(unreadable_vendored_chart(relative, getattr(error, "strerror", None) or str(error)))
    return tuple(found)


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _values_sets(collector: _Collector, unit: ChartUnit) -> list[Any] | None:
    """The chart's own values sets, plus one per configured `helm.values` entry and one for the command
    line's values. Given extra values, the chart's bare values.yaml render is replaced by them: a chart that
    `required`s site values cannot render without them. None: only the chart's own sets."""
    from medlint.helm.lint_renders import ValuesSet, default_values_sets
    from medlint.pathglob import GlobPattern

    helm, root = collector.helm, collector.root
    extra: list[ValuesSet] = []
    for entry in helm.configured:
        pattern = GlobPattern.parse(entry.chart_glob)
        if pattern is None or not pattern.matches(unit.relative, is_dir=True):
            continue
        for files in entry.value_sets:
            name = "+".join(_display(Path(file), root) for file in files)
            extra.append(ValuesSet(name, tuple(Path(file) for file in files)))
    if helm.from_command_line:
        names = [_display(Path(file), root) for file in helm.command_line_files]
        if helm.set_values:
            names.append("--set")
        if helm.set_string_values:
            names.append("--set-string")
        extra.append(
            ValuesSet(
                "+".join(names),
                tuple(Path(file) for file in helm.command_line_files),
                helm.set_values,
                helm.set_string_values,
            )
        )
    if not extra:
        return None
    own = [values_set for values_set in default_values_sets(unit.directory) if values_set.files]
    return own + extra


def _render_chart(collector: _Collector, unit: ChartUnit) -> None:
    """Render the chart as `helm template` would, once per values set; failures become MD003 findings.

    Every chart of the run draws on one render budget (medlint.helm.budget), each within its own."""
    from medlint.helm.budget import RenderBudget
    from medlint.helm.lint_renders import render_chart_for_lint
    from medlint.parsers.kubernetes import workload_from_object

    chart_yaml = f"{unit.relative}/Chart.yaml" if unit.relative not in ("", ".") else "Chart.yaml"
    if collector.render_budget is None:
        collector.render_budget = RenderBudget.for_run(collector.reader.limits)
    try:
        objects, problems = render_chart_for_lint(
            unit.directory,
            collector.root,
            chart_paths=collector.chart_paths,
            values_sets=_values_sets(collector, unit),
            kube_version=collector.helm.kube_version,
            api_versions=collector.helm.api_versions,
            sources=collector.render_sources if collector.helm.keep_render_sources else None,
            limits=collector.reader.limits,
            budget=collector.render_budget,
            namespace=collector.helm.namespace,
            on_read=collector.reader.record,
        )
    except Exception as error:
        collector.problems.append(
            ParseProblem(
                "MD003",
                Location(chart_yaml),
                f"{chart_yaml}: the chart could not be rendered: internal error {internal_error_text(error)}",
                ArtifactKind.HELM,
            )
        )
        return
    collector.k8s_objects.extend(objects)
    collector.workloads.extend(w for obj in objects if (w := workload_from_object(obj)) is not None)
    collector.problems.extend(
        dataclasses.replace(problem, message=redact(problem.message)) for problem in problems
    )
    for path in sorted({obj.path for obj in objects if not obj.path.endswith(".tgz")}):
        try:  # the template was read to render it; read again (bounded, inside the root) for waivers
            text = collector.read(collector.root / path)
        except (SourceError, OSError):
            continue
        collector.files.append(SourceFile(path, ArtifactKind.HELM, role="template"))
        collector.note_waivers(path, text)  # `# medlint: ignore` in templates


def class_declarations(project_parts: _Collector) -> list[ClassDeclaration]:
    """Every `regulatory.iec62304.class` label or annotation, wherever it was declared (a line rendered by
    several values sets once)."""
    from medlint.model.regulatory import iec_declarations, item_declarations

    declarations = item_declarations(project_parts.workloads, project_parts.charts)
    return [ClassDeclaration(label.value, label.location) for label in iec_declarations(declarations)]


#: Upper bound on the files listed for the repository part of MD306; a larger tree is listed partially.
MAX_WORKSPACE_FILES = 200_000


def _list_files(directories: list[Path], root: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Regular files under the directories (no symlinks followed, tool folders skipped), root-relative; and
    the `.git` entries met on the way (a repository folder is not walked into, but it is there)."""
    from medlint.discover import DEFAULT_EXCLUDED_DIRS

    found: set[str] = set()
    vcs: set[str] = set()
    for directory in directories:
        if not directory.is_dir() or (root not in directory.parents and directory != root):
            continue
        for current, dirnames, filenames in os.walk(directory):
            if ".git" in dirnames or ".git" in filenames:
                vcs.add(printable((Path(current) / ".git").relative_to(root).as_posix()))
            dirnames[:] = sorted(name for name in dirnames if name not in DEFAULT_EXCLUDED_DIRS)
            for name in filenames:
                path = Path(current) / name
                if path.is_file() and not path.is_symlink():
                    found.add(printable(path.relative_to(root).as_posix()))
            if len(found) >= MAX_WORKSPACE_FILES:
                return tuple(sorted(found)), tuple(sorted(vcs))
    return tuple(sorted(found)), tuple(sorted(vcs))


def _context_facts(project: Project, discovery: Discovery, reader: FileReader) -> dict[str, Any]:
    """What MD306's repository part needs (`Project.with_workspace`): tracked files, files on disk, each
    build context's ignore file. Only the project's Dockerfiles and Compose projects matter."""
    from medlint.gitindex import read_tracked_files
    from medlint.model.contexts import build_contexts
    from medlint.parsers.dockerignore import read_dockerignore

    root = discovery.root
    contexts = build_contexts(project)
    context_dirs = [root / context.directory for context in contexts]
    scanned_dirs = [path if path.is_dir() else path.parent for path in discovery.scanned]
    ignore_files = []
    candidates = {
        posixpath.normpath(posixpath.join(context.directory, ".dockerignore")) for context in contexts
    }
    candidates |= {context.dockerfile.path + ".dockerignore" for context in contexts if context.dockerfile}
    for relative in sorted(candidates):
        path = root / relative
        if os.path.lexists(path) and not relative.startswith("../"):
            try:
                ignore_files.append(read_dockerignore(relative, reader.read_text(path)))
            except (SourceError, OSError):
                continue  # an unreadable ignore file is treated as absent; MD306 then reports the context
    workspace_files, vcs_metadata = _list_files(scanned_dirs + context_dirs, root)
    return {
        "repository_files": read_tracked_files(root, reader.limits),
        "workspace_files": workspace_files,
        "dockerignore_files": tuple(ignore_files),
        "vcs_metadata": vcs_metadata,
    }


KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def kustomize_patches(discovery: Discovery, reader: FileReader) -> set[str]:
    """Repository-relative paths that a scanned kustomization lists as patches.

    A strategic-merge or JSON patch is a fragment of an object, not a manifest: linted alone it would report
    missing selectors, images and security settings that the base provides. Patches are listed in the
    summary instead of being linted on their own.
    """
    patches: set[str] = set()
    for candidate in discovery.candidates:
        if candidate.path.name not in KUSTOMIZATION_NAMES:
            continue
        from medlint.source import load_yaml_documents  # PyYAML only when there is YAML to read

        try:
            documents = load_yaml_documents(reader.read_text(candidate.path))
        except (SourceError, OSError):
            continue  # the kustomization itself is reported like any other unreadable YAML
        body = documents[0].value if documents else None
        if not isinstance(body, dict):
            continue
        entries: list[Any] = []
        for key in ("patchesStrategicMerge", "patches", "patchesJson6902"):
            value = body.get(key)
            if isinstance(value, list):
                entries.extend(value)
        base = posixpath.dirname(candidate.relative)
        for entry in entries:
            path = entry.get("path") if isinstance(entry, dict) else entry
            if isinstance(path, str) and "\n" not in path and not path.startswith("/"):
                patches.add(posixpath.normpath(posixpath.join(base, path)))
    return patches


def load_project(
    discovery: Discovery,
    chart_paths: tuple[Path, ...] = (),
    helm: HelmSettings = HelmSettings(),
    reader: FileReader | None = None,
    workers: Workers | None = None,
    compose_projects: tuple[tuple[str, ...], ...] = (),
) -> tuple[Project, list[str]]:
    """Parse every discovered artifact. Returns the project and the named files that are no artifact.

    Every file is read through `reader` (bounded, inside the scanned root), which remembers the texts for
    fingerprinting; by default one with the default limits. With `workers` (medlint.parallel), files are
    parsed and charts rendered in worker processes, unless the scan is too small to gain from it; the project
    is the same either way.
    """
    reader = reader or FileReader(discovery.root)
    collector = _Collector(
        root=discovery.root,
        reader=reader,
        chart_paths=chart_paths,
        helm=helm,
        compose_projects_configured=compose_projects,
    )
    patches = kustomize_patches(discovery, reader)
    plan = _plan(collector, discovery, patches, workers)
    if plan is None:
        for candidate in discovery.candidates:
            _load_candidate(collector, candidate, patches)
        _load_compose_projects(collector)
        _load_built_dockerfiles(collector)
        for unit in discovery.charts:
            _load_chart(collector, unit)
    else:
        assert workers is not None
        _load_in_workers(collector, plan, workers, discovery)
    project = Project(
        files=tuple(sorted(collector.files, key=lambda item: item.path)),
        problems=tuple(collector.problems),
        dockerfiles=tuple(collector.dockerfiles),
        compose_projects=tuple(collector.compose_projects),
        k8s_objects=tuple(collector.k8s_objects),
        workloads=tuple(collector.workloads),
        charts=tuple(collector.charts),
        class_declarations=tuple(class_declarations(collector)),
        inline_waivers=tuple(collector.waivers),
        render_sources=collector.render_sources,
    )
    if project.dockerfiles or project.compose_projects:
        facts = collector.context_facts or _context_facts(project, discovery, reader)
        project = project.with_workspace(**facts)
    return project, sorted([*discovery.ignored_explicit, *collector.unrecognised])


def _load_candidate(collector: _Collector, candidate: Candidate, patches: set[str]) -> None:
    """One discovered file into the collector (a kustomize patch is only listed)."""
    if candidate.relative in patches:
        collector.unrecognised.append(
            f"{candidate.relative} (a kustomize patch, checked only as part of its overlay)"
        )
    elif candidate.kind is ArtifactKind.DOCKERFILE:
        _load_dockerfile(collector, candidate.path, candidate.relative)
    elif candidate.kind is ArtifactKind.COMPOSE:
        _load_compose(collector, candidate.path, candidate.relative)
    else:
        _load_sniffed(collector, candidate.path, candidate.relative, candidate.explicit)


# --- loading in worker processes (`--jobs`) ------------------------------------------------------------

#: Below this many files, and with fewer charts than this, a scan is loaded in the main process: starting
#: workers (about 0.1 s) costs more than it saves, and the pre-commit case (a few files) must start at once.
PARALLEL_MIN_FILES = 48
PARALLEL_MIN_CHARTS = 2
#: Files per task: enough to make a task worth sending, few enough to keep both cores busy to the end.
FILES_PER_TASK = 16


@dataclass(frozen=True, slots=True)
class _LoadTask:
    """What one worker loads: a run of discovered files, or one chart."""

    root: Path
    limits: Limits
    chart_paths: tuple[Path, ...]
    helm: HelmSettings
    candidates: tuple[Candidate, ...] = ()
    patches: frozenset[str] = frozenset()
    chart: ChartUnit | None = None
    #: When the run's render time runs out (time.monotonic() of the main process, the same clock here).
    run_deadline: float = 0.0


@dataclass(frozen=True, slots=True)
class _Plan:
    """The tasks, the files' tasks first in discovery order, then one per chart."""

    file_tasks: tuple[_LoadTask, ...]
    chart_tasks: tuple[_LoadTask, ...]
    weights: tuple[float, ...]
    run_deadline: float


def _plan(
    collector: _Collector, discovery: Discovery, patches: set[str], workers: Workers | None
) -> _Plan | None:
    """The parallel plan, or None to load in this process (one job, a small scan, or render sources kept)."""
    candidates = discovery.candidates
    if workers is None or workers.jobs <= 1 or collector.helm.keep_render_sources:
        return None
    if len(candidates) < PARALLEL_MIN_FILES and len(discovery.charts) < PARALLEL_MIN_CHARTS:
        return None
    limits = collector.reader.limits
    run_deadline = time.monotonic() + limits.max_render_seconds_per_run
    context = (collector.root, limits, collector.chart_paths, collector.helm)
    file_tasks = tuple(
        _LoadTask(
            *context, candidates=tuple(candidates[start : start + FILES_PER_TASK]), patches=frozenset(patches)
        )
        for start in range(0, len(candidates), FILES_PER_TASK)
    )
    chart_tasks = tuple(
        _LoadTask(*context, chart=unit, run_deadline=run_deadline) for unit in discovery.charts
    )
    dependency_sizes: dict[Path, int] = {}  # a chart path's chart is weighed once, however many need it
    chart_weights = [_chart_weight(unit, collector, dependency_sizes) for unit in discovery.charts]
    # Every run of files weighs more than any chart, so the runs are loaded first (the largest first) and
    # the Compose projects made of them are built here while the charts still render, not after the last.
    heaviest_chart = max(chart_weights, default=0)
    file_weights = [
        heaviest_chart + 1 + sum(_size(candidate.path) for candidate in task.candidates)
        for task in file_tasks
    ]
    return _Plan(file_tasks, chart_tasks, tuple(file_weights + chart_weights), run_deadline)


def _size(path: Path) -> int:
    try:
        return os.lstat(path).st_size
    except OSError:
        return 0


def _tree_size(directory: Path) -> int:
    """Bytes under a chart directory: how long its render will take, roughly (templates and subcharts)."""
    total = 0
    for current, _dirs, files in os.walk(directory):
        total += sum(_size(Path(current) / name) for name in files)
    return total


def _chart_weight(unit: ChartUnit, collector: _Collector, dependency_sizes: dict[Path, int]) -> int:
    """Bytes under a chart directory, plus those of the dependencies its render will take from the chart
    paths (`--chart-path`): an umbrella chart's own folder is small, its render is not. Only an estimate,
    for the order of the tasks: a Chart.yaml that cannot be read or parsed counts as naming none."""
    total = _tree_size(unit.directory)
    if not collector.chart_paths:
        return total
    for name in _dependency_names(unit.directory / "Chart.yaml", collector.reader):
        if (unit.directory / "charts" / name).exists():
            continue  # vendored: counted with the chart
        for base in collector.chart_paths:
            if (base / name / "Chart.yaml").is_file():
                if base / name not in dependency_sizes:
                    dependency_sizes[base / name] = _tree_size(base / name)
                total += dependency_sizes[base / name]
                break
    return total


#: The largest Chart.yaml read to weigh its chart (real ones are a few KB): the estimate must not cost what
#: the render does, and a larger file is left to the worker, which reads it within the run's limits.
MAX_WEIGHED_CHART_YAML_BYTES = 64 * 1024


def _dependency_names(chart_yaml: Path, reader: FileReader) -> list[str]:
    """The names under `dependencies:` in a Chart.yaml, read through the bounded reader."""
    import yaml

    try:
        text = reader.read_text(
            chart_yaml, max_bytes=MAX_WEIGHED_CHART_YAML_BYTES, limit_name="the Chart.yaml size weighed"
        )
        document = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, SourceError, yaml.YAMLError, RecursionError):
        return []
    dependencies = document.get("dependencies") if isinstance(document, dict) else None
    if not isinstance(dependencies, list):
        return []
    return [
        entry["name"]
        for entry in dependencies
        if isinstance(entry, dict)
        and isinstance(entry.get("name"), str)
        and "/" not in entry["name"]
        and not entry["name"].startswith(".")
    ]


def _load_task(task: _LoadTask) -> _Collector:
    """Run in a worker: load the task's files or chart into a collector of its own."""
    collector = _Collector(
        root=task.root,
        reader=FileReader(task.root, task.limits, keep_texts=False),
        chart_paths=task.chart_paths,
        helm=task.helm,
    )
    for candidate in task.candidates:
        _load_candidate(collector, candidate, set(task.patches))
    if task.chart is not None:
        from medlint.helm.budget import RenderBudget

        budget = collector.render_budget = RenderBudget.for_run(task.limits)
        budget.deadline = task.run_deadline
        _load_chart(collector, task.chart)
        collector.render_steps = budget.limit - budget.left
        collector.render_budget = None  # the main process keeps the run's budget
    return collector


def _load_in_workers(collector: _Collector, plan: _Plan, workers: Workers, discovery: Discovery) -> None:
    """Load every task in worker processes and take in their parts in the order a serial load would."""
    from medlint.parallel import Stopped

    tasks = plan.file_tasks + plan.chart_tasks
    files = len(plan.file_tasks)
    file_parts: dict[int, _Collector] = {}

    def take_files_early(index: int, part: _Collector) -> None:
        """Once every run of files is in, take them in while the workers still render charts."""
        if index < files:
            file_parts[index] = part
            if len(file_parts) == files:
                _take_files(
                    collector, [file_parts[number] for number in range(files)], plan, workers, discovery
                )

    parts = workers.run(_load_task, tasks, plan.weights, on_answer=take_files_early)
    if len(file_parts) < files:  # a worker stopped on a run of files: that run was retried
        _take_files(collector, parts[:files], plan, workers, discovery)
    if not plan.chart_tasks:
        return
    from medlint.helm.budget import RenderBudget

    limits = collector.reader.limits
    run = collector.render_budget = RenderBudget.for_run(limits)
    run.deadline = plan.run_deadline
    for position, (task, part) in enumerate(zip(plan.chart_tasks, parts[files:])):
        if run.allowance() < limits.max_render_steps_per_chart:
            # The run's step budget may now cut a chart short, as it would in one process: the rest of the
            # charts are loaded here, in order, so the findings stay those of --jobs 1 (rare: the run's
            # budget is ten charts' worth).
            for later in plan.chart_tasks[position:]:
                assert later.chart is not None
                _load_chart(collector, later.chart)
            return
        if isinstance(part, Stopped):
            assert task.chart is not None
            chart_yaml = (
                f"{task.chart.relative}/Chart.yaml" if task.chart.relative not in ("", ".") else "Chart.yaml"
            )
            collector.problems.append(
                ParseProblem(
                    "MD003",
                    Location(chart_yaml),
                    f"{chart_yaml}: the chart could not be rendered: the worker process rendering it stopped "
                    f"({part.reason}); the other artifacts were checked",
                    ArtifactKind.HELM,
                )
            )
        else:
            _absorb(collector, part)
            run.spend(part.render_steps)


def _take_files(
    collector: _Collector, parts: Sequence[Any], plan: _Plan, workers: Workers, discovery: Discovery
) -> None:
    """The runs of files' parts, in order, then the Compose projects and built Dockerfiles made of them, and
    the repository facts of their build contexts (charts add neither Dockerfiles nor Compose projects)."""
    from medlint.parallel import Stopped

    for task, part in zip(plan.file_tasks, parts):
        if isinstance(part, Stopped):
            _retry_files(collector, task, part, workers)
        else:
            _absorb(collector, part)
    _load_compose_projects(collector)  # workers read the Compose files; projects are grouped here
    _load_built_dockerfiles(collector)
    if collector.dockerfiles or collector.compose_projects:
        built = Project(
            dockerfiles=tuple(collector.dockerfiles), compose_projects=tuple(collector.compose_projects)
        )
        collector.context_facts = _context_facts(built, discovery, collector.reader)


def _retry_files(collector: _Collector, task: _LoadTask, stopped: Any, workers: Workers) -> None:
    """A run of files whose worker stopped even alone: each file alone, so only the culprit is lost."""
    from medlint.parallel import Stopped

    singles = [dataclasses.replace(task, candidates=(candidate,)) for candidate in task.candidates]
    parts = workers.run(_load_task, singles) if len(singles) > 1 else [stopped]
    for single, part in zip(singles, parts):
        if isinstance(part, Stopped):
            candidate = single.candidates[0]
            collector.fail(
                candidate.relative,
                candidate.kind or ArtifactKind.KUBERNETES,
                WorkerStopped(f"the worker process reading it stopped ({part.reason})"),
            )
        else:
            _absorb(collector, part)


def _absorb(collector: _Collector, part: _Collector) -> None:
    """Append a worker's part to the collector as if it had been loaded here, after what came before."""
    dropped_files: set[int] = set()
    dropped_problems: set[int] = set()
    if part.once:
        known = {item.path for item in collector.files}
        for file_index, problem_index in part.once:
            if part.files[file_index].path in known:
                dropped_files.add(file_index)
                dropped_problems.add(problem_index)
    collector.files.extend(item for index, item in enumerate(part.files) if index not in dropped_files)
    collector.problems.extend(
        item for index, item in enumerate(part.problems) if index not in dropped_problems
    )
    collector.dockerfiles.extend(part.dockerfiles)
    collector.compose_projects.extend(part.compose_projects)
    collector.k8s_objects.extend(part.k8s_objects)
    collector.workloads.extend(part.workloads)
    collector.charts.extend(part.charts)
    collector.waivers.extend(part.waivers)
    collector.unrecognised.extend(part.unrecognised)
    collector.compose_candidates.extend(part.compose_candidates)
    collector.compose_texts.update(part.compose_texts)
    collector.reader.note_read_elsewhere(part.reader)
