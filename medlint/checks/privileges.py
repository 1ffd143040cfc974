"""Privilege: MD201 run-as-non-root, MD202 no-privilege-escalation, MD203 no-privileged,
MD204 capabilities-dropped, MD205 read-only-root-filesystem.

Kubernetes conditions read each container's effective security settings (container over pod, resolved in
the model); Compose conditions read the service's options, whose `unresolved` mark turns a value hidden by an
unset variable into a W finding instead of a pass.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping
from typing import Any

from medlint.checks.describe import container_subject, describe_container, describe_service
from medlint.checks.pod_security import PodSecurityStandards, load_standards
from medlint.findings import RelatedLocation, Violation
from medlint.model import ArtifactKind, Container, ContainerRole, Location, Project, Workload
from medlint.model.tree import yaml_text

ROOT_NAMES = ("root", "0")


def is_root_user(user: str) -> bool:
    """`root`, `0`, `0:<gid>` and `root:<group>` all run as UID 0 (catalog decision: any 0:<gid> is root)."""
    name = user.strip().split(":", 1)[0]
    return name in ROOT_NAMES


def _image_known_non_root(image: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(image, pattern) for pattern in patterns)


def dockerfile_runs_as_root(workload: Workload, nonroot_images: list[str]) -> tuple[bool, str, Any]:
    """(root?, reason, location) for a Dockerfile's final image; shared by the Compose condition."""
    container = workload.containers[0]
    user = container.security.run_as_user
    if user is None:
        base = container.image.written if container.image else ""
        if container.image is not None and _image_known_non_root(base, nonroot_images):
            return False, "", None
        return True, "has no USER instruction, so it runs as root", container.security.anchor
    if is_root_user(str(user.value)):
        return True, f"switches to USER {user.value}", user.location
    return False, "", None


def _dockerfile_condition(workload: Workload, nonroot: list[str]) -> Iterator[Violation]:
    container = workload.containers[0]
    user = container.security.run_as_user
    if user is not None and "$" in str(user.value):
        yield Violation(
            user.location,
            f"the final stage of {workload.path} sets USER {user.value}, which cannot be resolved",
            workload.subject,
            workload.artifact,
            variant="unresolved",
        )
        return
    root, reason, location = dockerfile_runs_as_root(workload, nonroot)
    if root:
        yield Violation(
            location, f"the final stage of {workload.path} {reason}", workload.subject, workload.artifact
        )


def _compose_condition(project: Project, workload: Workload, nonroot: list[str]) -> Iterator[Violation]:
    container = workload.containers[0]
    service = project.index.compose_service(workload)
    user = container.security.run_as_user
    if user is not None:
        text = str(user.value)
        if "${" in text or "$" in text:
            yield Violation(
                user.location,
                f'service "{workload.name}" sets user: {text}, which cannot be resolved',
                workload.subject,
                workload.artifact,
                variant="unresolved",
            )
        elif is_root_user(text):
            yield Violation(
                user.location,
                f'service "{workload.name}" runs as root (user: {text})',
                workload.subject,
                workload.artifact,
                variant="explicit-root",
            )
        return
    final_image = project.index.final_image(service.dockerfile_path) if service is not None else None
    dockerfile_workload = final_image.workload if final_image is not None else None
    if dockerfile_workload is not None:
        root, reason, location = dockerfile_runs_as_root(dockerfile_workload, nonroot)
        if root:
            yield Violation(
                workload.location,
                f'service "{workload.name}" sets no user: and its Dockerfile {dockerfile_workload.path} {reason}',
                workload.subject,
                workload.artifact,
                variant="root-dockerfile",
                related=(RelatedLocation(location, "the Dockerfile's final stage runs as root"),),
            )
        return
    image = container.image.written if container.image else "its image"
    if container.image is not None and _image_known_non_root(container.image.written, nonroot):
        return
    yield Violation(
        workload.location,
        f'service "{workload.name}" sets no user:, so it runs as the default user of {image}, which is root unless the image says otherwise',
        workload.subject,
        workload.artifact,
        variant="external-image",
    )


