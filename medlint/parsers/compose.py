"""Docker Compose files into ComposeProject / ComposeService / Workload model objects.

Follows the Compose Specification as implemented by compose-go: per file, YAML (anchors and `<<` merge keys
resolved by the loader) then interpolation from the project's `.env` only; then `extends` (same file or
another file, recursively) and `include`, with the Compose merge rules and the `!reset` / `!override` tags.

Merged services mix values written in several files, so the trees built here (`SourcedMap`/`SourcedList`)
remember the file of every key and item as well as its position; use `compose_value_location` and friends,
not `medlint.source.value_location`, to point at a value of a service's `raw` tree.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from medlint.limits import DEFAULT_LIMITS, Limits
from medlint.model import (
    ArtifactKind,
    ComposeProject,
    ComposeService,
    Container,
    ContainerRole,
    EnvSource,
    EnvVar,
    ImageRef,
    Located,
    Probe,
    Resources,
    SecurityContext,
    Setting,
    Workload,
)
from medlint.model.budget import ExpansionBudget, ExpansionLimitError
from medlint.model.compose import BuildContextReference
from medlint.model.durations import duration_seconds
from medlint.model.images import parse_image_reference
from medlint.model.interpolation import (
    InterpolatedText,
    InterpolationError,
    interpolate,
    interpolation_of,
)
from medlint.model.shell import split_words
from medlint.model.tree import Node
from medlint.parsers import compose_service as service_facts
from medlint.parsers.dotenv import parse_dotenv
from medlint.source import Location, SourceError, TaggedValue, YamlList, YamlMap, load_yaml_documents

ReadFile = Callable[[str], str]

KEEP_TAGS = frozenset({"!reset", "!override"})
RESET = "!reset"  # `!override` needs no name: any tagged value that is not a reset replaces
TOP_LEVEL_RESOURCES = ("secrets", "configs", "volumes", "networks")
DEFAULT_DOCKERFILE = "Dockerfile"
_Span = tuple[int, int, int, int]


# --------------------------------------------------------------------------------------------------
# Trees that remember the file of each value: medlint.model.compose_positions (re-exported here)

from medlint.model.compose_positions import (  # noqa: E402  (kept importable from this module)
    SourcedList,
    SourcedMap,
    compose_key_location,
    compose_located,
    compose_value_location,
)


def _new_map_like(template: YamlMap, path: str) -> SourcedMap:
    result = SourcedMap(getattr(template, "path", path))
    result.line, result.column = template.line, template.column
    return result


def _put(target: SourcedMap, key: Any, value: Any, source: YamlMap) -> None:
    """Set `target[key]`, taking the key's positions and file from where `source[key]` was written."""
    target[key] = value
    target.copy_spans(key, source)
    target.key_paths[key] = (
        source.key_paths.get(key, source.path) if isinstance(source, SourcedMap) else target.path
    )


def _remove(target: SourcedMap, key: Any) -> None:
    target.pop(key, None)
    target.drop_spans(key)
    target.key_paths.pop(key, None)


def _append(target: SourcedList, value: Any, span: _Span | None, path: str) -> None:
    target.append(value)
    target.append_item_span(span or (target.line, target.column, target.line, target.column))
    target.item_paths.append(path)


def _copy_map(source: SourcedMap, keys: Iterable[Any] | None = None) -> SourcedMap:
    result = _new_map_like(source, source.path)
    for key in source if keys is None else keys:
        _put(result, key, source[key], source)
    return result


def _item_path(node: YamlList, index: int) -> str:
    if isinstance(node, SourcedList) and index < len(node.item_paths):
        return node.item_paths[index]
    return getattr(node, "path", "")


def _item_span(node: YamlList, index: int) -> _Span | None:
    return node.item_span(index)


# --------------------------------------------------------------------------------------------------
# Loading one file: YAML, then interpolation into Sourced trees


class _FileConverter:
    """Copies a loaded YAML tree into Sourced nodes of one file, interpolating every string value."""

    def __init__(
        self, path: str, text: str, variables: Mapping[str, str], budget: ExpansionBudget | None = None
    ) -> None:
        self.path = path
        self.text = text
        self.variables = variables
        self.budget = budget or ExpansionBudget()
        self._converted: dict[int, Any] = {}  # aliases share nodes: convert each once
        self._line_starts: list[int] | None = None

    def convert(self, value: Any, span: _Span | None) -> Any:
        if isinstance(value, TaggedValue):
            return TaggedValue(value.tag, self.convert(value.value, span))
        if isinstance(value, (YamlMap, YamlList)):
            known = self._converted.get(id(value))
            if known is None:
                known = self._map(value) if isinstance(value, YamlMap) else self._list(value)
            return known
        if isinstance(value, str) and "$" in value:
            return self._interpolate(value, span)
        return value

    def _map(self, node: YamlMap) -> SourcedMap:
        result = SourcedMap(self.path)
        result.line, result.column = node.line, node.column
        self._converted[id(node)] = result
        for key, value in node.items():
            result[key] = self.convert(value, node.value_span(key))
            result.copy_spans(key, node)
            result.key_paths[key] = self.path
        return result

    def _list(self, node: YamlList) -> SourcedList:
        result = SourcedList(self.path)
        result.line, result.column = node.line, node.column
        self._converted[id(node)] = result
        for index, item in enumerate(node):
            _append(result, self.convert(item, _item_span(node, index)), _item_span(node, index), self.path)
        return result

    def _interpolate(self, value: str, span: _Span | None) -> str:
        try:
            result = interpolate(value, self.variables, self.budget)
        except InterpolationError as err:
            line, column = self._error_position(value, err.offset, span)
            raise SourceError(err.message, line, column) from None
        except ExpansionLimitError as err:
            line, column = span[:2] if span else (1, 1)
            raise SourceError(err.message, line, column) from None
        if not result.references:
            return result.value  # only `$$` escapes (or a `$` that is no reference)
        location = Location(self.path, *span) if span else Location(self.path)
        return InterpolatedText(result.value, result, location)

    def _error_position(self, value: str, offset: int, span: _Span | None) -> tuple[int, int]:
        """Line/column of the offending `$`: the same-numbered `$` in the scalar's source text."""
        if span is None:
            return 1, 1
        start, end = self._offset(span[0], span[1]), self._offset(span[2], span[3])
        wanted = value[:offset].count("$")
        position = start - 1
        for _ in range(wanted + 1):
            position = self.text.find("$", position + 1, end)
            if position < 0:
                return span[0], span[1]
        line = self.text.count("\n", 0, position) + 1
        return line, position - (self.text.rfind("\n", 0, position) + 1) + 1

    def _offset(self, line: int, column: int) -> int:
        if self._line_starts is None:
            self._line_starts = [0] + [match.end() for match in re.finditer("\n", self.text)]
        starts = self._line_starts
        return (starts[line - 1] if line - 1 < len(starts) else len(self.text)) + column - 1


