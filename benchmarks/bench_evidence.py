#!/usr/bin/env python3
"""What the evidence report costs over `check`: whole processes on the same input, a table of medians, and the
size of what is written.

Cases: the bundled example, and, when ../shared/corpus exists, its Kubernetes manifests (corpus/k8s). Each is
run as `medlint check`, `medlint evidence -o FILE` (HTML) and `medlint evidence --format markdown -o FILE`.
Run from the repository root, ideally with a virtual environment's Python:

    python benchmarks/bench_evidence.py [--runs 3]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from medlint_process import median_seconds

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS = REPO_ROOT.parent / "shared" / "corpus"
TODAY = "2026-12-07"


def median(arguments: list[str], cwd: Path, runs: int) -> float:
    return median_seconds([*arguments, "--today", TODAY, "--exit-zero"], cwd, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    cases = [("example", REPO_ROOT, "examples/medical-device")]
    if (CORPUS / "k8s").is_dir():
        cases.append(("corpus/k8s", CORPUS, "k8s"))
    print(
        f"| case | check (s) | evidence html (s) | evidence markdown (s) | html size | markdown size |  runs={runs}"
    )
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="medlint-bench-evidence-") as scratch:
        for name, cwd, target in cases:
            html = Path(scratch) / "report.html"
            markdown = Path(scratch) / "report.md"
            check = median(["check", target], cwd, runs)
            as_html = median(["evidence", target, "-o", str(html)], cwd, runs)
            as_markdown = median(["evidence", target, "--format", "markdown", "-o", str(markdown)], cwd, runs)
            print(
                f"| {name} | {check:.2f} | {as_html:.2f} | {as_markdown:.2f} | "
                f"{html.stat().st_size / 1e6:.2f} MB | {markdown.stat().st_size / 1e6:.2f} MB |"
            )


if __name__ == "__main__":
    main()
