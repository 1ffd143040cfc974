"""Compose trees that remember the file of every value, and where things are written in them.

After `extends` and `include` merging, one service can hold values from several files. These small types and
helpers are all the checks need from the Compose parser, so they live apart from it: importing them does not
load the parser (which keeps a one-Dockerfile pre-commit run fast).
"""

from __future__ import annotations

from typing import Any

from medlint.model.common import Located
from medlint.model.location import Location
from medlint.model.tree import YamlList, YamlMap


class SourcedMap(YamlMap):
    """A YamlMap whose keys may come from different files (after `extends`/`include` merging)."""

    __slots__ = ("key_paths", "path")

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self.path = path
        self.key_paths: dict[Any, str] = {}

    def location(self, path: str = "") -> Location:
        return Location(self.path, self.line, self.column)

    def key_location(self, path: str, key: Any) -> Location:
        """Where `key` is written, in the file that wrote it (the `path` argument is not used)."""
        span = self.key_span(key)
        return Location(self.key_paths.get(key, self.path), *span) if span is not None else self.location()

    def value_location(self, path: str, key: Any) -> Location:
        span = self.value_span(key)
        if span is None:
            return self.key_location(path, key)
        return Location(self.key_paths.get(key, self.path), *span)


class SourcedList(YamlList):
    """A YamlList whose items may come from different files."""

    __slots__ = ("item_paths", "path")

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self.path = path
        self.item_paths: list[str] = []

    def location(self, path: str = "") -> Location:
        return Location(self.path, self.line, self.column)

    def value_location(self, path: str, index: Any) -> Location:
        span = self.item_span(index) if isinstance(index, int) else None
        if span is None:
            return self.location()
        return Location(self.item_paths[index], *span)

    key_location = value_location


def compose_node_location(node: Any, fallback: Location | None = None) -> Location:
    """Where a mapping or list of a Compose tree starts."""
    if isinstance(node, (SourcedMap, SourcedList)):
        return node.location()
    return fallback or Location("")


def compose_key_location(node: Any, key: Any, fallback: Location | None = None) -> Location:
    """Where `key` is written in a mapping of a Compose tree (the mapping itself when absent)."""
    if isinstance(node, SourcedMap):
        return node.key_location(node.path, key)
    return fallback or compose_node_location(node)


def compose_value_location(node: Any, key: Any, fallback: Location | None = None) -> Location:
    """Where the value under `key` (a mapping key or a list index) is written."""
    if isinstance(node, (SourcedMap, SourcedList)):
        return node.value_location(node.path, key)
    return fallback or compose_node_location(node)


def compose_located(node: Any, key: Any) -> Located[Any] | None:
    """The value under `key` with its location, or None when the key is absent."""
    if not isinstance(node, dict) or key not in node:
        return None
    return Located(node[key], compose_value_location(node, key))
