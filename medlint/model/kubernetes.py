"""Kubernetes objects and the typed views checks read them through.

Every manifest document (and every document a Helm chart renders) becomes a `K8sObject`, custom resources
included. Its `document` is a `Node`; the views below give the fields rules read on the common kinds
(pod specs and their volumes, container ports and mounts) names and types, so checks do not repeat the
walking. Objects rendered from a chart report as Helm (`artifact`), all others as Kubernetes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from medlint.model.common import ArtifactKind, Labels, NamespaceSource, namespace_description
from medlint.model.location import Location
from medlint.model.tree import ABSENT, Node

#: Where each workload kind keeps its pod spec.
POD_SPEC_PATHS: Mapping[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}

#: Namespace of a manifest written without one (it lands where it is applied, the same for all of them).
DEFAULT_NAMESPACE = "default"


def get_path(node: Any, path: tuple[str, ...]) -> Any:
    """Follow mapping keys in a plain tree; None as soon as one is missing or not a mapping."""
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


@dataclass(frozen=True, slots=True)
class K8sObject:
    """Any Kubernetes object (known kinds, custom resources and fragments alike), with its position.

    `namespace` is the namespace the object lands in when it is known: as written, or a chart's release
    namespace when the run was given one. It is None for a manifest written without one and for a chart's
    object in the release namespace of a run given none: it lands wherever it is installed.
    `namespace_source` says which (derived from `namespace` when not given: written, or unset).
    """

    api_version: str | None
    kind: str | None
    name: str | None
    namespace: str | None
    path: str
    document_index: int
    location: Location
    #: The whole document, for fields the model has no typed view of (custom resources, policies).
    document: Node = ABSENT
    labels: Labels = field(default_factory=dict)
    annotations: Labels = field(default_factory=dict)
    rendered_from: str | None = None  # Helm: the chart directory the object was rendered from
    values_set: str | None = None  # Helm: the values file(s) of the render that produced it
    namespace_source: NamespaceSource = None  # type: ignore[assignment]  # derived when not given

    def __post_init__(self) -> None:
        if self.namespace_source is None:
            source = NamespaceSource.WRITTEN if self.namespace else NamespaceSource.UNSET
            object.__setattr__(self, "namespace_source", source)

    @property
    def subject(self) -> str:
        parts = [self.kind or "?"]
        if self.namespace:
            parts.append(self.namespace)
        parts.append(self.name or f"#{self.document_index}")
        subject = "/".join(parts)
        return f"{subject} [{self.values_set}]" if self.values_set else subject

    @property
    def artifact(self) -> ArtifactKind:
        """Rendered Helm objects are reported as Helm, everything else as Kubernetes."""
        return ArtifactKind.HELM if self.rendered_from else ArtifactKind.KUBERNETES

    @property
    def namespace_or_default(self) -> str:
        """The namespace the object lands in when applied as written (objects of one release share one)."""
        return self.namespace or DEFAULT_NAMESPACE

    @property
    def namespace_description(self) -> str:
        """`namespace "prod"`, or `the release namespace` of a chart rendered without one, for messages."""
        return namespace_description(self.namespace, self.namespace_source)

    @property
    def api_group(self) -> str:
        """`apps` of `apps/v1`; "" for the core group (`v1`)."""
        version = self.api_version or ""
        return version.split("/")[0] if "/" in version else ""

    @property
    def metadata(self) -> Node:
        return self.document.get("metadata")

    @property
    def spec(self) -> Node:
        return self.document.get("spec")

    @property
    def spec_anchor(self) -> Location:
        """Where a missing `spec.*` field belongs: the `spec:` key, or the object when it has none."""
        return self.document.key_location_of("spec")

    def is_a(self, kind: str, api_prefix: str = "") -> bool:
        """Of this kind, and of an API version starting with `api_prefix` (`velero.io/`)."""
        return self.kind == kind and (self.api_version or "").startswith(api_prefix)


# --------------------------------------------------------------------------------------------------
# Pod specs


#: Volume sources whose data lives only as long as the pod, and those that only project configuration.
EPHEMERAL_VOLUME_SOURCES = {"emptyDir": "emptyDir", "ephemeral": "ephemeral", "csi": "ephemeral"}
CONFIG_VOLUME_SOURCES = ("configMap", "secret", "downwardAPI", "projected", "gitRepo")


@dataclass(frozen=True, slots=True)
class PodVolume:
    """One entry of a pod's `volumes`: its name, its source keys (`persistentVolumeClaim`, `hostPath`...)."""

    name: str | None
    sources: tuple[str, ...]
    node: Node

    @property
    def source(self) -> str:
        """The first source key ("" when none is written, which Kubernetes reads as emptyDir)."""
        return self.sources[0] if self.sources else ""

    @property
    def storage(self) -> str:
        """How long the data lives: "pvc", "emptyDir"/"ephemeral" (the pod's life), "config", or "other"
        (hostPath, nfs, cloud disks...: outlives the pod)."""
        if self.source == "persistentVolumeClaim":
            return "pvc"
        if self.source in EPHEMERAL_VOLUME_SOURCES:
            return EPHEMERAL_VOLUME_SOURCES[self.source]
        return "config" if self.source in CONFIG_VOLUME_SOURCES else "other"

    @property
    def claim_name(self) -> Node:
        return self.node.at("persistentVolumeClaim", "claimName")


