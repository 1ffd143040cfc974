"""Tokenizer for Go's text/template language (a port of text/template/parse/lex.go).

The lexer turns template source into a list of :class:`Token`.  It copies Go's
rules precisely because they decide what output a chart produces:

* ``{{- `` trims all whitespace (space, tab, CR, LF) before the action and
  `` -}}`` all whitespace after it; the marker must touch a whitespace
  character so that ``{{-3}}`` stays the number -3.
* ``{{/* ... */}}`` comments must touch the delimiters (trim markers allowed).
* Inside actions, newlines are ordinary spaces.
* ``break``/``continue`` are keywords unless a function of that name exists.

Tokens are produced eagerly; a lexical error ends the list with an ``ERROR``
token at the position Go reports, so the parser reaches it exactly when Go's
parser would.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from typing import NamedTuple

__all__ = ["Token", "lex", "token_repr", "LineIndex"] + [
    "ERROR",
    "BOOL",
    "CHAR",
    "CHAR_CONSTANT",
    "COMPLEX",
    "ASSIGN",
    "DECLARE",
    "EOF",
    "FIELD",
    "IDENTIFIER",
    "LEFT_DELIM",
    "LEFT_PAREN",
    "NUMBER",
    "PIPE",
    "RAW_STRING",
    "RIGHT_DELIM",
    "RIGHT_PAREN",
    "SPACE",
    "STRING",
    "TEXT",
    "VARIABLE",
    "KEYWORD",
    "BLOCK",
    "BREAK",
    "CONTINUE",
    "DOT",
    "DEFINE",
    "ELSE",
    "END",
    "IF",
    "NIL",
    "RANGE",
    "TEMPLATE",
    "WITH",
]

# Token types, in Go's order (keywords after KEYWORD).
(
    ERROR,
    BOOL,
    CHAR,
    CHAR_CONSTANT,
    COMPLEX,
    ASSIGN,
    DECLARE,
    EOF,
    FIELD,
    IDENTIFIER,
    LEFT_DELIM,
    LEFT_PAREN,
    NUMBER,
    PIPE,
    RAW_STRING,
    RIGHT_DELIM,
    RIGHT_PAREN,
    SPACE,
    STRING,
    TEXT,
    VARIABLE,
    KEYWORD,
    BLOCK,
    BREAK,
    CONTINUE,
    DOT,
    DEFINE,
    ELSE,
    END,
    IF,
    NIL,
    RANGE,
    TEMPLATE,
    WITH,
) = range(34)

_KEYWORDS = {
    ".": DOT,
    "block": BLOCK,
    "break": BREAK,
    "continue": CONTINUE,
    "define": DEFINE,
    "else": ELSE,
    "end": END,
    "if": IF,
    "range": RANGE,
    "nil": NIL,
    "template": TEMPLATE,
    "with": WITH,
}

LEFT_DELIM_TEXT = "{{"
RIGHT_DELIM_TEXT = "}}"
_SPACE_CHARS = " \t\r\n"
_TERMINATORS = frozenset(" \t\r\n.,|:)(")


class Token(NamedTuple):
    """One lexical item: type, character offset, text, 1-based line, and whether
    whitespace precedes it inside an action (Go emits that whitespace as a
    separate space item; folding it into a flag keeps the parser fast)."""

    type: int
    pos: int
    val: str
    line: int
    space: bool = False


class LineIndex:
    """Maps character offsets of a source text to 1-based line numbers and Go columns."""

    __slots__ = ("_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        find = text.find
        i = find("\n")
        while i >= 0:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self._starts = starts

    def line(self, pos: int) -> int:
        return bisect_right(self._starts, pos)

    def column(self, pos: int) -> int:
        """Go's column: the 0-based *byte* offset of ``pos`` within its line."""
        start = self._starts[bisect_right(self._starts, pos) - 1]
        segment = self.text[start:pos]
        return len(segment) if segment.isascii() else len(segment.encode("utf-8", "surrogateescape"))

    def char_column(self, pos: int) -> int:
        """The 1-based column of ``pos`` in characters, as YAML positions and findings count them."""
        return pos - self._starts[bisect_right(self._starts, pos) - 1] + 1

    def action_start(self, pos: int) -> int:
        """The offset of the ``{{`` that opens the action whose first token is at ``pos``."""
        start = self.text.rfind(LEFT_DELIM_TEXT, 0, pos + 1)
        return start if start >= 0 else pos


