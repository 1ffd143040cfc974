"""MD002: resources the cluster or the Compose engine would reject.

Other rules skip objects that lack the fields they need; this check stands in for them, so a malformed
object is never silently treated as passing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from medlint.findings import Violation
from medlint.model import ArtifactKind, ComposeProject, K8sObject, Project
from medlint.model.kubernetes import POD_SPEC_PATHS, get_path
from medlint.model.selectors import as_label_map, label_selector_matches
from medlint.source import YamlList, YamlMap, key_location, node_location, value_location

#: Config files that use apiVersion/kind but are never stored in the API server (no metadata.name).
CONFIG_API_GROUPS = ("audit.k8s.io", "kubeadm.k8s.io", "config.k8s.io", "kustomize.config.k8s.io")
CONTROLLER_KINDS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")


def _artifact(obj: K8sObject) -> ArtifactKind:
    return ArtifactKind.HELM if obj.rendered_from else ArtifactKind.KUBERNETES


def _is_config_file(obj: K8sObject) -> bool:
    group = (obj.api_version or "").split("/")[0]
    return any(group == g or group.endswith(("." + g, g)) for g in CONFIG_API_GROUPS) or (
        obj.kind == "Config" and obj.api_version == "v1"
    )


def _violation(obj: K8sObject, node: Any, key: str | None, message: str) -> Violation:
    if key is not None and isinstance(node, YamlMap):
        location = key_location(obj.path, node, key)
    else:
        location = node_location(obj.path, node) if isinstance(node, (YamlMap, YamlList)) else obj.location
    return Violation(location, message, obj.subject, _artifact(obj))


def _check_pod_spec(obj: K8sObject, pod_spec: Any, anchor: Any, anchor_key: str) -> Iterator[Violation]:
    if not isinstance(pod_spec, YamlMap):
        yield _violation(obj, anchor, anchor_key, f"{obj.subject}: the pod spec must be a mapping")
        return
    containers = pod_spec.get("containers")
    if not isinstance(containers, YamlList) or not containers:
        yield _violation(
            obj,
            pod_spec,
            "containers" if "containers" in pod_spec else None,
            f"{obj.subject}: the pod spec has no containers",
        )
    names: dict[str, int] = {}
    for list_key in ("initContainers", "containers", "ephemeralContainers"):
        items = pod_spec.get(list_key)
        if items is None:
            continue
        if not isinstance(items, YamlList):
            yield _violation(obj, pod_spec, list_key, f"{obj.subject}: {list_key} must be a list")
            continue
        for index, item in enumerate(items):
            where = value_location(obj.path, items, index)
            if not isinstance(item, YamlMap):
                yield Violation(
                    where,
                    f"{obj.subject}: {list_key}[{index}] must be a mapping",
                    obj.subject,
                    _artifact(obj),
                )
                continue
            name = item.get("name")
            if not name:
                yield Violation(
                    where, f"{obj.subject}: {list_key}[{index}] has no name", obj.subject, _artifact(obj)
                )
            elif str(name) in names:
                yield Violation(
                    where,
                    f'{obj.subject}: container name "{name}" is used twice',
                    obj.subject,
                    _artifact(obj),
                )
            else:
                names[str(name)] = index
            if not item.get("image") and list_key != "ephemeralContainers":
                yield Violation(
                    where,
                    f'{obj.subject}: container "{name or index}" has no image',
                    obj.subject,
                    _artifact(obj),
                )


def _check_object(obj: K8sObject) -> Iterator[Violation]:
    body = obj.body
    for key in ("apiVersion", "kind"):
        if not isinstance(body.get(key), str) or not body.get(key):
            yield _violation(obj, body, None, f"{obj.subject}: the object has no {key}")
    if obj.kind is None or obj.api_version is None or _is_config_file(obj):
        return
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, YamlMap):
        yield _violation(obj, body, "metadata", f"{obj.subject}: metadata must be a mapping")
        return
    if not isinstance(metadata, YamlMap) or not (metadata.get("name") or metadata.get("generateName")):
        yield _violation(
            obj,
            body,
            "metadata" if isinstance(metadata, YamlMap) else None,
            f"{obj.kind}: the object has no metadata.name",
        )
    for key in ("labels", "annotations"):
        table = metadata.get(key) if isinstance(metadata, YamlMap) else None
        if table is not None and not isinstance(table, YamlMap):
            yield _violation(obj, metadata, key, f"{obj.subject}: metadata.{key} must be a mapping")
    spec = body.get("spec")
    if obj.kind not in POD_SPEC_PATHS:
        return
    if not isinstance(spec, YamlMap):
        yield _violation(
            obj, body, "spec" if "spec" in body else None, f"{obj.subject}: the {obj.kind} has no spec"
        )
        return
    if obj.kind in CONTROLLER_KINDS:
        missing = [key for key in ("selector", "template") if not isinstance(spec.get(key), YamlMap)]
        for key in missing:
            yield _violation(
                obj,
                body,
                "spec",
                f"{obj.subject}: spec.{key} is missing; the API server rejects a {obj.kind} without it",
            )
        if not missing:
            labels = get_path(spec, ("template", "metadata", "labels"))
            if not label_selector_matches(spec["selector"], as_label_map(labels)):
                yield _violation(
                    obj,
                    spec,
                    "selector",
                    f"{obj.subject}: spec.selector does not match the pod template labels",
                )
    elif obj.kind == "Job" and not isinstance(spec.get("template"), YamlMap):
        yield _violation(obj, body, "spec", f"{obj.subject}: spec.template is missing")
        return
    elif obj.kind == "CronJob":
        for key in ("schedule", "jobTemplate"):
            if key not in spec:
                yield _violation(obj, body, "spec", f"{obj.subject}: spec.{key} is missing")
        if "jobTemplate" not in spec:
            return
    # The pod spec's parent is the template (or the Pod itself); a missing template was reported above.
    template = get_path(body, POD_SPEC_PATHS[obj.kind][:-1])
    if isinstance(template, YamlMap):
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
            _artifact(obj),
        )


def _compose_references(project: ComposeProject) -> Iterator[Violation]:
    services = {service.name for service in project.services}
    declared = {
        section: set(project.top_level.get(section) or {})
        if isinstance(project.top_level.get(section), dict)
        else set()
        for section in ("networks", "volumes", "secrets", "configs")
    }
    for service in project.services:
        raw = service.raw if isinstance(service.raw, YamlMap) else YamlMap()
        subject = service.workload.subject
        if "image" not in raw and "build" not in raw:
            yield Violation(
                service.location,
                f'service "{service.name}" has neither image nor build',
                subject,
                ArtifactKind.COMPOSE,
            )
        depends = raw.get("depends_on")
        names = list(depends) if isinstance(depends, (list, dict)) else []
        for name in names:
            if isinstance(name, str) and name not in services:
                where = (
                    key_location(project.path, depends, name)
                    if isinstance(depends, YamlMap)
                    else value_location(project.path, depends, names.index(name))
                )
                yield Violation(
                    where,
                    f'service "{service.name}" depends on undefined service "{name}"',
                    subject,
                    ArtifactKind.COMPOSE,
                )
        network_mode = raw.get("network_mode")
        if (
            isinstance(network_mode, str)
            and network_mode.startswith("service:")
            and network_mode[8:] not in services
        ):
            yield Violation(
                value_location(project.path, raw, "network_mode"),
                f'service "{service.name}" uses network_mode of undefined service "{network_mode[8:]}"',
                subject,
                ArtifactKind.COMPOSE,
            )
        for section in ("networks", "secrets", "configs"):
            yield from _undeclared(
                project,
                service.name,
                subject,
                raw,
                section,
                declared[section],
                implicit={"default"} if section == "networks" else set(),
            )
        yield from _undeclared_volumes(project, service.name, subject, raw, declared["volumes"])


def _reference_names(node: Any) -> list[tuple[str, int | str]]:
    if isinstance(node, YamlMap):
        return [(str(key), key) for key in node]
    if isinstance(node, YamlList):
        names = []
        for index, item in enumerate(node):
            if isinstance(item, str):
                names.append((item, index))
            elif isinstance(item, YamlMap) and isinstance(item.get("source"), str):
                names.append((item["source"], index))
        return names
    return []


def _undeclared(
    project: ComposeProject,
    service: str,
    subject: str,
    raw: YamlMap,
    section: str,
    declared: set[str],
    implicit: set[str],
) -> Iterator[Violation]:
    node = raw.get(section)
    for name, key in _reference_names(node):
        if name not in declared and name not in implicit:
            where = (
                key_location(project.path, node, key)
                if isinstance(node, YamlMap)
                else value_location(project.path, node, key)
            )
            yield Violation(
                where,
                f'service "{service}" uses {section[:-1]} "{name}", which is not declared under top-level {section}',
                subject,
                ArtifactKind.COMPOSE,
            )


def _undeclared_volumes(
    project: ComposeProject, service: str, subject: str, raw: YamlMap, declared: set[str]
) -> Iterator[Violation]:
    node = raw.get("volumes")
    if not isinstance(node, YamlList):
        return
    for index, item in enumerate(node):
        if isinstance(item, str):
            source = item.split(":", 1)[0] if ":" in item else None
            kind = "volume"
        elif isinstance(item, YamlMap):
            source, kind = item.get("source"), str(item.get("type") or "volume")
        else:
            continue
        if kind != "volume" or not isinstance(source, str) or not source:
            continue
        if source.startswith((".", "/", "~", "$")) or "/" in source or "\\" in source:
            continue  # a bind mount or an unresolved variable, not a named volume
        if source not in declared:
            yield Violation(
                value_location(project.path, node, index),
                f'service "{service}" mounts volume "{source}", which is not declared under top-level volumes',
                subject,
                ArtifactKind.COMPOSE,
            )


def invalid_resource(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    for obj in project.k8s_objects:
        yield from _check_object(obj)
    yield from _duplicates(project.k8s_objects)
    for compose in project.compose_projects:
        yield from _compose_references(compose)
