"""The availability checks (checks/availability.py): replicas, rollout strategy and disruption tolerance."""

from __future__ import annotations

from medlint.checks.availability import (
    disruption_tolerance,
    int_or_percent,
    replicas,
    rollout_strategy,
    system_class,
)
from medlint.model import ArtifactKind, ClassDeclaration, Project
from medlint.model.location import Location
from tests.projects import project_of


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
