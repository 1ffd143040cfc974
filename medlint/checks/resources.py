"""Resources: MD501 resource-limits."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from medlint.findings import Violation
from medlint.model import ArtifactKind, Container, ContainerRole, Project, Workload
from medlint.model.quantities import parse_quantity


def _compose(workload: Workload) -> Iterator[Violation]:
    container = workload.containers[0]
    resources = container.resources
    limits = resources.limits if resources else {}
    anchor = resources.anchor if resources else workload.location
    who = f'service "{workload.name}"'
    if "memory" not in limits:
        yield Violation(
            anchor,
            f"{who} has no memory limit (deploy.resources.limits.memory or mem_limit)",
            workload.subject,
            workload.artifact,
        )
    if "cpu" not in limits and "cpus" not in limits:
        yield Violation(
            anchor,
            f"{who} has no CPU limit (deploy.resources.limits.cpus or cpus)",
            workload.subject,
            workload.artifact,
            variant="cpu",
        )
    if "pids" not in limits:
        yield Violation(
            anchor,
            f"{who} has no PIDs limit (deploy.resources.limits.pids or pids_limit)",
            workload.subject,
            workload.artifact,
            variant="pids",
        )


def _kubernetes_container(
    workload: Workload, container: Container, params: Mapping[str, Any]
) -> Iterator[Violation]:
    resources = container.resources
    requests = resources.requests if resources else {}
    limits = resources.limits if resources else {}
    anchor = resources.anchor if resources else container.location
    who = f'container "{container.name}" of {workload.subject}'
    subject = f"{workload.subject}/container:{container.name}"
    missing_requests = [name for name in ("cpu", "memory") if name not in requests]
    if missing_requests:
        yield Violation(
            anchor,
            f"{who} has no {' or '.join(missing_requests)} request",
            subject,
            workload.artifact,
            variant="requests",
        )
    if "memory" not in limits:
        yield Violation(anchor, f"{who} has no memory limit", subject, workload.artifact)
    if "cpu" not in limits:
        yield Violation(anchor, f"{who} has no CPU limit", subject, workload.artifact, variant="cpu-limit")
    if params.get("require_ephemeral_storage") and "ephemeral-storage" not in limits:
        yield Violation(
            anchor,
            f"{who} has no ephemeral-storage limit",
            subject,
            workload.artifact,
            variant="ephemeral-storage",
        )
    for name, limit in limits.items():
        request = requests.get(name)
        if request is None:
            continue
        limit_value, request_value = parse_quantity(limit.value), parse_quantity(request.value)
        if limit_value is not None and request_value is not None and limit_value < request_value:
            yield Violation(
                limit.location,
                f"{who} limits {name} to {limit.value}, below its request of {request.value}",
                subject,
                workload.artifact,
                variant="limit-below-request",
            )


def resource_limits(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD501: memory, CPU and PIDs limits on Compose services; requests and limits on Kubernetes containers."""
    for workload in project.workloads:
        if workload.artifact is ArtifactKind.COMPOSE:
            yield from _compose(workload)
        elif workload.artifact in (ArtifactKind.KUBERNETES, ArtifactKind.HELM):
            for container in workload.containers:
                if container.role is not ContainerRole.EPHEMERAL:
                    yield from _kubernetes_container(workload, container, params)
