"""MD905 selector-and-reference-integrity: a selector, target or port that matches nothing has no effect.

A Service whose selector matches no pod routes no traffic; a PodDisruptionBudget or NetworkPolicy that
selects nothing protects nothing; a ServiceMonitor that selects no Service monitors nothing; an autoscaler
whose target does not exist scales nothing; a named port that no container declares breaks the Service or
probe that uses it. Each is a risk control that silently does nothing, so each must match something of its
system, in its namespace (a manifest without a namespace can be applied to any, so it matches every one).

Selectors follow the API server (medlint.model.selectors): `matchLabels` and `matchExpressions` together,
an empty LabelSelector selects every pod of the namespace, an invalid one selects nothing. Candidates come
from the project index (pods by label), never from comparing every pair. A numeric port that no container
declares is advice only (N): Kubernetes does not require declaring ports.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from medlint.findings import RelatedLocation, Violation
from medlint.model import ContainerRole, K8sObject, Node, Project, Workload
from medlint.model.kubernetes import POD_SPEC_PATHS
from medlint.model.selectors import (
    label_selector_matches,
    map_pairs,
    map_selector_matches,
    namespaces_match,
    pdb_selects,
    required_pairs,
    selects_everything,
)

#: Autoscaler-like objects and where they name their target (kind defaults to Deployment for KEDA).
TARGET_REFERENCES = {
    "HorizontalPodAutoscaler": (("scaleTargetRef",), None),
    "VerticalPodAutoscaler": (("targetRef",), None),
    "ScaledObject": (("scaleTargetRef",), "Deployment"),
}


#: Labels the Prometheus operator gives the pods of its custom resources (besides `spec.podMetadata.labels`),
#: by kind: the resource's name fills the keys mapped to None.
OPERATOR_POD_LABELS: Mapping[str, Mapping[str, str | None]] = {
    "Prometheus": {
        "app.kubernetes.io/name": "prometheus",
        "app.kubernetes.io/managed-by": "prometheus-operator",
        "app.kubernetes.io/instance": None,
        "prometheus": None,
        "operator.prometheus.io/name": None,
    },
    "PrometheusAgent": {
        "app.kubernetes.io/name": "prometheus-agent",
        "app.kubernetes.io/managed-by": "prometheus-operator",
        "app.kubernetes.io/instance": None,
        "operator.prometheus.io/name": None,
    },
    "Alertmanager": {
        "app.kubernetes.io/name": "alertmanager",
        "app.kubernetes.io/managed-by": "prometheus-operator",
        "app.kubernetes.io/instance": None,
        "alertmanager": None,
    },
    "ThanosRuler": {
        "app.kubernetes.io/name": "thanos-ruler",
        "app.kubernetes.io/managed-by": "prometheus-operator",
        "app.kubernetes.io/instance": None,
        "thanos-ruler": None,
    },
}
#: Other custom resources whose operators create pods with labels medlint cannot know: in their namespace,
#: "selects nothing" is not judged.
OPAQUE_POD_KINDS = frozenset(
    {
        "Elasticsearch",
        "Kibana",
        "ApmServer",
        "Kafka",
        "KafkaConnect",
        "KafkaMirrorMaker2",
        "KafkaNodePool",
        "PostgresCluster",
        "RedisFailover",
        "RabbitmqCluster",
        "FlinkDeployment",
        "SparkApplication",
        "Tenant",
    }
)
#: Namespaces of the cluster's own components (DNS, kube-proxy, the control plane): outside any bundle.
CLUSTER_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease"})


def _operator_pods(obj: K8sObject) -> Mapping[str, str] | None:
    """The labels of the pods an operator makes from a custom resource: the Prometheus operator's own
    labels, or a pod template written in the resource (`spec.template`, as an Argo Rollout has)."""
    if not obj.api_group:
        return None
    known = (
        OPERATOR_POD_LABELS.get(obj.kind or "") if obj.api_group.startswith("monitoring.coreos.com") else None
    )
    if known is not None:
        labels = {key: value if value is not None else obj.name or "" for key, value in known.items()}
        labels.update(obj.spec.at("podMetadata", "labels").string_map())
        return labels
    template = obj.spec.at("template", "metadata", "labels")
    if template.is_map and obj.spec.at("template", "spec").is_map:
        return template.string_map()
    return None


class _Unknowns:
    """Where "selects nothing" cannot be judged, and the pods operators make from custom resources: the
    cluster's own namespaces, namespaces with custom resources whose pods' labels are unknown, and charts
    whose render was incomplete (MD003)."""

    def __init__(self, project: Project) -> None:
        self.opaque_namespaces: set[str] = set()
        self.operator_pods: list[tuple[str | None, Mapping[str, str]]] = []
        for obj in project.k8s_objects:
            if not obj.api_group or obj.kind in POD_SPEC_KINDS:
                continue
            labels = _operator_pods(obj)
            if labels is not None:
                self.operator_pods.append((obj.namespace, labels))
            elif obj.kind in OPAQUE_POD_KINDS and obj.namespace:
                self.opaque_namespaces.add(obj.namespace)
        self.broken_charts = {
            problem.location.path for problem in project.problems if problem.rule_id == "MD003"
        }

    def namespace(self, namespace: str | None) -> bool:
        return namespace in CLUSTER_NAMESPACES or namespace in self.opaque_namespaces

    def incomplete(self, obj: K8sObject) -> bool:
        """Rendered from a chart some template of which could not be rendered."""
        if obj.rendered_from is None:
            return False
        prefix = "" if obj.rendered_from in ("", ".") else obj.rendered_from.rstrip("/") + "/"
        return any(path.startswith(prefix) for path in self.broken_charts)

    def operator_selected(self, namespace: str | None, matches: Any) -> bool:
        """Whether the pods an operator makes in this namespace satisfy the selector (`matches(labels)`)."""
        return any(
            namespaces_match(namespace, pod_namespace) and matches(labels)
            for pod_namespace, labels in self.operator_pods
        )

    def skip(self, obj: K8sObject, namespaces: Iterable[str | None] = ()) -> bool:
        return (
            self.incomplete(obj)
            or self.namespace(obj.namespace)
            or any(self.namespace(n) for n in namespaces)
        )


POD_SPEC_KINDS = frozenset(POD_SPEC_PATHS)


def _text(node: Node) -> str:
    value = node.scalar
    return "" if value is None else str(value).strip()


def _pod_labels(workload: Workload) -> Mapping[str, str]:
    return workload.pod.labels if workload.pod is not None else {}


def _in_namespace(project: Project, namespace: str | None) -> tuple[Workload, ...]:
    if namespace is None:
        return project.index.kubernetes_workloads
    return tuple(w for w in project.index.kubernetes_workloads if namespaces_match(namespace, w.namespace))


def _near_misses(
    project: Project, pairs: Iterable[tuple[str, str]], namespace: str | None
) -> tuple[RelatedLocation, ...]:
    """Workloads of the namespace that carry some of the selector's labels: where a typo usually is."""
    related: list[RelatedLocation] = []
    seen: set[int] = set()
    for pair in pairs:
        for workload in project.index.pods_by_label.get(pair, ()):
            if id(workload) in seen or not namespaces_match(namespace, workload.namespace):
                continue
            seen.add(id(workload))
            anchor = workload.pod_labels_anchor or workload.labels_anchor or workload.location
            related.append(RelatedLocation(anchor, f"{workload.subject} carries {pair[0]}={pair[1]}"))
            if len(related) >= 3:
                return tuple(related)
    return tuple(related)


