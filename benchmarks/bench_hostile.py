#!/usr/bin/env python3
"""Time and peak memory of medlint on the hostile inputs of issue 8 (families 4-7), and print a table.

Each case of `tests/hostile/bombs.py` is written into a temporary directory and scanned by
`python -m medlint` in a child process capped like the hostile tests (1 GiB of address space), with a
hang timeout. Run from the repository root:

    python benchmarks/bench_hostile.py [--timeout 120] [--repo OTHER_CHECKOUT] [NAME_SUBSTRING ...]

`--repo` runs another checkout's medlint on the same inputs (for before/after tables). Peak memory is the
child's maximum resident set size. "timeout" means the case was stopped; "killed" that it died of a signal
(for example after hitting the memory cap); "traceback" that it crashed.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tests.hostile.bombs import CASES, Case  # noqa: E402
from tests.hostile.harness import MEMORY_LIMIT_BYTES  # noqa: E402


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    os.setsid()


def run_case(item: Case, repo: Path, timeout: float) -> tuple[float, float, str]:
    """(seconds, peak MiB, outcome) of one case."""
    with (
        tempfile.TemporaryDirectory(prefix="medlint-hostile-") as temporary,
        tempfile.TemporaryDirectory(prefix="medlint-report-") as report_dir,
    ):
        directory = Path(temporary)
        report_path = Path(report_dir) / "report.json"
        item.write(directory)
        env = {**os.environ, "PYTHONPATH": str(repo), "NO_COLOR": "1"}
        command = [sys.executable, "-m", "medlint", *item.args, "--format", "json", "--today", "2026-12-07"]
        out = report_path.open("wb")
        start = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=directory,
            env=env,
            stdout=out,
            stderr=subprocess.PIPE,
            preexec_fn=_limit,
        )
        deadline = start + timeout
        outcome = ""
        status = 0
        usage = None
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                os.killpg(process.pid, signal.SIGKILL)
                _, status, usage = os.wait4(process.pid, 0)
                outcome = "timeout"
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
        if process.stderr:
            process.stderr.close()
        out.close()
        report = report_path.read_text(encoding="utf-8", errors="replace")
        peak = (usage.ru_maxrss / 1024) if usage is not None else 0.0
        if not outcome:
            if os.WIFSIGNALED(status):
                outcome = f"killed ({signal.Signals(os.WTERMSIG(status)).name})"
            else:
                code = os.WEXITSTATUS(status)
                outcome = f"exit {code}"
                if "Traceback (most recent call last)" in stderr:
                    outcome += ", traceback"
                elif "MemoryError" in stderr + report:
                    outcome += ", MemoryError"
                elif "internal error" in report:
                    outcome += ", internal error"
                limits = report.count("budget exceeded") + report.count("(limits.max_")
                if limits:
                    outcome += f", {limits} limit message(s)"
        return seconds, peak, outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a case counts as hung")
    parser.add_argument("--repo", type=Path, default=REPO_ROOT, help="checkout whose medlint is run")
    parser.add_argument("names", nargs="*", help="only cases whose name contains one of these")
    args = parser.parse_args()
    cases = [c for c in CASES if not args.names or any(n.lower() in c.name.lower() for n in args.names)]
    width = max(len(c.name) for c in cases)
    print(f"{'case':<{width}}  {'family':<9}  {'seconds':>8}  {'peak MiB':>8}  outcome", flush=True)
    for item in cases:
        seconds, peak, outcome = run_case(item, args.repo.resolve(), args.timeout)
        print(f"{item.name:<{width}}  {item.family:<9}  {seconds:8.2f}  {peak:8.0f}  {outcome}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
