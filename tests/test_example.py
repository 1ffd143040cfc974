"""Acceptance on the bundled example (examples/medical-device): the defects it is known to have are found,
at the right places, and the things it does right are not reported."""

from __future__ import annotations

import pytest

from medlint.api import lint
from medlint.findings import Finding
from tests.conftest import EXAMPLE, REPO_ROOT


@pytest.fixture(scope="module")
def findings() -> list[Finding]:
    return list(lint([EXAMPLE], cwd=REPO_ROOT).result.findings)


def _at(findings: list[Finding], rule: str, path: str) -> list[Finding]:
    return [f for f in findings if f.rule_id == rule and f.location.path == f"{EXAMPLE}/{path}"]


def test_safety_class_comes_from_the_labels() -> None:
    decision = lint([EXAMPLE], cwd=REPO_ROOT).result.safety_class
    assert decision.value == "B"
    assert "regulatory.iec62304.class=B" in decision.reason


def test_committed_secret_is_reported_per_key(findings: list[Finding]) -> None:
    lines = sorted(f.location.line for f in _at(findings, "MD303", "k8s/secret.yaml"))
    assert lines == [9, 10, 11]


def test_redis_password_on_the_command_line(findings: list[Finding]) -> None:
    found = _at(findings, "MD304", "docker-compose.yml")
    assert [f.location.line for f in found] == [51]
    assert "--requirepass" in found[0].message


def test_init_container_without_limits_points_into_that_container(findings: list[Finding]) -> None:
    found = [f for f in _at(findings, "MD501", "k8s/deployment.yaml") if "init-db" in f.message]
    assert found and all(f.location.line == 39 for f in found)
    assert any("memory limit" in f.message and f.level.value == "warning" for f in found)


def test_backup_container_without_security_context(findings: list[Finding]) -> None:
    found = _at(findings, "MD201", "k8s/cronjob-backup.yaml")
    assert [f.location.line for f in found] == [14]
    assert "no securityContext" in found[0].message


def test_chart_dependency_ranges(findings: list[Finding]) -> None:
    lines = sorted(f.location.line for f in _at(findings, "MD105", "chart/medical-device/Chart.yaml"))
    assert lines == [16, 20]


def test_frontend_without_healthcheck(findings: list[Finding]) -> None:
    found = _at(findings, "MD401", "frontend/Dockerfile")
    assert [f.location.line for f in found] == [10]


def test_statefulset_without_selector_and_template(findings: list[Finding]) -> None:
    messages = " ".join(f.message for f in _at(findings, "MD002", "k8s/statefulset.yaml"))
    assert "spec.selector" in messages and "spec.template" in messages


def test_main_dockerfile_ends_as_non_root(findings: list[Finding]) -> None:
    assert _at(findings, "MD201", "Dockerfile") == []


def test_medical_app_container_has_probes_and_limits(findings: list[Finding]) -> None:
    for rule in ("MD401", "MD501"):
        assert not [f for f in _at(findings, rule, "k8s/deployment.yaml") if '"medical-app"' in f.message]


def test_no_output_contains_a_secret_value() -> None:
    from medlint.report import render

    report = lint([EXAMPLE], cwd=REPO_ROOT)
    for output_format in ("text", "json", "sarif"):
        text = render(report, output_format)
        for secret in ("secure_password_here", "redis_password_here", "api_key_here"):
            assert secret not in text, f"{secret} leaked into {output_format} output"


def test_output_is_deterministic() -> None:
    from medlint.report import render

    first = render(lint([EXAMPLE], cwd=REPO_ROOT), "sarif")
    second = render(lint([EXAMPLE], cwd=REPO_ROOT), "sarif")
    assert first == second


def test_audit_policy_logging_secrets_at_request_response(findings: list[Finding]) -> None:
    found = [f for f in _at(findings, "MD703", "k8s/audit-policy.yaml") if "RequestResponse" in f.message]
    assert [(f.location.line, f.level.value) for f in found] == [(5, "error")]


def test_external_secret_on_a_removed_api(findings: list[Finding]) -> None:
    assert [f.location.line for f in _at(findings, "MD115", "k8s/externalsecret.yaml")] == [2]


def test_node_16_past_end_of_support(findings: list[Finding]) -> None:
    assert sorted(f.location.line for f in _at(findings, "MD114", "frontend/Dockerfile")) == [2, 10]


def test_unpinned_apt_get_install(findings: list[Finding]) -> None:
    packages = {f.message.split('"')[1] for f in _at(findings, "MD103", "Dockerfile")}
    assert {"cmake", "libssl-dev", "libpq-dev", "libssl1.1", "libpq5", "ca-certificates"} <= packages


def test_medical_app_hardening_gaps(findings: list[Finding]) -> None:
    for rule in ("MD202", "MD204", "MD205"):
        assert [
            f.location.line
            for f in _at(findings, rule, "k8s/deployment.yaml")
            if '"medical-app"' in f.message
        ] == [45]


def test_chart_renders_and_findings_point_at_template_lines(findings: list[Finding]) -> None:
    template = "chart/medical-device/templates/deployment.yaml"
    image = [f for f in _at(findings, "MD102", template) if "not pinned by digest" in f.message]
    assert [f.location.line for f in image] == [34]
    related = {(r.location.path, r.location.line) for r in image[0].related}
    assert ("examples/medical-device/chart/medical-device/values.yaml", 7) in related  # image.tag
    assert "[values.yaml]" in image[0].subject
    assert all(not f.location.path.startswith("/") and "tmp" not in f.location.path for f in findings)


def test_unvendored_chart_dependencies_are_render_failures(findings: list[Finding]) -> None:
    messages = [f.message for f in _at(findings, "MD003", "chart/medical-device/Chart.yaml")]
    assert len(messages) == 2 and all("helm dependency build" in message for message in messages)


# --- issue 10: the system rules on the example ---------------------------------------------------------


def test_unprovisioned_pull_secret_is_reported_and_provisioned_references_are_not(
    findings: list[Finding],
) -> None:
    found = _at(findings, "MD307", "k8s/deployment.yaml")
    assert [f.location.line for f in found] == [118]
    assert '"registry-credentials"' in found[0].message
    messages = " ".join(f.message for f in findings if f.rule_id == "MD307")
    assert "medical-secrets" not in messages and "medical-config" not in messages


def test_service_monitor_and_autoscaler_resolve(findings: list[Finding]) -> None:
    for path in ("k8s/service.yaml", "k8s/servicemonitor.yaml", "k8s/hpa.yaml", "k8s/vpa.yaml"):
        assert _at(findings, "MD905", path) == [], path


def test_the_declared_classes_agree(findings: list[Finding]) -> None:
    assert [f for f in findings if f.rule_id == "MD902" and f.level.value in ("warning", "error")] == []


def test_health_checks_calling_curl_cannot_run_on_the_slim_image(findings: list[Finding]) -> None:
    dockerfile = [f for f in _at(findings, "MD401", "Dockerfile") if "curl" in f.message]
    compose = [f for f in _at(findings, "MD401", "docker-compose.yml") if "curl" in f.message]
    assert [f.location.line for f in dockerfile] == [61]
    assert [f.location.line for f in compose] == [27] and 'service "app"' in compose[0].message
    assert all("debian:bullseye-slim" in f.message for f in dockerfile + compose)


def test_rules_lists_the_system_rules() -> None:
    from click.testing import CliRunner

    from medlint.cli import main

    listed = CliRunner().invoke(main, ["rules"]).output
    for rule in ("MD307", "MD901", "MD902", "MD903", "MD904", "MD905"):
        assert rule in listed
