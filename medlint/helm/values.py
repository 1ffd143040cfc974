"""Values as Helm merges them: values files, ``--set``, chart defaults, subcharts, globals.

Reproduces, from Helm's source (pkg/cli/values, pkg/strvals, pkg/chartutil):

* reading a values file (``LoadValues``): every YAML document of the file, merged; numbers become
  float64 because Helm reads YAML through JSON (sigs.k8s.io/yaml), so ``port: 80`` is the Go value
  ``80.0`` and ``{{ 1000000 }}``-sized numbers print as ``1e+06`` exactly as Helm prints them;
* ``-f`` files merged in order (``mergeMaps``: later files win, maps merge, lists are replaced);
* ``--set`` (``strvals.ParseInto``): ``a.b=c``, ``a[0]=x``, ``{a,b}`` lists, ``\\,`` and ``\\.``
  escapes, and Helm's type inference (``true``/``false``/``null``, ``int64`` for integers without a
  leading zero, strings otherwise);
* coalescing user values over chart defaults (``CoalesceValues``): maps merge, scalars and lists are
  replaced, ``null`` deletes a default key, subchart sections and ``global`` propagate downwards;
* dependency processing (``ProcessDependencies``): aliases, ``condition``, ``tags`` and
  ``import-values``.

Charts are :class:`medlint.helm.chart.HelmChart` objects; only their ``values``, ``metadata`` and
``dependencies`` are used here. Nothing in this module keeps state between calls.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from medlint.helm.functions import FunctionError
from medlint.helm.functions.semver import SemverError, check_constraint
from medlint.helm.functions.yamljson import load_yaml_like_helm
from medlint.helm.guards import ResourceLimitError, check_yaml_aliases


class HelmChart(Protocol):
    """What coalescing and dependency processing read of a chart (medlint.helm.chart.HelmChart): declared
    here so that values never import the chart loader, which imports values."""

    metadata: Any
    values: dict[str, Any]

    @property
    def dependencies(self) -> Sequence[HelmChart]: ...

    @property
    def name(self) -> str: ...

    def set_dependencies(self, charts: Iterable[Any]) -> None: ...

    def renamed(self, name: str) -> HelmChart: ...


__all__ = [
    "GLOBAL_KEY",
    "ValuesError",
    "apply_set_values",
    "coalesce_tables",
    "coalesce_values",
    "deep_copy",
    "is_compatible_range",
    "load_values_text",
    "merge_maps",
    "parse_set",
    "path_value",
    "process_dependencies",
]

GLOBAL_KEY = "global"

#: Helm's limits on ``--set`` input (pkg/strvals): list index and key nesting.
MAX_SET_INDEX = 65536
MAX_SET_NESTING = 30


class ValuesError(Exception):
    """Values that Helm would refuse; ``str()`` is Helm's message."""


# --------------------------------------------------------------------------------------------------
# Reading values files


_DOCUMENT_SEPARATOR = re.compile(r"^---")


def _split_documents(text: str) -> list[str]:
    """k8s.io YAMLReader: a line starting with ``---`` followed by nothing or a comment ends a document."""
    documents: list[str] = []
    current: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.startswith("---"):
            rest = line[3:].strip()
            if rest == "" or rest.startswith("#"):
                documents.append("".join(current))
                current = []
                continue
        current.append(line)
    documents.append("".join(current))
    return [doc for doc in documents if doc.strip()]


def load_values_text(text: str) -> dict[str, Any]:
    """Helm's ``LoadValues``: every document of the stream as a map, merged in order.

    Raises :class:`ValuesError` with go-yaml's wording for syntax errors and for documents that are
    not maps.
    """
    values: dict[str, Any] = {}
    for document in _split_documents(text.lstrip("\ufeff")):
        try:
            check_yaml_aliases(document)
            loaded = load_yaml_like_helm(document)
        except (FunctionError, ResourceLimitError) as error:
            raise ValuesError(str(error)) from None
        if loaded is None:
            continue
        if not isinstance(loaded, dict):
            kind = (
                "array"
                if isinstance(loaded, list)
                else "string"
                if isinstance(loaded, str)
                else ("bool" if isinstance(loaded, bool) else "number")
            )
            raise ValuesError(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
                f"{kind} into Go value of type map[string]interface {{}}"
            )
        values = merge_maps(values, loaded)
    return values