def _selected_by_label_selector(project: Project, obj: K8sObject, selector: Any) -> list[Workload]:
    candidates = project.index.selector_candidates(required_pairs(selector))
    return [
        workload
        for workload in candidates
        if namespaces_match(obj.namespace, workload.namespace)
        and label_selector_matches(selector, _pod_labels(workload))
    ]


def _describe(selector: Any) -> str:
    """A selector in words for messages: `app=api, tier in (web)`."""
    if not isinstance(selector, Mapping):
        return "nothing"
    parts = (
        [f"{key}={value}" for key, value in (selector.get("matchLabels") or {}).items()]
        if isinstance(selector.get("matchLabels"), Mapping)
        else []
    )
    expressions = selector.get("matchExpressions")
    for expression in expressions if isinstance(expressions, list) else []:
        if isinstance(expression, Mapping):
            values = expression.get("values")
            shown = f" ({', '.join(str(v) for v in values)})" if isinstance(values, list) and values else ""
            parts.append(f"{expression.get('key')} {expression.get('operator')}{shown}")
    return ", ".join(parts) or "{}"


def _where(obj: K8sObject) -> str:
    return f"namespace {obj.namespace}" if obj.namespace else "any namespace"


# --------------------------------------------------------------------------------------------------
# Ports


def _int_port(node: Node) -> int | None:
    value = node.scalar
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _container_ports(
    workload: Workload, containers: Iterable[Any] | None = None
) -> tuple[set[str], set[int]]:
    names: set[str] = set()
    numbers: set[int] = set()
    for container in containers if containers is not None else workload.containers:
        for port in container.ports:
            name = _text(port.node.get("name"))
            if name:
                names.add(name)
            number = _int_port(port.container_port)
            if number is not None:
                numbers.add(number)
    return names, numbers


