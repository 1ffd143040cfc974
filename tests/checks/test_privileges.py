"""MD201-MD215: capability names, and what fixtures cannot show: levels per class and artifact, rule parameters,
and rendered Helm objects (artifact HELM)."""

from __future__ import annotations

from typing import Any

import pytest

from medlint.api import lint
from medlint.checks import admission, isolation, privileges
from medlint.checks.privileges import normalise_capability
from medlint.config import Config
from medlint.model import ArtifactKind, Project
from medlint.parsers.kubernetes import parse_manifest, workload_from_object
from tests.conftest import FIXTURES, REPO_ROOT

# --------------------------------------------------------------------------------------------------
# Names and paths


@pytest.mark.parametrize(
    "written, expected",
    [
        ("SYS_ADMIN", "SYS_ADMIN"),
        ("cap_sys_admin", "SYS_ADMIN"),
        ("CAP_NET_RAW", "NET_RAW"),
        (" all ", "ALL"),
        ("net_bind_service", "NET_BIND_SERVICE"),
    ],
)
def test_capability_names_compare_without_case_or_prefix(written: str, expected: str) -> None:
    assert normalise_capability(written) == expected


# --------------------------------------------------------------------------------------------------
# Levels per class, artifact and variant (the fixture test runs class C only)


def _levels(
    case: str, safety_class: str, rule: str, params: dict[str, Any] | None = None
) -> list[tuple[int, str]]:
    config = Config(params={rule: params or {}})
    report = lint([f"fixtures/{case}"], cwd=REPO_ROOT, safety_class=safety_class, config=config)
    return sorted((f.location.line, f.level.value) for f in report.result.findings if f.rule_id == rule)


def _line(case: str, text: str) -> int:
    """The number of the first fixture line containing `text`, so tests survive fixture edits."""
    lines = (FIXTURES / case).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def test_read_only_levels_differ_per_artifact() -> None:
    assert {level for _, level in _levels("MD205/fail/kubernetes.yaml", "A", "MD205")} == {"warning"}
    assert {level for _, level in _levels("MD205/fail/kubernetes.yaml", "C", "MD205")} == {"error"}
    compose_a = dict(_levels("MD205/fail/compose-read-only.yaml", "A", "MD205"))
    case = "MD205/fail/compose-read-only.yaml"
    assert (
        compose_a[_line(case, "writable:")] == "note" and compose_a[_line(case, "${READ_ONLY}")] == "warning"
    )
    assert {level for _, level in _levels("MD205/fail/compose-read-only.yaml", "C", "MD205")} == {"warning"}


def test_escalation_levels() -> None:
    case = "MD202/fail/kubernetes.yaml"
    levels = dict(_levels(case, "A", "MD202"))
    assert levels[_line(case, "allowPrivilegeEscalation: true")] == "error"
    assert levels[_line(case, "name: migrate")] == "warning"
    assert {level for _, level in _levels("MD202/fail/compose-no-new-privileges.yaml", "C", "MD202")} == {
        "warning"
    }


def test_capability_levels() -> None:
    case = "MD204/fail/compose-capabilities.yaml"
    compose = dict(_levels(case, "A", "MD204"))
    assert compose[_line(case, "cap_drop:  #")] == "warning" and compose[_line(case, "- CHOWN")] == "warning"
    assert compose[_line(case, "CAP_SYS_ADMIN")] == "error"
    case = "MD204/fail/kubernetes.yaml"
    kubernetes = dict(_levels(case, "A", "MD204"))
    assert (
        kubernetes[_line(case, "- SYS_ADMIN")] == "error" and kubernetes[_line(case, "- NET_RAW")] == "error"
    )
    assert (
        kubernetes[_line(case, "- CHOWN")] == "warning"
        and kubernetes[_line(case, "drop: [NET_RAW]")] == "warning"
    )


