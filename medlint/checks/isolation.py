"""Isolation from the host: MD206 no-host-namespaces, MD207 no-host-mounts, MD208 no-host-ports,
MD209 seccomp-profile, MD210 pod-security-standard-fields.

Kubernetes conditions read the raw pod spec (with positions), because several of them (pod-level
Unconfined overridden by a container, sysctls, volumes) are not part of the resolved SecurityContext.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from typing import Any

from medlint.checks.privileges import (
    ComposeMount,
    PodSecurityStandards,
    as_items,
    compose_mounts,
    compose_project_of,
    compose_security_options,
    compose_workloads,
    container_security_context,
    container_subject,
    describe_container,
    describe_service,
    fields_of,
    is_unresolved,
    is_windows_pod,
    kubernetes_workloads,
    load_standards,
    mapping,
    may_resolve_to,
    normalise_host_path,
    pod_metadata,
    pod_spec,
    yaml_text,
)
from medlint.findings import Violation
from medlint.model import Container, Project, Workload
from medlint.model.compose_positions import compose_value_location
from medlint.source import YamlMap, key_location, value_location

COMPOSE_NAMESPACE_KEYS = ("network_mode", "pid", "ipc", "uts", "userns_mode")
POD_NAMESPACE_KEYS = ("hostNetwork", "hostPID", "hostIPC")
PROBE_KEYS = ("livenessProbe", "readinessProbe", "startupProbe")
LIFECYCLE_KEYS = ("postStart", "preStop")
HANDLER_KEYS = ("httpGet", "tcpSocket")
APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/"
SECCOMP_ANNOTATION_KEYS = (
    "seccomp.security.alpha.kubernetes.io/pod",
    "container.seccomp.security.alpha.kubernetes.io/",
)
UNCONFINED_OPTIONS = frozenset({("seccomp", "unconfined"), ("apparmor", "unconfined"), ("label", "disable")})
UNCONFINED_SPELLINGS = tuple(
    f"{name}{separator}{value}" for name, value in sorted(UNCONFINED_OPTIONS) for separator in ":="
)


# --------------------------------------------------------------------------------------------------
# MD206 no-host-namespaces


def _compose_host_namespaces(workload: Workload) -> Iterator[Violation]:
    raw = workload.raw if isinstance(workload.raw, dict) else {}
    who = describe_service(workload)
    for key in COMPOSE_NAMESPACE_KEYS:
        if key not in raw:
            continue
        value = raw[key]
        location = compose_value_location(raw, key)
        if is_unresolved(value):
            if may_resolve_to(value, "host"):
                yield Violation(
                    location,
                    f'{who} sets {key}: "{value}", which cannot be resolved and may be host',
                    workload.subject,
                    workload.artifact,
                    variant="unresolved",
                )
        elif str(value).strip().lower() == "host":
            yield Violation(
                location,
                f"{who} shares the host's namespace ({key}: {value})",
                workload.subject,
                workload.artifact,
            )


def _pod_host_namespaces(workload: Workload) -> Iterator[Violation]:
    spec = pod_spec(workload)
    for key in POD_NAMESPACE_KEYS:
        if spec is not None and spec.get(key) is True:
            yield Violation(
                key_location(workload.path, spec, key),
                f"{workload.subject} shares the node's namespace ({key}: true)",
                f"{workload.subject}/{key}",
                workload.artifact,
            )


def no_host_namespaces(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD206: no host network, PID, IPC, UTS or user namespace; sharing with another container is fine."""
    for workload in compose_workloads(project):
        yield from _compose_host_namespaces(workload)
    for workload in kubernetes_workloads(project):
        yield from _pod_host_namespaces(workload)


# --------------------------------------------------------------------------------------------------
# MD207 no-host-mounts


