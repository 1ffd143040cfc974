"""SARIF output: valid against the official 2.1.0 schema, plus the invariants the schema cannot check."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from medlint.api import lint
from medlint.report.sarif import sarif_log
from tests.conftest import REPO_ROOT

SCHEMA = json.loads((REPO_ROOT / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def example_log() -> dict:
    return sarif_log(lint(["examples/medical-device"], cwd=REPO_ROOT))


def test_valid_against_the_official_schema(example_log: dict) -> None:
    validator = jsonschema.Draft4Validator(SCHEMA)
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(example_log)
    ]
    assert errors == []


def test_results_reference_rules_with_explicit_levels_and_one_relative_location(example_log: dict) -> None:
    run = example_log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert run["results"], "the example has defects"
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"].endswith(".")
        assert len(result["locations"]) == 1
        physical = result["locations"][0]["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert not uri.startswith("/") and "\\" not in uri and not uri.startswith("..")
        region = physical["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert (region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"])


def test_rule_metadata_is_complete(example_log: dict) -> None:
    for rule in example_log["runs"][0]["tool"]["driver"]["rules"]:
        assert rule["name"][0].isupper() and "-" not in rule["name"]
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
        assert rule["help"]["markdown"].startswith(f"# {rule['id']} ")
        severity = float(rule["properties"]["security-severity"])
        assert isinstance(rule["properties"]["security-severity"], str) and 0.0 < severity <= 10.0
        assert len(rule["properties"]["tags"]) <= 10


def test_run_records_versions_and_safety_class(example_log: dict) -> None:
    run = example_log["runs"][0]
    assert run["tool"]["driver"]["semanticVersion"]
    assert run["properties"]["rulePackVersion"]
    assert run["properties"]["safetyClass"] == "B"
    assert (
        len(run["properties"]["evaluationDate"]) == 10
        and run["properties"]["dataTableVersions"]["end-of-support"]
    )
    assert run["invocations"][0]["executionSuccessful"] is True


def test_clean_scan_has_an_empty_results_array(tmp_path: Path) -> None:
    (tmp_path / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok, namespace: clinical}\ndata: {}\n",
        encoding="utf-8",
    )
    log = sarif_log(lint([str(tmp_path / "cm.yaml")], cwd=tmp_path))
    assert log["runs"][0]["results"] == []
    jsonschema.Draft4Validator(SCHEMA).validate(log)


def test_fingerprints_are_present_and_unique(example_log: dict) -> None:
    results = example_log["runs"][0]["results"]
    logical = [result["partialFingerprints"]["medlintLogical/v1"] for result in results]
    assert len(set(logical)) == len(logical)
    assert all(":" in result["partialFingerprints"]["primaryLocationLineHash"] for result in results)
    identities = [tuple(sorted(result["partialFingerprints"].items())) for result in results]
    assert len(set(identities)) == len(identities)


def test_version_control_provenance_inside_a_git_checkout(tmp_path: Path) -> None:
    git = tmp_path / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (git / "refs" / "heads" / "main").write_text(
        "0123456789abcdef0123456789abcdef01234567\n", encoding="utf-8"
    )
    (git / "config").write_text(
        '[remote "origin"]\n\turl = https://user:token@git.example.com/device/app.git\n', encoding="utf-8"
    )
    (tmp_path / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok, namespace: clinical}\n", encoding="utf-8"
    )
    run = sarif_log(lint(["cm.yaml"], cwd=tmp_path))["runs"][0]
    provenance = run["versionControlProvenance"][0]
    assert provenance["repositoryUri"] == "https://git.example.com/device/app.git"  # credentials stripped
    assert (
        provenance["revisionId"] == "0123456789abcdef0123456789abcdef01234567"
        and provenance["branch"] == "main"
    )
