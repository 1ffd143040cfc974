"""From rendered output back to the chart: template lines, and the values keys behind them.

Findings on a rendered chart must point at files the user can open, never at rendered text. Three
pieces make that possible:

1. **Template lines and columns.** The engine's trace (``TraceEntry``) says which template line and
   column wrote each part of the output. :func:`template_line_map` turns it into one line of the
   *rendered file's own template* per output line, and :class:`TemplatePositions` maps any output
   offset to a template line and column: literal text character for character, the output of an
   expression (an ``include``, ``tpl``, any ``{{ ... }}``) to the expression's ``{{``, text written
   by a ``template`` call to the call. Every position stays inside the template file that the
   Kubernetes object is reported in, and no column is copied from the rendered output.

2. **Values reads.** When a chart is rendered for linting, ``.Values`` is made of
   :class:`TrackedMap` objects that record every key a template reads, together with how far the
   template's output had got (:class:`ValueReads`). A rendered line can then be matched with the
   values keys read while it was written (:func:`values_behind_line`): a scalar read whose value
   appears on the line, or a key of a map read (``toYaml .Values.securityContext``) equal to the
   line's own key.

3. **Inputs.** Besides ``.Values``, a render for linting notes the other inputs templates read
   (``.Release``, ``.Files``, ``lookup``, generating functions such as ``randAlphaNum`` or ``genCA``)
   and the engine marks expressions that read variables or dot. A position then says whether it was
   written literally or by an expression, and what that expression read (``HelmOrigin.inputs``):
   literal template text is committed in the chart, data from values or generated at install time is
   not.

4. **Origins.** Every position of a rendered object is a template line and column and carries a
   :class:`~medlint.model.location.HelmOrigin` (template, line, values set, values keys, inputs),
   computed while the render's source map is at hand (:class:`LineExplainer`, values keys once per
   rendered line). The source map is then dropped; :func:`explain_findings` turns a finding's origin
   into related locations at the values keys (``values.yaml: securityContext.runAsUser``).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from medlint.findings import Finding, RelatedLocation
from medlint.helm.functions.files import ChartFiles
from medlint.helm.gofmt import format_value
from medlint.helm.gotemplate import TraceEntry
from medlint.model.location import HelmOrigin, Location, RenderInput, ValuesKey
from medlint.model.tree import Span, YamlList, YamlMap

__all__ = [
    "LineExplainer",
    "RenderSourceMap",
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
    """Collects reads per template execution (one recorder per render; nothing global).

    Besides `.Values` reads (`by_template`), it records the other inputs a template reads (`.Release`,
    `.Files`, `lookup`, generating functions) as events: (trace length at that moment, RenderInput).
    """

    def __init__(self) -> None:
        self.by_template: dict[str, list[ValueRead]] = {}
        self.events_by_template: dict[str, list[tuple[int, RenderInput]]] = {}
        self._trace: list[TraceEntry] | None = None
        self._current: list[ValueRead] | None = None
        self._events: list[tuple[int, RenderInput]] | None = None

    def begin(self, template: str, trace: list[TraceEntry]) -> None:
        self._trace = trace
        self._current = self.by_template.setdefault(template, [])
        self._events = self.events_by_template.setdefault(template, [])

    def end(self) -> None:
        self._trace = None
        self._current = None
        self._events = None

    def record(self, path: ValuesPath, value: Any) -> None:
        if self._current is not None and self._trace is not None:
            self._current.append(ValueRead(len(self._trace), path, value))

    def note(self, kind: RenderInput) -> None:
        """An input other than `.Values` was read (once per kind and trace position is enough)."""
        events, trace = self._events, self._trace
        if events is not None and trace is not None:
            event = (len(trace), kind)
            if not events or events[-1] != event:
                events.append(event)


class InputMap(dict):
    """A built-in object's map (`.Release`) that notes each read of one of its fields as an input."""

    __slots__ = ("_kind", "_reads")

    def __init__(self, items: Any, reads: ValueReads, kind: RenderInput) -> None:
        super().__init__(items)
        self._reads = reads
        self._kind = kind

    def __getitem__(self, key: Any) -> Any:
        value = dict.__getitem__(self, key)
        self._reads.note(self._kind)
        return value

    def __copy__(self) -> dict:
        return dict(self)

    def __deepcopy__(self, memo: dict) -> dict:
        return dict(self)

    def __reduce__(self) -> Any:
        return (dict, (dict(self),))


