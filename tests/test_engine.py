"""The rule engine: levels per class, isolation of failing checks, built-in and user rule packs."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from medlint.api import lint
from medlint.cli import main
from medlint.config import Config
from medlint.engine import EngineSettings, run_rules
from medlint.model import ArtifactKind, Level, Project, SourceFile
from medlint.rulepack import RulePackError, builtin_rules_dir, load_rule_pack, schemas_dir
from medlint.safety import SafetyClassDecision
from tests.conftest import REPO_ROOT

USER_RULE = {
    "id": "ACME101",
    "slug": "no-example-registry",
    "title": "Images must not come from registry.example.com",
    "group": "site-policy",
    "applies_to": ["kubernetes"],
    "check": "identity.image_tag_pinned",
    "params": {
        "floating_tags": {
            "description": "Tags that do not pin an image here.",
            "type": "array",
            "items": {"type": "string"},
            "default": ["1.4.2"],
        }
    },
    "level": {"A": "note", "B": "warning", "C": "error"},
    "references": [{"standard": "ACME SOP-7", "clause": "3.1"}],
    "rationale": "Our site policy pins a company registry for every deployed image.",
    "remediation": "Use registry.acme.example instead.",
    "security_severity": "3.0",
    "tags": ["site-policy"],
}


def test_every_builtin_rule_file_validates_against_the_schema() -> None:
    schema = json.loads((schemas_dir() / "rule.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    for path in sorted(builtin_rules_dir().glob("MD*.yaml")):
        errors = [
            error.message for error in validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))
        ]
        assert errors == [], f"{path.name}: {errors}"
    assert load_rule_pack(validate_builtin=True).rules


def test_rule_ids_match_their_file_names() -> None:
    for rule in load_rule_pack().rules:
        assert Path(rule.source_file).name.startswith(f"{rule.id}-{rule.slug}"), rule.source_file


def test_a_failing_check_is_reported_and_the_other_rules_still_run(tmp_path: Path) -> None:
    broken = dict(USER_RULE, id="ACME999", check="identity.does_not_exist")
    (tmp_path / "ACME999.yaml").write_text(yaml.safe_dump(broken), encoding="utf-8")
    pack = load_rule_pack((str(tmp_path),))
    project = Project(files=(SourceFile("deploy.yaml", ArtifactKind.KUBERNETES),))
    result = run_rules(project, pack, SafetyClassDecision("C", "test"))
    assert [note.rule_id for note in result.notifications] == ["ACME999"]
    assert "internal error" in result.notifications[0].message
    assert "MD201" in result.rules_run and "ACME999" in result.rules_run


def test_a_check_raising_does_not_stop_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    import medlint.checks.identity as identity

    def explode(project: Project, params: object) -> list:
        raise ValueError("boom")

    monkeypatch.setattr(identity, "image_tag_pinned", explode)
    report = lint(["examples/medical-device"], cwd=REPO_ROOT)
    assert [note.rule_id for note in report.result.notifications] == ["MD101"]
    assert "ValueError: boom" in report.result.notifications[0].message
    assert any(f.rule_id == "MD303" for f in report.result.findings)
    assert report.failing()


def test_user_rule_directory_adds_a_rule(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "ACME101-no-example-registry.yaml").write_text(yaml.safe_dump(USER_RULE), encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "check",
            "examples/medical-device/k8s/deployment.yaml",
            "--rules-dir",
            str(rules),
            "--format",
            "json",
            "--safety-class",
            "B",
        ],
    )
    data = json.loads(result.output)
    assert "ACME101" in data["rules_run"]
    listed = CliRunner().invoke(main, ["rules", "--rules-dir", str(rules), "--format", "json"])
    assert "ACME101" in [row["id"] for row in json.loads(listed.output)["rules"]]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"level": {"A": "warning", "B": "fatal", "C": "error"}}, "level/B"),
        ({"security_severity": 7}, "security_severity"),
        ({"id": "md-101"}, "id"),
    ],
)
def test_invalid_user_rule_is_rejected_naming_file_and_field(
    tmp_path: Path, change: dict, field: str
) -> None:
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(dict(USER_RULE, **change)), encoding="utf-8")
    with pytest.raises(RulePackError) as caught:
        load_rule_pack((str(tmp_path),))
    assert "bad.yaml" in str(caught.value) and f"field '{field}'" in str(caught.value)
    result = CliRunner().invoke(main, ["check", "examples/medical-device", "--rules-dir", str(tmp_path)])
    assert result.exit_code == 2 and "bad.yaml" in result.output


def test_a_rule_file_linked_out_of_its_directory_is_refused(tmp_path: Path) -> None:
    """A repository's rule directory may come from a stranger: a link in it must not make medlint read (and
    quote in its error) a file elsewhere on the machine."""
    outside = tmp_path / "outside.yaml"
    outside.write_text(yaml.safe_dump(USER_RULE), encoding="utf-8")
    rules = tmp_path / "repo" / "rules"
    rules.mkdir(parents=True)
    (rules / "ACME101.yaml").symlink_to(outside)
    with pytest.raises(RulePackError, match="ACME101.yaml: cannot read rule file") as caught:
        load_rule_pack((str(rules),))
    assert "leads outside its rule directory" in str(caught.value)


def test_duplicate_rule_id_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "dup.yaml").write_text(yaml.safe_dump(dict(USER_RULE, id="MD201")), encoding="utf-8")
    with pytest.raises(RulePackError, match="MD201 is already defined"):
        load_rule_pack((str(tmp_path),))


def test_levels_follow_the_safety_class() -> None:
    pack = load_rule_pack()
    rule = pack.get("MD201")
    assert [rule.level_for(c, ArtifactKind.KUBERNETES) for c in "ABC"] == [
        Level.WARNING,
        Level.ERROR,
        Level.ERROR,
    ]
    assert [rule.level_for(c, ArtifactKind.KUBERNETES, "explicit-root") for c in "ABC"] == [Level.ERROR] * 3
    health = pack.get("MD401")
    assert [health.level_for(c, ArtifactKind.DOCKERFILE) for c in "ABC"] == [
        Level.NOTE,
        Level.WARNING,
        Level.WARNING,
    ]
    assert [health.level_for(c, ArtifactKind.COMPOSE) for c in "ABC"] == [
        Level.WARNING,
        Level.WARNING,
        Level.ERROR,
    ]


def test_level_overrides_and_disabling() -> None:
    settings = EngineSettings(disabled=frozenset({"MD102"}), level_overrides={"MD110": "note"})
    report_rules = run_rules(Project(), load_rule_pack(), SafetyClassDecision("C", "test"), settings)
    assert "MD102" in report_rules.rules_disabled and "MD102" not in report_rules.rules_run
    example = lint(
        ["examples/medical-device"],
        cwd=REPO_ROOT,
        config=Config(levels={"MD110": "note"}, disabled=frozenset({"MD102"})),
    )
    assert {f.level for f in example.result.findings if f.rule_id == "MD110"} == {Level.NOTE}
    assert not any(f.rule_id == "MD102" for f in example.result.findings)


@pytest.mark.parametrize(
    "safety_class, rule, path, level",
    [
        ("A", "MD201", "k8s/cronjob-backup.yaml", "warning"),
        ("B", "MD201", "k8s/cronjob-backup.yaml", "error"),
        ("A", "MD102", "k8s/deployment.yaml", "note"),
        ("B", "MD102", "k8s/deployment.yaml", "warning"),
        ("C", "MD102", "k8s/deployment.yaml", "error"),
        ("A", "MD401", "frontend/Dockerfile", "note"),
        ("C", "MD401", "frontend/Dockerfile", "warning"),
        ("B", "MD501", "docker-compose.yml", "warning"),
        ("C", "MD501", "docker-compose.yml", "error"),
        ("A", "MD303", "k8s/secret.yaml", "error"),
        ("A", "MD105", "chart/medical-device/Chart.yaml", "warning"),
        ("C", "MD105", "chart/medical-device/Chart.yaml", "error"),
    ],
)
def test_example_levels_per_class(safety_class: str, rule: str, path: str, level: str) -> None:
    report = lint(["examples/medical-device"], cwd=REPO_ROOT, safety_class=safety_class)
    levels = {
        f.level.value
        for f in report.result.findings
        if f.rule_id == rule and f.location.path == f"examples/medical-device/{path}" and f.variant is None
    }
    assert level in levels


def test_a_user_rule_whose_parameter_default_does_not_match_its_type_is_refused(tmp_path: Path) -> None:
    broken = dict(
        USER_RULE,
        params={
            "floating_tags": {"description": "Tags that do not pin.", "type": "array", "default": "latest"}
        },
    )
    (tmp_path / "ACME101.yaml").write_text(yaml.safe_dump(broken), encoding="utf-8")
    with pytest.raises(RulePackError, match="default of parameter 'floating_tags'"):
        load_rule_pack((str(tmp_path),))
