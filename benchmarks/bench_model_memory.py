#!/usr/bin/env python3
"""What a loaded project costs the main process: a census of its Python objects, and the bytes workers send.

Runs `medlint check dockerfile compose k8s helm` on ../shared/corpus in this process. Just before the checks
run (`medlint.api.run_systems`), it walks every object reachable from the garbage collector's list (ints and
strings are not tracked themselves, so referents are followed) and prints the count and total size by type,
largest first. With `--jobs 2` it also counts the bytes of the answers the workers pickled, and the seconds
the main process spent unpickling them. The checks are not run (the census is all this measures).

    python benchmarks/bench_model_memory.py [--jobs 2] [--top 15]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS = REPO_ROOT.parent / "shared" / "corpus"
ARGUMENTS = ["dockerfile", "compose", "k8s", "helm", "--chart-path", "helm/bitnami_charts"]
ARGUMENTS += ["--today", "2026-12-07", "--exit-zero"]


class _Stop(Exception):
    """Ends the run once the census is taken."""


def census() -> tuple[Counter[str], Counter[str]]:
    """Count and total size (bytes) by type name of every object reachable from gc.get_objects()."""
    gc.collect()
    roots = gc.get_objects()
    seen: set[int] = {id(roots)}
    counts: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    stack: list[Any] = list(roots)
    del roots
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        name = type(obj).__name__
        counts[name] += 1
        sizes[name] += sys.getsizeof(obj)
        stack.extend(gc.get_referents(obj))
    return counts, sizes


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"{CORPUS} is not present")
    sys.path.insert(0, str(REPO_ROOT))
    os.chdir(CORPUS)
    import medlint.api
    import medlint.parallel
    from medlint.cli import main as cli

    pickled = {"bytes": 0, "answers": 0, "seconds": 0.0}
    unpickled = medlint.parallel._unpickled

    def counting_unpickled(data: bytes) -> Any:
        start = time.perf_counter()
        answer = unpickled(data)
        pickled["seconds"] += time.perf_counter() - start
        pickled["bytes"] += len(data)
        pickled["answers"] += 1
        return answer

    pickling = medlint.parallel._pickled
    timings = Path(tempfile.mkdtemp(prefix="medlint-census-")) / "pickling"

    def timed_pickled(function: Any, task: Any) -> bytes:  # runs in the (forked) workers
        answer = function(task)
        start = time.process_time()
        data = pickling(lambda _task: answer, task)
        with open(timings, "a", encoding="ascii") as record:
            record.write(f"{time.process_time() - start}\n")
        return data

    # Workers find the function by module and name: the wrapper takes the original's.
    timed_pickled.__module__, timed_pickled.__qualname__ = "medlint.parallel", "_pickled"
    taken: dict[str, Counter[str]] = {}

    def run_systems(*_args: Any, **_kwargs: Any) -> Any:
        taken["counts"], taken["sizes"] = census()
        raise _Stop

    medlint.parallel._unpickled = counting_unpickled  # type: ignore[assignment]
    medlint.parallel._pickled = timed_pickled  # type: ignore[assignment]
    medlint.api.run_systems = run_systems  # type: ignore[assignment]
    with contextlib.suppress(_Stop):
        cli(["check", *ARGUMENTS, "--jobs", str(args.jobs)], standalone_mode=False)
    counts, sizes = taken["counts"], taken["sizes"]
    print(f"objects: {sum(counts.values()):,}, {sum(sizes.values()) / 1e6:.1f} MB")
    print(f"{'type':<24} {'count':>10} {'MB':>8}")
    for name, size in sizes.most_common(args.top):
        print(f"{name:<24} {counts[name]:>10,} {size / 1e6:>8.1f}")
    if pickled["answers"]:
        print(
            f"worker answers: {pickled['answers']:,}, {pickled['bytes'] / 1e6:.1f} MB pickled, "
            f"unpickled in {pickled['seconds']:.2f} s"
        )
    if timings.exists():
        seconds = sum(float(line) for line in timings.read_text(encoding="ascii").split())
        print(f"worker CPU seconds spent pickling answers: {seconds:.2f}")
    shutil.rmtree(timings.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
