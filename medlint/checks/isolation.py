"""Isolation from the host: MD206 no-host-namespaces, MD207 no-host-mounts, MD208 no-host-ports,
MD209 seccomp-profile, MD210 pod-security-standard-fields.

Kubernetes conditions read the pod spec (with positions), because several of them (pod-level Unconfined
overridden by a container, sysctls, volumes) are not part of the resolved SecurityContext.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from typing import Any

from medlint.checks.describe import container_subject, describe_container, describe_service
from medlint.checks.pod_security import PodSecurityStandards, load_standards
from medlint.findings import Violation
from medlint.model import ComposeMount, Container, MountKind, Node, Project, Workload
from medlint.model.compose import may_resolve_to
from medlint.model.kubernetes import PodSpec
from medlint.model.tree import yaml_text

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


def _map(node: Node, key: str) -> Node | None:
    """`node[key]` when it is a mapping, else None (absent keys and wrong types alike)."""
    value = node.get(key)
    return value if value.is_map else None


def _windows(workload: Workload) -> bool:
    return workload.pod is not None and workload.pod.is_windows


def _compose_host_namespaces(workload: Workload) -> Iterator[Violation]:
    who = describe_service(workload)
    for key in COMPOSE_NAMESPACE_KEYS:
        option = workload.definition.get(key)
        if not option.present:
            continue
        value = option.plain()
        location = option.location
        if option.unresolved:
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
    spec = workload.pod.node if workload.pod is not None else None
    for key in POD_NAMESPACE_KEYS:
        if spec is not None and spec.get(key).is_true:
            yield Violation(
                spec.key_location_of(key),
                f"{workload.subject} shares the node's namespace ({key}: true)",
                f"{workload.subject}/{key}",
                workload.artifact,
            )


def no_host_namespaces(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD206: no host network, PID, IPC, UTS or user namespace; sharing with another container is fine."""
    for workload in project.index.compose_workloads:
        yield from _compose_host_namespaces(workload)
    for workload in project.index.kubernetes_workloads:
        yield from _pod_host_namespaces(workload)


# --------------------------------------------------------------------------------------------------
# MD207 no-host-mounts


def normalise_host_path(path: str) -> str:
    """`//var/run/../run/docker.sock/` -> `/run/docker.sock`: one canonical form, `/var/run` spelled `/run`.

    Relative and home paths are returned unchanged: they never name a system directory on their own.
    """
    text = path.strip()
    if not text.startswith("/"):
        return text
    normalised = posixpath.normpath("/" + text.lstrip("/"))
    if normalised == "/var/run" or normalised.startswith("/var/run/"):
        normalised = "/run" + normalised[len("/var/run") :]
    return normalised


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
    service = project.index.compose_service(workload)
    for mount in service.mounts if service is not None else ():
        if mount.kind is not MountKind.BIND:
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
    for item in workload.definition.get("devices").as_list():
        text = item.get("source").plain() if item.is_map and "source" in item else item.plain()
        yield Violation(
            item.location,
            f'{describe_service(workload)} maps host device "{text}"',
            workload.subject,
            workload.artifact,
            variant="devices",
        )


def _host_path_volumes(workload: Workload) -> Iterator[Violation]:
    for volume in workload.pod.volumes if workload.pod is not None else ():
        host_path = _map(volume.node, "hostPath")
        if host_path is None:
            continue
        name = volume.node.get("name").plain()
        kind = f", type {host_path.get('type').plain()}" if host_path.get("type") else ""
        yield Violation(
            volume.node.key_location_of("hostPath"),
            f'{workload.subject} mounts host path "{host_path.get("path").plain()}" (volume "{name}"{kind})',
            f"{workload.subject}/volume:{name}",
            workload.artifact,
        )


