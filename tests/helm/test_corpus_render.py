"""Every chart of the shared corpus (../shared/corpus/helm) rendered with its default values.

Dependencies that are not vendored are looked up beside each chart (its owner folder is the
--chart-path: bitnami charts find `common` there, kube-prometheus-stack finds the node exporter). A chart
counts as rendered when medlint reports no MD003 for it. Charts whose dependencies are in neither place
cannot be rendered by Helm either (`helm dependency build` needs the network); they are listed apart,
and at least 95% of the other charts must render. Skipped when the corpus is absent.
"""

from __future__ import annotations

import pytest

from medlint.helm.lint_renders import ValuesSet, render_chart_for_lint
from tests.conftest import CORPUS

CHARTS = sorted(path.parent for path in (CORPUS / "helm").glob("*/*/Chart.yaml")) if CORPUS.is_dir() else []

pytestmark = pytest.mark.skipif(not CHARTS, reason="../shared/corpus/helm is not present")


def _needs_dependencies(message: str) -> bool:
    return "is not vendored" in message or "are not vendored" in message


@pytest.fixture(scope="module")
def outcomes() -> dict[str, list[str]]:
    """Chart folder -> MD003 messages (empty when the chart rendered completely)."""
    results: dict[str, list[str]] = {}
    for chart in CHARTS:
        objects, problems = render_chart_for_lint(
            chart, CORPUS, chart_paths=[chart.parent], values_sets=[ValuesSet("values.yaml")]
        )
        assert all(problem.rule_id == "MD003" for problem in problems)
        assert all(not obj.path.startswith("/") for obj in objects)
        results[chart.relative_to(CORPUS / "helm").as_posix()] = [problem.message for problem in problems]
    return results


def test_corpus_charts_render(outcomes: dict[str, list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    incomplete = {
        name: msgs for name, msgs in outcomes.items() if msgs and all(map(_needs_dependencies, msgs))
    }
    failed = {name: msgs for name, msgs in outcomes.items() if msgs and name not in incomplete}
    renderable = len(outcomes) - len(incomplete)
    rate = (renderable - len(failed)) / renderable
    with capsys.disabled():
        print(
            f"\nHelm corpus: {len(outcomes)} charts, {len(outcomes) - len(incomplete) - len(failed)} rendered "
            f"completely; {len(incomplete)} need dependencies that are not vendored; {len(failed)} failed "
            f"({rate:.1%} of the charts whose dependencies are available)"
        )
        for name, messages in sorted({**incomplete, **failed}.items()):
            print(f"  {'needs dependencies' if name in incomplete else 'FAILED'}: {name}")
            for message in messages:
                print(f"      {message[:240]}")
    assert rate >= 0.95, failed


def test_library_charts_render_nothing_and_report_nothing(outcomes: dict[str, list[str]]) -> None:
    assert outcomes.get("bitnami_charts/common") == []
