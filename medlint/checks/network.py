"""Network and transport: MD601 network-policy-coverage, MD602 ingress-tls, MD603 https-redirect,
MD604 service-exposure, MD605 published-ports, MD606 cleartext-ports.

Kubernetes rules read `project.k8s_objects` (rendered Helm objects are the same objects with `rendered_from`
set, reported as Helm); policies are matched against the pods the project index files by label. Compose rules
read each service's published ports, mounts and environment.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from medlint.checks.data.stores import data_store_of_service, data_store_table
from medlint.findings import RelatedLocation, Violation
from medlint.model import (
    ComposeProject,
    ComposeService,
    K8sObject,
    Location,
    Node,
    Project,
    Workload,
)
from medlint.model.selectors import (
    calico_selector_matches,
    is_valid_selector,
    required_pairs,
    selector_matches,
    selects_everything,
)

DIRECTIONS = ("Ingress", "Egress")


def objects_of_kind(project: Project, kind: str) -> list[K8sObject]:
    return [obj for obj in project.index.objects(kind) if obj.document.is_map]


def spec_of(obj: K8sObject) -> Node:
    return obj.spec.as_map()


# ==================================================================================================
# MD601 network-policy-coverage


@dataclass(frozen=True, slots=True)
class NetworkPolicyView:
    """A network policy reduced to what coverage needs: its namespace, whom it selects, which directions.

    `selector` is the pod selector as written (a LabelSelector, or a Calico expression when `calico`)."""

    obj: K8sObject
    namespace: str
    directions: frozenset[str]
    selector: Any
    calico: bool = False

    def selects(self, labels: Mapping[str, str]) -> bool:
        if self.calico:
            return calico_selector_matches(self.selector, labels) is True
        return selector_matches(self.selector, labels)

    def required_pairs(self) -> list[tuple[str, str]]:
        """Label pairs every selected pod carries (none known for Calico expressions)."""
        return [] if self.calico else required_pairs(self.selector)


def _policy_types(spec: Node, types_key: str) -> frozenset[str] | None:
    """Explicit policy types, or None when omitted (an empty list counts as omitted, as in Kubernetes)."""
    types = spec.get(types_key)
    if not types.is_list or not types:
        return None
    return frozenset(str(item.plain()) for item in types.elements()) & frozenset(DIRECTIONS)  # case-sensitive


def kubernetes_policy_directions(spec: Node) -> frozenset[str]:
    """The directions a NetworkPolicy isolates. Without `policyTypes` it covers Ingress, and Egress only
    when it has egress rules (Kubernetes defaulting: an empty `egress: []` adds nothing)."""
    explicit = _policy_types(spec, "policyTypes")
    if explicit is not None:
        return explicit
    egress = spec.get("egress")
    return frozenset({"Ingress", "Egress"} if egress.is_list and egress else {"Ingress"})


def _kubernetes_policy(obj: K8sObject) -> NetworkPolicyView:
    spec = spec_of(obj)
    return NetworkPolicyView(
        obj, obj.namespace_or_default, kubernetes_policy_directions(spec), spec.get("podSelector").plain()
    )


def _cilium_policy(obj: K8sObject) -> Iterator[NetworkPolicyView]:
    """CiliumNetworkPolicy: a direction is isolated as soon as a rule section for it exists (even `[{}]`),
    unless `enableDefaultDeny` turns that off. Host policies (`nodeSelector`) select no pods."""
    specs = [spec_of(obj)] + [item for item in obj.document.get("specs").elements() if item.is_map]
    for spec in specs:
        if "endpointSelector" not in spec:
            continue
        selector = _strip_cilium_prefixes(spec.get("endpointSelector").plain())
        default_deny = spec.get("enableDefaultDeny").as_map()
        directions = {
            direction
            for direction in DIRECTIONS
            if any(spec.get(key) for key in (direction.lower(), direction.lower() + "Deny"))
            and not default_deny.get(direction.lower()).is_false
        }
        yield NetworkPolicyView(obj, obj.namespace_or_default, frozenset(directions), selector)


def _strip_cilium_prefixes(selector: Any) -> Any:
    """Cilium label keys may carry a source prefix (`k8s:app`, `any:app`); pod labels have none."""
    if not isinstance(selector, Mapping):
        return selector
    result = dict(selector)
    if isinstance(selector.get("matchLabels"), Mapping):
        result["matchLabels"] = {
            re.sub(r"^(k8s|any):", "", str(k)): v for k, v in selector["matchLabels"].items()
        }
    if isinstance(selector.get("matchExpressions"), list):
        result["matchExpressions"] = [
            {**item, "key": re.sub(r"^(k8s|any):", "", str(item.get("key")))}
            if isinstance(item, Mapping)
            else item
            for item in selector["matchExpressions"]
        ]
    return result


def _calico_policy(obj: K8sObject) -> NetworkPolicyView:
    """Calico NetworkPolicy: `types` omitted means Ingress, plus Egress when egress rules exist."""
    spec = spec_of(obj)
    directions = _policy_types(spec, "types")
    if directions is None:
        directions = frozenset({"Ingress", "Egress"} if spec.get("egress") else {"Ingress"})
    return NetworkPolicyView(
        obj, obj.namespace_or_default, directions, spec.get("selector").plain(), calico=True
    )


def _is_calico(obj: K8sObject) -> bool:
    return (obj.api_version or "").startswith(("projectcalico.org/", "crd.projectcalico.org/"))


def network_policies(project: Project, cni_policies: tuple[str, ...]) -> list[NetworkPolicyView]:
    """Every namespaced network policy that counts: Kubernetes NetworkPolicies, plus the Cilium and Calico
    policy resources when the configuration names those CNIs."""
    views: list[NetworkPolicyView] = []
    for obj in project.k8s_objects:
        if not obj.document.is_map:
            continue
        if obj.kind == "NetworkPolicy" and _is_calico(obj):
            if "calico" in cni_policies:
                views.append(_calico_policy(obj))
        elif obj.kind == "NetworkPolicy" and (obj.api_version or "").startswith("networking.k8s.io/"):
            views.append(_kubernetes_policy(obj))
        elif obj.kind == "CiliumNetworkPolicy" and "cilium" in cni_policies:
            views.extend(_cilium_policy(obj))
    return views


def covered_directions(project: Project, policies: list[NetworkPolicyView]) -> dict[int, set[str]]:
    """The directions some policy of its namespace isolates, for each Kubernetes workload (by id).

    Policies alike in namespace, selector and directions are matched once; each only against the workloads
    that carry its `matchLabels` pairs (the index's postings), never against every workload in turn."""
    groups: dict[tuple[Any, ...], NetworkPolicyView] = {}
    for policy in policies:
        key: tuple[Any, ...] = (
            policy.namespace,
            policy.calico,
            json.dumps(policy.selector, sort_keys=True, default=str),
        )
        key += (tuple(sorted(policy.directions)),)
        groups.setdefault(key, policy)
    covered: dict[int, set[str]] = {}
    for policy in groups.values():
        for workload in project.index.selector_candidates(policy.required_pairs()):
            if workload.namespace_or_default == policy.namespace and policy.selects(_pod_labels(workload)):
                covered.setdefault(id(workload), set()).update(policy.directions)
    return covered


def _pod_labels(workload: Workload) -> Mapping[str, str]:
    return workload.pod.labels if workload.pod is not None else {}


def _coverage_violations(project: Project, policies: list[NetworkPolicyView]) -> Iterator[Violation]:
    namespaces_with_policies = {policy.namespace for policy in policies}
    covered = covered_directions(project, policies)
    for workload in project.index.kubernetes_workloads:
        missing = [direction for direction in DIRECTIONS if direction not in covered.get(id(workload), ())]
        if not missing:
            continue
        where = workload.namespace_description
        if workload.namespace_or_default not in namespaces_with_policies:
            reason = f"{where} has no NetworkPolicy at all"
        else:
            reason = f"{where} has no default-deny policy and no policy covering {' or '.join(missing)} selects its pods"
        yield Violation(
            workload.location,
            f"{workload.subject} is not isolated for {' and '.join(m.lower() for m in missing)} traffic: {reason}; "
            "add a default-deny policy (podSelector: {} with policyTypes [Ingress, Egress])",
            f"{workload.subject}/network-policy",
            workload.artifact,
        )


# -- permissive rules


#: Labels of the cluster DNS pods (kube-dns and CoreDNS keep the `k8s-app: kube-dns` label).
CLUSTER_DNS_POD_LABELS = (
    {"k8s-app": "kube-dns"},
    {"k8s-app": "coredns"},
    {"app.kubernetes.io/name": "coredns"},
    {"app.kubernetes.io/name": "kube-dns"},
)
DNS_PORT_NAMES = ("dns", "dns-tcp", "dns-udp", "domain")
OPEN_CIDRS = ("0.0.0.0/0", "::/0")


def _is_dns_port(port: Node) -> bool:
    if not port.is_map:
        return False
    value = port.get("port").plain()
    return str(value) == "53" or str(value).lower() in DNS_PORT_NAMES


def _targets_cluster_dns(peer: Node) -> bool:
    if not peer.is_map or "ipBlock" in peer:
        return False
    selector = peer.get("podSelector").plain()
    if selects_everything(selector) or not is_valid_selector(selector):
        return False
    return any(selector_matches(selector, labels) for labels in CLUSTER_DNS_POD_LABELS)


def is_cluster_dns_rule(rule: Node) -> bool:
    """An egress rule that allows only DNS (port 53) and only to the cluster DNS pods."""
    ports, peers = rule.get("ports"), rule.get("to")
    return (
        ports.is_list
        and bool(ports)
        and all(_is_dns_port(port) for port in ports.elements())
        and peers.is_list
        and bool(peers)
        and all(_targets_cluster_dns(peer) for peer in peers.elements())
    )


def permissive_peer(peer: Node) -> str | None:
    """Why a `from`/`to` peer opens the policy wide, or None."""
    if not peer.is_map:
        return None
    block = peer.get("ipBlock")
    cidr = block.get("cidr").plain() if "cidr" in block else ""
    if block.is_map and str(cidr).strip() in OPEN_CIDRS and not block.get("except"):
        return f"ipBlock {block.get('cidr').plain()} without except"
    selector = peer.get("namespaceSelector").plain()
    if selector is not None and selects_everything(selector):
        return "namespaceSelector: {} (every namespace)"
    return None


def _rule_section(policy: K8sObject, spec: Node, direction: str) -> Iterator[Violation]:
    section_key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    rules = spec.get(section_key)
    if not rules.is_list:
        return
    who = policy.subject
    word = "from" if direction == "Ingress" else "to"
    for index, rule_node in enumerate(rules.elements()):
        rule = rule_node.as_map()
        peers = rule.get(peers_key)
        if not peers:
            yield Violation(
                rule_node.location,
                f"{who} has an {section_key} rule without '{peers_key}', which allows traffic {word} anywhere",
                f"{policy.subject}/{section_key}[{index}]",
                policy.artifact,
                variant="permissive",
            )
            continue
        if direction == "Egress" and is_cluster_dns_rule(rule):
            continue
        for peer_index, peer in enumerate(peers.elements()):
            reason = permissive_peer(peer)
            if reason:
                yield Violation(
                    peer.location,
                    f"{who} allows {section_key} {word} {reason}",
                    f"{policy.subject}/{section_key}[{index}]/{peer_index}",
                    policy.artifact,
                    variant="permissive",
                )


def _permissive_violations(project: Project) -> Iterator[Violation]:
    for policy in objects_of_kind(project, "NetworkPolicy"):
        if _is_calico(policy) or not (policy.api_version or "").startswith("networking.k8s.io/"):
            continue
        spec = spec_of(policy)
        directions = kubernetes_policy_directions(spec)
        for direction in DIRECTIONS:
            if direction in directions:  # rules of a direction the policy does not cover are ignored
                yield from _rule_section(policy, spec, direction)


def network_policy_coverage(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD601: every workload isolated in both directions (default deny), and no wide-open allow rules."""
    cni_policies = tuple(str(name).lower() for name in params.get("cni_policies") or ())
    policies = network_policies(project, cni_policies)
    yield from _coverage_violations(project, policies)
    yield from _permissive_violations(project)


# ==================================================================================================
# MD602 ingress-tls


def host_covered(host: str, tls_hosts: list[str]) -> bool:
    """A rule host is covered by a TLS host written the same, or by a wildcard one label deep."""
    host = host.lower().rstrip(".")
    for tls_host in (item.lower().rstrip(".") for item in tls_hosts):
        if tls_host == host:
            return True
        if tls_host.startswith("*.") and "." in host:
            label, _, rest = host.partition(".")
            if rest == tls_host[2:] and label and label != "*":
                return True
    return False


def _hostless_entries(spec: Node) -> Iterator[tuple[Location, str]]:
    """Places that serve requests without a host name: host-less rules and the default backend."""
    for key in ("defaultBackend", "backend"):
        if spec.get(key):
            yield spec.key_location_of(key), f"spec.{key}"
    for index, rule in enumerate(spec.get("rules").elements()):
        if rule.is_map and not rule.get("host"):
            yield rule.location, f"rules[{index}] (no host)"


def _ingress_tls_violations(obj: K8sObject, default_certificate: str) -> Iterator[Violation]:
    spec = spec_of(obj)
    who, artifact = obj.subject, obj.artifact
    entries = spec.get("tls").elements()
    if not entries:
        where = spec.key_location_of("tls") if "tls" in spec else obj.document.key_location_of("spec")
        yield Violation(
            where,
            f"{who} has no spec.tls, so it serves its hosts over cleartext HTTP",
            f"{obj.subject}/tls",
            artifact,
        )
        return
    tls_hosts = [str(host) for entry in entries if entry.is_map for host in entry.get("hosts").plain() or ()]
    for index, entry in enumerate(entries):
        if entry.is_map and not entry.get("secretName") and not default_certificate:
            yield Violation(
                entry.location,
                f"{who} has a TLS entry without secretName and no default certificate is declared",
                f"{obj.subject}/tls[{index}]",
                artifact,
            )
    for rule in spec.get("rules").elements():
        host = rule.get("host").plain() if rule.is_map else None
        if host and not host_covered(str(host), tls_hosts):
            yield Violation(
                rule.location_of("host"),
                f'{who} serves host "{host}", which no spec.tls[].hosts entry covers',
                f"{obj.subject}/host:{host}",
                artifact,
            )
    if not default_certificate:
        for location, what in _hostless_entries(spec):
            yield Violation(
                location,
                f"{who} serves {what} without a host name, which needs a declared default certificate",
                f"{obj.subject}/{what}",
                artifact,
            )


def ingress_tls(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD602: every Ingress host served over TLS with a certificate secret (or a declared default one)."""
    default_certificate = str(params.get("default_certificate") or "").strip()
    for obj in objects_of_kind(project, "Ingress"):
        yield from _ingress_tls_violations(obj, default_certificate)


# ==================================================================================================
# MD603 https-redirect


def _is_false(value: Any) -> bool:
    return value is False or str(value).strip().lower() == "false"


def _hsts_from_controller_config(
    project: Project, config_names: tuple[str, ...]
) -> tuple[bool | None, Location | None]:
    """(HSTS on?, where) from an ingress controller ConfigMap in the bundle; (None, None) when there is none.

    ingress-nginx enables HSTS unless its ConfigMap sets `hsts: "false"`.
    """
    found: tuple[bool | None, Location | None] = (None, None)
    for obj in objects_of_kind(project, "ConfigMap"):
        data = obj.document.get("data").as_map()
        if "hsts" in data:
            if _is_false(data.get("hsts").plain()):
                found = (False, data.key_location_of("hsts"))
            else:
                return True, data.key_location_of("hsts")
        elif any(name in (obj.name or "") for name in config_names):
            return True, obj.location
    return found


def _hsts_in_snippet(obj: K8sObject) -> bool:
    return any(
        "strict-transport-security" in located.value.lower()
        for key, located in obj.annotations.items()
        if key.endswith("-snippet")
    )


def _redirect_annotations(params: Mapping[str, Any]) -> tuple[str, ...]:
    prefixes = params.get("annotation_prefixes") or ["nginx.ingress.kubernetes.io"]
    names = params.get("redirect_annotations") or ["ssl-redirect", "force-ssl-redirect"]
    return tuple(f"{prefix}/{name}" for prefix in prefixes for name in names)


def https_redirect(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD603: no Ingress switches the HTTPS redirect off; HSTS evidenced by the controller or declared."""
    keys = _redirect_annotations(params)
    upstream = bool(params.get("tls_terminates_upstream"))
    hsts_declared = bool(params.get("hsts_declared"))
    config_names = tuple(
        params.get("controller_config_names") or ("ingress-nginx-controller", "nginx-configuration")
    )
    hsts, hsts_location = (
        (True, None) if hsts_declared else _hsts_from_controller_config(project, config_names)
    )
    for obj in objects_of_kind(project, "Ingress"):
        artifact = obj.artifact
        for key in keys:
            annotation = obj.annotations.get(key)
            if annotation is not None and _is_false(annotation.value):
                where = " where TLS terminates upstream of the controller" if upstream else ""
                yield Violation(
                    annotation.location,
                    f'{obj.subject} sets {key}: "false", which serves plain HTTP without redirect{where}',
                    f"{obj.subject}/{key}",
                    artifact,
                    variant="upstream-tls" if upstream else None,
                )
        if hsts is True or _hsts_in_snippet(obj):
            continue
        if hsts is False:
            message = f"{obj.subject} is served by a controller whose configuration disables HSTS"
            related = (RelatedLocation(hsts_location, 'hsts: "false"'),) if hsts_location else ()
        else:
            message = f"{obj.subject} has no HSTS evidence: no ingress controller configuration in the bundle and no declaration"
            related = ()
        yield Violation(
            obj.location, message, f"{obj.subject}/hsts", artifact, variant="hsts", related=related
        )


# ==================================================================================================
# MD604 service-exposure


def _service_violations(obj: K8sObject, justification_key: str) -> Iterator[Violation]:
    spec = spec_of(obj)
    who, artifact = obj.subject, obj.artifact
    service_type = str(spec.get("type").plain() or "ClusterIP")
    type_location = spec.location_of("type") if "type" in spec else obj.location
    if service_type in ("NodePort", "LoadBalancer"):
        justification = obj.annotations.get(justification_key)
        if justification is None or not justification.value.strip():
            yield Violation(
                type_location,
                f"{who} is exposed as {service_type} without a {justification_key} annotation naming the interface",
                f"{obj.subject}/justification",
                artifact,
            )
    if (
        service_type == "LoadBalancer"
        and not spec.get("loadBalancerSourceRanges")
        and not obj.annotations.get("service.beta.kubernetes.io/load-balancer-source-ranges")
    ):
        yield Violation(
            type_location,
            f"{who} is a LoadBalancer without loadBalancerSourceRanges, so any address can reach it",
            f"{obj.subject}/source-ranges",
            artifact,
        )
    if spec.get("externalIPs"):
        yield Violation(
            spec.key_location_of("externalIPs"),
            f"{who} sets externalIPs, which lets it capture traffic to those addresses (CVE-2020-8554)",
            f"{obj.subject}/externalIPs",
            artifact,
            variant="external-ips",
        )


def service_exposure(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD604: NodePort and LoadBalancer Services justified and restricted; no externalIPs."""
    justification_key = str(
        params.get("justification_annotation") or "regulatory.network/exposure-justification"
    )
    for obj in objects_of_kind(project, "Service"):
        yield from _service_violations(obj, justification_key)


# ==================================================================================================
# Compose published ports (MD605, MD606)


def _compose_services(project: Project) -> Iterator[tuple[ComposeProject, ComposeService]]:
    for compose in project.compose_projects:
        for service in compose.services:
            yield compose, service


# -- MD605


def _port_numbers(values: Any) -> set[int]:
    return {int(value) for value in values or () if str(value).isdigit()}


def published_ports(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD605: internal services publish no ports on every interface, and no database port reaches the host."""
    external = {str(name) for name in params.get("external_services") or ()}
    database_ports = _port_numbers(params.get("database_ports"))
    stores = data_store_table(params)
    for _, service in _compose_services(project):
        workload = service.workload
        store = data_store_of_service(project, service, stores)
        for port in service.ports:
            subject = f"{workload.subject}/port:{port.written}"
            who = f'service "{service.name}"'
            if port.targets_any(database_ports) or store is not None:
                what = (
                    f"database port {port.first_target}"
                    if port.targets_any(database_ports)
                    else f"a port of its {store} image"
                )
                interfaces = (
                    "on all interfaces"
                    if port.all_interfaces and not port.unresolved_host_ip
                    else f"on {port.host_ip}"
                )
                yield Violation(
                    port.location,
                    f"{who} publishes {what} to the host ({port.written}, {interfaces}); "
                    "reach it over the Compose network instead",
                    subject,
                    workload.artifact,
                    variant="database-port",
                )
            elif port.unresolved_host_ip:
                yield Violation(
                    port.location,
                    f"{who} publishes {port.written}, whose host address cannot be resolved",
                    subject,
                    workload.artifact,
                    variant="unresolved",
                )
            elif port.all_interfaces and service.name not in external:
                yield Violation(
                    port.location,
                    f"{who} publishes {port.written} on all host interfaces; bind it to an address "
                    '("127.0.0.1:...") or declare the service external',
                    subject,
                    workload.artifact,
                    variant="all-interfaces",
                )


# -- MD606

CERTIFICATE_PATH = re.compile(
    r"(?i)((^|[/_.-])(certs?|certificates?|ssl|tls|pki|letsencrypt|acme)([/_.-]|$)|\.(pem|crt|cer|key|p12|pfx|jks)$)"
)
TLS_VARIABLE = re.compile(r"(?i)(ssl|tls|https)")
CLIENT_TLS_VARIABLE = re.compile(
    r"(?i)(insecure|skip|disable|verify|_ca(_|$)|proxy)"
)  # about the client side, or off
FALSE_WORDS = ("", "0", "false", "no", "off", "disable", "disabled", "none", "allow", "prefer")
TLS_ARGUMENT = re.compile(
    r"(?i)(^-{1,2}(tls|ssl|https)|(^|[^a-z])ssl=(on|true|1)$|sslmode=(require|verify-ca|verify-full))"
)
FRONTED_VARIABLES = ("LETSENCRYPT_HOST", "VIRTUAL_HOST")
DEFAULT_PROXY_IMAGES = (
    "nginx",
    "*/nginx",
    "*nginx-proxy",
    "traefik",
    "*/traefik",
    "caddy",
    "*/caddy",
    "haproxy",
    "*/haproxy",
    "envoyproxy/envoy*",
    "*/swag",
    "openresty/*",
)


def _mount_texts(service: ComposeService) -> Iterator[str]:
    """Sources and targets of volumes, secrets and configs, for certificate evidence."""
    for mount in service.mounts:
        if mount.declared_in == "volumes":
            yield mount.via_volume or mount.source
            yield mount.target
    for key in ("secrets", "configs"):
        for item in service.definition.get(key).elements():
            if item.is_map:
                yield from (str(item.get(field).plain() or "") for field in ("source", "target"))
            else:
                yield from str(item.plain()).split(":")


def _env_values(service: ComposeService) -> dict[str, str]:
    """The service's environment, as text (a variable without a value counts as empty)."""
    return {env.name: env.value or "" for env in service.workload.containers[0].env}


def tls_evidence(service: ComposeService, tls_variable: re.Pattern[str] = TLS_VARIABLE) -> str | None:
    """What shows that a service speaks TLS itself: a certificate mount or secret, a TLS variable or flag."""
    for text in _mount_texts(service):
        if CERTIFICATE_PATH.search(text.strip()):
            return f"certificate mount {text.strip()}"
    for name, value in _env_values(service).items():
        if (
            tls_variable.search(name)
            and not CLIENT_TLS_VARIABLE.search(name)
            and value.strip().lower() not in FALSE_WORDS
        ):
            return f"TLS variable {name}"
        if re.search(r"(?i)sslmode=(require|verify-ca|verify-full)", value):
            return f"{name} requires TLS"
    container = service.workload.containers[0]
    for word in (*container.command, *container.args):
        if TLS_ARGUMENT.search(word.value):
            return f"TLS option {word.value}"
    return None


def _routed_with_tls(service: ComposeService) -> bool:
    """Traefik labels that route the service over TLS, or nginx-proxy/acme-companion host variables."""
    for key, label in service.workload.labels.items():
        if key.startswith("traefik.") and (".tls" in key) and not _is_false(label.value):
            return True
        if key == "caddy" or key.startswith("caddy."):
            return True
    return any(env.name in FRONTED_VARIABLES for env in service.workload.containers[0].env)


def _fronting_proxies(
    compose: ComposeProject, service: ComposeService, proxy_images: tuple[str, ...]
) -> Iterator[ComposeService]:
    """Proxy services of the same project that depend on or link to this service."""
    for other in compose.services:
        if other is service:
            continue
        image = other.workload.containers[0].image
        repository = image.repository.lower().removeprefix("library/") if image else ""
        if not any(fnmatch.fnmatchcase(repository, pattern) for pattern in proxy_images):
            continue
        depends = [dependency.service for dependency in other.depends_on]
        links = [str(link).split(":")[0] for link in other.definition.get("links").plain() or ()]
        if service.name in depends or service.name in links:
            yield other


def service_tls_evidence(
    compose: ComposeProject,
    service: ComposeService,
    proxy_images: tuple[str, ...] = DEFAULT_PROXY_IMAGES,
    tls_variable: re.Pattern[str] = TLS_VARIABLE,
) -> str | None:
    """Evidence that traffic to the service's published ports is encrypted, or None."""
    evidence = tls_evidence(service, tls_variable)
    if evidence:
        return evidence
    if _routed_with_tls(service):
        return "TLS routing labels or variables"
    for proxy in _fronting_proxies(compose, service, proxy_images):
        proxy_evidence = tls_evidence(proxy, tls_variable)
        if proxy_evidence:
            return f'TLS proxy "{proxy.name}" ({proxy_evidence})'
    return None


def cleartext_ports(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD606: host-published HTTP-like and database ports with no evidence of TLS (informational)."""
    http_ports = _port_numbers(params.get("http_ports"))
    database_ports = _port_numbers(params.get("database_ports"))
    stores = data_store_table(params)
    proxy_images = tuple(str(p) for p in params.get("proxy_images") or DEFAULT_PROXY_IMAGES)
    tls_variable = (
        re.compile(str(params["tls_variable_pattern"]))
        if params.get("tls_variable_pattern")
        else TLS_VARIABLE
    )
    for compose, service in _compose_services(project):
        ports = list(service.ports)
        store = data_store_of_service(project, service, stores)
        candidates = [p for p in ports if p.targets_any(http_ports | database_ports) or (store and p.target)]
        if not candidates or service_tls_evidence(compose, service, proxy_images, tls_variable):
            continue
        for port in candidates:
            kind = "HTTP-like" if port.targets_any(http_ports) else "database"
            yield Violation(
                port.location,
                f'service "{service.name}" publishes {kind} port {port.written} with no evidence of TLS '
                "(no TLS proxy in front, certificate mount or TLS setting)",
                f"{service.workload.subject}/port:{port.written}",
                service.workload.artifact,
            )
