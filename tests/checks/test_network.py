"""MD601-MD606: network policy coverage semantics, and what fixtures cannot show: configuration parameters,
applicability flags and rendered Helm objects."""

from __future__ import annotations

import textwrap

import pytest

from medlint.checks.network import host_covered, kubernetes_policy_directions, permissive_peer
from medlint.model import Node
from tests.checks.conftest import DEPLOYMENT, LintRule

# --------------------------------------------------------------------------------------------------
# Policy directions and coverage


@pytest.mark.parametrize(
    "spec, expected",
    [
        ({"podSelector": {}}, {"Ingress"}),
        ({"podSelector": {}, "egress": []}, {"Ingress"}),  # an empty egress section adds nothing
        ({"podSelector": {}, "egress": [{}]}, {"Ingress", "Egress"}),
        (
            {"podSelector": {}, "policyTypes": [], "egress": [{"to": []}]},
            {"Ingress", "Egress"},
        ),  # [] = omitted
        ({"podSelector": {}, "policyTypes": ["Egress"]}, {"Egress"}),
        ({"podSelector": {}, "policyTypes": ["Ingress"], "egress": [{}]}, {"Ingress"}),
    ],
)
def test_policy_types_omission(spec: dict, expected: set[str]) -> None:
    assert kubernetes_policy_directions(Node.root(spec, "x")) == expected


def _policy(name: str, namespace: str, body: str) -> str:
    header = f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n"
    return header + textwrap.indent(textwrap.dedent(body), "  ")


def test_default_deny_covers_every_workload_of_its_namespace_only(lint_rule: LintRule) -> None:
    manifest = "---\n".join(
        [
            _policy("deny", "a", "podSelector: {}\npolicyTypes: [Ingress, Egress]\n"),
            DEPLOYMENT.format(name="one", namespace="a"),
            DEPLOYMENT.format(name="two", namespace="b"),
        ]
    )
    findings = lint_rule({"all.yaml": manifest}, "MD601")
    assert [f.subject for f in findings] == ["Deployment/b/two/network-policy"]
    assert 'namespace "b" has no NetworkPolicy' in findings[0].message


def test_directions_may_come_from_different_policies(lint_rule: LintRule) -> None:
    manifest = "---\n".join(
        [
            _policy("in", "a", "podSelector: {matchLabels: {app: one}}\n"),  # Ingress only
            _policy("out", "a", "podSelector: {matchLabels: {app: one}}\npolicyTypes: [Egress]\n"),
            _policy("in-two", "a", "podSelector: {matchLabels: {app: two}}\n"),
            DEPLOYMENT.format(name="one", namespace="a"),
            DEPLOYMENT.format(name="two", namespace="a"),
        ]
    )
    findings = lint_rule({"all.yaml": manifest}, "MD601")
    assert [f.subject for f in findings] == ["Deployment/a/two/network-policy"]
    assert "egress traffic" in findings[0].message and "ingress and" not in findings[0].message
    assert findings[0].level.value == "error"


def test_levels_follow_the_safety_class(lint_rule: LintRule) -> None:
    manifest = DEPLOYMENT.format(name="one", namespace="a")
    for safety_class, level in (("A", "note"), ("B", "warning"), ("C", "error")):
        findings = lint_rule({"all.yaml": manifest}, "MD601", safety_class=safety_class)
        assert [f.level.value for f in findings] == [level]


CILIUM = """\
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: deny
  namespace: a
spec:
  endpointSelector: {matchLabels: {"k8s:app": one}}
  ingress: [{}]
  egress: [{}]
"""
CALICO = """\
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: deny
  namespace: a
spec:
  selector: app == 'one'
  types: [Ingress, Egress]
"""


@pytest.mark.parametrize("crd, engine", [(CILIUM, "cilium"), (CALICO, "calico")])
def test_cni_policies_count_only_when_configured(lint_rule: LintRule, crd: str, engine: str) -> None:
    files = {"app.yaml": DEPLOYMENT.format(name="one", namespace="a"), "policy.yaml": crd}
    assert len(lint_rule(files, "MD601")) == 1
    assert lint_rule(files, "MD601", {"cni_policies": [engine]}) == []


def test_cilium_default_deny_can_be_switched_off(lint_rule: LintRule) -> None:
    crd = CILIUM.replace("  egress: [{}]\n", "  egress: [{}]\n  enableDefaultDeny: {egress: false}\n")
    files = {"app.yaml": DEPLOYMENT.format(name="one", namespace="a"), "policy.yaml": crd}
    findings = lint_rule(files, "MD601", {"cni_policies": ["cilium"]})
    assert len(findings) == 1 and "egress traffic" in findings[0].message


