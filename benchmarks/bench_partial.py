#!/usr/bin/env python3
"""What a partial run costs: one named file checked alone (`--no-context`), with its system as context (the
default, what pre-commit runs), and the whole system scanned, as whole processes; a table of medians.

Cases: a manifest of the bundled example (its `.medlint.yaml` bounds the system), and, when ../shared/corpus
exists, one manifest of a copy of corpus/k8s made into a repository of its own (488 files: a large system).
Run from the repository root, ideally with a virtual environment's Python:

    python benchmarks/bench_partial.py [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from medlint_process import median_seconds

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS = REPO_ROOT.parent / "shared" / "corpus"


def median(arguments: list[str], cwd: Path, runs: int) -> float:
    return median_seconds(["check", *arguments, "--exit-zero"], cwd, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    cases: list[tuple[str, Path, str, str]] = [
        ("example", REPO_ROOT, "examples/medical-device/k8s/deployment.yaml", "examples/medical-device")
    ]
    scratch = None
    if (CORPUS / "k8s").is_dir():
        scratch = Path(tempfile.mkdtemp(prefix="medlint-bench-partial-"))
        shutil.copytree(CORPUS / "k8s", scratch / "k8s")
        (scratch / ".git").mkdir()  # the root of a repository, so the context ends here
        named = "k8s/kubernetes_ingress-nginx/deploy/static/provider/kind/deploy.yaml"
        cases.append(("corpus/k8s as one repository", scratch, named, "."))
    try:
        print("| system | file alone (--no-context) | file with context | whole system | runs |")
        print("|---|---|---|---|---|")
        for name, cwd, named_file, whole in cases:
            alone = median([named_file, "--no-context"], cwd, runs)
            partial = median([named_file], cwd, runs)
            full = median([whole], cwd, runs)
            print(f"| {name} | {alone:.2f} s | {partial:.2f} s | {full:.2f} s | {runs} |")
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
