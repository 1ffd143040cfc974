"""Sprig's string, path and regular-expression functions.

Semantics follow Sprig v3 (strings.go, regex.go, functions.go) and the Go
libraries behind it: ``strings``, Masterminds/goutils (``abbrev``, ``wrap``,
``initials``, ``untitle``, ``swapcase``), huandu/xstrings (``camelcase``,
``snakecase``, ``kebabcase``) and Go's RE2 ``regexp``.  Sprig takes the piped
value as its last argument (``"foo" | trimSuffix "o"``), so the Python
signatures do too.

Byte versus character: Go strings are UTF-8 bytes, and ``trunc``, ``substr``
and ``abbrev`` count bytes.  They do so here as well; a cut through a
multi-byte character yields U+FFFD where Go would emit a broken byte.

Regular expressions come from charts, so they run on RE2 (google-re2, the engine Go's ``regexp`` is
modelled on): matching time is linear in the text whatever the pattern, and the syntax and semantics are
Go's (``\\d \\w \\s \\b`` ASCII-only, ``$`` the end of text unless ``(?m)``, leftmost-first
alternation, no back-references or look-around). :func:`translate_go_regex` remains for callers that
need a Python ``re`` pattern of medlint's own and, here, for Go's wording of syntax errors.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from medlint.helm import gofmt
from medlint.helm.functions.reflect import (
    FunctionError,
    GoStringMap,
    GoStringSlice,
    arg_int,
    arg_string,
    kind_of,
)

__all__ = [
    "compile_go_regex",
    "functions",
    "go_is_space",
    "strslice",
    "strval",
    "translate_go_regex",
]


# ---------------------------------------------------------------------------
# Conversions shared by many functions
# ---------------------------------------------------------------------------


def strval(value: Any) -> str:
    """Sprig's strval (``toString``): strings as-is, bytes decoded, Stringers, else Go ``%v``."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, BaseException):
        return str(value)
    return gofmt.format_value(value)


def strslice(value: Any) -> GoStringSlice:
    """Sprig's strslice (``toStrings``): a list becomes its elements' strval, nils dropped."""
    if isinstance(value, GoStringSlice):
        return value
    if isinstance(value, (list, tuple)):
        return GoStringSlice(strval(v) for v in value if v is not None)
    if isinstance(value, (bytes, bytearray)):
        return GoStringSlice(str(b) for b in value)
    if value is None:
        return GoStringSlice()
    return GoStringSlice([strval(value)])


_GO_SPACES = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def go_is_space(ch: str) -> bool:
    """Go's unicode.IsSpace (Python's isspace also counts \\x1c-\\x1f, Go does not)."""
    return ch in _GO_SPACES


def _go_trim_space(text: str) -> str:
    start, end = 0, len(text)
    while start < end and go_is_space(text[start]):
        start += 1
    while end > start and go_is_space(text[end - 1]):
        end -= 1
    return text[start:end]


def _simple_case(text: str, upper: bool) -> str:
    """Go's per-rune case mapping (no ``ß`` -> ``SS`` expansion)."""
    out = []
    for ch in text:
        mapped = ch.upper() if upper else ch.lower()
        out.append(mapped if len(mapped) == 1 else ch)
    return "".join(out)


def _utf8_cut(data: bytes) -> str:
    return data.decode("utf-8", "replace")


# ---------------------------------------------------------------------------
# Basic string functions
# ---------------------------------------------------------------------------


def trim(text: Any) -> str:
    """``trim S``: strings.TrimSpace."""
    return _go_trim_space(arg_string(text))


def trim_all(cutset: Any, text: Any) -> str:
    """``trimAll CUTSET S``: strings.Trim."""
    chars = arg_string(cutset)
    return arg_string(text).strip(chars) if chars else arg_string(text)


def trim_prefix(prefix: Any, text: Any) -> str:
    """``trimPrefix P S``."""
    return arg_string(text).removeprefix(arg_string(prefix))


def trim_suffix(suffix: Any, text: Any) -> str:
    """``trimSuffix S STR``."""
    return arg_string(text).removesuffix(arg_string(suffix))


def upper(text: Any) -> str:
    """``upper S``."""
    return _simple_case(arg_string(text), upper=True)


def lower(text: Any) -> str:
    """``lower S``."""
    return _simple_case(arg_string(text), upper=False)


def _title_separator(ch: str) -> bool:
    """Go strings.Title's isSeparator."""
    if ch.isascii():
        return not (ch.isalnum() or ch == "_")
    if ch.isalpha() or unicodedata.category(ch) == "Nd":
        return False
    return go_is_space(ch)


def title(text: Any) -> str:
    """``title S``: strings.Title, upper-casing the first letter of each word."""
    out = []
    previous = " "
    for ch in arg_string(text):
        if _title_separator(previous):
            mapped = ch.title()
            out.append(mapped if len(mapped) == 1 else ch)
        else:
            out.append(ch)
        previous = ch
    return "".join(out)