def _port_findings(
    port: Node,
    owner: str,
    subject: str,
    artifact: Any,
    targets: list[Workload],
    what: str,
    containers: Iterable[Any] | None = None,
    declarers: str | None = None,
    show_targets: bool = True,
) -> Iterator[Violation]:
    """A named or numeric port that no container of `targets` (or of `containers`) declares."""
    declarers = declarers or f"no container of {_names(targets)}"
    names: set[str] = set()
    numbers: set[int] = set()
    for workload in targets:
        found_names, found_numbers = _container_ports(workload, containers)
        names |= found_names
        numbers |= found_numbers
    number = _int_port(port)
    related = (
        tuple(
            RelatedLocation(workload.location, f"{workload.subject} is selected") for workload in targets[:3]
        )
        if show_targets
        else ()
    )
    if number is not None:
        if number not in numbers:
            yield Violation(
                port.location,
                f"{what} {number} of {owner} is declared by {declarers}; "
                "declare it (containerPort) so the port is evident",
                f"{subject}/port:{number}",
                artifact,
                variant="undeclared-port",
                related=related,
            )
        return
    name = _text(port)
    if not name or "{{" in name:
        return
    if name not in names:
        yield Violation(
            port.location,
            f'{what} "{name}" of {owner} names a port that {declarers} declares, so it resolves to nothing',
            f"{subject}/port:{name}",
            artifact,
            related=related,
        )


def _names(workloads: list[Workload]) -> str:
    shown = ", ".join(workload.subject for workload in workloads[:3])
    return shown + (f" and {len(workloads) - 3} more" if len(workloads) > 3 else "")


# --------------------------------------------------------------------------------------------------
# Objects that select pods


def _services(project: Project, unknowns: _Unknowns) -> Iterator[Violation]:
    for service in project.index.objects("Service"):
        spec = service.spec
        if not spec.is_map or _text(spec.get("type")) == "ExternalName":
            continue
        selector_node = spec.get("selector")
        selector = selector_node.plain()
        if not isinstance(selector, Mapping) or not selector:
            continue  # no selector: Endpoints are managed by hand or by a controller
        pairs = map_pairs(selector)
        candidates = project.index.selector_candidates(pairs)
        selected = [
            workload
            for workload in candidates
            if namespaces_match(service.namespace, workload.namespace)
            and map_selector_matches(selector, _pod_labels(workload))
        ]
        if not selected:
            if unknowns.skip(service) or unknowns.operator_selected(
                service.namespace, lambda labels, selector=selector: map_selector_matches(selector, labels)
            ):
                continue
            yield Violation(
                selector_node.key_location,
                f"the selector of {service.subject} ({_describe({'matchLabels': selector})}) matches no pod "
                f"of any workload of {project.system.label} in {_where(service)}, so the Service routes nothing",
                f"{service.subject}/selector",
                service.artifact,
                related=_near_misses(project, pairs, service.namespace),
            )
            continue
        for index, port in enumerate(spec.get("ports").elements()):
            target = port.get("targetPort") if "targetPort" in port else port.get("port")
            label = _text(port.get("name")) or str(index)
            yield from _port_findings(
                target,
                service.subject,
                f"{service.subject}/ports:{label}",
                service.artifact,
                selected,
                "targetPort" if "targetPort" in port else "port (the default targetPort)",
            )


def _disruption_budgets(project: Project, unknowns: _Unknowns) -> Iterator[Violation]:
    for pdb in project.index.objects("PodDisruptionBudget"):
        spec = pdb.spec
        if not spec.is_map:
            continue
        selector_node = spec.get("selector")
        selector = selector_node.plain()
        workloads = project.index.selector_candidates(required_pairs(selector))
        if any(pdb_selects(pdb, workload) for workload in workloads) or unknowns.skip(pdb):
            continue
        if unknowns.operator_selected(
            pdb.namespace, lambda labels, selector=selector: label_selector_matches(selector, labels)
        ):
            continue
        yield Violation(
            selector_node.key_location if selector_node.present else pdb.spec_anchor,
            f"{pdb.subject} selects no pod of any workload of {project.system.label} in {_where(pdb)} "
            f"(selector: {_describe(selector)}), so it protects nothing during drains",
            f"{pdb.subject}/selector",
            pdb.artifact,
            related=_near_misses(project, required_pairs(selector), pdb.namespace),
        )


