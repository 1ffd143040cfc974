"""From rendered output back to the chart: template lines, and the values keys behind them.

Findings on a rendered chart must point at files the user can open, never at rendered text. Three
pieces make that possible:

1. **Template lines.** The engine's trace (``TraceEntry``) says which template line wrote each part
   of the output. :func:`template_line_map` turns it into one line of the *rendered file's own
   template* per output line: text written by an ``include``, ``tpl`` or ``template`` call is
   attributed to the line of the call, so every position stays inside the template file that the
   Kubernetes object is reported in. (For a ``{{- template ...}}`` whose trimming removed all text
   before it, the trace has nothing on the call's own line: the previous template line is used.)

2. **Values reads.** When a chart is rendered for linting, ``.Values`` is made of
   :class:`TrackedMap` objects that record every key a template reads, together with how far the
   template's output had got (:class:`ValueReads`). A rendered line can then be matched with the
   values keys read while it was written (:func:`values_behind_line`): a scalar read whose value
   appears on the line, or a key of a map read (``toYaml .Values.securityContext``) equal to the
   line's own key.

3. **Payload-carrying line numbers.** Positions of rendered objects use :class:`TemplateLine`, an
   ``int`` that equals the template line and also remembers the rendered line it came from. It flows
   unchanged through every check into ``Finding.location.line``; :func:`explain_findings` then adds a
   related location at the values key (``values.yaml: securityContext.runAsUser``). Code that does
   not know about it sees a plain line number.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from medlint.findings import Finding, RelatedLocation
from medlint.helm.gofmt import format_value
from medlint.helm.gotemplate import TraceEntry
from medlint.source import Location, YamlList, YamlMap

__all__ = [
    "LineOrigin",
    "RenderSourceMap",
    "TemplateLine",
    "TemplateRecord",
    "TrackedMap",
    "TrackedValuesObject",
    "ValueRead",
    "ValueReads",
    "ValuesObject",
    "ValuesSource",
    "explain_findings",
    "prepare_values",
    "remap_tree",
    "template_line_map",
    "values_behind_line",
]

ValuesPath = tuple[Any, ...]  # keys (and list indexes) from the root chart's .Values


# --------------------------------------------------------------------------------------------------
# Recording .Values reads


@dataclass(frozen=True, slots=True)
class ValueRead:
    """One ``.Values`` key read: the root-relative path, the value, and the trace length at that moment."""

    trace_index: int
    path: ValuesPath
    value: Any


class ValueReads:
    """Collects reads per template execution (one recorder per render; nothing global)."""

    def __init__(self) -> None:
        self.by_template: dict[str, list[ValueRead]] = {}
        self._trace: list[TraceEntry] | None = None
        self._current: list[ValueRead] | None = None

    def begin(self, template: str, trace: list[TraceEntry]) -> None:
        self._trace = trace
        self._current = self.by_template.setdefault(template, [])

    def end(self) -> None:
        self._trace = None
        self._current = None

    def record(self, path: ValuesPath, value: Any) -> None:
        if self._current is not None and self._trace is not None:
            self._current.append(ValueRead(len(self._trace), path, value))


class _ValuesMethods:
    """Helm's ``chartutil.Values`` methods, callable from templates (``.Values.AsMap``).

    No ``go_type_name``: the function library accepts only ``map[string]interface {}`` maps, while Go
    lets a ``chartutil.Values`` be passed wherever such a map is expected (``unset $.Values "x"``).
    """

    def AsMap(self) -> dict:
        return self  # type: ignore[return-value]

    def YAML(self) -> str:
        from medlint.helm.functions.yamljson import to_yaml

        return to_yaml(dict(self))  # type: ignore[call-overload]

    def Table(self, name: Any) -> dict:
        node: Any = self
        for part in str(name).split("."):
            if not isinstance(node, dict) or not isinstance(node.get(part), dict):
                raise ValueError(f"no table named {name!r}")
            node = node[part]
        return node  # type: ignore[no-any-return]

    def PathValue(self, path: Any) -> Any:
        from medlint.helm.values import path_value

        try:
            return path_value(self, str(path))  # type: ignore[arg-type]
        except KeyError:
            raise ValueError(f"{path} is not a value") from None


class ValuesObject(_ValuesMethods, dict):  # type: ignore[misc]
    """``.Values`` of a chart (untracked)."""

    def __deepcopy__(self, memo: dict) -> dict:
        from medlint.helm.values import deep_copy

        return deep_copy(dict(self))  # type: ignore[no-any-return]


class TrackedMap(dict):  # type: ignore[type-arg]
    """A values map that records each key a template reads through field access."""

    __slots__ = ("_path", "_reads")

    def __init__(self, items: Any, reads: ValueReads, path: ValuesPath) -> None:
        super().__init__(items)
        self._reads = reads
        self._path = path

    def __getitem__(self, key: Any) -> Any:
        value = dict.__getitem__(self, key)
        self._reads.record(self._path + (key,), value)
        return value

    def __copy__(self) -> dict:
        return dict(self)

    def __deepcopy__(self, memo: dict) -> dict:
        from medlint.helm.values import deep_copy

        return deep_copy(dict(self))  # type: ignore[no-any-return]

    def __reduce__(self) -> Any:
        return (dict, (dict(self),))


class TrackedValuesObject(_ValuesMethods, TrackedMap):
    """``.Values`` of a chart, tracked."""

    __slots__ = ()


def prepare_values(
    values: dict[str, Any], subchart_sections: Sequence[ValuesPath], reads: ValueReads | None
) -> dict:
    """The render's values tree: chart sections become Values objects; with ``reads``, every map is tracked.

    ``subchart_sections`` are the root-relative paths of each (sub)chart's values (``()`` for the root),
    so a subchart's ``.Values`` is the very map its parent sees under its name, as in Helm.
    """
    sections = set(subchart_sections)

    def convert(node: Any, path: ValuesPath) -> Any:
        if isinstance(node, dict):
            items = {key: convert(value, path + (key,)) for key, value in node.items()}
            if reads is None:
                return ValuesObject(items) if path in sections else items
            cls = TrackedValuesObject if path in sections else TrackedMap
            return cls(items, reads, path)
        if isinstance(node, list) and reads is not None:
            return [convert(item, path + (index,)) for index, item in enumerate(node)]
        return node

    return convert(values, ())  # type: ignore[no-any-return]


# --------------------------------------------------------------------------------------------------
# Output lines to template lines


@dataclass(frozen=True, slots=True)
class LineOrigin:
    """Where a position of a rendered object came from: the render, the template, the output line."""

    source_map: RenderSourceMap
    template: str
    output_line: int  # 0-based index into the template's rendered lines


class TemplateLine(int):
    """A line number in a template file that also carries the rendered line behind it (``helm_origin``)."""

    helm_origin: LineOrigin | None

    def __new__(cls, value: int, origin: LineOrigin | None = None) -> TemplateLine:
        instance = super().__new__(cls, value)
        instance.helm_origin = origin
        return instance

    def __reduce__(self) -> Any:
        return (int, (int(self),))


def template_line_map(output: str, trace: Sequence[TraceEntry], template: str) -> list[int]:
    """For each output line, the line of ``template`` that produced it.

    Text written from another file (a ``define`` used through ``template``) is attributed to the line
    of ``template`` where that call sits; output before any trace entry maps to line 1.
    """
    line_starts = [0]
    position = output.find("\n")
    while position >= 0:
        line_starts.append(position + 1)
        position = output.find("\n", position + 1)

    def line_index(offset: int) -> int:
        return bisect_right(line_starts, offset) - 1

    offsets = [entry.offset for entry in trace]
    # For entries from other files, the line in `template` where the call that led there sits.
    outer_line: list[int] = []
    last_top = 1
    for index, entry in enumerate(trace):
        if entry.template == template:
            line = entry.line
            if entry.verbatim:
                end = offsets[index + 1] if index + 1 < len(offsets) else len(output)
                line += line_index(end) - line_index(entry.offset)
            last_top = line
            outer_line.append(entry.line)
        else:
            outer_line.append(last_top)
    result: list[int] = []
    for number, start in enumerate(line_starts):
        end = line_starts[number + 1] - 1 if number + 1 < len(line_starts) else len(output)
        first = start
        while first < end and output[first] in " \t\r":
            first += 1
        target = first if first < end else start
        k = bisect_right(offsets, target) - 1
        if k < 0:
            result.append(1)
            continue
        entry = trace[k]
        if entry.template == template:
            result.append(entry.line + (number - line_index(entry.offset) if entry.verbatim else 0))
        else:
            result.append(outer_line[k])
    return result


def remap_tree(node: Any, lines: Sequence[int], base: int, origin_for: Any) -> None:
    """Rewrite the positions of a parsed document (YamlMap/YamlList) from document lines to template lines.

    ``base`` is the 0-based output line where the document starts; ``lines`` maps output lines to
    template lines; ``origin_for(output_line)`` gives the LineOrigin to attach.
    """
    seen: set[int] = set()
    cache: dict[int, TemplateLine] = {}

    def line_of(document_line: int) -> int:
        index = base + document_line - 1
        cached = cache.get(index)
        if cached is None:
            value = lines[index] if 0 <= index < len(lines) else (lines[-1] if lines else 1)
            cached = TemplateLine(value, origin_for(index))
            cache[index] = cached
        return cached

    def end_of(document_line: int) -> int:
        index = base + document_line - 1
        return lines[index] if 0 <= index < len(lines) else (lines[-1] if lines else 1)

    def span(value: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        start = line_of(value[0])
        end = end_of(value[2])
        if end != start or value[2] != value[0]:
            # A span over several output lines: keep it within the start line of the template.
            return (start, value[1], start, value[1]) if end < start else (start, value[1], end, 1)
        return (start, value[1], start, value[3])

    def visit(current: Any) -> None:
        if id(current) in seen:
            return
        seen.add(id(current))
        if isinstance(current, YamlMap):
            current.line = line_of(current.line)
            current.key_positions = {key: span(value) for key, value in current.key_positions.items()}
            current.value_positions = {key: span(value) for key, value in current.value_positions.items()}
            for item in current.values():
                visit(item)
        elif isinstance(current, YamlList):
            current.line = line_of(current.line)
            current.item_positions = [span(value) for value in current.item_positions]
            for item in current:
                visit(item)

    visit(node)


# --------------------------------------------------------------------------------------------------
# Values files and rendered templates of one render


@dataclass
class ValuesSource:
    """A values file that fed a render: where it lives and where its root sits in the root chart's values."""

    display: str  # repository-relative path
    prefix: ValuesPath  # () for user files and the root chart; ("sub",) for subchart sub's values.yaml
    tree: Any  # YamlMap with positions, or None when unreadable


