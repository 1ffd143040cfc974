"""MD701 persistent-storage: records on named volumes or claims, never in the container or the pod; explicit,
retained storage classes; no ReadWriteOnce claim shared by replicas on several nodes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from medlint.checks.data.stores import (
    PERSISTENT_LABEL,
    STORE_WORKLOAD_KINDS,
    DataStore,
    Mount,
    StatefulService,
    Stores,
    container_mounts,
    data_paths,
    data_store_table,
    deepest_mount,
    has_label,
    is_persistent_store,
    service_mounts,
    stateful_services,
    store_containers,
)
from medlint.findings import RelatedLocation, Violation
from medlint.model import ArtifactKind, Container, K8sObject, Location, Node, Project, Workload


def _compose_storage_violation(stateful: StatefulService, mounts: list[Mount]) -> Violation | None:
    service = stateful.service
    workload = service.workload
    label = f"labelled {PERSISTENT_LABEL[0]}: {PERSISTENT_LABEL[1]}"
    what = (
        f'{stateful.store.name} service "{service.name}"'
        if stateful.store
        else f'service "{service.name}" ({label})'
    )
    if not stateful.data_paths:  # labelled, data directory unknown: any persistent mount will do
        if any(m.persistent for m in mounts):
            return None
        return Violation(
            workload.location,
            f"{what} keeps its data on no named volume or bind mount",
            f"{workload.subject}/storage",
            workload.artifact,
        )
    holders = [deepest_mount(mounts, path) for path in stateful.data_paths]
    if any(holder is not None and holder.persistent for holder in holders):
        return None
    path = stateful.data_paths[0]
    holder = holders[0]
    if holder is not None:
        kind = "an anonymous volume" if holder.kind == "anonymous" else f"a {holder.kind} mount"
        return Violation(
            holder.location,
            f"{what} keeps its data directory {path} on {kind}, which is lost when the container is recreated",
            f"{workload.subject}/storage",
            workload.artifact,
        )
    if any(m.unresolved for m in mounts):
        return Violation(
            workload.location,
            f"{what}: whether its data directory {path} is on a volume cannot be resolved "
            "(a volume target uses an unset variable)",
            f"{workload.subject}/storage",
            workload.artifact,
            variant="unresolved",
        )
    return Violation(
        workload.location,
        f"{what} keeps its data directory {path} on no volume (at best the image's anonymous VOLUME), "
        "so records are lost when the container is recreated",
        f"{workload.subject}/storage",
        workload.artifact,
    )


def _compose_storage(project: Project, stores: Stores) -> Iterator[Violation]:
    for compose in project.compose_projects:
        for stateful in stateful_services(project, compose, stores):
            violation = _compose_storage_violation(stateful, service_mounts(stateful.service))
            if violation is not None:
                yield violation


def _k8s_container_storage(
    workload: Workload, container: Container, store: DataStore | None
) -> Violation | None:
    who = f'container "{container.name}" of {workload.subject}'
    subject = f"{workload.subject}/container:{container.name}/storage"
    mounts = container_mounts(workload, container)
    if store is None:
        if any(m.persistent for m in mounts):
            return None
        return Violation(
            container.location,
            f"{who} is labelled {PERSISTENT_LABEL[0]}: {PERSISTENT_LABEL[1]} but mounts no persistent volume",
            subject,
            workload.artifact,
        )
    paths = data_paths(store, container)
    holders = [deepest_mount(mounts, path) for path in paths]
    if any(holder is not None and holder.persistent for holder in holders):
        return None
    holder = holders[0]
    if holder is not None and holder.kind != "unknown":
        return Violation(
            holder.location,
            f"{who} runs {store.name} with its data directory {paths[0]} on {holder.kind} volume "
            f'"{holder.volume}", which is lost with the pod',
            subject,
            workload.artifact,
        )
    return Violation(
        container.location,
        f"{who} runs {store.name} with its data directory {paths[0]} on no volume, so records are lost with the pod",
        subject,
        workload.artifact,
    )


def _k8s_store_storage(project: Project, stores: Stores) -> Iterator[Violation]:
    for workload in _store_workloads(project):
        for container, store in store_containers(workload, stores):
            violation = _k8s_container_storage(workload, container, store)
            if violation is not None:
                yield violation


def _access_modes(claim_spec: Node) -> set[str]:
    return {str(mode.plain()) for mode in claim_spec.get("accessModes").elements()}


def _replicas(workload: Workload) -> int:
    value = workload.replicas.value if workload.replicas is not None else 1
    return value if isinstance(value, int) and not isinstance(value, bool) else 1


def _claim_references(workload: Workload) -> Iterator[tuple[str, Location]]:
    """(claimName, where) of every persistentVolumeClaim volume of a workload."""
    for volume in workload.pod.volumes if workload.pod is not None else ():
        claim = volume.node.get("persistentVolumeClaim")
        if claim.is_map and claim.get("claimName"):
            yield str(claim.get("claimName").plain()), claim.location_of("claimName")


def _store_workloads(project: Project, kinds: tuple[str, ...] = STORE_WORKLOAD_KINDS) -> list[Workload]:
    return [w for w in project.index.kubernetes_workloads if w.kind in kinds]


def _shared_rwo_claims(project: Project) -> Iterator[Violation]:
    for workload in _store_workloads(project):
        replicas = _replicas(workload)
        if replicas <= 1:
            continue
        for name, location in _claim_references(workload):
            claim = project.index.named("PersistentVolumeClaim", workload.namespace_or_default, name)
            modes = _access_modes(claim.spec) if claim else set()
            if modes and modes <= {"ReadWriteOnce", "ReadWriteOncePod"}:
                yield Violation(
                    location,
                    f'{workload.subject} runs {replicas} replicas on ReadWriteOnce claim "{name}"; '
                    "pods on other nodes cannot mount it",
                    f"{workload.subject}/claim:{name}",
                    workload.artifact,
                    variant="rwo-shared",
                )


@dataclass(frozen=True, slots=True)
class ClaimSpec:
    """A PersistentVolumeClaim spec, standalone or a StatefulSet volumeClaimTemplate."""

    owner: str
    namespace: str
    spec: Node
    anchor: Location
    artifact: ArtifactKind
    record_storage: bool


def _claim_specs(project: Project, stores: Stores) -> Iterator[ClaimSpec]:
    record_claims = {
        (w.namespace_or_default, name)
        for w in _store_workloads(project)
        if is_persistent_store(w, stores)
        for name, _ in _claim_references(w)
    }
    for obj in project.index.objects("PersistentVolumeClaim"):
        namespace = obj.namespace_or_default
        record = (namespace, obj.name or "") in record_claims or has_label(obj.labels, PERSISTENT_LABEL)
        yield ClaimSpec(obj.subject, namespace, obj.spec, obj.spec_anchor, obj.artifact, record)
    for workload in _store_workloads(project, ("StatefulSet",)):
        for index, template in enumerate(workload.definition.at("spec", "volumeClaimTemplates").elements()):
            if not template.is_map:
                continue
            name = template.at("metadata", "name").plain() or index
            anchor = template.key_location_of("spec") if "spec" in template else template.location
            yield ClaimSpec(
                f'volumeClaimTemplate "{name}" of {workload.subject}',
                workload.namespace_or_default,
                template.get("spec"),
                anchor,
                workload.artifact,
                is_persistent_store(workload, stores),
            )


DEFAULT_CLASS_KEYS = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)


def _storage_classes(project: Project) -> tuple[dict[str, K8sObject], K8sObject | None]:
    """StorageClasses of the bundle by name, and the one marked as the cluster default."""
    classes = {obj.name or "": obj for obj in project.index.objects("StorageClass")}
    default = next(
        (
            obj
            for obj in classes.values()
            if any(has_label(obj.annotations, (key, "true")) for key in DEFAULT_CLASS_KEYS)
        ),
        None,
    )
    return classes, default


def _storage_class_violations(project: Project, stores: Stores) -> Iterator[Violation]:
    classes, default_class = _storage_classes(project)
    judged: set[str] = set()
    for claim in _claim_specs(project, stores):
        spec = claim.spec.as_map()
        if "storageClassName" not in spec:
            yield Violation(
                claim.anchor,
                f"{claim.owner} has no explicit storageClassName, so the cluster default decides where records live",
                f"{claim.owner}/storage-class",
                claim.artifact,
                variant="no-storage-class",
            )
        if not claim.record_storage:
            continue
        name = spec.get("storageClassName").plain()
        storage_class = (
            classes.get(str(name)) if name else (default_class if "storageClassName" not in spec else None)
        )
        if storage_class is None or (storage_class.name or "") in judged:
            continue  # a StorageClass outside the bundle is not judged
        judged.add(storage_class.name or "")
        yield from _reclaim_policy(storage_class, claim)


def _reclaim_policy(storage_class: K8sObject, claim: ClaimSpec) -> Iterator[Violation]:
    policy = storage_class.document.get("reclaimPolicy").plain()
    if policy is not None and str(policy) != "Delete":
        return
    where = (
        storage_class.document.key_location_of("reclaimPolicy")
        if policy is not None
        else storage_class.location
    )
    state = (
        "reclaimPolicy: Delete" if policy is not None else "no reclaimPolicy (Kubernetes defaults to Delete)"
    )
    yield Violation(
        where,
        f"StorageClass {storage_class.name} holds record storage ({claim.owner}) but has {state}; "
        "deleting the claim deletes the records",
        f"StorageClass/{storage_class.name}/reclaim",
        storage_class.artifact,
        variant="reclaim-policy",
        related=(RelatedLocation(claim.anchor, f"{claim.owner} uses this class"),),
    )


def persistent_storage(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD701: records on named volumes or PVCs, not in the container or pod; explicit, retained storage."""
    stores = data_store_table(params)
    yield from _compose_storage(project, stores)
    yield from _k8s_store_storage(project, stores)
    yield from _shared_rwo_claims(project)
    yield from _storage_class_violations(project, stores)