class RecordingFiles(ChartFiles):
    """`.Files` of a chart, noting each use as an input (files committed in the chart)."""

    __slots__ = ("_reads",)

    def __init__(self, files: ChartFiles, reads: ValueReads) -> None:
        super().__init__(files.items())
        self._reads = reads

    def GetBytes(self, name: Any) -> bytes:
        self._reads.note(RenderInput.FILES)
        return super().GetBytes(name)

    def Get(self, name: Any) -> str:
        self._reads.note(RenderInput.FILES)
        return super().Get(name)

    def Glob(self, pattern: Any) -> ChartFiles:
        self._reads.note(RenderInput.FILES)
        return super().Glob(pattern)

    def Lines(self, name: Any) -> list[str]:
        self._reads.note(RenderInput.FILES)
        return super().Lines(name)

    def AsConfig(self) -> str:
        self._reads.note(RenderInput.FILES)
        return super().AsConfig()

    def AsSecrets(self) -> str:
        self._reads.note(RenderInput.FILES)
        return super().AsSecrets()

    def __reduce__(self) -> Any:
        return (ChartFiles, (dict(self),))


#: Functions whose result is made at install time, not written in the chart: random and generated data.
GENERATING_FUNCTIONS = frozenset(
    {
        "randAlphaNum",
        "randAlpha",
        "randNumeric",
        "randAscii",
        "randBytes",
        "randInt",
        "shuffle",
        "uuidv4",
        "genPrivateKey",
        "genCA",
        "genCAWithKey",
        "genSelfSignedCert",
        "genSelfSignedCertWithKey",
        "genSignedCert",
        "genSignedCertWithKey",
        "now",
    }
)
#: Functions that read the cluster at install time.
CLUSTER_FUNCTIONS = frozenset({"lookup"})


def recording_functions(functions: dict[str, Any], reads: ValueReads) -> dict[str, Any]:
    """The generating and cluster-reading functions among `functions`, wrapped to note their call as an input."""

    def noting(function: Any, kind: RenderInput) -> Any:
        @functools.wraps(function)  # the engine reads the arity from the original's signature
        def recorded(*args: Any) -> Any:
            reads.note(kind)
            return function(*args)

        return recorded

    wrapped = {}
    for name, function in functions.items():
        if name in GENERATING_FUNCTIONS:
            wrapped[name] = noting(function, RenderInput.GENERATED)
        elif name in CLUSTER_FUNCTIONS:
            wrapped[name] = noting(function, RenderInput.CLUSTER)
    return wrapped


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
        return node

    def PathValue(self, path: Any) -> Any:
        from medlint.helm.values import path_value

        try:
            return path_value(self, str(path))  # type: ignore[arg-type]
        except KeyError:
            raise ValueError(f"{path} is not a value") from None


class ValuesObject(_ValuesMethods, dict):
    """``.Values`` of a chart (untracked)."""

    def __deepcopy__(self, memo: dict) -> dict:
        from medlint.helm.values import deep_copy

        return deep_copy(dict(self))


class TrackedMap(dict):
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

        return deep_copy(dict(self))

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
    result: dict = _converted(values, (), set(subchart_sections), reads)
    return result


def _converted(node: Any, path: ValuesPath, sections: set[ValuesPath], reads: ValueReads | None) -> Any:
    """`prepare_values` for one node. (A module function, not a recursive closure: such a closure holds
    itself, so it and everything it refers to would wait for the cyclic garbage collector.)"""
    if isinstance(node, dict):
        items = {key: _converted(value, path + (key,), sections, reads) for key, value in node.items()}
        if reads is None:
            return ValuesObject(items) if path in sections else items
        cls = TrackedValuesObject if path in sections else TrackedMap
        return cls(items, reads, path)
    if isinstance(node, list) and reads is not None:
        return [_converted(item, path + (index,), sections, reads) for index, item in enumerate(node)]
    return node


# --------------------------------------------------------------------------------------------------
# Output lines to template lines


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
            outer_line.append(entry.site[0] if entry.site else last_top)
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


def template_line_at(lines: Sequence[int], output_line: int) -> int:
    """The template line of a 0-based output line (the last known one past the end; 1 when none)."""
    if 0 <= output_line < len(lines):
        return lines[output_line]
    return lines[-1] if lines else 1


