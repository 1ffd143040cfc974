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

Values copied from variables are counted against an :class:`~medlint.parsers.budget.ExpansionBudget`
before they are copied (a `.env` of forty doubling lines asks for a terabyte), and nesting is bounded; going
over raises :class:`~medlint.parsers.budget.ExpansionLimitError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from medlint.parsers.budget import ExpansionBudget, ExpansionLimitError
from medlint.source import Location, SourceError

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

    def __init__(
        self, template: str, variables: Mapping[str, str], budget: ExpansionBudget | None = None
    ) -> None:
        self.template = template
        self.variables = variables
        self.budget = budget or ExpansionBudget()
        self.substituted = 0
        self.depth = 0

    def take(self, value: str, name: str) -> str:
        """A variable's value entering the result: counted against the budgets before it is copied (the
        message names the variable, never a default or a value)."""
        if value:
            self.substituted += len(value)
            self.budget.check_value(self.substituted, "${" + name + "}")
            self.budget.add(len(value))
        return value

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
        value = self.take(self.variables[name], name) if is_set else self.template[index : match.end()]
        return _Piece(value, [reference], is_set, match.end())

    def braced(self, index: int) -> _Piece:
        template = self.template
        match = _NAME.match(template, index + 2)
        if template.find("}", index + 2) < 0:
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
            value = self.take(self.variables[name], name) if is_set else template[index : after_name + 1]
            return _Piece(value, [reference], is_set, after_name + 1)
        operator = next((op for op in OPERATORS if template.startswith(op, after_name)), None)
        if operator is None:
            raise InterpolationError(
                "invalid variable reference: after the name of a '${' reference expected '}' or one of "
                "':-', '-', ':?', '?', ':+', '+'; write '$$' for a literal '$'",
                index,
            )
        self.depth += 1
        try:
            self.budget.check_nesting(self.depth)
            argument = self.text(after_name + len(operator), nested=True)
        except _Unterminated:
            raise InterpolationError(
                "unterminated variable reference: a '${' has no closing '}' (the text is not shown: it may be a "
                "secret); add the closing '}', or write '$$' for a literal '$'",
                index,
            ) from None
        finally:
            self.depth -= 1
        return self.evaluate(name, operator, argument, index, argument.end + 1)

    def evaluate(self, name: str, operator: str, argument: _Piece, start: int, end: int) -> _Piece:
        """Apply an operator; an unresolved outcome keeps the expression's original text."""
        is_set = name in self.variables
        current = self.variables.get(name, "")
        usable = is_set and (current != "" or not operator.startswith(":"))
        nested: list[VariableReference] = []
        if operator in DEFAULT_OPERATORS:
            if usable:
                self.take(current, name)
            value, resolved = (current, True) if usable else (argument.value, argument.resolved)
            nested = [] if usable else argument.references
        elif operator in REQUIRED_OPERATORS:
            value, resolved = self.take(current, name), usable
        else:  # alternative value
            value, resolved = (argument.value, argument.resolved) if usable else ("", True)
            nested = argument.references if usable else []
        reference = VariableReference(name, operator, is_set, resolved, argument.value, start)
        if not resolved:
            value = self.template[start:end]
        return _Piece(value, [reference, *nested], resolved, end)


def interpolate(
    template: str, variables: Mapping[str, str], budget: ExpansionBudget | None = None
) -> Interpolation:
    """Interpolate one string; raise InterpolationError for a malformed `${...}`, ExpansionLimitError when
    the substituted values go over ``budget`` (a per-string budget of its own when None)."""
    if "$" not in template:
        return Interpolation(template, template)
    piece = _Parser(template, variables, budget).text(0, nested=False)
    return Interpolation(template, piece.value, tuple(piece.references))


# --------------------------------------------------------------------------------------------------
# .env files

_ENV_LINE = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*=\s*(.*)\Z", re.DOTALL)
# Starts only where a run of spaces starts, so a long run without `#` is not rescanned at every character.
_INLINE_COMMENT = re.compile(r"(?<!\s)\s+#.*\Z", re.DOTALL)
_DOUBLE_QUOTE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", '"': '"', "$": "$$"}


def parse_dotenv(
    text: str | None, budget: ExpansionBudget | None = None, path: str = ".env"
) -> dict[str, str]:
    """The variables of a `.env` file, in the Compose dotenv dialect.

    `KEY=value`, `export KEY=value`, `# comments`, inline ` # comments` after unquoted values, single quotes
    (literal) and double quotes (escapes, may span lines). Values may reference earlier variables. A variable
    whose value depends on something not defined in the file (`A=${HOME}/x`), or a bare `KEY` taken from the
    host, is left out: medlint cannot know it, so references to it stay unresolved. Malformed lines are
    skipped, as they do not change what medlint can know for sure. A value that would go over the
    expansion budget raises SourceError naming ``path``, the line and the variable (the caller reports it
    at the file that reads the `.env`).
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
        line_number = index
        try:
            if rest[:1] in ("'", '"'):
                raw, consumed = _quoted_value(rest, lines, index)
                index += consumed
                if raw is None:
                    continue
                value: str | None = raw if rest[0] == "'" else _expand(_unescape(raw), variables, budget)
            else:
                value = _expand(_INLINE_COMMENT.sub("", rest).strip(), variables, budget)
        except ExpansionLimitError as error:
            raise SourceError(f"{path} line {line_number}: variable {key}: {error.message}") from None
        if value is None:
            variables.pop(key, None)
        else:
            variables[key] = value
    return variables


def _quoted_value(rest: str, lines: list[str], next_index: int) -> tuple[str | None, int]:
    """The body of a quoted value, which may continue over the following lines; (None, n) if unterminated.

    Each line is scanned once, carrying an escape that ends a line over to the next: an open quote
    followed by thousands of lines must not rescan the growing body for every line (quadratic).
    """
    quote, segment, consumed = rest[0], rest[1:], 0
    parts: list[str] = []
    start = 0
    while True:
        end, start = _closing_quote(segment, quote, start)
        if end >= 0:
            parts.append(segment[:end])
            return "".join(parts), consumed
        parts.append(segment)
        if next_index + consumed >= len(lines):
            return None, consumed
        segment = "\n" + lines[next_index + consumed]
        consumed += 1


_DOUBLE_QUOTED_RUN = re.compile(r'(?:[^"\\]+|\\[\s\S])*')


def _closing_quote(segment: str, quote: str, start: int) -> tuple[int, int]:
    """(index of the closing quote in ``segment`` or -1, where scanning resumes in the next segment).

    In double quotes a backslash escapes the next character, which may be the newline that starts the
    next segment (resume at 1 instead of 0).
    """
    if quote == "'":
        return segment.find("'", start), 0
    end = _DOUBLE_QUOTED_RUN.match(segment, start).end()  # type: ignore[union-attr]
    if end < len(segment) and segment[end] == '"':
        return end, 0
    return -1, 1 if end < len(segment) else 0  # a final backslash escapes the next segment's newline


def _unescape(raw: str) -> str:
    """Double-quoted escapes; `\\$` becomes `$$` so interpolation then yields a literal `$`."""
    return re.sub(r"\\(.)", lambda m: _DOUBLE_QUOTE_ESCAPES.get(m.group(1), m.group(0)), raw, flags=re.DOTALL)


def _expand(value: str, variables: Mapping[str, str], budget: ExpansionBudget | None) -> str | None:
    try:
        result = interpolate(value, variables, budget)
    except InterpolationError:
        return None
    return result.value if result.resolved else None
