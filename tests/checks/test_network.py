"""Network policy coverage semantics and label-selector matching (MD601), plus the behaviour of the
network/data rules that fixtures cannot show: configuration parameters and applicability flags."""

from __future__ import annotations

import datetime
import textwrap
from pathlib import Path

import pytest

from medlint.api import lint
from medlint.checks.data import largest_gap, parse_cron, redis_persistence_on, rule_matches_resource
from medlint.checks.network import (
    host_covered,
    kubernetes_policy_directions,
    parse_short_port,
    permissive_peer,
)
from medlint.checks.network_selectors import (
    calico_selector_matches,
    is_valid_selector,
    selector_matches,
    selects_everything,
)
from medlint.config import Config
from medlint.findings import Finding
from medlint.model.selectors import map_selector_matches

REPO_ROOT = Path(__file__).resolve().parents[2]


def _run(
    tmp_path: Path, files: dict[str, str], rule: str, params: dict | None = None, safety_class: str = "C"
) -> list[Finding]:
    """Lint the given files with one rule enabled and optional parameters for it."""
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    config = Config(enabled=frozenset({rule}), params={rule: params or {}})
    report = lint(["."], cwd=tmp_path, safety_class=safety_class, config=config)
    assert not report.result.notifications
    return [f for f in report.result.findings if f.rule_id == rule]


# --------------------------------------------------------------------------------------------------
# Label selectors


@pytest.mark.parametrize(
    "selector, labels, expected",
    [
        ({}, {}, True),  # empty selects everything
        (None, {"app": "x"}, True),
        ({"matchLabels": {}}, {"app": "x"}, True),
        ({"matchLabels": {"app": "api"}}, {"app": "api", "tier": "web"}, True),
        ({"matchLabels": {"app": "api"}}, {"app": "web"}, False),
        ({"matchLabels": {"app": "api", "tier": "web"}}, {"app": "api"}, False),
        ({"matchLabels": {"enabled": True}}, {"enabled": "true"}, True),  # YAML booleans read as text
        ({"matchLabels": {"version": 2}}, {"version": "2"}, True),
        ({"matchExpressions": [{"key": "app", "operator": "In", "values": ["a", "b"]}]}, {"app": "b"}, True),
        ({"matchExpressions": [{"key": "app", "operator": "In", "values": ["a"]}]}, {}, False),
        (
            {"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["a"]}]},
            {},
            True,
        ),  # absent key
        ({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["a"]}]}, {"app": "a"}, False),
        ({"matchExpressions": [{"key": "app", "operator": "Exists"}]}, {"app": ""}, True),
        ({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, {"app": "x"}, False),
        # matchLabels AND matchExpressions
        (
            {"matchLabels": {"team": "lab"}, "matchExpressions": [{"key": "app", "operator": "Exists"}]},
            {"team": "lab"},
            False,
        ),
        # invalid selectors select nothing: the API server refuses them
        ({"matchExpressions": [{"key": "app", "operator": "In", "values": []}]}, {"app": "x"}, False),
        ({"matchExpressions": [{"key": "app", "operator": "Equals", "values": ["x"]}]}, {"app": "x"}, False),
        ({"matchExpressions": [{"key": "app", "operator": "Exists", "values": ["x"]}]}, {"app": "x"}, False),
        ({"matchLabels": ["app"]}, {"app": "x"}, False),
    ],
)
def test_label_selector(selector: object, labels: dict[str, str], expected: bool) -> None:
    assert selector_matches(selector, labels) is expected


def test_selector_helpers() -> None:
    assert (
        selects_everything({})
        and selects_everything(None)
        and not selects_everything({"matchLabels": {"a": "b"}})
    )
    assert is_valid_selector(None) and not is_valid_selector("app=x")
    # Service selectors: an empty map selects no pods
    assert not map_selector_matches({}, {"app": "x"})
    assert map_selector_matches({"app": "x"}, {"app": "x", "tier": "y"})