class TemplatePositions:
    """Places in one rendered template's output, in the template file: line, column, and how it was written.

    An offset of the output lies in the text of one trace entry. Literal text maps character for character
    to its place in the template; the output of an expression maps to the expression's `{{`, every line and
    column of it; text written from another file through `{{ template }}` maps to that call. So a finding on
    a rendered value points at the start of the template expression that produced it, never at a column
    copied from the rendered output.
    """

    def __init__(
        self,
        output: str,
        trace: Sequence[TraceEntry],
        template: str,
        reads: Sequence[ValueRead] = (),
        events: Sequence[tuple[int, RenderInput]] = (),
        from_archive: bool = False,
    ) -> None:
        self.output = output
        self.trace = trace
        self.template = template
        self.offsets = [entry.offset for entry in trace]
        self.line_starts = [0]
        position = output.find("\n")
        while position >= 0:
            self.line_starts.append(position + 1)
            position = output.find("\n", position + 1)
        lines = template_line_map(output, trace, template)
        self.from_archive = from_archive
        self.lines = [1] * len(lines) if from_archive else lines  # findings point at the archive itself
        inputs: dict[int, set[RenderInput]] = {}
        for index in _values_fed(reads):
            inputs.setdefault(index, set()).add(RenderInput.VALUES)
        for index, kind in events:
            inputs.setdefault(index, set()).add(kind)
        self._inputs = inputs

    def line_index(self, offset: int) -> int:
        """The 0-based output line of an offset."""
        return bisect_right(self.line_starts, offset) - 1

    def offset(self, start: int, line: int, column: int) -> int:
        """The output offset of a (1-based) line and column of the document that starts at offset `start`."""
        if line <= 1:
            return start + column - 1
        index = self.line_index(start) + line - 1
        if index >= len(self.line_starts):
            return len(self.output)
        return self.line_starts[index] + column - 1

    def place(self, offset: int) -> tuple[int, int]:
        """The template line and column that wrote the output at `offset`."""
        if self.from_archive:
            return 1, 1
        k = bisect_right(self.offsets, offset) - 1
        if k < 0:
            return 1, 1
        entry = self.trace[k]
        if entry.template != self.template:
            return entry.site if entry.site else (template_line_at(self.lines, self.line_index(offset)), 1)
        if not entry.verbatim:
            return entry.line, entry.column
        lines_on = self.line_index(offset) - self.line_index(entry.offset)  # newlines of the text before
        if not lines_on:
            return entry.line, entry.column + offset - entry.offset
        return entry.line + lines_on, offset - self.line_starts[self.line_index(offset)] + 1

    def _entries(self, start: int, end: int) -> range:
        first = max(bisect_right(self.offsets, start) - 1, 0)
        last = bisect_left(self.offsets, max(end, start + 1)) - 1
        return range(first, max(last, first) + 1) if self.trace else range(0)

    def written(self, start: int, end: int) -> tuple[bool, frozenset[RenderInput]]:
        """Whether expressions wrote any of output[start:end], and what they read."""
        expression = False
        inputs: set[RenderInput] = set()
        for index in self._entries(start, end):
            entry = self.trace[index]
            if entry.verbatim:
                continue
            expression = True
            found = self._inputs.get(index)
            if found:
                inputs |= found
            if entry.data and not found:
                inputs.add(RenderInput.DATA)
        return expression, frozenset(inputs) if inputs else NO_INPUTS

    def literal_span(self, start: int, end: int) -> bool:
        """output[start:end] is one piece of literal text of the template itself."""
        entries = self._entries(start, end)
        if len(entries) != 1:
            return False
        entry = self.trace[entries[0]]
        return entry.verbatim and entry.template == self.template