def merge_maps(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Helm's ``mergeMaps`` for ``-f`` files: ``second`` wins; nested maps merge, anything else is replaced."""
    out = dict(first)
    for key, value in second.items():
        if isinstance(value, dict):
            existing = out.get(key)
            if isinstance(existing, dict):
                out[key] = merge_maps(existing, value)
                continue
        out[key] = value
    return out


def deep_copy(value: Any) -> Any:
    """A copy of a values tree (maps and lists copied, scalars shared), as Go's copystructure."""
    if isinstance(value, dict):
        return {key: deep_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [deep_copy(item) for item in value]
    return value


# --------------------------------------------------------------------------------------------------
# --set (pkg/strvals)


class _Runes:
    """A rune reader with one rune of push-back, like Go's bytes.Buffer used by strvals."""

    __slots__ = ("pos", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def read(self) -> str | None:
        if self.pos >= len(self.text):
            return None
        ch = self.text[self.pos]
        self.pos += 1
        return ch

    def unread(self) -> None:
        self.pos -= 1

    def until(self, stop: str) -> tuple[str, str | None]:
        """Runes up to (not including) a stop rune, with ``\\`` escaping; (text, stop rune or None at end)."""
        out: list[str] = []
        while True:
            ch = self.read()
            if ch is None:
                return "".join(out), None
            if ch in stop:
                return "".join(out), ch
            if ch == "\\":
                following = self.read()
                if following is None:
                    return "".join(out), None
                out.append(following)
            else:
                out.append(ch)


class _EndOfInput(Exception):
    """Go's io.EOF inside the strvals parser."""


class _NotList(Exception):
    """strvals.ErrNotList."""


_INT64 = re.compile(r"[+-]?[0-9]+")


def _typed_value(text: str) -> Any:
    """strvals ``typedVal``: booleans, null, int64 (no leading zero), else the string."""
    lowered = text.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    if lowered == "null":
        return None
    if text == "0":
        return 0
    if text and text[0] != "0" and len(text) <= 20 and _INT64.fullmatch(text):  # int64 has at most 19 digits
        number = int(text)
        if -(2**63) <= number < 2**63:
            return number
    return text


class _SetParser:
    """A port of Helm's strvals parser (ParseInto with type inference)."""

    def __init__(self, text: str, data: dict[str, Any], as_strings: bool = False) -> None:
        self.runes = _Runes(text)
        self.data = data
        self.as_strings = as_strings  # --set-string: every value stays a string

    def typed(self, text: str) -> Any:
        return text if self.as_strings else _typed_value(text)

    def parse(self) -> None:
        while True:
            try:
                self.key(self.data, 0)
            except _EndOfInput:
                return

    def key(self, data: dict[str, Any], nesting: int) -> None:
        while True:
            key, last = self.runes.until("=[,.")
            if last is None:
                if not key:
                    raise _EndOfInput()
                raise ValuesError(f'key "{key}" has no value')
            if last == "[":
                index = self.key_index()
                existing = data.get(key, [])
                if key in data and not isinstance(existing, list):
                    raise ValuesError(
                        f"unable to parse key: interface conversion: interface {{}} is "
                        f"{_go_type(existing)}, not []interface {{}}"
                    )
                items = list(existing) if isinstance(existing, list) else []
                try:
                    items = self.list_item(items, index, nesting)
                finally:
                    _set(data, key, items)
                return
            if last == "=":
                try:
                    value_list = self.value_list()
                except _EndOfInput:
                    _set(data, key, "")
                    raise
                except _NotList:
                    text, _ = self.runes.until(",")
                    _set(data, key, self.typed(text))
                    return
                _set(data, key, value_list)
                return
            if last == ",":
                _set(data, key, "")
                raise ValuesError(f'key "{key}" has no value (cannot end with ,)')
            # last == "."
            nesting += 1
            if nesting > MAX_SET_NESTING:
                raise ValuesError(
                    f"value name nested level is greater than maximum supported nested level of {MAX_SET_NESTING}"
                )
            inner = data.get(key) if key in data else {}
            if not isinstance(inner, dict):
                raise ValuesError(
                    f"unable to parse key: interface conversion: interface {{}} is "
                    f"{_go_type(inner)}, not map[string]interface {{}}"
                )
            error: Exception | None = None
            try:
                self.key(inner, nesting)
            except _EndOfInput as end:
                error = end
            if error is None and not inner:
                raise ValuesError(f'key map "{key}" has no value')
            if inner:
                _set(data, key, inner)
            if error is not None:
                raise error
            return

    def key_index(self) -> int:
        text, last = self.runes.until("]")
        if last is None:
            raise ValuesError("error parsing index: EOF")
        if not re.fullmatch(r"[+-]?[0-9]+", text):
            raise ValuesError(f'error parsing index: strconv.Atoi: parsing "{text}": invalid syntax')
        if (
            len(text.lstrip("+-").lstrip("0")) > 19
        ):  # beyond int64: Go's Atoi refuses it, Python's int() raises
            raise ValuesError(
                f'error parsing index: strconv.Atoi: parsing "{text[:24]}...": value out of range'
            )
        return int(text)

    def list_item(self, items: list[Any], index: int, nesting: int) -> list[Any]:
        if index < 0:
            raise ValuesError(f"negative {index} index not allowed")
        text, last = self.runes.until("[.=")
        if text:
            raise ValuesError(f'unexpected data at end of array index: "{text}"')
        if last is None:
            raise _EndOfInput()
        if last == "=":
            try:
                value: Any = self.value_list()
            except _EndOfInput:
                return _set_index(items, index, "")
            except _NotList:
                raw, _ = self.runes.until(",")
                value = self.typed(raw)
            return _set_index(items, index, value)
        if last == "[":
            next_index = self.key_index()
            current: list[Any] = []
            if len(items) > index and items[index] is not None:
                if not isinstance(items[index], list):
                    raise ValuesError(
                        "unable to parse key: interface conversion: interface {} is "
                        f"{_go_type(items[index])}, not []interface {{}}"
                    )
                current = list(items[index])
            nested = self.list_item(current, next_index, nesting)
            return _set_index(items, index, nested)
        # last == "."
        inner: dict[str, Any] = {}
        if len(items) > index:
            if isinstance(items[index], dict):
                inner = items[index]
            else:
                items[index] = inner
        self.key(inner, nesting)
        return _set_index(items, index, inner)

    def value_list(self) -> list[Any]:
        ch = self.runes.read()
        if ch is None:
            raise _EndOfInput()
        if ch != "{":
            self.runes.unread()
            raise _NotList()
        items: list[Any] = []
        while True:
            text, last = self.runes.until(",}")
            if last is None:
                raise ValuesError("list must terminate with '}'")
            if last == "}":
                following = self.runes.read()
                if following is not None and following != ",":
                    self.runes.unread()
                items.append(self.typed(text))
                return items
            items.append(self.typed(text))


def _go_type(value: Any) -> str:
    from medlint.helm.gofmt import type_name

    return type_name(value)


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    if key:
        data[key] = value


def _set_index(items: list[Any], index: int, value: Any) -> list[Any]:
    if index < 0:
        raise ValuesError(f"negative {index} index not allowed")
    if index > MAX_SET_INDEX:
        raise ValuesError(f"index of {index} is greater than maximum supported index of {MAX_SET_INDEX}")
    if len(items) <= index:
        items = items + [None] * (index + 1 - len(items))
    items[index] = value
    return items


def parse_set(expression: str, dest: dict[str, Any], as_strings: bool = False) -> None:
    """``strvals.ParseInto`` (``ParseIntoString`` with ``as_strings``): apply one ``--set`` argument
    (``a.b=1,c[0]=x``) to ``dest`` in place."""
    _SetParser(expression, dest, as_strings).parse()


def apply_set_values(
    values: dict[str, Any], expressions: Iterable[str], string_expressions: Iterable[str] = ()
) -> dict[str, Any]:
    """Apply ``--set`` then ``--set-string`` arguments in order, as Helm does; errors read like Helm's."""
    for expression in expressions:
        try:
            parse_set(expression, values)
        except ValuesError as error:
            raise ValuesError(f"failed parsing --set data: {error}") from None
    for expression in string_expressions:
        try:
            parse_set(expression, values, as_strings=True)
        except ValuesError as error:
            raise ValuesError(f"failed parsing --set-string data: {error}") from None
    return values


# --------------------------------------------------------------------------------------------------
# Coalescing (pkg/chartutil/coalesce.go)


def coalesce_values(chart: HelmChart, values: dict[str, Any] | None, merge: bool = False) -> dict[str, Any]:
    """``CoalesceValues`` (merge=False) or ``MergeValues`` (merge=True) of a chart and its subcharts.

    ``values`` (user values, highest priority) is copied first; the result holds the chart's defaults
    below them and one section per subchart, with globals pushed down.
    """
    dest = deep_copy(values) if values else {}
    return _coalesce(chart, dest, merge)


def _coalesce(chart: HelmChart, dest: dict[str, Any], merge: bool) -> dict[str, Any]:
    _coalesce_chart_values(chart, dest, merge)
    return _coalesce_dependencies(chart, dest, merge)


def _coalesce_dependencies(chart: HelmChart, dest: dict[str, Any], merge: bool) -> dict[str, Any]:
    for subchart in chart.dependencies:
        name = subchart.name
        if name not in dest:
            dest[name] = {}
        elif not isinstance(dest[name], dict):
            raise ValuesError(f"type mismatch on {name}: %!t({_go_type(dest[name])}={dest[name]})")
        section = dest[name]
        _coalesce_globals(section, dest)
        dest[name] = _coalesce(subchart, section, merge)
    return dest


def _coalesce_globals(dest: dict[str, Any], src: dict[str, Any]) -> None:
    """Copy the parent's ``global`` section into a subchart section; the parent's globals win."""
    dest_globals = dest.get(GLOBAL_KEY, {}) if GLOBAL_KEY in dest else {}
    if not isinstance(dest_globals, dict):
        return
    src_globals = src.get(GLOBAL_KEY, {}) if GLOBAL_KEY in src else {}
    if not isinstance(src_globals, dict):
        return
    for key, value in src_globals.items():
        if isinstance(value, dict):
            copied = dict(value)
            if key not in dest_globals:
                dest_globals[key] = copied
            elif isinstance(dest_globals[key], dict):
                _coalesce_tables(copied, dest_globals[key], True)
                dest_globals[key] = copied
            # a map cannot be merged onto a non-map: Helm skips it
        elif isinstance(dest_globals.get(key), dict):
            continue  # Helm skips a scalar over a table
        else:
            dest_globals[key] = value
    dest[GLOBAL_KEY] = dest_globals


def _clean_nulls(mapping: dict[str, Any]) -> None:
    """Helm's cleanNilValues: drop null entries of chart defaults, recursively, in place."""
    for key in [key for key, value in mapping.items() if value is None]:
        del mapping[key]
    for value in mapping.values():
        if isinstance(value, dict):
            _clean_nulls(value)


def _coalesce_chart_values(chart: HelmChart, values: dict[str, Any], merge: bool) -> None:
    """``coalesceValues``: the chart's defaults under ``values``.

    When coalescing (not merging), ``null`` entries of chart defaults are dropped before they are
    copied in (Helm 4: a default ``null`` neither shows up as a value nor erases a subchart default;
    the golden output of Helm's issue-9027 test shows it). A user ``null`` still deletes a default.
    """
    defaults = deep_copy(chart.values)
    subchart_names = {dependency.name for dependency in chart.dependencies}
    for key, default in defaults.items():
        if key in values:
            value = values[key]
            if value is None and not merge:
                del values[key]
            elif isinstance(value, dict) and isinstance(default, dict):
                table_merge = merge or key in subchart_names
                if not table_merge:
                    _clean_nulls(default)
                _coalesce_tables(value, default, table_merge)
        else:
            if not merge:
                if default is None:
                    continue
                if isinstance(default, dict):
                    _clean_nulls(default)
            values[key] = default


def coalesce_tables(dst: dict[str, Any], src: dict[str, Any], merge: bool = False) -> dict[str, Any]:
    """``CoalesceTables`` / ``MergeTables``: merge ``src`` under ``dst`` (``dst`` wins), in place."""
    return _coalesce_tables(dst, src, merge)


def _coalesce_tables(dst: dict[str, Any] | None, src: dict[str, Any] | None, merge: bool) -> dict[str, Any]:
    if src is None:
        return dst if dst is not None else {}
    if dst is None:
        return src
    source_non_null = {key for key, value in src.items() if value is not None}
    for key, value in dst.items():
        if value is None:
            src[key] = None
    for key, value in src.items():
        if key in dst:
            existing = dst[key]
            if existing is None and not merge and key in source_non_null:
                del dst[key]
            elif isinstance(value, dict) and isinstance(existing, dict):
                _coalesce_tables(existing, value, merge)
        else:
            dst[key] = value
    return dst


# --------------------------------------------------------------------------------------------------
# Dependencies: aliases, conditions, tags, import-values (pkg/chartutil/dependencies.go)


def is_compatible_range(constraint: str, version: str) -> bool:
    """``IsCompatibleRange``: False for an invalid constraint or version (an empty constraint is invalid)."""
    try:
        return check_constraint(constraint, version)
    except SemverError:
        return False


class _NoValue(Exception):
    pass


def path_value(values: dict[str, Any], path: str) -> Any:
    """``Values.PathValue``: the value at a dotted path; raises KeyError when absent."""
    if not path:
        raise KeyError(path)
    parts = path.split(".")
    node: Any = values
    for part in parts[:-1]:
        if not isinstance(node, dict) or not isinstance(node.get(part), dict):
            raise KeyError(path)
        node = node[part]
    if not isinstance(node, dict) or parts[-1] not in node:
        raise KeyError(path)
    return node[parts[-1]]


def _table(values: dict[str, Any], path: str) -> dict[str, Any] | None:
    """``Values.Table``: the map at a dotted path, or None."""
    node: Any = values
    for part in path.split("."):
        if not isinstance(node, dict) or not isinstance(node.get(part), dict):
            return None
        node = node[part]
    return node


def _aliased(charts: Sequence[HelmChart], requirement: Any) -> HelmChart | None:
    for candidate in charts:
        if candidate.name != requirement.name:
            continue
        if not is_compatible_range(requirement.version, candidate.metadata.version):
            continue
        if requirement.alias:
            return candidate.renamed(requirement.alias)
        return candidate.renamed(candidate.name)
    return None


def _apply_tags(requirements: list[Any], values: dict[str, Any]) -> None:
    tags = _table(values, "tags")
    if tags is None:
        return
    for requirement in requirements:
        has_true = has_false = False
        for tag in requirement.tags:
            if tag in tags and isinstance(tags[tag], bool):
                if tags[tag]:
                    has_true = True
                else:
                    has_false = True
        if not has_true and has_false:
            requirement.enabled = False
        elif has_true or not has_false:
            requirement.enabled = True


def _apply_conditions(requirements: list[Any], values: dict[str, Any], prefix: str) -> None:
    for requirement in requirements:
        for condition in requirement.condition.strip().split(","):
            if not condition:
                continue
            try:
                value = path_value(values, prefix + condition)
            except KeyError:
                continue
            if isinstance(value, bool):
                requirement.enabled = value
                break


def _process_enabled(chart: HelmChart, values: dict[str, Any], prefix: str) -> None:
    """``processDependencyEnabled``: apply aliases, then drop dependencies switched off by tags/conditions."""
    requirements = chart.metadata.dependencies
    if not requirements:
        return
    kept: list[HelmChart] = []
    for existing in chart.dependencies:
        if not any(
            existing.name == req.name and is_compatible_range(req.version, existing.metadata.version)
            for req in requirements
        ):
            kept.append(existing)
    for requirement in requirements:
        found = _aliased(chart.dependencies, requirement)
        if found is not None:
            kept.append(found)
        if requirement.alias:
            requirement.name = requirement.alias
    chart.set_dependencies(kept)
    for requirement in requirements:
        requirement.enabled = True
    coalesced = coalesce_values(chart, values)
    _apply_tags(requirements, coalesced)
    _apply_conditions(requirements, coalesced, prefix)
    disabled = {req.name for req in requirements if not req.enabled}
    enabled_charts = [dep for dep in chart.dependencies if dep.name not in disabled]
    for dependency in enabled_charts:
        _process_enabled(dependency, coalesced, prefix + dependency.name + ".")
    chart.metadata.dependencies = [req for req in requirements if req.name not in disabled]
    chart.set_dependencies(enabled_charts)


def _path_to_map(path: str, data: dict[str, Any]) -> dict[str, Any]:
    if path == ".":
        return data
    result: Any = data
    for part in reversed([part for part in path.split(".") if part]):
        result = {part: result}
    return result


def _process_import_values(chart: HelmChart) -> None:
    requirements = chart.metadata.dependencies
    if not requirements:
        return
    coalesced = coalesce_values(chart, None, merge=True)
    imported: dict[str, Any] = {}
    for requirement in requirements:
        normalised: list[Any] = []
        for entry in requirement.import_values:
            if isinstance(entry, dict):
                child, parent = str(entry.get("child", "")), str(entry.get("parent", ""))
                normalised.append({"child": child, "parent": parent})
                table = _table(coalesced, f"{requirement.name}.{child}")
                if table is None:
                    continue
                imported = _coalesce_tables(imported, _path_to_map(parent, deep_copy(table)), True)
            elif isinstance(entry, str):
                child = "exports." + entry
                normalised.append({"child": child, "parent": "."})
                table = _table(coalesced, f"{requirement.name}.{child}")
                if table is None:
                    continue
                imported = _coalesce_tables(imported, deep_copy(table), True)
        requirement.import_values = normalised
    chart.values = _coalesce_tables(deep_copy(coalesced), imported, True)


def _process_import_values_recursively(chart: HelmChart) -> None:
    for dependency in chart.dependencies:
        _process_import_values_recursively(dependency)
    _process_import_values(chart)


def process_dependencies(chart: HelmChart, values: dict[str, Any]) -> None:
    """``ProcessDependenciesWithMerge``: resolve aliases, drop disabled subcharts, import values.

    Mutates ``chart`` (its dependency list, its requirements and, through import-values, its
    default values), as Helm does; call it on a fresh copy of a loaded chart.
    """
    _process_enabled(chart, values, "")
    _process_import_values_recursively(chart)
