"""Availability: MD402 replicas, MD403 disruption-tolerance, MD404 rollout-strategy, MD405 restart-and-startup-order.

These are ISO 14971 protective measures, not clause mandates (catalog §5.3 principle 6): a clinical service
must survive a pod or node failure, a node drain and a rolling update, and a Compose service must come back
after a crash and start only once its dependencies are healthy. Values that cannot be resolved (a templated
`replicas`, an unset `${RESTART}`) are reported at W through the `unresolved` variant, never passed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from medlint.findings import RelatedLocation, Violation
from medlint.model import ArtifactKind, ComposeProject, ComposeService, K8sObject, Project, Workload
from medlint.model.compose_positions import SourcedMap, compose_key_location, compose_value_location
from medlint.model.interpolation import interpolation_of
from medlint.model.kubernetes import POD_SPEC_PATHS, get_path
from medlint.model.selectors import (
    as_label_map,
    label_selector_matches,
    namespaces_match,
    pdb_selects,
    pod_template_labels,
)
from medlint.source import Location, YamlMap, key_location

CLASS_ORDER = {"A": 1, "B": 2, "C": 3}
CLASS_LABEL = "regulatory.iec62304.class"
RMF_REF_LABEL = "regulatory.iec62304.rmf-ref"
HPA_KIND = "HorizontalPodAutoscaler"
PDB_KIND = "PodDisruptionBudget"
REPLICATED_KINDS = ("Deployment", "StatefulSet", "ReplicaSet")
_PERCENT = re.compile(r"^\s*(\d+)%\s*$")


def _artifact(obj: K8sObject | Workload) -> ArtifactKind:
    if isinstance(obj, Workload):
        return obj.artifact
    return ArtifactKind.HELM if obj.rendered_from else ArtifactKind.KUBERNETES


def _is_kubernetes(workload: Workload) -> bool:
    return workload.artifact in (ArtifactKind.KUBERNETES, ArtifactKind.HELM)


def _spec(body: Any) -> Mapping[str, Any]:
    spec = body.get("spec") if isinstance(body, Mapping) else None
    return spec if isinstance(spec, Mapping) else {}


def _mapping_at(node: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """`node[key]` when it is a mapping, else an empty one (a missing or malformed block)."""
    value = node.get(key)
    return value if isinstance(value, Mapping) else YamlMap()


def _spec_anchor(path: str, body: Any) -> Location:
    """Where a missing `spec.*` field belongs: the `spec:` key (or the object when it has none)."""
    return key_location(path, body, "spec")


# --------------------------------------------------------------------------------------------------
# Counting replicas


@dataclass(frozen=True, slots=True)
class Count:
    """A replica count as written: `value` None when it cannot be resolved; `written` False for the default."""

    value: int | None
    written: bool
    location: Location
    text: str = ""


def _count_from(path: str, spec: Mapping[str, Any], key: str, anchor: Location) -> Count:
    """`spec[key]` as a replica count; absent means 1 (the API default for replicas and minReplicas)."""
    if key not in spec or spec.get(key) is None:
        return Count(1, False, anchor)
    value = spec[key]
    location = key_location(path, spec, key)
    if isinstance(value, int) and not isinstance(value, bool):
        return Count(value, True, location, str(value))
    return Count(None, True, location, str(value))


@dataclass(frozen=True, slots=True)
class Scaling:
    """How many pods a workload runs at least: from its HPA's minReplicas if one targets it, else `replicas`."""

    workload: Workload
    count: Count
    hpa: K8sObject | None = None


def _hpa_target(hpa: K8sObject, workloads: list[Workload]) -> Workload | None:
    reference = get_path(hpa.body, ("spec", "scaleTargetRef"))
    if not isinstance(reference, Mapping):
        return None
    for workload in workloads:
        if (
            workload.kind == reference.get("kind")
            and workload.name == reference.get("name")
            and namespaces_match(workload.namespace, hpa.namespace)
        ):
            return workload
    return None


