"""Helm's YAML, JSON and TOML functions, byte-for-byte.

``toYaml`` is the function whose output charts paste into manifests through
``nindent``, so any formatting difference breaks the rendered YAML.  Helm calls
sigs.k8s.io/yaml, which marshals to JSON with encoding/json, reads that JSON
back with go-yaml v2, and marshals it with go-yaml v2's emitter.  This module
reproduces each step:

1. :func:`go_json_value` / :func:`go_json_dumps` - encoding/json (sorted keys,
   ``<>&`` escaped as ``\\u003c``, floats in Go's shortest form, ``1e+21``);
2. :func:`_json_to_yaml_tree` - go-yaml v2 re-reading the JSON, so an integral
   float64 such as ``3`` or ``1000000`` becomes an int again and prints as
   ``3``/``1000000``, while ``1e+21`` stays a float;
3. :class:`_Emitter` - a port of go-yaml v2's emitter: keys in go-yaml's
   "natural" order (``key2`` before ``key10``), two-space indent, sequences not
   indented under their key (``key:\\n- a``), strings quoted only when go-yaml
   must (``"true"``, ``"123"``, ``""``, ``'a: b'``), multi-line strings as
   ``|``/``|-``/``|+`` blocks, long plain and quoted strings folded at column
   80 exactly where go-yaml folds them, ``{}``/``[]`` for empty collections.

Reading (``fromYaml``) uses PyYAML with go-yaml v2's scalar resolution (YAML
1.1: ``yes``/``on``/``y`` are booleans, ``0777`` is octal, ``1e3`` is a float,
timestamps stay strings), then Helm's JSON round trip, so every number comes
back as float64 and non-string keys become strings.  Parse-error texts follow
go-yaml's wording where PyYAML reports the same problem, not character for
character.
"""

from __future__ import annotations

import base64
import functools
import json
import math
import re
import unicodedata
from collections.abc import Callable
from typing import Any

import yaml

from medlint.helm import gofmt
from medlint.helm.functions.numeric import go_parse_float, go_parse_int
from medlint.helm.functions.reflect import FunctionError, arg_string

__all__ = [
    "go_json_dumps",
    "go_json_value",
    "go_yaml_dump",
    "helm_yaml_functions",
    "load_yaml_like_helm",
    "marshal_yaml",
    "to_yaml",
]


class _MarshalError(Exception):
    """A value encoding/json (or the TOML encoder) refuses."""


# ---------------------------------------------------------------------------
# encoding/json
# ---------------------------------------------------------------------------


def go_json_value(value: Any) -> Any:
    """Normalise a template value to what encoding/json would see (bytes -> base64, objects -> go_json())."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise _MarshalError(f"json: unsupported value: {gofmt.format_value(value)}")
        return value
    if isinstance(value, dict):
        return {str(k): go_json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [go_json_value(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    hook = getattr(value, "go_json", None)
    if callable(hook):
        return go_json_value(hook())
    raise _MarshalError(f"json: unsupported type: {gofmt.type_name(value)}")


def _json_float(number: float) -> str:
    """encoding/json's float64 text: shortest digits, exponent form below 1e-6 or from 1e21."""
    magnitude = abs(number)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        text = gofmt.format_float(number, "e", -1)
        text = re.sub(r"e([+-])0(\d)$", r"e\1\2", text)
        return text
    return gofmt.format_float(number, "f", -1)


