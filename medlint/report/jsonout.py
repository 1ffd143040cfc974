"""Indented JSON text, byte for byte what `json.dumps(value, indent=2, ensure_ascii=False)` writes.

The standard library indents with its pure-Python encoder, which yields one small string per token and joins
them all at the end: for a report of tens of thousands of findings that is seconds of work and a list of
millions of strings (about 100 MB). This writer appends to a list it joins every few thousand parts, and
escapes strings with the standard library's C function, so it is faster and stays small. Only JSON's own
types are accepted (dict, list, tuple, str, int, float, bool, None), as the reports build nothing else, and
iterators, written as lists: a report can hand over its findings one by one instead of as one large list.
"""

from __future__ import annotations

import json.encoder
from collections.abc import Callable, Iterator
from typing import Any

_escape: Callable[[str], str] = json.encoder.c_encode_basestring or json.encoder.py_encode_basestring  # type: ignore[attr-defined]

#: Parts gathered before they are joined into one string (keeps the list, and the memory, small).
_BATCH = 4096


class _Writer:
    """Gathers the small parts of the text and hands them on, a few thousand joined at a time."""

    __slots__ = ("parts", "sink")

    def __init__(self, sink: Callable[[str], object]) -> None:
        self.parts: list[str] = []
        self.sink = sink

    def add(self, text: str) -> None:
        parts = self.parts
        parts.append(text)
        if len(parts) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.sink("".join(self.parts))
            self.parts.clear()


def maybe_list(items: Iterator[Any], lazy: bool) -> Iterator[Any] | list[Any]:
    """`items` as they are when `lazy` (for `dumps`), else as a list (for callers that want data)."""
    return items if lazy else list(items)


def dumps(value: Any) -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)`, faster and without the memory peak."""
    done: list[str] = []
    dump(value, done.append)
    return "".join(done)


def dump(value: Any, sink: Callable[[str], object]) -> None:
    """The text of `dumps(value)` handed to `sink` in pieces (a stream's `write`): a large report is
    written without ever being one string in memory."""
    writer = _Writer(sink)
    _write(value, writer, "\n")
    writer.flush()


def _scalar(value: Any) -> str | None:
    if isinstance(value, str):
        return _escape(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    return None


def _key(key: Any) -> str:
    if isinstance(key, str):
        return _escape(key)
    if isinstance(key, (bool, int, float)) or key is None:
        return _escape(_scalar(key) or "")
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _write(value: Any, writer: _Writer, newline: str) -> None:
    scalar = _scalar(value)
    if scalar is not None:
        writer.add(scalar)
        return
    if isinstance(value, dict):
        if not value:
            writer.add("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            text = _scalar(item)
            if text is not None:
                writer.add(separator + _key(key) + ": " + text)
            else:
                writer.add(separator + _key(key) + ": ")
                _write(item, writer, inner)
            separator = "," + inner
        writer.add(newline + "}")
        return
    if isinstance(value, (list, tuple, Iterator)):
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            text = _scalar(item)
            if text is not None:
                writer.add(separator + text)
            else:
                writer.add(separator)
                _write(item, writer, inner)
            separator = "," + inner
        writer.add("[]" if separator[0] == "[" else newline + "]")
        return
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
