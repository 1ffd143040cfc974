"""Parser for Go's text/template language (a port of text/template/parse/parse.go).

:func:`parse_templates` turns one source text into a dict of :class:`Tree`:
the body under the given name plus one tree per ``define``/``block``.  The AST
is made of frozen, slotted dataclasses; every node carries ``pos`` (character
offset into the source) and ``line`` (1-based).  :func:`node_text` renders a
node the way Go's ``Node.String()`` does, which is what execution errors quote
(``at <.Values.x>``).

Go's quirks are preserved on purpose, e.g. the position of ``.a.b`` is the
position of ``.b`` (Go records the chain position), and number literals are
resolved to their "ideal constant" value at parse time (``1`` is an int,
``1.0`` and ``1e3`` are floats, ``'a'`` and ``0x10`` are ints).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from medlint.helm.gofmt import quote
from medlint.helm.gotemplate import lexer as lx
from medlint.helm.gotemplate.errors import TemplateParseError
from medlint.helm.gotemplate.lexer import LineIndex, Token, token_repr

__all__ = [
    "ActionNode",
    "BoolNode",
    "BreakNode",
    "ChainNode",
    "CommandNode",
    "CommentNode",
    "ContinueNode",
    "DotNode",
    "FieldNode",
    "IdentifierNode",
    "IfNode",
    "ListNode",
    "NilNode",
    "Node",
    "NumberNode",
    "PipeNode",
    "RangeNode",
    "StringNode",
    "TemplateNode",
    "TextNode",
    "Tree",
    "VariableNode",
    "WithNode",
    "is_empty_tree",
    "node_text",
    "parse_templates",
    "unquote",
]

# Parenthesis/control nesting limit.  Go allows 10000; the recursive-descent
# parser here runs on the Python stack, so the default is lower.
DEFAULT_MAX_NESTING = 100


# ---------------------------------------------------------------------------
# AST
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Node:
    pos: int
    line: int


@dataclass(frozen=True, slots=True)
class TextNode(Node):
    text: str


@dataclass(frozen=True, slots=True)
class CommentNode(Node):
    text: str


@dataclass(frozen=True, slots=True)
class IdentifierNode(Node):
    """A function name in command position or as an argument."""

    ident: str


@dataclass(frozen=True, slots=True)
class VariableNode(Node):
    """``$x.a.b``: ``ident`` is ``("$x", "a", "b")``."""

    ident: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DotNode(Node):
    pass


@dataclass(frozen=True, slots=True)
class NilNode(Node):
    pass


@dataclass(frozen=True, slots=True)
class FieldNode(Node):
    """``.a.b``: ``ident`` is ``("a", "b")``."""

    ident: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BoolNode(Node):
    value: bool


@dataclass(frozen=True, slots=True)
class NumberNode(Node):
    """A numeric or character constant.

    ``value`` is Go's idealConstant result (int, float or complex); when the
    constant cannot be an int (it only fits uint64) ``overflow`` holds the
    execution error Go raises on use.
    """

    text: str
    value: int | float | complex | None
    overflow: str | None = None


@dataclass(frozen=True, slots=True)
class StringNode(Node):
    quoted: str
    text: str


@dataclass(frozen=True, slots=True)
class CommandNode(Node):
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class PipeNode(Node):
    is_assign: bool
    decl: tuple[VariableNode, ...]
    cmds: tuple[CommandNode, ...]


@dataclass(frozen=True, slots=True)
class ChainNode(Node):
    """``(pipeline).a.b`` or ``$x`` style chains on a non-field term."""

    node: Node
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ActionNode(Node):
    pipe: PipeNode


@dataclass(frozen=True, slots=True)
class ListNode(Node):
    nodes: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class IfNode(Node):
    pipe: PipeNode
    list: ListNode
    else_list: ListNode | None


@dataclass(frozen=True, slots=True)
class RangeNode(Node):
    pipe: PipeNode
    list: ListNode
    else_list: ListNode | None


@dataclass(frozen=True, slots=True)
class WithNode(Node):
    pipe: PipeNode
    list: ListNode
    else_list: ListNode | None


@dataclass(frozen=True, slots=True)
class TemplateNode(Node):
    name: str
    pipe: PipeNode | None


@dataclass(frozen=True, slots=True)
class BreakNode(Node):
    pass


@dataclass(frozen=True, slots=True)
class ContinueNode(Node):
    pass


@dataclass(frozen=True, slots=True)
class _EndNode(Node):
    """Parser-internal marker for ``{{end}}``."""


@dataclass(frozen=True, slots=True)
class _ElseNode(Node):
    """Parser-internal marker for ``{{else}}``."""


@dataclass(frozen=True, slots=True)
class Tree:
    """One named template: ``name`` is its own name, ``parse_name`` the file it came from.

    ``lines`` maps node positions in ``text`` (the whole source file) to lines
    and Go-style byte columns for error messages.
    """

    name: str
    parse_name: str
    root: ListNode
    lines: LineIndex


# ---------------------------------------------------------------------------
# Node rendering (Go's Node.String)
# ---------------------------------------------------------------------------


def node_text(node: Node) -> str:
    """Render ``node`` like Go's ``String()``; used for the ``at <...>`` error context."""
    parts: list[str] = []
    _write_node(node, parts)
    return "".join(parts)


