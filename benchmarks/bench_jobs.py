#!/usr/bin/env python3
"""`medlint check --jobs N` against `--jobs 1` on the whole visible corpus: speed-up, peak RSS, same bytes.

Runs `medlint check dockerfile compose k8s helm` in ../shared/corpus as whole processes, alternating the job
counts so that other load on the machine hits both alike, and reports the best wall time of each (other
load only ever adds time) with the peak RSS of the main process and of its largest worker (read from
/proc while the run goes on). Then it writes the text, JSON and SARIF reports with each job count and checks
that they are byte for byte the same. Targets: at least 1.6x faster with 2 jobs on 2 cores, at most 200 MB
per process. It also times `--jobs` busy loops against one, before and after, to show what parallel speed
the (possibly shared) machine gave at the time.

    python benchmarks/bench_jobs.py [--runs 3] [--jobs 2]

The bytecode cache is on for the timed processes (PYTHONDONTWRITEBYTECODE is cleared). Take memory numbers
with the interpreter of a plain install (`pip install .`): the test extra's CycloneDX validators bring
jsonschema's optional format checkers (lark and others), which jsonschema imports with itself, and a Helm
scan imports jsonschema for values schemas: about 24 MB more per process than a user's install.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS = REPO_ROOT.parent / "shared" / "corpus"
ARGUMENTS = ["dockerfile", "compose", "k8s", "helm", "--chart-path", "helm/bitnami_charts"]
ARGUMENTS += ["--today", "2026-12-07", "--exit-zero"]


def _peak_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as children:
            return [int(part) for part in children.read().split()]
    except OSError:
        return []


class _WorkerWatch(threading.Thread):
    """Polls the peak RSS of the worker processes of one run (VmHWM only grows, so a late read is the peak)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peaks: dict[int, int] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            for child in _children(self.pid):
                self.peaks[child] = max(self.peaks.get(child, 0), _peak_kib(child))
            time.sleep(0.05)


def run_once(jobs: int, extra: list[str], stdout: object = subprocess.DEVNULL) -> tuple[float, int, int]:
    """Wall seconds, peak RSS of the main process and of its largest worker (KiB)."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    command = [sys.executable, "-m", "medlint", "check", *ARGUMENTS, "--jobs", str(jobs), *extra]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=CORPUS, env=env, stdout=stdout)  # type: ignore[arg-type]
    watch = _WorkerWatch(process.pid)
    watch.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    watch.done.set()
    watch.join()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"medlint --jobs {jobs} failed")
    return wall, usage.ru_maxrss, max(watch.peaks.values(), default=0)


_BUSY_LOOP = "total = 0\nfor number in range(12_000_000):\n    total += number\n"


def parallel_efficiency(jobs: int) -> float:
    """How this machine runs `jobs` busy processes at once: the wall time of one alone over that of the
    slowest of them together (1.0: each had a core of its own). On a shared virtual machine a neighbour can
    take part of a core at times; the speed-up of a run is bounded by what the machine gave it then."""

    def wall(count: int) -> float:
        start = time.perf_counter()
        processes = [subprocess.Popen([sys.executable, "-c", _BUSY_LOOP]) for _ in range(count)]
        for process in processes:
            process.wait()
        return time.perf_counter() - start

    return min(wall(1) for _ in range(2)) / min(wall(jobs) for _ in range(2))


def same_bytes(jobs: int) -> list[str]:
    """The formats whose reports differ between --jobs 1 and --jobs N (none, when all is well)."""
    differing = []
    with tempfile.TemporaryDirectory(prefix="medlint-jobs-") as folder:
        outputs: dict[int, list[bytes]] = {}
        for count in (1, jobs):  # the same paths each time: reports record the command line
            json_path, sarif_path = Path(folder) / "report.json", Path(folder) / "report.sarif"
            text_path = Path(folder) / "report.txt"
            with open(text_path, "wb") as text:
                run_once(count, [f"-ojson={json_path}", f"-osarif={sarif_path}"], stdout=text)
            outputs[count] = [path.read_bytes() for path in (text_path, json_path, sarif_path)]
        for name, one, many in zip(("text", "json", "sarif"), outputs[1], outputs[jobs]):
            if one != many:
                differing.append(name)
    return differing


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"{CORPUS} is not present")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    efficiency_before = parallel_efficiency(args.jobs)
    run_once(1, [])  # warm the page and bytecode caches
    samples: dict[int, list[tuple[float, int, int]]] = {1: [], args.jobs: []}
    for _ in range(args.runs):
        for jobs in samples:
            samples[jobs].append(run_once(jobs, []))
    print(f"{'jobs':>4} {'best wall s':>11} {'median s':>9} {'main RSS MiB':>13} {'worker RSS MiB':>15}")
    best = {}
    for jobs, runs in samples.items():
        walls = sorted(sample[0] for sample in runs)
        best[jobs] = walls[0]
        main_rss = max(sample[1] for sample in runs) / 1024
        worker_rss = max(sample[2] for sample in runs) / 1024
        workers = f"{worker_rss:>15.1f}" if worker_rss else f"{'-':>15}"
        print(f"{jobs:>4} {walls[0]:>11.2f} {walls[len(walls) // 2]:>9.2f} {main_rss:>13.1f} {workers}")
    print(f"speed-up with {args.jobs} jobs: {best[1] / best[args.jobs]:.2f}x (target: at least 1.6x)")
    print(
        f"the machine ran {args.jobs} busy processes at {efficiency_before:.2f} (before) and "
        f"{parallel_efficiency(args.jobs):.2f} (after) of the speed of one alone"
    )
    differing = same_bytes(args.jobs)
    print(
        "text, JSON and SARIF byte-identical: " + ("yes" if not differing else "NO: " + ", ".join(differing))
    )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
