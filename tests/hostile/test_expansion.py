"""Family 4, expansion bombs: substitution is budgeted, and a file over budget is one MD001 naming the
file, the line and the variable, never a partial model and never a memory exhaustion."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.bombs import case
from tests.hostile.cases import located, messages, run_case


@pytest.mark.parametrize(
    "name, path, line, variable",
    [
        ("dockerfile ARG doubling x40", "Dockerfile", 22, "ARG V20"),
        ("dockerfile global ARG doubling x40", "Dockerfile", 21, "ARG V20"),
        ("dockerfile ENV doubling x40", "Dockerfile", 22, "ENV V20"),
        ("dockerfile ENV legacy 64 refs x6", "Dockerfile", 6, "ENV W4"),
    ],
)
def test_dockerfile_doubling_stops_at_the_variable(
    tmp_path: Path, name: str, path: str, line: int, variable: str
) -> None:
    _, findings = run_case(case(name), tmp_path)
    problems = located(findings, "MD001")
    assert len(problems) == 1, problems
    where, at, message = problems[0]
    assert (where, at) == (path, line)
    assert f"{variable}: substituting" in message and "limits.max_expanded_value_chars" in message
    assert not [f for f in findings if f["rule_id"] != "MD001"]  # nothing from a partial model


def test_flag_values_are_budgeted_too(tmp_path: Path) -> None:
    _, findings = run_case(case("dockerfile flag value doubling"), tmp_path)
    assert any("max_expanded_value_chars" in m for m in messages(findings, "MD001"))


def test_compose_dotenv_doubling_names_the_env_file_line_and_variable(tmp_path: Path) -> None:
    _, findings = run_case(case("compose .env doubling x40"), tmp_path)
    problems = messages(findings, "MD001")
    assert len(problems) == 1
    assert ".env line 21: variable V20: substituting ${V19}" in problems[0]
    assert not [f for f in findings if f["rule_id"] not in ("MD001",)]


def test_an_included_projects_env_is_budgeted(tmp_path: Path) -> None:
    _, findings = run_case(case("compose included .env doubling"), tmp_path)
    assert any("sub/.env line 21: variable V20" in m for m in messages(findings, "MD001"))


def test_deeply_nested_defaults_are_refused_not_recursed(tmp_path: Path) -> None:
    _, findings = run_case(case("compose ${A:-...} nested 50k"), tmp_path)
    assert any("limits.max_substitution_nesting" in m for m in messages(findings, "MD001"))


def test_a_literal_megabyte_costs_no_expansion_budget(tmp_path: Path) -> None:
    # Only characters copied from variables count: a long literal LABEL is linted as usual.
    _, findings = run_case(case("LABEL 1 MB"), tmp_path)
    assert not messages(findings, "MD001")
    assert any(f["rule_id"] != "MD001" for f in findings)
