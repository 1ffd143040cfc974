"""Kubernetes manifests: multi-document YAML (and JSON) into K8sObject and Workload model objects.

Every document is one object; `List` kinds are expanded into their items; empty documents are skipped.
Unknown kinds and custom resources are kept as generic objects, so rules about labels or kinds still see them.
Workloads get their containers with effective security settings resolved (container over pod) here, once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from medlint.model import (
    Container,
    ContainerRole,
    EnvSource,
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
from medlint.model.kubernetes import ContainerPort, PodSpec, VolumeMount
from medlint.model.tree import ABSENT, Node
from medlint.source import (
    Location,
    SourceError,
    YamlDocument,
    YamlList,
    YamlMap,
    key_location,
    load_yaml_documents,
    node_location,
)

CONTAINER_LISTS = (
    ("initContainers", ContainerRole.INIT),
    ("containers", ContainerRole.CONTAINER),
    ("ephemeralContainers", ContainerRole.EPHEMERAL),
)
PROBE_KEYS = (("livenessProbe", "liveness"), ("readinessProbe", "readiness"), ("startupProbe", "startup"))


def parse_manifest(path: str, text: str, rendered_from: str | None = None) -> list[K8sObject]:
    """All objects of a manifest file. Raises SourceError for syntax errors and non-mapping documents."""
    return objects_from_documents(path, load_manifest_documents(path, text), rendered_from)


def load_manifest_documents(path: str, text: str) -> list[YamlDocument]:
    """The documents of a manifest file, read as kubectl reads them: text that starts with `{` is JSON (one
    object or a stream of objects), anything else YAML, multi-document and flow style included.

    Text starting with `{` or `[` that is not valid JSON is read as flow-style YAML (`{apiVersion: v1, ...}`),
    unless it is meant as JSON (a `.json` file, or its first key in double quotes): then the JSON error is
    the one to report.
    """
    start = text.lstrip(" \t\r\n")
    if start.startswith(("{", "[")):
        from medlint.json_source import load_json_documents

        try:
            return load_json_documents(text)
        except SourceError:
            if path.lower().endswith(".json") or _JSON_START.match(start):
                raise
    return load_yaml_documents(text)


def objects_from_documents(
    path: str, documents: list[YamlDocument], rendered_from: str | None = None
) -> list[K8sObject]:
    """The objects of a manifest's documents; `List` kinds are expanded into their items."""
    objects: list[K8sObject] = []
    for document in documents:
        body = document.value
        if body is None:
            continue
        if isinstance(body, YamlList) and any(is_manifest_body(item) for item in body):
            raise SourceError(
                f"document {document.index + 1} is a list of objects; kubectl reads one object per YAML document "
                "or JSON value: write them one after another (separated by `---` in YAML), or wrap them in a "
                "List (`kind: List` with the objects under `items`)",
                document.line,
                document.column,
            )
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


def is_manifest_body(value: Any) -> bool:
    """A mapping with both `apiVersion` and `kind`: what kubectl needs to know what an object is."""
    return isinstance(value, YamlMap) and "apiVersion" in value and "kind" in value


def is_manifest(documents: list[YamlDocument]) -> bool:
    """Whether parsed documents are a Kubernetes manifest: some document is an object with `apiVersion` and
    `kind` (a `List` is one), or a list of such objects (which parse_manifest reports)."""
    for document in documents:
        body = document.value
        if is_manifest_body(body) or (isinstance(body, YamlList) and any(is_manifest_body(i) for i in body)):
            return True
    return False


_JSON_START = re.compile(r"[\[{][\s\[{]*\"")
_MANIFEST_KEY = re.compile(r"""(?:^|[{,\s])["']?(apiVersion|kind)["']?[ \t]*:""", re.MULTILINE)


def looks_like_manifest(text: str) -> bool:
    """Text sniff for a file that cannot be parsed: does it write both `apiVersion` and `kind` keys (block,
    flow or JSON style)? A broken file that does is reported as a broken manifest (MD001)."""
    return {match.group(1) for match in _MANIFEST_KEY.finditer(text)} >= {"apiVersion", "kind"}


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
        document=Node.root(body, path),
        labels=_located_strings(path, metadata.get("labels")) if metadata else {},
        annotations=_located_strings(path, metadata.get("annotations")) if metadata else {},
        rendered_from=rendered_from,
        values_set=values_set,
    )


