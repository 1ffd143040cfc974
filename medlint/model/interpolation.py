"""Compose variable interpolation (`$VAR`, `${VAR:-default}`, ...) and `.env` parsing.

medlint is deterministic: variables come only from the `.env` text handed in, never from the process
environment, so the same repository always lints the same way. Where Compose would silently substitute an
empty string for an unset variable, medlint keeps the reference visible as written and records it as
unresolved, so rules can report "unknown" (W) instead of passing on a value nobody can see.

Grammar (Compose Specification, "Interpolation"):
  `$$`                      a literal `$`
  `$NAME`, `${NAME}`        the value of NAME
  `${NAME:-default}`        default when NAME is unset or empty      `${NAME-default}`  ... when unset
  `${NAME:?message}`        required, non-empty                      `${NAME?message}`  required, set
  `${NAME:+alternative}`    alternative when NAME is set, non-empty  `${NAME+alternative}` ... when set
Arguments may nest further expressions (`${A:-${B:-x}}`). A `$` followed by anything else (`$(cmd)`, `$1`,
a trailing `$`) is kept as is, like Compose does; a malformed `${...}` is an error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from medlint.model.location import Location

#: Operators after a braced name, two-character ones first so `:-` is not read as `:` + `-`.
OPERATORS = (":-", ":?", ":+", "-", "?", "+")
DEFAULT_OPERATORS = (":-", "-")
REQUIRED_OPERATORS = (":?", "?")

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, slots=True)
class VariableReference:
    """One `$VAR`/`${VAR...}` occurrence in a value and how it was resolved.

    `is_set`: the variable is defined in `.env`. `resolved`: the expression produced a known value (the
    variable was set, or a default/alternative applied). `argument`: the text after the operator, itself
    interpolated (a default, an alternative or a required-variable message). `offset`: index of the `$` in
    the original text.
    """

    name: str
    operator: str = ""
    is_set: bool = False
    resolved: bool = False
    argument: str | None = None
    offset: int = 0

    @property
    def default(self) -> str | None:
        """The default of a `${VAR:-default}` / `${VAR-default}` reference, else None."""
        return self.argument if self.operator in DEFAULT_OPERATORS else None


@dataclass(frozen=True, slots=True)
class Interpolation:
    """The result of interpolating one string: its text before and after, and the variables involved."""

    template: str
    value: str
    references: tuple[VariableReference, ...] = ()

    @property
    def resolved(self) -> bool:
        return all(reference.resolved for reference in self.references)

    @property
    def names(self) -> tuple[str, ...]:
        """Variable names in order of appearance, without repeats."""
        return tuple(dict.fromkeys(reference.name for reference in self.references))

    @property
    def unresolved_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(reference.name for reference in self.references if not reference.resolved))

    @property
    def default(self) -> str | None:
        """The first default written in the value (`${VAR:-default}`), for messages and EnvVar.default."""
        return next((ref.default for ref in self.references if ref.default is not None), None)


class InterpolationError(ValueError):
    """A malformed `${...}` expression; `offset` is the index of its `$` in the text."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class InterpolatedText(str):
    """A string value that contained variable references, carrying how it was interpolated and where.

    It is a plain `str` for every other purpose, so trees holding it compare and print like ordinary YAML.
    String operations (split, strip, ...) return plain `str` without the metadata.
    """

    interpolation: Interpolation
    location: Location | None

    def __new__(
        cls, value: str, interpolation: Interpolation, location: Location | None = None
    ) -> InterpolatedText:
        text = super().__new__(cls, value)
        text.interpolation = interpolation
        text.location = location
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with its metadata (worker processes send parsed Compose files back)."""
        return (InterpolatedText, (str(self), self.interpolation, self.location))

    @property
    def unresolved(self) -> bool:
        return not self.interpolation.resolved


def interpolation_of(value: object) -> Interpolation | None:
    """The interpolation record of a value, or None for literal values."""
    return value.interpolation if isinstance(value, InterpolatedText) else None


# --------------------------------------------------------------------------------------------------
# The interpolation parser


@dataclass(slots=True)
class _Piece:
    """Text produced from `template[start:end]` and the references it used."""

    value: str
    references: list[VariableReference]
    resolved: bool
    end: int


class _Unterminated(Exception):
    """An argument ran to the end of the text without its closing brace."""


class _Parser:
    """Recursive-descent interpolation of one template (kept small: one method per construct)."""

    def __init__(self, template: str, variables: Mapping[str, str]) -> None:
        self.template = template
        self.variables = variables

    def text(self, start: int, nested: bool) -> _Piece:
        """Interpolate from `start` to the end (or, when nested, to the `}` closing the argument)."""
        template, out, references = self.template, [], []
        resolved, depth, index = True, 0, start
        while index < len(template):
            char = template[index]
            if char == "$":
                piece = self.dollar(index)
                out.append(piece.value)
                references.extend(piece.references)
                resolved = resolved and piece.resolved
                index = piece.end
                continue
            if nested and char == "{":
                depth += 1
            elif nested and char == "}":
                if depth == 0:
                    return _Piece("".join(out), references, resolved, index)
                depth -= 1
            out.append(char)
            index += 1
        if nested:
            raise _Unterminated
        return _Piece("".join(out), references, resolved, index)

    def dollar(self, index: int) -> _Piece:
        following = self.template[index + 1 : index + 2]
        if following == "$":
            return _Piece("$", [], True, index + 2)
        if following == "{":
            return self.braced(index)
        match = _NAME.match(self.template, index + 1)
        if match is None:
            return _Piece("$", [], True, index + 1)  # `$(`, `$1`, a lone `$`: not a reference
        name = match.group()
        is_set = name in self.variables
        reference = VariableReference(name, "", is_set, is_set, None, index)
        value = self.variables[name] if is_set else self.template[index : match.end()]
        return _Piece(value, [reference], is_set, match.end())

    def braced(self, index: int) -> _Piece:
        template = self.template
        match = _NAME.match(template, index + 2)
        if "}" not in template[index + 2 :]:
            raise InterpolationError(
                "unterminated variable reference: a '${' has no closing '}' (the text is not shown: it may be a "
                "secret); add the closing '}', or write '$$' for a literal '$'",
                index,
            )
        if match is None:
            raise InterpolationError(
                "invalid variable reference: '${' must be followed by a variable name (letters, digits, '_'); "
                "write '$$' for a literal '$'",
                index,
            )
        name, after_name = match.group(), match.end()
        if template[after_name] == "}":
            is_set = name in self.variables
            reference = VariableReference(name, "", is_set, is_set, None, index)
            value = self.variables[name] if is_set else template[index : after_name + 1]
            return _Piece(value, [reference], is_set, after_name + 1)
        operator = next((op for op in OPERATORS if template.startswith(op, after_name)), None)
        if operator is None:
            raise InterpolationError(
                "invalid variable reference: after the name of a '${' reference expected '}' or one of "
                "':-', '-', ':?', '?', ':+', '+'; write '$$' for a literal '$'",
                index,
            )
        try:
            argument = self.text(after_name + len(operator), nested=True)
        except _Unterminated:
            raise InterpolationError(
                "unterminated variable reference: a '${' has no closing '}' (the text is not shown: it may be a "
                "secret); add the closing '}', or write '$$' for a literal '$'",
                index,
            ) from None
        return self.evaluate(name, operator, argument, index, argument.end + 1)

    def evaluate(self, name: str, operator: str, argument: _Piece, start: int, end: int) -> _Piece:
        """Apply an operator; an unresolved outcome keeps the expression's original text."""
        is_set = name in self.variables
        current = self.variables.get(name, "")
        usable = is_set and (current != "" or not operator.startswith(":"))
        nested: list[VariableReference] = []
        if operator in DEFAULT_OPERATORS:
            value, resolved = (current, True) if usable else (argument.value, argument.resolved)
            nested = [] if usable else argument.references
        elif operator in REQUIRED_OPERATORS:
            value, resolved = current, usable
        else:  # alternative value
            value, resolved = (argument.value, argument.resolved) if usable else ("", True)
            nested = argument.references if usable else []
        reference = VariableReference(name, operator, is_set, resolved, argument.value, start)
        if not resolved:
            value = self.template[start:end]
        return _Piece(value, [reference, *nested], resolved, end)


