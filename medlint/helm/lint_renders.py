"""Rendering a chart for linting: Kubernetes objects at template lines, and MD003 problems.

:func:`render_chart_for_lint` is what the loader calls for each chart directory. It renders the chart
once per *values set* (by default the chart's ``values.yaml``, and each ``values-*.yaml`` beside it
applied on top, as ``helm template -f values-prod.yaml`` would), parses every rendered document into
:class:`~medlint.model.K8sObject` objects whose positions are lines of the template files (never of
rendered text), and reports everything Helm would refuse as an MD003 :class:`~medlint.model.ParseProblem`
at the file responsible: ``Chart.yaml`` for an invalid chart or a missing dependency, the values file for
a values error, the template line for a template error.

Objects carry their values set in their subject (``Deployment/web [values-prod.yaml]``), so a finding
says which render produced it, and their positions carry a HelmOrigin with the values keys behind each line,
which :func:`medlint.helm.sourcemap.explain_findings` adds to findings as related locations.

All renders of a chart draw on one :class:`~medlint.helm.budget.RenderBudget` (steps and time across its
values sets), itself drawing on the run's. When any budget runs out, the chart's objects and problems are
dropped and the whole chart becomes one MD003 naming the budget and its limit: a partial render would make
the findings depend on where the budget happened to run out.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medlint.helm.budget import RenderBudget
from medlint.helm.chart import (
    ChartError,
    HelmChart,
    LoadLimits,
    MissingDependency,
    display_path,
    load_chart,
    resolve_dependencies,
)
from medlint.helm.chart_files import ReadObserver
from medlint.helm.gotemplate import BudgetExceeded
from medlint.helm.render import (
    Manifest,
    RenderBudgetError,
    RenderedTemplate,
    RenderError,
    RenderOptions,
    RenderResult,
    engine_limits,
    head_from_value,
    parse_chart_templates,
    read_head,
    render_chart,
)
from medlint.helm.sourcemap import (
    LineExplainer,
    RenderSourceMap,
    TemplatePositions,
    TemplateRecord,
    ValueReads,
    ValuesSource,
    remap_tree,
    template_line_map,
)
from medlint.helm.values import (
    ValuesError,
    apply_set_values,
    coalesce_values,
    load_values_text,
    merge_maps,
    path_value,
)
from medlint.limits import DEFAULT_LIMITS, Limits
from medlint.model import ArtifactKind, K8sObject, NamespaceSource, ParseProblem
from medlint.model.location import HelmOrigin, RenderInput
from medlint.parsers.kubernetes import expand_lists, object_from_document
from medlint.reader import ReadRefused, read_bytes
from medlint.source import Location, SourceError, YamlMap, load_yaml_documents

__all__ = [
    "K8sObject",
    "ValuesSet",
    "default_values_sets",
    "load_for_render",
    "render_chart_for_lint",
    "user_values",
]

RULE_ID = "MD003"
#: The namespace `helm template` renders `.Release.Namespace` as when it is given none.
DEFAULT_RELEASE_NAMESPACE = "default"


@dataclass(frozen=True)
class ValuesSet:
    """One way the chart is rendered: ``-f`` files applied in order over the chart defaults, then ``--set``."""

    name: str
    files: tuple[Path, ...] = ()
    set_values: tuple[str, ...] = ()
    set_string_values: tuple[str, ...] = ()


def default_values_sets(chart_dir: Path) -> list[ValuesSet]:
    """The chart's defaults (``values.yaml``), then each ``values-*.yaml``/``.yml`` beside it on top.

    A values file that is not a regular file inside the chart (a link out of it, a pipe) is no values set;
    the loader reports it (MD001) when it reads the chart's values files.
    """
    sets = [ValuesSet("values.yaml")]
    chart_real = os.path.realpath(chart_dir)
    for path in sorted(chart_dir.glob("values-*")):
        if path.suffix in (".yaml", ".yml") and path.is_file():
            real = os.path.realpath(path)
            if real.startswith(chart_real.rstrip(os.sep) + os.sep):
                sets.append(ValuesSet(path.name, (path,)))
    return sets


def _read_values_text(
    path: Path, within: Path | None = None, on_read: ReadObserver | None = None, shown: str = ""
) -> str:
    """A values file's text through the bounded reader (regular files only; inside `within` when given);
    `on_read` is told the bytes read, under the path `shown`."""
    data = read_bytes(path, within=within, max_bytes=DEFAULT_LIMITS.max_file_bytes, within_name="the chart")
    if on_read is not None:
        on_read(shown or str(path), data)
    return data.decode("utf-8", errors="replace")


def load_for_render(
    chart_dir: Path,
    root: Path,
    chart_paths: Sequence[Path] = (),
    limits: LoadLimits | None = None,
    on_read: ReadObserver | None = None,
) -> tuple[HelmChart, list[MissingDependency]]:
    """Load a chart and the not-vendored dependencies found in ``chart_paths``; raises ChartError.
    `on_read` is told each of the chart's own files read (path and bytes)."""
    limits = limits or LoadLimits.from_limits(DEFAULT_LIMITS)
    chart = load_chart(chart_dir, display_path(chart_dir, root), limits, on_read)
    missing = resolve_dependencies(chart, [Path(p) for p in chart_paths], root, limits)
    return chart, missing