def untitle(text: Any) -> str:
    """``untitle S``: goutils.Uncapitalize, lower-casing the first letter of each word."""
    out = []
    lower_next = True
    for ch in arg_string(text):
        if go_is_space(ch):
            lower_next = True
            out.append(ch)
        elif lower_next:
            out.append(_simple_case(ch, upper=False))
            lower_next = False
        else:
            out.append(ch)
    return "".join(out)


def swapcase(text: Any) -> str:
    """``swapcase S``: goutils.SwapCase."""
    out = []
    for ch in arg_string(text):
        if ch.isupper() or unicodedata.category(ch) == "Lt":
            out.append(_simple_case(ch, upper=False))
        elif ch.islower():
            out.append(_simple_case(ch, upper=True))
        else:
            out.append(ch)
    return "".join(out)


def substr(start: Any, end: Any, text: Any) -> str:
    """``substr START END S`` on bytes, with Sprig's handling of negative/too large bounds."""
    first, last = arg_int(start), arg_int(end)
    data = arg_string(text).encode()
    if first < 0:
        if last < 0 or last > len(data):
            raise FunctionError(f"runtime error: slice bounds out of range [:{last}] with length {len(data)}")
        return _utf8_cut(data[:last])
    if last < 0 or last > len(data):
        if first > len(data):
            raise FunctionError(f"runtime error: slice bounds out of range [{first}:{len(data)}]")
        return _utf8_cut(data[first:])
    if first > last:
        raise FunctionError(f"runtime error: slice bounds out of range [{first}:{last}]")
    return _utf8_cut(data[first:last])


def trunc(count: Any, text: Any) -> str:
    """``trunc N S``: the first N bytes, or for negative N the last -N bytes."""
    n = arg_int(count)
    data = arg_string(text).encode()
    if n < 0 and len(data) + n > 0:
        return _utf8_cut(data[len(data) + n :])
    if n >= 0 and len(data) > n:
        return _utf8_cut(data[:n])
    return arg_string(text)


def abbrev(width: Any, text: Any) -> str:
    """``abbrev WIDTH S``: goutils.Abbreviate, ending with ``...``."""
    max_width = arg_int(width)
    value = arg_string(text)
    if max_width < 4:
        return value
    return _abbreviate_full(value, 0, max_width)


def _abbreviate_full(text: str, offset: int, max_width: int) -> str:
    data = text.encode()
    if not data:
        return ""
    if max_width < 4:
        return ""
    if len(data) <= max_width:
        return text
    offset = min(offset, len(data))
    if len(data) - offset < max_width - 3:
        offset = len(data) - (max_width - 3)
    marker = "..."
    if offset <= 4:
        return _utf8_cut(data[: max_width - 3]) + marker
    if max_width < 7:
        return ""
    if offset + max_width - 3 < len(data):
        return marker + _abbreviate_full(_utf8_cut(data[offset:]), 0, max_width - 3)
    return marker + _utf8_cut(data[len(data) - (max_width - 3) :])


def abbrevboth(left: Any, right: Any, text: Any) -> str:
    """``abbrevboth LEFT RIGHT S``: abbreviate on both sides."""
    offset, max_width = arg_int(left), arg_int(right)
    value = arg_string(text)
    if max_width < 4 or (offset > 0 and max_width < 7):
        return value
    return _abbreviate_full(value, offset, max_width)


def initials(text: Any) -> str:
    """``initials S``: the first letter of each whitespace-separated word."""
    out = []
    last_was_gap = True
    for ch in arg_string(text):
        if go_is_space(ch):
            last_was_gap = True
        elif last_was_gap:
            out.append(ch)
            last_was_gap = False
    return "".join(out)


def nospace(text: Any) -> str:
    """``nospace S``: remove all white space."""
    return "".join(ch for ch in arg_string(text) if not go_is_space(ch))


def repeat(count: Any, text: Any) -> str:
    """``repeat N S``."""
    n = arg_int(count)
    if n < 0:
        raise FunctionError("strings: negative Repeat count")
    return arg_string(text) * n


def _wrap_custom(text: str, wrap_length: int, newline: str, wrap_long_words: bool) -> str:
    """goutils.WrapCustom (byte based, wraps at spaces)."""
    if text == "":
        return ""
    if newline == "":
        newline = "\n"
    wrap_length = max(wrap_length, 1)
    data = text.encode()
    nl = newline.encode()
    length = len(data)
    offset = 0
    out = bytearray()
    while length - offset > wrap_length:
        if data[offset : offset + 1] == b" ":
            offset += 1
            continue
        end = wrap_length + offset + 1
        space = data[offset:end].rfind(b" ") + offset
        if space >= offset:
            out += data[offset:space] + nl
            offset = space + 1
        elif wrap_long_words:
            out += data[offset : wrap_length + offset] + nl
            offset += wrap_length
        else:
            end = wrap_length + offset
            index = data[end:].find(b" ")
            if index == -1:
                out += data[offset:]
                offset = length
            else:
                space = index + end
                out += data[offset:space] + nl
                offset = space + 1
    out += data[offset:]
    return _utf8_cut(bytes(out))


def wrap(width: Any, text: Any) -> str:
    """``wrap N S``: wrap at spaces so lines are at most N bytes (long words are not split)."""
    return _wrap_custom(arg_string(text), arg_int(width), "", False)


