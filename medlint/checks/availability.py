"""Availability: MD402 replicas, MD403 disruption-tolerance, MD404 rollout-strategy, MD405 restart-and-startup-order.

These are ISO 14971 protective measures, not clause mandates (catalog §5.3 principle 6): a clinical service
must survive a pod or node failure, a node drain and a rolling update, and a Compose service must come back
after a crash and start only once its dependencies are healthy. Values that cannot be resolved (a templated
`replicas`, an unset `${RESTART}`) are reported at W through the `unresolved` variant, never passed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from medlint.checks.service_lifetime import dependencies, runs_to_completion
from medlint.findings import RelatedLocation, Violation
from medlint.model import (
    ArtifactKind,
    ComposeService,
    K8sObject,
    Location,
    Node,
    Project,
    Workload,
)
from medlint.model.selectors import label_selector_matches, namespaces_match, pdb_selects, required_pairs

CLASS_ORDER = {"A": 1, "B": 2, "C": 3}
CLASS_LABEL = "regulatory.iec62304.class"
RMF_REF_LABEL = "regulatory.iec62304.rmf-ref"
HPA_KIND = "HorizontalPodAutoscaler"
PDB_KIND = "PodDisruptionBudget"
REPLICATED_KINDS = ("Deployment", "StatefulSet", "ReplicaSet")
_PERCENT = re.compile(r"^\s*(\d+)%\s*$")


# --------------------------------------------------------------------------------------------------
# Counting replicas


@dataclass(frozen=True, slots=True)
class Count:
    """A replica count as written: `value` None when it cannot be resolved; `written` False for the default."""

    value: int | None
    written: bool
    location: Location
    text: str = ""


def _count_from(spec: Node, key: str, anchor: Location) -> Count:
    """`spec[key]` as a replica count; absent means 1 (the API default for replicas and minReplicas)."""
    entry = spec.get(key)
    if entry.plain() is None:
        return Count(1, False, anchor)
    value = entry.plain()
    if entry.integer is not None:
        return Count(entry.integer, True, entry.key_location, str(value))
    return Count(None, True, entry.key_location, str(value))


def _spec(document: Node) -> Node:
    return document.get("spec").as_map()


@dataclass(frozen=True, slots=True)
class Scaling:
    """How many pods a workload runs at least: from its HPA's minReplicas if one targets it, else `replicas`."""

    workload: Workload
    count: Count
    hpa: K8sObject | None = None


def _hpa_target(project: Project, hpa: K8sObject, kinds: tuple[str, ...] | None = None) -> Workload | None:
    """The workload an HPA's scaleTargetRef names (of `kinds`, when given), first in project order."""
    reference = hpa.spec.get("scaleTargetRef")
    kind, name = reference.get("kind").plain(), reference.get("name").plain()
    if not reference.is_map or not isinstance(kind, str) or not isinstance(name, str):
        return None
    if kinds is not None and kind not in kinds:
        return None
    for workload in project.index.workloads_by_name.get((kind, name), ()):
        if namespaces_match(workload.namespace, hpa.namespace):
            return workload
    return None


def _hpas(project: Project) -> list[K8sObject]:
    return [obj for obj in project.index.objects(HPA_KIND) if obj.document.is_map]


def _hpa_min(hpa: K8sObject) -> Count:
    return _count_from(_spec(hpa.document), "minReplicas", hpa.spec_anchor)


def _replicas_of(workload: Workload) -> Count:
    return _count_from(_spec(workload.definition), "replicas", workload.definition.key_location_of("spec"))


def scaling_of(project: Project) -> list[Scaling]:
    """The minimum scale of every Deployment, StatefulSet and ReplicaSet."""
    workloads = [w for w in project.index.kubernetes_workloads if w.kind in REPLICATED_KINDS]
    by_target: dict[int, K8sObject] = {}
    for hpa in _hpas(project):
        target = _hpa_target(project, hpa, REPLICATED_KINDS)
        if target is not None:
            by_target.setdefault(id(target), hpa)
    result = []
    for workload in workloads:
        target_hpa = by_target.get(id(workload))
        count = _hpa_min(target_hpa) if target_hpa is not None else _replicas_of(workload)
        result.append(Scaling(workload, count, target_hpa))
    return result


