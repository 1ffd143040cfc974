"""Budgets on variable substitution: Dockerfile ARG/ENV, Compose interpolation and `.env` files.

Forty lines of `ARG V1=${V0}${V0}` ask for a terabyte. Every substitution therefore counts the characters
it copies from variables, per value (`max_expanded_value_chars`) and per file (`max_expanded_file_chars`,
a Compose project with its included files and `.env` files counting as one), and how deeply substitutions
nest (`max_substitution_nesting`). Going over raises :class:`ExpansionLimitError` *before* the value is
built; the parser turns it into an MD001 naming the file, the line and the variable, and the file is not
analysed at all (never a partial model). Text written literally costs nothing, so a one-megabyte LABEL is
fine while a chain of doublings stops at its twentieth line.
"""

from __future__ import annotations

from medlint.limits import DEFAULT_LIMITS, Limits

__all__ = ["ExpansionBudget", "ExpansionLimitError"]


class ExpansionLimitError(ValueError):
    """A substitution would go over a budget; the message names the limit and the variable."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ExpansionBudget:
    """Characters substituted so far in one file (mutable; one per parsed file or Compose project)."""

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self.total = 0

    def check_value(self, substituted: int, reference: str) -> None:
        """Refuse a value into which substitution has now copied ``substituted`` characters."""
        limit = self.limits.max_expanded_value_chars
        if substituted > limit:
            raise ExpansionLimitError(
                f"substituting {reference} makes the value longer than {limit:,} characters "
                "(limits.max_expanded_value_chars); medlint does not expand it"
            )

    def add(self, substituted: int) -> None:
        """Count characters copied from variables against the file's total."""
        self.total += substituted
        limit = self.limits.max_expanded_file_chars
        if self.total > limit:
            raise ExpansionLimitError(
                f"variable substitution in this file produces more than {limit:,} characters "
                "(limits.max_expanded_file_chars); medlint does not expand it"
            )

    def check_nesting(self, depth: int) -> None:
        limit = self.limits.max_substitution_nesting
        if depth > limit:
            raise ExpansionLimitError(
                f"substitutions are nested more than {limit} deep (limits.max_substitution_nesting)"
            )
