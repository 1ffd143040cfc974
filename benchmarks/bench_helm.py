#!/usr/bin/env python3
"""Time rendering each chart of ../shared/corpus/helm for linting, and print a table.

Each chart is rendered as the linter renders it (default values, source map, Kubernetes objects),
with its owner folder as --chart-path. Targets: all charts together under 60 s, no chart over 5 s.
Run from the repository root:

    python benchmarks/bench_helm.py [--runs 3] [CHART_NAME ...]

The best of the runs is reported per chart (the machine's other load only ever adds time).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS = REPO_ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(REPO_ROOT))

TOTAL_TARGET_SECONDS = 60.0
CHART_TARGET_SECONDS = 5.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="renders per chart; the fastest counts")
    parser.add_argument("charts", nargs="*", help="only these chart folder names")
    args = parser.parse_args()
    if not (CORPUS / "helm").is_dir():
        print(f"no corpus at {CORPUS / 'helm'}", file=sys.stderr)
        return 2
    from medlint.helm.lint_renders import ValuesSet, render_chart_for_lint

    charts = sorted(path.parent for path in (CORPUS / "helm").glob("*/*/Chart.yaml"))
    if args.charts:
        charts = [chart for chart in charts if chart.name in args.charts]
    rows: list[tuple[str, float, int, int]] = []
    for chart in charts:
        best = float("inf")
        objects: list = []
        problems: list = []
        for _ in range(max(args.runs, 1)):
            start = time.perf_counter()
            objects, problems = render_chart_for_lint(
                chart, CORPUS, chart_paths=[chart.parent], values_sets=[ValuesSet("values.yaml")]
            )
            best = min(best, time.perf_counter() - start)
        rows.append((chart.relative_to(CORPUS / "helm").as_posix(), best, len(objects), len(problems)))
    width = max(len(name) for name, *_ in rows)
    print(f"{'chart':<{width}}  {'seconds':>8}  {'objects':>7}  {'MD003':>5}")
    for name, seconds, objects_count, problems_count in rows:
        flag = "  > target" if seconds > CHART_TARGET_SECONDS else ""
        print(f"{name:<{width}}  {seconds:8.3f}  {objects_count:7d}  {problems_count:5d}{flag}")
    total = sum(seconds for _, seconds, *_ in rows)
    slowest = max(rows, key=lambda row: row[1])
    print(f"{'total (' + str(len(rows)) + ' charts)':<{width}}  {total:8.3f}")
    print(
        f"slowest: {slowest[0]} {slowest[1]:.3f} s; targets: total < {TOTAL_TARGET_SECONDS:.0f} s "
        f"({'met' if total < TOTAL_TARGET_SECONDS else 'MISSED'}), every chart < {CHART_TARGET_SECONDS:.0f} s "
        f"({'met' if slowest[1] < CHART_TARGET_SECONDS else 'MISSED'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