def _hpas(project: Project) -> list[K8sObject]:
    return [obj for obj in project.k8s_objects if obj.kind == HPA_KIND and isinstance(obj.body, Mapping)]


def _hpa_min(hpa: K8sObject) -> Count:
    return _count_from(hpa.path, _spec(hpa.body), "minReplicas", _spec_anchor(hpa.path, hpa.body))


def scaling_of(project: Project) -> list[Scaling]:
    """The minimum scale of every Deployment, StatefulSet and ReplicaSet."""
    workloads = [w for w in project.workloads if _is_kubernetes(w) and w.kind in REPLICATED_KINDS]
    by_target: dict[int, K8sObject] = {}
    for hpa in _hpas(project):
        target = _hpa_target(hpa, workloads)
        if target is not None:
            by_target.setdefault(id(target), hpa)
    result = []
    for workload in workloads:
        target_hpa = by_target.get(id(workload))
        count = (
            _hpa_min(target_hpa)
            if target_hpa is not None
            else _count_from(
                workload.path, _spec(workload.raw), "replicas", _spec_anchor(workload.path, workload.raw)
            )
        )
        result.append(Scaling(workload, count, target_hpa))
    return result


# --------------------------------------------------------------------------------------------------
# Markers and classes


def _markers(body: Any, template_labels: Mapping[str, str] | None = None) -> dict[str, str]:
    """Labels and annotations of an object, plus its pod template's labels, for marker and class lookups."""
    found = dict(template_labels or {})
    found.update(as_label_map(get_path(body, ("metadata", "annotations"))))
    found.update(as_label_map(get_path(body, ("metadata", "labels"))))
    return found


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
    workloads = [
        w for w in project.workloads if _is_kubernetes(w) and w.kind in ("Deployment", "StatefulSet")
    ]
    targeted: set[int] = set()
    for hpa in _hpas(project):
        target = _hpa_target(hpa, [w for w in project.workloads if _is_kubernetes(w)])
        if target is not None:
            targeted.add(id(target))
        markers = (
            _markers(target.raw, pod_template_labels(target)) if target is not None else _markers(hpa.body)
        )
        if not _in_replica_scope(markers, params, default_class):
            continue
        scaled = f"{hpa.subject} (scaling {target.subject})" if target is not None else hpa.subject
        violation = _replica_violation(
            scaled, _hpa_min(hpa), "minReplicas", f"{hpa.subject}/minReplicas", _artifact(hpa)
        )
        if violation is not None:
            yield violation
    for workload in workloads:
        if id(workload) in targeted:
            continue  # its HPA's minReplicas decides, checked above
        if not _in_replica_scope(
            _markers(workload.raw, pod_template_labels(workload)), params, default_class
        ):
            continue
        count = _count_from(
            workload.path, _spec(workload.raw), "replicas", _spec_anchor(workload.path, workload.raw)
        )
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


def _pdb_total(pdb: K8sObject, scalings: list[Scaling]) -> int | None:
    """The minimum number of pods a PDB covers, when every workload it selects has a resolvable count."""
    selected = [s for s in scalings if pdb_selects(pdb, s.workload)]
    if not selected or any(s.count.value is None for s in selected):
        return None
    return sum(s.count.value or 0 for s in selected)