@dataclass
class TemplateRecord:
    """One rendered template: output, trace and the values reads made while it was written."""

    name: str
    output: str
    trace: list[TraceEntry]
    reads: list[ValueRead]
    _line_starts: list[int] = field(default_factory=list)

    def line_starts(self) -> list[int]:
        if not self._line_starts:
            starts = [0]
            for index, ch in enumerate(self.output):
                if ch == "\n":
                    starts.append(index + 1)
            self._line_starts = starts
        return self._line_starts

    def line_text(self, index: int) -> str:
        starts = self.line_starts()
        if not 0 <= index < len(starts):
            return ""
        end = starts[index + 1] - 1 if index + 1 < len(starts) else len(self.output)
        return self.output[starts[index] : end]


@dataclass
class RenderSourceMap:
    """Everything needed to explain a finding on one render (one chart, one values set)."""

    values_set: str
    sources: list[ValuesSource]  # highest precedence first
    templates: dict[str, TemplateRecord] = field(default_factory=dict)

    def origin(self, template: str, output_line: int) -> LineOrigin:
        return LineOrigin(self, template, output_line)


# --------------------------------------------------------------------------------------------------
# Matching a rendered line with the values read for it

_KEY_LINE = re.compile(
    # No lazy group before `\s*`: the key and the value end at their last non-space character, so a
    # rendered line with long runs of spaces is matched in linear time.
    r"""^\s*(?:-\s+)*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s:#'"](?:[^:#]*[^\s:#])?))\s*:(?:\s+(\S(?:.*\S)?|))?\s*$"""
)
_ITEM_LINE = re.compile(r"^\s*-\s+(\S(?:.*\S)?|)\s*$")
_MAX_SUBTREE_NODES = 5000