def _write_node(node: Node, out: list[str]) -> None:
    t = type(node)
    if t is FieldNode:
        for ident in node.ident:  # type: ignore[attr-defined]
            out.append("." + ident)
    elif t is VariableNode:
        out.append(".".join(node.ident))  # type: ignore[attr-defined]
    elif t is IdentifierNode:
        out.append(node.ident)  # type: ignore[attr-defined]
    elif t is DotNode:
        out.append(".")
    elif t is NilNode:
        out.append("nil")
    elif t is BoolNode:
        out.append("true" if node.value else "false")  # type: ignore[attr-defined]
    elif t is NumberNode:
        out.append(node.text)  # type: ignore[attr-defined]
    elif t is StringNode:
        out.append(node.quoted)  # type: ignore[attr-defined]
    elif t is CommandNode:
        for i, arg in enumerate(node.args):  # type: ignore[attr-defined]
            if i:
                out.append(" ")
            if type(arg) is PipeNode:
                out.append("(")
                _write_node(arg, out)
                out.append(")")
            else:
                _write_node(arg, out)
    elif t is PipeNode:
        if node.decl:  # type: ignore[attr-defined]
            out.append(", ".join(".".join(v.ident) for v in node.decl))  # type: ignore[attr-defined]
            out.append(" = " if node.is_assign else " := ")  # type: ignore[attr-defined]
        for i, cmd in enumerate(node.cmds):  # type: ignore[attr-defined]
            if i:
                out.append(" | ")
            _write_node(cmd, out)
    elif t is ChainNode:
        inner = node.node  # type: ignore[attr-defined]
        if type(inner) is PipeNode:
            out.append("(")
            _write_node(inner, out)
            out.append(")")
        else:
            _write_node(inner, out)
        for field in node.fields:  # type: ignore[attr-defined]
            out.append("." + field)
    elif t is ActionNode:
        out.append("{{")
        _write_node(node.pipe, out)  # type: ignore[attr-defined]
        out.append("}}")
    elif t is ListNode:
        for child in node.nodes:  # type: ignore[attr-defined]
            _write_node(child, out)
    elif t in (IfNode, RangeNode, WithNode):
        keyword = {IfNode: "if", RangeNode: "range", WithNode: "with"}[t]
        out.append("{{" + keyword + " ")
        _write_node(node.pipe, out)  # type: ignore[attr-defined]
        out.append("}}")
        _write_node(node.list, out)  # type: ignore[attr-defined]
        if node.else_list is not None:  # type: ignore[attr-defined]
            out.append("{{else}}")
            _write_node(node.else_list, out)  # type: ignore[attr-defined]
        out.append("{{end}}")
    elif t is TemplateNode:
        if node.pipe is None:  # type: ignore[attr-defined]
            out.append("{{template %s}}" % quote(node.name))  # type: ignore[attr-defined]
        else:
            out.append("{{template %s " % quote(node.name))  # type: ignore[attr-defined]
            _write_node(node.pipe, out)  # type: ignore[attr-defined]
            out.append("}}")
    elif t is TextNode:
        out.append(node.text)  # type: ignore[attr-defined]
    elif t is CommentNode:
        out.append("{{" + node.text + "}}")  # type: ignore[attr-defined]
    elif t is BreakNode:
        out.append("{{break}}")
    elif t is ContinueNode:
        out.append("{{continue}}")
    elif t is _EndNode:
        out.append("{{end}}")
    elif t is _ElseNode:
        out.append("{{else}}")


