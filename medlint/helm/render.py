"""Rendering a loaded chart with a values set, as ``helm template`` does, in pure Python.

Pipeline (Helm's pkg/action install with ``--dry-run=client``, pkg/engine, pkg/releaseutil):

1. the chart must be installable (not a library chart);
2. dependencies are processed (aliases, conditions, tags, import-values) and user values are
   coalesced over chart defaults, then checked against ``values.schema.json`` files;
3. the root chart's ``kubeVersion`` constraint is checked against ``.Capabilities.KubeVersion``;
4. every template of the chart and its enabled subcharts is parsed into one template set (deepest
   charts first, so the parent's ``define``s win), library charts contributing only their
   ``_*`` files; every non-partial template is executed with its chart's scoped values;
5. ``<no value>`` is removed, ``NOTES.txt`` set aside, each output split into YAML documents, parsed
   for their head (kind, name, hook annotations) and sorted: manifests by kind in install order, then
   hooks (``helm.sh/hook``, including ``test``) by kind.

Errors carry Helm's message (``parse error at (...)``, ``execution error at (...)``, ``YAML parse error
on ...``) and the template they belong to, so the caller can report them at a real file. Every
function a template calls is guarded (:mod:`medlint.helm.guards`), the engine runs with
:data:`LINT_LIMITS`, and all executions of a render draw on one :class:`~medlint.helm.budget.RenderBudget`
of steps and time, so a hostile chart ends in an error, not in a hang or an exhausted memory. A budget that
runs out raises :class:`~medlint.helm.gotemplate.BudgetExceeded` out of :func:`render_chart`: never a
partial result.

Where Helm versions disagree, medlint follows the Helm that produced the reference outputs (Helm 4):
``null`` in a chart's own values.yaml does not show up and does not erase a subchart default.
"""

from __future__ import annotations

import json
import re
import warnings
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from medlint.helm.budget import RenderBudget
from medlint.helm.chart import HelmChart, chart_yaml_line, check_installable
from medlint.helm.functions import (
    ChartFiles,
    FunctionError,
    HelmFailError,
    make_capabilities,
    release_object,
    template_functions,
)
from medlint.helm.functions.semver import SemverError
from medlint.helm.functions.yamljson import go_yaml_resolve, load_yaml_like_helm
from medlint.helm.gotemplate import (
    BudgetExceeded,
    Limits,
    TemplateError,
    TemplateExecError,
    TemplateLimitError,
    TemplateParseError,
    TemplateSet,
    TraceEntry,
)
from medlint.helm.gotemplate.builtins import BUILTINS
from medlint.helm.guards import Guard
from medlint.helm.kube_apis import builtin_api_versions
from medlint.helm.schema_messages import describe_schema_error
from medlint.helm.schema_regex import InvalidPattern, has_pattern_properties, with_re2_patterns
from medlint.helm.sourcemap import (
    InputMap,
    RecordingFiles,
    ValueRead,
    ValueReads,
    prepare_values,
    recording_functions,
)
from medlint.helm.values import ValuesError, coalesce_values, is_compatible_range, process_dependencies
from medlint.limits import DEFAULT_LIMITS
from medlint.limits import Limits as RunLimits
from medlint.model.location import RenderInput
from medlint.redact import without_quoted_text

__all__ = [
    "DEFAULT_KUBE_VERSION",
    "INSTALL_ORDER",
    "LINT_LIMITS",
    "Manifest",
    "RenderBudgetError",
    "RenderError",
    "RenderOptions",
    "RenderResult",
    "RenderedTemplate",
    "engine_limits",
    "format_manifests",
    "render_chart",
    "split_manifests",
]

#: The Kubernetes version ``.Capabilities`` reports when none is given. Helm binaries report the
#: client-go version they were built with (Helm 3.16: v1.31.0); Helm's own test build reports v1.20.0.
DEFAULT_KUBE_VERSION = "v1.31.0"


def engine_limits(limits: RunLimits = DEFAULT_LIMITS) -> Limits:
    """The template engine's limits for untrusted charts: bounded work, output and nesting per template."""
    return Limits(
        max_depth=1000,
        max_steps=limits.max_template_steps,
        max_output=limits.max_template_output_chars,
        max_range_iterations=limits.max_range_iterations,
        max_nesting=100,
    )


#: Engine limits for untrusted charts with medlint's default budgets.
LINT_LIMITS = engine_limits()

#: Helm's releaseutil.InstallOrder.
INSTALL_ORDER: tuple[str, ...] = (
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
)
_INSTALL_RANK = {kind: index for index, kind in enumerate(INSTALL_ORDER)}

