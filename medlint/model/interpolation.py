"""Compose variable interpolation (`$VAR`, `${VAR:-default}`, ...); `.env` files are read by
medlint.parsers.dotenv with it.

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

Values copied from variables are counted against an :class:`~medlint.model.budget.ExpansionBudget`
before they are copied (forty doubling lines of a `.env` ask for a terabyte), and nesting is bounded; going
over raises :class:`~medlint.model.budget.ExpansionLimitError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from medlint.model.budget import ExpansionBudget
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
