"""The project index: every lookup that crosses objects, built once per run.

Rules that relate objects (a PodDisruptionBudget and the pods it selects, a Compose service and the
Dockerfile it builds, a workload and its ServiceAccount) must not compare every pair: a platform repository
holds thousands of manifests. `build_index` walks the project once and files every object under the keys
those rules look up; `Project.index` builds it on first use and keeps it. The index is frozen: checks read
it, they never add to it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from medlint.model.common import ArtifactKind
from medlint.model.images import ImageRef, parse_image_reference
from medlint.model.platforms import platform_dependent, platform_stage, with_platform_values

if TYPE_CHECKING:  # annotations only: a scan loads the model modules of the kinds it reads
    from medlint.model.core import Chart, ComposeProject, ComposeService, Container, Dockerfile, Workload
    from medlint.model.kubernetes import K8sObject

#: Pod-creating kinds whose workloads can be the target of a `scaleTargetRef` or a selector.
LabelPair = tuple[str, str]


@dataclass(frozen=True, slots=True)
class ImageUse:
    """One place an image is referenced, with what it is used for."""

    image: ImageRef
    artifact: ArtifactKind
    subject: str
    usage: str  # "FROM", "COPY --from", "RUN --mount", "syntax", "service", "container"
    workload: Workload | None = None
    container: Container | None = None


@dataclass(frozen=True, slots=True)
class FinalImage:
    """What a Dockerfile's final stage runs, for rules that look through a Compose service at its image."""

    dockerfile: Dockerfile
    workload: Workload  # the final image seen as something that runs
    base: ImageRef  # the external image the final stage builds on (through earlier stages)
    volumes: tuple[str, ...]  # VOLUME paths of the final stage and the stages it builds FROM


@dataclass(frozen=True, slots=True)
class ProjectIndex:
    """Lookups across the project's objects. Built by `build_index`; every tuple keeps project order."""

    #: Kubernetes objects by kind, and by (kind, namespace as applied, name).
    objects_by_kind: Mapping[str, tuple[K8sObject, ...]]
    objects_by_name: Mapping[tuple[str, str, str], tuple[K8sObject, ...]]
    #: Workloads by artifact kind: Kubernetes (manifests and Helm renders), Compose, Dockerfile images.
    kubernetes_workloads: tuple[Workload, ...]
    compose_workloads: tuple[Workload, ...]
    image_workloads: tuple[Workload, ...]
    #: Kubernetes workloads by (kind, name), for `scaleTargetRef` and owner references.
    workloads_by_name: Mapping[tuple[str, str], tuple[Workload, ...]]
    #: Kubernetes workloads by each label of the pods they create, for selector matching.
    pods_by_label: Mapping[LabelPair, tuple[Workload, ...]]
    #: Kubernetes workloads by the namespace they land in.
    pods_by_namespace: Mapping[str, tuple[Workload, ...]]
    #: Where secret material can come from, by (namespace as applied, name): Secrets, ConfigMaps, the
    #: Secrets that ExternalSecrets and SealedSecrets create.
    secrets: Mapping[tuple[str, str], tuple[K8sObject, ...]]
    config_maps: Mapping[tuple[str, str], tuple[K8sObject, ...]]
    external_secret_targets: Mapping[tuple[str, str], tuple[K8sObject, ...]]
    sealed_secrets: Mapping[tuple[str, str], tuple[K8sObject, ...]]
    #: Every image reference, and the references by canonical name (`docker.io/library/node`).
    image_uses: tuple[ImageUse, ...]
    images: Mapping[str, tuple[ImageUse, ...]]
    #: Dockerfiles by repository-relative path, and the facts of their final stage.
    dockerfiles: Mapping[str, Dockerfile]
    final_images: Mapping[str, FinalImage]
    #: Helm charts by their directory (what rendered objects name in `rendered_from`).
    charts: Mapping[str, Chart]
    #: The Compose service and project of each Compose workload, by workload subject.
    compose_services: Mapping[str, ComposeService]
    compose_projects: Mapping[str, ComposeProject]

    def objects(self, kind: str, api_prefix: str = "") -> tuple[K8sObject, ...]:
        """Objects of a kind, optionally only those whose apiVersion starts with `api_prefix`."""
        found = self.objects_by_kind.get(kind, ())
        if not api_prefix:
            return found
        return tuple(obj for obj in found if (obj.api_version or "").startswith(api_prefix))

    def named(self, kind: str, namespace: str, name: str) -> K8sObject | None:
        """The object of a kind with this name in this namespace (as applied); of several, the last, which
        replaces the others when the manifests are applied in order."""
        found = self.objects_by_name.get((kind, namespace, name))
        return found[-1] if found else None

    def compose_service(self, workload: Workload) -> ComposeService | None:
        return self.compose_services.get(workload.subject)

    def compose_project(self, workload: Workload) -> ComposeProject | None:
        return self.compose_projects.get(workload.subject)

    def final_image(self, dockerfile_path: str | None) -> FinalImage | None:
        return self.final_images.get(dockerfile_path) if dockerfile_path is not None else None

    def selector_candidates(self, pairs: Iterable[LabelPair]) -> tuple[Workload, ...]:
        """The Kubernetes workloads a selector requiring these label pairs can select: those carrying every
        pair, or all of them when it requires none. The caller still applies the full selector."""
        narrowed = self.pods_with_labels(pairs)
        return self.kubernetes_workloads if narrowed is None else narrowed

    def pods_with_labels(self, pairs: Iterable[LabelPair]) -> tuple[Workload, ...] | None:
        """Workloads whose pods carry every label pair (None when no pair is given: no narrowing)."""
        pairs = list(pairs)
        if not pairs:
            return None
        postings = sorted((self.pods_by_label.get(pair, ()) for pair in pairs), key=len)
        if not postings[0]:
            return ()
        if len(postings) == 1:
            return postings[0]
        others = [{id(workload) for workload in posting} for posting in postings[1:]]
        return tuple(w for w in postings[0] if all(id(w) in other for other in others))


