"""Helm: a fix for a rendered object is made in the values file the rendered setting comes from.

Templates are never edited. The Kubernetes planner runs on the rendered output (located through the
finding's `helm_origin`, the rendered line behind the template line); each YAML change it proposes is then
traced back to `.Values`:

* a key to add to a rendered mapping: the mapping must be the output of one values map, i.e. a map read
  while that part of the output was written whose content equals the rendered mapping (as
  `toYaml .Values.securityContext` writes it); the key is added to that map in its values file;
* a rendered scalar to replace: the values key read for that line (`{{ .Values.image.pullPolicy }}`);
* an item to append to a rendered list: the values list rendered there.

When no values key renders the place, the fix is reported as manual: only the template could change it.
"""

from __future__ import annotations

from typing import Any

from medlint.findings import Finding
from medlint.fix.plans import Manual, PlanContext, PlannedFix, Proposal, Site
from medlint.fix.yaml_edit import YamlChange, resolve_change
from medlint.fix.yamldoc import Node, YamlEditError, YamlPath

TEMPLATE_ONLY = "only the chart's template writes this setting; templates are never edited, change it by hand"


def helm_origin(finding: Finding) -> Any:
    return getattr(finding.location.line, "helm_origin", None)


def helm_site(finding: Finding, ctx: PlanContext) -> tuple[Site, Any, Any] | Manual:
    """The rendered output around a finding on a chart, its template record and origin."""
    origin = helm_origin(finding)
    record = origin.source_map.templates.get(origin.template) if origin is not None else None
    if record is None:
        return Manual("the rendered output behind this finding is not available")
    yfile = ctx.rendered(record)
    if yfile is None:
        return Manual("the rendered output does not parse")
    path = yfile.locate(origin.output_line + 1, finding.location.column)
    if path is None:
        return Manual("the finding's position is not found in the rendered output")
    return Site(yfile, path), record, origin


def to_values(
    finding: Finding, proposal: Proposal, site: Site, record: Any, origin: Any
) -> list[PlannedFix] | Manual:
    """The proposal's changes as changes to values files (one PlannedFix per values file)."""
    by_file: dict[str, list[YamlChange]] = {}
    for change in proposal.changes:
        try:
            action = resolve_change(site.yfile, change)
        except YamlEditError as error:
            return Manual(str(error))
        if action is None:
            continue
        if action.kind in ("insert", "fill"):
            mapping_path = action.path if action.kind == "insert" else action.path[:-1]
            mapping = action.node if action.kind == "insert" else action.parent
            assert mapping is not None
            values_path = _values_behind_collection(site, record, mapping, mapping_path)
            keys = change.keys[action.depth :]
        elif action.kind == "append":
            values_path = _values_behind_collection(site, record, action.node, action.path)
            if values_path is None or not values_path:
                return Manual(TEMPLATE_ONLY)
            values_path, keys = values_path[:-1], (values_path[-1],)
        else:
            values_path = _values_behind_scalar(record, action.node, change.value)
            if values_path is None or not values_path:
                return Manual(TEMPLATE_ONLY)
            values_path, keys = values_path[:-1], (values_path[-1],)
        if values_path is None:
            return Manual(TEMPLATE_ONLY)
        located = _values_file_path(origin, values_path)
        if located is None:
            return Manual(TEMPLATE_ONLY)
        file, path_in_file = located
        if any(not isinstance(key, str) for key in keys):
            return Manual(TEMPLATE_ONLY)
        by_file.setdefault(file, []).append(
            YamlChange(
                path_in_file, tuple(str(key) for key in keys), change.value, change.append, change.replace
            )
        )
    if not by_file:
        return Manual("the rendered output already has this setting")
    return [
        PlannedFix(finding, proposal.applicability, proposal.description, file, tuple(changes))
        for file, changes in by_file.items()
    ]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in dict.items(value)}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _stringify_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _stringify_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_stringify_keys(item) for item in value]
    return value


def _values_behind_collection(site: Site, record: Any, node: Node, path: YamlPath) -> tuple[Any, ...] | None:
    """The values path whose map (or list) the template rendered as this collection, if exactly one."""
    rendered = _stringify_keys(site.data(path))
    key = site.yfile.key_node(path) if len(path) > 1 and isinstance(path[-1], str) else None
    first_line = key.line if key is not None else node.line
    window_start = sum(len(line) for line in site.yfile.lines[:first_line])
    window_end = node.end
    equal: list[tuple[Any, ...]] = []
    subset: list[tuple[Any, ...]] = []
    trace = record.trace
    for read in record.reads:
        if not isinstance(read.value, (dict, list)):
            continue
        offset = trace[read.trace_index].offset if read.trace_index < len(trace) else len(record.output)
        if not window_start <= offset <= window_end:
            continue
        value = _plain(read.value)
        if value == rendered:
            equal.append(tuple(read.path))
        elif (
            isinstance(value, dict)
            and isinstance(rendered, dict)
            and rendered  # an empty rendering is a subset of anything: only an equal map counts then
            and all(k in value and value[k] == v for k, v in rendered.items())
        ):
            subset.append(tuple(read.path))
    for candidates in (equal, subset):
        unique = list(dict.fromkeys(candidates))
        if len(unique) == 1:
            return unique[0]
        if unique:
            return None  # ambiguous: several values maps render the same content here
    return None


def _values_behind_scalar(record: Any, node: Node, value: Any) -> tuple[Any, ...] | None:
    from medlint.helm.sourcemap import values_behind_line

    paths = values_behind_line(record, node.line)
    return tuple(paths[0]) if len(paths) == 1 else None


def _values_file_path(origin: Any, values_path: tuple[Any, ...]) -> tuple[str, YamlPath] | None:
    """The values file that sets `values_path` (highest precedence first) and the path inside it."""
    from medlint.helm.sourcemap import locate_value

    if not values_path:
        source = next((s for s in origin.source_map.sources if s.tree is not None and not s.prefix), None)
        return (source.display, (0,)) if source is not None else None
    found = locate_value(origin.source_map, values_path)
    if found is None:
        return None
    source, key_path, _ = found
    return source.display, (0, *key_path)