def wrap_with(width: Any, separator: Any, text: Any) -> str:
    """``wrapWith N SEP S``: like wrap, with a custom line separator, splitting long words."""
    return _wrap_custom(arg_string(text), arg_int(width), arg_string(separator), True)


def contains(needle: Any, text: Any) -> bool:
    """``contains SUB S``."""
    return arg_string(needle) in arg_string(text)


def has_prefix(prefix: Any, text: Any) -> bool:
    """``hasPrefix P S``."""
    return arg_string(text).startswith(arg_string(prefix))


def has_suffix(suffix: Any, text: Any) -> bool:
    """``hasSuffix S STR``."""
    return arg_string(text).endswith(arg_string(suffix))


def quote(*values: Any) -> str:
    """``quote V ...``: each non-nil value as a Go double-quoted string, space separated."""
    return " ".join(gofmt.quote(strval(v)) for v in values if v is not None)


def squote(*values: Any) -> str:
    """``squote V ...``: each non-nil value in single quotes (no escaping), space separated."""
    return " ".join("'" + gofmt.format_value(v) + "'" for v in values if v is not None)


def cat(*values: Any) -> str:
    """``cat A B ...``: non-nil values joined by spaces, printed with ``%v``."""
    return " ".join(gofmt.format_value(v) for v in values if v is not None)


def indent(spaces: Any, text: Any) -> str:
    """``indent N S``: prefix every line with N spaces."""
    pad = " " * arg_int(spaces)
    return pad + arg_string(text).replace("\n", "\n" + pad)


def nindent(spaces: Any, text: Any) -> str:
    """``nindent N S``: a newline, then ``indent N S``."""
    return "\n" + indent(spaces, text)


def replace(old: Any, new: Any, text: Any) -> str:
    """``replace OLD NEW S``: replace every occurrence."""
    return arg_string(text).replace(arg_string(old), arg_string(new))


def plural(one: Any, many: Any, count: Any) -> str:
    """``plural ONE MANY N``."""
    return arg_string(one) if arg_int(count) == 1 else arg_string(many)


def _go_split(text: str, sep: str, limit: int = -1) -> list[str]:
    """strings.SplitN (limit -1 = all, 0 = nil)."""
    if limit == 0:
        return []
    if sep == "":
        chars = list(text)
        if limit > 0 and len(chars) > limit:
            chars = chars[: limit - 1] + ["".join(chars[limit - 1 :])]
        return chars
    if limit < 0:
        return text.split(sep)
    return text.split(sep, limit - 1)


def split(sep: Any, text: Any) -> GoStringMap:
    """``split SEP S``: a map ``{_0: ..., _1: ...}``."""
    parts = _go_split(arg_string(text), arg_string(sep))
    return GoStringMap((f"_{i}", part) for i, part in enumerate(parts))


def splitn(sep: Any, count: Any, text: Any) -> GoStringMap:
    """``splitn SEP N S``: like split, at most N parts."""
    parts = _go_split(arg_string(text), arg_string(sep), arg_int(count))
    return GoStringMap((f"_{i}", part) for i, part in enumerate(parts))


def split_list(sep: Any, text: Any) -> GoStringSlice:
    """``splitList SEP S``: a list of strings."""
    return GoStringSlice(_go_split(arg_string(text), arg_string(sep)))


def join(sep: Any, values: Any) -> str:
    """``join SEP LIST``: strval of each non-nil element; a non-list is joined as one item."""
    return arg_string(sep).join(strslice(values))


def to_strings(values: Any) -> GoStringSlice:
    """``toStrings LIST``."""
    return strslice(values)


def sort_alpha(values: Any) -> GoStringSlice:
    """``sortAlpha LIST``: strval of each element, sorted by bytes."""
    if kind_of(values) in ("slice", "array"):
        return GoStringSlice(sorted(strslice(values), key=lambda s: s.encode("utf-8", "surrogatepass")))
    return GoStringSlice([strval(values) if values is not None else "<nil>"])


# ---------------------------------------------------------------------------
# Case conversion (huandu/xstrings)
# ---------------------------------------------------------------------------


def _is_connector(ch: str) -> bool:
    return ch in "-_" or go_is_space(ch)


def _is_alphabet(ch: str) -> bool:
    return ch.isalpha()


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P")


def _is_number(ch: str) -> bool:
    return unicodedata.category(ch).startswith("N")


def camelcase(text: Any) -> str:
    """``camelcase S``: ``some_words`` -> ``SomeWords`` (leading connectors are kept)."""
    value = arg_string(text)
    if not value:
        return ""
    out: list[str] = []
    index = 0
    current = ""
    while index < len(value):
        current = value[index]
        index += 1
        if not _is_connector(current):
            current = _simple_case(current, upper=True)
            break
        out.append(current)
    if index >= len(value):
        # xstrings writes the last rune again here, so "_" becomes "__".
        out.append(current)
        return "".join(out)
    while index < len(value):
        previous = current
        current = value[index]
        index += 1
        if _is_connector(current) and _is_connector(previous):
            out.append(previous)
            continue
        if _is_connector(previous):
            current = _simple_case(current, upper=True)
        else:
            current = _simple_case(current, upper=False)
            out.append(previous)
    out.append(current)
    return "".join(out)


