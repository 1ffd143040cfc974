"""Family 7, Helm budgets: structures that share their parts, functions whose result size follows from
their input, dependency cycles, archive bombs and heavy templates end with one MD003 for the whole chart
("render budget exceeded: <budget>, limit N"), deterministically, and never with a partial render."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile.bombs import case
from tests.hostile.cases import messages, run_case


@pytest.mark.parametrize(
    "name, budget",
    [
        ("nested list doubling + toJson", "items in one function result"),
        ("nested dict doubling + toYaml", "items in one function result"),
        ("nested list printed/copied", "items in one function result"),
        ("wrapWith / wrap on large strings", "characters in one function result"),
        ("sized functions chained", "characters in one function result"),
        ("include fan-out 2**25", "evaluation steps per chart"),
        ("heavy chart, four values sets", "evaluation steps per chart"),
    ],
)
def test_budget_makes_the_whole_chart_one_md003(tmp_path: Path, name: str, budget: str) -> None:
    _, findings = run_case(case(name), tmp_path)
    problems = messages(findings, "MD003")
    assert len(problems) == 1, problems
    assert f"render budget exceeded: {budget}" in problems[0] and ", limit " in problems[0]
    # Never a partial render: no finding about any rendered object of the chart.
    assert not [f for f in findings if "Deployment/web" in f.get("subject", "")]


def test_budgets_are_deterministic(tmp_path: Path) -> None:
    # Steps, not seconds, stop the chart: two runs give the same bytes.
    first, _ = run_case(case("heavy chart, four values sets"), tmp_path / "a")
    second, _ = run_case(case("heavy chart, four values sets"), tmp_path / "b")
    assert json.loads(first.outputs["json"])["findings"] == json.loads(second.outputs["json"])["findings"]
    assert first.outputs["text"] == second.outputs["text"]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("chart depends on itself", "selfdep -> selfdep"),
        ("two charts depend on each other", "-> one -> two"),
    ],
)
def test_dependency_cycles_are_reported(tmp_path: Path, name: str, expected: str) -> None:
    _, findings = run_case(case(name), tmp_path)
    assert any("dependency cycle" in m and expected in m for m in messages(findings, "MD003"))


@pytest.mark.parametrize(
    "name, expected",
    [
        ("bzip2 subchart archive", "gzip: invalid header"),
        ("gzip subchart bomb", "not a regular file, directory or link"),
        ("gzip subchart of 4 MiB files", "decompression size limit reached"),
        ("nested subchart archives", "limits.max_archive_ratio"),
        ("archive with 200k members", "limits.max_archive_members"),
    ],
)
def test_archive_bombs_stop_while_decompressing(tmp_path: Path, name: str, expected: str) -> None:
    _, findings = run_case(case(name), tmp_path)
    assert any(expected in m for m in messages(findings, "MD003")), messages(findings, "MD003")