def _network_policies(project: Project, unknowns: _Unknowns) -> Iterator[Violation]:
    for policy in project.index.objects("NetworkPolicy", "networking.k8s.io/"):
        spec = policy.spec
        if not spec.is_map:
            continue
        selector_node = spec.get("podSelector")
        selector = selector_node.plain() if selector_node.present else None
        if selects_everything(selector):
            if _in_namespace(project, policy.namespace):
                continue
            selected: list[Workload] = []
        else:
            selected = _selected_by_label_selector(project, policy, selector)
        if selected or unknowns.skip(policy):
            continue
        if unknowns.operator_selected(
            policy.namespace,
            lambda labels, selector=selector: selector is None or label_selector_matches(selector, labels),
        ):
            continue
        yield Violation(
            selector_node.key_location if selector_node.present else policy.spec_anchor,
            f"the podSelector of {policy.subject} ({_describe(selector)}) matches no pod of any workload of "
            f"{project.system.label} in {_where(policy)}, so the policy governs nothing",
            f"{policy.subject}/podSelector",
            policy.artifact,
            related=_near_misses(project, required_pairs(selector), policy.namespace),
        )


def _monitor_namespaces(monitor: K8sObject) -> tuple[bool, set[str]]:
    """(any namespace, the namespaces) a ServiceMonitor or PodMonitor looks in: its own by default."""
    selector = monitor.spec.get("namespaceSelector")
    if selector.get("any").is_true:
        return True, set()
    names = {_text(item) for item in selector.get("matchNames").elements() if _text(item)}
    if names:
        return False, names
    return monitor.namespace is None, {monitor.namespace} if monitor.namespace else set()


def _watches_cluster(scope: tuple[bool, set[str]]) -> bool:
    """A monitor of the cluster's own components (kube-system; the API server's `kubernetes` Service of
    `default`), which no product bundle deploys."""
    return (
        bool(scope[1] & (CLUSTER_NAMESPACES | {"default"}))
        and not scope[0]
        and scope[1] <= (CLUSTER_NAMESPACES | {"default"})
    )


def _in_monitored(namespace: str | None, scope: tuple[bool, set[str]]) -> bool:
    any_namespace, names = scope
    return any_namespace or namespace is None or namespace in names


@dataclass(frozen=True, slots=True)
class _Monitor:
    """A ServiceMonitor or PodMonitor with the selector and the namespaces it watches."""

    monitor: K8sObject
    selector_node: Node
    selector: dict[str, Any]
    scope: tuple[bool, set[str]]

    def unmatched(self, project: Project, what: str, related: tuple[RelatedLocation, ...] = ()) -> Violation:
        """The finding for a selector that matches no `what` (Service, pod of any workload) it watches."""
        monitor = self.monitor
        return Violation(
            self.selector_node.key_location if self.selector_node.present else monitor.spec_anchor,
            f"the selector of {monitor.subject} ({_describe(self.selector)}) matches no {what} of "
            f"{project.system.label} in the namespaces it watches, so nothing is scraped",
            f"{monitor.subject}/selector",
            monitor.artifact,
            related=related,
        )


def _monitors(project: Project, kind: str) -> Iterator[_Monitor]:
    """The monitors of `kind` (Prometheus Operator's `monitoring.coreos.com`) whose spec is a mapping."""
    for monitor in project.index.objects(kind, "monitoring.coreos.com/"):
        if monitor.spec.is_map:
            selector_node = monitor.spec.get("selector")
            selector = selector_node.plain() if selector_node.present else {}
            yield _Monitor(monitor, selector_node, selector, _monitor_namespaces(monitor))


def _service_monitors(project: Project, unknowns: _Unknowns) -> Iterator[Violation]:
    services = project.index.objects("Service")
    for watch in _monitors(project, "ServiceMonitor"):
        monitor, selector, scope = watch.monitor, watch.selector, watch.scope
        selected = [
            service
            for service in services
            if _in_monitored(service.namespace, scope)
            and label_selector_matches(selector, {key: item.value for key, item in service.labels.items()})
        ]
        if not selected:
            if not _watches_cluster(scope) and not unknowns.skip(monitor, scope[1]):
                yield watch.unmatched(project, "Service")
            continue
        port_names = {
            _text(port.get("name")) for service in selected for port in service.spec.get("ports").elements()
        }
        for endpoint in monitor.spec.get("endpoints").elements():
            port = endpoint.get("port")
            name = _text(port)
            if port.present and name and "{{" not in name and name not in port_names:
                yield Violation(
                    port.location,
                    f'endpoint port "{name}" of {monitor.subject} is no named port of the Services it selects '
                    f"({', '.join(service.subject for service in selected[:3])}), so nothing is scraped there",
                    f"{monitor.subject}/endpoint:{name}",
                    monitor.artifact,
                    related=tuple(
                        RelatedLocation(service.spec.key_location_of("ports"), f"ports of {service.subject}")
                        for service in selected[:3]
                    ),
                )


