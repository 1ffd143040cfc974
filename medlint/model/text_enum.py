"""`TextEnum`: closed sets of words whose members are their text. Its own module, so that every part of the
model (positions included) can use it without an import cycle."""

from __future__ import annotations

from enum import Enum


class TextEnum(str, Enum):
    """A closed set of words: each member is the text it stands for, in comparisons, hashing, formatting and
    JSON, so output written from the strings before these became enums stays the same."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)