def is_empty_tree(node: Node | None) -> bool:
    """Go's IsEmptyTree: only whitespace text and comments."""
    if node is None:
        return True
    t = type(node)
    if t is ListNode:
        return all(is_empty_tree(child) for child in node.nodes)  # type: ignore[attr-defined]
    if t is TextNode:
        return node.text.strip(" \t\n\r\v\f\x85\xa0") == ""  # type: ignore[attr-defined]
    return t is CommentNode


# ---------------------------------------------------------------------------
# Literals: strconv.Unquote / UnquoteChar and number parsing
# ---------------------------------------------------------------------------


class _SyntaxError(Exception):
    """strconv.ErrSyntax and friends; the message is Go's error text."""


_SIMPLE_ESCAPES = {
    "a": 7,
    "b": 8,
    "f": 12,
    "n": 10,
    "r": 13,
    "t": 9,
    "v": 11,
    "\\": 92,
}


def _unquote_char(s: str, i: int, quote_char: str) -> tuple[int, bool, int]:
    """Decode one (possibly escaped) character at ``s[i]``.

    Returns (value, is_byte, next index); ``is_byte`` marks \\x and octal escapes,
    which produce raw bytes in Go strings.
    """
    ch = s[i]
    if ch == quote_char and quote_char in "'\"":
        raise _SyntaxError("invalid syntax")
    if ch != "\\":
        return ord(ch), False, i + 1
    if i + 1 >= len(s):
        raise _SyntaxError("invalid syntax")
    c = s[i + 1]
    i += 2
    if c in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[c], False, i
    if c in "xuU":
        size = {"x": 2, "u": 4, "U": 8}[c]
        digits = s[i : i + size]
        if len(digits) < size or not all(d in "0123456789abcdefABCDEF" for d in digits):
            raise _SyntaxError("invalid syntax")
        value = int(digits, 16)
        if c == "x":
            return value, True, i + size
        if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
            raise _SyntaxError("invalid syntax")
        return value, False, i + size
    if c in "01234567":
        digits = s[i - 1 : i + 2]
        if len(digits) < 3 or not all(d in "01234567" for d in digits):
            raise _SyntaxError("invalid syntax")
        value = int(digits, 8)
        if value > 255:
            raise _SyntaxError("invalid syntax")
        return value, True, i + 2
    if c in "'\"":
        if c != quote_char:
            raise _SyntaxError("invalid syntax")
        return ord(c), False, i
    raise _SyntaxError("invalid syntax")


def unquote(quoted: str) -> str:
    """Go's ``strconv.Unquote`` for "..." and `...` literals."""
    if len(quoted) < 2 or quoted[0] != quoted[-1]:
        raise _SyntaxError("invalid syntax")
    q = quoted[0]
    body = quoted[1:-1]
    if q == "`":
        if "`" in body:
            raise _SyntaxError("invalid syntax")
        return body.replace("\r", "")
    if q != '"':
        raise _SyntaxError("invalid syntax")
    if "\\" not in body and '"' not in body and "\n" not in body:
        return body
    out = bytearray()
    i = 0
    while i < len(body):
        if body[i] == "\n":
            raise _SyntaxError("invalid syntax")
        value, is_byte, i = _unquote_char(body, i, '"')
        if is_byte:
            out.append(value)
        else:
            out += chr(value).encode("utf-8", "surrogatepass")
    return out.decode("utf-8", "replace")