# --------------------------------------------------------------------------------------------------
# Workloads


def workload_from_object(obj: K8sObject) -> Workload | None:
    """The Workload view of a workload object; None for other kinds or when the pod spec is missing."""
    if obj.api_version is None:
        return None
    pod = PodSpec.of(obj.document, obj.kind or "")
    if pod is None:
        return None  # MD002 reports the missing template
    metadata = obj.document.get("metadata")
    template_metadata = pod.template.get("metadata")
    spec = obj.document.get("spec")
    replicas = None
    if spec.is_map and "replicas" in spec:
        replicas = Located(spec.get("replicas").plain(), spec.key_location_of("replicas"))
    return Workload(
        kind=obj.kind or "",
        name=obj.name or "",
        artifact=obj.artifact,
        path=obj.path,
        location=obj.location,
        subject=obj.subject,
        containers=tuple(_containers(pod)),
        namespace=obj.namespace,
        namespace_source=obj.namespace_source,
        labels=obj.labels,
        labels_anchor=_labels_anchor(metadata, obj.location),
        pod_labels=None if obj.kind == "Pod" else _located_strings_of(template_metadata.get("labels")),
        pod_labels_anchor=(
            None if obj.kind == "Pod" else _labels_anchor(template_metadata, pod.template.start)
        ),
        replicas=replicas,
        definition=obj.document,
        pod=pod,
    )


def _located_strings_of(mapping: Node) -> dict[str, Located[str]]:
    return {
        str(key): Located("" if value.plain() is None else str(value.plain()), value.key_location)
        for key, value in mapping.items()
    }


def _labels_anchor(metadata: Node, fallback: Location) -> Location:
    if metadata.is_map:
        return metadata.key_location_of("labels") if "labels" in metadata else metadata.start
    return fallback


def _containers(pod: PodSpec) -> Iterator[Container]:
    pod_context = pod.node.get("securityContext")
    for list_key, role in CONTAINER_LISTS:
        items = pod.node.get(list_key)
        if not items.is_list:
            continue
        for item in items.elements():
            if not item.is_map:
                continue
            actual_role = (
                ContainerRole.SIDECAR
                if role is ContainerRole.INIT and item.get("restartPolicy").scalar == "Always"
                else role
            )
            yield _container(item, actual_role, pod_context)


def _container(item: Node, role: ContainerRole, pod_context: Node) -> Container:
    name = str(item.get("name").plain() or "")
    image_value = item.get("image").scalar
    image = None
    if isinstance(image_value, str) and image_value:
        image = parse_image_reference(image_value, item.location_of("image"))
    location = item.location
    return Container(
        name=name,
        role=role,
        location=location,
        image=image,
        security=resolve_security(item, location, pod_context),
        resources=_resources(item, location),
        probes=tuple(_probes(item)),
        env=tuple(_env(item.get("env"))),
        env_from_secrets=tuple(_env_from_secrets(item.get("envFrom"))),
        command=_words(item.get("command")),
        args=_words(item.get("args")),
        definition=item,
        ports=tuple(
            ContainerPort(port.get("containerPort"), port.get("hostPort"), port)
            for port in item.get("ports").elements()
            if port.is_map
        ),
        volume_mounts=tuple(
            VolumeMount(str(mount.get("name").scalar), str(mount.get("mountPath").scalar), mount.location)
            for mount in item.get("volumeMounts").elements()
            if mount.is_map and mount.get("mountPath") and mount.get("name")
        ),
    )


def _setting(mapping: Node, key: str, origin: str) -> Setting[Any] | None:
    if not mapping.is_map or key not in mapping:
        return None
    entry = mapping.get(key)
    return Setting(entry.plain(), entry.key_location, origin)


