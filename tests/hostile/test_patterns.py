"""Family 6, patterns from the repository: globs in `.dockerignore`, `.helmignore` and `.Files.Glob`,
regular expressions of templates and schemas, and version constraints are matched without backtracking."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.bombs import case
from tests.hostile.cases import messages, run_case


@pytest.mark.parametrize("name", [".dockerignore *a*a...c", ".dockerignore **/ nests"])
def test_dockerignore_patterns_against_long_tracked_names(tmp_path: Path, name: str) -> None:
    _, findings = run_case(case(name), tmp_path)
    # The pattern excludes none of the secret-looking files: MD306 reports them, so they were matched.
    assert any(f["rule_id"] == "MD306" and "aaaa" in f["message"] for f in findings)


@pytest.mark.parametrize("name", [".helmignore *a*a...c", ".Files.Glob *a*a...c", ".Files.Glob ** nests"])
def test_chart_globs_against_long_names(tmp_path: Path, name: str) -> None:
    _, findings = run_case(case(name), tmp_path)
    assert not messages(findings, "MD003")  # rendered: the glob simply matches nothing
    assert any(f["rule_id"] != "MD003" and "Deployment" in f.get("subject", "") for f in findings)


def test_schema_pattern_runs_on_re2(tmp_path: Path) -> None:
    _, findings = run_case(case("schema pattern ^(a+)+$"), tmp_path)
    problems = messages(findings, "MD003")
    assert problems and "values don't meet the specifications of the schema" in problems[0]


def test_schema_pattern_properties_run_on_re2(tmp_path: Path) -> None:
    # The long key matches no pattern, so the values are valid: answered at once, not after hours.
    _, findings = run_case(case("schema patternProperties"), tmp_path)
    assert not messages(findings, "MD003")


def test_schema_pattern_too_large_for_re2_is_noted_not_run(tmp_path: Path) -> None:
    _, findings = run_case(case("schema pattern huge repeat"), tmp_path)
    assert not [m for m in messages(findings, "MD003") if "schema" in m]  # the render went on


@pytest.mark.parametrize("name", ["kubeVersion 25 spaced terms", "semverCompare 25 spaced terms"])
def test_spaced_version_constraints_are_refused_quickly(tmp_path: Path, name: str) -> None:
    _, findings = run_case(case(name), tmp_path)
    assert messages(findings, "MD003") or messages(findings, "MD115")


def test_template_regular_expressions_run_on_re2(tmp_path: Path) -> None:
    _, findings = run_case(case("template regex functions"), tmp_path)
    assert not messages(findings, "MD003")