_INVALID, _NUMBER, _UPPER, _ALPHA, _CONNECTOR, _PUNCT, _OTHER = range(7)


def _next_word(text: str) -> tuple[int, str, str]:
    """xstrings nextWord: classify and split off the next word."""
    if not text:
        return _INVALID, "", ""
    first = text[0]
    i = 1
    if _is_connector(first):
        kind = _CONNECTOR
        while i < len(text) and _is_connector(text[i]):
            i += 1
    elif _is_punct(first):
        kind = _PUNCT
        while i < len(text) and _is_punct(text[i]):
            i += 1
    elif first.isupper():
        kind = _UPPER
        if i < len(text):
            if text[i].isupper():
                i += 1
                while i < len(text) and text[i].isupper():
                    i += 1
                if i < len(text) and _is_alphabet(text[i]):
                    i -= 1
            elif _is_alphabet(text[i]):
                i += 1
                while i < len(text) and _is_alphabet(text[i]) and not text[i].isupper():
                    i += 1
    elif _is_alphabet(first):
        kind = _ALPHA
        while i < len(text) and _is_alphabet(text[i]) and not text[i].isupper():
            i += 1
    elif _is_number(first):
        kind = _NUMBER
        while i < len(text) and _is_number(text[i]):
            i += 1
    else:
        kind = _OTHER
        while i < len(text):
            ch = text[i]
            if _is_connector(ch) or _is_alphabet(ch) or _is_number(ch) or _is_punct(ch):
                break
            i += 1
    return kind, text[:i], text[i:]


def _to_lower(out: list[str], kind: int, word: str, connector: str) -> None:
    if kind not in (_UPPER, _CONNECTOR):
        out.append(word)
        return
    for ch in word:
        if _is_connector(ch):
            out.append(connector)
        elif ch.isupper():
            out.append(_simple_case(ch, upper=False))
        else:
            out.append(ch)


def _camel_to_lower(text: str, connector: str) -> str:
    """xstrings camelCaseToLowerCase (snakecase/kebabcase)."""
    if not text:
        return ""
    out: list[str] = []
    kind, word, remaining = _next_word(text)
    while remaining:
        if kind != _CONNECTOR:
            _to_lower(out, kind, word, connector)
        previous, last = kind, word
        kind, word, remaining = _next_word(remaining)
        if previous == _NUMBER:
            while kind in (_ALPHA, _NUMBER):
                _to_lower(out, kind, word, connector)
                kind, word, remaining = _next_word(remaining)
            if kind not in (_INVALID, _PUNCT, _CONNECTOR):
                out.append(connector)
        elif previous == _CONNECTOR:
            _to_lower(out, previous, last, connector)
        elif previous == _PUNCT:
            pass
        else:
            if kind != _NUMBER:
                if kind not in (_CONNECTOR, _PUNCT):
                    out.append(connector)
                continue
            if not remaining:
                continue
            last = word
            kind, word, remaining = _next_word(remaining)
            if kind != _ALPHA:
                _to_lower(out, _NUMBER, last, connector)
                if kind not in (_CONNECTOR, _PUNCT):
                    out.append(connector)
                continue
            out.append(connector)
            _to_lower(out, _NUMBER, last, connector)
            while kind in (_ALPHA, _NUMBER):
                _to_lower(out, kind, word, connector)
                kind, word, remaining = _next_word(remaining)
            if kind not in (_INVALID, _CONNECTOR, _PUNCT):
                out.append(connector)
    _to_lower(out, kind, word, connector)
    return "".join(out)


def snakecase(text: Any) -> str:
    """``snakecase S``: ``FirstName`` -> ``first_name``, ``HTTPServer`` -> ``http_server``."""
    return _camel_to_lower(arg_string(text), "_")


def kebabcase(text: Any) -> str:
    """``kebabcase S``: ``FirstName`` -> ``first-name``."""
    return _camel_to_lower(arg_string(text), "-")


# ---------------------------------------------------------------------------
# Paths (Go's path and path/filepath on a Unix host)
# ---------------------------------------------------------------------------


def path_clean(path: Any) -> str:
    """``clean P``: Go's path.Clean (``""`` becomes ``.``)."""
    value = arg_string(path)
    if value == "":
        return "."
    cleaned = posixpath.normpath(value)
    if cleaned.startswith("//"):
        cleaned = "/" + cleaned.lstrip("/")
    return cleaned


def path_base(path: Any) -> str:
    """``base P``: the last element, trailing slashes ignored."""
    value = arg_string(path)
    if value == "":
        return "."
    value = value.rstrip("/")
    if value == "":
        return "/"
    return value.rsplit("/", 1)[-1]


def path_dir(path: Any) -> str:
    """``dir P``: everything but the last element, cleaned."""
    value = arg_string(path)
    head = value[: value.rfind("/") + 1]
    return path_clean(head)


