"""Source positions, safe text reading and YAML loading that keeps node positions.

Every value a rule can report on must carry a `Location`. YAML is composed by PyYAML's C parser when
available (fast) and constructed here into `YamlMap`/`YamlList`, plain `dict`/`list` subclasses that also
remember where each key and item sits. Loading is always safe: no Python object tags are honoured, and
documents whose alias expansion would explode (a "billion laughs" bomb) are refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from sys import intern
from typing import Any, cast

import yaml

from medlint.decoding import SourceError, decode_text
from medlint.limits import DEFAULT_LIMITS
from medlint.model.location import Location
from medlint.model.tree import YamlList, YamlMap, key_location, node_location, value_location

__all__ = [
    "Location",
    "SourceError",
    "TaggedValue",
    "YamlDocument",
    "YamlList",
    "YamlMap",
    "decode_text",
    "key_location",
    "load_yaml_documents",
    "node_location",
    "read_text",
    "value_location",
]

try:  # The C loader is an order of magnitude faster; fall back quietly where libyaml is missing.
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

#: The default limit on one file's size (limits.max_file_bytes); reads go through medlint.reader.
MAX_FILE_BYTES = DEFAULT_LIMITS.max_file_bytes
#: Upper bound on the number of nodes a document may expand to through aliases.
MAX_EXPANDED_NODES = 2_000_000
#: Upper bound on the nodes (scalars, mappings, sequences, aliases; keys count) written in one YAML or JSON
#: file. Each node costs a few hundred bytes once parsed, so a 19 MB file of `{},` would need gigabytes; the
#: largest file of the reference corpus (Istio's crd-all, 1 MB) has 34,115. Counted before anything is built.
MAX_WRITTEN_NODES = 500_000


def read_text(path: str) -> str:
    """A file's text through the bounded reader (regular files only, default size limit), without a root.

    For tools and tests; a scan reads through its `medlint.reader.FileReader`, which also keeps every read
    inside the scanned project.
    """
    from medlint.reader import read_named_file

    return read_named_file(path, max_bytes=DEFAULT_LIMITS.max_file_bytes, limit_name="limits.max_file_bytes")


# --------------------------------------------------------------------------------------------------
# YAML with positions


@dataclass(frozen=True, slots=True)
class TaggedValue:
    """A value with a custom local tag that a format gives meaning to (Compose `!reset`, `!override`)."""

    tag: str
    value: Any


#: Strings up to this length are interned while loading: a scan repeats the same few thousand keys and short
#: values (`name`, `image`, `true`...) hundreds of thousands of times; one object each saves memory in every
#: process and objects in every answer a worker sends. Longer strings rarely repeat.
MAX_INTERNED_CHARACTERS = 64


def interned(text: str) -> str:
    """The one shared copy of a short string (MAX_INTERNED_CHARACTERS); a longer one as it is."""
    return intern(text) if len(text) <= MAX_INTERNED_CHARACTERS else text


def _span(node: yaml.Node) -> tuple[int, int, int, int]:
    start, end = node.start_mark, node.end_mark
    return (start.line + 1, start.column + 1, end.line + 1, end.column + 1)


class _PositionConstructor:
    """Builds YamlMap/YamlList trees from composed nodes, using PyYAML's safe scalar constructors."""

    def __init__(self, loader: Any, keep_tags: frozenset[str]) -> None:
        self._loader = loader
        self._keep_tags = keep_tags
        self._cache: dict[int, Any] = {}

    def build(self, node: yaml.Node) -> Any:
        cached = self._cache.get(id(node))
        if cached is not None or id(node) in self._cache:
            return cached
        tag = node.tag or ""
        local_tag = tag if tag.startswith("!") and not tag.startswith("!!") else None
        if isinstance(node, yaml.MappingNode):
            result: Any = self._build_mapping(node)
        elif isinstance(node, yaml.SequenceNode):
            result = YamlList()
            result.line, result.column = node.start_mark.line + 1, node.start_mark.column + 1
            self._cache[id(node)] = result
            for item in node.value:
                result.append(self.build(item))
                result.append_item_span(_span(item))
        else:
            result = self._build_scalar(cast(yaml.ScalarNode, node), local_tag)
        if local_tag and local_tag in self._keep_tags:
            result = TaggedValue(local_tag, result)
        elif local_tag and isinstance(result, (YamlMap, YamlList)):
            result.tag = local_tag
        self._cache[id(node)] = result
        return result

    def _build_scalar(self, node: yaml.ScalarNode, local_tag: str | None) -> Any:
        if (
            local_tag is not None
            or node.tag == "tag:yaml.org,2002:timestamp"  # Go YAML decoders keep these as strings
            or node.tag not in self._loader.yaml_constructors
        ):
            # Unknown tags are read as plain strings: never instantiate anything from the input.
            return node.value
        try:
            value = self._loader.construct_object(node, deep=True)
            return interned(value) if type(value) is str else value
        except ValueError:  # an integer beyond Python's 4,300-digit conversion limit
            what = "a number" if node.tag.endswith((":int", ":float")) else "a value"
            raise SourceError(
                f"{what} of {len(node.value):,} characters that medlint cannot convert", *_span(node)[:2]
            ) from None

    def _build_mapping(self, node: yaml.MappingNode) -> YamlMap:
        result = YamlMap()
        result.line, result.column = node.start_mark.line + 1, node.start_mark.column + 1
        self._cache[id(node)] = result
        own_keys: set[Any] = set()
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._merge_into(result, value_node)
                continue
            key = self.build(key_node)
            if type(key) is str:
                key = interned(key)
            if isinstance(key, (list, dict)):
                raise SourceError("a mapping key must be a scalar", *_span(key_node)[:2])
            if key in own_keys:
                line, column = _span(key_node)[:2]
                raise SourceError(
                    f"duplicate key {key!r}: which value applies depends on the deploying tool",
                    line,
                    column,
                )
            own_keys.add(key)
            result[key] = self.build(value_node)
            result.set_spans(key, _span(key_node), _span(value_node))
        return result

    def _merge_into(self, target: YamlMap, value_node: yaml.Node) -> None:
        """Apply a `<<` merge key: earlier explicit keys win, then earlier merged maps win."""
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for source_node in sources:
            source = self.build(source_node)
            if not isinstance(source, YamlMap):
                raise SourceError(
                    "a merge key (<<) needs a mapping or a list of mappings", *_span(value_node)[:2]
                )
            for key, value in source.items():
                if key not in target:
                    target[key] = value
                    key_span, value_span = source.spans(key)
                    fallback = _span(source_node)
                    target.set_spans(key, key_span or fallback, value_span or fallback)