def _values_fed(reads: Sequence[ValueRead]) -> set[int]:
    """The trace positions whose expressions took something from `.Values`.

    Of the reads before one position, a map read only on the way to a key (`.Values.auth` of
    `.Values.auth.password`) is no input of its own, and a value that is empty (null, "", {} or []) gives
    the output nothing: `{{ .Values.password | default "changeme" }}` with an empty password writes the
    template's own `changeme`.
    """
    fed: set[int] = set()
    start = 0
    while start < len(reads):
        index = reads[start].trace_index
        end = start
        while end < len(reads) and reads[end].trace_index == index:
            end += 1
        group = reads[start:end]
        # Paths read on the way to a longer one (linear in the reads: a template may read many values
        # before it writes anything).
        passed = {read.path[:length] for read in group for length in range(1, len(read.path))}
        for read in group:
            if read.value is None or read.value == "" or read.value == {} or read.value == []:
                continue
            if isinstance(read.value, (dict, list)) and read.path in passed:
                continue
            fed.add(index)
            break
        start = end
    return fed


#: Gives the HelmOrigin of a position: (output line, template line, written by expressions, their inputs).
#: The inputs of a place no expression wrote, or whose expressions read nothing (shared: see LineExplainer).
NO_INPUTS: frozenset[RenderInput] = frozenset()

OriginFor = Callable[[int, int, bool, frozenset[RenderInput]], HelmOrigin]


def remap_tree(node: Any, positions: TemplatePositions, start: int, origin_for: OriginFor) -> None:
    """Rewrite the positions of a parsed document (YamlMap/YamlList) from document lines and columns to
    template lines and columns, and attach to each the HelmOrigin of the place that wrote it.

    ``start`` is the output offset where the document starts; scalars (keys, values, items) carry how their
    whole text was written, mappings and lists how their first character was.
    """
    seen: set[int] = set()

    def origin(offset: int, end: int, line: int) -> HelmOrigin:
        expression, inputs = positions.written(offset, end)
        return origin_for(positions.line_index(offset), line, expression, inputs)

    def span(value: Span, scalar: bool) -> tuple[Span, HelmOrigin]:
        first = positions.offset(start, value[0], value[1])
        last = positions.offset(start, value[2], value[3])
        line, column = positions.place(first)
        written = origin(first, last if scalar else first + 1, line)
        if value[2] != value[0]:
            # A span over several output lines: from its place to the start of the template line of its end.
            end_line = template_line_at(positions.lines, positions.line_index(max(last - 1, first)))
            return (
                (line, column, line, column) if end_line <= line else (line, column, end_line, 1)
            ), written
        if last > first and positions.literal_span(first, last):
            end_line, end_column = positions.place(last - 1)
            return (line, column, end_line, end_column + 1), written
        return (line, column, line, column), written

    def place_node(current: YamlMap | YamlList) -> None:
        offset = positions.offset(start, current.line, current.column)
        current.line, current.column = positions.place(offset)
        current.node_origin = origin(offset, offset + 1, current.line)

    # An explicit stack, not a recursive closure: such a closure holds itself, so it and the positions it
    # refers to would wait for the cyclic garbage collector after every document. Visits in the same order.
    stack: list[Any] = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, YamlMap):
            place_node(current)
            origins: dict[Any, HelmOrigin | tuple[HelmOrigin | None, HelmOrigin | None] | None] = {}
            for key, key_span, value_span in current.span_items():
                key_origin = value_origin = None
                if key_span is not None:
                    key_span, key_origin = span(key_span, True)
                if value_span is not None:
                    scalar = not isinstance(current.get(key), (YamlMap, YamlList))
                    value_span, value_origin = span(value_span, scalar)
                current.set_spans(key, key_span, value_span)
                # One origin when key and value have the same one (origins are shared per place and how it
                # was written): a pair for each of a render's many keys would be most of their memory.
                origins[key] = key_origin if key_origin is value_origin else (key_origin, value_origin)
            current.origins = origins
            stack.extend(reversed(list(current.values())))
        elif isinstance(current, YamlList):
            place_node(current)
            spans = [
                span(value, not isinstance(item, (YamlMap, YamlList)))
                for value, item in zip(current.item_spans(), current)
            ]
            current.set_item_spans([item[0] for item in spans])
            current.origins = [item[1] for item in spans]
            stack.extend(reversed(current))


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
    _trace_offsets: list[int] = field(default_factory=list)
    _read_indexes: list[int] = field(default_factory=list)

    def trace_offsets(self) -> list[int]:
        if not self._trace_offsets and self.trace:
            self._trace_offsets = [entry.offset for entry in self.trace]
        return self._trace_offsets

    def read_indexes(self) -> list[int]:
        if not self._read_indexes and self.reads:
            self._read_indexes = [read.trace_index for read in self.reads]
        return self._read_indexes

    def line_starts(self) -> list[int]:
        if not self._line_starts:
            # The offset after each "\n" (other line breaks end no line here), found a line at a time: a loop
            # over the characters took 0.16 s of the corpus's 2 s of remapping trees (now 0.02 s).
            self._line_starts = list(
                accumulate((len(line) + 1 for line in self.output.split("\n")[:-1]), initial=0)
            )
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
    return _text_matches(_scalar_text(value), line_value, line)


