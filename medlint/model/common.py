"""The basic value types of the model: artifact kinds, finding levels, and values with their place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from medlint.model.location import Location
from medlint.model.text_enum import TextEnum

__all__ = ["ArtifactKind", "Labels", "Level", "Located", "Setting", "TextEnum"]

T = TypeVar("T")


class ArtifactKind(TextEnum):
    """The four input formats medlint reads."""

    DOCKERFILE = "dockerfile"
    COMPOSE = "compose"
    KUBERNETES = "kubernetes"
    HELM = "helm"


class Level(TextEnum):
    """Finding levels, as SARIF names them."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "note": 1}[self.value]


@dataclass(frozen=True, slots=True)
class Located(Generic[T]):
    """A value and the place in the source where it was written."""

    value: T
    location: Location


@dataclass(frozen=True, slots=True)
class Setting(Generic[T]):
    """An effective setting, with where it came from ("container", "pod", "USER instruction", ...)."""

    value: T
    location: Location
    origin: str


Labels = Mapping[str, Located[str]]