#: Hook events Helm knows; a manifest with any other ``helm.sh/hook`` value is dropped, as Helm does.
HOOK_EVENTS = frozenset(
    {
        "pre-install",
        "post-install",
        "pre-delete",
        "post-delete",
        "pre-upgrade",
        "post-upgrade",
        "pre-rollback",
        "post-rollback",
        "test",
        "test-success",
    }
)
HOOK_ANNOTATION = "helm.sh/hook"
_RECURSION_MAX = 1000
#: Evaluation steps one `include` or `tpl` call costs besides the steps of the template it runs (a call
#: costs several times an ordinary step: a nested execution is set up).
TEMPLATE_CALL_STEPS = 8


@dataclass(frozen=True)
class RenderOptions:
    """What ``helm template`` takes from its command line besides values."""

    release_name: str = "release-name"
    namespace: str = "default"
    kube_version: str | None = None
    api_versions: tuple[str, ...] = ()
    is_upgrade: bool = False
    revision: int = 1
    limits: Limits = LINT_LIMITS
    max_total_output: int = DEFAULT_LIMITS.max_render_output_chars
    #: Without ``budget``: seconds for this render alone (checked before every function call and template).
    max_seconds: float = DEFAULT_LIMITS.max_render_seconds_per_chart
    #: Size of one function result (characters, items); see medlint.limits.
    function_chars: int = DEFAULT_LIMITS.max_function_result_chars
    function_items: int = DEFAULT_LIMITS.max_function_result_items
    #: Steps and time shared with other renders (a chart's other values sets, the run); a budget of its
    #: own (max_render_steps_per_chart, max_seconds) when None.
    budget: RenderBudget | None = None
    track_values: bool = False
    validate_schema: bool = True
    #: Helm stops at the first failing template. With keep_going, a failing template (or document) is
    #: recorded in RenderResult.errors and the others are still rendered, so a linter sees all it can.
    keep_going: bool = False


