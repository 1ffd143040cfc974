"""Privilege and isolation: MD201 run-as-non-root (more MD2xx checks join this module)."""

from __future__ import annotations

import fnmatch
from typing import Any, Iterator, Mapping

from medlint.findings import RelatedLocation, Violation
from medlint.model import ArtifactKind, Container, Project, Workload

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
        base = container.image.raw if container.image else ""
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
        yield Violation(user.location, f"the final stage of {workload.path} sets USER {user.value}, which cannot be resolved",
                        workload.subject, workload.artifact, variant="unresolved")
        return
    root, reason, location = dockerfile_runs_as_root(workload, nonroot)
    if root:
        yield Violation(location, f"the final stage of {workload.path} {reason}", workload.subject, workload.artifact)


def _compose_condition(project: Project, workload: Workload, nonroot: list[str]) -> Iterator[Violation]:
    container = workload.containers[0]
    service = next((s for c in project.compose_projects for s in c.services if s.workload is workload), None)
    user = container.security.run_as_user
    if user is not None:
        text = str(user.value)
        if "${" in text or "$" in text:
            yield Violation(user.location, f'service "{workload.name}" sets user: {text}, which cannot be resolved',
                            workload.subject, workload.artifact, variant="unresolved")
        elif is_root_user(text):
            yield Violation(user.location, f'service "{workload.name}" runs as root (user: {text})',
                            workload.subject, workload.artifact, variant="explicit-root")
        return
    dockerfile_workload = None
    if service is not None and service.dockerfile_path is not None:
        dockerfile_workload = next(
            (w for w in project.workloads if w.artifact is ArtifactKind.DOCKERFILE and w.path == service.dockerfile_path), None
        )
    if dockerfile_workload is not None:
        root, reason, location = dockerfile_runs_as_root(dockerfile_workload, nonroot)
        if root:
            yield Violation(workload.location,
                            f'service "{workload.name}" sets no user: and its Dockerfile {dockerfile_workload.path} {reason}',
                            workload.subject, workload.artifact, variant="root-dockerfile",
                            related=(RelatedLocation(location, "the Dockerfile's final stage runs as root"),))
        return
    image = container.image.raw if container.image else "its image"
    if container.image is not None and _image_known_non_root(container.image.raw, nonroot):
        return
    yield Violation(workload.location,
                    f'service "{workload.name}" sets no user:, so it runs as the default user of {image}, which is root unless the image says otherwise',
                    workload.subject, workload.artifact, variant="external-image")


def _kubernetes_container(workload: Workload, container: Container) -> Iterator[Violation]:
    security = container.security
    who = f'container "{container.name}" of {workload.subject}'
    subject = f"{workload.subject}/container:{container.name}"
    user = security.run_as_user
    if user is not None and user.value == 0:
        yield Violation(user.location, f"{who} runs as UID 0 (runAsUser: 0 at {user.origin} level)",
                        subject, workload.artifact, variant="explicit-root")
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
            yield Violation(setting.location, f"{who} uses the root group ({what}: 0)", subject, workload.artifact, variant="root-group")
    groups = security.supplemental_groups
    if groups is not None and 0 in groups.value:
        yield Violation(groups.location, f"{who} adds the root group (supplementalGroups contains 0)", subject, workload.artifact, variant="root-group")


def run_as_non_root(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD201: the final image, each Compose service and each Kubernetes container must not run as root."""
    nonroot = list(params.get("nonroot_images", []))
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
                    if violation.variant == "root-group" or (violation.variant == "explicit-root" and container.security.run_as_user and container.security.run_as_user.origin == "pod"):
                        if key in seen_pod_group:
                            continue
                        seen_pod_group.add(key)
                    yield violation