_NODE_EVENTS = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent, yaml.AliasEvent)


def check_written_nodes(count: int, line: int, column: int, max_nodes: int = MAX_WRITTEN_NODES) -> None:
    """Raise SourceError once a file has more than `max_nodes` nodes (MAX_WRITTEN_NODES)."""
    if count > max_nodes:
        raise SourceError(
            f"more than {max_nodes:,} YAML/JSON values in one file; not analysed (split the file)",
            line,
            column,
        )


def _count_written_nodes(text: str, max_nodes: int = MAX_WRITTEN_NODES) -> None:
    """Refuse a stream with more than `max_nodes` nodes, from the parser's events (constant memory), before
    the node graph is built. A node takes at least half a character (`{a,b}` is four), so shorter texts
    are not counted at all."""
    if len(text) * 2 <= max_nodes:
        return
    count = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, _NODE_EVENTS):
            count += 1
            if count > max_nodes:
                mark = event.start_mark
                check_written_nodes(
                    count, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1, max_nodes
                )


def _check_expansion(node: yaml.Node, max_nodes: int = MAX_EXPANDED_NODES) -> None:
    """Refuse documents whose alias expansion is huge or cyclic, before anything walks them."""
    _ExpansionCount(max_nodes).size(node)


class _ExpansionCount:
    """The nodes a document expands to, counted once per node. (A class, not a recursive closure: such a
    closure holds itself, so it and its table of sizes would wait for the cyclic garbage collector after
    every document.)"""

    def __init__(self, max_nodes: int) -> None:
        self.max_nodes = max_nodes
        self.sizes: dict[int, int] = {}
        self.visiting: set[int] = set()

    def size(self, current: yaml.Node) -> int:
        key = id(current)
        known = self.sizes.get(key)
        if known is not None:
            return known
        if key in self.visiting:
            raise SourceError(
                "recursive YAML alias", current.start_mark.line + 1, current.start_mark.column + 1
            )
        self.visiting.add(key)
        total = 1
        if isinstance(current, yaml.SequenceNode):
            for item in current.value:
                total += self.size(item)
        elif isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                total += self.size(key_node) + self.size(value_node)
        self.visiting.discard(key)
        if total > self.max_nodes:
            raise SourceError(
                f"YAML aliases expand to more than {self.max_nodes:,} nodes (alias bomb?); not analysed",
                current.start_mark.line + 1,
                current.start_mark.column + 1,
            )
        self.sizes[key] = total
        return total


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """One document of a YAML stream: its value (None when empty) and where it starts."""

    index: int
    value: Any
    line: int
    column: int
    end_line: int


def _compose_documents(text: str) -> Iterator[tuple[Any, yaml.Node | None]]:
    loader = _BaseLoader(text)
    try:
        while loader.check_node():
            yield loader, loader.get_node()
    finally:
        loader.dispose()


def load_yaml_documents(
    text: str, keep_tags: frozenset[str] = frozenset(), max_expanded_nodes: int = MAX_EXPANDED_NODES
) -> list[YamlDocument]:
    """Parse every document of a YAML stream, keeping positions; raise SourceError on bad input.

    `max_expanded_nodes` bounds what aliases may expand to (small files such as the configuration use a
    lower bound than artifacts)."""
    documents: list[YamlDocument] = []
    try:
        _count_written_nodes(text)
        for loader, node in _compose_documents(text):
            if node is None:
                continue
            _check_expansion(node, max_expanded_nodes)
            value = _PositionConstructor(loader, keep_tags).build(node)
            documents.append(
                YamlDocument(
                    index=len(documents),
                    value=value,
                    line=node.start_mark.line + 1,
                    column=node.start_mark.column + 1,
                    end_line=node.end_mark.line + 1,
                )
            )
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else 1
        column = mark.column + 1 if mark else 1
        problem = err.problem or err.context or "invalid YAML"
        raise SourceError(f"YAML syntax error: {problem}", line, column) from None
    except yaml.YAMLError as err:
        raise SourceError(f"YAML error: {err}") from None
    except RecursionError:
        raise SourceError("YAML nesting too deep; not analysed") from None
    return documents