@dataclass(frozen=True, slots=True)
class PodSpec:
    """The pod spec of a workload (template spec, CronJob job template spec, or a Pod's own spec).

    `template` is what holds it (the pod template, or the Pod itself) and `metadata` that object's metadata,
    where pod labels and annotations live; `location` is the `spec:` key, where a missing pod-level field
    belongs.
    """

    node: Node
    template: Node
    location: Location
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    volumes: tuple[PodVolume, ...] = ()

    @classmethod
    def of(cls, document: Node, kind: str) -> PodSpec | None:
        """The pod spec of a workload document, or None when the kind has none or it is not a mapping."""
        path = POD_SPEC_PATHS.get(kind)
        if path is None:
            return None
        node = document.at(*path)
        if not node.is_map:
            return None
        template = document.at(*path[:-1]) if len(path) > 1 else document
        metadata = template.get("metadata")
        volumes = tuple(
            PodVolume(
                None if volume.get("name").scalar is None else str(volume.get("name").scalar),
                tuple(str(key) for key in volume if key != "name"),
                volume,
            )
            for volume in node.get("volumes").elements()
            if volume.is_map
        )
        return cls(
            node,
            template,
            template.key_location_of(path[-1]),
            metadata.get("labels").string_map(),
            metadata.get("annotations").string_map(),
            volumes,
        )

    @property
    def metadata(self) -> Node:
        return self.template.get("metadata")

    @property
    def security_context(self) -> Node:
        return self.node.get("securityContext")

    @property
    def is_windows(self) -> bool:
        """`spec.os.name: windows`: the API forbids the Linux-only securityContext fields on such pods."""
        return str(self.node.at("os", "name").scalar or "").lower() == "windows"

    @property
    def service_account_key(self) -> str | None:
        """`serviceAccountName` or its deprecated alias `serviceAccount`, whichever is written (None: neither)."""
        for key in ("serviceAccountName", "serviceAccount"):
            if key in self.node:
                return key
        return None

    @property
    def service_account(self) -> str:
        """The ServiceAccount the pods run as (`default` unless one is named)."""
        return str(
            self.node.get("serviceAccountName").scalar or self.node.get("serviceAccount").scalar or "default"
        )


@dataclass(frozen=True, slots=True)
class ContainerPort:
    """One entry of a container's `ports`."""

    container_port: Node
    host_port: Node
    node: Node


@dataclass(frozen=True, slots=True)
class VolumeMount:
    """One entry of a container's `volumeMounts`, with a name and a mount path."""

    name: str
    mount_path: str
    location: Location
