"""Health and availability: MD401 health-checks (more MD4xx checks join this module)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from medlint.findings import Violation
from medlint.model import ArtifactKind, Container, K8sObject, Project, Workload
from medlint.model.selectors import map_selector_matches

LONG_RUNNING_KINDS = ("Deployment", "StatefulSet", "DaemonSet")


def _selected_by_service(workload: Workload, services: list[K8sObject]) -> bool:
    """A Service in the same namespace whose selector matches the pod labels (catalog: "targeted")."""
    labels = {key: located.value for key, located in (workload.pod_labels or workload.labels).items()}
    for service in services:
        if (service.namespace or "default") != (workload.namespace or "default"):
            continue
        spec = service.body.get("spec")
        if isinstance(spec, dict) and map_selector_matches(spec.get("selector"), labels):
            return True
    return False


def _probe_quality(workload: Workload, container: Container, subject: str) -> Iterator[Violation]:
    who = f'container "{container.name}" of {workload.subject}'
    liveness, readiness, startup = (container.probe(kind) for kind in ("liveness", "readiness", "startup"))
    for probe in (liveness, readiness):
        if probe is None:
            continue
        if probe.initial_delay_seconds and probe.initial_delay_seconds > 60 and startup is None:
            yield Violation(
                probe.location,
                f"{who} delays its {probe.kind} probe by {probe.initial_delay_seconds:g} s; use a startupProbe for slow starts",
                subject,
                workload.artifact,
                variant="probe-quality",
            )
        if probe.timeout_seconds is not None and probe.timeout_seconds >= (probe.period_seconds or 10):
            yield Violation(
                probe.location,
                f"{who} has a {probe.kind} probe whose timeoutSeconds is not below periodSeconds",
                subject,
                workload.artifact,
                variant="probe-quality",
            )
    if liveness is not None and readiness is not None and isinstance(container.raw, dict):
        if container.raw.get("livenessProbe") == container.raw.get("readinessProbe"):
            yield Violation(
                liveness.location,
                f"{who} uses the same check for liveness and readiness, so a busy pod is restarted instead of taken out of rotation",
                subject,
                workload.artifact,
                variant="probe-quality",
            )


def _kubernetes(workload: Workload, services: list[K8sObject]) -> Iterator[Violation]:
    if workload.kind not in LONG_RUNNING_KINDS:
        return  # Jobs, CronJobs and bare Pods are exempt
    targeted = _selected_by_service(workload, services)
    for container in workload.containers:
        if container.role not in ("container", "sidecar"):
            continue
        subject = f"{workload.subject}/container:{container.name}"
        who = f'container "{container.name}" of {workload.subject}'
        if container.probe("liveness") is None:
            yield Violation(
                container.location,
                f"{who} has no livenessProbe, so a hung process is never restarted",
                subject,
                workload.artifact,
            )
        if targeted and container.role == "container" and container.probe("readiness") is None:
            yield Violation(
                container.location,
                f"{who} is behind a Service but has no readinessProbe, so traffic reaches it before it is ready",
                subject,
                workload.artifact,
                variant="readiness",
            )
        yield from _probe_quality(workload, container, subject)


def _dockerfile_has_healthcheck(workload: Workload) -> bool | None:
    probe = workload.containers[0].probe("healthcheck")
    return None if probe is None else not probe.disabled


def health_checks(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD401: a HEALTHCHECK, a Compose healthcheck, or liveness/readiness probes on long-running containers."""
    services = [obj for obj in project.k8s_objects if obj.kind == "Service"]
    for workload in project.workloads:
        if workload.artifact is ArtifactKind.DOCKERFILE:
            state = _dockerfile_has_healthcheck(workload)
            if state is None:
                yield Violation(
                    workload.containers[0].security.anchor,
                    f"the final stage of {workload.path} has no HEALTHCHECK",
                    workload.subject,
                    workload.artifact,
                )
            elif state is False:
                probe = workload.containers[0].probe("healthcheck")
                yield Violation(
                    probe.location if probe else workload.location,
                    f"the final stage of {workload.path} disables the health check (HEALTHCHECK NONE)",
                    workload.subject,
                    workload.artifact,
                )
        elif workload.artifact is ArtifactKind.COMPOSE:
            yield from _compose(project, workload)
        else:
            yield from _kubernetes(workload, services)


def _compose(project: Project, workload: Workload) -> Iterator[Violation]:
    container = workload.containers[0]
    probe = container.probe("healthcheck")
    if probe is not None:
        if probe.disabled:
            yield Violation(
                probe.location,
                f'service "{workload.name}" disables its healthcheck',
                workload.subject,
                workload.artifact,
            )
        return
    service = next((s for c in project.compose_projects for s in c.services if s.workload is workload), None)
    if service is not None and service.dockerfile_path is not None:
        image = next(
            (
                w
                for w in project.workloads
                if w.artifact is ArtifactKind.DOCKERFILE and w.path == service.dockerfile_path
            ),
            None,
        )
        if image is not None and _dockerfile_has_healthcheck(image):
            return
    yield Violation(
        workload.location,
        f'service "{workload.name}" has no healthcheck, and none is visible in its image',
        workload.subject,
        workload.artifact,
    )