def interpolate(template: str, variables: Mapping[str, str]) -> Interpolation:
    """Interpolate one string; raise InterpolationError for a malformed `${...}`."""
    if "$" not in template:
        return Interpolation(template, template)
    piece = _Parser(template, variables).text(0, nested=False)
    return Interpolation(template, piece.value, tuple(piece.references))


# --------------------------------------------------------------------------------------------------
# .env files

_ENV_LINE = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*=\s*(.*)\Z", re.DOTALL)
_INLINE_COMMENT = re.compile(r"\s+#.*\Z", re.DOTALL)
_DOUBLE_QUOTE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", '"': '"', "$": "$$"}


def parse_dotenv(text: str | None) -> dict[str, str]:
    """The variables of a `.env` file, in the Compose dotenv dialect.

    `KEY=value`, `export KEY=value`, `# comments`, inline ` # comments` after unquoted values, single quotes
    (literal) and double quotes (escapes, may span lines). Values may reference earlier variables. A variable
    whose value depends on something not defined in the file (`A=${HOME}/x`), or a bare `KEY` taken from the
    host, is left out: medlint cannot know it, so references to it stay unresolved. Malformed lines are
    skipped, as they do not change what medlint can know for sure.
    """
    variables: dict[str, str] = {}
    lines = (text or "").splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _ENV_LINE.match(line)
        if match is None:
            continue
        key, rest = match.group(1), match.group(2)
        if rest[:1] in ("'", '"'):
            raw, consumed = _quoted_value(rest, lines, index)
            index += consumed
            if raw is None:
                continue
            value: str | None = raw if rest[0] == "'" else _expand(_unescape(raw), variables)
        else:
            value = _expand(_INLINE_COMMENT.sub("", rest).strip(), variables)
        if value is None:
            variables.pop(key, None)
        else:
            variables[key] = value
    return variables


def _quoted_value(rest: str, lines: list[str], next_index: int) -> tuple[str | None, int]:
    """The body of a quoted value, which may continue over the following lines; (None, n) if unterminated."""
    quote, body, consumed = rest[0], rest[1:], 0
    while True:
        end = _closing_quote(body, quote)
        if end >= 0:
            return body[:end], consumed
        if next_index + consumed >= len(lines):
            return None, consumed
        body += "\n" + lines[next_index + consumed]
        consumed += 1


def _closing_quote(body: str, quote: str) -> int:
    index = 0
    while index < len(body):
        if body[index] == "\\" and quote == '"':
            index += 2
            continue
        if body[index] == quote:
            return index
        index += 1
    return -1


def _unescape(raw: str) -> str:
    """Double-quoted escapes; `\\$` becomes `$$` so interpolation then yields a literal `$`."""
    return re.sub(r"\\(.)", lambda m: _DOUBLE_QUOTE_ESCAPES.get(m.group(1), m.group(0)), raw, flags=re.DOTALL)


def _expand(value: str, variables: Mapping[str, str]) -> str | None:
    try:
        result = interpolate(value, variables)
    except InterpolationError:
        return None
    return result.value if result.resolved else None
