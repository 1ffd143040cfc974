"""A YAML file as `medlint fix` sees it: every node with its exact span, anchors and aliases as written.

PyYAML's composer resolves an alias to the anchored node, so the place where `*name` is written is lost,
and merge keys are flattened only later by the constructor. The editor needs both: where a collection ends
in the text (its last child may be an alias), which nodes are shared through aliases (an edit there would
change every user), and which keys a mapping owns rather than merges in. So this module builds its own small
node tree from PyYAML's event stream (the C parser when available): the same positions medlint's findings
carry, plus what editing needs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class DataLoader(_BaseLoader):
    """PyYAML's safe loader that reads local tags (Compose `!reset`, CloudFormation `!Ref`) as plain data.

    Used wherever fix compares data before and after an edit: a tag it does not know is kept as the
    value it tags, never constructed into anything.
    """


def _untagged(loader: Any, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


DataLoader.add_multi_constructor("!", _untagged)
DataLoader.add_multi_constructor("tag:", _untagged)
_Loader = DataLoader

#: A path from a document to a node: the document index, then mapping keys (their text) and list indexes.
YamlPath = tuple[Any, ...]

MERGE_KEY = "<<"
NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})


class YamlEditError(Exception):
    """The file cannot be edited safely at the requested place; the message says why (shown as "manual")."""


@dataclass(eq=False)
class Node:
    """One node as written: kind "map", "seq", "scalar" or "alias", with 0-based positions and char offsets."""

    kind: str
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int
    flow: bool = False
    style: str = ""  # scalar style: "", "'", '"', "|", ">"
    value: str = ""  # scalar text, or the anchor name an alias refers to
    anchor: str | None = None
    tag: str | None = None
    entries: list[tuple[Node, Node]] = field(default_factory=list)
    items: list[Node] = field(default_factory=list)

    @property
    def is_null(self) -> bool:
        return self.kind == "scalar" and not self.style and self.tag is None and self.value in NULL_WORDS

    @property
    def is_empty_scalar(self) -> bool:
        """`key:` with nothing after it (an implicit null that occupies no text)."""
        return self.kind == "scalar" and self.start == self.end

    def key_column(self) -> int:
        """The column where this block mapping's keys (or this block sequence's dashes) start."""
        if self.kind == "map" and self.entries:
            return self.entries[0][0].column
        if self.kind == "seq" and self.items:
            return self.column
        return self.column


@dataclass
class Document:
    index: int
    root: Node | None
    explicit_start: bool
    start_line: int


class YamlFile:
    """A parsed YAML stream with node positions. Raises yaml.YAMLError for text that does not parse."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.documents: list[Document] = []
        self.anchors: dict[str, Node] = {}
        self.aliased: set[str] = set()
        self._build()

    # -- building ------------------------------------------------------------------------------------

    def _build(self) -> None:
        events = iter(yaml.parse(self.text, Loader=_Loader))
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                root = self._node(next(events), events)
                line = event.start_mark.line if event.start_mark is not None else 0
                self.documents.append(Document(len(self.documents), root, bool(event.explicit), line))

    def _node(self, event: Any, events: Iterator[Any]) -> Node | None:
        if isinstance(event, yaml.DocumentEndEvent):
            return None
        start, end = event.start_mark, event.end_mark
        anchor = getattr(event, "anchor", None)
        tag = getattr(event, "tag", None)
        if isinstance(event, yaml.AliasEvent):
            alias = event.anchor or ""  # an alias event always names its anchor
            self.aliased.add(alias)
            return Node("alias", start.index, end.index, start.line, start.column, end.line, end.column,
                        value=alias)  # fmt: skip
        if isinstance(event, yaml.ScalarEvent):
            node = Node("scalar", start.index, end.index, start.line, start.column, end.line, end.column,
                        style=event.style or "", value=event.value, anchor=anchor,
                        tag=tag if not (event.implicit and event.implicit[0]) else None)  # fmt: skip
        elif isinstance(event, yaml.MappingStartEvent):
            node = Node("map", start.index, start.index, start.line, start.column, start.line, start.column,
                        flow=bool(event.flow_style), anchor=anchor, tag=tag if not event.implicit else None)  # fmt: skip
            while True:
                key_event = next(events)
                if isinstance(key_event, yaml.MappingEndEvent):
                    self._close(node, key_event)
                    break
                key = self._node(key_event, events)
                value = self._node(next(events), events)
                assert key is not None and value is not None
                node.entries.append((key, value))
        elif isinstance(event, yaml.SequenceStartEvent):
            node = Node("seq", start.index, start.index, start.line, start.column, start.line, start.column,
                        flow=bool(event.flow_style), anchor=anchor, tag=tag if not event.implicit else None)  # fmt: skip
            while True:
                item_event = next(events)
                if isinstance(item_event, yaml.SequenceEndEvent):
                    self._close(node, item_event)
                    break
                item = self._node(item_event, events)
                assert item is not None
                node.items.append(item)
        else:  # pragma: no cover - the parser emits nothing else inside a document
            raise yaml.YAMLError(f"unexpected event {event}")
        if anchor:
            self.anchors[anchor] = node
        return node

    def _close(self, node: Node, end_event: Any) -> None:
        """Flow collections end after their bracket; block collections end where their last child ends."""
        if node.flow:
            mark = end_event.end_mark
            node.end, node.end_line, node.end_column = mark.index, mark.line, mark.column
            return
        children = [value for _, value in node.entries] if node.kind == "map" else node.items
        if node.kind == "map" and node.entries and node.entries[-1][1].is_empty_scalar:
            last: Node | None = node.entries[-1][0]
        else:
            last = children[-1] if children else None
        if last is not None:
            node.end, node.end_line, node.end_column = last.end, last.end_line, last.end_column

    # -- reading -------------------------------------------------------------------------------------

    def last_line(self, node: Node) -> int:
        """The 0-based line of the last character that belongs to `node` (block scalars: last content)."""
        index = node.end - 1
        while index > node.start and self.text[index] in " \t\r\n":
            index -= 1
        return self.text.count("\n", 0, max(index, node.start)) if index >= 0 else node.line

    def region_end(self, node: Node, deeper_comments_only: bool = False) -> int:
        """The last line of a block collection, including comment lines indented inside it that follow.

        A comment indented at least as deep as the collection's keys (or deeper than an indentless
        sequence's dashes) is read as part of it: `# runAsGroup: 1000` under a securityContext stays above
        what is added there; a comment that is less indented belongs to what follows and stays below.
        """
        last = self.last_line(node)
        column = node.key_column()
        candidate = last
        for number in range(last + 1, len(self.lines)):
            stripped = self.lines[number].strip()
            if not stripped:
                continue
            indent = len(self.lines[number]) - len(self.lines[number].lstrip(" "))
            if (
                stripped.startswith("#")
                and column > 0
                and (indent > column or (indent == column and not deeper_comments_only))
            ):
                candidate = number
                continue
            break
        return candidate

    def line_ending(self) -> str:
        return "\r\n" if self.lines and self.lines[0].endswith("\r\n") else "\n"

    def document(self, index: int) -> Document:
        return self.documents[index]

    def walk(self) -> Iterator[tuple[YamlPath, Node, Node | None]]:
        """Every node with its path, and the key node when it is a mapping value (aliases not followed)."""

        def visit(
            node: Node, path: YamlPath, key: Node | None
        ) -> Iterator[tuple[YamlPath, Node, Node | None]]:
            yield path, node, key
            if node.kind == "map":
                for key_node, value in node.entries:
                    yield from visit(value, path + (key_node.value,), key_node)
            elif node.kind == "seq":
                for position, item in enumerate(node.items):
                    yield from visit(item, path + (position,), None)

        for document in self.documents:
            if document.root is not None:
                yield from visit(document.root, (document.index,), None)

    def locate(self, line: int, column: int) -> YamlPath | None:
        """The deepest path whose node, or whose key, starts at a 1-based finding position."""
        found: YamlPath | None = None
        for path, node, key in self.walk():
            at_node = node.line == line - 1 and node.column == column - 1
            at_key = key is not None and key.line == line - 1 and key.column == column - 1
            if (at_node or at_key) and (found is None or len(path) > len(found)):
                found = path
        return found

    def node_at(self, path: YamlPath) -> Node | None:
        """The node at a path through own keys and list items; None when absent (aliases are not followed)."""
        if not path or not isinstance(path[0], int) or not 0 <= path[0] < len(self.documents):
            return None
        node = self.documents[path[0]].root
        for step in path[1:]:
            if node is None:
                return None
            if node.kind == "map":
                node = next(
                    (value for key, value in node.entries if key.value == step and key.kind == "scalar"), None
                )
            elif node.kind == "seq" and isinstance(step, int) and 0 <= step < len(node.items):
                node = node.items[step]
            else:
                return None
        return node

    def key_node(self, path: YamlPath) -> Node | None:
        """The key node of the entry at `path` (a mapping key path)."""
        parent = self.node_at(path[:-1])
        if parent is None or parent.kind != "map":
            return None
        return next((key for key, _ in parent.entries if key.value == path[-1]), None)

    def shared(self, path: YamlPath) -> bool:
        """Whether any node from the document root to `path` is anchored and used through an alias."""
        for length in range(1, len(path) + 1):
            node = self.node_at(path[:length])
            if node is not None and node.anchor and node.anchor in self.aliased:
                return True
        return False

    def merged_keys(self, node: Node) -> set[str]:
        """Keys a mapping receives only through `<<` merge keys (which an own key would replace whole)."""
        own = {key.value for key, _ in node.entries if key.kind == "scalar"}
        merged: set[str] = set()
        for key, value in node.entries:
            if key.kind == "scalar" and key.value == MERGE_KEY and not key.style:
                sources = value.items if value.kind == "seq" else [value]
                for source in sources:
                    target = self.anchors.get(source.value) if source.kind == "alias" else source
                    if target is not None and target.kind == "map":
                        merged |= {k.value for k, _ in target.entries} | self.merged_keys(target)
        return merged - own

    # -- style detection -------------------------------------------------------------------------------

    def indentation(self) -> Indentation:
        """The file's own block indentation: mapping indent, and dash offset of sequences under keys."""
        mapping: Counter[int] = Counter()
        dash: Counter[int] = Counter()
        for _, node, _ in self.walk():
            if node.kind != "map" or node.flow:
                continue
            for key, value in node.entries:
                if value.flow or value.line == key.line:
                    continue
                if value.kind == "map" and value.entries:
                    mapping[value.entries[0][0].column - key.column] += 1
                elif value.kind == "seq" and value.items:
                    dash[value.column - key.column] += 1
        mapping_indent = _most_common(mapping, 2)
        return Indentation(mapping=mapping_indent or 2, dash_offset=_most_common(dash, 2))


@dataclass(frozen=True)
class Indentation:
    mapping: int = 2
    dash_offset: int = 2


def _most_common(counter: Counter[int], default: int) -> int:
    """The most frequent non-negative value (the smaller one on a tie), else the default."""
    candidates = [(-count, value) for value, count in counter.items() if value >= 0]
    return min(candidates)[1] if candidates else default


def constructed_key(node: Node) -> Any:
    """The Python value PyYAML gives a key node (plain `on` is True, `1` is 1); quoted keys are strings."""
    if node.kind != "scalar" or node.style or node.tag:
        return node.value
    try:
        value = yaml.load(node.value, Loader=_Loader) if node.value else None
    except yaml.YAMLError:
        return node.value
    return value if isinstance(value, (str, int, float, bool)) or value is None else node.value