def _group(items: Iterable[tuple[object, object]]) -> dict:
    grouped: dict = {}
    for key, value in items:
        grouped.setdefault(key, []).append(value)
    return {key: tuple(values) for key, values in grouped.items()}


def _dockerfile_image_uses(dockerfile: Dockerfile) -> Iterator[ImageUse]:
    stage_names = {stage.name.lower() for stage in dockerfile.stages if stage.name}
    for stage in dockerfile.stages:
        subject = f"Dockerfile:{dockerfile.path}/stage:{stage.name or stage.index}"
        if not stage.base.is_stage and not stage.base.is_scratch:
            yield ImageUse(stage.base, ArtifactKind.DOCKERFILE, subject, "FROM")
        for instruction in stage.instructions:
            sources = []
            if instruction.keyword in ("COPY", "ADD") and "from" in instruction.flags:
                sources.append(("COPY --from", instruction.flags["from"]))
            if instruction.keyword == "RUN" and "mount" in instruction.flags:
                for mount in instruction.flags["mount"].split("\n"):
                    options = dict(part.split("=", 1) for part in mount.split(",") if "=" in part)
                    if "from" in options:
                        sources.append(("RUN --mount", options["from"]))
            for usage, source in sources:
                if source.isdigit() or source.lower() in stage_names:
                    continue
                if platform_dependent(source):
                    if platform_stage(source, sorted(stage_names)) is not None:
                        continue  # one stage per platform (`--from=build-${TARGETARCH}`)
                    read = with_platform_values(source)
                    image = parse_image_reference(read, instruction.location, unresolved="$" in read)
                    image = dataclasses.replace(image, written=source, problem=None)
                else:
                    image = parse_image_reference(source, instruction.location, unresolved="$" in source)
                yield ImageUse(image, ArtifactKind.DOCKERFILE, subject, usage)
    syntax = dockerfile.directives.get("syntax")
    if syntax is not None:
        image = parse_image_reference(syntax.value, syntax.location)
        yield ImageUse(image, ArtifactKind.DOCKERFILE, f"Dockerfile:{dockerfile.path}/syntax", "syntax")


def _image_uses(dockerfiles: Iterable[Dockerfile], workloads: Iterable[Workload]) -> Iterator[ImageUse]:
    """Every image reference, from Dockerfiles, Compose services and Kubernetes containers."""
    for dockerfile in dockerfiles:
        yield from _dockerfile_image_uses(dockerfile)
    for workload in workloads:
        if workload.artifact is ArtifactKind.DOCKERFILE:
            continue
        for container in workload.containers:
            if container.image is not None:
                usage = "service" if workload.artifact is ArtifactKind.COMPOSE else "container"
                subject = (
                    workload.subject
                    if usage == "service"
                    else f"{workload.subject}/container:{container.name}"
                )
                yield ImageUse(container.image, workload.artifact, subject, usage, workload, container)