def _line_key_value(text: str) -> tuple[str | None, str | None]:
    match = _KEY_LINE.match(text)
    if match:
        key = (
            match.group(1)
            if match.group(1) is not None
            else match.group(2)
            if match.group(2) is not None
            else match.group(3)
        )
        return key, _unquote(match.group(4)) if match.group(4) else None
    item = _ITEM_LINE.match(text)
    if item:
        return None, _unquote(item.group(1))
    stripped = text.strip()
    return None, _unquote(stripped) if stripped else None


def _unquote(text: str) -> str:
    text = text.split(" #", 1)[0].strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, (dict, list)) or value is None:
        return None
    try:
        return format_value(value)
    except Exception:
        return None


def _matches(value: Any, line_value: str | None, line: str) -> bool:
    text = _scalar_text(value)
    if text is None or text == "":
        return False
    if line_value is not None and line_value == text:
        return True
    return len(text) >= 4 and text in line


def _subtree_matches(
    node: Any, path: ValuesPath, key: str | None, line_value: str | None, line: str
) -> list[ValuesPath]:
    """Paths inside a read map/list whose key is the line's key (and whose value agrees, when scalar)."""
    found: list[ValuesPath] = []
    budget = [_MAX_SUBTREE_NODES]

    def walk(current: Any, current_path: ValuesPath) -> None:
        if budget[0] <= 0:
            return
        budget[0] -= 1
        if isinstance(current, dict):
            for child_key, child in dict.items(current):
                child_path = current_path + (child_key,)
                if (
                    key is not None
                    and str(child_key) == key
                    and (
                        isinstance(child, (dict, list))
                        or line_value is None
                        or _matches(child, line_value, line)
                    )
                ):
                    found.append(child_path)
                    continue
                walk(child, child_path)
        elif isinstance(current, list):
            for index, child in enumerate(current):
                if key is None and not isinstance(child, (dict, list)) and _matches(child, line_value, line):
                    found.append(current_path + (index,))
                    continue
                walk(child, current_path + (index,))

    walk(node, path)
    return found


