"""The basic value types of the model: artifact kinds, finding levels, and values with their place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from medlint.model.location import Location
from medlint.model.text_enum import TextEnum

__all__ = ["ArtifactKind", "Labels", "Level", "Located", "NamespaceSource", "Setting", "TextEnum"]

T = TypeVar("T")


class ArtifactKind(TextEnum):
    """The four input formats medlint reads."""

    DOCKERFILE = "dockerfile"
    COMPOSE = "compose"
    KUBERNETES = "kubernetes"
    HELM = "helm"


class NamespaceSource(TextEnum):
    """Where the namespace of a Kubernetes object (or workload) comes from."""

    WRITTEN = "written"  # `metadata.namespace` as written: a manifest, or literal text of a chart template
    UNSET = "unset"  # a manifest without `metadata.namespace`: it lands where it is applied
    RELEASE = (
        "release"  # a chart's object in the Helm release namespace (`.Release.Namespace`, or none written)
    )
    COMPUTED = "computed"  # a chart's object whose namespace a template computed from values or other data


def namespace_description(namespace: str | None, source: NamespaceSource) -> str:
    """The namespace an object lands in, for messages: never a namespace medlint made up.

    A chart's release namespace is only named when the run was given one (`--namespace`, `helm.namespace`);
    a manifest without a namespace is described as `default`, where `kubectl apply` puts it unless told
    otherwise.
    """
    if source is NamespaceSource.RELEASE and not namespace:
        return "the release namespace"
    return f'namespace "{namespace or "default"}"'


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
