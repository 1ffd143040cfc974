"""MD307 secret-reference-resolves: every Secret a pod reads must come from somewhere the system controls.

A pod that names a Secret nobody provisions fails to start (or starts without its credentials, when the
reference is optional), and the usual repair is a Secret made by hand, outside change control. So every
`secretKeyRef`, `envFrom.secretRef`, `secret` volume, projected secret and `imagePullSecrets` entry of a
workload must resolve, in its namespace, to a Secret of the system, to the Secret an operator makes from one
of its objects (ExternalSecret, SealedSecret and the others in `SECRET_GENERATORS`), or to a name the
configuration declares as provisioned outside the scanned artifacts (`external_secrets`). ConfigMap
references and PersistentVolumeClaim claims that resolve to nothing are the rule's W variant.

Names are looked up in one table per kind, built once; a manifest without a namespace can be applied to
any, so it matches every namespace (a missing namespace never produces a finding on its own).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from medlint.findings import RelatedLocation, Violation
from medlint.model import ArtifactKind, K8sObject, Location, Node, Project, Workload

#: ConfigMaps Kubernetes itself puts in every namespace.
BUILT_IN_CONFIG_MAPS = ("kube-root-ca.crt",)


def _text(node: Node) -> str:
    value = node.scalar
    return "" if value is None else str(value).strip()


def _secret_generators(obj: K8sObject) -> Iterator[str]:
    """The Secrets an operator makes from an object (the catalog's ExternalSecret and SealedSecret, and the
    other common ones), by name."""
    spec = obj.spec
    own = obj.name or ""
    group = obj.api_group
    if obj.kind == "ExternalSecret":
        yield _text(spec.at("target", "name")) or own
    elif obj.kind == "SealedSecret":
        yield _text(spec.at("template", "metadata", "name")) or own
    elif obj.kind == "ClusterExternalSecret":
        yield (
            _text(spec.at("externalSecretSpec", "target", "name"))
            or _text(spec.get("externalSecretName"))
            or own
        )
    elif obj.kind == "Certificate" and group.startswith("cert-manager.io"):
        yield _text(spec.get("secretName"))
    elif obj.kind in ("VaultStaticSecret", "VaultDynamicSecret", "VaultPKISecret") and group.startswith(
        "secrets.hashicorp.com"
    ):
        yield _text(spec.at("destination", "name"))
    elif obj.kind == "SecretProviderClass":
        for item in spec.get("secretObjects").elements():
            yield _text(item.get("secretName"))
    elif obj.kind == "OnePasswordItem":
        yield own
    elif obj.kind == "Kustomization":
        for item in obj.document.get("secretGenerator").elements():
            yield _text(item.get("name"))


def _config_map_generators(obj: K8sObject) -> Iterator[str]:
    if obj.kind == "Kustomization":
        for item in obj.document.get("configMapGenerator").elements():
            yield _text(item.get("name"))


#: Kinds that make a Secret in every namespace they select rather than their own.
_CLUSTER_WIDE = ("ClusterExternalSecret",)


@dataclass
class _Names:
    """Names provided, by name: the namespaces they are provided in (None: any namespace), with a place."""

    found: dict[str, list[tuple[str | None, K8sObject]]] = field(default_factory=dict)

    def add(self, name: str, namespace: str | None, obj: K8sObject) -> None:
        if name:
            self.found.setdefault(name, []).append((namespace, obj))

    def resolves(self, name: str, namespace: str | None) -> bool:
        return any(
            provided is None or namespace is None or provided == namespace
            for provided, _ in self.found.get(name, ())
        )

    def elsewhere(self, name: str) -> list[K8sObject]:
        return [obj for _, obj in self.found.get(name, ())]


def _namespace_of(obj: K8sObject) -> str | None:
    if obj.kind == "Kustomization":
        return _text(obj.document.get("namespace")) or None
    return obj.namespace


#: Options with which certificate jobs (kube-webhook-certgen and the like) name the Secret they create.
_SECRET_NAME_OPTIONS = ("--secret-name", "--secretName", "--secret")


def _job_secrets(obj: K8sObject, project: Project) -> Iterator[str]:
    """Secrets a Job or CronJob of the bundle creates when it runs, named by a `--secret-name` argument."""
    if obj.kind not in ("Job", "CronJob"):
        return
    for workload in project.index.workloads_by_name.get((obj.kind, obj.name or ""), ()):
        for container in workload.containers:
            words = [item.value for item in (*container.command, *container.args)]
            for index, word in enumerate(words):
                name, equals, value = word.partition("=")
                if name in _SECRET_NAME_OPTIONS:
                    if equals:
                        yield value
                    elif index + 1 < len(words):
                        yield words[index + 1]


def _list_items(obj: K8sObject) -> Iterator[tuple[str, str, str | None]]:
    """(kind, name, namespace) of the items of a `List` object (`kind: ConfigMapList`, `kind: List`)."""
    if not (obj.kind or "").endswith("List"):
        return
    for item in obj.document.get("items").elements():
        metadata = item.get("metadata")
        yield _text(item.get("kind")), _text(metadata.get("name")), _text(metadata.get("namespace")) or None


def _providers(project: Project) -> dict[str, _Names]:
    tables = {"Secret": _Names(), "ConfigMap": _Names(), "PersistentVolumeClaim": _Names()}
    for obj in project.k8s_objects:
        if obj.kind in tables:
            tables[obj.kind].add(obj.name or "", _namespace_of(obj), obj)
        for kind, name, namespace in _list_items(obj):
            if kind in tables:
                tables[kind].add(name, namespace or obj.namespace, obj)
        for name in _job_secrets(obj, project):
            tables["Secret"].add(name, obj.namespace, obj)
        namespace = None if obj.kind in _CLUSTER_WIDE else _namespace_of(obj)
        for name in _secret_generators(obj):
            tables["Secret"].add(name, namespace, obj)
        for name in _config_map_generators(obj):
            tables["ConfigMap"].add(name, namespace, obj)
    return tables


def _declared(patterns: Iterable[str], name: str, namespace: str | None) -> bool:
    """Configured external provisioning: `name`, a glob, or `namespace/name`."""
    for pattern in patterns:
        wanted_namespace, slash, wanted_name = pattern.partition("/")
        if not slash:
            wanted_namespace, wanted_name = "*", pattern
        if fnmatch.fnmatchcase(name, wanted_name) and (
            namespace is None or fnmatch.fnmatchcase(namespace, wanted_namespace)
        ):
            return True
    return False


@dataclass(frozen=True, slots=True)
class Reference:
    """One reference of a pod to a Secret, ConfigMap or claim."""

    kind: str  # "Secret", "ConfigMap", "PersistentVolumeClaim"
    name: str
    what: str  # for messages: 'imagePullSecrets entry', 'secretKeyRef of env DB_PASSWORD'
    location: Location
    container: str | None = None
    volume: str | None = None  # the pod volume that holds the reference


def _container_references(container_name: str, definition: Node) -> Iterator[Reference]:
    for item in definition.get("env").elements():
        value_from = item.get("valueFrom")
        env_name = _text(item.get("name"))
        for key, kind in (("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")):
            reference = value_from.get(key)
            if reference.is_map:
                name = reference.get("name")
                yield Reference(kind, _text(name), f"{key} of env {env_name}", name.location, container_name)
    for item in definition.get("envFrom").elements():
        for key, kind in (("secretRef", "Secret"), ("configMapRef", "ConfigMap")):
            reference = item.get(key)
            if reference.is_map:
                name = reference.get("name")
                yield Reference(kind, _text(name), f"envFrom {key}", name.location, container_name)


def _volume_references(pod: Node) -> Iterator[Reference]:
    for volume in pod.get("volumes").elements():
        volume_name = _text(volume.get("name"))
        secret = volume.get("secret")
        if secret.is_map:
            name = secret.get("secretName")
            yield Reference("Secret", _text(name), f'secret volume "{volume_name}"', name.location)
        config_map = volume.get("configMap")
        if config_map.is_map:
            name = config_map.get("name")
            yield Reference("ConfigMap", _text(name), f'configMap volume "{volume_name}"', name.location)
        claim = volume.get("persistentVolumeClaim")
        if claim.is_map:
            name = claim.get("claimName")
            yield Reference(
                "PersistentVolumeClaim",
                _text(name),
                f'persistentVolumeClaim volume "{volume_name}"',
                name.location,
                volume=volume_name,
            )
        for source in volume.at("projected", "sources").elements():
            for key, kind in (("secret", "Secret"), ("configMap", "ConfigMap")):
                reference = source.get(key)
                if reference.is_map:
                    name = reference.get("name")
                    yield Reference(
                        kind, _text(name), f'projected {key} of volume "{volume_name}"', name.location
                    )
    for item in pod.get("imagePullSecrets").elements():
        name = item.get("name") if item.is_map else item
        yield Reference("Secret", _text(name), "imagePullSecrets entry", name.location)


def pod_references(workload: Workload) -> Iterator[Reference]:
    """Every reference of a workload's pods to a Secret, ConfigMap or PersistentVolumeClaim. A StatefulSet
    volume named like one of its volumeClaimTemplates is replaced by the claim the controller makes."""
    if workload.pod is None:
        return
    for container in workload.containers:
        if container.definition.is_map:
            yield from _container_references(container.name, container.definition)
    templates = {
        _text(template.at("metadata", "name"))
        for template in workload.definition.at("spec", "volumeClaimTemplates").elements()
    }
    for reference in _volume_references(workload.pod.node):
        if reference.kind == "PersistentVolumeClaim" and reference.volume in templates:
            continue
        yield reference


def _unresolved(name: str) -> bool:
    """A name a template or variable still has to fill in: not judged."""
    return not name or "{{" in name or "$(" in name or "${" in name


_NOUN = {"Secret": "a Secret", "ConfigMap": "a ConfigMap", "PersistentVolumeClaim": "a PersistentVolumeClaim"}
_SOURCES = {
    "Secret": "no Secret, ExternalSecret, SealedSecret or other secret operator object",
    "ConfigMap": "no ConfigMap (or kustomize configMapGenerator)",
    "PersistentVolumeClaim": "no PersistentVolumeClaim",
}
_SETTING = {
    "Secret": "external_secrets",
    "ConfigMap": "external_config_maps",
    "PersistentVolumeClaim": "external_volume_claims",
}


def _unrendered_dependencies(project: Project) -> dict[str, set[str]]:
    """Per chart folder, the names (and aliases) of declared dependencies nothing was rendered from: a Secret
    such a dependency would make (`<release>-postgresql`) is unknown, not missing."""
    rendered = {obj.path for obj in project.k8s_objects if obj.rendered_from is not None}
    missing: dict[str, set[str]] = {}
    for chart in project.charts:
        prefix = "" if chart.directory in ("", ".") else chart.directory.rstrip("/") + "/"
        for dependency in chart.dependencies:
            name = dependency.alias or dependency.name
            if not any(path.startswith(f"{prefix}charts/{dependency.name}") for path in rendered):
                missing.setdefault(chart.directory, set()).add(name)
    return missing


def _from_missing_dependency(name: str, workload: Workload, missing: Mapping[str, set[str]]) -> bool:
    if not missing:
        return False
    segments = set(name.split("-"))
    for directory, dependencies in missing.items():
        prefix = "" if directory in ("", ".") else directory.rstrip("/") + "/"
        if workload.path.startswith(prefix) and any(
            dependency in segments or name.endswith("-" + dependency) for dependency in dependencies
        ):
            return True
    return False


def secret_references(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD307: references to Secrets (and, as a W variant, ConfigMaps and claims) that resolve to nothing."""
    workloads = project.index.kubernetes_workloads
    if not workloads:
        return
    providers = _providers(project)
    missing = _unrendered_dependencies(project)
    system = project.system
    external = {
        "Secret": system.external_secrets,
        "ConfigMap": system.external_config_maps,
        "PersistentVolumeClaim": system.external_volume_claims,
    }
    for account in project.index.objects("ServiceAccount"):
        # Pods of the account pull with these too: a missing one fails every pull that needs it.
        for item in account.document.get("imagePullSecrets").elements():
            name_node = item.get("name") if item.is_map else item
            name = _text(name_node)
            if _unresolved(name) or providers["Secret"].resolves(name, account.namespace):
                continue
            if _declared(external["Secret"], name, account.namespace):
                continue
            where = f"namespace {account.namespace}" if account.namespace else "any namespace"
            yield Violation(
                name_node.location,
                f'imagePullSecrets entry of {account.subject} names a Secret "{name}" that {_SOURCES["Secret"]} '
                f"of {system.label} provides in {where}; add it to the system, or declare its provisioning in "
                f"{_SETTING['Secret']}",
                f"{account.subject}/Secret:{name}",
                account.artifact,
            )
    for workload in workloads:
        namespace = workload.namespace
        for reference in pod_references(workload):
            name = reference.name
            if _unresolved(name):
                continue
            if reference.kind == "ConfigMap" and name in BUILT_IN_CONFIG_MAPS:
                continue
            if workload.artifact is ArtifactKind.HELM and _from_missing_dependency(name, workload, missing):
                continue
            if providers[reference.kind].resolves(name, namespace) or _declared(
                external[reference.kind], name, namespace
            ):
                continue
            where = f"namespace {namespace}" if namespace else "any namespace"
            holder = f'container "{reference.container}" of ' if reference.container else ""
            related = tuple(
                RelatedLocation(
                    obj.location, f"{obj.subject} has this name in namespace {obj.namespace_or_default}"
                )
                for obj in providers[reference.kind].elsewhere(name)[:3]
            )
            yield Violation(
                reference.location,
                f'{reference.what} of {holder}{workload.subject} names {_NOUN[reference.kind]} "{name}" that '
                f"{_SOURCES[reference.kind]} of {system.label} provides in {where}; add it to the system, or "
                f"declare its provisioning in {_SETTING[reference.kind]}",
                f"{workload.subject}/{reference.kind}:{name}",
                workload.artifact,
                variant=None if reference.kind == "Secret" else "config-reference",
                related=related,
            )