def path_ext(path: Any) -> str:
    """``ext P``: the extension including the dot, or ``""``."""
    value = arg_string(path)
    for i in range(len(value) - 1, -1, -1):
        if value[i] == "/":
            break
        if value[i] == ".":
            return value[i:]
    return ""


def path_is_abs(path: Any) -> bool:
    """``isAbs P``."""
    return arg_string(path).startswith("/")


# ---------------------------------------------------------------------------
# Regular expressions: Go RE2 syntax on Python's re
# ---------------------------------------------------------------------------

_WORD = "0-9A-Za-z_"
_PERL_CLASSES = {
    "d": ("[0-9]", "0-9"),
    "D": ("[^0-9]", None),
    "w": (f"[{_WORD}]", _WORD),
    "W": (f"[^{_WORD}]", None),
    "s": ("[\\t\\n\\f\\r ]", "\\t\\n\\f\\r "),
    "S": ("[^\\t\\n\\f\\r ]", None),
}
_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": _WORD,
    "xdigit": "0-9A-Fa-f",
}
_UNICODE_CLASSES = {"L": "[^\\W\\d_]", "N": "\\d", "Nd": "\\d"}
_WORD_BOUNDARY = f"(?:(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}])(?=[{_WORD}]))"
_NOT_WORD_BOUNDARY = f"(?:(?<=[{_WORD}])(?=[{_WORD}])|(?<![{_WORD}])(?![{_WORD}]))"
_SIMPLE_ESCAPES = {"a": "\\x07", "f": "\\x0c", "t": "\\t", "n": "\\n", "r": "\\r", "v": "\\x0b"}


class GoRegexError(ValueError):
    """A pattern Go's regexp package refuses (message in Go's words)."""


