"""Family 5, quadratic text handling: megabyte lines, hundreds of thousands of continuations, an open
quote over 60,000 lines and a Compose include chain of 2**30 paths are read in linear time (or as a
graph) and linted normally. Speed itself is measured by benchmarks/bench_hostile.py, not asserted here:
the harness's hang timeout is the only clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.bombs import case
from tests.hostile.cases import TODAY, messages, run_case
from tests.hostile.harness import assert_kept_promises, run_medlint


@pytest.mark.parametrize(
    "name",
    [
        "RUN echo 1 MB quoted",
        "RUN echo 500k words",
        "LABEL 100k pairs",
        "450k continuation lines",
        "ENV 200k continued pairs",
    ],
)
def test_large_dockerfiles_are_parsed_and_linted(tmp_path: Path, name: str) -> None:
    _, findings = run_case(case(name), tmp_path)
    assert not messages(findings, "MD001")
    assert any(f["location"]["path"] == "Dockerfile" for f in findings)  # the model was built and checked


@pytest.mark.parametrize("name", ["compose command 1 MB", "compose command 500k words"])
def test_large_compose_commands_are_linted(tmp_path: Path, name: str) -> None:
    _, findings = run_case(case(name), tmp_path)
    assert not messages(findings, "MD001")
    assert any(f["location"]["path"] == "compose.yaml" for f in findings)


@pytest.mark.parametrize(
    "name, path",
    [
        ("waiver comment 1 MB (Dockerfile)", "Dockerfile"),
        ("waiver comment 250k fields", "Dockerfile"),
        ("waiver comment 1 MB (YAML)", "pod.yaml"),
    ],
)
def test_huge_waiver_comments_are_read(tmp_path: Path, name: str, path: str) -> None:
    run, findings = run_case(case(name), tmp_path)
    # The comment waives MD201 (with a reason) or is reported as a waiver problem: either way it was read.
    waived = [f for f in findings if f["rule_id"] == "MD201" and f["suppression"]]
    assert waived or "waiver" in run.outputs["text"]


def test_env_open_quote_then_60000_lines(tmp_path: Path) -> None:
    _, findings = run_case(case(".env open quote + 60k lines"), tmp_path)
    assert not messages(findings, "MD001")
    # The unterminated value is left out: the image reference stays unresolved, as written.
    assert any("${A}" in f["message"] for f in findings)


def test_env_with_many_multiline_values(tmp_path: Path) -> None:
    _, findings = run_case(case(".env 60k multi-line quotes"), tmp_path)
    assert not messages(findings, "MD001")


@pytest.mark.parametrize(
    "name",
    [
        "compose include twice x16 (entries)",
        "compose include twice x30 (entries)",
        "compose include twice x30 (one entry)",
    ],
)
def test_compose_includes_are_a_graph_not_a_tree(tmp_path: Path, name: str) -> None:
    _, findings = run_case(case(name), tmp_path)
    assert not messages(findings, "MD001")
    assert any('service "web"' in f["message"] for f in findings)


def test_compose_files_are_bounded_in_number(tmp_path: Path) -> None:
    # A chain of 300 included files: more than limits.max_compose_files (256).
    (tmp_path / "compose.yaml").write_text(
        "include:\n  - f1.yaml\nservices:\n  web:\n    image: nginx:1.25\n"
    )
    for index in range(1, 300):
        (tmp_path / f"f{index}.yaml").write_text(f"include:\n  - f{index + 1}.yaml\n")
    (tmp_path / "f300.yaml").write_text("x-end: true\n")
    run = run_medlint(["check", "compose.yaml", "--today", TODAY], tmp_path, report_dir=tmp_path / "out")
    assert_kept_promises(run)
    assert "limits.max_compose_files" in run.outputs["text"]
