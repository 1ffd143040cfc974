"""Run medlint as a whole process from this checkout, for the benchmarks that time commands end to end.

from medlint_process import median_seconds, run_medlint   (benchmarks put their folder on sys.path)
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def run_medlint(arguments: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds of `medlint ARGUMENTS` in `cwd`, and the peak resident memory (KiB) of all children so far
    (Linux: the maximum, not the sum). Exit codes 0 and 1 are results; anything else stops the benchmark."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # time what a user's second run costs, with its bytecode cache
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "medlint", *arguments],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(
            f"medlint {' '.join(arguments)} failed ({result.returncode}): {result.stderr[-2000:]}"
        )
    return elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def median_seconds(arguments: list[str], cwd: Path, runs: int) -> float:
    """The median wall time of `runs` runs, after one warm-up run that fills the bytecode cache."""
    run_medlint(arguments, cwd)
    return statistics.median(run_medlint(arguments, cwd)[0] for _ in range(runs))