def _load_file(
    path: str, text: str, variables: Mapping[str, str], budget: ExpansionBudget | None = None
) -> SourcedMap:
    """One Compose file as an interpolated, position-keeping tree (documents merged in order)."""
    documents = load_yaml_documents(text, keep_tags=KEEP_TAGS)
    converter = _FileConverter(path, text, variables, budget)
    root: SourcedMap | None = None
    for document in documents:
        value = document.value.value if isinstance(document.value, TaggedValue) else document.value
        if value is None:
            continue
        if not isinstance(value, YamlMap):
            raise SourceError(
                "the top level of a Compose file must be a mapping (services:, volumes:, ...), "
                f"not a {_kind_name(value)}",
                document.line,
                document.column,
            )
        converted = converter.convert(value, None)
        root = converted if root is None else _merge_documents(root, converted)
    if root is None:
        raise SourceError("the Compose file is empty; it needs at least a top-level 'services:' mapping")
    return root


# --------------------------------------------------------------------------------------------------
# Merging (extends, include with several files, multi-document files)


def _strip_tags(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """Apply `!reset` (drop) and `!override` (keep the value) where no merge consumed them."""
    memo = {} if memo is None else memo
    if isinstance(value, TaggedValue):
        return _strip_tags(value.value, memo)
    if not isinstance(value, (SourcedMap, SourcedList)):
        return value
    known = memo.get(id(value))
    if known is not None:
        return known
    if isinstance(value, SourcedMap):
        result: Any = _new_map_like(value, value.path)
        memo[id(value)] = result
        for key, item in value.items():
            if not _is_reset(item):
                _put(result, key, _strip_tags(item, memo), value)
    else:
        result = SourcedList(value.path)
        result.line, result.column = value.line, value.column
        memo[id(value)] = result
        for index, item in enumerate(value):
            if not _is_reset(item):
                _append(result, _strip_tags(item, memo), _item_span(value, index), _item_path(value, index))
    return result


def _is_reset(value: Any) -> bool:
    return isinstance(value, TaggedValue) and value.tag == RESET


def merge_service(base: SourcedMap, override: SourcedMap) -> SourcedMap:
    """A service definition merged onto a base one with the Compose rules (for `extends` and overrides)."""
    if "build" in base and "build" in override:
        base, override = _with_build_mapping(base), _with_build_mapping(override)
    return _merge_mappings(base, override, ())


def _with_build_mapping(service: SourcedMap) -> SourcedMap:
    """The service with `build: ./dir` rewritten as `build: {context: ./dir}`, so both forms merge."""
    build = build_as_mapping(service)
    if build is service.get("build"):
        return service
    result = _copy_map(service)
    result["build"] = build
    return result


def build_as_mapping(service: SourcedMap) -> Any:
    """`build:` as a mapping; the short form `build: ./dir` gives `{context: ./dir}` at the same place."""
    value = service.get("build")
    if value is None or isinstance(value, (Mapping, TaggedValue, list)):
        return value
    location = compose_value_location(service, "build")
    result = SourcedMap(location.path)
    result.line, result.column = location.line, location.column
    result["context"] = value
    span = service.value_span("build")
    if span is not None:
        result.set_spans("context", span, span)
    result.key_paths["context"] = location.path
    return result


def _merge_documents(base: SourcedMap, override: SourcedMap) -> SourcedMap:
    """Two whole Compose files merged: services by the service rules, everything else recursively."""
    result = _copy_map(base)
    for key, value in override.items():
        if _is_reset(value):
            _remove(result, key)
        elif key == "services" and isinstance(result.get(key), SourcedMap) and isinstance(value, SourcedMap):
            services = _copy_map(result[key])
            for name, service in value.items():
                if _is_reset(service):
                    _remove(services, name)
                elif isinstance(services.get(name), SourcedMap) and isinstance(service, SourcedMap):
                    # The service stays where it is first defined (its name and mapping in the base file);
                    # each merged key keeps the file and line that wrote it.
                    first = services[name]
                    merged = merge_service(first, service)
                    merged.line, merged.column, merged.path = first.line, first.column, first.path
                    _put(services, name, merged, services)
                else:
                    _put(services, name, _strip_tags(service), value)
            _put(result, key, services, override)
        elif key in result and isinstance(result[key], SourcedMap) and isinstance(value, SourcedMap):
            _put(result, key, _merge_generic(result[key], value), override)
        else:
            _put(result, key, _strip_tags(value), override)
    return result


def _merge_generic(base: SourcedMap, override: SourcedMap) -> SourcedMap:
    return _merge_mappings(base, override, ("<top-level>",))


# Field paths are relative to a service: ("build", "args").
_REPLACED_FIELDS = {("command",), ("entrypoint",), ("healthcheck", "test")}
_KEYED_FIELDS = {
    ("environment",),
    ("labels",),
    ("annotations",),
    ("sysctls",),
    ("build", "args"),
    ("build", "labels"),
    ("build", "additional_contexts"),
    ("deploy", "labels"),
}
_NAMED_FIELDS = {("depends_on",), ("networks",)}


def _merge_value(base: Any, override: Any, field_path: tuple[str, ...]) -> Any:
    """Merge one field present on both sides (tags inside `override` are applied while merging)."""
    if isinstance(override, TaggedValue):
        return _strip_tags(override)  # `!override`: replace; `!reset` is handled by the caller
    if override is None:
        return base
    if field_path in _REPLACED_FIELDS or (len(field_path) == 2 and field_path[0] == "ulimits"):
        return _strip_tags(override)
    if field_path == ("logging",) and isinstance(base, SourcedMap) and isinstance(override, SourcedMap):
        same_driver = "driver" not in base or "driver" not in override or base["driver"] == override["driver"]
        return _merge_mappings(base, override, field_path) if same_driver else _strip_tags(override)
    if field_path in _KEYED_FIELDS:
        return _merge_mappings(_keyed_mapping(base), _keyed_mapping(override), field_path, shallow=True)
    if field_path in _NAMED_FIELDS:
        return _merge_mappings(_named_mapping(base), _named_mapping(override), field_path)
    if isinstance(base, SourcedMap) and isinstance(override, SourcedMap):
        return _merge_mappings(base, override, field_path)
    if isinstance(base, SourcedList) and isinstance(override, SourcedList):
        return _merge_lists(base, override, _LIST_INDEXERS.get(field_path))
    return _strip_tags(override)


def _merge_mappings(
    base: SourcedMap, override: SourcedMap, field_path: tuple[str, ...], shallow: bool = False
) -> SourcedMap:
    result = _copy_map(_strip_tags(base))
    result.line, result.column, result.path = override.line, override.column, override.path
    for key, value in override.items():
        if _is_reset(value):
            _remove(result, key)
        elif key not in result or shallow or (isinstance(key, str) and key.startswith("x-")):
            _put(result, key, _strip_tags(value), override)
        else:
            _put(result, key, _merge_value(result[key], value, field_path + (str(key),)), override)
    return result


def _merge_lists(
    base: SourcedList, override: SourcedList, indexer: Callable[[Any], str | None] | None
) -> SourcedList:
    """Append the override's items; an item with the same key as an earlier one replaces it in place."""
    result = SourcedList(override.path)
    result.line, result.column = override.line, override.column
    slots: dict[str, int] = {}
    for node in (_strip_tags(base), override):
        for index, item in enumerate(node):
            if _is_reset(item):
                continue
            entry = (_strip_tags(item), _item_span(node, index), _item_path(node, index))
            key = indexer(entry[0]) if indexer else None
            if key is not None and key in slots:
                slot = slots[key]
                result[slot] = entry[0]
                if entry[1] is not None:
                    result.set_item_span(slot, entry[1])
                result.item_paths[slot] = entry[2]
                continue
            if key is not None:
                slots[key] = len(result)
            _append(result, *entry)
    return result


def _list_as_mapping(value: Any, entry: Callable[[Any], tuple[str, Any]]) -> SourcedMap:
    """A list form as a mapping, keeping each item's position and file; a mapping is returned as it is."""
    if isinstance(value, SourcedMap):
        return value
    result = SourcedMap()
    if isinstance(value, SourcedList):
        result.path, result.line, result.column = value.path, value.line, value.column
        for index, item in enumerate(value):
            if _is_reset(item):
                continue
            key, text = entry(_strip_tags(item))
            span = _item_span(value, index)
            result[key] = text
            if span is not None:
                result.set_spans(key, span, span)
            result.key_paths[key] = _item_path(value, index)
    return result


def _keyed_mapping(value: Any) -> SourcedMap:
    """`KEY=VALUE` lists (environment, labels, args...) as a mapping keyed by KEY."""
    return _list_as_mapping(value, split_assignment)


def _named_mapping(value: Any) -> SourcedMap:
    """`depends_on`/`networks` lists as mappings keyed by name."""
    return _list_as_mapping(value, lambda item: (str(item), None))


def split_assignment(item: Any) -> tuple[str, str | None]:
    """`KEY=VALUE` into (KEY, VALUE); `KEY` alone gives (KEY, None). Keeps interpolation metadata."""
    text = "" if item is None else str(item)
    key, separator, value = text.partition("=")
    if not separator:
        return key, None
    if isinstance(item, InterpolatedText):
        return key, InterpolatedText(value, item.interpolation, item.location)
    return key, value


def _volume_target(item: Any) -> str | None:
    if isinstance(item, Mapping):
        return str(item.get("target")) if item.get("target") is not None else None
    parts = str(item).split(":")
    if len(parts) >= 2 and len(parts[0]) == 1 and parts[0].isalpha():  # a Windows drive letter
        parts = [parts[0] + ":" + parts[1], *parts[2:]]
    return parts[1] if len(parts) >= 2 else parts[0]


def _port_key(item: Any) -> str | None:
    if isinstance(item, Mapping):
        return (
            f"{item.get('host_ip', '0.0.0.0')}:{item.get('published', '')}:"
            f"{item.get('target', '')}/{item.get('protocol', 'tcp')}"
        )
    return str(item)


def _mount_key(default_directory: str) -> Callable[[Any], str | None]:
    def key(item: Any) -> str | None:
        if isinstance(item, Mapping):
            return str(item["target"]) if item.get("target") else f"{default_directory}/{item.get('source')}"
        return f"{default_directory}/{item}"

    return key


def _plain_key(item: Any) -> str | None:
    return None if isinstance(item, Mapping) else str(item)


def _env_file_key(item: Any) -> str | None:
    return str(item.get("path")) if isinstance(item, Mapping) else str(item)


_LIST_INDEXERS: dict[tuple[str, ...], Callable[[Any], str | None]] = {
    ("volumes",): _volume_target,
    ("devices",): _volume_target,
    ("ports",): _port_key,
    ("secrets",): _mount_key("/run/secrets"),
    ("configs",): _mount_key(""),
    ("expose",): _plain_key,
    ("cap_add",): _plain_key,
    ("cap_drop",): _plain_key,
    ("profiles",): _plain_key,
    ("links",): _plain_key,
    ("dns",): _plain_key,
    ("dns_opt",): _plain_key,
    ("dns_search",): _plain_key,
    ("tmpfs",): _plain_key,
    ("extra_hosts",): _plain_key,
    ("env_file",): _env_file_key,
    ("build", "tags"): _plain_key,
    ("build", "platforms"): _plain_key,
}


# --------------------------------------------------------------------------------------------------
# The project: extends and include


def _resolve_path(current_file: str, reference: str) -> str:
    """A path written in `current_file`, as a normalised repository-relative path."""
    joined = posixpath.join(posixpath.dirname(current_file), reference)
    return posixpath.normpath(joined)


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")


def _is_remote(reference: str) -> bool:
    """A URL, git or OCI reference, or any `scheme:` a Compose resource loader handles: medlint reads none."""
    return bool(_SCHEME.match(reference)) or reference.startswith(("git@", "github.com/"))


def _wrap_error(other_path: str, error: SourceError, at: Location) -> SourceError:
    """An error inside another file, reported at the line of this file that brought that file in."""
    return SourceError(
        f"in {other_path} line {error.line} column {error.column}: {error.message}", at.line, at.column
    )


@dataclass
class _Shared:
    """What every loader of one project shares: budgets, the files read, and included projects.

    Includes form a graph, never expanded as a tree: a file included twice (or by two files) with the
    same variables is resolved once. Each file read counts against ``limits.max_compose_files``.
    """

    limits: Limits = DEFAULT_LIMITS
    budget: ExpansionBudget = field(default_factory=ExpansionBudget)
    files: set[str] = field(default_factory=set)
    projects: dict[tuple[str, tuple[tuple[str, str], ...]], SourcedMap] = field(default_factory=dict)

    def count_file(self, path: str, at: Location) -> None:
        self.files.add(path)
        limit = self.limits.max_compose_files
        if len(self.files) > limit:
            raise SourceError(
                f"the project reads more than {limit} Compose files through include and extends "
                "(limits.max_compose_files); medlint stops here",
                at.line,
                at.column,
            )


@dataclass
class _ProjectLoader:
    """Resolves `include` and `extends` for files sharing one set of variables (one `.env`).

    As in compose-go, a file's includes are imported first, so its services may extend included ones.
    """

    read_file: ReadFile | None
    variables: Mapping[str, str]
    include_stack: tuple[str, ...] = ()
    roots: dict[str, SourcedMap] = field(default_factory=dict)
    resolved: dict[tuple[str, Any], SourcedMap] = field(default_factory=dict)
    imported: dict[str, SourcedMap] = field(default_factory=dict)  # per file: services brought by include
    shared: _Shared = field(default_factory=_Shared)

    def read(self, path: str, at: Location, what: str) -> SourcedMap:
        """Load another file through read_file, reporting problems at the line that names it."""
        known = self.roots.get(path)
        if known is not None:
            return known
        assert self.read_file is not None
        self.shared.count_file(path, at)
        try:
            text = self.read_file(path)
        except (SourceError, OSError) as err:
            detail = err.message if isinstance(err, SourceError) else (err.strerror or str(err))
            raise SourceError(
                f"cannot read {what} {path!r}: {detail}; paths are relative to the file that names them",
                at.line,
                at.column,
            ) from None
        try:
            root = _load_file(path, text, self.variables, self.shared.budget)
        except SourceError as err:
            raise _wrap_error(path, err, at) from None
        self.roots[path] = root
        return root

    # -- a whole file

    def resolve_project(self, path: str, root: SourcedMap) -> SourcedMap:
        """A file's tree with its includes imported and `extends` applied to its services."""
        included = self.include_all(path, root)
        self.imported[path] = included.get("services") or SourcedMap(path)
        own = self.resolve_services(path, root)
        result = _copy_map(root, [key for key in root if key not in ("include", "services")])
        _put(result, "services", own, root)
        return _import_resources(result, included)  # tags left for a later file merge; parse_compose strips

    def services_of(self, path: str, root: SourcedMap) -> SourcedMap:
        services = root.get("services")
        if isinstance(services, TaggedValue):
            services = services.value
        if services is None:
            return SourcedMap(path)
        if not isinstance(services, SourcedMap):
            at = compose_key_location(root, "services")
            raise SourceError(
                f"'services' must be a mapping of service names to definitions, not a {_kind_name(services)}",
                at.line,
                at.column,
            )
        return services

    # -- extends

    def resolve_services(self, path: str, root: SourcedMap) -> SourcedMap:
        """All services of a file with `extends` applied, in file order."""
        services = self.services_of(path, root)
        result = _new_map_like(services, path)
        for name in services:
            if not _is_reset(services[name]):
                _put(result, name, self.resolve_service(path, services, name, ()), services)
        return result

    def resolve_service(
        self, path: str, services: SourcedMap, name: Any, stack: tuple[tuple[str, Any], ...]
    ) -> SourcedMap:
        key = (path, name)
        known = self.resolved.get(key)
        if known is not None:
            return known
        definition = services[name]
        if isinstance(definition, TaggedValue):
            definition = definition.value
        if definition is None:  # `name:` with nothing under it: an empty service
            definition = SourcedMap(path)
            definition.line, definition.column = compose_key_location(services, name).line, 1
        if not isinstance(definition, SourcedMap):
            at = compose_value_location(services, name)
            raise SourceError(
                f"service {name!r} must be a mapping (image:, build:, ...), not a {_kind_name(definition)}",
                at.line,
                at.column,
            )
        resolved = self.apply_extends(path, services, name, definition, stack + (key,))
        self.resolved[key] = resolved
        return resolved

    def apply_extends(
        self,
        path: str,
        services: SourcedMap,
        name: Any,
        definition: SourcedMap,
        stack: tuple[tuple[str, Any], ...],
    ) -> SourcedMap:
        if "extends" not in definition:
            return definition
        at = compose_value_location(definition, "extends")
        own = _copy_map(definition, [key for key in definition if key != "extends"])
        base_file, base_name = self.extends_target(definition["extends"], at)
        if base_file is not None and (self.read_file is None or _is_remote(base_file)):
            return own  # nothing to read it with: keep what the service says itself
        base_path = path if base_file is None else _resolve_path(path, base_file)
        if (base_path, base_name) in stack:
            chain = " -> ".join(str(item[1]) for item in stack[stack.index((base_path, base_name)) :])
            raise SourceError(
                f"extends cycle: {chain} -> {base_name}; remove one of these extends", at.line, at.column
            )
        if base_path == path:
            base = self.base_in_same_file(path, services, name, base_name, stack, at)
        else:
            base = self.base_in_other_file(base_path, name, base_name, stack, at)
        return merge_service(base, own)

    def base_in_same_file(
        self,
        path: str,
        services: SourcedMap,
        name: Any,
        base_name: str,
        stack: tuple[tuple[str, Any], ...],
        at: Location,
    ) -> SourcedMap:
        if base_name in services:
            return self.resolve_service(path, services, base_name, stack)
        included = self.imported.get(path, SourcedMap()).get(base_name)
        if isinstance(included, SourcedMap):
            return included
        raise SourceError(
            f"service {name!r} extends {base_name!r}, which is not defined in this file; fix the name or define it",
            at.line,
            at.column,
        )

    def base_in_other_file(
        self, base_path: str, name: Any, base_name: str, stack: tuple[tuple[str, Any], ...], at: Location
    ) -> SourcedMap:
        root = self.read(base_path, at, "extends file")
        try:
            base_services = self.services_of(base_path, root)
        except SourceError as err:
            raise _wrap_error(base_path, err, at) from None
        if base_name not in base_services:
            raise SourceError(
                f"service {name!r} extends {base_name!r}, which is not defined in {base_path!r}; "
                "fix the name or the file",
                at.line,
                at.column,
            )
        try:
            return self.resolve_service(base_path, base_services, base_name, stack)
        except SourceError as err:
            raise _wrap_error(base_path, err, at) from None

    @staticmethod
    def extends_target(value: Any, at: Location) -> tuple[str | None, str]:
        """(file or None, service) of an `extends:` value: a service name or {service:, file:}."""
        if isinstance(value, str) and value:
            return None, value
        if isinstance(value, Mapping) and isinstance(value.get("service"), str) and value["service"]:
            file_name = value.get("file")
            return (str(file_name) if file_name else None), value["service"]
        raise SourceError(
            "'extends' must name a service ('extends: base') or be a mapping with 'service:' and optional 'file:'",
            at.line,
            at.column,
        )

    # -- include

    def include_all(self, path: str, root: SourcedMap) -> SourcedMap:
        """Services and resources of every included project (empty without read_file: includes are skipped)."""
        result = SourcedMap(path)
        entries = root.get("include")
        if self.read_file is None or entries is None:
            return result
        if not isinstance(entries, SourcedList):
            at = compose_value_location(root, "include")
            raise SourceError(
                "'include' must be a list of paths or of mappings with 'path:'", at.line, at.column
            )
        for index, entry in enumerate(entries):
            at = compose_value_location(entries, index)
            project = self.include(path, entry, at)
            if project is not None:
                result = _import_resources(result, project, at)
        return result

    def include(self, path: str, entry: Any, at: Location) -> SourcedMap | None:
        paths, project_directory, env_files = _include_entry(entry, at)
        local = [_resolve_path(path, item) for item in paths if not _is_remote(item)]
        if not local:
            return None
        for included in local:
            if included in self.include_stack or included == path:
                chain = " -> ".join((*self.include_stack, path, included))
                raise SourceError(f"include cycle: {chain}; remove one of these includes", at.line, at.column)
        directory = (
            _resolve_path(path, project_directory) if project_directory else posixpath.dirname(local[0])
        )
        env_paths = [_resolve_path(path, item) for item in env_files] or [posixpath.join(directory, ".env")]
        variables = {**self._included_variables(env_paths, required=bool(env_files), at=at), **self.variables}
        child = _ProjectLoader(self.read_file, variables, self.include_stack + (path,), shared=self.shared)
        variables_key = tuple(sorted(variables.items()))
        merged: SourcedMap | None = None
        for included in local:
            key = (included, variables_key)
            project = self.shared.projects.get(key)  # each file with the same variables is resolved once
            if project is None:
                root = child.read(included, at, "included file")
                try:
                    project = child.resolve_project(included, root)
                except SourceError as err:
                    raise _wrap_error(included, err, at) from None
                self.shared.projects[key] = project
            merged = project if merged is None else _merge_documents(merged, project)
        return merged

    def _included_variables(self, env_paths: list[str], required: bool, at: Location) -> dict[str, str]:
        """Variables of an included project's own `.env` (or its `env_file:`); the includer's win."""
        variables: dict[str, str] = {}
        assert self.read_file is not None
        for env_path in env_paths:
            try:
                text = self.read_file(env_path)
            except (SourceError, OSError) as err:
                if required:
                    raise SourceError(
                        f"cannot read env_file {env_path!r} of include: {err}; fix the path",
                        at.line,
                        at.column,
                    ) from None
                continue
            try:
                variables.update(parse_dotenv(text, self.shared.budget, env_path))
            except SourceError as err:
                raise SourceError(err.message, at.line, at.column) from None
        return variables


_SCALAR_NAMES = {str: "string", bool: "boolean", int: "number", float: "number", type(None): "null value"}


def _kind_name(value: Any) -> str:
    if isinstance(value, Mapping):
        return "mapping"
    if isinstance(value, list):
        return "list"
    return _SCALAR_NAMES.get(type(value), "scalar")  # the value itself is never quoted: it may be a secret


def _include_entry(entry: Any, at: Location) -> tuple[list[str], str | None, list[str]]:
    """(paths, project_directory, env files) of one `include:` item (a path or a mapping)."""
    if isinstance(entry, str):
        return [entry], None, []
    if isinstance(entry, Mapping):
        paths = entry.get("path")
        env_files = entry.get("env_file")
        project_directory = entry.get("project_directory")
        path_list = (
            [str(item) for item in paths] if isinstance(paths, list) else ([str(paths)] if paths else [])
        )
        if path_list:
            env_list = (
                [str(item) for item in env_files]
                if isinstance(env_files, list)
                else ([str(env_files)] if env_files else [])
            )
            return path_list, (str(project_directory) if project_directory else None), env_list
    raise SourceError(
        "an 'include' item must be a path or a mapping with 'path:' (a path or a list of paths)",
        at.line,
        at.column,
    )


def _import_resources(project: SourcedMap, imported: SourcedMap, at: Location | None = None) -> SourcedMap:
    """Add an included project's services and top-level resources; redefinitions are errors, as in Compose."""
    result = _copy_map(project)
    for section in ("services", *TOP_LEVEL_RESOURCES):
        incoming = imported.get(section)
        if not isinstance(incoming, SourcedMap) or not incoming:
            continue
        current = result.get(section)
        merged = (
            _copy_map(current) if isinstance(current, SourcedMap) else _new_map_like(incoming, incoming.path)
        )
        for name in incoming:
            if name in merged:
                where = at or compose_key_location(merged, name)
                raise SourceError(
                    f"{section[:-1]} {name!r} is defined both here and in included file "
                    f"{compose_key_location(incoming, name).path!r}; rename or remove one of them",
                    where.line,
                    where.column,
                )
            _put(merged, name, incoming[name], incoming)
        if section in result:
            result[section] = merged
        else:
            _put(result, section, merged, imported)
    return result


# --------------------------------------------------------------------------------------------------
# The model


def parse_compose(
    path: str,
    text: str,
    read_file: ReadFile | None = None,
    env_file_text: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    env_file_path: str = ".env",
) -> ComposeProject:
    """Parse a Compose file into a ComposeProject; raise SourceError when it cannot be parsed.

    `path` is the repository-relative path used in every Location. `read_file(repo_relative_path)` reads
    files named by `extends: {file:}` and `include:` (without it, those are skipped). `env_file_text` is the
    project's `.env` (at `env_file_path`): the only source of variables. Substitution in the project's
    files and `.env` files shares one budget of `limits` (medlint.model.budget).
    """
    return parse_compose_files([(path, text)], read_file, env_file_text, limits, env_file_path)


def parse_compose_files(
    files: Sequence[tuple[str, str]],
    read_file: ReadFile | None = None,
    env_file_text: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    env_file_path: str = ".env",
    base_missing: bool = False,
) -> ComposeProject:
    """Several Compose files, (path, text) in order, merged as `docker compose -f first -f second ...` does:
    each file's includes and `extends` are resolved, then each file is merged onto the ones before it with
    the Compose merge rules (services field by field, `!reset` and `!override` honoured).

    The project is named after its first file (subjects and messages); every value keeps the file and line
    it was written at. Paths are resolved against the file that writes them (Compose resolves an override
    file's paths against the first file's folder; the conventions medlint merges by keep both in one folder).
    `base_missing` marks an overlay whose base could not be found (MD002 reports that once).
    """
    path = files[0][0]
    shared = _Shared(limits, ExpansionBudget(limits))
    loader = _ProjectLoader(
        read_file, parse_dotenv(env_file_text, shared.budget, env_file_path), shared=shared
    )
    project: SourcedMap | None = None
    for file_path, text in files:
        shared.files.add(file_path)
        root = _load_file(file_path, text, loader.variables, shared.budget)
        loader.roots[file_path] = root
        resolved = loader.resolve_project(file_path, root)
        project = resolved if project is None else _merge_documents(project, resolved)
    assert project is not None
    project = _strip_tags(project)
    services = project.get("services")
    services = services if isinstance(services, SourcedMap) else SourcedMap(path)
    return ComposeProject(
        path=path,
        services=tuple(
            _service(path, services, name, loader.variables, _top_level_volumes(project)) for name in services
        ),
        top_level={key: project[key] for key in TOP_LEVEL_RESOURCES if key in project},
        definition=Node.root(project, path),
        files=tuple(file_path for file_path, _ in files),
        base_missing=base_missing,
    )


def _top_level_volumes(project: SourcedMap) -> Mapping[str, Any]:
    volumes = project.get("volumes")
    return volumes if isinstance(volumes, dict) else {}


def _service(
    project_path: str,
    services: SourcedMap,
    key: Any,
    variables: Mapping[str, str],
    volumes: Mapping[str, Any],
) -> ComposeService:
    name = _text(key)
    definition = services[key] if isinstance(services.get(key), SourcedMap) else SourcedMap(project_path)
    location = compose_key_location(services, key)
    user = _located_text(definition, "user")
    build_context, dockerfile_path = _build_paths(definition)
    container = Container(
        name=name,
        role=ContainerRole.SERVICE,
        location=location,
        image=_image(definition),
        security=_security(definition, location, user),
        resources=_resources(definition, location),
        probes=_probes(definition),
        env=tuple(_environment(definition, variables)),
        # As in Kubernetes: `command` is the entrypoint, `args` the command, so checks read one argv shape.
        command=command_words(definition, "entrypoint"),
        args=command_words(definition, "command"),
        definition=Node.root(definition, project_path),
    )
    labels_node = definition.get("labels")
    workload = Workload(
        kind="ComposeService",
        name=name,
        artifact=ArtifactKind.COMPOSE,
        path=location.path or project_path,
        location=location,
        subject=f"compose:{project_path}/services/{name}",
        containers=(container,),
        labels=_labels(labels_node),
        labels_anchor=compose_key_location(definition, "labels") if "labels" in definition else location,
        replicas=_replicas(definition),
        definition=Node.root(definition, project_path),
    )
    return ComposeService(
        name=name,
        location=location,
        workload=workload,
        build_context=build_context,
        dockerfile_path=dockerfile_path,
        user=user,
        definition=Node.root(definition, project_path),
        mounts=service_facts.mounts(definition, volumes),
        ports=service_facts.ports(definition),
        depends_on=service_facts.depends_on(definition),
        build_contexts=_build_contexts(definition),
    )


def _build_contexts(definition: SourcedMap) -> tuple[BuildContextReference, ...]:
    """`build.context` (as written, at the `build` key) and each additional context."""
    if "build" not in definition or definition["build"] is None:
        return ()
    build = build_as_mapping(definition)
    if not isinstance(build, Mapping):
        return ()
    context = BuildContextReference(
        _text(build.get("context")) or ".", compose_key_location(definition, "build")
    )
    return (context, *service_facts.additional_contexts(build))


def _text(value: Any) -> str:
    """A scalar as Compose reads it: booleans lower-case, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _located_text(node: SourcedMap, key: str) -> Located[str] | None:
    if key not in node or node[key] is None or isinstance(node[key], (Mapping, list)):
        return None
    return Located(_text(node[key]), compose_value_location(node, key))


def _image(definition: SourcedMap) -> ImageRef | None:
    value = definition.get("image")
    if value is None or isinstance(value, (Mapping, list)) or _text(value) == "":
        return None
    record = interpolation_of(value)
    unresolved = record is not None and not record.resolved
    return parse_image_reference(
        _text(value), compose_value_location(definition, "image"), unresolved=unresolved
    )


def _build_paths(definition: SourcedMap) -> tuple[str | None, str | None]:
    """(context directory, Dockerfile path), repository-relative, resolved against the defining file."""
    if "build" not in definition or definition["build"] is None:
        return None, None
    build_map = build_as_mapping(definition)
    if not isinstance(build_map, Mapping):
        return None, None
    context = _text(build_map.get("context")) or "."
    if _is_remote(context):
        return context, None
    defining_file = compose_value_location(
        build_map, "context", compose_value_location(definition, "build")
    ).path
    context_path = _resolve_path(defining_file, context)
    if "dockerfile_inline" in build_map and "dockerfile" not in build_map:
        return context_path, None
    dockerfile = _text(build_map.get("dockerfile")) or DEFAULT_DOCKERFILE
    return context_path, posixpath.normpath(posixpath.join(context_path, dockerfile))


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    return None


def _bool_setting(definition: SourcedMap, key: str) -> Setting[bool] | None:
    if key not in definition:
        return None
    value = _as_bool(definition[key])
    if value is None:
        return None  # unresolved or malformed: checks read `raw`
    return Setting(value, compose_value_location(definition, key), f"compose {key}")


def _list_setting(definition: SourcedMap, key: str) -> Setting[tuple[str, ...]] | None:
    if key not in definition:
        return None
    value = definition[key]
    items = (
        tuple(_text(item) for item in value)
        if isinstance(value, list)
        else ((_text(value),) if value else ())
    )
    return Setting(items, compose_value_location(definition, key), f"compose {key}")


_SECURITY_KEYS = ("user", "privileged", "cap_add", "cap_drop", "read_only", "security_opt")


def _security(definition: SourcedMap, location: Location, user: Located[str] | None) -> SecurityContext:
    return SecurityContext(
        anchor=location,
        declared=any(key in definition for key in _SECURITY_KEYS),
        run_as_user=Setting(user.value, user.location, "compose user") if user is not None else None,
        privileged=_bool_setting(definition, "privileged"),
        read_only_root_filesystem=_bool_setting(definition, "read_only"),
        capabilities_add=_list_setting(definition, "cap_add"),
        capabilities_drop=_list_setting(definition, "cap_drop"),
        security_options=service_facts.security_options(definition),
    )


_RESOURCE_NAMES = (("memory", "memory"), ("cpus", "cpu"), ("pids", "pids"))
_LEGACY_LIMITS = (("mem_limit", "memory"), ("cpus", "cpu"), ("pids_limit", "pids"))
_LEGACY_REQUESTS = (("mem_reservation", "memory"),)


def _resources(definition: SourcedMap, location: Location) -> Resources:
    """deploy.resources limits/reservations, falling back to the legacy mem_limit/cpus/pids_limit keys."""
    resources = _path(definition, ("deploy", "resources"))
    limits_node = resources.get("limits") if isinstance(resources, SourcedMap) else None
    reservations_node = resources.get("reservations") if isinstance(resources, SourcedMap) else None
    limits = _quantities(definition, _LEGACY_LIMITS) | _quantities(limits_node, _RESOURCE_NAMES)
    requests = _quantities(definition, _LEGACY_REQUESTS) | _quantities(reservations_node, _RESOURCE_NAMES)
    has_limits = isinstance(resources, SourcedMap) and "limits" in resources
    return Resources(
        anchor=compose_key_location(resources, "limits") if has_limits else location,
        requests=requests,
        limits=limits,
    )


def _path(node: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _quantities(node: Any, names: tuple[tuple[str, str], ...]) -> dict[str, Located[str]]:
    if not isinstance(node, SourcedMap):
        return {}
    return {
        model_name: Located(_text(node[key]), compose_value_location(node, key))
        for key, model_name in names
        if node.get(key) is not None and _text(node[key]) != ""
    }


def _probes(definition: SourcedMap) -> tuple[Probe, ...]:
    healthcheck = definition.get("healthcheck")
    if not isinstance(healthcheck, SourcedMap):
        return ()
    test = healthcheck.get("test")
    if isinstance(test, list):
        command = tuple(_text(word) for word in test)
    elif test is not None and _text(test):
        command = ("CMD-SHELL", _text(test))
    else:
        command = ()
    disabled = _as_bool(healthcheck.get("disable")) is True or command[:1] == ("NONE",)
    return (
        Probe(
            kind="healthcheck",
            location=compose_key_location(definition, "healthcheck"),
            disabled=disabled,
            command=command,
            initial_delay_seconds=duration_seconds(healthcheck.get("start_period")),
            period_seconds=duration_seconds(healthcheck.get("interval")),
            timeout_seconds=duration_seconds(healthcheck.get("timeout")),
        ),
    )


def _environment(definition: SourcedMap, variables: Mapping[str, str]) -> Iterator[EnvVar]:
    """Environment variables in both forms: a mapping, or a `KEY=VALUE` list (`KEY` alone: from the host)."""
    node = definition.get("environment")
    if isinstance(node, SourcedList):
        for index, item in enumerate(node):
            name, value = split_assignment(item)
            yield _env_var(name, value, compose_value_location(node, index), variables)
    elif isinstance(node, SourcedMap):
        for key, value in node.items():
            location = (
                compose_value_location(node, key) if value is not None else compose_key_location(node, key)
            )
            yield _env_var(str(key), None if value is None else value, location, variables)


def _env_var(name: str, value: Any, location: Location, variables: Mapping[str, str]) -> EnvVar:
    if value is None:  # taken from the environment Compose runs in: only `.env` is known here
        if name in variables:
            return EnvVar(
                name,
                location,
                value=variables[name],
                source=EnvSource.INTERPOLATED,
                interpolated_names=(name,),
            )
        return EnvVar(name, location, value=None, source=EnvSource.UNSET)
    record = interpolation_of(value)
    if record is None:
        return EnvVar(name, location, value=_text(value), source=EnvSource.LITERAL)
    return EnvVar(
        name,
        location,
        value=_text(value),
        source=EnvSource.INTERPOLATED,
        default=record.default,
        interpolated_names=record.names,
    )


def command_words(definition: SourcedMap, key: str) -> tuple[Located[str], ...]:
    """`command`/`entrypoint` words: a list as is, a string split shell-style (all at the string's place).

    The model's Container has no entrypoint; checks that need it call this on the service's `raw`.
    """
    value = definition.get(key)
    if isinstance(value, list):
        return tuple(
            Located(_text(word), compose_value_location(value, index)) for index, word in enumerate(value)
        )
    if value is None or isinstance(value, Mapping):
        return ()
    location = compose_value_location(definition, key)
    try:
        words = split_words(_text(value))
    except ValueError as err:
        raise SourceError(
            f"cannot split {key} into words ({err}); close the quote or use the list form",
            location.line,
            location.column,
        ) from None
    return tuple(Located(word, location) for word in words)


def _labels(node: Any) -> dict[str, Located[str]]:
    """Labels in both forms: a mapping, or a `KEY=VALUE` list."""
    labels: dict[str, Located[str]] = {}
    if isinstance(node, SourcedList):
        for index, item in enumerate(node):
            name, value = split_assignment(item)
            labels[name] = Located(_text(value), compose_value_location(node, index))
    elif isinstance(node, SourcedMap):
        for key, value in node.items():
            location = (
                compose_value_location(node, key) if value is not None else compose_key_location(node, key)
            )
            labels[str(key)] = Located(_text(value), location)
    return labels


def _replicas(definition: SourcedMap) -> Located[Any] | None:
    deploy = definition.get("deploy")
    if isinstance(deploy, SourcedMap) and "replicas" in deploy:
        return compose_located(deploy, "replicas")
    return compose_located(definition, "scale")


def extended_files(path: str, text: str) -> list[str]:
    """The other files a Compose file's services extend (`extends: {file: ...}`), repository-relative, in
    the order written; remote references and files that cannot be told are left out. Never raises."""
    try:
        documents = load_yaml_documents(text, keep_tags=KEEP_TAGS)
    except SourceError:
        return []
    found: list[str] = []
    for document in documents:
        root = document.value.value if isinstance(document.value, TaggedValue) else document.value
        services = root.get("services") if isinstance(root, Mapping) else None
        if not isinstance(services, Mapping):
            continue
        for definition in services.values():
            extends = definition.get("extends") if isinstance(definition, Mapping) else None
            target = extends.get("file") if isinstance(extends, Mapping) else None
            if isinstance(target, str) and target and "$" not in target and not _is_remote(target):
                resolved = _resolve_path(path, target)
                if resolved not in found:
                    found.append(resolved)
    return found
