"""MD704: Part 11 audit-trail sinks and declared log shipping."""

from __future__ import annotations

from tests.checks.conftest import DEPLOYMENT, LintRule


def test_part11_audit_trail_sink_needs_the_flag(lint_rule: LintRule) -> None:
    files = {
        "app.yaml": DEPLOYMENT.format(name="one", namespace="a"),
        "ship.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fb, annotations: {regulatory.logging/retention: 1y}}\ndata: {fluent-bit.conf: x}\n",
    }
    assert lint_rule(files, "MD704", safety_class="A") == []  # Services monitoring is off in class A
    findings = lint_rule(files, "MD704", {"part11_records": True})
    assert [f.variant for f in findings] == ["audit-trail-sink"]


def test_declared_log_shipping_and_retention(lint_rule: LintRule) -> None:
    files = {"app.yaml": DEPLOYMENT.format(name="one", namespace="a")}
    assert [f.variant for f in lint_rule(files, "MD704")] == ["log-shipping"]
    declared = {"log_shipping": "node agent to the hospital SIEM", "log_retention": "10 years"}
    assert lint_rule(files, "MD704", declared) == []