_OCTAL_LEGACY = re.compile(r"[+-]?0[0-7_]+\Z")
_INT_SYNTAX = re.compile(r"[+-]?(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)\Z")


def _parse_go_int(text: str) -> int | None:
    """strconv.ParseInt/ParseUint with base 0 (no range check); None if not an integer."""
    if not _INT_SYNTAX.match(text):
        return None
    body = text.lstrip("+-")
    if "_" in body:
        # Go only allows underscores between digits (and after a base prefix).
        check = body
        if len(body) > 1 and body[0] == "0" and body[1] in "xXoObB":
            check = body[2:]
            if check.startswith("_"):
                check = check[1:]
        elif body[0] == "0" and len(body) > 1:
            check = body[1:].lstrip("_") if body[1] == "_" else body[1:]
        if not check or check.startswith("_") or check.endswith("_") or "__" in check:
            return None
    negative = text.startswith("-")
    body = body.replace("_", "")
    if len(body) > 1 and body[0] == "0" and body[1] not in "xXoObB":
        if not _OCTAL_LEGACY.match(body):
            return None  # e.g. "08": not a valid legacy octal literal
        value = int(body, 8)
    elif len(body) > 1 and body[0] == "0" and body[1] in "xXoObB":
        value = int(body, 0)
    else:
        value = int(body, 10)
    return -value if negative else value


def _parse_go_float(text: str) -> float | None:
    body = text
    try:
        if re.match(r"[+-]?0[xX]", body):
            clean = body.replace("_", "")
            if "p" not in clean.lower():
                return None
            return float.fromhex(clean)
        if not re.match(r"[+-]?(\d[\d_]*(\.[\d_]*)?|\.\d[\d_]*)([eE][+-]?\d[\d_]*)?\Z", body):
            return None
        if "_" in body and (body.startswith("_") or "__" in body or "_." in body or "._" in body):
            return None
        value = float(body.replace("_", ""))
    except (ValueError, OverflowError):
        return None
    if math.isinf(value):
        return None  # Go reports a range error
    return value


_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_UINT64_MAX = (1 << 64) - 1


def _number_value(text: str, typ: int) -> tuple[int | float | complex, str | None]:
    """Go's newNumber + idealConstant: the value a literal has at run time.

    Returns (value, overflow_message).  Raises _SyntaxError for malformed literals.
    """
    if typ == lx.CHAR_CONSTANT:
        body = text[1:]
        value, _is_byte, i = _unquote_char(body, 0, "'")
        if body[i:] != "'":
            raise _SyntaxError("malformed character constant: %s" % text)
        return value, None
    if typ == lx.COMPLEX:
        match = re.match(r"([+-]?[^+-]+(?:[eE][+-][0-9_]+)?)([+-].*)i\Z", text)
        if not match:
            raise _SyntaxError("expected integer")
        real = _parse_go_float(match.group(1))
        imag = _parse_go_float(match.group(2))
        if real is None:
            real_int = _parse_go_int(match.group(1))
            real = float(real_int) if real_int is not None else None
        if imag is None:
            imag_int = _parse_go_int(match.group(2))
            imag = float(imag_int) if imag_int is not None else None
        if real is None or imag is None:
            raise _SyntaxError("expected integer")
        return complex(real, imag), None
    if text.endswith("i"):
        imag = _parse_go_float(text[:-1])
        if imag is None:
            as_int = _parse_go_int(text[:-1])
            imag = float(as_int) if as_int is not None else None
        if imag is not None:
            return complex(0, imag), None
    int_value = _parse_go_int(text)
    is_int = int_value is not None and _INT64_MIN <= int_value <= _INT64_MAX
    is_uint = int_value is not None and 0 <= int_value <= _UINT64_MAX
    float_value: float | None = None
    if is_int or is_uint:
        float_value = float(int_value)  # type: ignore[arg-type]
    else:
        float_value = _parse_go_float(text)
        if float_value is not None:
            if not any(c in text for c in ".eEpP"):
                raise _SyntaxError("integer overflow: %s" % quote(text))
            if float_value.is_integer() and _INT64_MIN <= float_value <= _INT64_MAX:
                is_int = True
                int_value = int(float_value)
    if not is_int and not is_uint and float_value is None:
        raise _SyntaxError("illegal number syntax: %s" % quote(text))
    # idealConstant: a float only if the text looks like one.
    is_hex_int = len(text) > 2 and text[0] == "0" and text[1] in "xX" and not any(c in text for c in "pP")
    if float_value is not None and not is_hex_int and any(c in text for c in ".eEpP"):
        return float_value, None
    if is_int:
        return int_value, None  # type: ignore[return-value]
    if is_uint:
        return int_value, "%s overflows int" % text  # type: ignore[return-value]
    assert float_value is not None  # pragma: no cover - unreachable per Go's rules
    return float_value, None  # pragma: no cover


