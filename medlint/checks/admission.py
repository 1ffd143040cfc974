"""Cluster-side controls: MD211 service-account-token, MD212 namespace-isolation, MD214 pod-security-admission,
MD215 image-signature-enforcement.

These rules look across objects of the bundle (a workload and its ServiceAccount, Namespace labels, Kyverno and
Sigstore policies), so they work on `project.k8s_objects` as well as the workloads.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from medlint.checks.describe import container_subject, describe_container
from medlint.findings import RelatedLocation, Violation
from medlint.model import ArtifactKind, K8sObject, Location, NamespaceSource, Node, Project, Workload
from medlint.model.tree import yaml_text

PSA_PREFIX = "pod-security.kubernetes.io/"
PSA_LEVELS = ("privileged", "baseline", "restricted")
SIGSTORE_INCLUDE_LABEL = "policy.sigstore.dev/include"


def _annotation_value(workload: Workload, key: str) -> str | None:
    """An annotation of the workload object or of its pod template."""
    pod_metadata = workload.pod.metadata if workload.pod is not None else Node.root(None, workload.path)
    for metadata in (workload.definition.get("metadata"), pod_metadata):
        annotations = metadata.as_map().get("annotations").as_map()
        if key in annotations:
            return annotations.get(key).yaml_text
    return None


# --------------------------------------------------------------------------------------------------
# MD211 service-account-token


def _account_note(account: K8sObject | None, name: str) -> tuple[RelatedLocation, ...]:
    """Point at the ServiceAccount's setting (or the ServiceAccount) when it is in the bundle."""
    if account is None:
        return ()
    key = "automountServiceAccountToken"
    where = account.document.key_location_of(key) if key in account.document else account.location
    return (
        RelatedLocation(where, f'ServiceAccount "{name}" ({key}: {account.document.get(key).yaml_text})'),
    )


def _token_violation(workload: Workload, account: K8sObject | None, name: str) -> Violation | None:
    assert workload.pod is not None
    spec = workload.pod.node
    pod_value = spec.get("automountServiceAccountToken").plain()
    account_value = (
        account.document.get("automountServiceAccountToken").plain() if account is not None else None
    )
    if pod_value is False or (pod_value is None and account_value is False):
        return None
    related = _account_note(account, name)
    if pod_value is not None:
        reason = f"sets automountServiceAccountToken: {yaml_text(pod_value)}"
        if account_value is False:
            reason += f', which overrides automountServiceAccountToken: false on ServiceAccount "{name}"'
        return Violation(
            spec.key_location_of("automountServiceAccountToken"),
            f"{workload.subject} {reason}",
            workload.subject,
            workload.artifact,
            related=related,
        )
    if account is None:
        reason = f'ServiceAccount "{name}" is not in the scanned files, so only automountServiceAccountToken: false on the pod counts'
    else:
        reason = f'neither the pod nor ServiceAccount "{name}" sets automountServiceAccountToken: false'
    return Violation(
        workload.pod.location,
        f"{workload.subject} mounts a service-account token: {reason}",
        workload.subject,
        workload.artifact,
        related=related,
    )