def _pdb_findings(pdb: K8sObject, total: int | None) -> Iterator[Violation]:
    spec = _spec(pdb.body)
    subject = f"{pdb.subject}/budget"
    for key in ("minAvailable", "maxUnavailable"):
        if key not in spec:
            continue
        where = key_location(pdb.path, spec, key)
        bound = int_or_percent(spec[key])
        if bound is None:
            yield Violation(
                where,
                f'{pdb.subject} has a {key} that cannot be resolved ("{spec[key]}")',
                subject,
                _artifact(pdb),
                variant="unresolved",
            )
        elif key == "minAvailable" and bound.number == 0:
            yield Violation(
                where,
                f"{pdb.subject} sets minAvailable: {spec[key]}, so it allows evicting every pod",
                subject,
                _artifact(pdb),
            )
        elif key == "maxUnavailable" and (
            (bound.percent and bound.number >= 100)
            or (total is not None and bound.scaled(total, round_up=True) >= total)
        ):
            of = "" if bound.percent and bound.number >= 100 else f" of {total} replica(s)"
            yield Violation(
                where,
                f"{pdb.subject} sets maxUnavailable: {spec[key]}{of}, so it allows evicting every pod",
                subject,
                _artifact(pdb),
            )


def _spread_keys(params: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(
        params.get("spread_topology_keys")
        or ("kubernetes.io/hostname", "topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")
    )


def _term_spreads_own_pods(term: Any, own_labels: Mapping[str, str], keys: tuple[str, ...]) -> bool:
    """A spread constraint or anti-affinity term on an allowed topology key that selects the workload's pods."""
    if not isinstance(term, Mapping) or term.get("topologyKey") not in keys:
        return False
    if term.get("labelSelector") is None:
        return bool(term.get("matchLabelKeys"))  # pods sharing the listed label values: the workload's own
    return label_selector_matches(term.get("labelSelector"), own_labels)


def spreads_pods(workload: Workload, keys: tuple[str, ...]) -> bool:
    """topologySpreadConstraints, or required or preferred podAntiAffinity, across nodes (or zones)."""
    pod_spec = get_path(workload.raw, POD_SPEC_PATHS[workload.kind])
    if not isinstance(pod_spec, Mapping):
        return True  # MD002 reports the missing template
    own = pod_template_labels(workload)
    constraints = pod_spec.get("topologySpreadConstraints")
    if isinstance(constraints, list) and any(_term_spreads_own_pods(c, own, keys) for c in constraints):
        return True
    anti = get_path(pod_spec, ("affinity", "podAntiAffinity"))
    if not isinstance(anti, Mapping):
        return False
    required = anti.get("requiredDuringSchedulingIgnoredDuringExecution")
    preferred = anti.get("preferredDuringSchedulingIgnoredDuringExecution")
    terms = list(required) if isinstance(required, list) else []
    terms += (
        [item.get("podAffinityTerm") for item in preferred if isinstance(item, Mapping)]
        if isinstance(preferred, list)
        else []
    )
    return any(_term_spreads_own_pods(term, own, keys) for term in terms)


def _pod_spec_anchor(workload: Workload) -> Location:
    template = get_path(workload.raw, POD_SPEC_PATHS[workload.kind][:-1])
    return (
        key_location(workload.path, template, "spec") if isinstance(template, YamlMap) else workload.location
    )


def _workload_findings(
    scaling: Scaling, pdbs: list[K8sObject], params: Mapping[str, Any]
) -> Iterator[Violation]:
    workload, count = scaling.workload, scaling.count
    covered = any(pdb_selects(pdb, workload) for pdb in pdbs)
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
    pdbs = [obj for obj in project.k8s_objects if obj.kind == PDB_KIND and isinstance(obj.body, Mapping)]
    for scaling in scalings:
        yield from _workload_findings(scaling, pdbs, params)
    for pdb in pdbs:
        yield from _pdb_findings(pdb, _pdb_total(pdb, scalings))


# --------------------------------------------------------------------------------------------------
# MD404

DEPLOYMENT_DEFAULT_BOUND = IntOrPercent(25, True)


def _is_stateless(workload: Workload, params: Mapping[str, Any]) -> bool:
    """No PVC volume, no volumeClaimTemplates, no persistent-data marker (catalog decision)."""
    key = str(params.get("persistent_marker_key") or "regulatory.data")
    values = tuple(str(v).lower() for v in params.get("persistent_marker_values") or ("persistent",))
    if _has_marker(_markers(workload.raw, pod_template_labels(workload)), key, values):
        return False
    if _spec(workload.raw).get("volumeClaimTemplates"):
        return False
    volumes = get_path(workload.raw, POD_SPEC_PATHS[workload.kind] + ("volumes",))
    return not (
        isinstance(volumes, list)
        and any(isinstance(v, Mapping) and "persistentVolumeClaim" in v for v in volumes)
    )


def _max_unavailable_findings(
    workload: Workload, rolling: Mapping[str, Any], replicas: Count, round_up: bool
) -> Iterator[Violation]:
    """`maxUnavailable` that lets every pod go down at once, and the invalid 0/0 surge combination."""
    subject = f"{workload.subject}/maxUnavailable"
    unavailable_raw, surge_raw = rolling.get("maxUnavailable"), rolling.get("maxSurge")
    where = key_location(workload.path, rolling, "maxUnavailable")
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


def _progress_findings(workload: Workload, spec: Mapping[str, Any]) -> Iterator[Violation]:
    missing = []
    if not spec.get("minReadySeconds"):
        missing.append("minReadySeconds")
    if workload.kind == "Deployment" and "progressDeadlineSeconds" not in spec:
        missing.append("progressDeadlineSeconds")
    if missing:
        yield Violation(
            _spec_anchor(workload.path, workload.raw),
            f"{workload.subject} sets no {' and no '.join(missing)}, "
            "so a crashing new version may count as ready and a stuck rollout is not reported",
            f"{workload.subject}/progress",
            workload.artifact,
            variant="progress",
        )


def _deployment_findings(
    workload: Workload, replicas: Count, params: Mapping[str, Any]
) -> Iterator[Violation]:
    spec = _spec(workload.raw)
    strategy = _mapping_at(spec, "strategy")
    kind = strategy.get("type") or "RollingUpdate"
    if kind == "Recreate":
        if _is_stateless(workload, params):
            yield Violation(
                key_location(workload.path, strategy, "type"),
                f"{workload.subject} uses strategy Recreate "
                "although it keeps no persistent volume, so every update stops the service",
                f"{workload.subject}/strategy",
                workload.artifact,
            )
    else:
        rolling = _mapping_at(strategy, "rollingUpdate")
        yield from _max_unavailable_findings(workload, rolling, replicas, round_up=False)


def _statefulset_findings(workload: Workload, replicas: Count) -> Iterator[Violation]:
    spec = _spec(workload.raw)
    strategy = _mapping_at(spec, "updateStrategy")
    if strategy.get("type") == "OnDelete":
        yield Violation(
            key_location(workload.path, strategy, "type"),
            f"{workload.subject} uses updateStrategy OnDelete, so updates wait for manual pod deletion",
            f"{workload.subject}/strategy",
            workload.artifact,
            variant="on-delete",
        )
        return
    rolling = strategy.get("rollingUpdate")
    if isinstance(rolling, Mapping) and "maxUnavailable" in rolling:
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
        yield from _progress_findings(workload, _spec(workload.raw))


# --------------------------------------------------------------------------------------------------
# MD405

_RESTARTING = ("always", "unless-stopped", "on-failure")
_SAFE_CONDITIONS = ("service_healthy", "service_completed_successfully")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "no" if value is False else "yes"  # PyYAML reads `restart: no` as false; Compose reads "no"
    return "" if value is None else str(value).strip()


def _depends_on_entries(raw: Mapping[str, Any]) -> Iterator[tuple[str, str | None, Location]]:
    """(service name, condition, location) of each `depends_on` entry, short or long form."""
    node = raw.get("depends_on")
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield _text(item), None, compose_value_location(node, index)
    elif isinstance(node, Mapping):
        for name, entry in node.items():
            has_condition = isinstance(entry, Mapping) and "condition" in entry
            condition = _text(entry.get("condition")) if has_condition else None
            where = (
                compose_key_location(entry, "condition")
                if has_condition
                else compose_key_location(node, name)
            )
            yield _text(name), condition or None, where


def _completed_dependencies(compose: ComposeProject) -> set[str]:
    """Services some other service waits for with `service_completed_successfully`: one-shot by design."""
    return {
        name
        for service in compose.services
        for name, condition, _ in _depends_on_entries(service.raw if isinstance(service.raw, Mapping) else {})
        if condition == "service_completed_successfully"
    }


def _restart_problem(service: ComposeService) -> tuple[Location, str] | None:
    """Where and why a service will not be restarted; None when `restart` or `deploy.restart_policy` covers it."""
    raw = service.raw if isinstance(service.raw, SourcedMap) else SourcedMap()
    if "restart" in raw:
        value = raw["restart"]
        record = interpolation_of(value)
        text = _text(value).lower()
        if record is not None and not record.resolved:
            return compose_key_location(
                raw, "restart"
            ), f"sets restart from unset variable(s) {', '.join(record.unresolved_names)}"
        if text.split(":")[0] in _RESTARTING:
            return None
        return compose_key_location(raw, "restart"), f'sets restart: "{text or "no"}"'
    policy = get_path(raw, ("deploy", "restart_policy"))
    if isinstance(policy, Mapping):
        condition = _text(policy.get("condition")).lower() or "any"
        if condition in ("any", "on-failure"):
            return None
        return compose_key_location(
            policy, "condition"
        ), f'sets deploy.restart_policy.condition: "{condition}"'
    return service.location, "sets no restart policy"


#: Programs that exit on their own: a service running one of them directly is a task, not a server.
_TERMINATING_PROGRAMS = frozenset(
    {
        "echo",
        "true",
        "false",
        "ls",
        "cat",
        "printf",
        "env",
        "date",
        "id",
        "whoami",
        "hostname",
        "pwd",
        "uname",
    }
)


def _exits_by_itself(service: ComposeService) -> bool:
    """`command: echo hello`, `ls -al /x`, `ping -c 1 host`: the container ends when the command does."""
    container = service.workload.containers[0]
    words = [word.value for word in (container.command or container.args)]
    if not words:
        return False
    program = words[0].rsplit("/", 1)[-1]
    return program in _TERMINATING_PROGRAMS or (program == "ping" and "-c" in words)


def _declared_one_shot(service: ComposeService, params: Mapping[str, Any]) -> bool:
    """The one-shot label, a Compose job mode, or an on-demand (profile-only) service that opts out of restarts."""
    raw = service.raw if isinstance(service.raw, Mapping) else {}
    key = str(params.get("one_shot_marker_key") or "regulatory.lifecycle")
    values = tuple(str(v).lower() for v in params.get("one_shot_marker_values") or ("one-shot",))
    labels = {name: located.value for name, located in service.workload.labels.items()}
    if _has_marker(labels, key, values):
        return True
    if _text(get_path(raw, ("deploy", "mode"))) in ("replicated-job", "global-job"):
        return True
    return bool(raw.get("profiles")) and "restart" in raw and _text(raw["restart"]).lower() == "no"


def _one_shot(service: ComposeService, completed: set[str], params: Mapping[str, Any]) -> bool:
    """Exempt from the restart condition: waited for until completed, declared one-shot, or a finite command."""
    return service.name in completed or _declared_one_shot(service, params) or _exits_by_itself(service)


def _service_findings(
    service: ComposeService, completed: set[str], params: Mapping[str, Any]
) -> Iterator[Violation]:
    subject = service.workload.subject
    if not _one_shot(service, completed, params):
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
    raw = service.raw if isinstance(service.raw, Mapping) else {}
    for name, condition, where in _depends_on_entries(raw):
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
        completed = _completed_dependencies(compose)
        for service in compose.services:
            yield from _service_findings(service, completed, params)