class RenderError(Exception):
    """The chart cannot be rendered. ``message`` is Helm's text; ``template`` the template name, if any."""

    def __init__(
        self,
        message: str,
        template: str | None = None,
        line: int | None = None,
        column: int | None = None,
        source_path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.template = template
        self.line = line
        self.column = column
        self.source_path = source_path
        # For YAML errors in rendered output: the rendered template and where the document starts.
        self.rendered: RenderedTemplate | None = None
        self.document_offset = 0
        self.document_line: int | None = None


class RenderBudgetError(RenderError):
    """A budget of medlint ran out (steps, sizes, time): the render was abandoned as a whole.

    ``budget`` is the :class:`~medlint.helm.gotemplate.BudgetExceeded` that stopped it; the message says
    which budget, its limit and where it ran out.
    """

    def __init__(self, error: BudgetExceeded) -> None:
        detail = f"error calling {error.function}: {error.message}" if error.function else error.message
        if error.template_name and error.line is not None:
            detail = f"at ({error.template_name}:{error.line}:{error.column or 0}): {detail}"
        super().__init__(
            f"{error.summary()} ({detail})",
            error.template_name or None,
            error.line,
            (error.column or 0) + 1 if error.column is not None else None,
            getattr(error, "source_path", None),
        )
        self.budget = error


@dataclass
class RenderedTemplate:
    """The output of one template file, with the trace and values reads needed to map it back."""

    name: str  # Helm's name: <chart full path>/templates/x.yaml
    source_path: str  # repository-relative file (or archive) it came from
    text: str
    trace: list[TraceEntry] = field(default_factory=list)
    reads: list[ValueRead] = field(default_factory=list)
    from_archive: bool = False  # the template is a member of a .tgz: its lines cannot be shown
    #: Inputs besides .Values read while it was written: (trace length at that moment, RenderInput).
    events: list[tuple[int, RenderInput]] = field(default_factory=list)


@dataclass
class Manifest:
    """One YAML document of a rendered template, as Helm sorts and prints it."""

    template: RenderedTemplate
    content: str
    start: int  # offset of content in template.text
    index: int  # position among the template's documents
    kind: str
    name: str
    hook_events: tuple[str, ...] = ()

    @property
    def is_hook(self) -> bool:
        return bool(self.hook_events)


@dataclass
class RenderResult:
    chart: HelmChart  # the processed copy (enabled dependencies only)
    values: dict[str, Any]
    templates: dict[str, RenderedTemplate]
    manifests: list[Manifest]
    notes: str = ""
    warnings: list[str] = field(default_factory=list)
    errors: list[RenderError] = field(default_factory=list)  # with RenderOptions.keep_going only


# --------------------------------------------------------------------------------------------------
# Template objects


class ChartObject:
    """``.Chart``: Helm's chart metadata with Go field names, plus ``IsRoot``."""

    go_type_name = "*chart.Metadata"
    go_kind = "struct"

    def __init__(self, chart: HelmChart) -> None:
        meta = chart.metadata
        self.Name = meta.name
        self.Home = meta.home
        self.Sources = list(meta.sources)
        self.Version = meta.version
        self.Description = meta.description
        self.Keywords = list(meta.keywords)
        self.Maintainers = [_Maintainer(m) for m in meta.maintainers]
        self.Icon = meta.icon
        self.APIVersion = meta.api_version
        self.Condition = meta.condition
        self.Tags = meta.tags
        self.AppVersion = meta.app_version
        self.Deprecated = meta.deprecated
        self.Annotations = dict(meta.annotations)
        self.KubeVersion = meta.kube_version
        self.Dependencies = [_Dependency(req) for req in meta.dependencies]
        self.Type = meta.type
        self.IsRoot = chart.is_root
        self._json: dict[str, Any] = {
            key: value
            for key, value in (
                ("name", meta.name),
                ("home", meta.home),
                ("sources", meta.sources),
                ("version", meta.version),
                ("description", meta.description),
                ("keywords", meta.keywords),
                ("maintainers", [m.go_json() for m in self.Maintainers]),
                ("icon", meta.icon),
                ("apiVersion", meta.api_version),
                ("condition", meta.condition),
                ("tags", meta.tags),
                ("appVersion", meta.app_version),
                ("deprecated", meta.deprecated),
                ("annotations", meta.annotations),
                ("kubeVersion", meta.kube_version),
                ("dependencies", [req.go_json() for req in meta.dependencies]),
                ("type", meta.type),
            )
            if value
        }
        self._json["IsRoot"] = chart.is_root

    def go_json(self) -> dict[str, Any]:
        return dict(self._json)


class _Maintainer:
    go_type_name = "*chart.Maintainer"
    go_kind = "ptr"

    def __init__(self, data: dict[str, str]) -> None:
        self.Name = data.get("name", "")
        self.Email = data.get("email", "")
        self.URL = data.get("url", "")

    def go_json(self) -> dict[str, str]:
        return {k: v for k, v in (("name", self.Name), ("email", self.Email), ("url", self.URL)) if v}


class _Dependency:
    go_type_name = "*chart.Dependency"
    go_kind = "ptr"

    def __init__(self, req: Any) -> None:
        self.Name, self.Version, self.Repository = req.name, req.version, req.repository
        self.Condition, self.Tags, self.Enabled = req.condition, list(req.tags), req.enabled
        self.ImportValues, self.Alias = list(req.import_values), req.alias
        self._json = req.go_json()

    def go_json(self) -> dict[str, Any]:
        return dict(self._json)


# --------------------------------------------------------------------------------------------------
# Rendering


@dataclass
class _Renderable:
    text: str
    scope: dict[str, Any]
    base_path: str
    source_path: str
    from_archive: bool = False


def _sort_templates(names: Sequence[str]) -> list[str]:
    """Helm's sortTemplates: more path segments first; equal depth in reverse lexical order."""
    return sorted(names, key=lambda name: (name.count("/"), name), reverse=True)


def _is_partial(name: str) -> bool:
    return name.rsplit("/", 1)[-1].startswith("_")


def _collect_templates(
    chart: HelmChart, top: dict[str, Any], templates: dict[str, _Renderable]
) -> dict[str, Any]:
    """Helm's recAllTpls: every template with its chart-scoped values (``.Values`` of the subchart)."""
    subcharts: dict[str, Any] = {}
    if chart.is_root:
        values = top["Values"]
    else:
        parent_values = top["Values"]
        section = parent_values.get(chart.name) if isinstance(parent_values, dict) else None
        values = section if isinstance(section, dict) else {}
    scope = {
        "Chart": ChartObject(chart),
        "Files": ChartFiles(chart.files),
        "Release": top["Release"],
        "Capabilities": top["Capabilities"],
        "Values": values,
        "Subcharts": subcharts,
    }
    for dependency in chart.dependencies:
        subcharts[dependency.name] = _collect_templates(dependency, scope, templates)
    prefix = chart.full_path()
    for name, text in chart.templates:
        if chart.is_library and not _is_partial(name):
            continue
        templates[f"{prefix}/{name}"] = _Renderable(
            text, scope, f"{prefix}/templates", chart.source.file_path(name), chart.source.is_archive
        )
    return scope


def _parse_error_message(name: str, error: TemplateError) -> str:
    """Helm's cleanupParseError: ``parse error at (file:line): message``."""
    tokens = str(error).split(": ")
    if len(tokens) == 1:
        return f"parse error in ({name}): {error}"
    return f"parse error at ({tokens[1]}): {tokens[-1]}"


def _fail_message(error: BaseException) -> str | None:
    """The message of a ``fail``/``required`` call somewhere in an exception's cause chain."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, HelmFailError):
            return current.message
        current = current.__cause__ or current.__context__
    return None


def _exec_error_message(name: str, error: TemplateError) -> str:
    """Helm's cleanupExecError: ``execution error at (file:line:col): message`` for fail/required."""
    message = _fail_message(error)
    if message is not None and isinstance(error, TemplateExecError) and error.line is not None:
        return f"execution error at ({error.template_name}:{error.line}:{error.column or 0}): {message}"
    return str(error)


def _schema_errors(chart: HelmChart, values: dict[str, Any], notes: list[str]) -> str:
    """Helm's ValidateAgainstSchema for the chart and its subcharts; '' when valid."""
    report = ""
    if chart.schema is not None:
        problems = _validate_schema(chart, values, notes)
        if problems:
            report += f"{chart.name}:\n" + "".join(f"- {problem}\n" for problem in problems)
    for dependency in chart.dependencies:
        section = values.get(dependency.name)
        report += _schema_errors(dependency, section if isinstance(section, dict) else {}, notes)
    return report


def _json_ready(value: Any) -> Any:
    """Values as the JSON schema validator sees them in Helm (integral floats are integers)."""
    if isinstance(value, dict):
        return {str(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return value


def _validate_schema(chart: HelmChart, values: dict[str, Any], notes: list[str]) -> list[str]:
    try:
        import jsonschema
        from referencing import Registry
        from referencing.exceptions import Unresolvable
    except ImportError:  # pragma: no cover - jsonschema is a dependency
        return []
    assert chart.schema is not None
    try:
        schema = json.loads(chart.schema.decode("utf-8", "replace"))
    except ValueError as error:
        return [f"(root): the values schema is not valid JSON: {error}"]
    if not isinstance(schema, (dict, bool)):
        return []

    def no_network(uri: str) -> Any:
        raise LookupError(f"medlint does not fetch {uri}")

    try:
        with warnings.catch_warnings():  # an unknown "$schema" falls back to the latest draft, quietly
            warnings.simplefilter("ignore", DeprecationWarning)
            validator_class = jsonschema.validators.validator_for(schema)
        # Patterns come from the chart: evaluated by RE2 (Go's regexp, as Helm does), never by Python's re.
        skip_unevaluated = has_pattern_properties(schema) and "unevaluatedProperties" in json.dumps(schema)
        if skip_unevaluated:
            notes.append(f"{chart.name}: unevaluatedProperties not checked beside patternProperties")
        validator_class = with_re2_patterns(validator_class, skip_unevaluated)
        validator = validator_class(schema, registry=Registry(retrieve=no_network))  # type: ignore[call-arg]
        problems = []
        for problem in sorted(
            validator.iter_errors(_json_ready(values)), key=lambda e: list(e.absolute_path)
        ):
            where = ".".join(str(part) for part in problem.absolute_path) or "(root)"
            text = describe_schema_error(
                str(problem.validator), problem.validator_value, problem.instance, problem.message
            )
            problems.append(f"{where}: {text}")
        return problems
    except (
        Unresolvable,
        jsonschema.exceptions.SchemaError,
        LookupError,
        RecursionError,
        InvalidPattern,
    ) as error:
        notes.append(f"{chart.name}: values.schema.json not checked ({type(error).__name__}: {error})")
        return []


HeadParser = Callable[[str, str], tuple[str, str, dict[str, str]]]


def render_chart(
    loaded: HelmChart,
    user_values: dict[str, Any],
    options: RenderOptions = RenderOptions(),
    reads: ValueReads | None = None,
    head_parser: HeadParser | None = None,
) -> RenderResult:
    """Render ``loaded`` with user values (already merged from -f files and --set), as ``helm template``.

    Raises :class:`RenderError` (or :class:`ChartError` for a chart that is not installable) with
    Helm's message, or :class:`RenderBudgetError` when a budget of medlint ran out. With ``reads``, ``.Values`` access is recorded for the source map;
    ``head_parser(document, template)`` may replace the default document head reader (the linter
    parses each document once, with positions, and reads the head from that).
    """
    chart = loaded.fresh_copy()
    notes = list(chart.warnings)
    check_installable(chart)
    try:
        process_dependencies(chart, user_values)
    except ValuesError as error:
        raise RenderError(str(error)) from None
    try:
        kube_version = options.kube_version or DEFAULT_KUBE_VERSION
        capabilities = make_capabilities(
            kube_version, options.api_versions, base_api_versions=builtin_api_versions(kube_version)
        )
    except (SemverError, FunctionError) as error:
        raise RenderError(f'invalid kube version "{options.kube_version}": {error}') from None
    try:
        values = coalesce_values(chart, user_values)
    except ValuesError as error:
        raise RenderError(str(error)) from None
    if options.validate_schema:
        schema_report = _schema_errors(chart, values, notes)
        if schema_report:
            raise RenderError(
                "values don't meet the specifications of the schema(s) in the following chart(s):\n"
                + schema_report.rstrip("\n"),
                source_path=chart.source.file_path("values.schema.json"),
            )
    kube_constraint = chart.metadata.kube_version
    if kube_constraint and not is_compatible_range(kube_constraint, capabilities.KubeVersion.Version):
        raise RenderError(
            f"chart requires kubeVersion: {kube_constraint} which is incompatible with Kubernetes "
            f"{capabilities.KubeVersion.Version}",
            line=chart_yaml_line(chart.chart_yaml, chart.source, "kubeVersion"),
            source_path=chart.source.file_path("Chart.yaml"),
        )
    sections = [tuple(c.full_path().split("/charts/")[1:]) for c in chart.all_charts()]
    prepared = prepare_values(values, sections, reads)
    release: dict[str, Any] = release_object(
        options.release_name, options.namespace, options.is_upgrade, options.revision
    )
    if reads is not None:  # a render for linting: note what each template reads besides .Values
        release = InputMap(release, reads, RenderInput.RELEASE)
    top = {"Capabilities": capabilities, "Release": release, "Values": prepared}
    renderables: dict[str, _Renderable] = {}
    _collect_templates(chart, top, renderables)
    if reads is not None:
        for renderable in renderables.values():
            files = renderable.scope["Files"]
            if not isinstance(files, RecordingFiles):
                renderable.scope["Files"] = RecordingFiles(files, reads)
    errors: list[RenderError] = []
    try:
        templates = _execute(renderables, options, reads, errors)
    except BudgetExceeded as error:
        raise RenderBudgetError(error) from None
    notes_text = ""
    for name in list(templates):
        if name.endswith("NOTES.txt"):
            if name == f"{chart.name}/templates/NOTES.txt":
                notes_text = templates[name].text
            del templates[name]
    manifests = sort_manifests(templates, head_parser or read_head, errors if options.keep_going else None)
    return RenderResult(chart, values, templates, manifests, notes_text, notes, errors)


def parse_chart_templates(chart: HelmChart, options: RenderOptions = RenderOptions()) -> None:
    """Parse every template of a chart and its subcharts (as rendering would); raises RenderError."""
    renderables: dict[str, _Renderable] = {}
    top: dict[str, Any] = {"Capabilities": None, "Release": {}, "Values": {}}
    _collect_templates(chart, top, renderables)
    tset = _template_set(options, {})
    for name in _sort_templates(list(renderables)):
        try:
            tset.parse(name, renderables[name].text)
        except TemplateParseError as error:
            raise RenderError(
                _parse_error_message(name, error), name, error.line, source_path=renderables[name].source_path
            ) from None


def _budget(options: RenderOptions) -> RenderBudget:
    if options.budget is not None:
        return options.budget
    return RenderBudget(DEFAULT_LIMITS.max_render_steps_per_chart, options.max_seconds, "chart")


def _template_set(
    options: RenderOptions, included: dict[str, int], reads: ValueReads | None = None
) -> TemplateSet:
    """The engine with Helm's functions, every call guarded and counted against the render's budget; with
    `reads`, calls of generating and cluster-reading functions are noted as inputs."""
    budget = _budget(options)
    tset = TemplateSet(limits=options.limits, missing_key="zero", meter=budget)
    guard = Guard(options.function_chars, options.function_items, budget, tset.charge)
    functions = _render_functions(guard)
    if reads is not None:
        functions.update(recording_functions(functions, reads))
    tset.add_funcs(functions)
    tset.add_funcs(_engine_functions(tset, included, guard))
    tset.print_guard = guard.check_printed
    return tset


def _render_functions(guard: Guard) -> dict[str, Callable[..., Any]]:
    """Go's builtins, Sprig and Helm's functions, each guarded against oversized results and hangs."""
    functions: dict[str, Callable[..., Any]] = dict(BUILTINS)
    functions.update(template_functions())
    functions["getHostByName"] = lambda name: ""  # Helm without --enable-dns
    return guard.wrap_all(functions)


def _engine_functions(
    tset: TemplateSet, included: dict[str, int], guard: Guard
) -> dict[str, Callable[..., Any]]:
    """``include`` and ``tpl``, closed over a template set (Helm's engine functions), guarded."""

    def include(name: Any, data: Any) -> str:
        template = str(name)
        count = included.get(template, 0)
        if count > _RECURSION_MAX:
            raise FunctionError(
                f"rendering template has a nested reference name: {template}: unable to execute template"
            )
        included[template] = count + 1
        tset.charge(TEMPLATE_CALL_STEPS)
        try:
            return tset.execute(template, data)
        finally:
            included[template] -= 1

    def tpl(text: Any, data: Any) -> str:
        if not isinstance(text, str):
            guard.check_printed(text)
        source = text if isinstance(text, str) else str(text)
        clone = tset.clone()
        clone.add_funcs(_engine_functions(clone, included, guard))
        previous = clone.lookup("gotpl")
        try:
            clone.parse("gotpl", source)
        except TemplateParseError as error:  # the text is a value: never print it (it may hold a secret)
            raise FunctionError(
                f"cannot parse the text given to tpl: {without_quoted_text(str(error))}"
            ) from error
        if previous is not None and clone.lookup("gotpl") is previous:
            # An empty text does not replace the enclosing tpl's template in the set, but Go executes
            # the new (empty) tree: its output is its whitespace, never the enclosing text again.
            return source if not source.strip() else ""
        tset.charge(TEMPLATE_CALL_STEPS + len(source) // 64)  # parsing counts too
        try:
            output = clone.execute("gotpl", data)
        except TemplateLimitError:
            raise
        except TemplateError as error:
            raise FunctionError(f"error during tpl function execution: {error}") from error
        return output.replace("<no value>", "")

    return guard.wrap_all({"include": include, "tpl": tpl})


def _execute(
    renderables: dict[str, _Renderable],
    options: RenderOptions,
    reads: ValueReads | None,
    errors: list[RenderError],
) -> dict[str, RenderedTemplate]:
    """Parse every template into one set, then execute the non-partial ones in Helm's order."""

    def failed(error: RenderError) -> None:
        if not options.keep_going:
            raise error
        errors.append(error)

    budget = _budget(options)
    tset = _template_set(options, {}, reads)
    try:
        return _execute_in(tset, renderables, options, reads, failed, budget)
    finally:
        tset.release()


def _execute_in(
    tset: TemplateSet,
    renderables: dict[str, _Renderable],
    options: RenderOptions,
    reads: ValueReads | None,
    failed: Callable[[RenderError], None],
    budget: RenderBudget,
) -> dict[str, RenderedTemplate]:
    """`_execute` with its template set."""
    order = _sort_templates(list(renderables))
    unparsed: set[str] = set()
    for name in order:
        try:
            tset.parse(name, renderables[name].text)
        except TemplateParseError as error:
            failed(
                RenderError(
                    _parse_error_message(name, error),
                    name,
                    error.line,
                    source_path=renderables[name].source_path,
                )
            )
            unparsed.add(name)
    rendered: dict[str, RenderedTemplate] = {}
    total = 0
    for name in order:
        if _is_partial(name) or name in unparsed:
            continue
        budget.check_time()
        budget.check_steps()
        item = renderables[name]
        # The chart's scope map is shared by its templates and changed in place, as in Helm: a
        # template may replace `$.Values` (`set $ "Values" ...`) for the templates executed after it.
        data = item.scope
        data["Template"] = {"Name": name, "BasePath": item.base_path}
        trace: list[TraceEntry] = []
        if reads is not None:
            reads.begin(name, trace)
        try:
            output = tset.execute(name, data, trace=trace)
        except BudgetExceeded as error:
            where = renderables.get(error.template_name)
            error.source_path = where.source_path if where else item.source_path  # type: ignore[attr-defined]
            raise
        except TemplateError as error:
            # Locate the error in the file Go names (a helper file, for a `template` call), never in tpl text.
            where = renderables.get(error.template_name)
            failed(
                RenderError(
                    _exec_error_message(name, error),
                    name,
                    error.line if where else None,
                    (error.column or 0) + 1 if where and error.column is not None else None,
                    source_path=where.source_path if where else item.source_path,
                )
            )
            continue
        finally:
            if reads is not None:
                reads.end()
        total += len(output)
        if total > options.max_total_output:
            exceeded = BudgetExceeded(
                f"rendered output exceeds {options.max_total_output} characters",
                "characters of rendered output per values set (max_render_output_chars)",
                options.max_total_output,
                name,
            )
            exceeded.source_path = item.source_path  # type: ignore[attr-defined]
            raise exceeded
        text, trace = _without_no_value(output, trace)
        rendered[name] = RenderedTemplate(
            name,
            item.source_path,
            text,
            trace,
            reads.by_template.get(name, []) if reads is not None else [],
            item.from_archive,
            reads.events_by_template.get(name, []) if reads is not None else [],
        )
    return rendered


_NO_VALUE = "<no value>"


def _without_no_value(output: str, trace: list[TraceEntry]) -> tuple[str, list[TraceEntry]]:
    """Helm removes every `<no value>` from the output; the trace's offsets move with the text after each."""
    if _NO_VALUE not in output:
        return output, trace
    removed: list[int] = []  # start offsets (in the output) of the removed pieces
    position = output.find(_NO_VALUE)
    while position >= 0:
        removed.append(position)
        position = output.find(_NO_VALUE, position + len(_NO_VALUE))
    width = len(_NO_VALUE)
    moved = []
    for entry in trace:
        before = bisect_left(removed, entry.offset)  # pieces starting before the entry
        offset = entry.offset - before * width
        if before and entry.offset < removed[before - 1] + width:  # the entry starts inside a piece
            offset = removed[before - 1] - (before - 1) * width
        moved.append(entry._replace(offset=offset))
    return output.replace(_NO_VALUE, ""), moved


# --------------------------------------------------------------------------------------------------
# Manifests (pkg/releaseutil)

_SEPARATOR = re.compile(r"(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*")
_GO_SPACE = (
    " \t\n\r\v\f\u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


def split_manifests(text: str) -> list[tuple[int, str]]:
    """Helm's SplitManifests: (offset in ``text``, trimmed document) for each non-empty document."""
    leading = len(text) - len(text.lstrip(_GO_SPACE))
    body = text.strip(_GO_SPACE)
    documents: list[tuple[int, str]] = []
    position = 0
    pieces: list[tuple[int, int]] = []
    for match in _SEPARATOR.finditer(body):
        pieces.append((position, match.start()))
        position = match.end()
    pieces.append((position, len(body)))
    for start, end in pieces:
        raw = body[start:end]
        if raw == "":
            continue
        document = raw.strip(_GO_SPACE)
        offset = leading + start + (len(raw) - len(raw.lstrip(_GO_SPACE)))
        documents.append((offset, document))
    return documents


_Composer = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _scalar(node: yaml.Node) -> Any:
    """The Go value of a scalar node as sigs.k8s.io/yaml reads it (plain scalars resolved like go-yaml v2)."""
    if (
        getattr(node, "style", None) is None
        and node.tag.startswith("tag:yaml.org,2002:")
        and not node.tag.endswith(":str")
    ):
        return go_yaml_resolve(node.value)
    return node.value


def _json_kind_of(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "object"
    if isinstance(node, yaml.SequenceNode):
        return "array"
    value = _scalar(node)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "string"


def _mapping_get(node: yaml.Node, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    found = None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and str(_scalar(key_node)) == key:
            found = value_node  # the last one wins, as in JSON decoding
    return found


def read_head(document: str, name: str) -> tuple[str, str, dict[str, str]]:
    """Helm's SimpleHead: kind, metadata.name and annotations; raises RenderError as Helm words it.

    The document is composed (parsed without building values) for speed; only a syntax error is read
    again the way Helm reads it, to quote go-yaml's message.
    """
    try:
        root = yaml.compose(document, Loader=_Composer)
    except yaml.YAMLError:
        try:
            load_yaml_like_helm(document)
        except FunctionError as error:
            raise RenderError(f"YAML parse error on {name}: {error}", name) from None
        raise RenderError(f"YAML parse error on {name}: error converting YAML to JSON", name) from None
    if root is None or (isinstance(root, yaml.ScalarNode) and _scalar(root) is None):
        return "", "", {}
    if not isinstance(root, yaml.MappingNode):
        raise RenderError(
            f"YAML parse error on {name}: error unmarshaling JSON: while decoding JSON: json: "
            f"cannot unmarshal {_json_kind_of(root)} into Go value of type releaseutil.SimpleHead",
            name,
        )

    def string_field(node: yaml.Node | None, field_name: str) -> str:
        if node is None:
            return ""
        kind = _json_kind_of(node)
        if kind == "null":
            return ""
        if kind != "string":
            raise RenderError(
                f"YAML parse error on {name}: error unmarshaling JSON: while decoding JSON: json: "
                f"cannot unmarshal {kind} into Go struct field {field_name} of type string",
                name,
            )
        return str(_scalar(node))

    kind = string_field(_mapping_get(root, "kind"), "SimpleHead.kind")
    string_field(_mapping_get(root, "apiVersion"), "SimpleHead.apiVersion")
    metadata = _mapping_get(root, "metadata")
    object_name, annotations = "", {}
    if isinstance(metadata, yaml.MappingNode):
        object_name = string_field(_mapping_get(metadata, "name"), "SimpleHead.metadata.name")
        raw = _mapping_get(metadata, "annotations")
        if isinstance(raw, yaml.MappingNode):
            for key_node, value_node in raw.value:
                annotations[str(_scalar(key_node))] = string_field(
                    value_node, "SimpleHead.metadata.annotations"
                )
    return kind, object_name, annotations


def head_from_value(data: Any, name: str) -> tuple[str, str, dict[str, str]]:
    """SimpleHead from an already parsed document (mappings, lists, scalars), with Helm's type errors."""
    if data is None:
        return "", "", {}

    def kind_of(value: Any) -> str:
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "bool"
        if isinstance(value, (int, float)):
            return "number"
        if isinstance(value, str):
            return "string"
        return "array" if isinstance(value, list) else "object"

    if not isinstance(data, dict):
        raise RenderError(
            f"YAML parse error on {name}: error unmarshaling JSON: while decoding JSON: json: "
            f"cannot unmarshal {kind_of(data)} into Go value of type releaseutil.SimpleHead",
            name,
        )

    def string_field(value: Any, field_name: str) -> str:
        kind = kind_of(value)
        if kind == "null":
            return ""
        if kind != "string":
            raise RenderError(
                f"YAML parse error on {name}: error unmarshaling JSON: while decoding JSON: json: "
                f"cannot unmarshal {kind} into Go struct field {field_name} of type string",
                name,
            )
        return str(value)

    kind = string_field(data.get("kind"), "SimpleHead.kind")
    string_field(data.get("apiVersion"), "SimpleHead.apiVersion")
    metadata = data.get("metadata")
    object_name, annotations = "", {}
    if isinstance(metadata, dict):
        object_name = string_field(metadata.get("name"), "SimpleHead.metadata.name")
        raw = metadata.get("annotations")
        if isinstance(raw, dict):
            annotations = {
                (("true" if k else "false") if isinstance(k, bool) else str(k)): string_field(
                    v, "SimpleHead.metadata.annotations"
                )
                for k, v in raw.items()
            }
    return kind, object_name, annotations


def _kind_key(kind: str) -> tuple[int, str]:
    rank = _INSTALL_RANK.get(kind)
    return (rank, "") if rank is not None else (len(_INSTALL_RANK), kind)


def sort_manifests(
    templates: dict[str, RenderedTemplate],
    head_parser: HeadParser | None = None,
    errors: list[RenderError] | None = None,
) -> list[Manifest]:
    """Helm's SortManifests: documents of every file (in path order), manifests then hooks, by kind.

    A document whose head cannot be read raises RenderError, or, when ``errors`` is given, is
    recorded there and left out.
    """
    generic: list[Manifest] = []
    hooks: list[Manifest] = []
    for name in sorted(templates):
        if _is_partial(name):
            continue
        template = templates[name]
        if not template.text.strip(_GO_SPACE):
            continue
        for index, (offset, content) in enumerate(split_manifests(template.text)):
            try:
                kind, object_name, annotations = (head_parser or read_head)(content, name)
            except RenderError as error:
                error.source_path = template.source_path
                error.rendered = template
                error.document_offset = offset
                found = re.search(r"yaml: line (\d+):", error.message)
                # go-yaml may name the line after the last one (where it gave up): stay in the document.
                error.document_line = min(int(found.group(1)), content.count("\n") + 1) if found else 1
                if errors is None:
                    raise
                errors.append(error)
                continue
            hook = annotations.get(HOOK_ANNOTATION)
            if hook is None:
                generic.append(Manifest(template, content, offset, index, kind, object_name))
                continue
            events = tuple(event.strip().lower() for event in hook.split(","))
            if any(event not in HOOK_EVENTS for event in events):
                continue  # Helm: "skipping unknown hook"
            hooks.append(Manifest(template, content, offset, index, kind, object_name, events))
    generic.sort(key=lambda manifest: _kind_key(manifest.kind))
    hooks.sort(key=lambda manifest: _kind_key(manifest.kind))
    return generic + hooks


def format_manifests(manifests: Sequence[Manifest]) -> str:
    """The text ``helm template`` prints: each document under ``---`` and ``# Source:``."""
    body = "".join(f"---\n# Source: {m.template.name}\n{m.content}\n" for m in manifests if not m.is_hook)
    out = body.strip(_GO_SPACE) + "\n"
    for manifest in manifests:
        if manifest.is_hook:
            out += f"---\n# Source: {manifest.template.name}\n{manifest.content}\n"
    return out