def service_account_token(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD211: no API token in pods that do not need one (pod value overrides the ServiceAccount's)."""
    annotation = str(params.get("api_access_annotation", ""))
    for workload in project.index.kubernetes_workloads:
        if workload.pod is None or (annotation and _annotation_value(workload, annotation) == "true"):
            continue
        name = workload.pod.service_account
        account = project.index.named("ServiceAccount", workload.namespace_or_default, name)
        violation = _token_violation(workload, account, name)
        if violation is not None:
            yield violation


# --------------------------------------------------------------------------------------------------
# MD212 namespace-isolation


def _cluster_scoped_from_crds(project: Project) -> set[str]:
    """Kinds that a CustomResourceDefinition in the bundle declares with `scope: Cluster`."""
    kinds = set()
    for obj in project.index.objects("CustomResourceDefinition"):
        spec = obj.spec
        if spec.is_map and str(spec.get("scope").plain()) == "Cluster":
            kinds.add(str(spec.get("names").as_map().get("kind").plain()))
    return kinds


def _is_namespaced(obj: K8sObject, cluster_kinds: set[str], tool_groups: set[str]) -> bool:
    """Namespaced API objects only: no cluster-scoped kinds, no tool configuration files that borrow kind/apiVersion."""
    if not obj.kind or not obj.api_version or not obj.name:
        return False  # MD002 reports the fragment; a config file without metadata is no API object
    group = obj.api_group
    if group in tool_groups or any(group.endswith("." + tool) for tool in tool_groups):
        return False
    if obj.kind == "Config" and obj.api_version == "v1":
        return False  # a kubeconfig
    return obj.kind not in cluster_kinds and not obj.kind.startswith("Cluster")


def _namespace_violation(obj: K8sObject) -> Violation | None:
    """`default` written as the namespace (in a manifest, or literally in a chart template), or a manifest
    without namespace. A chart's object in the release namespace is placed wherever the chart is installed:
    only when the run was told it is installed into `default` (`--namespace default`) is that reported. A
    namespace a template computes from values is the installer's choice, not the chart's."""
    metadata = obj.metadata
    artifact = obj.artifact
    source = obj.namespace_source
    if obj.namespace == "default" and source is NamespaceSource.WRITTEN:
        return Violation(
            metadata.location_of("namespace"),
            f"{obj.subject} is placed in the default namespace",
            obj.subject,
            artifact,
        )
    if obj.namespace == "default" and source is NamespaceSource.RELEASE:
        where = (
            metadata.location_of("namespace")
            if "namespace" in metadata
            else obj.document.key_or("metadata", obj.location)
        )
        return Violation(
            where,
            f"{obj.subject} is placed in the default namespace, the release namespace this run was given",
            obj.subject,
            artifact,
        )
    if source is NamespaceSource.UNSET and artifact is ArtifactKind.KUBERNETES:
        where = obj.document.key_location_of("metadata") if metadata.is_map else obj.location
        return Violation(
            where,
            f"{obj.subject} sets no metadata.namespace, so it lands in whatever namespace the "
            "deploying context uses (usually default)",
            obj.subject,
            artifact,
        )
    return None


def _service_account_violation(workload: Workload) -> Violation | None:
    pod = workload.pod
    if pod is None or pod.service_account != "default":
        return None
    spec = pod.node
    key = "serviceAccountName" if "serviceAccountName" in spec else "serviceAccount"
    location = spec.key_location_of(key) if key in spec else pod.location
    reason = f"{key}: default" if key in spec else "no serviceAccountName"
    return Violation(
        location,
        f"{workload.subject} runs as the namespace's default ServiceAccount ({reason}); give it a dedicated one",
        workload.subject,
        workload.artifact,
        variant="service-account",
    )


def namespace_isolation(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD212: every namespaced object in a dedicated namespace; every workload with its own ServiceAccount."""
    cluster_kinds = set(params.get("cluster_scoped_kinds", [])) | _cluster_scoped_from_crds(project)
    tool_groups = set(params.get("tool_config_api_groups", []))
    for obj in project.k8s_objects:
        if _is_namespaced(obj, cluster_kinds, tool_groups):
            violation = _namespace_violation(obj)
            if violation is not None:
                yield violation
    for workload in project.index.kubernetes_workloads:
        violation = _service_account_violation(workload)
        if violation is not None:
            yield violation


# --------------------------------------------------------------------------------------------------
# MD214 pod-security-admission


def _namespaces_with_workloads(project: Project) -> dict[str, Workload]:
    """Each explicitly named namespace that workloads use, with the first workload (by position) using it."""
    used: dict[str, Workload] = {}
    for workload in sorted(
        project.index.kubernetes_workloads, key=lambda item: (item.path, item.location.line)
    ):
        if workload.namespace:
            used.setdefault(workload.namespace, workload)
    return used


def _labels_anchor(obj: K8sObject) -> Location:
    metadata = obj.metadata
    if metadata.is_map and "labels" in metadata:
        return metadata.key_location_of("labels")
    return obj.document.key_location_of("metadata") if metadata.is_map else obj.location


def _level_violations(
    level: str, where: Location, who: str, subject: str, artifact: ArtifactKind
) -> Iterator[Violation]:
    if level not in PSA_LEVELS:
        yield Violation(
            where,
            f'{who} sets pod-security.kubernetes.io/enforce: "{level}", which is no Pod Security level',
            subject,
            artifact,
        )
    elif level == "privileged":
        yield Violation(
            where, f"{who} enforces the privileged level, which admits any pod", subject, artifact
        )
    elif level == "baseline":
        yield Violation(
            where,
            f"{who} enforces only the baseline level; class C needs restricted",
            subject,
            artifact,
            variant="below-restricted",
        )


def _namespace_labels(obj: K8sObject) -> Iterator[Violation]:
    who, artifact = f"Namespace {obj.name}", obj.artifact
    enforce = obj.labels.get(PSA_PREFIX + "enforce")
    if enforce is None:
        others = sorted(key for key in obj.labels if key.startswith(PSA_PREFIX))
        extra = f" ({', '.join(others)} do not enforce)" if others else ""
        yield Violation(
            _labels_anchor(obj),
            f"{who} holds workloads but has no pod-security.kubernetes.io/enforce label{extra}",
            obj.subject,
            artifact,
        )
        return
    yield from _level_violations(enforce.value.strip(), enforce.location, who, obj.subject, artifact)
    version = obj.labels.get(PSA_PREFIX + "enforce-version")
    if version is None or version.value.strip() == "latest":
        where = version.location if version is not None else enforce.location
        state = (
            "enforce-version: latest" if version is not None else "no enforce-version (defaults to latest)"
        )
        yield Violation(
            where,
            f"{who} has {state}; pin the policy version for reproducible admission",
            obj.subject,
            artifact,
            variant="version-pin",
        )


def pod_security_admission(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD214: every namespace that holds workloads enforces a Pod Security level (baseline, restricted for C)."""
    external = {str(name): str(level) for name, level in (params.get("external_namespaces") or {}).items()}
    namespaces = {obj.name: obj for obj in project.index.objects("Namespace") if obj.name}
    for name, workload in sorted(_namespaces_with_workloads(project).items()):
        obj = namespaces.get(name)
        if obj is not None:
            yield from _namespace_labels(obj)
            continue
        where = workload.definition.get("metadata").as_map().location_of("namespace")
        if name in external:
            yield from _level_violations(
                external[name],
                where,
                f"externally managed namespace {name}",
                f"Namespace/{name}",
                workload.artifact,
            )
        else:
            yield Violation(
                where,
                f"namespace {name} used by {workload.subject} is not in the scanned files, so its "
                "pod-security.kubernetes.io/enforce label cannot be verified; list it with its level under rules.params.MD214.external_namespaces in the configuration",
                f"Namespace/{name}",
                workload.artifact,
            )


# --------------------------------------------------------------------------------------------------
# MD215 image-signature-enforcement


@dataclass(frozen=True, slots=True)
class SignaturePolicy:
    """One signature-verifying policy: which images it covers and whether it blocks or only reports."""

    obj: K8sObject
    patterns: tuple[str, ...]
    enforcing: bool
    mode_location: Location
    mode_text: str
    needs_namespace_label: bool  # Sigstore: enforced only in namespaces labelled policy.sigstore.dev/include


def _kyverno_mode(spec: Node, rule: Node, check: Node) -> tuple[bool, Location, str]:
    """Kyverno's failure action: verifyImages[].failureAction, rule validate.failureAction, else
    spec.validationFailureAction, which defaults to Audit."""
    validate = rule.get("validate").as_map()
    for node, key in (
        (check, "failureAction"),
        (validate, "failureAction"),
        (spec, "validationFailureAction"),
    ):
        if node.get(key).plain() is not None:
            text = str(node.get(key).plain())
            return text.lower() == "enforce", node.location_of(key), f"{key}: {text}"
    return False, spec.key_location_of("rules"), "no validationFailureAction (Kyverno defaults to Audit)"


def _globs(items: Node) -> tuple[str, ...]:
    """The `glob` of each entry of a list of `{glob: ...}` mappings."""
    return tuple(
        str(item.get("glob").plain()) for item in items.elements() if item.is_map and item.get("glob")
    )


def _kyverno_policies(obj: K8sObject) -> Iterator[SignaturePolicy]:
    spec = obj.spec.as_map()
    for rule in spec.get("rules").elements():
        for check in rule.get("verifyImages").elements():
            if not check.is_map:
                continue
            references = check.get("imageReferences") if check.get("imageReferences") else check.get("image")
            written = (references.elements() if references.is_list else [references]) if references else []
            patterns = tuple(str(item.plain()) for item in written)
            enforcing, where, text = _kyverno_mode(spec, rule, check)
            yield SignaturePolicy(obj, patterns, enforcing, where, text, False)


def _image_validating_policy(obj: K8sObject) -> Iterator[SignaturePolicy]:
    """Kyverno's newer ImageValidatingPolicy: matchImageReferences globs and validationActions."""
    spec = obj.spec.as_map()
    patterns = _globs(spec.get("matchImageReferences"))
    actions = [str(action.plain()).lower() for action in spec.get("validationActions").elements()]
    where = spec.location_of("validationActions") if "validationActions" in spec else obj.location
    yield SignaturePolicy(
        obj, patterns or ("*",), "deny" in actions, where, f"validationActions: {actions}", False
    )


def _sigstore_policy(obj: K8sObject) -> Iterator[SignaturePolicy]:
    spec = obj.spec.as_map()
    patterns = _globs(spec.get("images"))
    mode = str(spec.get("mode").plain() or "enforce")
    where = spec.location_of("mode") if "mode" in spec else obj.location
    yield SignaturePolicy(obj, patterns, mode.lower() == "enforce", where, f"mode: {mode}", True)


def signature_policies(project: Project) -> list[SignaturePolicy]:
    policies: list[SignaturePolicy] = []
    for obj in project.k8s_objects:
        group = (obj.api_version or "").split("/")[0]
        if group == "kyverno.io" and obj.kind in ("ClusterPolicy", "Policy"):
            policies.extend(_kyverno_policies(obj))
        elif group == "policies.kyverno.io" and obj.kind == "ImageValidatingPolicy":
            policies.extend(_image_validating_policy(obj))
        elif group == "policy.sigstore.dev" and obj.kind == "ClusterImagePolicy":
            policies.extend(_sigstore_policy(obj))
    return policies


def image_names(image: str) -> list[str]:
    """The spellings a policy pattern may be written against: as written, and fully qualified on Docker Hub."""
    names = [image]
    first = image.split("/")[0]
    if "/" not in image or ("." not in first and ":" not in first and first != "localhost"):
        repository = image if "/" in image else f"library/{image}"
        names += [f"docker.io/{repository}", f"index.docker.io/{repository}"]
    return names


def covers(policy: SignaturePolicy, image: str) -> bool:
    return any(
        fnmatch.fnmatchcase(name, pattern) for pattern in policy.patterns for name in image_names(image)
    )


def _labelled_for_sigstore(namespaces: Mapping[str, K8sObject], workload: Workload) -> bool:
    obj = namespaces.get(workload.namespace or "")
    label = obj.labels.get(SIGSTORE_INCLUDE_LABEL) if obj is not None else None
    return label is not None and label.value.strip().lower() == "true"


def _namespace_named(workload: Workload) -> str:
    """`namespace prod`, `namespace (none set)` for a manifest without one, or the release namespace."""
    if workload.namespace is None and workload.namespace_source is NamespaceSource.RELEASE:
        return "the release namespace"
    return f"namespace {workload.namespace or '(none set)'}"


def _uncovered_images(project: Project, policies: list[SignaturePolicy]) -> Iterator[Violation]:
    namespaces = {obj.name or "": obj for obj in project.index.objects("Namespace")}
    for workload in project.index.kubernetes_workloads:
        labelled = _labelled_for_sigstore(namespaces, workload)
        for container in workload.containers:
            if container.image is None:
                continue
            matching = [policy for policy in policies if covers(policy, container.image.written)]
            if any(not policy.needs_namespace_label or labelled for policy in matching):
                continue
            who = describe_container(workload, container)
            if matching:
                reason = (
                    f"is matched only by Sigstore ClusterImagePolicy {matching[0].obj.name}, which the policy-controller "
                    f'enforces only in namespaces labelled {SIGSTORE_INCLUDE_LABEL}: "true", and '
                    f"{_namespace_named(workload)} is not"
                )
            else:
                reason = "is matched by no image-signature policy"
            yield Violation(
                container.image.location,
                f'{who} runs image "{container.image.written}", which {reason}',
                container_subject(workload, container),
                workload.artifact,
            )


def _audit_mode(policies: Iterable[SignaturePolicy]) -> Iterator[Violation]:
    seen: set[Location] = set()
    for policy in policies:
        if policy.enforcing or policy.mode_location in seen:
            continue
        seen.add(policy.mode_location)
        yield Violation(
            policy.mode_location,
            f"{policy.obj.subject} verifies image signatures only in warn/audit mode "
            f"({policy.mode_text}), so unsigned images still run",
            policy.obj.subject,
            policy.obj.artifact,
            variant="audit-mode",
        )


def image_signature_enforcement(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD215: the bundle enforces image signatures (Kyverno verifyImages or Sigstore with labelled namespaces)."""
    if not params.get("cyber_device", True) or params.get("declared_enforcement"):
        return
    workloads = sorted(project.index.kubernetes_workloads, key=lambda item: (item.path, item.location.line))
    if not workloads:
        return
    policies = signature_policies(project)
    if not policies:
        first = workloads[0]
        yield Violation(
            first.definition.start if first.definition.present else first.location,
            f"the scanned Kubernetes objects run {len(workloads)} workload(s) but contain no image-signature "
            "enforcement (a Kyverno verifyImages rule, or a Sigstore ClusterImagePolicy with labelled namespaces)",
            "bundle/image-signature-enforcement",
            first.artifact,
        )
        return
    yield from _audit_mode(policies)
    yield from _uncovered_images(project, policies)
