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
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS = REPO_ROOT.parent / "shared" / "corpus"
TODAY = "2026-12-07"


def time_once(arguments: list[str], cwd: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "medlint", *arguments, "--today", TODAY, "--exit-zero"],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"medlint failed on {arguments} in {cwd}")
    return time.perf_counter() - start


def median(arguments: list[str], cwd: Path, runs: int) -> float:
    time_once(arguments, cwd)  # warm-up: bytecode cache
    return statistics.median(time_once(arguments, cwd) for _ in range(runs))


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