def token_repr(tok: Token) -> str:
    """Go's ``item.String()``, used in ``unexpected X in Y`` messages."""
    from medlint.helm.gofmt import sprintf

    if tok.type == EOF:
        return "EOF"
    if tok.type == ERROR:
        return tok.val
    if tok.type > KEYWORD:
        return "<%s>" % tok.val
    if len(tok.val) > 10:
        return sprintf("%.10q...", tok.val)
    return sprintf("%q", tok.val)


_SPACE_RUN = re.compile(r"[ \t\r\n]+")
_ASCII_ALNUM_RUN = re.compile(r"[A-Za-z0-9_]*")
_QUOTED = re.compile(r'"(?:[^"\\\n]|\\[^\n])*"')


_TERM = r"(?=[ \t\r\n.,|:)(]|\}\}|\Z)"
_FAST_TOKEN = re.compile(
    r"(?P<ws>[ \t\r\n]+(?!-\}\}))"
    r"|(?P<field>\.[A-Za-z_][A-Za-z0-9_]*" + _TERM + ")"
    r"|(?P<dot>\." + _TERM + ")"
    r"|(?P<var>\$[A-Za-z0-9_]*" + _TERM + ")"
    r"|(?P<ident>[A-Za-z_][A-Za-z0-9_]*" + _TERM + ")"
    r'|(?P<str>"(?:[^"\\\n]|\\[^\n])*")'
    r"|(?P<num>(?:0|[1-9][0-9]*)(?=[ \t\r\n,|:)(]|\}\}|\Z))"
    r"|(?P<pipe>\|)|(?P<lparen>\()|(?P<rparen>\))"
)
_FAST_KINDS = {
    "field": FIELD,
    "dot": DOT,
    "var": VARIABLE,
    "str": STRING,
    "num": NUMBER,
    "pipe": PIPE,
    "lparen": LEFT_PAREN,
    "rparen": RIGHT_PAREN,
}


def _is_alnum(ch: str) -> bool:
    """Go's isAlphaNumeric: underscore, Unicode letter or decimal digit."""
    if ch < "\x80":
        return ch == "_" or ch.isalnum()
    return ch.isalpha() or unicodedata.category(ch) == "Nd"


def _has_left_trim(text: str, pos: int) -> bool:
    return text.startswith("-", pos) and pos + 1 < len(text) and text[pos + 1] in _SPACE_CHARS


def _has_right_trim(text: str, pos: int) -> bool:
    return pos + 1 < len(text) and text[pos] in _SPACE_CHARS and text[pos + 1] == "-"