def _pod_monitors(project: Project, unknowns: _Unknowns) -> Iterator[Violation]:
    for watch in _monitors(project, "PodMonitor"):
        monitor, selector, scope = watch.monitor, watch.selector, watch.scope
        selected = [
            workload
            for workload in project.index.selector_candidates(required_pairs(selector))
            if _in_monitored(workload.namespace, scope)
            and label_selector_matches(selector, _pod_labels(workload))
        ]
        if not selected:
            if _watches_cluster(scope) or unknowns.skip(monitor, scope[1]):
                continue
            if any(
                _in_monitored(namespace, scope) and label_selector_matches(selector, labels)
                for namespace, labels in unknowns.operator_pods
            ):
                continue
            related = _near_misses(project, required_pairs(selector), monitor.namespace)
            yield watch.unmatched(project, "pod of any workload", related)
            continue
        for endpoint in monitor.spec.get("podMetricsEndpoints").elements():
            port = endpoint.get("port")
            if port.present and _int_port(port) is None:
                yield from _port_findings(
                    port,
                    monitor.subject,
                    f"{monitor.subject}/endpoint",
                    monitor.artifact,
                    selected,
                    "endpoint port",
                )


def _targets(project: Project) -> Iterator[Violation]:
    for kind, (path, default_kind) in TARGET_REFERENCES.items():
        for obj in project.index.objects(kind):
            reference = obj.spec.at(*path)
            if not reference.is_map:
                continue
            target_kind = _text(reference.get("kind")) or default_kind or ""
            name = _text(reference.get("name"))
            if not target_kind or not name or "{{" in name:
                continue  # MD002 territory: the object itself is incomplete
            found = [
                other
                for other in project.index.objects(target_kind)
                if other.name == name and namespaces_match(obj.namespace, other.namespace)
            ]
            if found:
                continue
            yield Violation(
                reference.key_location,
                f"{obj.subject} targets {target_kind} {name!r}, which {project.system.label} does not define in "
                f"{_where(obj)}, so nothing is scaled",
                f"{obj.subject}/target",
                obj.artifact,
            )


# --------------------------------------------------------------------------------------------------
# Probes


def _probe_ports(workload: Workload) -> Iterator[Violation]:
    for container in workload.containers:
        if (
            container.role not in (ContainerRole.CONTAINER, ContainerRole.SIDECAR)
            or not container.definition.is_map
        ):
            continue
        for key in ("livenessProbe", "readinessProbe", "startupProbe"):
            probe = container.definition.get(key)
            if not probe.is_map:
                continue
            for handler in ("httpGet", "tcpSocket", "grpc"):
                port = probe.at(handler, "port")
                if not port.present:
                    continue
                owner = f'the {key} of container "{container.name}" of {workload.subject}'
                subject = f"{workload.subject}/container:{container.name}/{key}"
                if _int_port(port) is None:  # a named port resolves in the container's own ports
                    yield from _port_findings(
                        port,
                        owner,
                        subject,
                        workload.artifact,
                        [workload],
                        "port",
                        containers=[container],
                        declarers="the container itself never",
                        show_targets=False,
                    )
                else:
                    yield from _port_findings(
                        port,
                        owner,
                        subject,
                        workload.artifact,
                        [workload],
                        "port",
                        declarers=f"no container of {workload.subject}",
                        show_targets=False,
                    )


def selector_integrity(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD905: Service, PodDisruptionBudget, NetworkPolicy, ServiceMonitor and PodMonitor selectors, autoscaler
    targets, Service target ports, monitor endpoint ports and probe ports must all resolve."""
    if not project.k8s_objects:
        return
    unknowns = _Unknowns(project)
    yield from _services(project, unknowns)
    yield from _disruption_budgets(project, unknowns)
    yield from _network_policies(project, unknowns)
    yield from _service_monitors(project, unknowns)
    yield from _pod_monitors(project, unknowns)
    yield from _targets(project)
    for workload in project.index.kubernetes_workloads:
        yield from _probe_ports(workload)