def no_host_mounts(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD207: no bind mount of system directories or the Docker socket, no devices, no hostPath volumes."""
    sensitive = [str(path) for path in params.get("compose_sensitive_paths", [])]
    exceptions = [str(entry) for entry in params.get("allowed_host_paths", [])]
    for workload in project.index.compose_workloads:
        yield from _compose_host_mounts(project, workload, sensitive, exceptions)
        yield from _compose_devices(workload)
    for workload in project.index.kubernetes_workloads:
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
    for workload in project.index.kubernetes_workloads:
        for container in workload.containers:
            for port in container.ports:
                if _host_port(port.host_port.plain()):
                    yield Violation(
                        port.node.key_location_of("hostPort"),
                        f"{describe_container(workload, container)} binds host port {port.host_port.plain()} "
                        f"(containerPort {port.container_port.plain()})",
                        container_subject(workload, container),
                        workload.artifact,
                    )


# --------------------------------------------------------------------------------------------------
# MD209 seccomp-profile


def _compose_confinement(workload: Workload) -> Iterator[Violation]:
    who = describe_service(workload)
    for option in workload.containers[0].security.security_options:
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


def _profile_problem(profile: Node | None, origin: str, standards: PodSecurityStandards) -> str | None:
    """Why a seccompProfile does not confine the container; None when it is RuntimeDefault or Localhost."""
    if profile is None:
        return "sets no seccompProfile, neither on the container nor at pod level"
    kind = profile.get("type").plain()
    if kind == "Localhost" and not profile.get("localhostProfile"):
        return f"uses seccompProfile type Localhost at {origin} level without localhostProfile"
    if str(kind) not in standards.allowed("seccomp-type"):
        return (
            f'uses seccompProfile type "{yaml_text(kind)}" at {origin} level, not RuntimeDefault or Localhost'
        )
    return None


def _legacy_annotation_note(pod: PodSpec) -> str:
    if any(str(key).startswith(SECCOMP_ANNOTATION_KEYS) for key in pod.metadata.get("annotations")):
        return "; the deprecated seccomp annotations are not honoured by current Kubernetes, use the seccompProfile field"
    return ""


def _kubernetes_seccomp(
    workload: Workload, pod: PodSpec, standards: PodSecurityStandards
) -> Iterator[Violation]:
    pod_context = _map(pod.node, "securityContext")
    pod_profile = _map(pod_context, "seccompProfile") if pod_context is not None else None
    if pod_profile is not None and pod_profile.get("type").plain() == "Unconfined":
        yield Violation(
            pod_profile.key_location_of("type"),
            f"{workload.subject} runs its pod Unconfined (seccompProfile.type: Unconfined)",
            f"{workload.subject}/pod",
            workload.artifact,
            variant="unconfined",
        )
    note = _legacy_annotation_note(pod)
    for container in workload.containers:
        context = _map(container.definition, "securityContext")
        own = _map(context, "seccompProfile") if context is not None else None
        who, subject = describe_container(workload, container), container_subject(workload, container)
        if own is not None and own.get("type").plain() == "Unconfined":
            yield Violation(
                own.key_location_of("type"),
                f"{who} runs Unconfined (seccompProfile.type: Unconfined)",
                subject,
                workload.artifact,
                variant="unconfined",
            )
            continue
        profile, origin = (own, "container") if own is not None else (pod_profile, "pod")
        if profile is not None and profile.get("type").plain() == "Unconfined":
            continue  # reported once at pod level
        problem = _profile_problem(profile, origin, standards)
        if problem:
            location = (
                context.key_location_of("seccompProfile")
                if own is not None and context is not None
                else container.security.anchor
            )
            yield Violation(location, f"{who} {problem}{note}", subject, workload.artifact)


def seccomp_profile(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD209: no unconfined Compose options; an explicit RuntimeDefault/Localhost profile on every Kubernetes container."""
    for workload in project.index.compose_workloads:
        yield from _compose_confinement(workload)
    standards = load_standards(params)
    for workload in project.index.kubernetes_workloads:
        if workload.pod is not None and not workload.pod.is_windows:  # seccomp is Linux-only
            yield from _kubernetes_seccomp(workload, workload.pod, standards)


# --------------------------------------------------------------------------------------------------
# MD210 pod-security-standard-fields


class _Fields:
    """Reports PSS field violations of one workload; `path` and `artifact` come from the workload."""

    def __init__(self, workload: Workload, standards: PodSecurityStandards, baseline_profile: bool) -> None:
        self.workload = workload
        self.standards = standards
        self.baseline_profile = baseline_profile

    def violation(
        self, node: Node, key: str, message: str, subject: str, variant: str | None = None
    ) -> Violation:
        return Violation(node.key_location_of(key), message, subject, self.workload.artifact, variant=variant)

    def host_process(self, context: Node | None, who: str, subject: str) -> Iterator[Violation]:
        options = _map(context, "windowsOptions") if context is not None else None
        if options is not None and options.get("hostProcess").is_true:
            yield self.violation(
                options,
                "hostProcess",
                f"{who} runs as a Windows HostProcess container (hostProcess: true)",
                subject,
            )

    def selinux(self, context: Node | None, who: str, subject: str) -> Iterator[Violation]:
        options = _map(context, "seLinuxOptions") if context is not None else None
        if options is None:
            return
        kind = "" if options.get("type").plain() is None else str(options.get("type").plain())
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
                    options, key, f'{who} sets seLinuxOptions.{key} "{options.get(key).plain()}"', subject
                )

    def apparmor(self, context: Node | None, who: str, subject: str) -> Iterator[Violation]:
        profile = _map(context, "appArmorProfile") if context is not None else None
        if profile is not None and not self.standards.allows(
            "apparmor-type", str(profile.get("type").plain())
        ):
            yield self.violation(
                profile,
                "type",
                f'{who} sets appArmorProfile.type "{profile.get("type").yaml_text}"',
                subject,
            )

    def pod_level(self, spec: Node) -> Iterator[Violation]:
        context = _map(spec, "securityContext")
        who, subject = f"the pod of {self.workload.subject}", f"{self.workload.subject}/pod"
        yield from self.host_process(context, who, subject)
        yield from self.selinux(context, who, subject)
        yield from self.apparmor(context, who, subject)
        sysctls = context.get("sysctls") if context is not None else None
        for item in sysctls.elements() if sysctls is not None else []:
            name = str(item.get("name").plain()) if item.is_map else str(item.plain())
            if not self.standards.allows("safe-sysctl", name):
                yield Violation(
                    item.location,
                    f'{who} sets sysctl "{name}", outside the safe set of policy {self.standards.version_text}',
                    subject,
                    self.workload.artifact,
                )

    def annotations(self, pod: PodSpec) -> Iterator[Violation]:
        annotations = pod.metadata.get("annotations")
        for key, value in annotations.items():
            text = "" if value.plain() is None else str(value.plain())
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

    def proc_mount(self, spec: Node, context: Node | None, who: str, subject: str) -> Iterator[Violation]:
        if context is None or context.get("procMount").plain() is None:
            return
        value = str(context.get("procMount").plain())
        relaxed = (
            self.baseline_profile
            and spec.get("hostUsers").is_false
            and self.standards.has_feature("baseline-procmount-user-namespace")
        )
        if not self.standards.allows("proc-mount", value) and not relaxed:
            yield self.violation(context, "procMount", f'{who} sets procMount "{value}"', subject)

    def handler_hosts(self, container: Container, who: str, subject: str) -> Iterator[Violation]:
        if not self.standards.has_feature("host-probes-and-lifecycle"):
            return
        definition = container.definition
        lifecycle = _map(definition, "lifecycle")
        handlers = [(key, _map(definition, key)) for key in PROBE_KEYS]
        handlers += [
            (f"lifecycle.{key}", _map(lifecycle, key) if lifecycle is not None else None)
            for key in LIFECYCLE_KEYS
        ]
        for name, handler in handlers:
            for kind in HANDLER_KEYS:
                action = _map(handler, kind) if handler is not None else None
                if action is not None and action.get("host"):
                    yield self.violation(
                        action,
                        "host",
                        f'{who} sends its {name}.{kind} to host "{action.get("host").plain()}"',
                        subject,
                    )

    def container(self, spec: Node, container: Container) -> Iterator[Violation]:
        context = _map(container.definition, "securityContext")
        who, subject = (
            describe_container(self.workload, container),
            container_subject(self.workload, container),
        )
        yield from self.host_process(context, who, subject)
        yield from self.proc_mount(spec, context, who, subject)
        yield from self.selinux(context, who, subject)
        yield from self.apparmor(context, who, subject)
        yield from self.handler_hosts(container, who, subject)

    def volumes(self, pod: PodSpec) -> Iterator[Violation]:
        for volume in pod.volumes:
            kinds = list(volume.sources)
            if not kinds or "hostPath" in kinds:
                continue  # no source defaults to emptyDir; hostPath is MD207's
            if not any(kind in self.standards.allowed("restricted-volume-type") for kind in kinds):
                name = volume.node.get("name").plain()
                yield self.violation(
                    volume.node,
                    kinds[0],
                    f'{self.workload.subject} uses volume "{name}" of type {kinds[0]}, '
                    "outside the Restricted volume types",
                    f"{self.workload.subject}/volume:{name}",
                    variant="volume-type",
                )


def pod_security_standard_fields(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD210: the remaining Baseline fields (HostProcess, procMount, sysctls, SELinux, AppArmor, probe hosts)
    and the Restricted volume types, at the configured policy version."""
    standards = load_standards(params)
    baseline_profile = str(params.get("profile", "restricted")) == "baseline"
    for workload in project.index.kubernetes_workloads:
        pod = workload.pod
        if pod is None:
            continue
        fields = _Fields(workload, standards, baseline_profile)
        yield from fields.pod_level(pod.node)
        yield from fields.annotations(pod)
        for container in workload.containers:
            yield from fields.container(pod.node, container)
        yield from fields.volumes(pod)