def sensitive_host_path(source: str, sensitive: list[str]) -> str | None:
    """The listed directory a host path exposes: the path itself, one below it, or a parent of it.

    `/` matches only itself (every path is below it). A parent exposes what it contains: mounting `/var/run`
    hands over `/var/run/docker.sock`. Relative and home paths never match.
    """
    path = normalise_host_path(source)
    if not path.startswith("/"):
        return None
    parent = path if path.endswith("/") else path + "/"
    for listed in sensitive:
        canonical = normalise_host_path(listed)
        below = canonical != "/" and path.startswith(canonical + "/")
        if path == canonical or below or canonical.startswith(parent):
            return listed
    return None


def unresolved_may_expose(source: str, sensitive: list[str]) -> bool:
    """Whether a bind-mount source with an unset variable could name a listed path.

    `${DIR}/x` and `/etc/${NAME}` could; `./${DIR}`, `~/${DIR}` and `/srv/app-${NAME}` cannot.
    """
    prefix = source.split("$", 1)[0]
    if not prefix:
        return True
    if not prefix.startswith("/"):
        return False
    directory = prefix if prefix.endswith("/") else posixpath.dirname(prefix)
    return sensitive_host_path(directory, sensitive) is not None


def _allowed_exception(mount: ComposeMount, exceptions: list[str]) -> bool:
    """A configured exception `path` or `path:ro` (the latter only for read-only mounts)."""
    for entry in exceptions:
        path, _, mode = entry.partition(":")
        if normalise_host_path(path) == normalise_host_path(mount.source) and (
            mode != "ro" or mount.read_only
        ):
            return True
    return False


def _compose_host_mounts(
    project: Project, workload: Workload, sensitive: list[str], exceptions: list[str]
) -> Iterator[Violation]:
    who = describe_service(workload)
    for mount in compose_mounts(workload, compose_project_of(project, workload)):
        if mount.kind != "bind":
            continue
        if mount.unresolved:
            if unresolved_may_expose(mount.source, sensitive):
                yield Violation(
                    mount.location,
                    f'{who} bind-mounts host path "{mount.source}", which cannot be resolved',
                    workload.subject,
                    workload.artifact,
                    variant="unresolved",
                )
            continue
        listed = sensitive_host_path(mount.source, sensitive)
        if listed is None or _allowed_exception(mount, exceptions):
            continue
        via = f' through named volume "{mount.via_volume}"' if mount.via_volume else ""
        exposes = (
            ""
            if normalise_host_path(mount.source) == normalise_host_path(listed)
            else f", which exposes {listed}"
        )
        read_only = " (read-only still exposes it)" if mount.read_only else ""
        yield Violation(
            mount.location,
            f'{who} bind-mounts host path "{mount.source}"{via}{exposes}{read_only}',
            workload.subject,
            workload.artifact,
        )


def _compose_devices(workload: Workload) -> Iterator[Violation]:
    raw = workload.raw if isinstance(workload.raw, dict) else {}
    devices = raw.get("devices")
    for index, item in enumerate(as_items(devices)):
        text = item.get("source", item) if isinstance(item, dict) else item
        location = (
            compose_value_location(devices, index)
            if isinstance(devices, list)
            else compose_value_location(raw, "devices")
        )
        yield Violation(
            location,
            f'{describe_service(workload)} maps host device "{text}"',
            workload.subject,
            workload.artifact,
            variant="devices",
        )


def _host_path_volumes(workload: Workload) -> Iterator[Violation]:
    spec = pod_spec(workload)
    volumes = spec.get("volumes") if spec is not None else None
    for volume in volumes if isinstance(volumes, list) else []:
        host_path = mapping(volume, "hostPath")
        if host_path is None:
            continue
        name = volume.get("name")
        kind = f", type {host_path.get('type')}" if host_path.get("type") else ""
        yield Violation(
            key_location(workload.path, volume, "hostPath"),
            f'{workload.subject} mounts host path "{host_path.get("path")}" (volume "{name}"{kind})',
            f"{workload.subject}/volume:{name}",
            workload.artifact,
        )