def user_values(values_set: ValuesSet, root: Path, on_read: ReadObserver | None = None) -> dict[str, Any]:
    """Helm's ``MergeValues``: -f files merged in order, then each --set; raises ValuesError naming the file.
    `on_read` is told each file read (its path as shown and its bytes)."""
    merged: dict[str, Any] = {}
    for path in values_set.files:
        try:
            text = _read_values_text(path, on_read=on_read, shown=display_path(path, root))
        except ReadRefused as error:
            raise ValuesError(f"cannot read {display_path(path, root)}: {error.message}") from None
        except OSError as error:
            raise ValuesError(f"cannot read {display_path(path, root)}: {error.strerror or error}") from None
        try:
            merged = merge_maps(merged, load_values_text(text))
        except ValuesError as error:
            raise ValuesError(f"failed to parse {display_path(path, root)}: {error}") from None
    return apply_set_values(merged, values_set.set_values, values_set.set_string_values)


# --------------------------------------------------------------------------------------------------
# Missing dependencies


def _enabled(requirement: MissingDependency, values: dict[str, Any]) -> bool:
    """Whether Helm's tags and conditions would enable a dependency, given coalesced values."""
    enabled = True
    tags = values.get("tags")
    if isinstance(tags, dict) and requirement.tags:
        flags = [tags[tag] for tag in requirement.tags if isinstance(tags.get(tag), bool)]
        if flags and not any(flags):
            enabled = False
    for condition in requirement.condition.strip().split(","):
        if not condition:
            continue
        try:
            value = path_value(values, condition)
        except KeyError:
            continue
        if isinstance(value, bool):
            return value
    return enabled


def _owner_prefix(chart: HelmChart, missing: MissingDependency) -> tuple[str, ...] | None:
    """The values path of the chart that declares a missing dependency (None when it is not rendered)."""
    for candidate in chart.all_charts():
        if candidate.source.file_path("Chart.yaml") == missing.chart_yaml:
            return tuple(candidate.full_path().split("/charts/")[1:])
    return None


# --------------------------------------------------------------------------------------------------
# Objects from manifests


def _values_sources(
    result: RenderResult, values_set: ValuesSet, root: Path, cache: dict[str, Any]
) -> list[ValuesSource]:
    """Values files behind a render, highest precedence first, parsed with positions."""

    def tree(path: Path | None, display: str, within: Path | None = None) -> Any:
        if display in cache:
            return cache[display]
        parsed = None
        if path is not None and path.is_file():
            try:
                documents = load_yaml_documents(_read_values_text(path, within))
                parsed = documents[0].value if documents and isinstance(documents[0].value, YamlMap) else None
            except (SourceError, OSError):
                parsed = None
        cache[display] = parsed
        return parsed

    sources = [
        ValuesSource(display_path(p, root), (), tree(p, display_path(p, root)))
        for p in reversed(values_set.files)
    ]
    for chart in result.chart.all_charts():
        directory = chart.source.directory
        if directory is None or chart.source.is_archive:
            continue
        prefix = tuple(chart.full_path().split("/charts/")[1:])
        display = chart.source.file_path("values.yaml")
        sources.append(ValuesSource(display, prefix, tree(directory / "values.yaml", display, directory)))
    return sources


