"""Kubernetes manifests: multi-document YAML (and JSON) into K8sObject and Workload model objects.

Every document is one object; `List` kinds are expanded into their items; empty documents are skipped.
Unknown kinds and custom resources are kept as generic objects, so rules about labels or kinds still see them.
Workloads get their containers with effective security settings resolved (container over pod) here, once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from medlint.model import (
    ArtifactKind,
    Container,
    EnvVar,
    K8sObject,
    Located,
    Probe,
    Resources,
    SecurityContext,
    Setting,
    Workload,
)
from medlint.model.images import parse_image_reference
from medlint.source import (
    Location,
    SourceError,
    YamlList,
    YamlMap,
    key_location,
    load_yaml_documents,
    node_location,
    value_location,
)

#: Where each workload kind keeps its pod spec, and its pod template metadata.
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
CONTAINER_LISTS = (
    ("initContainers", "init"),
    ("containers", "container"),
    ("ephemeralContainers", "ephemeral"),
)
PROBE_KEYS = (("livenessProbe", "liveness"), ("readinessProbe", "readiness"), ("startupProbe", "startup"))


def get_path(node: Any, path: tuple[str, ...]) -> Any:
    """Follow mapping keys; None as soon as one is missing or not a mapping."""
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def parse_manifest(path: str, text: str, rendered_from: str | None = None) -> list[K8sObject]:
    """All objects of a manifest file. Raises SourceError for YAML errors and non-mapping documents."""
    objects: list[K8sObject] = []
    for document in load_yaml_documents(text):
        body = document.value
        if body is None:
            continue
        if not isinstance(body, YamlMap):
            raise SourceError(
                f"document {document.index + 1} is a {type(body).__name__.replace('Yaml', '').lower()}, "
                "not a mapping; a Kubernetes manifest document must be an object",
                document.line,
                document.column,
            )
        for index, item in expand_lists(body, document.index):
            objects.append(object_from_document(path, item, index, rendered_from))
    return objects


def looks_like_manifest(text: str) -> bool:
    """Cheap sniff used by discovery: does any line start with both `apiVersion:` and `kind:` keys?"""
    has_api = has_kind = False
    for line in text.splitlines():
        stripped = line.lstrip('"')
        if stripped.startswith("apiVersion"):
            has_api = True
        elif stripped.startswith("kind"):
            has_kind = True
        if has_api and has_kind:
            return True
    return False


def expand_lists(body: YamlMap, index: int) -> Iterator[tuple[int, Any]]:
    kind = body.get("kind")
    items = body.get("items")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(items, YamlList):
        for item in items:
            if isinstance(item, YamlMap):
                yield index, item
        return
    yield index, body


def _located_strings(path: str, mapping: Any) -> dict[str, Located[str]]:
    if not isinstance(mapping, YamlMap):
        return {}
    return {
        str(key): Located("" if value is None else str(value), key_location(path, mapping, key))
        for key, value in mapping.items()
    }


def object_from_document(
    path: str, body: YamlMap, index: int, rendered_from: str | None = None, values_set: str | None = None
) -> K8sObject:
    """The model object for one document (the Helm renderer uses it for rendered documents too)."""
    metadata = body.get("metadata")
    metadata = metadata if isinstance(metadata, YamlMap) else None

    def text(value: Any) -> str | None:
        return value if isinstance(value, str) else (None if value is None else str(value))

    return K8sObject(
        api_version=text(body.get("apiVersion")),
        kind=text(body.get("kind")),
        name=text(metadata.get("name") or metadata.get("generateName")) if metadata else None,
        namespace=text(metadata.get("namespace")) if metadata else None,
        path=path,
        document_index=index,
        location=node_location(path, body),
        body=body,
        labels=_located_strings(path, metadata.get("labels")) if metadata else {},
        annotations=_located_strings(path, metadata.get("annotations")) if metadata else {},
        rendered_from=rendered_from,
        values_set=values_set,
    )


# --------------------------------------------------------------------------------------------------
# Workloads


def workload_from_object(obj: K8sObject) -> Workload | None:
    """The Workload view of a workload object; None for other kinds or when the pod spec is missing."""
    spec_path = POD_SPEC_PATHS.get(obj.kind or "")
    if spec_path is None or obj.api_version is None:
        return None
    pod_spec = get_path(obj.body, spec_path)
    if not isinstance(pod_spec, YamlMap):
        return None  # MD002 reports the missing template
    template = get_path(obj.body, spec_path[:-1]) if obj.kind != "Pod" else None
    template_metadata = template.get("metadata") if isinstance(template, YamlMap) else None
    metadata = obj.body.get("metadata")
    artifact = ArtifactKind.HELM if obj.rendered_from else ArtifactKind.KUBERNETES
    containers = tuple(_containers(obj, pod_spec))
    pod_labels_node = template_metadata.get("labels") if isinstance(template_metadata, YamlMap) else None
    replicas = None
    spec = obj.body.get("spec")
    if isinstance(spec, YamlMap) and "replicas" in spec:
        replicas = Located(spec["replicas"], key_location(obj.path, spec, "replicas"))
    return Workload(
        kind=obj.kind or "",
        name=obj.name or "",
        artifact=artifact,
        path=obj.path,
        location=obj.location,
        subject=obj.subject,
        containers=containers,
        namespace=obj.namespace,
        labels=obj.labels,
        labels_anchor=_labels_anchor(obj.path, metadata, obj.location),
        pod_labels=None if obj.kind == "Pod" else _located_strings(obj.path, pod_labels_node),
        pod_labels_anchor=(
            None
            if obj.kind == "Pod"
            else _labels_anchor(obj.path, template_metadata, node_location(obj.path, template))
        ),
        replicas=replicas,
        raw=obj.body,
    )


def _labels_anchor(path: str, metadata: Any, fallback: Location) -> Location:
    if isinstance(metadata, YamlMap):
        return (
            key_location(path, metadata, "labels") if "labels" in metadata else node_location(path, metadata)
        )
    return fallback


def _containers(obj: K8sObject, pod_spec: YamlMap) -> Iterator[Container]:
    pod_context = pod_spec.get("securityContext")
    pod_context = pod_context if isinstance(pod_context, YamlMap) else None
    for list_key, role in CONTAINER_LISTS:
        items = pod_spec.get(list_key)
        if not isinstance(items, YamlList):
            continue
        for index, item in enumerate(items):
            if not isinstance(item, YamlMap):
                continue
            actual_role = "sidecar" if role == "init" and item.get("restartPolicy") == "Always" else role
            yield _container(obj.path, item, value_location(obj.path, items, index), actual_role, pod_context)


def _container(
    path: str, item: YamlMap, location: Location, role: str, pod_context: YamlMap | None
) -> Container:
    name = str(item.get("name") or "")
    image_value = item.get("image")
    image = None
    if isinstance(image_value, str) and image_value:
        image = parse_image_reference(image_value, value_location(path, item, "image"))
    return Container(
        name=name,
        role=role,
        location=location,
        image=image,
        security=resolve_security(path, item, location, pod_context),
        resources=_resources(path, item, location),
        probes=tuple(_probes(path, item)),
        env=tuple(_env(path, item.get("env"))),
        env_from_secrets=tuple(_env_from_secrets(path, item.get("envFrom"))),
        command=_words(path, item.get("command")),
        args=_words(path, item.get("args")),
        raw=item,
    )


def _setting(path: str, mapping: YamlMap | None, key: str, origin: str) -> Setting[Any] | None:
    if mapping is None or key not in mapping:
        return None
    return Setting(mapping[key], key_location(path, mapping, key), origin)


def resolve_security(
    path: str, container: YamlMap, container_location: Location, pod_context: YamlMap | None
) -> SecurityContext:
    """Effective settings: the container's securityContext wins over the pod's for shared fields."""
    own = container.get("securityContext")
    own = own if isinstance(own, YamlMap) else None

    def effective(key: str) -> Setting[Any] | None:
        return _setting(path, own, key, "container") or _setting(path, pod_context, key, "pod")

    capabilities = own.get("capabilities") if own else None
    capabilities = capabilities if isinstance(capabilities, YamlMap) else None

    def capability_list(key: str) -> Setting[tuple[str, ...]] | None:
        if capabilities is None or key not in capabilities:
            return None
        values = capabilities[key]
        names = tuple(str(v) for v in values) if isinstance(values, list) else ()
        return Setting(names, key_location(path, capabilities, key), "container")

    def seccomp() -> Setting[str] | None:
        for mapping, origin in ((own, "container"), (pod_context, "pod")):
            profile = mapping.get("seccompProfile") if mapping else None
            if isinstance(profile, YamlMap):
                return Setting(
                    str(profile.get("type") or ""), key_location(path, mapping, "seccompProfile"), origin
                )
        return None

    anchor = key_location(path, container, "securityContext") if own is not None else container_location
    supplemental = _setting(path, pod_context, "supplementalGroups", "pod")
    return SecurityContext(
        anchor=anchor,
        declared=own is not None or pod_context is not None,
        run_as_non_root=effective("runAsNonRoot"),
        run_as_user=effective("runAsUser"),
        run_as_group=effective("runAsGroup"),
        privileged=_setting(path, own, "privileged", "container"),
        allow_privilege_escalation=_setting(path, own, "allowPrivilegeEscalation", "container"),
        read_only_root_filesystem=_setting(path, own, "readOnlyRootFilesystem", "container"),
        capabilities_add=capability_list("add"),
        capabilities_drop=capability_list("drop"),
        seccomp_profile=seccomp(),
        fs_group=_setting(path, pod_context, "fsGroup", "pod"),
        supplemental_groups=(
            Setting(tuple(supplemental.value), supplemental.location, "pod")
            if supplemental is not None and isinstance(supplemental.value, list)
            else None
        ),
    )


def _resources(path: str, container: YamlMap, container_location: Location) -> Resources:
    node = container.get("resources")
    if not isinstance(node, YamlMap):
        anchor = (
            key_location(path, container, "resources") if "resources" in container else container_location
        )
        return Resources(anchor=anchor)

    def quantities(key: str) -> dict[str, Located[str]]:
        table = node.get(key)
        if not isinstance(table, YamlMap):
            return {}
        return {
            str(name): Located(str(value), value_location(path, table, name))
            for name, value in table.items()
            if value is not None and value != ""
        }

    return Resources(
        anchor=key_location(path, container, "resources"),
        requests=quantities("requests"),
        limits=quantities("limits"),
    )


def _probes(path: str, container: YamlMap) -> Iterator[Probe]:
    for key, kind in PROBE_KEYS:
        probe = container.get(key)
        if not isinstance(probe, YamlMap):
            continue
        exec_block = probe.get("exec")
        command = exec_block.get("command") if isinstance(exec_block, YamlMap) else None

        def number(field: str) -> float | None:
            value = probe.get(field)  # noqa: B023 - called within this iteration
            return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

        yield Probe(
            kind=kind,
            location=key_location(path, container, key),
            command=tuple(str(word) for word in command) if isinstance(command, list) else (),
            initial_delay_seconds=number("initialDelaySeconds"),
            period_seconds=number("periodSeconds"),
            timeout_seconds=number("timeoutSeconds"),
        )


def _env(path: str, items: Any) -> Iterator[EnvVar]:
    if not isinstance(items, YamlList):
        return
    for index, item in enumerate(items):
        if not isinstance(item, YamlMap) or "name" not in item:
            continue
        location = value_location(path, items, index)
        name = str(item["name"])
        value_from = item.get("valueFrom")
        if isinstance(value_from, YamlMap):
            secret_ref = value_from.get("secretKeyRef")
            if isinstance(secret_ref, YamlMap):
                yield EnvVar(
                    name,
                    location,
                    source="secret",
                    secret_name=str(secret_ref.get("name") or ""),
                    secret_key=str(secret_ref.get("key") or ""),
                )
                continue
            source = next(
                (
                    label
                    for key, label in (
                        ("configMapKeyRef", "configmap"),
                        ("fieldRef", "field"),
                        ("resourceFieldRef", "resource"),
                    )
                    if key in value_from
                ),
                "unknown",
            )
            yield EnvVar(name, location, source=source)
            continue
        value = item.get("value")
        yield EnvVar(
            name,
            key_location(path, item, "value") if "value" in item else location,
            value=None if value is None else str(value),
            source="literal",
        )


def _env_from_secrets(path: str, items: Any) -> Iterator[Located[str]]:
    if not isinstance(items, YamlList):
        return
    for index, item in enumerate(items):
        if isinstance(item, YamlMap) and isinstance(item.get("secretRef"), YamlMap):
            yield Located(str(item["secretRef"].get("name") or ""), value_location(path, items, index))


def _words(path: str, items: Any) -> tuple[Located[str], ...]:
    if not isinstance(items, YamlList):
        return ()
    return tuple(
        Located("" if word is None else str(word), value_location(path, items, index))
        for index, word in enumerate(items)
    )
