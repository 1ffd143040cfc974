#!/usr/bin/env python3
"""Run the property-based targets of tests/properties far longer than CI does, and print a table.

Each target is fed generated input (`tests/properties/targets.py`); an answer is a model or one of the
target's clear errors, anything else is a failure (a crash). Run from the repository root:

    python benchmarks/bench_properties.py [--examples 5000] [--seed 0] [TARGET_NAME ...]

Failures are counted, not stopped at, and the first few of each target are printed with their input.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

from tests.properties.targets import TARGETS, Target  # noqa: E402


def run_target(item: Target, examples: int, random_seed: int) -> tuple[int, list[tuple[Any, str]]]:
    """(examples tried, failures with their input and traceback tail)."""
    tried = 0
    failures: list[tuple[Any, str]] = []

    @seed(random_seed)
    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(item.strategy)
    def run(value: Any) -> None:
        nonlocal tried
        tried += 1
        try:
            item.run(value)
        except item.clear:
            pass
        except Exception:  # a crash: count it and go on, to see how many there are
            failures.append((value, traceback.format_exc(limit=-3)))

    run()
    return tried, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000, help="examples per target")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("names", nargs="*", help="only these targets")
    args = parser.parse_args()
    targets = [item for item in TARGETS if not args.names or item.name in args.names]
    width = max(len(item.name) for item in targets)
    print(f"{'target':<{width}}  {'examples':>8}  {'failures':>8}  {'seconds':>8}", flush=True)
    shown: list[str] = []
    total_failures = 0
    for item in targets:
        start = time.perf_counter()
        tried, failures = run_target(item, args.examples, args.seed)
        seconds = time.perf_counter() - start
        total_failures += len(failures)
        print(f"{item.name:<{width}}  {tried:8d}  {len(failures):8d}  {seconds:8.1f}", flush=True)
        for value, trace in failures[:3]:
            shown.append(f"--- {item.name}: {value!r}\n{trace}")
    for text in shown:
        print(text)
    return 1 if total_failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