def _kubernetes_container(workload: Workload, container: Container) -> Iterator[Violation]:
    security = container.security
    who = f'container "{container.name}" of {workload.subject}'
    subject = f"{workload.subject}/container:{container.name}"
    user = security.run_as_user
    if user is not None and user.value == 0:
        yield Violation(
            user.location,
            f"{who} runs as UID 0 (runAsUser: 0 at {user.origin} level)",
            subject,
            workload.artifact,
            variant="explicit-root",
        )
    non_root = security.run_as_non_root
    if non_root is None or non_root.value is not True:
        if non_root is not None:
            reason = f"runAsNonRoot is {non_root.value} at {non_root.origin} level"
            location = non_root.location
        elif not security.declared:
            reason = "no securityContext at pod or container level"
            location = container.location
        else:
            reason = "runAsNonRoot: true is set neither at pod level nor on the container"
            location = security.anchor
        yield Violation(location, f"{who} may run as root: {reason}", subject, workload.artifact)
    for setting, what in ((security.run_as_group, "runAsGroup"), (security.fs_group, "fsGroup")):
        if setting is not None and setting.value == 0:
            yield Violation(
                setting.location,
                f"{who} uses the root group ({what}: 0)",
                subject,
                workload.artifact,
                variant="root-group",
            )
    groups = security.supplemental_groups
    if groups is not None and 0 in groups.value:
        yield Violation(
            groups.location,
            f"{who} adds the root group (supplementalGroups contains 0)",
            subject,
            workload.artifact,
            variant="root-group",
        )