class _Documents:
    """Parses each rendered document once, with positions: Helm's head is read from the same parse."""

    def __init__(self) -> None:
        self.parsed: dict[tuple[str, str], list[Any]] = {}

    def head(self, content: str, template: str) -> tuple[str, str, dict[str, str]]:
        try:
            documents = load_yaml_documents(content)
        except SourceError as error:
            read_head(content, template)  # raises Helm's own message when Helm would fail too
            self.parsed.setdefault((template, content), []).append(error)  # stricter than Helm: MD003 later
            return read_head(content, template)
        value = documents[0].value if documents else None
        self.parsed.setdefault((template, content), []).append(value)
        return head_from_value(value, template)

    def take(self, template: str, content: str) -> Any:
        queue = self.parsed.get((template, content))
        return queue.pop(0) if queue else None


class _ObjectBuilder:
    """Builds rendered objects for one render, caching each template's line map."""

    def __init__(
        self,
        source_map: RenderSourceMap,
        chart_display: str,
        documents: _Documents,
        release_namespace: str | None = None,
    ) -> None:
        self.source_map = source_map
        self.explainer = LineExplainer(source_map, chart_display)
        self.chart_display = chart_display
        self.documents = documents
        self.positions: dict[str, TemplatePositions] = {}
        #: The release namespace the run was given (None: none given, the render used Helm's `default`).
        self.release_namespace = release_namespace

    def template_positions(self, template: RenderedTemplate) -> TemplatePositions:
        positions = self.positions.get(template.name)
        if positions is None:
            positions = TemplatePositions(
                template.text,
                template.trace,
                template.name,
                template.reads,
                template.events,
                template.from_archive,
            )
            self.positions[template.name] = positions
            self.source_map.templates[template.name] = TemplateRecord(
                template.name, template.text, template.trace, template.reads
            )
        return positions

    def objects(self, manifest: Manifest, problems: list[ParseProblem]) -> list[K8sObject]:
        template = manifest.template
        positions = self.template_positions(template)
        lines = positions.lines
        base = template.text.count("\n", 0, manifest.start)
        body = self.documents.take(template.name, manifest.content)
        if isinstance(body, SourceError) or (body is not None and not isinstance(body, YamlMap)):
            detail = body.message if isinstance(body, SourceError) else "the document is not a mapping"
            line_in_document = body.line if isinstance(body, SourceError) else 1
            line = lines[min(base + line_in_document - 1, len(lines) - 1)] if lines else 1
            problems.append(
                ParseProblem(
                    RULE_ID,
                    Location(template.source_path, line),
                    f"{template.name}: rendered document {manifest.index + 1} is not a valid "
                    f"Kubernetes manifest ({self.source_map.values_set}): {detail}",
                    ArtifactKind.HELM,
                )
            )
            return []
        if body is None:
            return []

        def origin(
            output_line: int, template_line: int, expression: bool, inputs: frozenset[RenderInput]
        ) -> HelmOrigin:
            return self.explainer.origin(
                template.name, template.source_path, output_line, template_line, expression, inputs
            )

        remap_tree(body, positions, manifest.start, origin)
        return [
            self.in_namespace(
                object_from_document(
                    template.source_path, item, index, self.chart_display, self.source_map.values_set
                )
            )
            for index, item in expand_lists(body, manifest.index)
        ]

    def in_namespace(self, obj: K8sObject) -> K8sObject:
        """The object with the namespace it lands in and where that comes from.

        Helm installs an object written without a namespace, or with the release namespace
        (`.Release.Namespace`, directly or through a helper or variable), into the release namespace: that
        namespace is the one the run was given, or unknown (None), never the `default` the render used.
        A namespace written literally in a template stays as written; one computed from values or other
        data stays as computed.
        """
        release = self.release_namespace
        node = obj.document.at("metadata", "namespace")
        origin = node.location.helm if node.present else None
        if not obj.namespace:
            source = NamespaceSource.RELEASE
        elif origin is None or origin.literal:
            return dataclasses.replace(obj, namespace_source=NamespaceSource.WRITTEN)
        elif obj.namespace == (release or DEFAULT_RELEASE_NAMESPACE) and (
            RenderInput.RELEASE in origin.inputs or RenderInput.DATA in origin.inputs
        ):
            source = NamespaceSource.RELEASE
        else:
            return dataclasses.replace(obj, namespace_source=NamespaceSource.COMPUTED)
        return dataclasses.replace(obj, namespace=release, namespace_source=source)


# --------------------------------------------------------------------------------------------------
# Problems


def _problem(path: str, line: int | None, message: str, column: int | None = None) -> ParseProblem:
    return ParseProblem(RULE_ID, Location(path, line or 1, column or 1), message, ArtifactKind.HELM)


