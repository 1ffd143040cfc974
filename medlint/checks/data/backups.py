"""MD702 backup: every record store has a backup job or schedule, run safely and within the RPO."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from medlint.checks.data.cron import largest_gap
from medlint.checks.data.stores import (
    STORE_WORKLOAD_KINDS,
    Stores,
    data_store_table,
    has_label,
    is_persistent_store,
    stateful_services,
)
from medlint.findings import Violation
from medlint.model import ArtifactKind, ComposeService, ImageRef, K8sObject, Location, Project, Workload

BACKUP_MARKER = ("regulatory.backup", "true")


def _workloads(project: Project, kinds: tuple[str, ...]) -> list[Workload]:
    return [w for w in project.index.kubernetes_workloads if w.kind in kinds]


BACKUP_TOOLS = re.compile(
    r"(?<![\w-])(pg_dump|pg_dumpall|pg_basebackup|pgbackrest|mysqldump|mariadb-dump|mariabackup|xtrabackup|mongodump|"
    r"velero|restic|borg|wal-g|barman|etcdctl\s+snapshot|redis-cli\s+.*--rdb)(?![\w-])"
)


def _mentions_backup_tool(texts: Iterable[str]) -> bool:
    return any(BACKUP_TOOLS.search(text) for text in texts)


def _image_is_backup(image: ImageRef | None) -> bool:
    return image is not None and (
        "backup" in image.repository.lower() or "velero" in image.repository.lower()
    )


# -- Compose


def _is_backup_service(service: ComposeService) -> bool:
    """A service that backs data up: by marker label, name, image, command or scheduler labels (ofelia...)."""
    workload = service.workload
    container = workload.containers[0]
    if (
        has_label(workload.labels, BACKUP_MARKER)
        or "backup" in service.name.lower()
        or _image_is_backup(container.image)
    ):
        return True
    texts = [w.value for w in (*container.command, *container.args)]
    texts += [label.value for label in workload.labels.values()]
    return _mentions_backup_tool(texts)


def _compose_backup(project: Project, external: set[str], stores: Stores) -> Iterator[Violation]:
    for compose in project.compose_projects:
        backed_up = any(_is_backup_service(service) for service in compose.services)
        for stateful in stateful_services(project, compose, stores):
            service = stateful.service
            if backed_up or service.name in external or _is_backup_service(service):
                continue
            what = stateful.store.name if stateful.store else "stateful"
            yield Violation(
                service.workload.location,
                f'{what} service "{service.name}" has no backup service or job in {compose.path} '
                "and no declared external backup",
                f"{service.workload.subject}/backup",
                service.workload.artifact,
            )


# -- Kubernetes: which jobs back up which namespaces


def _cronjob_texts(workload: Workload) -> list[str]:
    return [word.value for container in workload.containers for word in (*container.command, *container.args)]


def is_backup_cronjob(workload: Workload) -> bool:
    """A CronJob marked `regulatory.backup: "true"`, or one running a backup tool (pg_dump, velero, ...)."""
    if workload.kind != "CronJob":
        return False
    pod_labels = workload.pod.labels if workload.pod is not None else {}
    if has_label(workload.labels, BACKUP_MARKER) or has_label(pod_labels, BACKUP_MARKER):
        return True
    annotations = workload.definition.at("metadata", "annotations").string_map()
    if has_label(annotations, BACKUP_MARKER):
        return True
    return _mentions_backup_tool(_cronjob_texts(workload)) or any(
        _image_is_backup(c.image) for c in workload.containers
    )


def _suspended(workload: Workload) -> bool:
    return workload.definition.at("spec", "suspend").is_true


def _velero_covers(schedule: K8sObject, namespace: str) -> bool:
    spec = schedule.spec.as_map()
    if spec.get("paused").is_true:
        return False
    template = spec.get("template").as_map()
    included = [str(n) for n in template.get("includedNamespaces").plain() or ()]
    excluded = [str(n) for n in template.get("excludedNamespaces").plain() or ()]
    return (not included or "*" in included or namespace in included) and namespace not in excluded


def _backed_up_namespaces(project: Project) -> set[str]:
    namespaces = {
        w.namespace_or_default
        for w in _workloads(project, ("CronJob",))
        if is_backup_cronjob(w) and not _suspended(w)
    }
    all_namespaces = {w.namespace_or_default for w in project.workloads} | {
        o.namespace_or_default for o in project.k8s_objects
    }
    for schedule in project.index.objects("Schedule", "velero.io/"):
        namespaces.update(n for n in all_namespaces if _velero_covers(schedule, n))
    return namespaces


def _k8s_store_backup(project: Project, external: set[str], stores: Stores) -> Iterator[Violation]:
    covered = _backed_up_namespaces(project)
    for workload in _workloads(project, STORE_WORKLOAD_KINDS):
        if not is_persistent_store(workload, stores) or workload.namespace_or_default in covered:
            continue
        if {workload.name, workload.subject} & external:
            continue
        yield Violation(
            workload.location,
            f"{workload.subject} keeps records, but no backup CronJob or Velero Schedule covers "
            f"{workload.namespace_description}",
            f"{workload.subject}/backup",
            workload.artifact,
        )


# -- Kubernetes: backup job safety settings and schedule


def _cronjob_settings(workload: Workload) -> Iterator[Violation]:
    spec = workload.definition.get("spec").as_map()
    job_spec = spec.at("jobTemplate", "spec").as_map()
    spec_anchor = workload.definition.key_location_of("spec")
    job_anchor = spec.get("jobTemplate").key_location_of("spec") if job_spec else spec_anchor
    #: (what the location is, for a line-independent subject) -> location and what is missing there.
    problems: dict[str, tuple[Location, list[str]]] = {}
    policy = spec.get("concurrencyPolicy").plain()
    if policy != "Forbid":
        where = ("concurrencyPolicy", spec.location_of("concurrencyPolicy")) if policy is not None else None
        name, location = where or ("spec", spec_anchor)
        problems.setdefault(name, (location, []))[1].append(
            f"concurrencyPolicy: {policy}" if policy is not None else "no concurrencyPolicy: Forbid"
        )
    if "startingDeadlineSeconds" not in spec:
        problems.setdefault("spec", (spec_anchor, []))[1].append("no startingDeadlineSeconds")
    for key in ("activeDeadlineSeconds", "backoffLimit"):
        if key not in job_spec:
            name = "jobTemplate.spec" if job_spec else "spec"
            problems.setdefault(name, (job_anchor, []))[1].append(f"no {key} in jobTemplate.spec")
    for name, (location, missing) in problems.items():
        yield Violation(
            location,
            f"backup {workload.subject} has {', '.join(missing)}, so overlapping, late or hung runs go unnoticed",
            f"{workload.subject}/settings:{name}",
            workload.artifact,
        )


def _schedule_violation(
    owner: str,
    schedule: Any,
    time_zone: Any,
    location: Location,
    subject: str,
    artifact: ArtifactKind,
    rpo_hours: float,
    today: datetime.date,
) -> Violation | None:
    if not isinstance(schedule, str) or not schedule.strip():
        return None
    gap = largest_gap(schedule, str(time_zone) if time_zone else None, today)
    if gap is None:
        return None  # not a schedule medlint can read; MD002 judges validity
    if gap == datetime.timedelta.max:
        return Violation(location, f'backup {owner} schedule "{schedule}" never runs', subject, artifact)
    hours = gap.total_seconds() / 3600
    if hours <= rpo_hours:
        return None
    zone = f" in {time_zone}" if time_zone else ""
    return Violation(
        location,
        f'backup {owner} schedule "{schedule}"{zone} leaves up to {hours:g} h between runs, '
        f"more than the RPO of {rpo_hours:g} h",
        subject,
        artifact,
    )


def _k8s_backup_jobs(project: Project, rpo_hours: float, today: datetime.date) -> Iterator[Violation]:
    for workload in _workloads(project, ("CronJob",)):
        if not is_backup_cronjob(workload) or _suspended(workload):
            continue
        yield from _cronjob_settings(workload)
        spec = workload.definition.get("spec")
        if spec.is_map and "schedule" in spec:
            violation = _schedule_violation(
                workload.subject,
                spec.get("schedule").plain(),
                spec.get("timeZone").plain(),
                spec.location_of("schedule"),
                f"{workload.subject}/rpo",
                workload.artifact,
                rpo_hours,
                today,
            )
            if violation is not None:
                yield violation
    for schedule in project.index.objects("Schedule", "velero.io/"):
        spec = schedule.spec
        if not spec.is_map or spec.get("paused").is_true or "schedule" not in spec:
            continue
        violation = _schedule_violation(
            f"Velero {schedule.subject}",
            spec.get("schedule").plain(),
            None,
            spec.location_of("schedule"),
            f"{schedule.subject}/rpo",
            schedule.artifact,
            rpo_hours,
            today,
        )
        if violation is not None:
            yield violation


def backup(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD702: every record store has a backup job or schedule, run safely and within the RPO."""
    external = {str(name) for name in params.get("external_backups") or ()}
    rpo_hours = float(params.get("rpo_hours") or 24)
    today = params.get("today") or datetime.date.today()
    stores = data_store_table(params)
    yield from _compose_backup(project, external, stores)
    yield from _k8s_store_backup(project, external, stores)
    yield from _k8s_backup_jobs(project, rpo_hours, today)