# --------------------------------------------------------------------------------------------------
# Markers and classes


def _markers(document: Node, template_labels: Mapping[str, str] | None = None) -> dict[str, str]:
    """Labels and annotations of an object, plus its pod template's labels, for marker and class lookups."""
    found = dict(template_labels or {})
    found.update(document.at("metadata", "annotations").string_map())
    found.update(document.at("metadata", "labels").string_map())
    return found


def _workload_markers(workload: Workload) -> dict[str, str]:
    return _markers(workload.definition, workload.pod.labels if workload.pod is not None else {})


def _has_marker(markers: Mapping[str, str], key: str, values: tuple[str, ...]) -> bool:
    return key in markers and markers[key].strip().lower() in values


def system_class(project: Project, params: Mapping[str, Any]) -> str:
    """The configured class when the engine passes it, else the highest declared class, else C (62304 4.3)."""
    configured = str(params.get("safety_class") or "").upper()
    if configured in CLASS_ORDER:
        return configured
    declared = [d.value for d in project.class_declarations if d.value in CLASS_ORDER]
    return max(declared, key=CLASS_ORDER.__getitem__) if declared else "C"


def item_class(markers: Mapping[str, str], default: str) -> str:
    """An item's own class counts only with an rmf-ref justification (catalog §5.1); else the system class."""
    own = markers.get(CLASS_LABEL, "").strip()
    if own in CLASS_ORDER and markers.get(RMF_REF_LABEL, "").strip():
        return own
    return default


# --------------------------------------------------------------------------------------------------
# MD402


def _in_replica_scope(markers: Mapping[str, str], params: Mapping[str, Any], default_class: str) -> bool:
    """Marked availability-critical, or of a class at or above the configured threshold."""
    key = str(params.get("critical_marker_key") or "regulatory.availability")
    values = tuple(str(v).lower() for v in params.get("critical_marker_values") or ("critical",))
    threshold = str(params.get("class_threshold") or "B").upper()
    if _has_marker(markers, key, values):
        return True
    return CLASS_ORDER[item_class(markers, default_class)] >= CLASS_ORDER.get(threshold, CLASS_ORDER["B"])


def _replica_violation(
    subject_obj: str,
    count: Count,
    what: str,
    subject: str,
    artifact: ArtifactKind,
    related: tuple[RelatedLocation, ...] = (),
) -> Violation | None:
    if count.value is None:
        return Violation(
            count.location,
            f'{subject_obj} has a {what} that cannot be resolved ("{count.text}")',
            subject,
            artifact,
            variant="unresolved",
            related=related,
        )
    if count.value >= 2:
        return None
    written = f"{what}: {count.value}" if count.written else f"no {what} (default 1)"
    return Violation(
        count.location,
        f"{subject_obj} runs with {written}, so one pod or node failure interrupts the "
        "service; run at least 2",
        subject,
        artifact,
        related=related,
    )


