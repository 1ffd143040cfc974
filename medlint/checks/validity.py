"""MD002: resources the cluster or the Compose engine would reject.

Other rules skip objects that lack the fields they need; this check stands in for them, so a malformed
object is never silently treated as passing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from medlint.findings import Violation
from medlint.model import ArtifactKind, ComposeProject, K8sObject, Location, Node, Project
from medlint.model.compose_references import Undefined, UndefinedReference, undefined_references
from medlint.model.kubernetes import POD_SPEC_PATHS
from medlint.model.selectors import label_selector_matches

#: Config files that use apiVersion/kind but are never stored in the API server (no metadata.name).
CONFIG_API_GROUPS = ("audit.k8s.io", "kubeadm.k8s.io", "config.k8s.io", "kustomize.config.k8s.io")
#: Config files in `apiVersion: v1` that the core API group has no kind for: a kubeconfig (`Config`) and the
#: legacy kube-scheduler policy file (`Policy`, read by `--policy-config-file` until Kubernetes 1.23).
CONFIG_KINDS_V1 = ("Config", "Policy")
CONTROLLER_KINDS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")


def _is_config_file(obj: K8sObject) -> bool:
    group = (obj.api_version or "").split("/")[0]
    return any(group == g or group.endswith(("." + g, g)) for g in CONFIG_API_GROUPS) or (
        obj.kind in CONFIG_KINDS_V1 and obj.api_version == "v1"
    )


def _violation(obj: K8sObject, node: Node, key: str | None, message: str) -> Violation:
    if key is not None and node.is_map:
        location = node.key_location_of(key)
    else:
        location = node.start if node.is_map or node.is_list else obj.location
    return Violation(location, message, obj.subject, obj.artifact)


def _check_pod_spec(obj: K8sObject, pod_spec: Node, anchor: Node, anchor_key: str) -> Iterator[Violation]:
    if not pod_spec.is_map:
        yield _violation(obj, anchor, anchor_key, f"{obj.subject}: the pod spec must be a mapping")
        return
    containers = pod_spec.get("containers")
    if not containers.is_list or not containers:
        yield _violation(
            obj,
            pod_spec,
            "containers" if "containers" in pod_spec else None,
            f"{obj.subject}: the pod spec has no containers",
        )
    names: dict[str, int] = {}
    for list_key in ("initContainers", "containers", "ephemeralContainers"):
        items = pod_spec.get(list_key)
        if items.plain() is None:
            continue
        if not items.is_list:
            yield _violation(obj, pod_spec, list_key, f"{obj.subject}: {list_key} must be a list")
            continue
        for index, item in enumerate(items.elements()):
            where = item.location
            if not item.is_map:
                yield Violation(
                    where, f"{obj.subject}: {list_key}[{index}] must be a mapping", obj.subject, obj.artifact
                )
                continue
            name = item.get("name").plain()
            if not name:
                yield Violation(
                    where, f"{obj.subject}: {list_key}[{index}] has no name", obj.subject, obj.artifact
                )
            elif str(name) in names:
                yield Violation(
                    where, f'{obj.subject}: container name "{name}" is used twice', obj.subject, obj.artifact
                )
            else:
                names[str(name)] = index
            if not item.get("image") and list_key != "ephemeralContainers":
                yield Violation(
                    where,
                    f'{obj.subject}: container "{name or index}" has no image',
                    obj.subject,
                    obj.artifact,
                )


def _check_object(obj: K8sObject) -> Iterator[Violation]:
    document = obj.document
    for key in ("apiVersion", "kind"):
        if not isinstance(document.get(key).plain(), str) or not document.get(key):
            yield _violation(obj, document, None, f"{obj.subject}: the object has no {key}")
    if obj.kind is None or obj.api_version is None or _is_config_file(obj):
        return
    metadata = document.get("metadata")
    if metadata.plain() is not None and not metadata.is_map:
        yield _violation(obj, document, "metadata", f"{obj.subject}: metadata must be a mapping")
        return
    if not metadata.is_map or not (metadata.get("name") or metadata.get("generateName")):
        yield _violation(
            obj,
            document,
            "metadata" if metadata.is_map else None,
            f"{obj.kind}: the object has no metadata.name",
        )
    for key in ("labels", "annotations"):
        table = metadata.get(key)
        if table.plain() is not None and not table.is_map:
            yield _violation(obj, metadata, key, f"{obj.subject}: metadata.{key} must be a mapping")
    spec = document.get("spec")
    if obj.kind not in POD_SPEC_PATHS:
        return
    if not spec.is_map:
        yield _violation(
            obj,
            document,
            "spec" if "spec" in document else None,
            f"{obj.subject}: the {obj.kind} has no spec",
        )
        return
    if obj.kind in CONTROLLER_KINDS:
        missing = [key for key in ("selector", "template") if not spec.get(key).is_map]
        for key in missing:
            yield _violation(
                obj,
                document,
                "spec",
                f"{obj.subject}: spec.{key} is missing; the API server rejects a {obj.kind} without it",
            )
        if not missing:
            labels = spec.at("template", "metadata", "labels").string_map()
            if not label_selector_matches(spec.get("selector").plain(), labels):
                yield _violation(
                    obj,
                    spec,
                    "selector",
                    f"{obj.subject}: spec.selector does not match the pod template labels",
                )
    elif obj.kind == "Job" and not spec.get("template").is_map:
        yield _violation(obj, document, "spec", f"{obj.subject}: spec.template is missing")
        return
    elif obj.kind == "CronJob":
        for key in ("schedule", "jobTemplate"):
            if key not in spec:
                yield _violation(obj, document, "spec", f"{obj.subject}: spec.{key} is missing")
        if "jobTemplate" not in spec:
            return
    # The pod spec's parent is the template (or the Pod itself); a missing template was reported above.
    template = document.at(*POD_SPEC_PATHS[obj.kind][:-1])
    if template.is_map:
        yield from _check_pod_spec(obj, template.get("spec"), template, "spec")


def _duplicates(objects: tuple[K8sObject, ...]) -> Iterator[Violation]:
    """The same group/kind/namespace/name twice in one bundle (a file, or one render of a chart): one
    silently replaces the other."""
    seen: dict[tuple[str | None, ...], K8sObject] = {}
    for obj in objects:
        if obj.kind is None or obj.name is None or _is_config_file(obj):
            continue
        group = (obj.api_version or "").rpartition("/")[0]
        key = (obj.rendered_from or obj.path, obj.values_set, group, obj.kind, obj.namespace, obj.name)
        first = seen.get(key)
        if first is None:
            seen[key] = obj
            continue
        yield Violation(
            obj.location,
            f"{obj.subject} is defined twice in this file (first at line {first.location.line}); one replaces the other",
            obj.subject,
            obj.artifact,
        )


def _reference_message(reference: UndefinedReference) -> str:
    service, name = reference.service, reference.name
    what = reference.what
    if what is Undefined.IMAGE:
        return f'service "{service}" has neither image nor build'
    if what is Undefined.SERVICE:
        return f'service "{service}" depends on undefined service "{name}"'
    if what is Undefined.NETWORK_MODE:
        return f'service "{service}" uses network_mode of undefined service "{name}"'
    if what is Undefined.VOLUME:
        return f'service "{service}" mounts volume "{name}", which is not declared under top-level volumes'
    section = f"{what}s"
    return f'service "{service}" uses {what} "{name}", which is not declared under top-level {section}'


def _compose_references(project: ComposeProject) -> Iterator[Violation]:
    references = list(undefined_references(project))
    if project.base_missing and references:
        # An overlay without its base: one finding for the file, not one per name the base would define.
        shown = "; ".join(_reference_message(reference) for reference in references[:2])
        more = f"; and {len(references) - 2} more" if len(references) > 2 else ""
        yield Violation(
            Location(project.path),
            f"{project.path} is a Compose overlay that needs a base ({shown}{more}), but no base file was "
            "found beside it; "
            "medlint merges an overlay with its base as `docker compose -f base -f overlay` does: keep the base "
            "in the same folder as compose.yaml or docker-compose.yml, or list both files under compose.projects "
            "in .medlint.yaml",
            f"compose:{project.path}/overlay-base",
            ArtifactKind.COMPOSE,
        )
        return
    for reference in references:
        subject = next(
            (service.workload.subject for service in project.services if service.name == reference.service),
            f"compose:{project.path}/services/{reference.service}",
        )
        yield Violation(reference.location, _reference_message(reference), subject, ArtifactKind.COMPOSE)


def _malformed_images(project: Project) -> Iterator[Violation]:
    """Compose and Kubernetes image references that break the reference grammar: nothing can pull them."""
    for use in project.index.image_uses:
        image = use.image
        if image.problem is None or use.artifact is ArtifactKind.DOCKERFILE:
            continue  # a Dockerfile's references are MD001 (the build fails)
        if use.artifact is ArtifactKind.COMPOSE:
            who, refuses = f'service "{use.workload.name if use.workload else use.subject}"', "Docker"
        else:
            name = use.container.name if use.container else ""
            who, refuses = (
                f'container "{name}" of {use.workload.subject if use.workload else use.subject}',
                "the kubelet",
            )
        yield Violation(
            image.location,
            f"{who} has a malformed image reference '{_shown(image.written)}': {image.problem}, so {refuses} "
            "cannot pull it",
            f"{use.subject}/image",
            use.artifact,
        )


def _shown(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def invalid_resource(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    for obj in project.k8s_objects:
        yield from _check_object(obj)
    yield from _duplicates(project.k8s_objects)
    for compose in project.compose_projects:
        yield from _compose_references(compose)
    yield from _malformed_images(project)