def _json_string(text: str, escape_html: bool) -> str:
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif code < 0x20:
            out.append(
                {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch, f"\\u{code:04x}")
            )
        elif (escape_html and ch in "<>&") or ch in "\u2028\u2029":
            out.append(f"\\u{code:04x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _json_encode(value: Any, escape_html: bool, indent: str | None, level: int) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _json_float(value)
    if isinstance(value, str):
        return _json_string(value, escape_html)
    if isinstance(value, dict):
        if not value:
            return "{}"
        keys = sorted(value, key=lambda k: k.encode("utf-8", "surrogatepass"))
        items = [
            _json_string(k, escape_html)
            + (": " if indent is not None else ":")
            + _json_encode(value[k], escape_html, indent, level + 1)
            for k in keys
        ]
        return _wrap_json(items, "{", "}", indent, level)
    if not value:
        return "[]"
    items = [_json_encode(v, escape_html, indent, level + 1) for v in value]
    return _wrap_json(items, "[", "]", indent, level)


def _wrap_json(items: list[str], open_: str, close: str, indent: str | None, level: int) -> str:
    if indent is None:
        return open_ + ",".join(items) + close
    inner = "\n" + indent * (level + 1)
    return open_ + inner + ("," + inner).join(items) + "\n" + indent * level + close


def go_json_dumps(value: Any, escape_html: bool = True, indent: str | None = None) -> str:
    """encoding/json Marshal (or MarshalIndent with ``indent``); raises on unsupported values."""
    return _json_encode(go_json_value(value), escape_html, indent, 0)


def _json_decode(text: str) -> Any:
    """encoding/json Unmarshal into interface{}: every number becomes float64."""

    def reject_constant(name: str) -> Any:
        raise ValueError(f"invalid character '{name[0]}' looking for beginning of value")

    def parse_number(literal: str) -> float:
        number = float(literal)
        if math.isinf(number):
            raise ValueError(f"json: cannot unmarshal number {literal} into Go value of type float64")
        return number

    try:
        return json.loads(
            text, parse_int=parse_number, parse_float=parse_number, parse_constant=reject_constant
        )
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()):
            raise _MarshalError("unexpected end of JSON input") from exc
        char = text[exc.pos]
        if exc.msg.startswith("Extra data"):
            raise _MarshalError(f"invalid character '{char}' after top-level value") from exc
        raise _MarshalError(f"invalid character '{char}' looking for beginning of value") from exc
    except ValueError as exc:
        raise _MarshalError(str(exc)) from exc


def _go_value_type(value: Any) -> str:
    """encoding/json's name for a JSON value kind in "cannot unmarshal X" errors."""
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "bool"
    return "number"


# ---------------------------------------------------------------------------
# JSON -> go-yaml v2 value tree (what sigs.k8s.io/yaml.JSONToYAML marshals)
# ---------------------------------------------------------------------------


def _json_to_yaml_tree(value: Any) -> Any:
    """Numbers as go-yaml v2 reads them back from JSON text (ints where the text is integral)."""
    if isinstance(value, dict):
        return {k: _json_to_yaml_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_to_yaml_tree(v) for v in value]
    if isinstance(value, float):
        text = _json_float(value)
        if re.fullmatch(r"-?\d+", text):
            number = int(text)
            if -(1 << 63) <= number < (1 << 64):
                return number
        return float(text)
    return value


# ---------------------------------------------------------------------------
# go-yaml v2 emitter
# ---------------------------------------------------------------------------

