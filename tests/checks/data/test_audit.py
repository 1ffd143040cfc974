"""MD703: the audit-policy evaluator and when a missing Policy is reported."""

from __future__ import annotations

import pytest

from medlint.api import lint
from medlint.checks.data.audit import rule_matches_resource
from tests.checks.conftest import DEPLOYMENT, LintRule
from tests.conftest import REPO_ROOT


def test_audit_policy_missing_only_when_cluster_configuration_is_in_scope(lint_rule: LintRule) -> None:
    files = {"app.yaml": DEPLOYMENT.format(name="one", namespace="a")}
    assert lint_rule(files, "MD703") == []
    findings = lint_rule(files, "MD703", {"cluster_config_in_scope": True}, safety_class="B")
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