def _text_matches(text: str | None, line_value: str | None, line: str) -> bool:
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


class _SubtreeIndex:
    """The entries of one read map or list, so that many lines can be matched against it without walking it
    again for each: what `_subtree_matches` finds, for subtrees within its node budget.

    `by_key` lists, in walk order, each mapping entry by its key's text: (relative path, value text,
    whether the value is a map or list, whether an enclosing entry has the same key). The walk stops at a
    matching map or list, so an entry under one with the same key is never found ("shadowed").
    `list_scalars` lists the scalar items of lists (relative path, text).
    """

    __slots__ = ("by_key", "list_scalars")

    def __init__(self) -> None:
        self.by_key: dict[str, list[tuple[ValuesPath, str | None, bool, bool]]] = {}
        self.list_scalars: list[tuple[ValuesPath, str | None]] = []

    @classmethod
    def build(cls, node: Any) -> _SubtreeIndex | None:
        """The index, or None when the subtree has more nodes than the walk would visit."""
        index = cls()
        count = 1
        enclosing: dict[str, int] = {}  # key texts of the entries above the current one
        # Depth-first, in the walk's order: (children iterator, key text of the entry being entered).
        stack: list[tuple[Iterator[tuple[Any, Any]], str | None]] = [(cls._children(node), None)]
        while stack:
            children, _ = stack[-1]
            step = next(children, None)
            if step is None:
                _, entered = stack.pop()
                if entered is not None:
                    enclosing[entered] -= 1
                continue
            path, (is_entry, key_text, child) = step
            count += 1
            if count > _MAX_SUBTREE_NODES:
                return None
            container = isinstance(child, (dict, list))
            text = None if container else _scalar_text(child)
            if is_entry:
                shadowed = enclosing.get(key_text, 0) > 0
                index.by_key.setdefault(key_text, []).append((path, text, container, shadowed))
            elif not container:
                index.list_scalars.append((path, text))
            if container:
                if is_entry:
                    enclosing[key_text] = enclosing.get(key_text, 0) + 1
                stack.append((cls._children(child, path), key_text if is_entry else None))
        return index

    @staticmethod
    def _children(node: Any, path: ValuesPath = ()) -> Iterator[tuple[Any, Any]]:
        if isinstance(node, dict):
            for key, child in dict.items(node):
                yield path + (key,), (True, str(key), child)
        elif isinstance(node, list):
            for position, child in enumerate(node):
                yield path + (position,), (False, None, child)

    def matches(self, key: str | None, line_value: str | None, line: str) -> Iterator[ValuesPath]:
        if key is not None:
            for path, text, container, shadowed in self.by_key.get(key, ()):
                if not shadowed and (
                    container or line_value is None or _text_matches(text, line_value, line)
                ):
                    yield path
        else:
            for path, text in self.list_scalars:
                if _text_matches(text, line_value, line):
                    yield path


