"""Source positions: the place in a file that a model value, and so a finding, points at."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A 1-based line/column span in a repository-relative file (POSIX separators)."""

    path: str
    line: int = 1
    column: int = 1
    end_line: int = 0
    end_column: int = 0

    def __post_init__(self) -> None:
        # End positions may never precede the start (SARIF consumers reject that).
        if self.end_line < self.line:
            object.__setattr__(self, "end_line", self.line)
        if self.end_line == self.line and self.end_column < self.column:
            object.__setattr__(self, "end_column", self.column)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"