# ---------------------------------------------------------------------------
# Parser
# ---------------------------------------------------------------------------

_OPERAND_START = frozenset(
    {
        lx.BOOL,
        lx.CHAR_CONSTANT,
        lx.COMPLEX,
        lx.DOT,
        lx.FIELD,
        lx.IDENTIFIER,
        lx.NUMBER,
        lx.NIL,
        lx.RAW_STRING,
        lx.STRING,
        lx.VARIABLE,
        lx.LEFT_PAREN,
    }
)


class _Parser:
    """Recursive-descent parser over a token list; one instance per source text."""

    def __init__(
        self,
        parse_name: str,
        text: str,
        tokens: list[Token],
        has_function: Callable[[str], bool],
        max_nesting: int,
        trees: dict[str, Tree],
        lines: LineIndex,
    ) -> None:
        self.parse_name = parse_name
        self.text = text
        self.tokens = tokens
        self.index = 0
        self.furthest = 0
        self.has_function = has_function
        self.max_nesting = max_nesting
        self.nesting = 0
        self.trees = trees
        self.lines = lines
        self.vars: list[str] = ["$"]
        self.range_depth = 0
        self.action_line = 0

    # -- token stream ------------------------------------------------------------
    # Tokens live in a list, so Go's backup2/backup3 become index rewinds.  The
    # list ends with EOF (or ERROR), which is returned forever once reached.
    # There are no space tokens: a token's ``space`` flag records the
    # whitespace Go would have emitted before it, so next()/peek() act as Go's
    # nextNonSpace()/peekNonSpace().
    def next(self) -> Token:
        i = self.index
        tokens = self.tokens
        tok = tokens[i] if i < len(tokens) else tokens[-1]
        self.index = i + 1
        if i > self.furthest:
            self.furthest = i
        return tok

    def backup(self, n: int = 1) -> None:
        self.index -= n

    def peek(self) -> Token:
        tok = self.next()
        self.index -= 1
        return tok

    @property
    def last(self) -> Token:
        """The most recently lexed token; Go reports parse errors at its line."""
        i = self.furthest
        return self.tokens[i] if i < len(self.tokens) else self.tokens[-1]

    # -- errors ------------------------------------------------------------------
    def errorf(self, message: str) -> None:
        raise TemplateParseError(message, self.parse_name, self.last.line)

    def unexpected(self, tok: Token, context: str) -> None:
        if tok.type == lx.ERROR:
            extra = ""
            if self.action_line != 0 and self.action_line != tok.line:
                extra = " in action started at %s:%d" % (self.parse_name, self.action_line)
                if tok.val.endswith(" action"):
                    extra = extra[len(" in action") :]
            self.errorf(tok.val + extra)
        self.errorf("unexpected %s in %s" % (token_repr(tok), context))

    def expect(self, typ: int, context: str) -> Token:
        tok = self.next()
        if tok.type != typ:
            self.unexpected(tok, context)
        return tok

    # -- top level -----------------------------------------------------------------
    def parse_body(self, name: str) -> None:
        nodes: list[Node] = []
        start = self.peek()
        while self.peek().type != lx.EOF:
            if self.peek().type == lx.LEFT_DELIM:
                mark = self.index
                self.next()
                if self.next().type == lx.DEFINE:
                    self.parse_definition()
                    continue
                self.index = mark
            node = self.text_or_action()
            if isinstance(node, (_EndNode, _ElseNode)):
                self.errorf("unexpected %s" % node_text(node))
            nodes.append(node)
        self.add(name, ListNode(start.pos, start.line, tuple(nodes)))

    def add(self, name: str, root: ListNode) -> None:
        existing = self.trees.get(name)
        if existing is None or is_empty_tree(existing.root):
            self.trees[name] = Tree(name, self.parse_name, root, self.lines)
            return
        if not is_empty_tree(root):
            self.errorf("template: multiple definition of template %s" % quote(name))

    def parse_definition(self) -> None:
        context = "define clause"
        tok = self.next()
        if tok.type not in (lx.STRING, lx.RAW_STRING):
            self.unexpected(tok, context)
        name = self.unquote_token(tok)
        self.expect(lx.RIGHT_DELIM, context)
        saved_vars, saved_range = self.vars, self.range_depth
        self.vars, self.range_depth = ["$"], 0
        root, end = self.item_list()
        if not isinstance(end, _EndNode):
            self.errorf("unexpected %s in %s" % (node_text(end), context))
        self.add(name, root)
        self.vars, self.range_depth = saved_vars, saved_range

    def unquote_token(self, tok: Token) -> str:
        try:
            return unquote(tok.val)
        except _SyntaxError as exc:
            self.errorf(str(exc))
            raise  # pragma: no cover

    def item_list(self) -> tuple[ListNode, Node]:
        start = self.peek()
        nodes: list[Node] = []
        while self.peek().type != lx.EOF:
            node = self.text_or_action()
            if isinstance(node, (_EndNode, _ElseNode)):
                return ListNode(start.pos, start.line, tuple(nodes)), node
            nodes.append(node)
        self.errorf("unexpected EOF")
        raise AssertionError("unreachable")

    def text_or_action(self) -> Node:
        tok = self.next()
        if tok.type == lx.TEXT:
            return TextNode(tok.pos, tok.line, tok.val)
        if tok.type == lx.LEFT_DELIM:
            self.action_line = tok.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        self.unexpected(tok, "input")
        raise AssertionError("unreachable")

    def action(self) -> Node:
        tok = self.next()
        typ = tok.type
        if typ == lx.BLOCK:
            return self.block_control()
        if typ == lx.BREAK:
            return self.break_or_continue(tok, "break", BreakNode)
        if typ == lx.CONTINUE:
            return self.break_or_continue(tok, "continue", ContinueNode)
        if typ == lx.ELSE:
            return self.else_control()
        if typ == lx.END:
            end = self.expect(lx.RIGHT_DELIM, "end")
            return _EndNode(end.pos, end.line)
        if typ == lx.IF:
            return IfNode(*self.parse_control("if"))
        if typ == lx.RANGE:
            return RangeNode(*self.parse_control("range"))
        if typ == lx.TEMPLATE:
            return self.template_control()
        if typ == lx.WITH:
            return WithNode(*self.parse_control("with"))
        self.backup()
        first = self.peek()
        pipe = self.pipeline("command", lx.RIGHT_DELIM)
        return ActionNode(first.pos, first.line, pipe)

    def break_or_continue(self, tok: Token, word: str, cls: type) -> Node:
        after = self.next()
        if after.type != lx.RIGHT_DELIM:
            self.unexpected(after, "{{%s}}" % word)
        if self.range_depth == 0:
            self.errorf("{{%s}} outside {{range}}" % word)
        return cls(tok.pos, tok.line)

    def else_control(self) -> Node:
        peek = self.peek()
        if peek.type == lx.IF or peek.type == lx.WITH:
            return _ElseNode(peek.pos, peek.line)
        tok = self.expect(lx.RIGHT_DELIM, "else")
        return _ElseNode(tok.pos, tok.line)

    def parse_control(self, context: str) -> tuple[int, int, PipeNode, ListNode, ListNode | None]:
        saved_vars = len(self.vars)
        self.enter_nesting()
        try:
            pipe = self.pipeline(context, lx.RIGHT_DELIM)
            if context == "range":
                self.range_depth += 1
            body, nxt = self.item_list()
            if context == "range":
                self.range_depth -= 1
            else_list: ListNode | None = None
            if isinstance(nxt, _ElseNode):
                if context == "if" and self.peek().type == lx.IF:
                    self.next()
                    inner = IfNode(*self.parse_control("if"))
                    else_list = ListNode(nxt.pos, nxt.line, (inner,))
                elif context == "with" and self.peek().type == lx.WITH:
                    self.next()
                    inner_with = WithNode(*self.parse_control("with"))
                    else_list = ListNode(nxt.pos, nxt.line, (inner_with,))
                else:
                    else_list, end = self.item_list()
                    if not isinstance(end, _EndNode):
                        self.errorf("expected end; found %s" % node_text(end))
            return pipe.pos, pipe.line, pipe, body, else_list
        finally:
            del self.vars[saved_vars:]
            self.nesting -= 1

    def enter_nesting(self) -> None:
        self.nesting += 1
        if self.nesting > self.max_nesting:
            self.errorf("max expression depth exceeded")

    def block_control(self) -> Node:
        context = "block clause"
        tok = self.next()
        name = self.template_name(tok, context)
        pipe = self.pipeline(context, lx.RIGHT_DELIM)
        saved_vars, saved_range = self.vars, self.range_depth
        self.vars, self.range_depth = ["$"], 0
        self.enter_nesting()
        try:
            root, end = self.item_list()
        finally:
            self.nesting -= 1
        if not isinstance(end, _EndNode):
            self.errorf("unexpected %s in %s" % (node_text(end), context))
        self.add(name, root)
        self.vars, self.range_depth = saved_vars, saved_range
        return TemplateNode(tok.pos, tok.line, name, pipe)

    def template_control(self) -> Node:
        context = "template clause"
        tok = self.next()
        name = self.template_name(tok, context)
        pipe: PipeNode | None = None
        if self.next().type != lx.RIGHT_DELIM:
            self.backup()
            pipe = self.pipeline(context, lx.RIGHT_DELIM)
        return TemplateNode(tok.pos, tok.line, name, pipe)

    def template_name(self, tok: Token, context: str) -> str:
        if tok.type in (lx.STRING, lx.RAW_STRING):
            return self.unquote_token(tok)
        self.unexpected(tok, context)
        raise AssertionError("unreachable")

    # -- pipelines -------------------------------------------------------------------
    def pipeline(self, context: str, end: int) -> PipeNode:
        first = self.peek()
        decl: list[VariableNode] = []
        is_assign = False
        while True:  # declarations
            v = self.peek()
            if v.type != lx.VARIABLE:
                break
            mark = self.index
            self.next()
            nxt = self.peek()
            if nxt.type in (lx.ASSIGN, lx.DECLARE):
                is_assign = nxt.type == lx.ASSIGN
                self.next()
                decl.append(VariableNode(v.pos, v.line, (v.val,)))
                self.vars.append(v.val)
                break
            if nxt.type == lx.CHAR and nxt.val == ",":
                self.next()
                decl.append(VariableNode(v.pos, v.line, (v.val,)))
                self.vars.append(v.val)
                if context == "range" and len(decl) < 2:
                    if self.peek().type in (lx.VARIABLE, lx.RIGHT_DELIM, lx.RIGHT_PAREN):
                        continue
                    self.errorf("range can only initialize variables")
                self.errorf("too many declarations in %s" % context)
            self.index = mark
            break
        cmds: list[CommandNode] = []
        while True:
            tok = self.next()
            if tok.type == end:
                if not cmds:
                    self.errorf("missing value for %s" % context)
                for i, cmd in enumerate(cmds[1:]):
                    if type(cmd.args[0]) in (BoolNode, DotNode, NilNode, NumberNode, StringNode):
                        self.errorf("non executable command in pipeline stage %d" % (i + 2))
                return PipeNode(first.pos, first.line, is_assign, tuple(decl), tuple(cmds))
            if tok.type in _OPERAND_START:
                self.backup()
                cmds.append(self.command())
            else:
                self.unexpected(tok, context)

    def command(self) -> CommandNode:
        first = self.peek()
        args: list[Node] = []
        while True:
            operand = self.operand()
            if operand is not None:
                args.append(operand)
            tok = self.next()
            typ = tok.type
            if typ == lx.RIGHT_DELIM or typ == lx.RIGHT_PAREN:
                self.index -= 1
            elif typ == lx.PIPE:
                pass
            elif operand is not None and tok.space:
                # Go saw a space token here: another operand follows.
                self.index -= 1
                continue
            else:
                self.unexpected(tok, "operand")
            break
        if not args:
            self.errorf("empty command")
        return CommandNode(first.pos, first.line, tuple(args))

    def operand(self) -> Node | None:
        node = self.term()
        if node is None:
            return None
        chain_tok = self.peek()
        if chain_tok.type == lx.FIELD and not chain_tok.space:
            fields: list[str] = []
            while True:
                tok = self.peek()
                if tok.type != lx.FIELD or tok.space:
                    break
                fields.append(self.next().val[1:])
            t = type(node)
            if t is FieldNode:
                return FieldNode(chain_tok.pos, chain_tok.line, node.ident + tuple(fields))  # type: ignore[attr-defined]
            if t is VariableNode:
                return VariableNode(chain_tok.pos, chain_tok.line, node.ident + tuple(fields))  # type: ignore[attr-defined]
            if t in (BoolNode, StringNode, NumberNode, NilNode, DotNode):
                self.errorf("unexpected . after term %s" % quote(node_text(node)))
            return ChainNode(chain_tok.pos, chain_tok.line, node, tuple(fields))
        return node

    def term(self) -> Node | None:
        tok = self.next()
        typ = tok.type
        if typ == lx.IDENTIFIER:
            if not self.has_function(tok.val):
                self.errorf("function %s not defined" % quote(tok.val))
            return IdentifierNode(tok.pos, tok.line, tok.val)
        if typ == lx.DOT:
            return DotNode(tok.pos, tok.line)
        if typ == lx.NIL:
            return NilNode(tok.pos, tok.line)
        if typ == lx.VARIABLE:
            if tok.val not in self.vars:
                self.errorf("undefined variable %s" % quote(tok.val))
            return VariableNode(tok.pos, tok.line, (tok.val,))
        if typ == lx.FIELD:
            return FieldNode(tok.pos, tok.line, (tok.val[1:],))
        if typ == lx.BOOL:
            return BoolNode(tok.pos, tok.line, tok.val == "true")
        if typ in (lx.CHAR_CONSTANT, lx.COMPLEX, lx.NUMBER):
            try:
                value, overflow = _number_value(tok.val, typ)
            except _SyntaxError as exc:
                self.errorf(str(exc))
                raise  # pragma: no cover
            return NumberNode(tok.pos, tok.line, tok.val, value, overflow)
        if typ == lx.LEFT_PAREN:
            self.enter_nesting()
            try:
                return self.pipeline("parenthesized pipeline", lx.RIGHT_PAREN)
            finally:
                self.nesting -= 1
        if typ in (lx.STRING, lx.RAW_STRING):
            return StringNode(tok.pos, tok.line, tok.val, self.unquote_token(tok))
        self.backup()
        return None


def parse_templates(
    name: str,
    text: str,
    has_function: Callable[[str], bool],
    max_nesting: int = DEFAULT_MAX_NESTING,
) -> dict[str, Tree]:
    """Parse ``text`` (named ``name``) into its body tree plus defined templates.

    ``has_function`` tells whether an identifier names a known function (Go
    checks this at parse time).  Raises :class:`TemplateParseError`.
    """
    tokens = lx.lex(text, break_ok=not has_function("break"), continue_ok=not has_function("continue"))
    trees: dict[str, Tree] = {}
    parser = _Parser(name, text, tokens, has_function, max_nesting, trees, LineIndex(text))
    try:
        parser.parse_body(name)
    except RecursionError:
        raise TemplateParseError("max expression depth exceeded", name, parser.last.line) from None
    return trees