class _RegexTranslator:
    """Recursive-descent translation of one Go RE2 pattern into Python ``re`` syntax."""

    def __init__(self, pattern: str) -> None:
        self.src = pattern
        self.pos = 0

    def error(self, code: str, arg: str) -> GoRegexError:
        return GoRegexError(f"error parsing regexp: {code}: `{arg}`")

    def translate(self) -> str:
        out = self.sequence(flags=frozenset(), depth=0)
        if self.pos < len(self.src):
            raise self.error("unexpected )", self.src)
        return out

    def sequence(self, flags: frozenset, depth: int) -> str:
        """Translate up to the closing ``)`` of the current group (not consumed)."""
        out: list[str] = []
        last_atom_start: int | None = None
        src = self.src
        while self.pos < len(src):
            ch = src[self.pos]
            if ch == ")":
                if depth == 0:
                    raise self.error("unexpected )", src)
                break
            if ch == "|":
                self.pos += 1
                out.append("|")
                last_atom_start = None
                continue
            if ch in "*+?{":
                if ch == "{":
                    repeat = self.repeat_braces()
                    if repeat is None:
                        last_atom_start = len(out)
                        out.append("\\{")
                        self.pos += 1
                        continue
                    op, end = repeat
                else:
                    op, end = ch, self.pos + 1
                if last_atom_start is None:
                    raise self.error("missing argument to repetition operator", src[self.pos : end])
                self.pos = end
                lazy = False
                if self.pos < len(src) and src[self.pos] == "?":
                    lazy = True
                    self.pos += 1
                if self.pos < len(src) and (
                    src[self.pos] in "*+?" or (src[self.pos] == "{" and self.repeat_braces())
                ):
                    raise self.error("invalid nested repetition operator", op + src[self.pos])
                if "U" in flags:
                    lazy = not lazy
                out.append(op + ("?" if lazy else ""))
                last_atom_start = None
                continue
            if ch == "(":
                piece, new_flags = self.group(flags, depth)
                if new_flags is not None:
                    # "(?i)" style: the flags apply to the rest of this group.
                    rest = self.sequence(new_flags, depth)
                    out.append(piece + rest + ")")
                    last_atom_start = None
                    break
                last_atom_start = len(out)
                out.append(piece)
                continue
            last_atom_start = len(out)
            out.append(self.atom(flags))
        return "".join(out)

    def repeat_braces(self) -> tuple[str, int] | None:
        match = re.compile(r"\{(\d+)(,(\d*))?\}").match(self.src, self.pos)
        if not match:
            return None
        low = int(match.group(1))
        high = match.group(3)
        if low > 1000 or (high and int(high) > 1000) or (high and int(high) < low):
            raise self.error("invalid repeat count", match.group(0))
        return match.group(0), match.end()

    def group(self, flags: frozenset, depth: int) -> tuple[str, frozenset | None]:
        src = self.src
        start = self.pos
        self.pos += 1
        if src.startswith("?P<", self.pos) or src.startswith("?<", self.pos):
            name_start = self.pos + (3 if src.startswith("?P<", self.pos) else 2)
            close = src.find(">", name_start)
            name = src[name_start:close] if close >= 0 else ""
            if close < 0 or not re.fullmatch(r"[A-Za-z0-9_]+", name):
                raise self.error("invalid named capture", src[start : close + 1 if close >= 0 else len(src)])
            self.pos = close + 1
            inner = self.sequence(flags, depth + 1)
            self.expect_close(start)
            return f"(?P<{name}>{inner})", None
        if src.startswith("?", self.pos):
            match = re.compile(r"\?([imsU]*)(?:-([imsU]*))?([:)])").match(src, self.pos)
            if not match:
                end = src.find(")", self.pos)
                raise self.error(
                    "invalid or unsupported Perl syntax", src[start : self.pos + 2 if end < 0 else end]
                )
            on, off, kind = match.group(1), match.group(2) or "", match.group(3)
            if (match.group(2) is not None and off == "") or (not on and not off):
                raise self.error("invalid or unsupported Perl syntax", src[start : match.end()])
            new_flags = (flags | set(on)) - set(off)
            self.pos = match.end()
            py_on = "".join(f for f in "ims" if f in new_flags)
            py_off = "".join(f for f in "ims" if f not in new_flags)
            prefix = "(?" + py_on + ("-" + py_off if py_off else "") + ":"
            if kind == ")":
                return prefix, frozenset(new_flags)
            inner = self.sequence(frozenset(new_flags), depth + 1)
            self.expect_close(start)
            return prefix + inner + ")", None
        inner = self.sequence(flags, depth + 1)
        self.expect_close(start)
        return "(" + inner + ")", None

    def expect_close(self, start: int) -> None:
        if self.pos >= len(self.src) or self.src[self.pos] != ")":
            raise self.error("missing closing )", self.src)
        self.pos += 1

    def atom(self, flags: frozenset) -> str:
        src = self.src
        ch = src[self.pos]
        if ch == "[":
            return self.char_class()
        if ch == "\\":
            return self.escape(in_class=False)
        self.pos += 1
        if ch == "$":
            return "(?=\\n|\\Z)" if "m" in flags else "\\Z"
        if ch == "^":
            return "(?:(?<=\\n)|\\A)" if "m" in flags else "\\A"
        if ch == ".":
            return "(?s:.)" if "s" in flags else "[^\\n]"
        return re.escape(ch)

    def escape(self, in_class: bool) -> str:
        src = self.src
        if self.pos + 1 >= len(src):
            raise self.error("trailing backslash at end of expression", "")
        code = src[self.pos + 1]
        self.pos += 2
        if code in _PERL_CLASSES:
            whole, inner = _PERL_CLASSES[code]
            if in_class:
                if inner is None:
                    raise self.error("invalid character class range", "\\" + code)
                return inner
            return whole
        if code == "b" and not in_class:
            return _WORD_BOUNDARY
        if code == "B" and not in_class:
            return _NOT_WORD_BOUNDARY
        if code == "A" and not in_class:
            return "\\A"
        if code == "z" and not in_class:
            return "\\Z"
        if code in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[code]
        if code == "Q" and not in_class:
            end = src.find("\\E", self.pos)
            literal = src[self.pos :] if end < 0 else src[self.pos : end]
            self.pos = len(src) if end < 0 else end + 2
            return "(?:" + re.escape(literal) + ")" if literal else ""
        if code == "x":
            match = re.compile(r"\{([0-9A-Fa-f]+)\}|([0-9A-Fa-f]{2})").match(src, self.pos)
            if not match:
                raise self.error("invalid escape sequence", "\\x")
            self.pos = match.end()
            value = int(match.group(1) or match.group(2), 16)
            if value > 0x10FFFF:
                raise self.error("invalid escape sequence", match.group(0))
            return re.escape(chr(value)) if not in_class else _class_char(chr(value))
        if code in "01234567":
            # \0 and \1-\7 followed by octal digits are octal codes; a lone \1 would be
            # a back-reference, which RE2 does not support.
            match = re.compile(r"[0-7]{0,2}").match(src, self.pos)
            assert match is not None  # {0,2} matches the empty string
            if code != "0" and not match.group(0):
                raise self.error("invalid escape sequence", "\\" + code)
            self.pos = match.end()
            char = chr(int(code + match.group(0), 8))
            return _class_char(char) if in_class else re.escape(char)
        if code in "pP":
            if self.pos < len(src) and src[self.pos] == "{":
                end = src.find("}", self.pos)
                name = src[self.pos + 1 : end]
                self.pos = end + 1
            else:
                name = src[self.pos : self.pos + 1]
                self.pos += 1
            negate = code == "P"
            if name.startswith("^"):
                negate, name = not negate, name[1:]
            if name not in ("L", "N", "Nd") or in_class:
                raise self.error("invalid character class range", "\\" + code + name)
            body = _UNICODE_CLASSES[name]
            if negate:
                return "(?:(?!" + body + ")(?s:.))"
            return body
        if code.isascii() and (code.isalnum() or code == "_"):
            raise self.error("invalid escape sequence", "\\" + code)
        return _class_char(code) if in_class else re.escape(code)

    def char_class(self) -> str:
        src = self.src
        start = self.pos
        self.pos += 1
        negate = False
        if self.pos < len(src) and src[self.pos] == "^":
            negate = True
            self.pos += 1
        parts: list[str] = []
        first = True
        while True:
            if self.pos >= len(src):
                raise self.error("missing closing ]", src[start:])
            ch = src[self.pos]
            if ch == "]" and not first:
                self.pos += 1
                break
            first = False
            if src.startswith("[:", self.pos):
                match = re.compile(r"\[:(\^?)([a-z]+):\]").match(src, self.pos)
                if match and match.group(2) in _POSIX_CLASSES:
                    self.pos = match.end()
                    body = _POSIX_CLASSES[match.group(2)]
                    if match.group(1):
                        raise self.error("invalid character class range", match.group(0))
                    parts.append(body)
                    continue
            if ch == "\\":
                piece = self.escape(in_class=True)
            else:
                piece = _class_char(ch)
                self.pos += 1
            if self.pos + 1 < len(src) and src[self.pos] == "-" and src[self.pos + 1] != "]":
                self.pos += 1
                if src[self.pos] == "\\":
                    high = self.escape(in_class=True)
                else:
                    high = _class_char(src[self.pos])
                    self.pos += 1
                parts.append(piece + "-" + high)
            else:
                parts.append(piece)
        body = "".join(parts)
        return "[" + ("^" if negate else "") + body + "]"


