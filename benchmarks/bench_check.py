#!/usr/bin/env python3
"""Time `medlint check` as whole processes (interpreter start included) and print a table of medians.

Cases: one small Dockerfile (the pre-commit case), the bundled example, and each folder of
../shared/corpus when it exists. Runs use Python's bytecode cache as installed packages do (the
PYTHONDONTWRITEBYTECODE variable, which some sandboxes set, is cleared for the timed processes, and one
warm-up run fills the cache). Run from the repository root, ideally with a virtual environment's Python:

    python benchmarks/bench_check.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS = REPO_ROOT.parent / "shared" / "corpus"


def cases() -> list[tuple[str, list[str]]]:
    found = [
        ("one small Dockerfile", ["fixtures/MD401/pass/healthy.Dockerfile"]),
        ("examples/medical-device", ["examples/medical-device"]),
    ]
    if CORPUS.is_dir():
        for kind in ("dockerfile", "compose", "k8s", "helm"):
            found.append((f"corpus/{kind}", [str(CORPUS / kind)]))
        found.append(
            ("corpus (all)", [str(CORPUS / kind) for kind in ("dockerfile", "compose", "k8s", "helm")])
        )
    return found


def time_once(paths: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one `medlint check` process."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "medlint", "check", *paths, "--exit-zero"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"medlint failed on {paths}")
    return elapsed, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    time_once(["fixtures/MD401/pass/healthy.Dockerfile"])  # warm the bytecode cache
    baseline = statistics.median(_timed([sys.executable, "-c", "pass"]) for _ in range(args.runs))
    print(f"{'case':<28} {'median s':>9} {'min s':>7} {'max s':>7} {'peak RSS MiB':>13}")
    print(f"{'python -c pass (baseline)':<28} {baseline:>9.3f}")
    for name, paths in cases():
        samples = [time_once(paths) for _ in range(args.runs)]
        times = [sample[0] for sample in samples]
        rss = max(sample[1] for sample in samples) / 1024
        print(
            f"{name:<28} {statistics.median(times):>9.3f} {min(times):>7.3f} {max(times):>7.3f} {rss:>13.1f}"
        )


def _timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
