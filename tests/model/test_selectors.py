"""Label selectors as the API server evaluates them (model/selectors.py); the availability checks that rely on
them are tested in tests/checks/test_availability.py."""

from __future__ import annotations

import pytest

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
from tests.projects import project_of, workload

LABELS = {"app": "api", "tier": "backend", "version": "1"}


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