@pytest.mark.parametrize(
    "expression, labels, expected",
    [
        ("", {}, True),
        ("all()", {"app": "x"}, True),
        ("app == 'api'", {"app": "api"}, True),
        ("app == 'api' && has(tier)", {"app": "api"}, False),
        ("app != 'api'", {}, True),
        ("!has(debug)", {"debug": "1"}, False),
        ("app in {'a', 'b'}", {"app": "b"}, True),
        ("app not in {'a', 'b'}", {"app": "c"}, True),
        ("app == 'a' || app == 'b'", {"app": "a"}, None),  # not understood: the caller selects nothing
    ],
)
def test_calico_selector(expression: str, labels: dict[str, str], expected: bool | None) -> None:
    assert calico_selector_matches(expression, labels) is expected


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
    assert kubernetes_policy_directions(spec) == expected


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {namespace}
spec:
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
        - name: c
          image: registry.example.com/{name}:1.0.0
"""


def _policy(name: str, namespace: str, body: str) -> str:
    header = f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n"
    return header + textwrap.indent(textwrap.dedent(body), "  ")


def test_default_deny_covers_every_workload_of_its_namespace_only(tmp_path: Path) -> None:
    manifest = "---\n".join(
        [
            _policy("deny", "a", "podSelector: {}\npolicyTypes: [Ingress, Egress]\n"),
            DEPLOYMENT.format(name="one", namespace="a"),
            DEPLOYMENT.format(name="two", namespace="b"),
        ]
    )
    findings = _run(tmp_path, {"all.yaml": manifest}, "MD601")
    assert [f.subject for f in findings] == ["Deployment/b/two/network-policy"]
    assert 'namespace "b" has no NetworkPolicy' in findings[0].message


def test_directions_may_come_from_different_policies(tmp_path: Path) -> None:
    manifest = "---\n".join(
        [
            _policy("in", "a", "podSelector: {matchLabels: {app: one}}\n"),  # Ingress only
            _policy("out", "a", "podSelector: {matchLabels: {app: one}}\npolicyTypes: [Egress]\n"),
            _policy("in-two", "a", "podSelector: {matchLabels: {app: two}}\n"),
            DEPLOYMENT.format(name="one", namespace="a"),
            DEPLOYMENT.format(name="two", namespace="a"),
        ]
    )
    findings = _run(tmp_path, {"all.yaml": manifest}, "MD601")
    assert [f.subject for f in findings] == ["Deployment/a/two/network-policy"]
    assert "egress traffic" in findings[0].message and "ingress and" not in findings[0].message
    assert findings[0].level.value == "error"


def test_levels_follow_the_safety_class(tmp_path: Path) -> None:
    manifest = DEPLOYMENT.format(name="one", namespace="a")
    for safety_class, level in (("A", "note"), ("B", "warning"), ("C", "error")):
        findings = _run(tmp_path, {"all.yaml": manifest}, "MD601", safety_class=safety_class)
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
def test_cni_policies_count_only_when_configured(tmp_path: Path, crd: str, engine: str) -> None:
    files = {"app.yaml": DEPLOYMENT.format(name="one", namespace="a"), "policy.yaml": crd}
    assert len(_run(tmp_path, files, "MD601")) == 1
    assert _run(tmp_path, files, "MD601", {"cni_policies": [engine]}) == []


def test_cilium_default_deny_can_be_switched_off(tmp_path: Path) -> None:
    crd = CILIUM.replace("  egress: [{}]\n", "  egress: [{}]\n  enableDefaultDeny: {egress: false}\n")
    files = {"app.yaml": DEPLOYMENT.format(name="one", namespace="a"), "policy.yaml": crd}
    findings = _run(tmp_path, files, "MD601", {"cni_policies": ["cilium"]})
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
    assert (permissive_peer(peer) is not None) is permissive


def test_permissive_rules_are_warnings_in_every_class(tmp_path: Path) -> None:
    policy = _policy(
        "open", "a", "podSelector: {}\npolicyTypes: [Ingress, Egress]\ningress: [{}]\negress: [{}]\n"
    )
    for safety_class in ("A", "C"):
        findings = _run(tmp_path, {"p.yaml": policy}, "MD601", safety_class=safety_class)
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


@pytest.mark.parametrize(
    "text, expected",
    [
        ("80", ("", "", "80", "tcp")),
        ("8080:80", ("", "8080", "80", "tcp")),
        ("127.0.0.1:8080:80/udp", ("127.0.0.1", "8080", "80", "udp")),
        ("127.0.0.1::80", ("127.0.0.1", "", "80", "tcp")),
        ("[::1]:8080:80", ("::1", "8080", "80", "tcp")),
        ("::1:8080:80", ("::1", "8080", "80", "tcp")),
        ("8000-8010:8000-8010", ("", "8000-8010", "8000-8010", "tcp")),
        ("${IP:-127.0.0.1}:5432:5432", ("${IP:-127.0.0.1}", "5432", "5432", "tcp")),
    ],
)
def test_short_port_syntax(text: str, expected: tuple[str, str, str, str]) -> None:
    assert parse_short_port(text) == expected


def test_external_services_may_bind_every_interface(tmp_path: Path) -> None:
    compose = "services:\n  proxy:\n    image: nginx:1.27\n    ports: ['443:443']\n  db:\n    image: postgres:16\n    ports: ['5432:5432']\n"
    findings = _run(tmp_path, {"compose.yaml": compose}, "MD605", {"external_services": ["proxy", "db"]})
    assert [f.variant for f in findings] == ["database-port"]  # a database port stays reported


def test_default_certificate_declaration(tmp_path: Path) -> None:
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
    assert len(_run(tmp_path, {"i.yaml": ingress}, "MD602")) == 2
    assert _run(tmp_path, {"i.yaml": ingress}, "MD602", {"default_certificate": "ingress/wildcard-tls"}) == []


def test_redirect_off_is_an_error_where_tls_terminates_upstream(tmp_path: Path) -> None:
    ingress = """\
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: i
      annotations: {nginx.ingress.kubernetes.io/force-ssl-redirect: "false"}
    spec: {tls: [{hosts: [a.example.com], secretName: s}]}
    """
    params = {"tls_terminates_upstream": True, "hsts_declared": True}
    findings = _run(tmp_path, {"i.yaml": ingress}, "MD603", params, safety_class="A")
    assert [(f.variant, f.level.value) for f in findings] == [("upstream-tls", "error")]


# --------------------------------------------------------------------------------------------------
# Data rules: parameters, flags and schedules


def test_audit_policy_missing_only_when_cluster_configuration_is_in_scope(tmp_path: Path) -> None:
    files = {"app.yaml": DEPLOYMENT.format(name="one", namespace="a")}
    assert _run(tmp_path, files, "MD703") == []
    findings = _run(tmp_path, files, "MD703", {"cluster_config_in_scope": True}, safety_class="B")
    assert [(f.location.path, f.level.value) for f in findings] == [("app.yaml", "warning")]


def test_bundled_example_audit_policy_records_secret_values() -> None:
    report = lint(["examples/medical-device"], cwd=REPO_ROOT)
    found = [f for f in report.result.findings if f.rule_id == "MD703" and f.variant == "sensitive-payload"]
    assert [(f.location.path, f.location.line, f.level.value) for f in found] == [
        ("examples/medical-device/k8s/audit-policy.yaml", 5, "error")
    ]
    assert "secrets" in found[0].message


@pytest.mark.parametrize(
    "entry, resource, subresource, matches",
    [
        ({"group": "", "resources": ["pods"]}, "pods", "exec", False),  # "pods" does not cover pods/exec
        ({"group": "", "resources": ["pods/*"]}, "pods", "exec", True),
        ({"group": "", "resources": ["*/exec"]}, "pods", "exec", True),
        ({"group": "", "resources": ["*"]}, "secrets", "", True),
        ({"group": ""}, "secrets", "", True),
        ({"group": "apps"}, "secrets", "", False),
    ],
)
def test_audit_resource_matching(entry: dict, resource: str, subresource: str, matches: bool) -> None:
    assert (
        rule_matches_resource({"level": "Metadata", "resources": [entry]}, "", resource, subresource)
        is matches
    )


def test_part11_audit_trail_sink_needs_the_flag(tmp_path: Path) -> None:
    files = {
        "app.yaml": DEPLOYMENT.format(name="one", namespace="a"),
        "ship.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fb, annotations: {regulatory.logging/retention: 1y}}\ndata: {fluent-bit.conf: x}\n",
    }
    assert _run(tmp_path, files, "MD704", safety_class="A") == []  # Services monitoring is off in class A
    findings = _run(tmp_path, files, "MD704", {"part11_records": True})
    assert [f.variant for f in findings] == ["audit-trail-sink"]


def test_declared_log_shipping_and_retention(tmp_path: Path) -> None:
    files = {"app.yaml": DEPLOYMENT.format(name="one", namespace="a")}
    assert [f.variant for f in _run(tmp_path, files, "MD704")] == ["log-shipping"]
    declared = {"log_shipping": "node agent to the hospital SIEM", "log_retention": "10 years"}
    assert _run(tmp_path, files, "MD704", declared) == []


def test_external_backups_and_rpo(tmp_path: Path) -> None:
    compose = "services:\n  db:\n    image: postgres:16\n    volumes: ['data:/var/lib/postgresql/data']\nvolumes:\n  data:\n"
    assert [f.level.value for f in _run(tmp_path, {"compose.yaml": compose}, "MD702", safety_class="A")] == [
        "warning"
    ]
    assert _run(tmp_path, {"compose.yaml": compose}, "MD702", {"external_backups": ["db"]}) == []


@pytest.mark.parametrize(
    "schedule, zone, hours",
    [
        ("0 2 * * *", None, 24),
        ("@hourly", None, 1),
        ("15 */6 * * *", None, 6),
        ("0 2 * * 1-5", None, 72),  # Friday to Monday
        ("0 0 1,15 * *", None, 17 * 24),  # 15th to the 1st of a 31-day month
        ("30 2 * * *", "Europe/Berlin", 25),  # the clocks go back once a year
        ("@every 12h", None, 12),
        ("0 0 1 * 1", None, 7 * 24),  # both day fields restricted: either may match
    ],
)
def test_largest_gap(schedule: str, zone: str | None, hours: float) -> None:
    gap = largest_gap(schedule, zone, datetime.date(2026, 1, 1))
    assert gap is not None and gap.total_seconds() / 3600 == hours


def test_unreadable_and_impossible_schedules() -> None:
    assert parse_cron("every day") is None
    assert largest_gap("0 0 30 2 *", None, datetime.date(2026, 1, 1)) == datetime.timedelta.max


@pytest.mark.parametrize(
    "words, on",
    [
        (["redis-server", "--appendonly", "yes"], True),
        (["redis-server", "--save", "60", "1"], True),
        (["redis-server", "--save", ""], False),
        (["redis-server", "--save", "--appendonly", "no"], False),
        (["redis-server"], False),  # the image default is not counted as intent
    ],
)
def test_redis_persistence(words: list[str], on: bool) -> None:
    assert redis_persistence_on(words) is on


def test_extra_data_stores_extend_the_table(tmp_path: Path) -> None:
    compose = "services:\n  vault:\n    image: vendor/recordsdb:3\n    ports: ['7000:7000']\n"
    params = {
        "extra_data_stores": [
            {"name": "RecordsDB", "images": ["vendor/recordsdb*"], "data_paths": ["/var/lib/recordsdb"]}
        ]
    }
    assert _run(tmp_path, {"compose.yaml": compose}, "MD701") == []
    findings = _run(tmp_path, {"compose.yaml": compose}, "MD701", params)
    assert (
        len(findings) == 1
        and "RecordsDB" in findings[0].message
        and "/var/lib/recordsdb" in findings[0].message
    )
    assert [f.variant for f in _run(tmp_path, {"compose.yaml": compose}, "MD605", params)] == [
        "database-port"
    ]


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