_BREAKS = "\r\n\x85\u2028\u2029"
_RESOLVE_MAP: dict[str, Any] = {}
for _values, _result in (
    (("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    (("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
    (("", "~", "null", "Null", "NULL"), None),
    ((".nan", ".NaN", ".NAN"), math.nan),
    ((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    (("-.inf", "-.Inf", "-.INF"), -math.inf),
):
    for _text in _values:
        _RESOLVE_MAP[_text] = _result
_MERGE_KEY = "<<"
_YAML_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_BASE60_FLOAT = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d\d?)-(\d\d?)"
    r"(?:[Tt]\d\d?:\d\d?:\d\d?(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)|[ ]\d\d?:\d\d?:\d\d?(?:\.\d+)?)?$"
)


def _is_timestamp(text: str) -> bool:
    """go-yaml v2's parseTimestamp: one of its four layouts, with a valid date."""
    match = _TIMESTAMP.match(text)
    if not match:
        return False
    import datetime as _dt

    try:
        _dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return False
    return True


def go_yaml_resolve(text: str) -> Any:
    """go-yaml v2's resolve() for a plain scalar: the Go value it decodes to.

    Timestamps come back as the original string: go-yaml v2 keeps them as
    strings when decoding into interface{}.
    """
    if text in _RESOLVE_MAP:
        return _RESOLVE_MAP[text]
    if text == _MERGE_KEY:
        return text
    hint = text[:1]
    if hint == ".":
        number = go_parse_float(text)
        if number is not None:
            return number
    elif hint and hint in "+-0123456789":
        if _is_timestamp(text):
            return text
        plain = text.replace("_", "")
        number_int = go_parse_int(plain)
        if number_int is not None:
            return number_int
        if plain.lstrip("+").isdigit():
            unsigned = go_parse_int(plain.lstrip("+"), 10, 65)
            if unsigned is not None and unsigned >= 0:
                return unsigned
        if _YAML_FLOAT.match(plain):
            number = go_parse_float(plain)
            if number is not None:
                return number
        if plain.startswith("0b"):
            binary = go_parse_int(plain[2:], 2)
            if binary is not None:
                return binary
        elif plain.startswith("-0b"):
            binary = go_parse_int(plain[3:], 2)
            if binary is not None:
                return -binary
    return text


def _resolves_to_string(text: str) -> bool:
    """Whether go-yaml v2 would read ``text`` back as a string if written plain."""
    if text in _RESOLVE_MAP or text == _MERGE_KEY:
        return False
    if text[:1] and text[:1] in "+-0123456789" and _is_timestamp(text):
        return False
    resolved = go_yaml_resolve(text)
    return isinstance(resolved, str)


def _is_printable(ch: str) -> bool:
    code = ord(ch)
    return (
        code == 0x0A
        or 0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or (0xE000 <= code <= 0xFFFD and code != 0xFEFF)
    )


def _v2_key_less(a: str, b: str) -> bool:
    """go-yaml v2's keyList.Less for two string keys ("natural" order)."""

    def is_letter(ch: str) -> bool:
        return unicodedata.category(ch).startswith("L")

    def is_digit(ch: str) -> bool:
        return unicodedata.category(ch) == "Nd"

    for i in range(min(len(a), len(b))):
        if a[i] == b[i]:
            continue
        a_letter, b_letter = is_letter(a[i]), is_letter(b[i])
        if a_letter and b_letter:
            return a[i] < b[i]
        if a_letter or b_letter:
            return b_letter
        a_num = b_num = 0
        if a[i] == "0" or b[i] == "0":
            j = i - 1
            while j >= 0 and is_digit(a[j]):
                if a[j] != "0":
                    a_num = b_num = 1
                    break
                j -= 1
        ai = i
        while ai < len(a) and is_digit(a[ai]):
            a_num = a_num * 10 + ord(a[ai]) - 48
            ai += 1
        bi = i
        while bi < len(b) and is_digit(b[bi]):
            b_num = b_num * 10 + ord(b[bi]) - 48
            bi += 1
        if a_num != b_num:
            return a_num < b_num
        if ai != bi:
            return ai < bi
        return a[i] < b[i]
    return len(a) < len(b)


def _sorted_keys(mapping: dict) -> list[str]:
    def compare(x: str, y: str) -> int:
        return -1 if _v2_key_less(x, y) else (1 if _v2_key_less(y, x) else 0)

    return sorted(mapping, key=functools.cmp_to_key(compare))


class _ScalarAnalysis:
    """yaml_emitter_analyze_scalar's verdict on one scalar."""

    __slots__ = ("block", "block_plain", "flow_plain", "multiline", "single_quoted")

    def __init__(self, value: str) -> None:
        if not value:
            self.multiline, self.flow_plain, self.block_plain = False, False, True
            self.single_quoted, self.block = True, False
            return
        block_ind = flow_ind = line_breaks = special = False
        leading_space = leading_break = trailing_space = trailing_break = False
        break_space = space_break = previous_space = previous_break = False
        if value.startswith(("---", "...")):
            block_ind = flow_ind = True
        preceded_by_ws = True
        length = len(value)
        for i, ch in enumerate(value):
            followed_by_ws = i + 1 >= length or value[i + 1] in " \t" + _BREAKS
            if i == 0:
                if ch in "#,[]{}&*!|>'\"%@`":
                    flow_ind = block_ind = True
                elif ch in "?:":
                    flow_ind = True
                    if followed_by_ws:
                        block_ind = True
                elif ch == "-" and followed_by_ws:
                    flow_ind = block_ind = True
            else:
                if ch in ",?[]{}":
                    flow_ind = True
                elif ch == ":":
                    flow_ind = True
                    if followed_by_ws:
                        block_ind = True
                elif ch == "#" and preceded_by_ws:
                    flow_ind = block_ind = True
            if not _is_printable(ch):
                special = True
            if ch == " ":
                if i == 0:
                    leading_space = True
                if i + 1 == length:
                    trailing_space = True
                if previous_break:
                    break_space = True
                previous_space, previous_break = True, False
            elif ch in _BREAKS:
                line_breaks = True
                if i == 0:
                    leading_break = True
                if i + 1 == length:
                    trailing_break = True
                if previous_space:
                    space_break = True
                previous_space, previous_break = False, True
            else:
                previous_space = previous_break = False
            preceded_by_ws = ch in " \t\0" + _BREAKS
        self.multiline = line_breaks
        self.flow_plain = self.block_plain = self.single_quoted = self.block = True
        if leading_space or leading_break or trailing_space or trailing_break:
            self.flow_plain = self.block_plain = False
        if trailing_space:
            self.block = False
        if break_space:
            self.flow_plain = self.block_plain = self.single_quoted = False
        if space_break or special:
            self.flow_plain = self.block_plain = self.single_quoted = self.block = False
        if line_breaks:
            self.flow_plain = self.block_plain = False
        if flow_ind:
            self.flow_plain = False
        if block_ind:
            self.block_plain = False


_PLAIN, _SINGLE, _DOUBLE, _LITERAL = range(4)
_DOUBLE_ESCAPES = {
    0x00: "0",
    0x07: "a",
    0x08: "b",
    0x09: "t",
    0x0A: "n",
    0x0B: "v",
    0x0C: "f",
    0x0D: "r",
    0x1B: "e",
    0x22: '"',
    0x5C: "\\",
    0x85: "N",
    0xA0: "_",
    0x2028: "L",
    0x2029: "P",
}


class _Emitter:
    """go-yaml v2's block emitter (libyaml port) for plain Go values."""

    def __init__(self, width: int = 80, indent_sequences: bool = False) -> None:
        self.out: list[str] = []
        self.column = 0
        self.whitespace = True
        self.indention = True
        self.indent = -1
        self.indents: list[int] = []
        self.flow_level = 0
        self.best_indent = 2
        self.best_width = width if width > 0 else (1 << 31) - 1
        self.indent_sequences = indent_sequences

    # -- low-level writing ----------------------------------------------------
    def put(self, text: str) -> None:
        self.out.append(text)
        self.column += len(text)

    def put_break(self) -> None:
        self.out.append("\n")
        self.column = 0

    def write_indent(self) -> None:
        indent = max(self.indent, 0)
        if not self.indention or self.column > indent or (self.column == indent and not self.whitespace):
            self.put_break()
        if self.column < indent:
            self.put(" " * (indent - self.column))
        self.whitespace = True
        self.indention = True

    def write_indicator(
        self, indicator: str, need_whitespace: bool, is_whitespace: bool, is_indention: bool
    ) -> None:
        if need_whitespace and not self.whitespace:
            self.put(" ")
        self.put(indicator)
        self.whitespace = is_whitespace
        self.indention = self.indention and is_indention

    def increase_indent(self, flow: bool, indentless: bool) -> None:
        self.indents.append(self.indent)
        if self.indent < 0:
            self.indent = self.best_indent if flow else 0
        elif not indentless:
            self.indent += self.best_indent

    def pop_indent(self) -> None:
        self.indent = self.indents.pop()

    # -- documents and nodes -----------------------------------------------------
    def document(self, value: Any) -> str:
        self.node(value, mapping_context=False, simple_key=False)
        self.write_indent()
        return "".join(self.out)

    def node(self, value: Any, mapping_context: bool, simple_key: bool) -> None:
        if isinstance(value, dict):
            if not value or self.flow_level:
                self.flow_collection(value, "{", "}")
            else:
                self.block_mapping(value)
        elif isinstance(value, (list, tuple)):
            if not value or self.flow_level:
                self.flow_collection(value, "[", "]")
            else:
                self.block_sequence(value, mapping_context)
        else:
            text, style = self.scalar_text(value)
            self.scalar(text, style, simple_key)

    def flow_collection(self, value: Any, opening: str, closing: str) -> None:
        if value:
            raise _MarshalError("non-empty flow collections are not produced by go-yaml's Marshal")
        self.write_indicator(opening, True, True, False)
        self.increase_indent(True, False)
        self.pop_indent()
        self.write_indicator(closing, False, False, False)

    def block_sequence(self, items: Any, mapping_context: bool) -> None:
        indentless = mapping_context and not self.indention and not self.indent_sequences
        self.increase_indent(False, indentless)
        for item in items:
            self.write_indent()
            self.write_indicator("-", True, False, True)
            self.node(item, mapping_context=False, simple_key=False)
        self.pop_indent()

    def block_mapping(self, mapping: dict) -> None:
        self.increase_indent(False, False)
        for key in _sorted_keys(mapping):
            self.write_indent()
            text, style = self.scalar_text(key)
            analysis = _ScalarAnalysis(text)
            if not analysis.multiline and len(text.encode("utf-8", "surrogatepass")) <= 128:
                self.scalar(text, style, simple_key=True)
                self.write_indicator(":", False, False, False)
            else:
                self.write_indicator("?", True, False, True)
                self.scalar(text, style, simple_key=False)
                self.write_indent()
                self.write_indicator(":", True, False, True)
            self.node(mapping[key], mapping_context=True, simple_key=False)
        self.pop_indent()

    @staticmethod
    def scalar_text(value: Any) -> tuple[str, int]:
        """The scalar's text and the style go-yaml's encoder asks for."""
        if value is None:
            return "null", _PLAIN
        if value is True:
            return "true", _PLAIN
        if value is False:
            return "false", _PLAIN
        if isinstance(value, int):
            return str(value), _PLAIN
        if isinstance(value, float):
            text = gofmt.format_float(value, "g", -1)
            return {"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}.get(text, text), _PLAIN
        text = str(value)
        if "\n" in text:
            return text, _LITERAL
        if _resolves_to_string(text) and not _BASE60_FLOAT.match(text):
            return text, _PLAIN
        return text, _DOUBLE

    def scalar(self, text: str, style: int, simple_key: bool) -> None:
        analysis = _ScalarAnalysis(text)
        if simple_key and analysis.multiline:
            style = _DOUBLE
        if style == _PLAIN:
            if (self.flow_level and not analysis.flow_plain) or (
                not self.flow_level and not analysis.block_plain
            ):
                style = _SINGLE
            if not text and (self.flow_level or simple_key):
                style = _SINGLE
        if style == _SINGLE and not analysis.single_quoted:
            style = _DOUBLE
        if style == _LITERAL and (not analysis.block or self.flow_level or simple_key):
            style = _DOUBLE
        self.increase_indent(True, False)
        allow_breaks = not simple_key
        if style == _PLAIN:
            self.write_plain(text, allow_breaks)
        elif style == _SINGLE:
            self.write_single(text, allow_breaks)
        elif style == _DOUBLE:
            self.write_double(text, allow_breaks)
        else:
            self.write_literal(text)
        self.pop_indent()

    # -- scalar writers ---------------------------------------------------------
    def _write_break_char(self, ch: str) -> None:
        if ch == "\n":
            self.put_break()
        else:
            self.out.append(ch)
            self.column = 0

    def write_plain(self, text: str, allow_breaks: bool) -> None:
        if not self.whitespace:
            self.put(" ")
        spaces = breaks = False
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == " ":
                if (
                    allow_breaks
                    and not spaces
                    and self.column > self.best_width
                    and text[i + 1 : i + 2] != " "
                ):
                    self.write_indent()
                else:
                    self.put(ch)
                spaces = True
            elif ch in _BREAKS:
                if not breaks and ch == "\n":
                    self.put_break()
                self._write_break_char(ch)
                self.indention = True
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                self.put(ch)
                self.indention = False
                spaces = breaks = False
            i += 1
        self.whitespace = False
        self.indention = False

    def write_single(self, text: str, allow_breaks: bool) -> None:
        self.write_indicator("'", True, False, False)
        spaces = breaks = False
        for i, ch in enumerate(text):
            if ch == " ":
                if (
                    allow_breaks
                    and not spaces
                    and self.column > self.best_width
                    and 0 < i < len(text) - 1
                    and text[i + 1] != " "
                ):
                    self.write_indent()
                else:
                    self.put(ch)
                spaces = True
            elif ch in _BREAKS:
                if not breaks and ch == "\n":
                    self.put_break()
                self._write_break_char(ch)
                self.indention = True
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                if ch == "'":
                    self.put("'")
                self.put(ch)
                self.indention = False
                spaces = breaks = False
        self.write_indicator("'", False, False, False)
        self.whitespace = False
        self.indention = False

    def write_double(self, text: str, allow_breaks: bool) -> None:
        self.write_indicator('"', True, False, False)
        spaces = False
        for i, ch in enumerate(text):
            code = ord(ch)
            if not _is_printable(ch) or ch == "\ufeff" or ch in _BREAKS or ch in '"\\':
                if code in _DOUBLE_ESCAPES:
                    self.put("\\" + _DOUBLE_ESCAPES[code])
                elif code <= 0xFF:
                    self.put(f"\\x{code:02X}")
                elif code <= 0xFFFF:
                    self.put(f"\\u{code:04X}")
                else:
                    self.put(f"\\U{code:08X}")
                spaces = False
            elif ch == " ":
                if allow_breaks and not spaces and self.column > self.best_width and 0 < i < len(text) - 1:
                    self.write_indent()
                    if text[i + 1] == " ":
                        self.put("\\")
                else:
                    self.put(ch)
                spaces = True
            else:
                self.put(ch)
                spaces = False
        self.write_indicator('"', False, False, False)
        self.whitespace = False
        self.indention = False

    def write_literal(self, text: str) -> None:
        self.write_indicator("|", True, False, False)
        if text[:1] == " " or (text[:1] in _BREAKS and text):
            self.write_indicator(str(self.best_indent), False, False, False)
        if not text or text[-1] not in _BREAKS:
            chomp = "-"
        elif len(text) == 1 or text[-2] in _BREAKS:
            chomp = "+"
        else:
            chomp = ""
        if chomp:
            self.write_indicator(chomp, False, False, False)
        self.put_break()
        self.indention = True
        self.whitespace = True
        breaks = True
        for ch in text:
            if ch in _BREAKS:
                self._write_break_char(ch)
                self.indention = True
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                self.put(ch)
                self.indention = False
                breaks = False


def go_yaml_dump(value: Any, width: int = 80, indent_sequences: bool = False) -> str:
    """go-yaml v2 Marshal of an already JSON-shaped value (ends with a newline)."""
    return _Emitter(width, indent_sequences).document(value)


def to_yaml(value: Any) -> str:
    """Helm ``toYaml``: sigs.k8s.io/yaml.Marshal with the final newline trimmed; ``""`` on error."""
    try:
        return must_to_yaml(value)
    except FunctionError:
        return ""


def marshal_yaml(value: Any) -> str:
    """sigs.k8s.io/yaml.Marshal: JSON round trip then go-yaml v2 (ends with a newline)."""
    try:
        tree = _json_to_yaml_tree(go_json_value(value))
    except _MarshalError as exc:
        raise FunctionError(f"error marshaling into JSON: {exc}") from exc
    return go_yaml_dump(tree)


def must_to_yaml(value: Any) -> str:
    """Helm ``mustToYaml``: like toYaml, but marshal errors are template errors."""
    return marshal_yaml(value).removesuffix("\n")


def to_yaml_pretty(value: Any) -> str:
    """Helm ``toYamlPretty`` (go-yaml v3, indent 2): sequences indented, no JSON round trip, no folding.

    An approximation of go-yaml v3's emitter built on the v2 port above.
    """
    try:
        tree = go_json_value(value)
    except _MarshalError:
        return ""
    return go_yaml_dump(tree, width=-1, indent_sequences=True).removesuffix("\n")


# ---------------------------------------------------------------------------
# Reading YAML the way Helm does
# ---------------------------------------------------------------------------

_PLAIN_TAG = "tag:medlint.dev,2024:go-yaml-v2-plain"
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _GoYamlLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """PyYAML loader resolving plain scalars exactly like go-yaml v2."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            if value == _MERGE_KEY:
                return "tag:yaml.org,2002:merge"
            return _PLAIN_TAG
        return super().resolve(kind, value, implicit)


def _construct_plain(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    return go_yaml_resolve(node.value)


_GoYamlLoader.add_constructor(_PLAIN_TAG, _construct_plain)

_LIBYAML_WORDING = {
    "mapping values are not allowed here": "mapping values are not allowed in this context",
}


def _parse_error_text(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    problem = _LIBYAML_WORDING.get(problem, problem)
    if mark is not None:
        return f"yaml: line {mark.line + 1}: {problem}"
    return f"yaml: {problem}"


def _to_json_shape(value: Any) -> Any:
    """sigs.k8s.io/yaml's convertToJSONableObject followed by json.Unmarshal (numbers -> float64)."""
    if isinstance(value, dict):
        result: dict[str, Any] = {}
        for key, item in value.items():
            if isinstance(key, bool):
                name = "true" if key else "false"
            elif isinstance(key, str):
                name = key
            elif isinstance(key, int):
                if not -(1 << 63) <= key < (1 << 63):
                    raise _MarshalError(f"unsupported map key of type: uint64, key: {key}")
                name = str(key)
            elif isinstance(key, float):
                name = {"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}.get(
                    gofmt.format_float(key, "g", -1), _float32_text(key)
                )
            else:
                raise _MarshalError(f"unsupported map key of type: {gofmt.type_name(key)}, key: {key!r}")
            result[name] = _to_json_shape(item)
        return result
    if isinstance(value, list):
        return [_to_json_shape(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise _MarshalError(f"json: unsupported value: {gofmt.format_value(value)}")
        return value
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return str(value)


def _float32_text(number: float) -> str:
    """strconv.FormatFloat(f, 'g', -1, 32): shortest digits that round-trip through float32."""
    import struct

    single = struct.unpack("f", struct.pack("f", number))[0]
    for digits in range(1, 10):
        text = f"{single:.{digits}g}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            return gofmt.format_float(float(text), "g", -1)
    return gofmt.format_float(single, "g", -1)


def load_yaml_like_helm(text: str) -> Any:
    """sigs.k8s.io/yaml's YAML -> JSON -> Go value: the first document, numbers as float64.

    Raises :class:`FunctionError` with go-yaml style messages.  Useful for any
    code that must read YAML the way Helm does (values files, fromYaml).
    """
    try:
        loader = _GoYamlLoader(text)
        try:
            node = loader.get_node() if loader.check_node() else None
            document = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise FunctionError(f"error converting YAML to JSON: {_parse_error_text(exc)}") from exc
    try:
        return _to_json_shape(document)
    except _MarshalError as exc:
        raise FunctionError(f"error converting YAML to JSON: {exc}") from exc


def _unmarshal_error(value: Any, target: str) -> FunctionError:
    return FunctionError(
        f"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {_go_value_type(value)} "
        f"into Go value of type {target}"
    )


def from_yaml(text: Any) -> dict:
    """Helm ``fromYaml``: a map; on error a map whose ``Error`` key holds the message."""
    try:
        value = load_yaml_like_helm(arg_string(text))
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise _unmarshal_error(value, "map[string]interface {}")
        return value
    except FunctionError as exc:
        return {"Error": str(exc)}


def from_yaml_array(text: Any) -> list:
    """Helm ``fromYamlArray``: a list; on error a one-element list holding the message."""
    try:
        value = load_yaml_like_helm(arg_string(text))
        if value is None:
            return []
        if not isinstance(value, list):
            raise _unmarshal_error(value, "[]interface {}")
        return value
    except FunctionError as exc:
        return [str(exc)]


def to_json(value: Any) -> str:
    """``toJson V``: encoding/json output, ``""`` when V cannot be marshalled."""
    try:
        return go_json_dumps(value)
    except _MarshalError:
        return ""


def must_to_json(value: Any) -> str:
    """``mustToJson V``: marshal errors are template errors."""
    try:
        return go_json_dumps(value)
    except _MarshalError as exc:
        raise FunctionError(str(exc)) from exc


def to_pretty_json(value: Any) -> str:
    """``toPrettyJson V``: MarshalIndent with two spaces."""
    try:
        return go_json_dumps(value, indent="  ")
    except _MarshalError:
        return ""


def must_to_pretty_json(value: Any) -> str:
    """``mustToPrettyJson V``."""
    try:
        return go_json_dumps(value, indent="  ")
    except _MarshalError as exc:
        raise FunctionError(str(exc)) from exc


def to_raw_json(value: Any) -> str:
    """``toRawJson V``: like toJson without escaping ``<>&``."""
    try:
        return go_json_dumps(value, escape_html=False)
    except _MarshalError:
        return ""


def must_to_raw_json(value: Any) -> str:
    """``mustToRawJson V``."""
    try:
        return go_json_dumps(value, escape_html=False)
    except _MarshalError as exc:
        raise FunctionError(str(exc)) from exc


def sprig_from_json(text: Any) -> Any:
    """Sprig's ``fromJson`` (shadowed by Helm's): any JSON value, nil on error."""
    try:
        return _json_decode(arg_string(text))
    except _MarshalError:
        return None


def must_from_json(text: Any) -> Any:
    """``mustFromJson S``: any JSON value; invalid JSON is a template error."""
    try:
        return _json_decode(arg_string(text))
    except _MarshalError as exc:
        raise FunctionError(str(exc)) from exc


def helm_from_json(text: Any) -> dict:
    """Helm ``fromJson``: a map; on error a map whose ``Error`` key holds the message."""
    try:
        value = _json_decode(arg_string(text))
    except _MarshalError as exc:
        return {"Error": str(exc)}
    if value is None:
        return {}
    if not isinstance(value, dict):
        return {
            "Error": f"json: cannot unmarshal {_go_value_type(value)} into Go value of type map[string]interface {{}}"
        }
    return value


def from_json_array(text: Any) -> list:
    """Helm ``fromJsonArray``: a list; on error a one-element list holding the message."""
    try:
        value = _json_decode(arg_string(text))
    except _MarshalError as exc:
        return [str(exc)]
    if value is None:
        return []
    if not isinstance(value, list):
        return [f"json: cannot unmarshal {_go_value_type(value)} into Go value of type []interface {{}}"]
    return value


# ---------------------------------------------------------------------------
# TOML (BurntSushi/toml encoder, the subset template values need)
# ---------------------------------------------------------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def _toml_string(text: str) -> str:
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\b\t\n\f\r":
            out.append({"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_is_table(value: Any) -> bool:
    return isinstance(value, dict)


def _toml_is_table_array(value: Any) -> bool:
    return (
        isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value if v is not None)
    )


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "-inf" if value < 0 else "+inf"
        text = gofmt.format_float(value, "f", -1)
        return text if "." in text else text + ".0"
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        keys = sorted(value)
        return (
            "{"
            + ", ".join(f"{_toml_key(k)} = {_toml_value(value[k])}" for k in keys if value[k] is not None)
            + "}"
        )
    raise _MarshalError(f"toml: cannot encode a value of type {gofmt.type_name(value)}")


class _TomlWriter:
    def __init__(self) -> None:
        self.out: list[str] = []

    def newline(self) -> None:
        if self.out:
            self.out.append("\n")

    def table_body(self, path: list[str], mapping: dict) -> None:
        direct = sorted(k for k, v in mapping.items() if not (_toml_is_table(v) or _toml_is_table_array(v)))
        nested = sorted(k for k, v in mapping.items() if _toml_is_table(v) or _toml_is_table_array(v))
        indent = "  " * max(len(path), 0)
        for key in direct:
            value = mapping[key]
            if value is None:
                continue
            self.out.append(f"{indent}{_toml_key(key)} = {_toml_value(value)}")
            self.newline()
        for key in nested:
            value = mapping[key]
            sub_path = path + [key]
            dotted = ".".join(_toml_key(k) for k in sub_path)
            if _toml_is_table(value):
                if len(sub_path) == 1:
                    self.newline()
                self.out.append(f"{'  ' * (len(sub_path) - 1)}[{dotted}]")
                self.newline()
                self.table_body(sub_path, value)
            else:
                for item in value:
                    if item is None:
                        continue
                    self.newline()
                    self.out.append(f"{'  ' * (len(sub_path) - 1)}[[{dotted}]]")
                    self.newline()
                    self.table_body(sub_path, item)


def to_toml(value: Any) -> str:
    """Helm ``toToml``: BurntSushi/toml's encoding; the error text on failure."""
    try:
        normalised = (
            go_json_value(value)
            if not isinstance(value, dict)
            else {str(k): go_json_value(v) for k, v in value.items()}
        )
        if not isinstance(normalised, dict):
            return _toml_value(normalised)
        writer = _TomlWriter()
        writer.table_body([], normalised)
        return "".join(writer.out)
    except _MarshalError as exc:
        return str(exc)


def must_to_toml(value: Any) -> str:
    """``mustToToml``: encoding errors are template errors."""
    result = to_toml(value)
    if result.startswith(("toml:", "json:")):
        raise FunctionError(result)
    return result


def helm_yaml_functions() -> dict[str, Callable[..., Any]]:
    """Helm's own data-format functions (they replace Sprig's toJson/fromJson)."""
    return {
        "toYaml": to_yaml,
        "mustToYaml": must_to_yaml,
        "toYamlPretty": to_yaml_pretty,
        "fromYaml": from_yaml,
        "fromYamlArray": from_yaml_array,
        "toJson": to_json,
        "mustToJson": must_to_json,
        "fromJson": helm_from_json,
        "fromJsonArray": from_json_array,
        "toToml": to_toml,
        "mustToToml": must_to_toml,
    }


def sprig_json_functions() -> dict[str, Callable[..., Any]]:
    """Sprig's JSON functions (``toJson``/``fromJson`` are later replaced by Helm's)."""
    return {
        "toJson": to_json,
        "mustToJson": must_to_json,
        "toPrettyJson": to_pretty_json,
        "mustToPrettyJson": must_to_pretty_json,
        "toRawJson": to_raw_json,
        "mustToRawJson": must_to_raw_json,
        "fromJson": sprig_from_json,
        "mustFromJson": must_from_json,
    }