def _class_char(ch: str) -> str:
    return "\\" + ch if ch in "\\]^-[" else ch


def translate_go_regex(pattern: str) -> str:
    """Translate a Go RE2 pattern to an equivalent Python ``re`` pattern."""
    return _RegexTranslator(pattern).translate()


def _re2_options() -> Any:
    import re2

    options = re2.Options()
    options.log_errors = False  # RE2 would print parse errors on standard error
    return options


def compile_go_regex(pattern: str) -> Any:
    """Compile a Go pattern with RE2 (an ``re``-like object); raise :class:`GoRegexError` in Go's words.

    RE2 decides what is valid (its syntax is Go's); the message of a refused pattern comes from
    :func:`translate_go_regex` where it recognises the problem, as Go would word it.
    """
    import re2

    try:
        return re2.compile(pattern, options=_re2_options())
    except re2.error as exc:
        try:
            translate_go_regex(pattern)
        except GoRegexError:
            raise
        except RecursionError:
            pass
        detail = (
            exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else exc
        )
        raise GoRegexError(f"error parsing regexp: {detail}: `{pattern}`") from None


def _compile(pattern: Any, must: bool = True) -> Any:
    try:
        return compile_go_regex(arg_string(pattern))
    except GoRegexError as exc:
        if must:
            raise FunctionError(f"regexp: Compile({gofmt.quote(pattern)}): {exc}") from exc
        raise FunctionError(str(exc)) from exc


def _go_matches(regex: Any, text: str) -> Any:
    """The successive matches Go's regexp reports: an empty match right after a previous match is
    skipped. One pass of the engine over the text (RE2's finditer), never a new search per match."""
    prev_end = -1
    for match in regex.finditer(text):
        start, end = match.span()
        if not (start == end and start == prev_end):
            yield match
        prev_end = end


def _all_matches(regex: Any, text: str, limit: int) -> list[Any]:
    """Go's allMatches (at most ``limit`` matches; all when negative)."""
    found: list[Any] = []
    if limit == 0:
        return found
    for match in _go_matches(regex, text):
        found.append(match)
        if len(found) == limit:
            break
    return found


def expand_go_template(template: str, match: Any) -> str:
    """Go's Regexp.Expand: ``$1``, ``${1}``, ``$name``, ``${name}``, ``$$``."""
    out: list[str] = []
    i = 0
    groups = match.re.groupindex
    while i < len(template):
        dollar = template.find("$", i)
        if dollar < 0:
            out.append(template[i:])
            break
        out.append(template[i:dollar])
        rest = template[dollar + 1 :]
        if rest.startswith("$"):
            out.append("$")
            i = dollar + 2
            continue
        brace = rest.startswith("{")
        body = rest[1:] if brace else rest
        j = 0
        while j < len(body) and (body[j].isalnum() or body[j] == "_"):
            j += 1
        name = body[:j]
        if not name or (brace and (j >= len(body) or body[j] != "}")):
            out.append("$")
            i = dollar + 1
            continue
        consumed = j + (2 if brace else 0)
        i = dollar + 1 + consumed
        number = -1
        if name.isascii() and name.isdigit() and not (name[0] == "0" and len(name) > 1) and len(name) <= 8:
            number = int(name)
        if number >= 0:
            if number <= match.re.groups and match.group(number) is not None:
                out.append(match.group(number))
        elif name in groups and match.group(name) is not None:
            out.append(match.group(name))
    return "".join(out)


def _replace_all(regex: Any, text: str, replace_with: Callable[[Any], str]) -> str:
    """Go's replaceAll (no replacement for an empty match right after a match), in one pass."""
    out: list[str] = []
    last_end = 0
    for match in _go_matches(regex, text):
        start, end = match.span()
        out.append(text[last_end:start])
        out.append(replace_with(match))
        last_end = end
    out.append(text[last_end:])
    return "".join(out)


def regex_match(pattern: Any, text: Any) -> bool:
    """``regexMatch RE S``: invalid patterns give false."""
    try:
        return _compile(pattern, must=False).search(arg_string(text)) is not None
    except FunctionError:
        return False


