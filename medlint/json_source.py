"""JSON with positions: a JSON text, or a stream of JSON values written one after another (as kubectl reads
them), into the positioned trees YAML loading builds (`YamlMap`/`YamlList`).

JSON is read by JSON's own rules, not as YAML: `1e3` is a number, `\\ud83d\\ude00` one character, `NaN` and
trailing commas are errors. Every key, value and item keeps its exact line and column (1-based, in
characters), so a finding on a JSON manifest points at the key as it does in YAML; a mapping's position is
its opening brace. Errors are `SourceError`s at the offending character. Nesting is bounded, so a hostile
file ends in an error, never a crash.
"""

from __future__ import annotations

import re
from json.decoder import JSONDecodeError, scanstring  # type: ignore[attr-defined]
from typing import Any

from medlint.decoding import SourceError
from medlint.line_index import LineIndex
from medlint.model.tree import Span, YamlList, YamlMap
from medlint.source import MAX_WRITTEN_NODES, YamlDocument, check_written_nodes, interned

#: Deeper nesting than any real document; a file beyond it is refused (MD001) rather than recursed into.
MAX_JSON_DEPTH = 256

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_LITERALS = (("true", True), ("false", False), ("null", None))
#: Longer than any real number; Python refuses to convert integers of over 4,300 digits.
MAX_NUMBER_CHARACTERS = 1000
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class _Parser:
    def __init__(self, text: str, max_depth: int) -> None:
        self.text = text
        self.max_depth = max_depth
        self.lines = LineIndex(text)  # no list of every line start: a file may be millions of empty lines
        self.nodes = 0  # values and keys so far, bounded by MAX_WRITTEN_NODES as YAML files are

    def count_node(self, offset: int) -> None:
        self.nodes += 1
        if self.nodes > MAX_WRITTEN_NODES:
            check_written_nodes(self.nodes, *self.position(offset))

    def position(self, offset: int) -> tuple[int, int]:
        return self.lines.place(offset)

    def span(self, start: int, end: int) -> Span:
        return (*self.position(start), *self.position(end))

    def error(self, message: str, offset: int) -> SourceError:
        if offset >= len(self.text):
            message = "the text ends before the value is complete"
        line, column = self.position(min(offset, len(self.text)))
        return SourceError(f"JSON syntax error: {message}", line, column)

    def skip(self, offset: int) -> int:
        match = _WHITESPACE.match(self.text, offset)
        return match.end() if match else offset

    def value(self, offset: int, depth: int) -> tuple[Any, int]:
        """The value starting at `offset` (no whitespace before it) and the offset just after it."""
        text = self.text
        self.count_node(offset)
        char = text[offset : offset + 1]
        if char == "{":
            return self.mapping(offset, depth + 1)
        if char == "[":
            return self.sequence(offset, depth + 1)
        if char == '"':
            value, end = self.string(offset)
            return interned(value), end
        match = _NUMBER.match(text, offset)
        if match and match.end() > offset:
            number = match.group(0)
            if len(number) > MAX_NUMBER_CHARACTERS:  # int() refuses over 4,300 digits: an error, not a crash
                raise self.error(
                    f"a number of {len(number):,} characters is longer than medlint reads", offset
                )
            return (float(number) if match.group(1) or match.group(2) else int(number)), match.end()
        for word, literal in _LITERALS:
            if text.startswith(word, offset):
                return literal, offset + len(word)
        raise self.error(f"expected a value, found {char!r}", offset)

    def string(self, offset: int) -> tuple[str, int]:
        try:
            value, end = scanstring(self.text, offset + 1, True)
        except JSONDecodeError as error:
            message = error.msg.removesuffix(" at").removesuffix(" starting")
            raise self.error(message[0].lower() + message[1:], error.pos) from None
        if not value.isascii() and _LONE_SURROGATE.search(value):  # `"\ud800"`: no character, no UTF-8
            raise self.error("a lone UTF-16 surrogate escape (\\ud800-\\udfff) is not a character", offset)
        return value, end

    def enter(self, offset: int, depth: int) -> None:
        if depth > self.max_depth:
            line, column = self.position(offset)
            raise SourceError(f"JSON nesting deeper than {self.max_depth} levels; not analysed", line, column)

    def mapping(self, start: int, depth: int) -> tuple[YamlMap, int]:
        self.enter(start, depth)
        text = self.text
        result = YamlMap()
        result.line, result.column = self.position(start)
        offset = self.skip(start + 1)
        if text.startswith("}", offset):
            return result, offset + 1
        while True:
            if not text.startswith('"', offset):
                raise self.error("expected a key in double quotes", offset)
            key_start = offset
            self.count_node(offset)
            key, offset = self.string(offset)
            key = interned(key)
            key_span = self.span(key_start, offset)
            offset = self.skip(offset)
            if not text.startswith(":", offset):
                raise self.error("expected ':' after the key", offset)
            offset = self.skip(offset + 1)
            value_start = offset
            value, offset = self.value(offset, depth)
            if key in result:
                line, column = key_span[:2]
                raise SourceError(
                    f"duplicate key {key!r}: which value applies depends on the deploying tool", line, column
                )
            result[key] = value
            result.set_spans(key, key_span, self.span(value_start, offset))
            offset = self.skip(offset)
            if text.startswith(",", offset):
                offset = self.skip(offset + 1)
                continue
            if text.startswith("}", offset):
                return result, offset + 1
            raise self.error("expected ',' or '}' after a member", offset)

    def sequence(self, start: int, depth: int) -> tuple[YamlList, int]:
        self.enter(start, depth)
        text = self.text
        result = YamlList()
        result.line, result.column = self.position(start)
        offset = self.skip(start + 1)
        if text.startswith("]", offset):
            return result, offset + 1
        while True:
            item_start = offset
            item, offset = self.value(offset, depth)
            result.append(item)
            result.append_item_span(self.span(item_start, offset))
            offset = self.skip(offset)
            if text.startswith(",", offset):
                offset = self.skip(offset + 1)
                continue
            if text.startswith("]", offset):
                return result, offset + 1
            raise self.error("expected ',' or ']' after an item", offset)


def load_json_documents(text: str, max_depth: int = MAX_JSON_DEPTH) -> list[YamlDocument]:
    """Every JSON value of the text, in order: one for a JSON file, several for a stream of values
    (`{...}{...}`, as `kubectl apply` and `jq` read and write them). Raises SourceError on bad input."""
    parser = _Parser(text, max_depth)
    documents: list[YamlDocument] = []
    offset = parser.skip(0)
    while offset < len(text):
        try:
            value, end = parser.value(offset, 0)
        except RecursionError:
            raise SourceError("JSON nesting too deep; not analysed") from None
        line, column = parser.position(offset)
        documents.append(YamlDocument(len(documents), value, line, column, parser.position(end)[0]))
        offset = parser.skip(end)
    return documents
