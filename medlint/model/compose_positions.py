"""Compose trees that remember the file of every value, and where things are written in them.

After `extends` and `include` merging, one service can hold values from several files. These small types and
helpers are all the checks need from the Compose parser, so they live apart from it: importing them does not
load the parser (which keeps a one-Dockerfile pre-commit run fast).
"""

from __future__ import annotations

from typing import Any

from medlint.model import Located
from medlint.source import Location, YamlList, YamlMap

_Span = tuple[int, int, int, int]


class SourcedMap(YamlMap):
    """A YamlMap whose keys may come from different files (after `extends`/`include` merging)."""

    __slots__ = ("key_paths", "path")

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self.path = path
        self.key_paths: dict[Any, str] = {}


class SourcedList(YamlList):
    """A YamlList whose items may come from different files."""

    __slots__ = ("item_paths", "path")

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self.path = path
        self.item_paths: list[str] = []


def _location(path: str, span: _Span | None, fallback: Location) -> Location:
    return Location(path, *span) if span is not None else fallback


def compose_node_location(node: Any, fallback: Location | None = None) -> Location:
    """Where a mapping or list of a Compose tree starts."""
    if isinstance(node, (SourcedMap, SourcedList)):
        return Location(node.path, node.line, node.column)
    return fallback or Location("")


def compose_key_location(node: Any, key: Any, fallback: Location | None = None) -> Location:
    """Where `key` is written in a mapping of a Compose tree (the mapping itself when absent)."""
    if isinstance(node, SourcedMap):
        return _location(
            node.key_paths.get(key, node.path), node.key_positions.get(key), compose_node_location(node)
        )
    return fallback or compose_node_location(node)


def compose_value_location(node: Any, key: Any, fallback: Location | None = None) -> Location:
    """Where the value under `key` (a mapping key or a list index) is written."""
    if isinstance(node, SourcedMap):
        return _location(
            node.key_paths.get(key, node.path), node.value_positions.get(key), compose_key_location(node, key)
        )
    if isinstance(node, SourcedList) and isinstance(key, int) and 0 <= key < len(node.item_positions):
        return Location(node.item_paths[key], *node.item_positions[key])
    return fallback or compose_node_location(node)


def compose_located(node: Any, key: Any) -> Located[Any] | None:
    """The value under `key` with its location, or None when the key is absent."""
    if not isinstance(node, dict) or key not in node:
        return None
    return Located(node[key], compose_value_location(node, key))
