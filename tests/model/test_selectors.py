"""Label selectors as the API server evaluates them, and the availability checks that rely on them."""

from __future__ import annotations

import textwrap

import pytest

from medlint.checks.availability import (
    disruption_tolerance,
    int_or_percent,
    replicas,
    rollout_strategy,
    system_class,
)
from medlint.model import ArtifactKind, ClassDeclaration, Project, Workload
from medlint.model.selectors import (
    as_label_map,
    calico_selector_matches,
    is_valid_selector,
    label_selector_matches,
    map_selector_matches,
    namespaces_match,
    pdb_selects,
    pod_template_labels,
    selector_matches,
    selects_everything,
)
from medlint.parsers.kubernetes import parse_manifest, workload_from_object
from medlint.source import Location

LABELS = {"app": "api", "tier": "backend", "version": "1"}


def project_of(text: str, rendered_from: str | None = None, **extra: object) -> Project:
    objects = parse_manifest("k8s/app.yaml", textwrap.dedent(text).lstrip("\n"), rendered_from=rendered_from)
    workloads = tuple(w for w in (workload_from_object(obj) for obj in objects) if w is not None)
    return Project(k8s_objects=tuple(objects), workloads=workloads, **extra)  # type: ignore[arg-type]


def workload(project: Project, name: str) -> Workload:
    return next(w for w in project.workloads if w.name == name)


@pytest.mark.parametrize(
    "selector, expected",
    [
        ({"matchLabels": {"app": "api"}}, True),
        ({"matchLabels": {"app": "api", "tier": "frontend"}}, False),
        ({"matchLabels": {"zone": "a"}}, False),
        ({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["backend", "batch"]}]}, True),
        ({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["backend"]}]}, False),
        ({"matchExpressions": [{"key": "canary", "operator": "NotIn", "values": ["true"]}]}, True),
        ({"matchExpressions": [{"key": "app", "operator": "Exists"}]}, True),
        ({"matchExpressions": [{"key": "canary", "operator": "DoesNotExist"}]}, True),
        ({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, False),
        (
            {
                "matchLabels": {"app": "api"},
                "matchExpressions": [{"key": "tier", "operator": "In", "values": ["x"]}],
            },
            False,
        ),
        ({"matchLabels": {"version": 1}}, True),  # YAML numbers compare as the text Kubernetes stores
        ({}, True),  # an empty LabelSelector selects everything
        (None, False),  # no selector selects nothing
        (
            {"matchExpressions": [{"key": "tier", "operator": "In", "values": []}]},
            False,
        ),  # invalid: no values
        (
            {"matchExpressions": [{"key": "tier", "operator": "Like", "values": ["b"]}]},
            False,
        ),  # unknown operator
        ({"matchLabels": ["app"]}, False),
        ("app=api", False),
    ],
)
def test_label_selector(selector: object, expected: bool) -> None:
    assert label_selector_matches(selector, LABELS) is expected


def test_map_selector_of_a_service() -> None:
    assert map_selector_matches({"app": "api"}, LABELS)
    assert not map_selector_matches({"app": "web"}, LABELS)
    assert not map_selector_matches({}, LABELS)  # a Service without selector selects no pods
    assert not map_selector_matches(None, LABELS)


def test_label_values_as_kubernetes_stores_them() -> None:
    assert as_label_map({"enabled": True, "replicas": 2, "empty": None}) == {
        "enabled": "true",
        "replicas": "2",
        "empty": "",
    }
    assert as_label_map(["not", "a", "mapping"]) == {}


def test_namespaces_without_a_namespace_pair_with_any() -> None:
    assert (
        namespaces_match(None, "prod") and namespaces_match("prod", None) and namespaces_match("prod", "prod")
    )
    assert not namespaces_match("prod", "staging")


def test_pod_template_labels_by_kind() -> None:
    project = project_of("""
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: nightly, labels: {owner: ops}}
        spec:
          schedule: "0 1 * * *"
          jobTemplate:
            spec:
              template:
                metadata: {labels: {app: backup}}
                spec: {containers: [{name: b, image: "b:1"}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: debug, labels: {app: debug, "on": true}}
        spec: {containers: [{name: d, image: "d:1"}]}
        """)
    assert pod_template_labels(workload(project, "nightly")) == {"app": "backup"}
    assert pod_template_labels(workload(project, "debug")) == {"app": "debug", "on": "true"}


PDB_AND_DEPLOYMENT = """
    apiVersion: {pdb_api}
    kind: PodDisruptionBudget
    metadata: {{name: all, namespace: prod}}
    spec:
      maxUnavailable: 1
      selector: {selector}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {{name: api, namespace: {namespace}}}
    spec:
      replicas: 2
      selector: {{matchLabels: {{app: api}}}}
      template:
        metadata: {{labels: {{app: api}}}}
        spec: {{containers: [{{name: api, image: "api:1"}}]}}
    """


