"""Health and availability: MD401 health-checks (more MD4xx checks join this module)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from medlint.checks.health_tools import runnable_health_checks
from medlint.findings import Violation
from medlint.model import ArtifactKind, Container, ContainerRole, Project, Workload
from medlint.model.selectors import map_pairs, map_selector_matches

LONG_RUNNING_KINDS = ("Deployment", "StatefulSet", "DaemonSet")


def _labels(workload: Workload) -> dict[str, str]:
    """The labels a Service selector is matched against: the pod template's (the object's when it has none)."""
    return {key: located.value for key, located in (workload.pod_labels or workload.labels).items()}


def _targeted(project: Project) -> set[int]:
    """The long-running workloads a Service of their namespace selects (catalog: "targeted"), by id.

    Services alike in namespace and selector are matched once, each only against the workloads that carry
    its selector's pairs."""
    workloads = [w for w in project.index.kubernetes_workloads if w.kind in LONG_RUNNING_KINDS]
    labels = [_labels(w) for w in workloads]
    postings: dict[tuple[str, str], list[int]] = {}
    for position, found in enumerate(labels):
        for pair in found.items():
            postings.setdefault(pair, []).append(position)
    targeted: set[int] = set()
    seen: set[tuple[str, str]] = set()
    for service in project.index.objects("Service"):
        spec = service.spec
        if not spec.is_map:
            continue
        selector = spec.get("selector").plain()
        namespace = service.namespace_or_default
        key = (namespace, json.dumps(selector, sort_keys=True, default=str))
        if key in seen:
            continue
        seen.add(key)
        pairs = map_pairs(selector)
        if not pairs:
            continue  # an empty or malformed selector selects nothing
        lists = sorted((postings.get(pair, []) for pair in pairs), key=len)
        others = [set(found) for found in lists[1:]]
        for position in lists[0]:
            workload = workloads[position]
            if (
                all(position in other for other in others)
                and workload.namespace_or_default == namespace
                and map_selector_matches(selector, labels[position])
            ):
                targeted.add(id(workload))
    return targeted


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
    if liveness is not None and readiness is not None and container.definition.is_map:
        definition = container.definition
        if definition.get("livenessProbe").plain() == definition.get("readinessProbe").plain():
            yield Violation(
                liveness.location,
                f"{who} uses the same check for liveness and readiness, so a busy pod is restarted instead of taken out of rotation",
                subject,
                workload.artifact,
                variant="probe-quality",
            )


def _kubernetes(workload: Workload, targeted_workloads: set[int]) -> Iterator[Violation]:
    if workload.kind not in LONG_RUNNING_KINDS:
        return  # Jobs, CronJobs and bare Pods are exempt
    targeted = id(workload) in targeted_workloads
    for container in workload.containers:
        if container.role not in (ContainerRole.CONTAINER, ContainerRole.SIDECAR):
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
        if targeted and container.role is ContainerRole.CONTAINER and container.probe("readiness") is None:
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
    """MD401: a HEALTHCHECK, a Compose healthcheck, or liveness/readiness probes on long-running containers,
    and each health check able to run in its image (medlint.checks.health_tools)."""
    yield from runnable_health_checks(project, params)
    targeted = _targeted(project)
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
            yield from _kubernetes(workload, targeted)


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
    service = project.index.compose_service(workload)
    final_image = project.index.final_image(service.dockerfile_path) if service is not None else None
    if final_image is not None:
        image = final_image.workload
        if _dockerfile_has_healthcheck(image):
            return
    yield Violation(
        workload.location,
        f'service "{workload.name}" has no healthcheck, and none is visible in its image',
        workload.subject,
        workload.artifact,
    )