class _Lexer:
    """State of one lexing run; see :func:`lex`."""

    def __init__(self, text: str, break_ok: bool, continue_ok: bool) -> None:
        self.text = text
        self.n = len(text)
        self.lines = LineIndex(text)
        self.break_ok = break_ok
        self.continue_ok = continue_ok
        self.tokens: list[Token] = []
        self.space = False  # whitespace seen since the last token inside an action

    # -- helpers -------------------------------------------------------------
    def emit(self, typ: int, start: int, end: int) -> None:
        self.tokens.append(Token(typ, start, self.text[start:end], self.lines.line(start), self.space))
        self.space = False

    def error(self, start: int, message: str) -> None:
        self.tokens.append(Token(ERROR, start, message, self.lines.line(start)))

    def at_right_delim(self, pos: int) -> tuple[bool, bool]:
        text = self.text
        if _has_right_trim(text, pos) and text.startswith(RIGHT_DELIM_TEXT, pos + 2):
            return True, True
        if text.startswith(RIGHT_DELIM_TEXT, pos):
            return True, False
        return False, False

    def at_terminator(self, pos: int) -> bool:
        if pos >= self.n:
            return True
        ch = self.text[pos]
        if ch in _TERMINATORS:
            return True
        return self.text.startswith(RIGHT_DELIM_TEXT, pos)

    # -- main loop -------------------------------------------------------------
    def run(self) -> list[Token]:
        text = self.text
        n = self.n
        pos = 0
        while True:
            # lexText
            x = text.find(LEFT_DELIM_TEXT, pos)
            if x < 0:
                if n > pos:
                    self.emit(TEXT, pos, n)
                self.tokens.append(Token(EOF, n, "EOF", self.lines.line(n)))
                return self.tokens
            delim_end = x + len(LEFT_DELIM_TEXT)
            trim_left = _has_left_trim(text, delim_end)
            if x > pos:
                end = x
                if trim_left:
                    end = len(text[pos:x].rstrip(_SPACE_CHARS)) + pos
                if end > pos:
                    self.emit(TEXT, pos, end)
            after_marker = 2 if trim_left else 0
            if text.startswith("/*", delim_end + after_marker):
                pos = self.lex_comment(delim_end + after_marker)
                if pos < 0:
                    return self.tokens
                continue
            self.emit(LEFT_DELIM, x, delim_end)
            pos = self.lex_inside_action(delim_end + after_marker)
            if pos < 0:
                return self.tokens

    def lex_comment(self, start: int) -> int:
        text = self.text
        end = text.find("*/", start + 2)
        if end < 0:
            self.error(start, "unclosed comment")
            return -1
        pos = end + 2
        delim, trim = self.at_right_delim(pos)
        if not delim:
            self.error(start, "comment ends before closing delimiter")
            return -1
        if trim:
            pos += 2
        pos += len(RIGHT_DELIM_TEXT)
        if trim:
            pos = self.n - len(text[pos:].lstrip(_SPACE_CHARS))
        return pos

    def lex_right_delim(self, pos: int, trim: bool) -> int:
        if trim:
            pos += 2
        end = pos + len(RIGHT_DELIM_TEXT)
        self.emit(RIGHT_DELIM, pos, end)
        if trim:
            end = self.n - len(self.text[end:].lstrip(_SPACE_CHARS))
        return end

    def lex_inside_action(self, pos: int) -> int:
        """Scan tokens until the closing delimiter; returns the position after it or -1."""
        text = self.text
        n = self.n
        paren_depth = 0
        start = pos
        fast = _FAST_TOKEN.match
        append = self.tokens.append
        line_of = self.lines.line
        while True:
            start = pos
            # Fast path for the common tokens; anything unusual (numbers other
            # than plain decimals, trim markers, non-ASCII, errors) falls
            # through to the exact port of Go's state machine below.
            m = fast(text, pos)
            if m is not None:
                kind = m.lastgroup
                assert kind is not None  # every alternative of the fast pattern is a named group
                end = m.end()
                if kind == "ws":
                    self.space = True
                else:
                    val = m.group()
                    if kind == "ident":
                        typ = _KEYWORDS.get(val, IDENTIFIER)
                        if typ == IDENTIFIER:
                            if val == "true" or val == "false":
                                typ = BOOL
                        elif (typ == BREAK and not self.break_ok) or (
                            typ == CONTINUE and not self.continue_ok
                        ):
                            typ = IDENTIFIER
                    else:
                        typ = _FAST_KINDS[kind]
                        if typ == LEFT_PAREN:
                            paren_depth += 1
                        elif typ == RIGHT_PAREN:
                            if paren_depth == 0:
                                self.error(start, "unexpected right paren")
                                return -1
                            paren_depth -= 1
                    append(Token(typ, pos, val, line_of(pos), self.space))
                    self.space = False
                pos = end
                continue
            delim, trim = self.at_right_delim(pos)
            if delim:
                if paren_depth == 0:
                    return self.lex_right_delim(pos, trim)
                self.error(start, "unclosed left paren")
                return -1
            if pos >= n:
                self.error(start, "unclosed action")
                return -1
            ch = text[pos]
            if ch in _SPACE_CHARS:
                end = _SPACE_RUN.match(text, pos).end()  # type: ignore[union-attr]
                # A trim-marked delimiter starts with a space: leave that space to it.
                if _has_right_trim(text, end - 1) and text.startswith(RIGHT_DELIM_TEXT, end + 1):
                    end -= 1
                    if end == pos:
                        return self.lex_right_delim(pos, True)
                self.space = True
                pos = end
            elif ch == "=":
                self.emit(ASSIGN, pos, pos + 1)
                pos += 1
            elif ch == ":":
                if pos + 1 >= n or text[pos + 1] != "=":
                    self.error(start, "expected :=")
                    return -1
                self.emit(DECLARE, pos, pos + 2)
                pos += 2
            elif ch == "|":
                self.emit(PIPE, pos, pos + 1)
                pos += 1
            elif ch == '"':
                pos = self.lex_quote(pos)
                if pos < 0:
                    return -1
            elif ch == "`":
                end = text.find("`", pos + 1)
                if end < 0:
                    self.error(start, "unterminated raw quoted string")
                    return -1
                self.emit(RAW_STRING, pos, end + 1)
                pos = end + 1
            elif ch == "$":
                pos = self.lex_field_or_variable(pos, VARIABLE)
                if pos < 0:
                    return -1
            elif ch == "'":
                pos = self.lex_char(pos)
                if pos < 0:
                    return -1
            elif ch == "." and not (pos + 1 < n and "0" <= text[pos + 1] <= "9"):
                pos = self.lex_field_or_variable(pos, FIELD)
                if pos < 0:
                    return -1
            elif ch in "+-." or "0" <= ch <= "9":
                pos = self.lex_number(pos)
                if pos < 0:
                    return -1
            elif _is_alnum(ch):
                pos = self.lex_identifier(pos)
                if pos < 0:
                    return -1
            elif ch == "(":
                paren_depth += 1
                self.emit(LEFT_PAREN, pos, pos + 1)
                pos += 1
            elif ch == ")":
                paren_depth -= 1
                if paren_depth < 0:
                    self.error(start, "unexpected right paren")
                    return -1
                self.emit(RIGHT_PAREN, pos, pos + 1)
                pos += 1
            elif ch < "\x7f" and ch >= " ":
                self.emit(CHAR, pos, pos + 1)
                pos += 1
            else:
                from medlint.helm.gofmt import sprintf

                self.error(start, sprintf("unrecognized character in action: %#U", ord(ch)))
                return -1

    def scan_alnum(self, pos: int) -> int:
        """End of the run of Go alphanumerics starting at ``pos``."""
        end = _ASCII_ALNUM_RUN.match(self.text, pos).end()  # type: ignore[union-attr]
        text = self.text
        while end < self.n and text[end] >= "\x80" and _is_alnum(text[end]):
            end = _ASCII_ALNUM_RUN.match(text, end + 1).end()  # type: ignore[union-attr]
        return end

    def lex_identifier(self, pos: int) -> int:
        text = self.text
        end = self.scan_alnum(pos)
        if not self.at_terminator(end):
            self.bad_character(pos, end)
            return -1
        word = text[pos:end]
        keyword = _KEYWORDS.get(word)
        if keyword is not None and keyword > KEYWORD:
            if (keyword == BREAK and not self.break_ok) or (keyword == CONTINUE and not self.continue_ok):
                self.emit(IDENTIFIER, pos, end)
            else:
                self.emit(keyword, pos, end)
        elif word == "true" or word == "false":
            self.emit(BOOL, pos, end)
        else:
            self.emit(IDENTIFIER, pos, end)
        return end

    def bad_character(self, start: int, at: int) -> None:
        from medlint.helm.gofmt import sprintf

        code = ord(self.text[at]) if at < self.n else -1
        self.error(start, sprintf("bad character %#U", code))

    def lex_field_or_variable(self, pos: int, typ: int) -> int:
        """Scan ``.Name`` or ``$name``; a bare ``.`` or ``$`` is DOT / VARIABLE."""
        end = pos + 1
        if self.at_terminator(end):
            self.emit(DOT if typ == FIELD else VARIABLE, pos, end)
            return end
        end = self.scan_alnum(end)
        if not self.at_terminator(end):
            self.bad_character(pos, end)
            return -1
        self.emit(typ, pos, end)
        return end

    def lex_char(self, pos: int) -> int:
        text = self.text
        i = pos + 1
        while True:
            if i >= self.n:
                self.error(pos, "unterminated character constant")
                return -1
            ch = text[i]
            if ch == "\\":
                if i + 1 >= self.n or text[i + 1] == "\n":
                    self.error(pos, "unterminated character constant")
                    return -1
                i += 2
                continue
            if ch == "\n":
                self.error(pos, "unterminated character constant")
                return -1
            if ch == "'":
                self.emit(CHAR_CONSTANT, pos, i + 1)
                return i + 1
            i += 1

    def lex_quote(self, pos: int) -> int:
        match = _QUOTED.match(self.text, pos)
        if match:
            self.emit(STRING, pos, match.end())
            return match.end()
        text = self.text
        i = pos + 1
        while True:
            if i >= self.n:
                self.error(pos, "unterminated quoted string")
                return -1
            ch = text[i]
            if ch == "\\":
                if i + 1 >= self.n or text[i + 1] == "\n":
                    self.error(pos, "unterminated quoted string")
                    return -1
                i += 2
                continue
            if ch == "\n":
                self.error(pos, "unterminated quoted string")
                return -1
            if ch == '"':
                self.emit(STRING, pos, i + 1)
                return i + 1
            i += 1

    def scan_number(self, pos: int) -> tuple[bool, int]:
        """Go's scanNumber: returns (ok, end)."""
        text = self.text
        n = self.n

        def accept(i: int, valid: str) -> int:
            return i + 1 if i < n and text[i] in valid else i

        def accept_run(i: int, valid: str) -> int:
            while i < n and text[i] in valid:
                i += 1
            return i

        i = accept(pos, "+-")
        digits = "0123456789_"
        j = accept(i, "0")
        if j > i:
            i = j
            if i < n and text[i] in "xX":
                i += 1
                digits = "0123456789abcdefABCDEF_"
            elif i < n and text[i] in "oO":
                i += 1
                digits = "01234567_"
            elif i < n and text[i] in "bB":
                i += 1
                digits = "01_"
        i = accept_run(i, digits)
        j = accept(i, ".")
        if j > i:
            i = accept_run(j, digits)
        if len(digits) == 11:
            j = accept(i, "eE")
            if j > i:
                i = accept_run(accept(j, "+-"), "0123456789_")
        if len(digits) == 23:
            j = accept(i, "pP")
            if j > i:
                i = accept_run(accept(j, "+-"), "0123456789_")
        i = accept(i, "i")
        if i < n and _is_alnum(text[i]):
            return False, i + 1
        return True, i

    def lex_number(self, pos: int) -> int:
        from medlint.helm.gofmt import sprintf

        ok, end = self.scan_number(pos)
        if not ok:
            self.error(pos, sprintf("bad number syntax: %q", self.text[pos:end]))
            return -1
        if end < self.n and self.text[end] in "+-":
            ok, end = self.scan_number(end)
            if not ok or self.text[end - 1] != "i":
                self.error(pos, sprintf("bad number syntax: %q", self.text[pos:end]))
                return -1
            self.emit(COMPLEX, pos, end)
            return end
        self.emit(NUMBER, pos, end)
        return end


def lex(text: str, break_ok: bool = True, continue_ok: bool = True) -> list[Token]:
    """Tokenize ``text``; the list ends with an EOF or ERROR token."""
    return _Lexer(text, break_ok, continue_ok).run()