def test_pod_security_admission_levels_per_class() -> None:
    case = "MD214/fail/kubernetes.yaml"
    for safety_class, expected in (("A", None), ("B", None), ("C", "error")):
        assert dict(_levels(case, safety_class, "MD214")).get(_line(case, "enforce: baseline")) == expected
    assert dict(_levels(case, "A", "MD214"))[_line(case, "enforce: privileged")] == "note"
    assert dict(_levels(case, "B", "MD214"))[_line(case, "enforce: privileged")] == "warning"
    assert dict(_levels(case, "C", "MD214"))[_line(case, "enforce-version: latest")] == "note"


def test_signature_audit_mode_matters_only_for_class_c() -> None:
    case = "MD215/fail/kyverno-audit.yaml"
    audit, uncovered = _line(case, "validationFailureAction: Audit"), _line(case, "envoyproxy/envoy")
    assert _levels(case, "B", "MD215") == [(uncovered, "warning")]
    assert _levels(case, "C", "MD215") == [(audit, "warning"), (uncovered, "warning")]


def test_init_containers_can_be_exempted_from_read_only() -> None:
    lines = [
        line
        for line, _ in _levels("MD205/fail/kubernetes.yaml", "C", "MD205", {"exempt_init_containers": True})
    ]
    assert _line("MD205/fail/kubernetes.yaml", "init-permissions") not in lines and lines


def test_cyber_device_flag_gates_signature_enforcement() -> None:
    assert _levels("MD215/fail/no-policy.yaml", "C", "MD215", {"cyber_device": False}) == []


def test_external_namespace_declaration() -> None:
    declared = {"external_namespaces": {"not-in-bundle": "restricted"}}
    line = _line("MD214/fail/kubernetes.yaml", "namespace: not-in-bundle")
    assert line in dict(_levels("MD214/fail/kubernetes.yaml", "C", "MD214"))
    assert line not in dict(_levels("MD214/fail/kubernetes.yaml", "C", "MD214", declared))


# --------------------------------------------------------------------------------------------------
# Rendered Helm objects are Kubernetes objects with artifact HELM


RENDERED = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: release-api
  namespace: default
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: registry.example.com/api:1.4.2
          securityContext: {privileged: true, allowPrivilegeEscalation: true}
          ports: [{containerPort: 8080, hostPort: 8080}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: release-settings
"""


def _rendered_project() -> Project:
    objects = parse_manifest("chart/templates/rendered.yaml", RENDERED, rendered_from="chart")
    workloads = [workload for workload in map(workload_from_object, objects) if workload is not None]
    return Project(k8s_objects=tuple(objects), workloads=tuple(workloads))


@pytest.mark.parametrize(
    "check, params",
    [
        (privileges.no_privilege_escalation, {}),
        (privileges.no_privileged, {}),
        (isolation.no_host_ports, {}),
    ],
)
def test_rendered_objects_are_reported_as_helm(check: Any, params: dict[str, Any]) -> None:
    violations = list(check(_rendered_project(), params))
    assert violations and all(violation.artifact is ArtifactKind.HELM for violation in violations)


def test_rendered_namespace_default_is_hard_coded_but_missing_is_the_release_namespace() -> None:
    params: dict[str, list[str]] = {"cluster_scoped_kinds": [], "tool_config_api_groups": []}
    violations = [v for v in admission.namespace_isolation(_rendered_project(), params) if v.variant is None]
    assert [(v.location.line, v.artifact) for v in violations] == [(5, ArtifactKind.HELM)]


# --------------------------------------------------------------------------------------------------
# Acceptance on the bundled example


def test_medical_app_container_lacks_hardening() -> None:
    """k8s/deployment.yaml: medical-app has no readOnlyRootFilesystem, allowPrivilegeEscalation or drop."""
    report = lint(["examples/medical-device"], cwd=REPO_ROOT)
    path = "examples/medical-device/k8s/deployment.yaml"
    line = _line("../examples/medical-device/k8s/deployment.yaml", "- name: medical-app")
    found = {
        f.rule_id
        for f in report.result.findings
        if f.location.path == path and f.location.line == line and '"medical-app"' in f.message
    }
    assert {"MD202", "MD204", "MD205"} <= found
