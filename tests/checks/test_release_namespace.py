"""The Helm release namespace is not the `default` namespace.

`helm template` renders `.Release.Namespace` as `default` unless given `--namespace`. medlint renders the
same, but an object in the release namespace is placed wherever the chart is installed: MD212 does not
report it, and neither subjects nor MD601/MD214 messages name the made-up `default`. `--namespace` (on
check and render, and `helm.namespace` in the configuration) sets it, as `helm template --namespace` does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from medlint.api import HelmValues, lint
from medlint.cli import main
from medlint.config import Config
from medlint.helm.lint_renders import render_chart_for_lint
from medlint.model import NamespaceSource
from tests.helm.test_render import REPO_ROOT, cli_runner

FIXTURES = REPO_ROOT / "fixtures" / "MD212"
RELEASE_CHART = FIXTURES / "pass" / "rendered-release-namespace"
LITERAL_CHART = FIXTURES / "fail" / "rendered-literal-default"


def _findings(path: Path, rules: set[str], namespace: str | None = None) -> list[tuple[str, str, str]]:
    config = Config(enabled=frozenset(rules))
    report = lint(
        [str(path)], cwd=REPO_ROOT, safety_class="C", config=config, helm=HelmValues(namespace=namespace)
    )
    return sorted((f.rule_id, f.subject, f.message) for f in report.result.findings if f.rule_id in rules)


def test_objects_know_where_their_namespace_comes_from() -> None:
    objects, problems = render_chart_for_lint(RELEASE_CHART, REPO_ROOT)
    assert problems == []
    placed = {obj.name: (obj.namespace, obj.namespace_source) for obj in objects}
    release = (None, NamespaceSource.RELEASE)
    assert placed == {
        "api": release,  # ServiceAccount (.Release.Namespace), Deployment (helper), Service (a variable)
        "settings": release,  # no namespace written: Helm installs it into the release namespace
        "fallback-to-release": release,  # an empty value falls back to .Release.Namespace
        "dashboards": ("default", NamespaceSource.COMPUTED),  # from values: the installer's choice
    }
    literal, _ = render_chart_for_lint(LITERAL_CHART, REPO_ROOT)
    sources = {obj.name: obj.namespace_source for obj in literal}
    assert sources["settings"] == sources["settings-quoted"] == NamespaceSource.WRITTEN
    assert sources["settings-fixed"] == sources["settings-constant"] == NamespaceSource.WRITTEN
    assert sources["settings-release"] == sources["settings-helper"] == NamespaceSource.RELEASE


def test_a_given_release_namespace_is_the_objects_namespace() -> None:
    objects, _ = render_chart_for_lint(RELEASE_CHART, REPO_ROOT, namespace="device-prod")
    placed = {(obj.kind, obj.name): obj.namespace for obj in objects}
    assert placed[("Deployment", "api")] == placed[("ConfigMap", "settings")] == "device-prod"
    assert placed[("ConfigMap", "dashboards")] == "default"
    assert {obj.subject for obj in objects if obj.name == "api"} == {
        "ServiceAccount/device-prod/api [values.yaml]",
        "Deployment/device-prod/api [values.yaml]",
        "Service/device-prod/api [values.yaml]",
    }


def test_no_made_up_namespace_in_subjects_or_messages() -> None:
    findings = _findings(RELEASE_CHART, {"MD212", "MD214", "MD601"})
    assert findings == [
        (
            "MD601",
            "Deployment/api [values.yaml]/network-policy",
            "Deployment/api [values.yaml] is not isolated for ingress and egress traffic: the release "
            "namespace has no NetworkPolicy at all; add a default-deny policy (podSelector: {} with "
            "policyTypes [Ingress, Egress]).",
        )
    ]


def test_namespace_option_shows_in_messages() -> None:
    findings = _findings(RELEASE_CHART, {"MD212", "MD214", "MD601"}, namespace="prod")
    messages = [message for _, _, message in findings]
    assert any('namespace "prod" has no NetworkPolicy at all' in message for message in messages)
    assert any(message.startswith("namespace prod used by Deployment/prod/api") for message in messages)
    assert not [rule for rule, _, _ in findings if rule == "MD212"]


def test_installing_into_default_is_reported_when_the_run_says_so() -> None:
    findings = _findings(RELEASE_CHART, {"MD212"}, namespace="default")
    placed = [
        subject for _, subject, message in findings if "the release namespace this run was given" in message
    ]
    assert placed == [
        "ConfigMap/default/fallback-to-release [values.yaml]",
        "ConfigMap/default/settings [values.yaml]",
        "Deployment/default/api [values.yaml]",
        "Service/default/api [values.yaml]",
        "ServiceAccount/default/api [values.yaml]",
    ]


def test_a_literal_default_is_reported_whatever_the_release_namespace() -> None:
    findings = _findings(LITERAL_CHART, {"MD212"}, namespace="prod")
    assert [subject for _, subject, _ in findings] == [
        "ConfigMap/default/settings [values.yaml]",
        "ConfigMap/default/settings-constant [values.yaml]",
        "ConfigMap/default/settings-fallback [values.yaml]",
        "ConfigMap/default/settings-fixed [values.yaml]",
        "ConfigMap/default/settings-quoted [values.yaml]",
    ]


def test_check_and_render_take_namespace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "check",
            str(RELEASE_CHART.relative_to(REPO_ROOT)),
            "--select",
            "MD601",
            "--format",
            "json",
            "--namespace",
            "prod",
            "--exit-zero",
        ],
    )
    assert result.exit_code == 0, result.output
    assert '"subject": "Deployment/prod/api [values.yaml]/network-policy"' in result.output
    refused = runner.invoke(main, ["check", str(RELEASE_CHART), "--namespace", "Prod_1"])
    assert refused.exit_code == 2 and "not a valid namespace name" in refused.output
    rendered = cli_runner().invoke(main, ["render", str(RELEASE_CHART), "--namespace", "prod"])
    assert rendered.exit_code == 0, rendered.stderr
    assert "  namespace: prod\n" in rendered.stdout and 'namespace: "prod"' in rendered.stdout
    default = cli_runner().invoke(main, ["render", str(RELEASE_CHART)])
    assert "  namespace: default\n" in default.stdout  # as `helm template` without --namespace


def test_configuration_sets_the_namespace(tmp_path: Path) -> None:
    config = tmp_path / ".medlint.yaml"
    config.write_text("helm:\n  namespace: device-prod\n  kube_version: '1.30.0'\n")
    result = CliRunner().invoke(
        main,
        [
            "check",
            str(RELEASE_CHART),
            "--config",
            str(config),
            "--select",
            "MD601",
            "--format",
            "json",
            "--exit-zero",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Deployment/device-prod/api" in result.output
    config.write_text("helm:\n  namespace: Device_Prod\n")
    bad = CliRunner().invoke(main, ["check", str(RELEASE_CHART), "--config", str(config)])
    assert bad.exit_code == 2
    assert ':2: helm.namespace: "Device_Prod" is not a valid namespace name' in bad.output
    config.write_text("helm:\n  namepsace: device-prod\n")
    typo = CliRunner().invoke(main, ["check", str(RELEASE_CHART), "--config", str(config)])
    assert typo.exit_code == 2 and "namepsace" in typo.output