def _render_problem(
    error: RenderError, result_chart: HelmChart, values_set: ValuesSet, missing: Sequence[str] = ()
) -> ParseProblem:
    path = error.source_path or result_chart.source.file_path("Chart.yaml")
    line = error.line
    rendered = getattr(error, "rendered", None)
    if rendered is not None and error.document_line is not None:
        lines = template_line_map(rendered.text, rendered.trace, rendered.name)
        index = rendered.text.count("\n", 0, error.document_offset) + error.document_line - 1
        line = lines[min(max(index, 0), len(lines) - 1)] if lines else 1
    message = f"chart {result_chart.name} cannot be rendered with {values_set.name}: {error.message}"
    if error.message.startswith("YAML parse error"):
        message += " (run `medlint render` to see the rendered output)"
    if missing:
        message += (
            f" (the chart's dependencies {', '.join(missing)} are not vendored: their values and "
            "templates are missing, which may be the cause)"
        )
    return _problem(path, line, message, error.column)


def _library_problems(chart: HelmChart) -> list[ParseProblem]:
    """A library chart is never rendered on its own; its templates must still parse."""
    try:
        parse_chart_templates(chart)
    except RenderError as error:
        return [
            _problem(
                error.source_path or chart.source.file_path("Chart.yaml"),
                error.line,
                f"library chart {chart.name}: {error.message}",
            )
        ]
    return []


def _budget_problem(error: BudgetExceeded, chart: HelmChart, values_set: ValuesSet) -> ParseProblem:
    """The one MD003 of a chart whose render ran out of budget: which budget, its limit, where."""
    chart_yaml = chart.source.file_path("Chart.yaml")
    timed = error.what.startswith("seconds")
    where = ""
    if error.template_name and not timed:
        function = f" in {error.function}" if error.function else ""
        where = f"; reached at {error.template_name}:{error.line or 1}{function} with {values_set.name}"
    message = (
        f"chart {chart.name} was not linted: {error.summary()}{where}. medlint renders untrusted charts "
        "within budgets and reports no partial result; if the chart is trusted and this large, raise the "
        "limit under `limits:` in the configuration"
    )
    path = getattr(error, "source_path", None)
    if timed or not path or error.line is None:
        return _problem(chart_yaml, 1, message)
    return _problem(path, error.line, message, (error.column or 0) + 1)


def render_chart_for_lint(
    chart_dir: Path,
    root: Path,
    chart_paths: Iterable[Path] = (),
    values_sets: Sequence[ValuesSet] | None = None,
    kube_version: str | None = None,
    api_versions: Sequence[str] = (),
    sources: dict[tuple[str, str], RenderSourceMap] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    budget: RenderBudget | None = None,
    namespace: str | None = None,
    on_read: ReadObserver | None = None,
) -> tuple[list[K8sObject], list[ParseProblem]]:
    """Render a chart directory for linting, once per values set (`on_read`: see `load_for_render`).

    `namespace` is the release namespace (`helm template --namespace`); without it the templates see Helm's
    `default`, but objects in the release namespace carry no namespace (K8sObject.namespace None, source
    NamespaceSource.RELEASE): where they land is not known.

    With `sources`, each render's source map (rendered output, trace, values reads and values files) is kept
    there under (chart directory, values set): `medlint fix` edits values files through it. Otherwise it is
    dropped after the render, once each rendered line has its HelmOrigin.

    Returns the rendered objects (``rendered_from`` = the chart directory, ``path`` = the template's
    repository-relative path, positions = template lines, subject suffixed with the values set) and
    MD003 problems. Never raises for a bad chart: every failure is a problem at the file responsible.
    ``budget`` is the run's render budget (a budget of its own when None); the chart gets one inside it.
    A chart that runs out of any budget gives no objects and one MD003.
    """
    chart_paths = [Path(p) for p in chart_paths]
    display = display_path(chart_dir, root)
    chart_budget = (budget or RenderBudget.for_run(limits)).for_chart(limits)
    try:
        chart, missing = load_for_render(
            chart_dir, root, chart_paths, LoadLimits.from_limits(limits), on_read
        )
    except ChartError as error:
        return [], [
            _problem(
                error.path or f"{display}/Chart.yaml",
                error.line,
                f"chart {display} cannot be loaded: {error.message}",
            )
        ]
    if chart.is_library:
        return [], _library_problems(chart)
    sets = list(values_sets) if values_sets is not None else default_values_sets(chart_dir)
    options = RenderOptions(
        namespace=namespace or DEFAULT_RELEASE_NAMESPACE,
        kube_version=kube_version,
        api_versions=tuple(api_versions),
        track_values=True,
        keep_going=True,
        limits=engine_limits(limits),
        max_total_output=limits.max_render_output_chars,
        function_chars=limits.max_function_result_chars,
        function_items=limits.max_function_result_items,
        budget=chart_budget,
    )
    current_set = [sets[0] if sets else ValuesSet("values.yaml")]  # the values set being rendered last
    kept: dict[tuple[str, str], RenderSourceMap] = {}  # handed to `sources` only when the chart is done
    try:
        result = _render_sets(
            chart, display, root, sets, missing, options, chart_budget, current_set, kept, namespace, on_read
        )
    except BudgetExceeded as error:
        return [], [_budget_problem(error, chart, current_set[-1])]
    except RenderBudgetError as error:
        return [], [_budget_problem(error.budget, chart, current_set[-1])]
    if sources is not None:
        sources.update(kept)
    return result


