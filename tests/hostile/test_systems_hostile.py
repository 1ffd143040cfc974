"""Systems and partial runs against a stranger's pull request: the configuration's `systems:` and a chart's
name come with the repository, so a system's name may be `..` or hold a newline followed by a workflow
command, its globs may be pathological and its entries may number in the tens of thousands. Each run ends in
seconds, writes nothing outside the project, and prints no line a CI runner would execute.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.hostile.harness import HostileRun, assert_kept_promises, run_medlint
from tests.hostile.projects import write

TODAY = "2026-12-07"
POD = "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: x}}\nspec: {{containers: [{{name: c, image: 'nginx:1.0'}}]}}\n"


def _no_forged_lines(run: HostileRun) -> None:
    for line in run.everything().splitlines():
        assert not line.startswith("::"), f"a line a CI runner would execute: {line!r}"


def _chart(name: str) -> dict[str, str]:
    return {
        "chart/Chart.yaml": f'apiVersion: v2\nname: "{name}"\nversion: 1.0.0\n',
        "chart/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {a: b}\n",
    }


def test_a_chart_named_dotdot_cannot_send_the_sbom_out_of_the_project(tmp_path: Path) -> None:
    """The default system is named after the one chart; `-o '{system}/soup.cdx.json'` wrote ../soup.cdx.json."""
    project = write(tmp_path / "project", _chart(".."))
    run = run_medlint(["sbom", "--today", TODAY, "chart", "-o", "{system}/soup.cdx.json"], project)
    assert_kept_promises(run, exit_codes=(2,))
    assert 'system ".." cannot name a file' in run.stderr
    assert not (tmp_path / "soup.cdx.json").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="names with newlines are POSIX-only")
def test_a_system_name_with_a_workflow_command_is_printed_escaped(tmp_path: Path) -> None:
    project = write(tmp_path / "project", _chart("x\\n::error::forged"))
    for args in (["-o", "out/{system}.cdx.json"], ["-o", "out/soup.cdx.json"], []):
        run = run_medlint(["sbom", "--today", TODAY, "chart", *args], project)
        assert_kept_promises(run, exit_codes=(0, 2))
        _no_forged_lines(run)
    assert not (project / "out" / "x\n::error::forged.cdx.json").exists()
    check = run_medlint(["check", "--today", TODAY, "chart"], project, report_dir=tmp_path / "reports")
    assert_kept_promises(check)
    for line in check.stdout.splitlines() + check.stderr.splitlines():
        assert not line.startswith("::")


@pytest.mark.parametrize("name", ["..", ".", "a\\nb", "a\\\\b", "a\\u0007b"])
def test_configured_system_names_that_cannot_name_a_file_are_refused(tmp_path: Path, name: str) -> None:
    project = write(
        tmp_path / "project",
        {
            "k8s/p.yaml": POD.format(name="p"),
            ".medlint.yaml": f'systems:\n  - name: "{name}"\n    paths: [k8s]\n',
        },
    )
    run = run_medlint(["sbom", "--today", TODAY, ".", "-o", "{system}/soup.cdx.json"], project)
    assert_kept_promises(run, exit_codes=(2,))
    assert "is not a system name" in run.stderr
    _no_forged_lines(run)


def test_tens_of_thousands_of_systems_are_refused_in_seconds(tmp_path: Path) -> None:
    """15,000 systems on 30 files kept check busy for 34 s (every system is matched against every file and
    checked on its own): more files and it never ended."""
    entries = "".join(f'  - name: s{index}\n    paths: ["k8s/*{index}.yaml"]\n' for index in range(15_000))
    files = {f"k8s/{'a' * 200}{index}.yaml": POD.format(name=f"p{index}") for index in range(30)}
    project = write(tmp_path / "project", {**files, ".medlint.yaml": f"systems:\n{entries}"})
    run = run_medlint(["check", "--today", TODAY, "."], project, timeout=60)
    assert_kept_promises(run, exit_codes=(2,))
    assert "15,000 systems are more than medlint checks in one run (500)" in run.stderr


def test_pathological_system_globs_match_in_linear_time(tmp_path: Path) -> None:
    globs = ["*a" * 40 + "*c", "**/" * 30 + "x", "[a-", "{a,b", "\\\\", "k8s/[!]*"]
    paths = ", ".join(f'"{glob}"' for glob in globs)
    files = {f"k8s/{'a' * 200}{index}.yaml": POD.format(name=f"p{index}") for index in range(30)}
    project = write(
        tmp_path / "project",
        {
            **files,
            ".medlint.yaml": f"systems:\n  - name: evil\n    paths: [{paths}]\n  - name: ok\n    paths: [k8s]\n",
        },
    )
    run = run_medlint(["check", "--today", TODAY, ".", "--format", "json"], project, timeout=60)
    assert_kept_promises(run, exit_codes=(0, 1))
    run = run_medlint(["sbom", "--today", TODAY, ".", "--system", "ok"], project, timeout=60)
    assert_kept_promises(run, exit_codes=(0,))
