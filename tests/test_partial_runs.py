"""Partial runs (medlint.partial): a file named alone gets exactly the findings a scan of its system reports
for it, in every rule, because the rest of the system is read as context."""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

import pytest

from medlint.api import lint
from medlint.config import find_config, load_config
from medlint.findings import Finding
from medlint.report import Report
from tests.conftest import REPO_ROOT

EXAMPLE = "examples/medical-device"
TODAY = datetime.date(2026, 12, 7)


def _config() -> object:
    return load_config(find_config(REPO_ROOT / EXAMPLE))


def _run(paths: list[str], context: bool = True) -> Report:
    return lint(paths, cwd=REPO_ROOT, config=_config(), today=TODAY, context=context)  # type: ignore[arg-type]


def _key(finding: Finding) -> tuple[object, ...]:
    return (
        finding.rule_id,
        finding.level.value,
        finding.location.path,
        finding.location.line,
        finding.location.column,
        finding.message,
        finding.subject,
        finding.fingerprints,
        tuple((str(item.location), item.message) for item in finding.related),
    )


def _example_files() -> list[str]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", EXAMPLE],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        listed = []
    found = {
        path.relative_to(REPO_ROOT).as_posix() for path in (REPO_ROOT / EXAMPLE).rglob("*") if path.is_file()
    }
    return sorted(set(listed) | found)


@pytest.fixture(scope="module")
def full() -> Report:
    return _run([EXAMPLE])


FILES = _example_files()


@pytest.mark.parametrize("path", FILES, ids=FILES)
def test_a_file_alone_gets_the_findings_the_whole_scan_reports_for_it(full: Report, path: str) -> None:
    partial = _run([path])
    scope = partial.scope
    assert scope is not None and path in scope.files
    expected = {_key(f) for f in full.result.findings if scope.holds(f.location.path)}
    actual = {_key(f) for f in partial.result.findings}
    assert actual == expected
    assert partial.result.safety_class.value == full.result.safety_class.value
    assert all(scope.holds(f.location.path) for f in partial.result.findings)


def test_the_example_files_are_all_covered() -> None:
    assert len(FILES) >= 20
    assert f"{EXAMPLE}/k8s/deployment.yaml" in FILES


def test_without_context_a_deployment_alone_misses_its_network_policy() -> None:
    """The motivating case: alone, the Deployment has no NetworkPolicy beside it (MD601) and no class."""
    alone = _run([f"{EXAMPLE}/k8s/deployment.yaml"], context=False)
    with_context = _run([f"{EXAMPLE}/k8s/deployment.yaml"])
    rules_alone = {f.rule_id for f in alone.result.findings}
    rules_with = {f.rule_id for f in with_context.result.findings}
    assert "MD601" in rules_alone and "MD601" not in rules_with
    assert alone.scope is None and with_context.scope is not None
    assert alone.result.safety_class.value == "C" and with_context.result.safety_class.value == "B"


def test_context_is_bounded_by_the_configuration_folder() -> None:
    report = _run([f"{EXAMPLE}/k8s/service.yaml"])
    assert report.scope is not None and report.scope.context_root == EXAMPLE
    assert all(item.path.startswith(EXAMPLE + "/") for item in report.project.files)


def test_a_chart_file_stands_for_its_chart() -> None:
    report = _run([f"{EXAMPLE}/chart/medical-device/values.yaml"])
    assert report.scope is not None
    assert report.scope.holds(f"{EXAMPLE}/chart/medical-device/templates/deployment.yaml")
    assert not report.scope.holds(f"{EXAMPLE}/k8s/deployment.yaml")
    assert any(f.location.path.endswith("templates/deployment.yaml") for f in report.result.findings)


def test_without_a_configuration_the_context_is_the_repository(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "app.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app, namespace: prod}\n"
        "spec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a}}\n"
        "    spec:\n      containers: [{name: a, image: 'r.example/a:1.0.0'}]\n",
        encoding="utf-8",
    )
    (tmp_path / "policy.yaml").write_text(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: prod}\n"
        "spec: {podSelector: {}, policyTypes: [Ingress, Egress]}\n",
        encoding="utf-8",
    )
    report = lint(["k8s/app.yaml"], cwd=tmp_path, context=True, today=TODAY)
    assert report.scope is not None and report.scope.context_root == "."
    assert "MD601" not in {f.rule_id for f in report.result.findings}
    assert lint(["k8s/app.yaml"], cwd=tmp_path, today=TODAY).scope is None


def test_waivers_of_context_files_are_not_reported_unused(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "a.Dockerfile").write_text(
        'FROM debian:12.6-slim\n# medlint: ignore MD303 reason="not about this file"\nUSER 10001\n',
        encoding="utf-8",
    )
    (tmp_path / "b.Dockerfile").write_text(
        'FROM debian:12.6-slim\n# medlint: ignore MD303 reason="unused here"\nUSER 10001\n', encoding="utf-8"
    )
    report = lint(["b.Dockerfile"], cwd=tmp_path, context=True, today=TODAY)
    unused = [
        note.location.path for note in report.result.notifications if "matches no finding" in note.message
    ]
    assert unused == ["b.Dockerfile"]
    assert [outcome.waiver.origin.path for outcome in report.waivers] == ["b.Dockerfile"]


def test_the_command_line_finds_the_system_of_a_named_file() -> None:
    import json

    from click.testing import CliRunner

    from medlint.cli import main

    result = CliRunner().invoke(
        main, ["check", f"{EXAMPLE}/k8s/deployment.yaml", "--format", "json", "--today", "2026-12-07"]
    )
    report = json.loads(result.output)
    assert report["partial_run"]["context"] == EXAMPLE
    assert report["systems"][0]["name"] == "medical-device" and report["safety_class"]["value"] == "B"
    assert "MD601" not in {finding["rule_id"] for finding in report["findings"]}
    alone = CliRunner().invoke(
        main,
        [
            "check",
            f"{EXAMPLE}/k8s/deployment.yaml",
            "--no-context",
            "--format",
            "json",
            "--today",
            "2026-12-07",
        ],
    )
    assert json.loads(alone.output)["partial_run"] is None
    assert "MD601" in {finding["rule_id"] for finding in json.loads(alone.output)["findings"]}