def resolve_security(container: Node, container_location: Location, pod_context: Node) -> SecurityContext:
    """Effective settings: the container's securityContext wins over the pod's for shared fields."""
    own = container.get("securityContext")
    own = own if own.is_map else ABSENT
    pod_context = pod_context if pod_context.is_map else ABSENT

    def effective(key: str) -> Setting[Any] | None:
        return _setting(own, key, "container") or _setting(pod_context, key, "pod")

    capabilities = own.get("capabilities")

    def capability_list(key: str) -> Setting[tuple[str, ...]] | None:
        if not capabilities.is_map or key not in capabilities:
            return None
        values = capabilities.get(key)
        names = tuple(str(v.plain()) for v in values.elements()) if values.is_list else ()
        return Setting(names, values.key_location, "container")

    def seccomp() -> Setting[str] | None:
        for mapping, origin in ((own, "container"), (pod_context, "pod")):
            profile = mapping.get("seccompProfile")
            if profile.is_map:
                return Setting(str(profile.get("type").plain() or ""), profile.key_location, origin)
        return None

    anchor = container.key_location_of("securityContext") if own.present else container_location
    supplemental = _setting(pod_context, "supplementalGroups", "pod")
    return SecurityContext(
        anchor=anchor,
        declared=own.present or pod_context.present,
        run_as_non_root=effective("runAsNonRoot"),
        run_as_user=effective("runAsUser"),
        run_as_group=effective("runAsGroup"),
        privileged=_setting(own, "privileged", "container"),
        allow_privilege_escalation=_setting(own, "allowPrivilegeEscalation", "container"),
        read_only_root_filesystem=_setting(own, "readOnlyRootFilesystem", "container"),
        capabilities_add=capability_list("add"),
        capabilities_drop=capability_list("drop"),
        seccomp_profile=seccomp(),
        fs_group=_setting(pod_context, "fsGroup", "pod"),
        supplemental_groups=(
            Setting(tuple(supplemental.value), supplemental.location, "pod")
            if supplemental is not None and isinstance(supplemental.value, list)
            else None
        ),
    )


def _resources(container: Node, container_location: Location) -> Resources:
    node = container.get("resources")
    if not node.is_map:
        anchor = container.key_location_of("resources") if "resources" in container else container_location
        return Resources(anchor=anchor)

    def quantities(key: str) -> dict[str, Located[str]]:
        return {
            str(name): Located(str(value.plain()), value.location)
            for name, value in node.get(key).items()
            if value.plain() is not None and value.plain() != ""
        }

    return Resources(
        anchor=container.key_location_of("resources"),
        requests=quantities("requests"),
        limits=quantities("limits"),
    )


def _probes(container: Node) -> Iterator[Probe]:
    for key, kind in PROBE_KEYS:
        probe = container.get(key)
        if not probe.is_map:
            continue
        command = probe.at("exec", "command")

        def number(field: str) -> float | None:
            value = probe.get(field).integer  # noqa: B023 - called within this iteration
            scalar = probe.get(field).scalar  # noqa: B023
            if value is not None:
                return float(value)
            return float(scalar) if isinstance(scalar, float) else None

        yield Probe(
            kind=kind,
            location=probe.key_location,
            command=tuple(str(word.plain()) for word in command.elements()) if command.is_list else (),
            initial_delay_seconds=number("initialDelaySeconds"),
            period_seconds=number("periodSeconds"),
            timeout_seconds=number("timeoutSeconds"),
        )


def _env(items: Node) -> Iterator[EnvVar]:
    for item in items.elements():
        if not item.is_map or "name" not in item:
            continue
        location = item.location
        name = str(item.get("name").plain())
        value_from = item.get("valueFrom")
        if value_from.is_map:
            secret_ref = value_from.get("secretKeyRef")
            if secret_ref.is_map:
                yield EnvVar(
                    name,
                    location,
                    source=EnvSource.SECRET,
                    secret_name=str(secret_ref.get("name").plain() or ""),
                    secret_key=str(secret_ref.get("key").plain() or ""),
                )
                continue
            source = next(
                (
                    label
                    for key, label in (
                        ("configMapKeyRef", EnvSource.CONFIGMAP),
                        ("fieldRef", EnvSource.FIELD),
                        ("resourceFieldRef", EnvSource.RESOURCE),
                    )
                    if key in value_from
                ),
                EnvSource.UNKNOWN,
            )
            yield EnvVar(name, location, source=source)
            continue
        value = item.get("value")
        yield EnvVar(
            name,
            value.key_location if value.present else location,
            value=None if value.plain() is None else str(value.plain()),
            source=EnvSource.LITERAL,
        )


def _env_from_secrets(items: Node) -> Iterator[Located[str]]:
    for item in items.elements():
        if item.get("secretRef").is_map:
            yield Located(str(item.at("secretRef", "name").plain() or ""), item.location)


def _words(items: Node) -> tuple[Located[str], ...]:
    return tuple(
        Located("" if word.plain() is None else str(word.plain()), word.location) for word in items.elements()
    )