def run_as_non_root(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD201: the final image, each Compose service and each Kubernetes container must not run as root."""
    table = params.get("tables", {}).get("nonroot-images", {})
    nonroot = [str(row["pattern"]) for row in table.get("rows", ())] + list(params.get("nonroot_images", []))
    for workload in project.workloads:
        if workload.artifact is ArtifactKind.DOCKERFILE:
            yield from _dockerfile_condition(workload, nonroot)
        elif workload.artifact is ArtifactKind.COMPOSE:
            yield from _compose_condition(project, workload, nonroot)
        else:
            # A group-0 finding is reported once per pod-level setting, not once per container.
            seen_pod_group: set[tuple[int, int]] = set()
            for container in workload.containers:
                for violation in _kubernetes_container(workload, container):
                    key = (violation.location.line, violation.location.column)
                    if violation.variant == "root-group" or (
                        violation.variant == "explicit-root"
                        and container.security.run_as_user
                        and container.security.run_as_user.origin == "pod"
                    ):
                        if key in seen_pod_group:
                            continue
                        seen_pod_group.add(key)
                    yield violation


# --------------------------------------------------------------------------------------------------
# Shared by the MD2xx rules


def normalise_capability(name: Any) -> str:
    """Capability names compare case-insensitively and without `CAP_` (Docker accepts both spellings)."""
    text = str(name).strip().upper()
    return text[4:] if text.startswith("CAP_") else text


# --------------------------------------------------------------------------------------------------
# MD202 no-privilege-escalation


def _compose_no_new_privileges(workload: Workload) -> Iterator[Violation]:
    options = workload.containers[0].security.security_options
    if any(option.enables_no_new_privileges for option in options):
        return
    who = describe_service(workload)
    named = [option for option in options if option.name == "no-new-privileges"]
    if named:
        option = named[-1]
        reason = "which cannot be resolved" if option.unresolved else "which leaves it off"
        yield Violation(
            option.location,
            f'{who} sets security_opt "{option.text}", {reason}; use no-new-privileges:true',
            workload.subject,
            workload.artifact,
            variant="compose",
        )
        return
    yield Violation(
        workload.definition.key_or("security_opt", workload.location),
        f"{who} does not set security_opt no-new-privileges:true, so setuid binaries can gain privileges",
        workload.subject,
        workload.artifact,
        variant="compose",
    )


def _is_windows_pod(workload: Workload) -> bool:
    return workload.pod is not None and workload.pod.is_windows


def implied_escalation(container: Container) -> str | None:
    """Why escalation is allowed whatever allowPrivilegeEscalation says: privileged, or CAP_SYS_ADMIN added."""
    security = container.security
    if security.privileged is not None and security.privileged.value is True:
        return "privileged: true"
    added = security.capabilities_add.value if security.capabilities_add else ()
    if "SYS_ADMIN" in {normalise_capability(name) for name in added}:
        return "the added SYS_ADMIN capability"
    return None


def _kubernetes_escalation(workload: Workload, container: Container) -> Iterator[Violation]:
    setting = container.security.allow_privilege_escalation
    who, subject = describe_container(workload, container), container_subject(workload, container)
    implied = implied_escalation(container)
    if setting is not None and setting.value is True:
        yield Violation(
            setting.location,
            f"{who} sets allowPrivilegeEscalation: true",
            subject,
            workload.artifact,
            variant="explicit-true",
        )
    elif setting is not None and setting.value is False:
        if implied:
            yield Violation(
                setting.location,
                f"{who} sets allowPrivilegeEscalation: false, but {implied} allows escalation "
                "anyway (the API rejects this combination)",
                subject,
                workload.artifact,
            )
    else:
        location = setting.location if setting is not None else container.security.anchor
        reason = (
            f'sets allowPrivilegeEscalation: "{yaml_text(setting.value)}", which is not the boolean false'
            if setting is not None
            else "does not set allowPrivilegeEscalation: false"
        )
        extra = f"; {implied} allows escalation in any case" if implied else ""
        yield Violation(location, f"{who} {reason}{extra}", subject, workload.artifact)


def no_privilege_escalation(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD202: Compose services need no-new-privileges; every Kubernetes container allowPrivilegeEscalation: false."""
    for workload in project.index.compose_workloads:
        yield from _compose_no_new_privileges(workload)
    for workload in project.index.kubernetes_workloads:
        if _is_windows_pod(workload):
            continue  # the API forbids the field on Windows pods (PSS exempts them from policy 1.25)
        for container in workload.containers:
            yield from _kubernetes_escalation(workload, container)


# --------------------------------------------------------------------------------------------------
# MD203 no-privileged


def _compose_privileged(workload: Workload) -> Iterator[Violation]:
    from medlint.model.compose import compose_bool  # the Compose model loads with Compose files

    privileged = workload.definition.get("privileged")
    if not privileged.present:
        return
    value = privileged.scalar
    location = privileged.location
    who = describe_service(workload)
    if privileged.unresolved:
        yield Violation(
            location,
            f'{who} sets privileged: "{value}", which cannot be resolved',
            workload.subject,
            workload.artifact,
            variant="unresolved",
        )
    elif compose_bool(privileged.plain()) is True:
        yield Violation(
            location,
            f"{who} runs privileged (privileged: {privileged.yaml_text})",
            workload.subject,
            workload.artifact,
        )


def no_privileged(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD203: no privileged Compose service and no privileged Kubernetes container of any kind."""
    for workload in project.index.compose_workloads:
        yield from _compose_privileged(workload)
    for workload in project.index.kubernetes_workloads:
        for container in workload.containers:
            setting = container.security.privileged
            if setting is not None and setting.value is True:
                yield Violation(
                    setting.location,
                    f"{describe_container(workload, container)} runs privileged (privileged: true)",
                    container_subject(workload, container),
                    workload.artifact,
                )


# --------------------------------------------------------------------------------------------------
# MD204 capabilities-dropped


def _compose_capabilities(
    workload: Workload, allowlist: set[str], forbidden: set[str]
) -> Iterator[Violation]:
    definition = workload.definition
    who = describe_service(workload)
    dropped = {
        normalise_capability(name.plain())
        for name in definition.get("cap_drop").as_list()
        if not name.unresolved
    }
    if "ALL" not in dropped:
        listed = f" (cap_drop: [{', '.join(sorted(dropped))}])" if dropped else ""
        yield Violation(
            definition.key_or("cap_drop", workload.location),
            f"{who} does not drop all capabilities{listed}; add cap_drop: [ALL]",
            workload.subject,
            workload.artifact,
            variant="compose-drop",
        )
    for entry in definition.get("cap_add").as_list():
        item = entry.plain()
        name = normalise_capability(item)
        location = entry.location
        if entry.unresolved:
            yield Violation(
                location,
                f'{who} adds capability "{item}", which cannot be resolved',
                workload.subject,
                workload.artifact,
                variant="compose-add",
            )
        elif name in forbidden:
            yield Violation(
                location,
                f'{who} adds capability "{item}"',
                workload.subject,
                workload.artifact,
                variant="compose-forbidden-add",
            )
        elif name not in allowlist:
            yield Violation(
                location,
                f'{who} adds capability "{item}", beyond the allowlist ({", ".join(sorted(allowlist))})',
                workload.subject,
                workload.artifact,
                variant="compose-add",
            )


def _capabilities_anchor(container: Container, key: str) -> Location:
    """The `drop`/`add` key, else the `capabilities` key, else the securityContext or container."""
    context = container.definition.get("securityContext")
    capabilities = context.get("capabilities")
    if capabilities.is_map and key in capabilities:
        return capabilities.key_location_of(key)
    if context.is_map and "capabilities" in context:
        return context.key_location_of("capabilities")
    return container.security.anchor


def _kubernetes_capabilities(
    workload: Workload, container: Container, standards: PodSecurityStandards
) -> Iterator[Violation]:
    who, subject = describe_container(workload, container), container_subject(workload, container)
    capabilities = container.definition.at("securityContext", "capabilities")
    drop = [name.plain() for name in capabilities.get("drop").as_list()]
    dropped = {normalise_capability(name) for name in drop}
    if "ALL" not in dropped:
        reason = (
            f"drops only [{', '.join(str(name) for name in drop)}]"
            if dropped
            else "does not drop capabilities"
        )
        yield Violation(
            _capabilities_anchor(container, "drop"),
            f"{who} {reason}; set capabilities.drop: [ALL]",
            subject,
            workload.artifact,
        )
    baseline = standards.allowed("baseline-capability")
    restricted = standards.allowed("restricted-capability")
    added = capabilities.get("add")
    for entry in added.as_list():
        item = entry.plain()
        name = normalise_capability(item)
        location = entry.location if added.is_list else _capabilities_anchor(container, "add")
        if name not in baseline or name == "NET_RAW":
            yield Violation(
                location,
                f'{who} adds capability "{item}", outside the Pod Security Standards Baseline set',
                subject,
                workload.artifact,
                variant="baseline-add",
            )
        elif name not in restricted:
            yield Violation(
                location,
                f'{who} adds capability "{item}"; Restricted allows adding only {", ".join(sorted(restricted))}',
                subject,
                workload.artifact,
            )


def capabilities_dropped(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD204: drop ALL capabilities and add only what the allowlist (Compose) or PSS (Kubernetes) permits."""
    allowlist = {
        normalise_capability(name) for name in params.get("compose_add_allowlist", ["NET_BIND_SERVICE"])
    }
    forbidden = {
        normalise_capability(name)
        for name in params.get("compose_forbidden_add", ["SYS_ADMIN", "NET_ADMIN", "ALL"])
    }
    for workload in project.index.compose_workloads:
        yield from _compose_capabilities(workload, allowlist, forbidden)
    standards = load_standards(params)
    for workload in project.index.kubernetes_workloads:
        if _is_windows_pod(workload):
            continue  # capabilities are Linux-only; the API rejects them on Windows pods
        for container in workload.containers:
            yield from _kubernetes_capabilities(workload, container, standards)


# --------------------------------------------------------------------------------------------------
# MD205 read-only-root-filesystem


def _compose_read_only(project: Project, workload: Workload) -> Iterator[Violation]:
    from medlint.model.compose import MountKind, compose_bool  # the Compose model loads with Compose files

    read_only = workload.definition.get("read_only")
    who = describe_service(workload)
    value = read_only.scalar
    if read_only.present and read_only.unresolved:
        yield Violation(
            read_only.location,
            f'{who} sets read_only: "{value}", which cannot be resolved',
            workload.subject,
            workload.artifact,
            variant="unresolved",
        )
        return
    if compose_bool(read_only.plain()) is not True:
        reason = (
            f"sets read_only: {read_only.plain()}" if read_only.present else "does not set read_only: true"
        )
        location = read_only.location if read_only.present else workload.location
        yield Violation(
            location,
            f"{who} {reason}, so its root file system is writable",
            workload.subject,
            workload.artifact,
        )
        return
    service = project.index.compose_service(workload)
    for mount in service.mounts if service is not None else ():
        if mount.kind is MountKind.BIND and not mount.read_only:
            via = f' (named volume "{mount.via_volume}" binds it)' if mount.via_volume else ""
            yield Violation(
                mount.location,
                f'{who} has read_only: true but bind-mounts host path "{mount.source}"{via} writable; '
                "mount it read-only (:ro) and use tmpfs mounts or named volumes for writable paths",
                workload.subject,
                workload.artifact,
            )


def _kubernetes_read_only(workload: Workload, container: Container) -> Iterator[Violation]:
    setting = container.security.read_only_root_filesystem
    if setting is not None and setting.value is True:
        return
    who, subject = describe_container(workload, container), container_subject(workload, container)
    if setting is not None:
        yield Violation(
            setting.location,
            f"{who} sets readOnlyRootFilesystem: {yaml_text(setting.value)}",
            subject,
            workload.artifact,
        )
    else:
        yield Violation(
            container.security.anchor,
            f"{who} does not set readOnlyRootFilesystem: true",
            subject,
            workload.artifact,
        )


def read_only_root_filesystem(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD205: Compose `read_only: true` without writable bind mounts; readOnlyRootFilesystem on every container."""
    for workload in project.index.compose_workloads:
        yield from _compose_read_only(project, workload)
    exempt_init = bool(params.get("exempt_init_containers", False))
    for workload in project.index.kubernetes_workloads:
        if _is_windows_pod(workload):
            continue  # the API rejects readOnlyRootFilesystem on Windows pods
        for container in workload.containers:
            if not (exempt_init and container.role is ContainerRole.INIT):
                yield from _kubernetes_read_only(workload, container)
