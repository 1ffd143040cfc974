#!/usr/bin/env python3
"""How `medlint check` grows with the size of the scanned tree: 1, 2, 4 and 8 copies of each corpus kind.

Each copy of ../shared/corpus/KIND goes into its own folder of one temporary tree, so 8 copies hold 8 times
the files and objects (same names in different folders, as in a monorepo). Every run is a whole process
with `--jobs 1`, timed by wall clock and by CPU seconds (user + system of the process and its children);
the machine is shared, so CPU seconds are the steadier measure and the ratio column uses them (best of
the runs, since other load only ever adds time). Target: 8 copies within 9x the time of 1 copy.

    python benchmarks/bench_scaling.py [--runs 3] [--copies 1,2,4,8] [KIND ...]

The bytecode cache is on for the timed processes (PYTHONDONTWRITEBYTECODE is cleared).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS = REPO_ROOT.parent / "shared" / "corpus"
KINDS = ("k8s", "compose", "dockerfile")


def make_copies(kind: str, count: int, target: Path) -> Path:
    """`target/copy-1 .. copy-N`, each a copy of corpus/KIND; returns the tree's root."""
    root = target / f"{kind}-{count}"
    for number in range(1, count + 1):
        shutil.copytree(CORPUS / kind, root / f"copy-{number}", symlinks=True)
    return root


def run_once(root: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and peak RSS (KiB) of one `medlint check --jobs 1` over `root`."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    command = [sys.executable, "-m", "medlint", "check", ".", "--jobs", "1", "--exit-zero"]
    command += ["--format", "json", "--today", "2026-12-07"]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"medlint failed on {root}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("kinds", nargs="*", metavar="KIND", help=f"any of {', '.join(KINDS)} (default: all)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--copies", default="1,2,4,8")
    args = parser.parse_args()
    counts = [int(part) for part in args.copies.split(",")]
    kinds = args.kinds or list(KINDS)
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        parser.error(f"unknown kind {', '.join(unknown)}: choose from {', '.join(KINDS)}")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    header = (
        f"{'kind':<11} {'copies':>6} {'files':>6} {'wall s':>7} {'CPU s':>7} {'CPU vs 1':>9} {'RSS MiB':>8}"
    )
    print(header)
    with tempfile.TemporaryDirectory(prefix="medlint-scaling-") as temporary:
        for kind in kinds:
            first_cpu = None
            for count in counts:
                root = make_copies(kind, count, Path(temporary))
                files = sum(1 for path in root.rglob("*") if path.is_file())
                run_once(root)  # warm the page and bytecode caches
                samples = [run_once(root) for _ in range(args.runs)]
                wall = min(sample[0] for sample in samples)
                cpu = min(sample[1] for sample in samples)
                rss = max(sample[2] for sample in samples) / 1024
                first_cpu = first_cpu if first_cpu is not None else cpu
                ratio = cpu / first_cpu
                print(
                    f"{kind:<11} {count:>6} {files:>6} {wall:>7.2f} {cpu:>7.2f} {ratio:>8.2f}x {rss:>8.1f}",
                    flush=True,
                )
                shutil.rmtree(root)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print("target: 8 copies within 9x the CPU time of 1 copy")


if __name__ == "__main__":
    main()