@pytest.mark.parametrize(
    "pdb_api, selector, namespace, expected",
    [
        ("policy/v1", "{}", "prod", True),  # policy/v1: an empty selector covers the whole namespace
        ("policy/v1beta1", "{}", "prod", False),  # policy/v1beta1: an empty selector covers nothing
        ("policy/v1", "{matchLabels: {app: api}}", "prod", True),
        ("policy/v1", "{matchLabels: {app: api}}", "staging", False),
        ("policy/v1", "null", "prod", False),
    ],
)
def test_pdb_selects(pdb_api: str, selector: str, namespace: str, expected: bool) -> None:
    project = project_of(PDB_AND_DEPLOYMENT.format(pdb_api=pdb_api, selector=selector, namespace=namespace))
    pdb = next(obj for obj in project.k8s_objects if obj.kind == "PodDisruptionBudget")
    assert pdb_selects(pdb, workload(project, "api")) is expected


def test_int_or_percent() -> None:
    assert int_or_percent(2) is not None and int_or_percent(2).scaled(10, round_up=True) == 2  # type: ignore[union-attr]
    half = int_or_percent("50%")
    assert half is not None and half.scaled(3, round_up=True) == 2 and half.scaled(3, round_up=False) == 1
    assert int_or_percent("two") is None and int_or_percent(True) is None and int_or_percent("5") is None


DEPLOYMENT = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: api, namespace: prod, labels: {labels}}
    spec:
      replicas: 1
      selector: {matchLabels: {app: api}}
      template:
        metadata: {labels: {app: api}}
        spec: {containers: [{name: api, image: "api:1"}]}
    """


def test_rendered_objects_are_reported_as_helm() -> None:
    project = project_of(DEPLOYMENT.replace("{labels}", "{}"), rendered_from="charts/api")
    found = list(replicas(project, {}))
    assert [v.artifact for v in found] == [ArtifactKind.HELM]
    assert all(v.artifact is ArtifactKind.HELM for v in rollout_strategy(project, {}))


def test_replica_scope_follows_the_class_threshold_and_the_marker() -> None:
    class_a = Project(class_declarations=(ClassDeclaration("A", Location("x")),))
    assert system_class(class_a, {}) == "A" and system_class(Project(), {}) == "C"
    assert system_class(class_a, {"safety_class": "b"}) == "B"  # the engine's decision wins when passed
    plain = project_of(DEPLOYMENT.replace("{labels}", "{}"), class_declarations=class_a.class_declarations)
    assert list(replicas(plain, {"class_threshold": "B"})) == []
    assert len(list(replicas(plain, {"class_threshold": "A"}))) == 1
    marked = project_of(
        DEPLOYMENT.replace("{labels}", "{regulatory.availability: critical}"),
        class_declarations=class_a.class_declarations,
    )
    assert len(list(replicas(marked, {"class_threshold": "C"}))) == 1
    # An item's own lower class counts only with an rmf-ref; otherwise the system class (C) applies.
    unjustified = project_of(DEPLOYMENT.replace("{labels}", "{regulatory.iec62304.class: A}"))
    assert len(list(replicas(unjustified, {"class_threshold": "B"}))) == 1


def test_pdb_percentages_resolve_against_the_hpa_minimum() -> None:
    project = project_of("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api}
        spec:
          selector: {matchLabels: {app: api}}
          template:
            metadata: {labels: {app: api}}
            spec:
              containers: [{name: api, image: "api:1"}]
              topologySpreadConstraints:
                - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, matchLabelKeys: [pod-template-hash]}
        ---
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: api}
        spec: {scaleTargetRef: {kind: Deployment, name: api}, minReplicas: 2, maxReplicas: 8}
        ---
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: api}
        spec: {maxUnavailable: "60%", selector: {matchLabels: {app: api}}}
        """)
    found = list(disruption_tolerance(project, {}))
    assert len(found) == 1 and "maxUnavailable: 60% of 2" in found[0].message  # ceil(60 % of 2) = 2 pods


def test_zone_only_spreading_when_configured() -> None:
    text = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api}
        spec:
          replicas: 3
          selector: {matchLabels: {app: api}}
          template:
            metadata: {labels: {app: api}}
            spec:
              containers: [{name: api, image: "api:1"}]
              affinity:
                podAntiAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                    - {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: api}}}
        ---
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: api}
        spec: {maxUnavailable: 1, selector: {matchLabels: {app: api}}}
        """
    project = project_of(text)
    assert list(disruption_tolerance(project, {})) == []
    zone_only = list(disruption_tolerance(project, {"spread_topology_keys": ["topology.kubernetes.io/zone"]}))
    assert [v.variant for v in zone_only] == ["spreading"]


# --------------------------------------------------------------------------------------------------
# NetworkPolicy and monitor conventions


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
def test_network_policy_selector_convention(selector: object, labels: dict[str, str], expected: bool) -> None:
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