def values_behind_line(
    record: TemplateRecord, output_line: int, indexes: dict[int, _SubtreeIndex | None] | None = None
) -> list[ValuesPath]:
    """The values paths (root-relative) read while ``output_line`` was written and matching its content.

    ``indexes`` caches the subtree index of each read map or list (by identity) across the lines of a render.
    """
    starts = record.line_starts()
    if not 0 <= output_line < len(starts) or not record.reads:
        return []
    line = record.line_text(output_line)
    line_start = starts[output_line]
    line_end = line_start + len(line)
    offsets = record.trace_offsets()
    first = max(bisect_right(offsets, line_start) - 1, 0)
    last = max(bisect_right(offsets, max(line_end - 1, line_start)) - 1, first)
    read_indexes = record.read_indexes()
    low = bisect_left(read_indexes, first)
    # Reads are noted before the write they lead to: those of an expression that wrote nothing at the end
    # of the line belong to the entry that starts at the line's end, never to one that starts lines later.
    following = last + 1 if last + 1 < len(offsets) and offsets[last + 1] <= line_end else last
    high = bisect_right(read_indexes, following)
    candidates = record.reads[low:high]
    if not candidates:
        return []
    key, line_value = _line_key_value(line)
    matched: list[ValuesPath] = []
    cache = {} if indexes is None else indexes
    for read in candidates:
        if isinstance(read.value, (dict, list)):
            identity = id(read.value)
            if identity not in cache:
                cache[identity] = _SubtreeIndex.build(read.value)
            subtree = cache[identity]
            if subtree is None:
                matched.extend(_subtree_matches(read.value, read.path, key, line_value, line))
            else:
                matched.extend(read.path + path for path in subtree.matches(key, line_value, line))
        elif _matches(read.value, line_value, line):
            matched.append(read.path)
    unique = list(dict.fromkeys(matched))
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
            span = node.key_span(match)
            position = (span[0], span[1]) if span else (node.line, node.column)
            node = node[match]
        elif isinstance(node, YamlList) and isinstance(part, int) and 0 <= part < len(node):
            item = node.item_span(part)
            position = (item[0], item[1]) if item else (node.line, node.column)
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


def values_keys(
    source_map: RenderSourceMap,
    record: TemplateRecord,
    output_line: int,
    indexes: dict[int, _SubtreeIndex | None] | None = None,
) -> tuple[ValuesKey, ...]:
    """The values-file keys behind a rendered line (at most three, most specific first)."""
    keys: list[ValuesKey] = []
    for path in values_behind_line(record, output_line, indexes)[:3]:
        found = locate_value(source_map, path)
        if found is not None:
            source, key_path, (line, column) = found
            keys.append(ValuesKey(Location(source.display, line, column), _dotted(key_path)))
    return tuple(keys)


class LineExplainer:
    """Gives each rendered line of one render its HelmOrigin, computed once per line."""

    def __init__(self, source_map: RenderSourceMap, chart: str = "") -> None:
        self.source_map = source_map
        self.chart = chart
        self._origins: dict[tuple[str, int, int, bool, frozenset[RenderInput]], HelmOrigin] = {}
        self._keys: dict[tuple[str, int], tuple[ValuesKey, ...]] = {}
        self._indexes: dict[int, _SubtreeIndex | None] = {}
        #: One object per distinct set of inputs: each origin keeps the set it was made with, and a render
        #: has tens of thousands of origins but few distinct sets (an empty frozenset is no singleton).
        self._inputs: dict[frozenset[RenderInput], frozenset[RenderInput]] = {}

    def origin(
        self,
        template: str,
        source_path: str,
        output_line: int,
        template_line: int,
        expression: bool = False,
        inputs: frozenset[RenderInput] = frozenset(),
    ) -> HelmOrigin:
        """The origin of a place on `output_line` (values keys are matched once per rendered line)."""
        inputs = self._inputs.setdefault(inputs, inputs)
        cache_key = (template, output_line, template_line, expression, inputs)
        known = self._origins.get(cache_key)
        if known is None:
            keys = self._keys.get((template, output_line))
            if keys is None:
                record = self.source_map.templates.get(template)
                keys = values_keys(self.source_map, record, output_line, self._indexes) if record else ()
                self._keys[(template, output_line)] = keys
            known = HelmOrigin(
                source_path,
                template_line,
                self.source_map.values_set,
                keys,
                self.chart,
                template,
                output_line,
                expression,
                inputs,
            )
            self._origins[cache_key] = known
        return known


def related_values(origin: HelmOrigin) -> list[RelatedLocation]:
    """Related locations at the values keys behind a rendered line."""
    return [
        RelatedLocation(
            key.location,
            f"{key.location.path.rsplit('/', 1)[-1]}: {key.key} (values set {origin.values_set})",
        )
        for key in origin.values_keys
    ]


def explain_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Add, to findings on rendered Helm objects, a related location at the values key behind them."""
    explained: list[Finding] = []
    for finding in findings:
        origin = finding.location.helm
        if origin is None or not origin.values_keys:
            explained.append(finding)
            continue
        extra = tuple(item for item in related_values(origin) if item not in finding.related)
        explained.append(dataclasses.replace(finding, related=finding.related + extra) if extra else finding)
    return tuple(explained)
