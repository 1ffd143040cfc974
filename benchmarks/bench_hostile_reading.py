#!/usr/bin/env python3
"""Time and peak memory of `medlint check` on the reading reproductions of issue 8 (families 2 and 3).

Each case builds a small project in a temporary folder (links out of the project, a FIFO, a link to
/dev/zero, a sparse file of one GiB, a 25 MB Dockerfile) and runs medlint on it as a whole process with a
hang timeout and an address-space cap. The table says how long it took, the peak RSS and the exit code
(an exit code of 1 is expected: the refusals are findings). Run from the repository root:

    python benchmarks/bench_hostile_reading.py [--timeout 60] [--memory-gib 2]
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
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _outside(root: Path) -> Path:
    outside = root / "outside"
    outside.mkdir()
    (outside / "shadow").write_text("root:hunter2:19000:0:99999:7:::\n", encoding="utf-8")
    (outside / "env").write_text("SECRET=hunter2\n", encoding="utf-8")
    (outside / "values.yaml").write_text("image: hunter2\n", encoding="utf-8")
    return outside


def dockerfile_to_shadow(project: Path, outside: Path) -> None:
    (project / "Dockerfile").symlink_to(outside / "shadow")


def env_outside(project: Path, outside: Path) -> None:
    (project / "compose.yaml").write_text("services:\n  web:\n    image: nginx:${SECRET}\n", encoding="utf-8")
    (project / ".env").symlink_to(outside / "env")


def values_outside_chart(project: Path, outside: Path) -> None:
    (project / "chart/templates").mkdir(parents=True)
    (project / "chart/Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 1.0.0\n", encoding="utf-8")
    (project / "chart/values.yaml").write_text("image: nginx\n", encoding="utf-8")
    (project / "chart/values-prod.yaml").symlink_to(outside / "values.yaml")


def yaml_to_dev_zero(project: Path, outside: Path) -> None:
    (project / "x.yaml").symlink_to("/dev/zero")


def fifo_dockerfile(project: Path, outside: Path) -> None:
    os.mkfifo(project / "Dockerfile")


def fifo_values(project: Path, outside: Path) -> None:
    values_outside_chart(project, outside)
    (project / "chart/values-prod.yaml").unlink()
    (project / "chart/values.yaml").unlink()
    os.mkfifo(project / "chart/values.yaml")


def sparse_json(project: Path, outside: Path) -> None:
    with (project / "big.json").open("wb") as handle:
        handle.truncate(1024**3)


def big_dockerfile(project: Path, outside: Path) -> None:
    (project / "Dockerfile").write_bytes(b"FROM alpine:3.19\n" + b"# padding\n" * 2_500_000)


CASES: list[tuple[str, Callable[[Path, Path], None]]] = [
    ("Dockerfile -> /etc/shadow-like file outside", dockerfile_to_shadow),
    (".env -> file outside the project", env_outside),
    ("values-prod.yaml -> file outside the chart", values_outside_chart),
    ("x.yaml -> /dev/zero", yaml_to_dev_zero),
    ("FIFO named Dockerfile", fifo_dockerfile),
    ("FIFO named values.yaml", fifo_values),
    ("sparse JSON file of 1 GiB", sparse_json),
    ("Dockerfile of 25 MB", big_dockerfile),
]


def run(project: Path, timeout: float, memory: int) -> tuple[str, float, int]:
    """(result, wall seconds, peak RSS in KiB) of one `medlint check .` process, its address space capped
    at `memory` bytes (an unbounded read of /dev/zero would otherwise take the machine's memory)."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "medlint", "check", ".", "--format", "json"],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=cap,
    )
    result = ""
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            result = result or f"exit {os.waitstatus_to_exitcode(status)}"
            return result, time.perf_counter() - start, usage.ru_maxrss
        if not result and time.perf_counter() - start > timeout:
            os.killpg(process.pid, signal.SIGKILL)
            result = f"hung (killed after {timeout:.0f} s)"
        time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a case counts as hung")
    parser.add_argument("--memory-gib", type=float, default=2.0, help="address-space cap of each process")
    args = parser.parse_args()
    print("| case | result | seconds | peak RSS (MiB) |\n|---|---|---:|---:|")
    for name, build in CASES:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            project = root / "project"
            project.mkdir()
            build(project, _outside(root))
            result, seconds, rss = run(project, args.timeout, int(args.memory_gib * 1024**3))
            print(f"| {name} | {result} | {seconds:.2f} | {rss / 1024:.0f} |")


if __name__ == "__main__":
    main()
