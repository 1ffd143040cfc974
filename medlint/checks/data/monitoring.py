"""MD704 monitoring-and-logging: Services monitored, logs shipped off the node with a declared retention,
Compose logging not disabled; optionally, Part 11 record holders declare their audit-trail sink."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from medlint.findings import Violation
from medlint.model import K8sObject, Project, Workload
from medlint.model.selectors import map_pairs, map_selector_matches, required_pairs, selector_matches

MONITOR_API = "monitoring.coreos.com/"
LOG_SHIPPER_IMAGES = re.compile(
    r"(?i)(^|/)(fluentd[^/]*|fluent-bit|fluentbit|vector|promtail|filebeat|logstash|alloy|elastic-agent|"
    r"opentelemetry-collector[^/]*|otel-collector)$|^(datadog|grafana)/agent$"
)
LOG_SHIPPER_CONFIG_KEYS = (
    "fluent.conf",
    "fluentd.conf",
    "fluent-bit.conf",
    "fluent-bit.yaml",
    "vector.toml",
    "vector.yaml",
    "promtail.yaml",
    "config.alloy",
    "filebeat.yml",
    "logstash.conf",
)
LOG_OPERATOR_APIS = (
    "logging.banzaicloud.io/",
    "fluentbit.fluent.io/",
    "fluentd.fluent.io/",
    "logging.kubesphere.io/",
)


@dataclass(frozen=True, slots=True)
class _Monitor:
    """Where a ServiceMonitor or PodMonitor looks and what it selects."""

    any_namespace: bool
    namespaces: frozenset[str]
    selector: Any  # the LabelSelector as written (None: every object)

    @classmethod
    def of(cls, monitor: K8sObject) -> _Monitor:
        """By default a monitor looks in its own namespace."""
        spec = monitor.spec.as_map()
        selector = spec.get("namespaceSelector")
        any_namespace, names = False, frozenset({monitor.namespace_or_default})
        if selector.is_map:
            if selector.get("any").is_true:
                any_namespace, names = True, frozenset()
            elif selector.get("matchNames"):
                names = frozenset(str(name) for name in selector.get("matchNames").plain())
        return cls(any_namespace, names, spec.get("selector").plain())

    def selects(self, namespace: str, labels: Mapping[str, str]) -> bool:
        if not self.any_namespace and namespace not in self.namespaces:
            return False
        return selector_matches(self.selector, labels)

    def key(self) -> str:
        return json.dumps(
            [self.any_namespace, sorted(self.namespaces), self.selector], default=str, sort_keys=True
        )


def _scraped(annotations: Mapping[str, str], keys: tuple[str, ...]) -> bool:
    return any(annotations.get(key, "").strip().lower() == "true" for key in keys)


def _postings(items: Sequence[tuple[Any, Mapping[str, str]]]) -> dict[tuple[str, str], list[int]]:
    """Positions of the items by each of their label pairs."""
    postings: dict[tuple[str, str], list[int]] = {}
    for position, (_, labels) in enumerate(items):
        for pair in labels.items():
            postings.setdefault(pair, []).append(position)
    return postings


def _selected(
    monitors: list[_Monitor],
    items: Sequence[tuple[Any, Mapping[str, str]]],
    namespace_of: Callable[[Any], str],
) -> set[int]:
    """Positions of the items (object, labels) some monitor selects. Identical monitors are matched once,
    and each only against the items that carry all of its `matchLabels` pairs."""
    postings = _postings(items)
    selected: set[int] = set()
    for monitor in {monitor.key(): monitor for monitor in monitors}.values():
        pairs = required_pairs(monitor.selector)
        candidates: Iterable[int] = range(len(items))
        if pairs:
            lists = sorted((postings.get(pair, []) for pair in pairs), key=len)
            others = [set(found) for found in lists[1:]]
            candidates = [position for position in lists[0] if all(position in other for other in others)]
        selected.update(
            position
            for position in candidates
            if position not in selected
            and monitor.selects(namespace_of(items[position][0]), items[position][1])
        )
    return selected


def _service_pods(project: Project, services: list[K8sObject]) -> list[list[Workload]]:
    """For each Service, the workloads of its namespace whose pods its selector selects (through the index;
    Services with the same namespace and selector share the answer)."""
    answers: dict[tuple[str, str], list[Workload]] = {}
    result = []
    for service in services:
        selector = service.spec.as_map().get("selector").plain()
        key = (service.namespace_or_default, json.dumps(selector, default=str, sort_keys=True))
        if key not in answers:
            answers[key] = [
                w
                for w in project.index.selector_candidates(map_pairs(selector))
                if w.namespace_or_default == key[0] and map_selector_matches(selector, pod_labels(w))
            ]
        result.append(answers[key])
    return result


def pod_labels(workload: Workload) -> Mapping[str, str]:
    return workload.pod.labels if workload.pod is not None else {}


def _service_monitoring(project: Project, scrape_keys: tuple[str, ...]) -> Iterator[Violation]:
    service_monitors = [_Monitor.of(m) for m in project.index.objects("ServiceMonitor", MONITOR_API)]
    pod_monitors = [_Monitor.of(m) for m in project.index.objects("PodMonitor", MONITOR_API)]
    workloads = list(project.index.kubernetes_workloads)
    services = [
        s for s in project.index.objects("Service") if s.spec.as_map().get("type").plain() != "ExternalName"
    ]
    service_labels = [(s, {key: located.value for key, located in s.labels.items()}) for s in services]
    monitored_services = _selected(service_monitors, service_labels, lambda s: s.namespace_or_default)
    monitored_services.update(
        position
        for position, service in enumerate(services)
        if _scraped({key: located.value for key, located in service.annotations.items()}, scrape_keys)
    )
    pods = [(w, pod_labels(w)) for w in workloads]
    monitored_pods = {
        id(workloads[position])
        for position in _selected(pod_monitors, pods, lambda w: w.namespace_or_default)
    }
    monitored_pods.update(
        id(w) for w in workloads if _scraped(w.pod.annotations if w.pod is not None else {}, scrape_keys)
    )
    selected_pods = _service_pods(project, services)
    monitored_pods.update(id(w) for position in monitored_services for w in selected_pods[position])
    for position, service in enumerate(services):
        if position in monitored_services or any(id(w) in monitored_pods for w in selected_pods[position]):
            continue
        yield Violation(
            service.location,
            f"{service.subject} has no ServiceMonitor, PodMonitor or scrape annotation, so nobody watches it",
            f"{service.subject}/monitoring",
            service.artifact,
            variant="service-monitoring",
        )


def _log_shippers(project: Project) -> list[K8sObject]:
    """Objects that show logs leave the node: shipper workloads, their configuration, logging operators."""
    shippers: list[K8sObject] = []
    for obj in project.k8s_objects:
        if not obj.document.is_map:
            continue
        data = obj.document.get("data")
        if (obj.api_version or "").startswith(LOG_OPERATOR_APIS) or (
            obj.kind == "ConfigMap" and data.is_map and any(key in data for key in LOG_SHIPPER_CONFIG_KEYS)
        ):
            shippers.append(obj)
    documents = {
        id(w.definition)
        for w in project.index.kubernetes_workloads
        if w.kind in ("DaemonSet", "Deployment", "StatefulSet")
        and any(c.image is not None and LOG_SHIPPER_IMAGES.search(c.image.repository) for c in w.containers)
    }
    shippers.extend(obj for obj in project.k8s_objects if id(obj.document) in documents)
    return sorted(shippers, key=lambda obj: (obj.path, obj.location.line))


def _log_shipping(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    workloads = sorted(project.index.kubernetes_workloads, key=lambda w: (w.path, w.location.line))
    if not workloads:
        return
    retention_key = str(params.get("retention_annotation") or "regulatory.logging/retention")
    declared_shipping = str(params.get("log_shipping") or "").strip()
    declared_retention = str(params.get("log_retention") or "").strip()
    shippers = _log_shippers(project)
    if not shippers and not declared_shipping:
        first = workloads[0]
        yield Violation(
            first.location,
            "no log shipper (fluentd, fluent-bit, vector, ...) is in the scanned manifests "
            "and no log shipping is declared, so logs stay on the nodes",
            "logging/shipping",
            first.artifact,
            variant="log-shipping",
        )
        return
    if declared_retention or any(
        retention_key in obj.annotations and obj.annotations[retention_key].value.strip() for obj in shippers
    ):
        return
    anchor = shippers[0] if shippers else None
    location = anchor.location if anchor else workloads[0].location
    artifact = anchor.artifact if anchor else workloads[0].artifact
    yield Violation(
        location,
        f"logs are shipped{f' ({anchor.subject})' if anchor else ''}, but no log retention is declared "
        f"(configuration, or a {retention_key} annotation on the shipper)",
        "logging/retention",
        artifact,
        variant="log-shipping",
    )


def _audit_trail_sinks(project: Project, key: str) -> Iterator[Violation]:
    for workload in project.index.kubernetes_workloads:
        if workload.kind not in ("Deployment", "StatefulSet", "DaemonSet"):
            continue
        annotations = workload.definition.at("metadata", "annotations").string_map()
        pod_annotations = workload.pod.annotations if workload.pod is not None else {}
        if annotations.get(key, "").strip() or pod_annotations.get(key, "").strip():
            continue
        yield Violation(
            workload.location,
            f"{workload.subject} keeps Part 11 records but declares no audit-trail sink ({key} annotation)",
            f"{workload.subject}/audit-trail",
            workload.artifact,
            variant="audit-trail-sink",
        )


def _compose_logging(project: Project) -> Iterator[Violation]:
    for compose in project.compose_projects:
        for service in compose.services:
            logging = service.definition.get("logging")
            if not logging.is_map or logging.get("driver").plain() is None:
                continue  # [decision] the daemon default is not visible here
            driver_node = logging.get("driver")
            driver = driver_node.plain()
            where = driver_node.location
            who, workload = f'service "{service.name}"', service.workload
            if driver_node.unresolved:
                yield Violation(
                    where,
                    f"{who} sets logging.driver: {driver}, which cannot be resolved",
                    f"{workload.subject}/logging",
                    workload.artifact,
                    variant="unresolved",
                )
            elif str(driver) == "none":
                yield Violation(
                    where,
                    f"{who} disables logging (driver: none), so its events are lost",
                    f"{workload.subject}/logging",
                    workload.artifact,
                    variant="logging-disabled",
                )
            elif str(driver) == "json-file":
                options = logging.get("options")
                if not options.is_map or not options.get("max-size"):
                    yield Violation(
                        where,
                        f"{who} logs to json-file without max-size, so logs can fill the disk",
                        f"{workload.subject}/logging",
                        workload.artifact,
                        variant="unbounded-json-file",
                    )


def monitoring_and_logging(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD704: Services monitored, logs shipped off the node with a retention, Compose logging not disabled."""
    scrape_keys = tuple(str(key) for key in params.get("scrape_annotations") or ("prometheus.io/scrape",))
    yield from _service_monitoring(project, scrape_keys)
    yield from _log_shipping(project, params)
    sink_key = str(params.get("audit_trail_annotation") or "regulatory.part11/audit-trail-sink")
    if params.get("part11_records"):
        yield from _audit_trail_sinks(project, sink_key)
    yield from _compose_logging(project)