def _final_image(dockerfile: Dockerfile, workload: Workload) -> FinalImage:
    chain = dockerfile.final_chain()
    volumes: list[str] = []
    for stage in chain:
        for instruction in stage.instructions:
            if instruction.keyword == "VOLUME":
                arguments = instruction.json_arguments or tuple(instruction.resolved.split())
                volumes.extend(argument for argument in arguments if argument.startswith("/"))
    return FinalImage(dockerfile, workload, chain[-1].base, tuple(volumes))


def _secret_names(obj: K8sObject) -> Iterator[str]:
    """The names of the Secrets an ExternalSecret or SealedSecret creates."""
    if obj.kind == "ExternalSecret":
        target = obj.spec.at("target", "name").scalar
        yield str(target) if target else obj.name or ""
    elif obj.kind == "SealedSecret":
        template_name = obj.spec.at("template", "metadata", "name").scalar
        yield str(template_name) if template_name else obj.name or ""


def build_index(
    *,
    k8s_objects: tuple[K8sObject, ...],
    workloads: tuple[Workload, ...],
    dockerfiles: tuple[Dockerfile, ...],
    compose_projects: tuple[ComposeProject, ...],
    charts: tuple[Chart, ...],
) -> ProjectIndex:
    """File every object of a project (`Project.index` passes its parts) under the keys cross-object rules
    look up, one pass per kind. Where a key repeats, the lookups that return one object return the first,
    as a scan in project order would."""
    objects = k8s_objects
    kubernetes = tuple(w for w in workloads if w.is_kubernetes)
    uses = tuple(_image_uses(dockerfiles, workloads))
    image_workloads = tuple(w for w in workloads if w.artifact is ArtifactKind.DOCKERFILE)
    by_path = {dockerfile.path: dockerfile for dockerfile in reversed(dockerfiles)}
    final_images = {}
    for workload in image_workloads:
        dockerfile = by_path.get(workload.path)
        if dockerfile is not None and workload.path not in final_images:
            final_images[workload.path] = _final_image(dockerfile, workload)

    def namespaced(kind: str) -> dict[tuple[str, str], tuple[K8sObject, ...]]:
        return _group(
            ((obj.namespace_or_default, obj.name or ""), obj) for obj in objects if obj.kind == kind
        )

    return ProjectIndex(
        objects_by_kind=_group((obj.kind or "", obj) for obj in objects),
        objects_by_name=_group(
            ((obj.kind or "", obj.namespace_or_default, obj.name or ""), obj) for obj in objects
        ),
        kubernetes_workloads=kubernetes,
        compose_workloads=tuple(w for w in workloads if w.artifact is ArtifactKind.COMPOSE),
        image_workloads=image_workloads,
        workloads_by_name=_group(((w.kind, w.name), w) for w in kubernetes),
        pods_by_label=_group(
            ((key, value), w) for w in kubernetes if w.pod is not None for key, value in w.pod.labels.items()
        ),
        pods_by_namespace=_group((w.namespace_or_default, w) for w in kubernetes),
        secrets=namespaced("Secret"),
        config_maps=namespaced("ConfigMap"),
        external_secret_targets=_group(
            ((obj.namespace_or_default, name), obj)
            for obj in objects
            if obj.kind == "ExternalSecret"
            for name in _secret_names(obj)
        ),
        sealed_secrets=_group(
            ((obj.namespace_or_default, name), obj)
            for obj in objects
            if obj.kind == "SealedSecret"
            for name in _secret_names(obj)
        ),
        image_uses=uses,
        images=_group((use.image.canonical_name, use) for use in uses),
        dockerfiles=by_path,
        final_images=final_images,
        charts={chart.directory: chart for chart in reversed(charts)},
        compose_services={
            service.workload.subject: service
            for compose in reversed(compose_projects)
            for service in compose.services
        },
        compose_projects={
            service.workload.subject: compose
            for compose in reversed(compose_projects)
            for service in compose.services
        },
    )
