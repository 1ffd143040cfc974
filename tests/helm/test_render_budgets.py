"""Render budgets: steps per chart across its values sets and per run, sizes of function results
(checked before they are built where possible), and one MD003 for a chart that runs out."""

from __future__ import annotations

from pathlib import Path

import pytest

from medlint.helm.budget import RenderBudget
from medlint.helm.gotemplate import BudgetExceeded, TemplateSet
from medlint.helm.guards import ResourceLimitError, check_expanded
from medlint.helm.lint_renders import render_chart_for_lint
from medlint.limits import Limits

CHART = "apiVersion: v2\nname: app\nversion: 0.1.0\n"
CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm{n}\ndata:\n  a: '{{{{ range until 300 }}}}x{{{{ end }}}}'\n"


def _chart(directory: Path, templates: int = 3, values_sets: int = 0) -> Path:
    (directory / "templates").mkdir(parents=True)
    (directory / "Chart.yaml").write_text(CHART)
    (directory / "values.yaml").write_text("a: 1\n")
    for n in range(templates):
        (directory / "templates" / f"cm{n}.yaml").write_text(CONFIG_MAP.format(n=n))
    for n in range(values_sets):
        (directory / f"values-{n}.yaml").write_text(f"a: {n}\n")
    return directory


def test_meter_shares_steps_between_executions() -> None:
    meter = RenderBudget(1000, 60, "chart")
    tset = TemplateSet(funcs={"until": lambda n: list(range(n))}, meter=meter)
    tset.parse("t", "{{ range until 100 }}x{{ end }}")
    tset.execute("t")
    used = 1000 - meter.left
    assert used > 100
    with pytest.raises(BudgetExceeded, match="exceeded the step budget of the chart"):
        for _ in range(20):
            tset.execute("t")


def test_run_budget_is_the_parent_of_chart_budgets() -> None:
    run = RenderBudget(150, 60, "run")
    first, second = run.for_chart(Limits(max_render_steps_per_chart=100)), None
    first.spend(100)
    assert first.allowance() == 0 and run.allowance() == 50
    second = run.for_chart(Limits(max_render_steps_per_chart=100))
    assert second.allowance() == 50
    assert "per run" in second.exhausted().what


def test_a_chart_over_budget_is_one_md003_for_all_values_sets(tmp_path: Path) -> None:
    chart = _chart(tmp_path / "app", templates=3, values_sets=3)
    objects, problems = render_chart_for_lint(chart, tmp_path, limits=Limits(max_render_steps_per_chart=2500))
    assert objects == []
    assert len(problems) == 1
    assert "render budget exceeded: evaluation steps per chart (max_render_steps_per_chart), limit 2,500" in (
        problems[0].message
    )
    # Deterministic: the same budget runs out at the same template and values set every time.
    again = render_chart_for_lint(chart, tmp_path, limits=Limits(max_render_steps_per_chart=2500))[1]
    assert again == problems


def test_the_same_chart_within_budget_renders_every_values_set(tmp_path: Path) -> None:
    chart = _chart(tmp_path / "app", templates=3, values_sets=3)
    objects, problems = render_chart_for_lint(chart, tmp_path)
    assert problems == [] and len(objects) == 12


def test_run_budget_across_charts(tmp_path: Path) -> None:
    run = RenderBudget(3000, 60, "run")
    results = [
        render_chart_for_lint(_chart(tmp_path / f"app{n}", templates=2), tmp_path, budget=run)[1]
        for n in range(4)
    ]
    assert results[0] == []
    assert any("evaluation steps per run" in p.message for problems in results for p in problems)


def test_shared_structures_are_measured_as_printed() -> None:
    nested: list = ["x"]
    for _ in range(40):
        nested = [nested, nested]
    with pytest.raises(ResourceLimitError, match="would print as"):
        check_expanded(nested, 1_000_000, 16 << 20)
    loop: dict = {}
    loop["self"] = loop
    with pytest.raises(ResourceLimitError, match="contains itself"):
        check_expanded(loop, 1_000_000, 16 << 20)
    check_expanded({"a": [1, 2, {"b": "c"}]}, 100, 100)