def no_host_mounts(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD207: no bind mount of system directories or the Docker socket, no devices, no hostPath volumes."""
    sensitive = [str(path) for path in params.get("compose_sensitive_paths", [])]
    exceptions = [str(entry) for entry in params.get("allowed_host_paths", [])]
    for workload in compose_workloads(project):
        yield from _compose_host_mounts(project, workload, sensitive, exceptions)
        yield from _compose_devices(workload)
    for workload in kubernetes_workloads(project):
        yield from _host_path_volumes(workload)


# --------------------------------------------------------------------------------------------------
# MD208 no-host-ports


def _host_port(value: Any) -> bool:
    """True for a non-zero hostPort; 0, empty and absent pass."""
    if isinstance(value, bool) or value is None:
        return False
    text = str(value).strip()
    return bool(text) and text != "0"


def no_host_ports(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD208: no container port with a non-zero hostPort (hostNetwork is MD206)."""
    for workload in kubernetes_workloads(project):
        for container in workload.containers:
            ports = container.raw.get("ports") if isinstance(container.raw, dict) else None
            for port in ports if isinstance(ports, list) else []:
                if isinstance(port, dict) and _host_port(port.get("hostPort")):
                    yield Violation(
                        key_location(workload.path, port, "hostPort"),
                        f"{describe_container(workload, container)} binds host port {port.get('hostPort')} "
                        f"(containerPort {port.get('containerPort')})",
                        container_subject(workload, container),
                        workload.artifact,
                    )


# --------------------------------------------------------------------------------------------------
# MD209 seccomp-profile


def _compose_confinement(workload: Workload) -> Iterator[Violation]:
    who = describe_service(workload)
    for option in compose_security_options(workload):
        if option.unresolved:
            if any(may_resolve_to(option.text, unconfined) for unconfined in UNCONFINED_SPELLINGS):
                yield Violation(
                    option.location,
                    f'{who} sets security_opt "{option.text}", which cannot be resolved '
                    "and may disable confinement",
                    workload.subject,
                    workload.artifact,
                    variant="unresolved",
                )
        elif (option.name, (option.value or "").lower()) in UNCONFINED_OPTIONS:
            yield Violation(
                option.location,
                f'{who} disables confinement (security_opt "{option.text}")',
                workload.subject,
                workload.artifact,
                variant="unconfined",
            )


def _profile_problem(profile: YamlMap | None, origin: str, standards: PodSecurityStandards) -> str | None:
    """Why a seccompProfile does not confine the container; None when it is RuntimeDefault or Localhost."""
    if profile is None:
        return "sets no seccompProfile, neither on the container nor at pod level"
    kind = profile.get("type")
    if kind == "Localhost" and not profile.get("localhostProfile"):
        return f"uses seccompProfile type Localhost at {origin} level without localhostProfile"
    if str(kind) not in standards.allowed("seccomp-type"):
        return (
            f'uses seccompProfile type "{yaml_text(kind)}" at {origin} level, not RuntimeDefault or Localhost'
        )
    return None


def _legacy_annotation_note(workload: Workload) -> str:
    annotations = fields_of(pod_metadata(workload), "annotations")
    if any(str(key).startswith(SECCOMP_ANNOTATION_KEYS) for key in annotations):
        return "; the deprecated seccomp annotations are not honoured by current Kubernetes, use the seccompProfile field"
    return ""


def _kubernetes_seccomp(workload: Workload, standards: PodSecurityStandards) -> Iterator[Violation]:
    pod_context = mapping(pod_spec(workload), "securityContext")
    pod_profile = mapping(pod_context, "seccompProfile")
    if pod_profile is not None and pod_profile.get("type") == "Unconfined":
        yield Violation(
            key_location(workload.path, pod_profile, "type"),
            f"{workload.subject} runs its pod Unconfined (seccompProfile.type: Unconfined)",
            f"{workload.subject}/pod",
            workload.artifact,
            variant="unconfined",
        )
    note = _legacy_annotation_note(workload)
    for container in workload.containers:
        own = mapping(container_security_context(container), "seccompProfile")
        who, subject = describe_container(workload, container), container_subject(workload, container)
        if own is not None and own.get("type") == "Unconfined":
            yield Violation(
                key_location(workload.path, own, "type"),
                f"{who} runs Unconfined (seccompProfile.type: Unconfined)",
                subject,
                workload.artifact,
                variant="unconfined",
            )
            continue
        profile, origin = (own, "container") if own is not None else (pod_profile, "pod")
        if profile is not None and profile.get("type") == "Unconfined":
            continue  # reported once at pod level
        problem = _profile_problem(profile, origin, standards)
        if problem:
            location = (
                key_location(workload.path, container_security_context(container), "seccompProfile")
                if own is not None
                else container.security.anchor
            )
            yield Violation(location, f"{who} {problem}{note}", subject, workload.artifact)


def seccomp_profile(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD209: no unconfined Compose options; an explicit RuntimeDefault/Localhost profile on every Kubernetes container."""
    for workload in compose_workloads(project):
        yield from _compose_confinement(workload)
    standards = load_standards(params)
    for workload in kubernetes_workloads(project):
        if not is_windows_pod(workload):  # seccomp is Linux-only; the API rejects it on Windows pods
            yield from _kubernetes_seccomp(workload, standards)


# --------------------------------------------------------------------------------------------------
# MD210 pod-security-standard-fields


class _Fields:
    """Reports PSS field violations of one workload; `path` and `artifact` come from the workload."""

    def __init__(self, workload: Workload, standards: PodSecurityStandards, baseline_profile: bool) -> None:
        self.workload = workload
        self.standards = standards
        self.baseline_profile = baseline_profile

    def violation(
        self, node: Any, key: str, message: str, subject: str, variant: str | None = None
    ) -> Violation:
        return Violation(
            key_location(self.workload.path, node, key),
            message,
            subject,
            self.workload.artifact,
            variant=variant,
        )

    def host_process(self, context: YamlMap | None, who: str, subject: str) -> Iterator[Violation]:
        options = mapping(context, "windowsOptions")
        if options is not None and options.get("hostProcess") is True:
            yield self.violation(
                options,
                "hostProcess",
                f"{who} runs as a Windows HostProcess container (hostProcess: true)",
                subject,
            )

    def selinux(self, context: YamlMap | None, who: str, subject: str) -> Iterator[Violation]:
        options = mapping(context, "seLinuxOptions")
        if options is None:
            return
        kind = "" if options.get("type") is None else str(options.get("type"))
        if not self.standards.allows("selinux-type", kind):
            yield self.violation(
                options,
                "type",
                f'{who} sets seLinuxOptions.type "{kind}", outside the allowed container types',
                subject,
            )
        for key in ("user", "role"):
            if options.get(key):
                yield self.violation(
                    options, key, f'{who} sets seLinuxOptions.{key} "{options.get(key)}"', subject
                )

    def apparmor(self, context: YamlMap | None, who: str, subject: str) -> Iterator[Violation]:
        profile = mapping(context, "appArmorProfile")
        if profile is not None and not self.standards.allows("apparmor-type", str(profile.get("type"))):
            yield self.violation(
                profile,
                "type",
                f'{who} sets appArmorProfile.type "{yaml_text(profile.get("type"))}"',
                subject,
            )

    def pod_level(self, spec: YamlMap) -> Iterator[Violation]:
        context = mapping(spec, "securityContext")
        who, subject = f"the pod of {self.workload.subject}", f"{self.workload.subject}/pod"
        yield from self.host_process(context, who, subject)
        yield from self.selinux(context, who, subject)
        yield from self.apparmor(context, who, subject)
        sysctls = context.get("sysctls") if context is not None else None
        for index, item in enumerate(sysctls if isinstance(sysctls, list) else []):
            name = str(item.get("name")) if isinstance(item, dict) else str(item)
            if not self.standards.allows("safe-sysctl", name):
                yield Violation(
                    value_location(self.workload.path, sysctls, index),
                    f'{who} sets sysctl "{name}", outside the safe set of policy {self.standards.version_text}',
                    subject,
                    self.workload.artifact,
                )

    def annotations(self) -> Iterator[Violation]:
        annotations = fields_of(pod_metadata(self.workload), "annotations")
        for key, value in annotations.items():
            text = "" if value is None else str(value)
            if str(key).startswith(APPARMOR_ANNOTATION_PREFIX) and not self.standards.allows(
                "apparmor-annotation", text
            ):
                container = str(key)[len(APPARMOR_ANNOTATION_PREFIX) :]
                yield self.violation(
                    annotations,
                    key,
                    f'{self.workload.subject} sets AppArmor profile "{text}" for container "{container}"',
                    f"{self.workload.subject}/container:{container}",
                )

    def proc_mount(
        self, spec: YamlMap, context: YamlMap | None, who: str, subject: str
    ) -> Iterator[Violation]:
        if context is None or context.get("procMount") is None:
            return
        value = str(context.get("procMount"))
        relaxed = (
            self.baseline_profile
            and spec.get("hostUsers") is False
            and self.standards.has_feature("baseline-procmount-user-namespace")
        )
        if not self.standards.allows("proc-mount", value) and not relaxed:
            yield self.violation(context, "procMount", f'{who} sets procMount "{value}"', subject)

    def handler_hosts(self, container: Container, who: str, subject: str) -> Iterator[Violation]:
        if not self.standards.has_feature("host-probes-and-lifecycle"):
            return
        raw = container.raw if isinstance(container.raw, dict) else {}
        lifecycle = mapping(raw, "lifecycle")
        handlers = [(key, mapping(raw, key)) for key in PROBE_KEYS]
        handlers += [(f"lifecycle.{key}", mapping(lifecycle, key)) for key in LIFECYCLE_KEYS]
        for name, handler in handlers:
            for kind in HANDLER_KEYS:
                action = mapping(handler, kind)
                if action is not None and action.get("host"):
                    yield self.violation(
                        action,
                        "host",
                        f'{who} sends its {name}.{kind} to host "{action.get("host")}"',
                        subject,
                    )

    def container(self, spec: YamlMap, container: Container) -> Iterator[Violation]:
        context = container_security_context(container)
        who, subject = (
            describe_container(self.workload, container),
            container_subject(self.workload, container),
        )
        yield from self.host_process(context, who, subject)
        yield from self.proc_mount(spec, context, who, subject)
        yield from self.selinux(context, who, subject)
        yield from self.apparmor(context, who, subject)
        yield from self.handler_hosts(container, who, subject)

    def volumes(self, spec: YamlMap) -> Iterator[Violation]:
        volumes = spec.get("volumes")
        for volume in volumes if isinstance(volumes, list) else []:
            if not isinstance(volume, dict):
                continue
            kinds = [str(key) for key in volume if key != "name"]
            if not kinds or "hostPath" in kinds:
                continue  # no source defaults to emptyDir; hostPath is MD207's
            if not any(kind in self.standards.allowed("restricted-volume-type") for kind in kinds):
                yield self.violation(
                    volume,
                    kinds[0],
                    f'{self.workload.subject} uses volume "{volume.get("name")}" of type {kinds[0]}, '
                    "outside the Restricted volume types",
                    f"{self.workload.subject}/volume:{volume.get('name')}",
                    variant="volume-type",
                )


def pod_security_standard_fields(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD210: the remaining Baseline fields (HostProcess, procMount, sysctls, SELinux, AppArmor, probe hosts)
    and the Restricted volume types, at the configured policy version."""
    standards = load_standards(params)
    baseline_profile = str(params.get("profile", "restricted")) == "baseline"
    for workload in kubernetes_workloads(project):
        spec = pod_spec(workload)
        if spec is None:
            continue
        fields = _Fields(workload, standards, baseline_profile)
        yield from fields.pod_level(spec)
        yield from fields.annotations()
        for container in workload.containers:
            yield from fields.container(spec, container)
        yield from fields.volumes(spec)
