#!/usr/bin/env python3
"""What `medlint sbom` costs, per format, as whole processes: the example and, when ../shared/corpus exists,
each corpus folder taken as one system. Prints a table of wall times (median of --runs), peak memory of the
last run, and the components per type the SBOM lists. `check` on the same input is the reference: the
inventory is built from the model `check` reads, so the difference is the inventory and the writer.

    python benchmarks/bench_sbom.py [--runs 3] [--formats cyclonedx-json,spdx-json] [--corpus]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

from medlint_process import run_medlint

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS = REPO_ROOT.parent / "shared" / "corpus"
TODAY = "2026-12-07"


def counts(path: Path) -> str:
    document = json.loads(path.read_text(encoding="utf-8"))
    found: dict[str, int] = {}
    for component in document.get("components", []):
        kind = next((p["value"] for p in component.get("properties", []) if p["name"] == "medlint:kind"), "?")
        found[kind] = found.get(kind, 0) + 1
    return ", ".join(f"{count} {kind}" for kind, count in sorted(found.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", default="cyclonedx-json,cyclonedx-xml,spdx-json")
    parser.add_argument("--corpus", action="store_true", help="also each corpus folder (slow)")
    options = parser.parse_args()
    cases = [("example", REPO_ROOT, "examples/medical-device", [])]
    if options.corpus and CORPUS.is_dir():
        chart_path = ["--chart-path", "helm/bitnami_charts"]
        cases += [
            (f"corpus/{kind}", CORPUS, kind, chart_path) for kind in ("dockerfile", "compose", "k8s", "helm")
        ]
    print(
        f"| input | command | median s ({options.runs} runs) | peak RSS MiB (largest child so far) | components |"
    )
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        for name, cwd, path, extra in cases:
            times = [
                run_medlint(["check", path, "--today", TODAY, "--exit-zero", *extra], cwd)[0]
                for _ in range(options.runs)
            ]
            print(f"| {name} | check | {statistics.median(times):.2f} | | |", flush=True)
            for output_format in options.formats.split(","):
                target = Path(scratch) / f"{name.replace('/', '-')}-{{system}}.{output_format}"
                arguments = [
                    "sbom",
                    path,
                    "--today",
                    TODAY,
                    "--format",
                    output_format,
                    "-o",
                    str(target),
                    *extra,
                ]
                measured = [run_medlint(arguments, cwd) for _ in range(options.runs)]
                written = sorted(Path(scratch).glob(target.name.replace("{system}", "*")))
                listed = counts(written[0]) if output_format == "cyclonedx-json" and written else ""
                median = statistics.median(elapsed for elapsed, _ in measured)
                print(
                    f"| {name} | sbom {output_format} | {median:.2f} | {measured[-1][1] / 1024:.0f} | {listed} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