def replicas(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD402: availability-critical (or high-class) Deployments and StatefulSets need at least 2 replicas."""
    default_class = system_class(project, params)
    workloads = [w for w in project.index.kubernetes_workloads if w.kind in ("Deployment", "StatefulSet")]
    targeted: set[int] = set()
    for hpa in _hpas(project):
        target = _hpa_target(project, hpa)
        if target is not None:
            targeted.add(id(target))
        markers = _workload_markers(target) if target is not None else _markers(hpa.document)
        if not _in_replica_scope(markers, params, default_class):
            continue
        scaled = f"{hpa.subject} (scaling {target.subject})" if target is not None else hpa.subject
        violation = _replica_violation(
            scaled, _hpa_min(hpa), "minReplicas", f"{hpa.subject}/minReplicas", hpa.artifact
        )
        if violation is not None:
            yield violation
    for workload in workloads:
        if id(workload) in targeted:
            continue  # its HPA's minReplicas decides, checked above
        if not _in_replica_scope(_workload_markers(workload), params, default_class):
            continue
        count = _replicas_of(workload)
        violation = _replica_violation(
            workload.subject, count, "replicas", f"{workload.subject}/replicas", workload.artifact
        )
        if violation is not None:
            yield violation


# --------------------------------------------------------------------------------------------------
# MD403


@dataclass(frozen=True, slots=True)
class IntOrPercent:
    """A PDB or rolling-update bound: an absolute number, or a percentage of the replicas."""

    number: int
    percent: bool

    def scaled(self, total: int, round_up: bool) -> int:
        if not self.percent:
            return self.number
        exact = self.number * total / 100
        return math.ceil(exact) if round_up else math.floor(exact)


def int_or_percent(value: Any) -> IntOrPercent | None:
    """An IntOrString value; None when it is neither an integer nor `N%` (e.g. an unrendered template)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return IntOrPercent(value, False)
    match = _PERCENT.match(str(value)) if isinstance(value, str) else None
    return IntOrPercent(int(match.group(1)), True) if match else None


def _pdb_selections(project: Project, pdbs: list[K8sObject]) -> list[frozenset[int]]:
    """For each PDB, the ids of the Kubernetes workloads whose pods it covers. PDBs with the same namespace,
    API version and selector cover the same pods, so each such group is matched once, through the index."""
    groups: dict[tuple[Any, ...], frozenset[int]] = {}
    selections = []
    for pdb in pdbs:
        selector = pdb.spec.get("selector").plain()
        key = (pdb.namespace, pdb.api_version, json.dumps(selector, sort_keys=True, default=str))
        if key not in groups:
            candidates = project.index.selector_candidates(required_pairs(selector))
            groups[key] = frozenset(id(w) for w in candidates if pdb_selects(pdb, w))
        selections.append(groups[key])
    return selections


def _pdb_total(selected: frozenset[int], scalings: list[Scaling]) -> int | None:
    """The minimum number of pods a PDB covers, when every workload it selects has a resolvable count."""
    covered = [s for s in scalings if id(s.workload) in selected]
    if not covered or any(s.count.value is None for s in covered):
        return None
    return sum(s.count.value or 0 for s in covered)


def _pdb_findings(pdb: K8sObject, total: int | None) -> Iterator[Violation]:
    spec = _spec(pdb.document)
    subject = f"{pdb.subject}/budget"
    for key in ("minAvailable", "maxUnavailable"):
        if key not in spec:
            continue
        where = spec.key_location_of(key)
        written = spec.get(key).plain()
        bound = int_or_percent(written)
        if bound is None:
            yield Violation(
                where,
                f'{pdb.subject} has a {key} that cannot be resolved ("{written}")',
                subject,
                pdb.artifact,
                variant="unresolved",
            )
        elif key == "minAvailable" and bound.number == 0:
            yield Violation(
                where,
                f"{pdb.subject} sets minAvailable: {written}, so it allows evicting every pod",
                subject,
                pdb.artifact,
            )
        elif key == "maxUnavailable" and (
            (bound.percent and bound.number >= 100)
            or (total is not None and bound.scaled(total, round_up=True) >= total)
        ):
            of = "" if bound.percent and bound.number >= 100 else f" of {total} replica(s)"
            yield Violation(
                where,
                f"{pdb.subject} sets maxUnavailable: {written}{of}, so it allows evicting every pod",
                subject,
                pdb.artifact,
            )


def _spread_keys(params: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(
        params.get("spread_topology_keys")
        or ("kubernetes.io/hostname", "topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")
    )


def _term_spreads_own_pods(term: Node, own_labels: Mapping[str, str], keys: tuple[str, ...]) -> bool:
    """A spread constraint or anti-affinity term on an allowed topology key that selects the workload's pods."""
    if not term.is_map or term.get("topologyKey").plain() not in keys:
        return False
    selector = term.get("labelSelector").plain()
    if selector is None:
        return bool(term.get("matchLabelKeys"))  # pods sharing the listed label values: the workload's own
    return label_selector_matches(selector, own_labels)


def spreads_pods(workload: Workload, keys: tuple[str, ...]) -> bool:
    """topologySpreadConstraints, or required or preferred podAntiAffinity, across nodes (or zones)."""
    if workload.pod is None:
        return True  # MD002 reports the missing template
    pod_spec, own = workload.pod.node, workload.pod.labels
    if any(
        _term_spreads_own_pods(c, own, keys) for c in pod_spec.get("topologySpreadConstraints").elements()
    ):
        return True
    anti = pod_spec.at("affinity", "podAntiAffinity")
    if not anti.is_map:
        return False
    terms = anti.get("requiredDuringSchedulingIgnoredDuringExecution").elements()
    terms += [
        item.get("podAffinityTerm")
        for item in anti.get("preferredDuringSchedulingIgnoredDuringExecution").elements()
        if item.is_map
    ]
    return any(_term_spreads_own_pods(term, own, keys) for term in terms)


def _pod_spec_anchor(workload: Workload) -> Location:
    return workload.pod.location if workload.pod is not None else workload.location


def _workload_findings(scaling: Scaling, covered: bool, params: Mapping[str, Any]) -> Iterator[Violation]:
    workload, count = scaling.workload, scaling.count
    if count.value is None:
        if not covered:
            yield Violation(
                count.location,
                f"{workload.subject} has a replica count that cannot be resolved "
                f'("{count.text}"); if it runs several pods, add a PodDisruptionBudget',
                f"{workload.subject}/pdb",
                workload.artifact,
                variant="unresolved",
            )
        return
    if count.value < 2:
        return
    source = (
        f"minReplicas {count.value} in {scaling.hpa.subject}" if scaling.hpa else f"{count.value} replicas"
    )
    if not covered:
        yield Violation(
            workload.location,
            f"{workload.subject} runs {source} but no PodDisruptionBudget selects its "
            "pods, so a node drain may evict all of them at once",
            f"{workload.subject}/pdb",
            workload.artifact,
        )
    if not spreads_pods(workload, _spread_keys(params)):
        yield Violation(
            _pod_spec_anchor(workload),
            f"{workload.subject} runs {source} without topologySpreadConstraints "
            "or podAntiAffinity across nodes, so they may all land on one node",
            f"{workload.subject}/spreading",
            workload.artifact,
            variant="spreading",
        )


def disruption_tolerance(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD403: multi-replica workloads need a PDB and spreading; a PDB must not allow evicting every pod."""
    scalings = scaling_of(project)
    pdbs = [obj for obj in project.index.objects(PDB_KIND) if obj.document.is_map]
    selections = _pdb_selections(project, pdbs)
    covered = frozenset().union(*selections)
    for scaling in scalings:
        yield from _workload_findings(scaling, id(scaling.workload) in covered, params)
    for pdb, selected in zip(pdbs, selections):
        yield from _pdb_findings(pdb, _pdb_total(selected, scalings))


# --------------------------------------------------------------------------------------------------
# MD404

DEPLOYMENT_DEFAULT_BOUND = IntOrPercent(25, True)


def _is_stateless(workload: Workload, params: Mapping[str, Any]) -> bool:
    """No PVC volume, no volumeClaimTemplates, no persistent-data marker (catalog decision)."""
    key = str(params.get("persistent_marker_key") or "regulatory.data")
    values = tuple(str(v).lower() for v in params.get("persistent_marker_values") or ("persistent",))
    if _has_marker(_workload_markers(workload), key, values):
        return False
    if _spec(workload.definition).get("volumeClaimTemplates"):
        return False
    volumes = workload.pod.volumes if workload.pod is not None else ()
    return not any("persistentVolumeClaim" in volume.sources for volume in volumes)


def _max_unavailable_findings(
    workload: Workload, rolling: Node, replicas: Count, round_up: bool
) -> Iterator[Violation]:
    """`maxUnavailable` that lets every pod go down at once, and the invalid 0/0 surge combination."""
    subject = f"{workload.subject}/maxUnavailable"
    unavailable_raw, surge_raw = rolling.get("maxUnavailable").plain(), rolling.get("maxSurge").plain()
    where = rolling.key_location_of("maxUnavailable")
    unavailable = DEPLOYMENT_DEFAULT_BOUND if unavailable_raw is None else int_or_percent(unavailable_raw)
    surge = DEPLOYMENT_DEFAULT_BOUND if surge_raw is None else int_or_percent(surge_raw)
    if unavailable is None:
        yield Violation(
            where,
            f'{workload.subject} has a maxUnavailable that cannot be resolved ("{unavailable_raw}")',
            subject,
            workload.artifact,
            variant="unresolved",
        )
        return
    if workload.kind == "Deployment" and unavailable.number == 0 and surge is not None and surge.number == 0:
        yield Violation(
            where,
            f"{workload.subject} sets maxUnavailable: 0 together with maxSurge: 0, which the API "
            "rejects: the rollout could never make progress",
            subject,
            workload.artifact,
            variant="invalid-surge",
        )
        return
    if unavailable_raw is None:
        return  # the defaults (25 %) never take every pod down
    total = replicas.value
    if (unavailable.percent and unavailable.number >= 100) or (
        total is not None and unavailable.scaled(total, round_up) >= total
    ):
        of = "" if unavailable.percent and unavailable.number >= 100 else f" with {total} replica(s)"
        yield Violation(
            where,
            f"{workload.subject} sets maxUnavailable: {unavailable_raw}{of}, so an update may take "
            "every pod down at once",
            subject,
            workload.artifact,
        )


def _progress_findings(workload: Workload, spec: Node) -> Iterator[Violation]:
    missing = []
    if not spec.get("minReadySeconds"):
        missing.append("minReadySeconds")
    if workload.kind == "Deployment" and "progressDeadlineSeconds" not in spec:
        missing.append("progressDeadlineSeconds")
    if missing:
        yield Violation(
            workload.definition.key_location_of("spec"),
            f"{workload.subject} sets no {' and no '.join(missing)}, "
            "so a crashing new version may count as ready and a stuck rollout is not reported",
            f"{workload.subject}/progress",
            workload.artifact,
            variant="progress",
        )


def _deployment_findings(
    workload: Workload, replicas: Count, params: Mapping[str, Any]
) -> Iterator[Violation]:
    spec = _spec(workload.definition)
    strategy = spec.get("strategy").as_map()
    kind = strategy.get("type").plain() or "RollingUpdate"
    if kind == "Recreate":
        if _is_stateless(workload, params):
            yield Violation(
                strategy.key_location_of("type"),
                f"{workload.subject} uses strategy Recreate "
                "although it keeps no persistent volume, so every update stops the service",
                f"{workload.subject}/strategy",
                workload.artifact,
            )
    else:
        rolling = strategy.get("rollingUpdate").as_map()
        yield from _max_unavailable_findings(workload, rolling, replicas, round_up=False)


def _statefulset_findings(workload: Workload, replicas: Count) -> Iterator[Violation]:
    spec = _spec(workload.definition)
    strategy = spec.get("updateStrategy").as_map()
    if strategy.get("type").plain() == "OnDelete":
        yield Violation(
            strategy.key_location_of("type"),
            f"{workload.subject} uses updateStrategy OnDelete, so updates wait for manual pod deletion",
            f"{workload.subject}/strategy",
            workload.artifact,
            variant="on-delete",
        )
        return
    rolling = strategy.get("rollingUpdate")
    if rolling.is_map and "maxUnavailable" in rolling:
        yield from _max_unavailable_findings(workload, rolling, replicas, round_up=True)


def rollout_strategy(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD404: updates must keep the service up and report stuck rollouts."""
    for scaling in scaling_of(project):
        workload = scaling.workload
        if workload.kind == "Deployment":
            yield from _deployment_findings(workload, scaling.count, params)
        elif workload.kind == "StatefulSet":
            yield from _statefulset_findings(workload, scaling.count)
        else:
            continue
        yield from _progress_findings(workload, _spec(workload.definition))


# --------------------------------------------------------------------------------------------------
# MD405

_RESTARTING = ("always", "unless-stopped", "on-failure")
_SAFE_CONDITIONS = ("service_healthy", "service_completed_successfully")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "no" if value is False else "yes"  # PyYAML reads `restart: no` as false; Compose reads "no"
    return "" if value is None else str(value).strip()


def _restart_problem(service: ComposeService) -> tuple[Location, str] | None:
    """Where and why a service will not be restarted; None when `restart` or `deploy.restart_policy` covers it."""
    definition = service.definition
    if "restart" in definition:
        restart = definition.get("restart")
        record = restart.interpolation
        text = _text(restart.plain()).lower()
        if record is not None and not record.resolved:
            return (
                restart.key_location,
                f"sets restart from unset variable(s) {', '.join(record.unresolved_names)}",
            )
        if text.split(":")[0] in _RESTARTING:
            return None
        return restart.key_location, f'sets restart: "{text or "no"}"'
    policy = definition.at("deploy", "restart_policy")
    if policy.is_map:
        condition = _text(policy.get("condition").plain()).lower() or "any"
        if condition in ("any", "on-failure"):
            return None
        return policy.key_location_of("condition"), f'sets deploy.restart_policy.condition: "{condition}"'
    return service.location, "sets no restart policy"


def _declared_one_shot(service: ComposeService, params: Mapping[str, Any]) -> bool:
    """The one-shot label, a Compose job mode, or an on-demand (profile-only) service that opts out of restarts."""
    definition = service.definition
    key = str(params.get("one_shot_marker_key") or "regulatory.lifecycle")
    values = tuple(str(v).lower() for v in params.get("one_shot_marker_values") or ("one-shot",))
    labels = {name: located.value for name, located in service.workload.labels.items()}
    if _has_marker(labels, key, values):
        return True
    if _text(definition.at("deploy", "mode").plain()) in ("replicated-job", "global-job"):
        return True
    return (
        bool(definition.get("profiles"))
        and "restart" in definition
        and _text(definition.get("restart").plain()).lower() == "no"
    )


def _service_findings(
    service: ComposeService, completed: set[str], running: set[str], params: Mapping[str, Any]
) -> Iterator[Violation]:
    subject = service.workload.subject
    if not runs_to_completion(service, completed, running, _declared_one_shot(service, params)):
        problem = _restart_problem(service)
        if problem is not None:
            where, why = problem
            yield Violation(
                where,
                f'service "{service.name}" {why}, so it stays down after a crash or a host reboot',
                f"{subject}/restart",
                ArtifactKind.COMPOSE,
                variant="restart",
            )
    for dependency in service.depends_on:
        name, condition, where = dependency.service, dependency.condition, dependency.location
        if condition in _SAFE_CONDITIONS:
            continue
        how = f"condition {condition}" if condition else "no condition"
        yield Violation(
            where,
            f'service "{service.name}" depends on "{name}" with {how}, so it may start before '
            f'"{name}" is healthy; use condition: service_healthy',
            f"{subject}/depends_on:{name}",
            ArtifactKind.COMPOSE,
            variant="startup-order",
        )


def restart_and_startup_order(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD405: Compose services restart after failures and wait for healthy dependencies."""
    for compose in project.compose_projects:
        completed, running = dependencies(compose)
        for service in compose.services:
            yield from _service_findings(service, completed, running, params)