def values_behind_line(record: TemplateRecord, output_line: int) -> list[ValuesPath]:
    """The values paths (root-relative) read while ``output_line`` was written and matching its content."""
    starts = record.line_starts()
    if not 0 <= output_line < len(starts) or not record.reads:
        return []
    line = record.line_text(output_line)
    line_start = starts[output_line]
    line_end = line_start + len(line)
    offsets = [entry.offset for entry in record.trace]
    first = max(bisect_right(offsets, line_start) - 1, 0)
    last = max(bisect_right(offsets, max(line_end - 1, line_start)) - 1, first)
    indexes = [read.trace_index for read in record.reads]
    low = bisect_left(indexes, first)
    high = bisect_right(indexes, last + 1)
    candidates = record.reads[low:high]
    key, line_value = _line_key_value(line)
    matched: list[ValuesPath] = []
    for read in candidates:
        if isinstance(read.value, (dict, list)):
            matched.extend(_subtree_matches(read.value, read.path, key, line_value, line))
        elif _matches(read.value, line_value, line):
            matched.append(read.path)
    unique: list[ValuesPath] = []
    for path in matched:
        if path not in unique:
            unique.append(path)
    # Prefer the most specific paths: drop any that is a prefix of another match.
    return [
        path for path in unique if not any(other != path and other[: len(path)] == path for other in unique)
    ]


def _key_name(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


def _lookup(tree: Any, path: ValuesPath) -> tuple[int, int] | None:
    """Line and column of the key (or list item) at ``path`` in a positioned values tree."""
    node = tree
    position: tuple[int, int] | None = None
    for part in path:
        if isinstance(node, YamlMap):
            match = next((key for key in node if _key_name(key) == str(part)), _MISSING)
            if match is _MISSING:
                return None
            span = node.key_positions.get(match)
            position = (span[0], span[1]) if span else (node.line, node.column)
            node = node[match]
        elif isinstance(node, YamlList) and isinstance(part, int) and 0 <= part < len(node):
            span = node.item_positions[part]
            position = (span[0], span[1])
            node = node[part]
        else:
            return None
    return position


_MISSING = object()


def _candidate_paths(path: ValuesPath, prefix: ValuesPath) -> Iterator[ValuesPath]:
    """Paths to look up in a values file rooted at ``prefix`` for a root-relative ``path``.

    A ``global`` key read in a subchart may come from the same key under ``global`` of any ancestor.
    """
    if path[: len(prefix)] != prefix:
        return
    yield path[len(prefix) :]
    if "global" in path:
        index = path.index("global")
        if len(prefix) < index:
            yield ("global",) + path[index + 1 :]


def locate_value(
    source_map: RenderSourceMap, path: ValuesPath
) -> tuple[ValuesSource, ValuesPath, tuple[int, int]] | None:
    """The values file (highest precedence first) and position that set ``path``."""
    for source in source_map.sources:
        if source.tree is None:
            continue
        for candidate in _candidate_paths(path, source.prefix):
            if not candidate:
                continue
            position = _lookup(source.tree, candidate)
            if position is not None:
                return source, candidate, position
    return None


def _dotted(path: ValuesPath) -> str:
    return ".".join(f"[{part}]" if isinstance(part, int) else str(part) for part in path).replace(".[", "[")


def related_values(origin: LineOrigin) -> list[RelatedLocation]:
    """Related locations at the values keys behind a rendered line."""
    record = origin.source_map.templates.get(origin.template)
    if record is None:
        return []
    related: list[RelatedLocation] = []
    for path in values_behind_line(record, origin.output_line)[:3]:
        found = locate_value(origin.source_map, path)
        if found is None:
            continue
        source, key_path, (line, column) = found
        message = f"{source.display.rsplit('/', 1)[-1]}: {_dotted(key_path)} (values set {origin.source_map.values_set})"
        related.append(RelatedLocation(Location(source.display, line, column), message))
    return related


def explain_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Add, to findings on rendered Helm objects, a related location at the values key behind them."""
    explained: list[Finding] = []
    for finding in findings:
        origin = getattr(finding.location.line, "helm_origin", None)
        if origin is None:
            explained.append(finding)
            continue
        extra = tuple(item for item in related_values(origin) if item not in finding.related)
        explained.append(dataclasses.replace(finding, related=finding.related + extra) if extra else finding)
    return tuple(explained)