@pytest.mark.parametrize(
    "peer, permissive",
    [
        ({"ipBlock": {"cidr": "0.0.0.0/0"}}, True),
        ({"ipBlock": {"cidr": "::/0"}}, True),
        ({"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}, False),
        ({"ipBlock": {"cidr": "10.0.0.0/8"}}, False),
        ({"namespaceSelector": {}}, True),
        ({"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "prometheus"}}}, True),
        ({"namespaceSelector": {"matchLabels": {"team": "a"}}}, False),
        ({"namespaceSelector": None, "podSelector": {}}, False),  # null is absent: this namespace's pods
        ({"podSelector": {}}, False),
    ],
)
def test_permissive_peers(peer: dict, permissive: bool) -> None:
    assert (permissive_peer(Node.root(peer, "x")) is not None) is permissive


def test_permissive_rules_are_warnings_in_every_class(lint_rule: LintRule) -> None:
    policy = _policy(
        "open", "a", "podSelector: {}\npolicyTypes: [Ingress, Egress]\ningress: [{}]\negress: [{}]\n"
    )
    for safety_class in ("A", "C"):
        findings = lint_rule({"p.yaml": policy}, "MD601", safety_class=safety_class)
        assert [(f.variant, f.level.value) for f in findings] == [("permissive", "warning")] * 2


# --------------------------------------------------------------------------------------------------
# Ingress and Compose parsing helpers


@pytest.mark.parametrize(
    "host, tls_hosts, covered",
    [
        ("a.example.com", ["a.example.com"], True),
        ("A.Example.com", ["a.example.com"], True),
        ("a.example.com", ["*.example.com"], True),
        ("a.b.example.com", ["*.example.com"], False),  # one label only
        ("example.com", ["*.example.com"], False),
        ("*.example.com", ["*.example.com"], True),
        ("a.example.com", [], False),
    ],
)
def test_tls_host_coverage(host: str, tls_hosts: list[str], covered: bool) -> None:
    assert host_covered(host, tls_hosts) is covered


def test_external_services_may_bind_every_interface(lint_rule: LintRule) -> None:
    compose = "services:\n  proxy:\n    image: nginx:1.27\n    ports: ['443:443']\n  db:\n    image: postgres:16\n    ports: ['5432:5432']\n"
    findings = lint_rule({"compose.yaml": compose}, "MD605", {"external_services": ["proxy", "db"]})
    assert [f.variant for f in findings] == ["database-port"]  # a database port stays reported


def test_default_certificate_declaration(lint_rule: LintRule) -> None:
    ingress = """\
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata: {name: i, namespace: a}
    spec:
      tls:
        - hosts: [a.example.com]
      rules:
        - host: a.example.com
        - http: {paths: []}
    """
    assert len(lint_rule({"i.yaml": ingress}, "MD602")) == 2
    assert lint_rule({"i.yaml": ingress}, "MD602", {"default_certificate": "ingress/wildcard-tls"}) == []


def test_redirect_off_is_an_error_where_tls_terminates_upstream(lint_rule: LintRule) -> None:
    ingress = """\
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: i
      annotations: {nginx.ingress.kubernetes.io/force-ssl-redirect: "false"}
    spec: {tls: [{hosts: [a.example.com], secretName: s}]}
    """
    params = {"tls_terminates_upstream": True, "hsts_declared": True}
    findings = lint_rule({"i.yaml": ingress}, "MD603", params, safety_class="A")
    assert [(f.variant, f.level.value) for f in findings] == [("upstream-tls", "error")]


def test_rendered_helm_objects_are_checked_as_kubernetes_and_reported_as_helm() -> None:
    """Charts are not rendered by the loader yet; a rendered object (rendered_from set) must behave the same."""
    from medlint.checks import data, network
    from medlint.model import ArtifactKind, Project
    from medlint.parsers.kubernetes import parse_manifest, workload_from_object

    ingress = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  rules: [{host: a.example.com}]\n"
    service = (
        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: NodePort, selector: {app: one}}\n"
    )
    text = "---\n".join([DEPLOYMENT.format(name="one", namespace="a"), ingress, service])
    objects = parse_manifest("chart/templates/all.yaml", text, rendered_from="chart")
    project = Project(
        k8s_objects=tuple(objects), workloads=tuple(w for o in objects if (w := workload_from_object(o)))
    )
    checks = (
        network.network_policy_coverage,
        network.ingress_tls,
        network.service_exposure,
        data.monitoring_and_logging,
    )
    for check in checks:
        violations = list(check(project, {}))
        assert violations and {v.artifact for v in violations} == {ArtifactKind.HELM}, check.__name__