def must_regex_match(pattern: Any, text: Any) -> bool:
    """``mustRegexMatch RE S``."""
    return _compile(pattern, must=False).search(arg_string(text)) is not None


def regex_find_all(pattern: Any, text: Any, count: Any) -> GoStringSlice:
    """``regexFindAll RE S N`` (N < 0 for all)."""
    regex = _compile(pattern)
    if arg_int(count) == 0:
        return GoStringSlice()
    return GoStringSlice(m.group(0) for m in _all_matches(regex, arg_string(text), arg_int(count)))


def regex_find(pattern: Any, text: Any) -> str:
    """``regexFind RE S``: the first match or ``""``."""
    match = _compile(pattern).search(arg_string(text))
    return match.group(0) if match else ""


def regex_replace_all(pattern: Any, text: Any, replacement: Any) -> str:
    """``regexReplaceAll RE S REPL`` with ``$1``/``${name}`` expansion."""
    template = arg_string(replacement)
    return _replace_all(_compile(pattern), arg_string(text), lambda m: expand_go_template(template, m))


def regex_replace_all_literal(pattern: Any, text: Any, replacement: Any) -> str:
    """``regexReplaceAllLiteral RE S REPL``: REPL inserted verbatim."""
    literal = arg_string(replacement)
    return _replace_all(_compile(pattern), arg_string(text), lambda m: literal)


def regex_split(pattern: Any, text: Any, count: Any) -> GoStringSlice:
    """``regexSplit RE S N``: Go's Regexp.Split."""
    regex = _compile(pattern)
    value = arg_string(text)
    limit = arg_int(count)
    if limit == 0:
        return GoStringSlice()
    if arg_string(pattern) and value == "":
        return GoStringSlice([""])
    pieces: list[str] = []
    begin = end = 0
    for match in _all_matches(regex, value, limit):
        if limit > 0 and len(pieces) == limit - 1:
            break
        end = match.start()
        if match.end() != 0:
            pieces.append(value[begin:end])
        begin = match.end()
    if end != len(value):
        pieces.append(value[begin:])
    return GoStringSlice(pieces)


def regex_quote_meta(text: Any) -> str:
    """``regexQuoteMeta S``: escape exactly Go's metacharacters ``\\.+*?()|[]{}^$``."""
    return "".join("\\" + ch if ch in "\\.+*?()|[]{}^$" else ch for ch in arg_string(text))


def _must(function: Callable[..., Any]) -> Callable[..., Any]:
    """The ``mustRegex*`` variants differ only in returning the compile error."""

    def call(*args: Any) -> Any:
        try:
            return function(*args)
        except FunctionError as exc:
            message = str(exc)
            if message.startswith("regexp: Compile("):
                message = message.split("): ", 1)[1]
            raise FunctionError(message) from exc

    call.__doc__ = function.__doc__
    return call


def functions() -> dict[str, Callable[..., Any]]:
    """The Sprig string, path and regex functions."""
    return {
        "toString": strval,
        "toStrings": to_strings,
        "trim": trim,
        "trimAll": trim_all,
        "trimall": trim_all,
        "trimPrefix": trim_prefix,
        "trimSuffix": trim_suffix,
        "upper": upper,
        "lower": lower,
        "title": title,
        "untitle": untitle,
        "swapcase": swapcase,
        "substr": substr,
        "trunc": trunc,
        "abbrev": abbrev,
        "abbrevboth": abbrevboth,
        "initials": initials,
        "nospace": nospace,
        "repeat": repeat,
        "wrap": wrap,
        "wrapWith": wrap_with,
        "contains": contains,
        "hasPrefix": has_prefix,
        "hasSuffix": has_suffix,
        "quote": quote,
        "squote": squote,
        "cat": cat,
        "indent": indent,
        "nindent": nindent,
        "replace": replace,
        "plural": plural,
        "split": split,
        "splitn": splitn,
        "splitList": split_list,
        "join": join,
        "sortAlpha": sort_alpha,
        "camelcase": camelcase,
        "snakecase": snakecase,
        "kebabcase": kebabcase,
        "base": path_base,
        "dir": path_dir,
        "clean": path_clean,
        "ext": path_ext,
        "isAbs": path_is_abs,
        "osBase": path_base,
        "osDir": path_dir,
        "osClean": path_clean,
        "osExt": path_ext,
        "osIsAbs": path_is_abs,
        "regexMatch": regex_match,
        "mustRegexMatch": must_regex_match,
        "regexFindAll": regex_find_all,
        "mustRegexFindAll": _must(regex_find_all),
        "regexFind": regex_find,
        "mustRegexFind": _must(regex_find),
        "regexReplaceAll": regex_replace_all,
        "mustRegexReplaceAll": _must(regex_replace_all),
        "regexReplaceAllLiteral": regex_replace_all_literal,
        "mustRegexReplaceAllLiteral": _must(regex_replace_all_literal),
        "regexSplit": regex_split,
        "mustRegexSplit": _must(regex_split),
        "regexQuoteMeta": regex_quote_meta,
    }