def _render_sets(
    chart: HelmChart,
    display: str,
    root: Path,
    sets: Sequence[ValuesSet],
    missing: Sequence[MissingDependency],
    options: RenderOptions,
    budget: RenderBudget,
    current_set: list[ValuesSet],
    sources: dict[tuple[str, str], RenderSourceMap],
    namespace: str | None = None,
    on_read: ReadObserver | None = None,
) -> tuple[list[K8sObject], list[ParseProblem]]:
    """The renders of :func:`render_chart_for_lint`, one per values set, each source map kept in `sources`;
    BudgetExceeded passes through."""
    objects: list[K8sObject] = []
    problems: list[ParseProblem] = []
    reported_missing: dict[MissingDependency, list[str]] = {}
    tree_cache: dict[str, Any] = {}
    for values_set in sets:
        current_set.append(values_set)
        budget.check_time()
        budget.check_steps()
        try:
            values = user_values(values_set, root, on_read)
        except ValuesError as error:
            path = next(
                (
                    display_path(file, root)
                    for file in values_set.files
                    if f"failed to parse {display_path(file, root)}:" in str(error)
                ),
                f"{display}/values.yaml",
            )
            found = re.search(r"yaml: line (\d+):", str(error))
            problems.append(
                _problem(
                    path,
                    int(found.group(1)) if found else 1,
                    f"chart {chart.name} cannot be rendered with {values_set.name}: {error}",
                )
            )
            continue
        missing_here: list[str] = []
        if missing:
            try:
                coalesced = coalesce_values(chart, values)
            except ValuesError:
                coalesced = values
            for dependency in missing:
                prefix = _owner_prefix(chart, dependency)
                scope: Any = coalesced
                for part in prefix or ():
                    scope = scope.get(part, {}) if isinstance(scope, dict) else {}
                if prefix is not None and _enabled(dependency, scope if isinstance(scope, dict) else {}):
                    reported_missing.setdefault(dependency, []).append(values_set.name)
                    missing_here.append(dependency.name)
        reads = ValueReads()
        documents = _Documents()
        try:
            result = render_chart(chart, values, options, reads, documents.head)
        except ChartError as error:
            problems.append(
                _problem(
                    error.path or f"{display}/Chart.yaml",
                    error.line,
                    f"chart {chart.name} cannot be rendered: {error.message}",
                )
            )
            break  # a chart that is not installable fails the same way for every values set
        except RenderBudgetError:
            raise
        except RenderError as error:
            problems.append(_render_problem(error, chart, values_set, missing_here))
            continue
        problems.extend(_render_problem(error, chart, values_set, missing_here) for error in result.errors)
        source_map = RenderSourceMap(values_set.name, _values_sources(result, values_set, root, tree_cache))
        builder = _ObjectBuilder(source_map, display, documents, namespace)
        for manifest in result.manifests:
            objects.extend(builder.objects(manifest, problems))
        sources[(display, values_set.name)] = source_map
    for dependency, set_names in reported_missing.items():
        problems.append(
            _problem(
                dependency.chart_yaml,
                dependency.line,
                f'{dependency.message()}; the objects of "{dependency.name}" are not linted '
                f"(values sets: {', '.join(set_names)})",
            )
        )
    return objects, problems
