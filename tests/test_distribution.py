"""How medlint reaches CI: the GitHub Action (`action.yml`) and medlint's own container image (`Dockerfile`)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from medlint.api import lint
from tests.conftest import REPO_ROOT

ACTION = yaml.safe_load((REPO_ROOT / "action.yml").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)


def _steps() -> list[dict]:
    return ACTION["runs"]["steps"]


def test_action_is_a_well_formed_composite_action() -> None:
    assert ACTION["name"] and ACTION["description"]
    assert ACTION["runs"]["using"] == "composite"
    for step in _steps():
        assert isinstance(step.get("name"), str) and step["name"], step
        assert ("run" in step) != ("uses" in step), f"{step['name']}: exactly one of run and uses"
        if "run" in step:
            assert step.get("shell") == "bash", f"{step['name']}: composite run steps need a shell"
        else:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+", step["uses"]), step["uses"]
        allowed = {"name", "id", "if", "run", "shell", "env", "uses", "with", "working-directory"}
        assert set(step) <= allowed, set(step) - allowed
    for name, spec in ACTION["inputs"].items():
        assert spec.get("description") and "default" in spec and spec.get("required") is False, name
    for name, spec in ACTION.get("outputs", {}).items():
        steps_named = {step.get("id") for step in _steps()}
        referenced = re.search(r"steps\.([\w-]+)\.outputs", spec["value"])
        assert referenced and referenced.group(1) in steps_named, name


def test_every_input_is_used_and_none_unknown() -> None:
    text = (REPO_ROOT / "action.yml").read_text(encoding="utf-8")
    used = {
        match
        for expression in EXPRESSION.findall(text)
        for match in re.findall(r"inputs\.([A-Za-z][\w-]*)", expression)
    }
    assert used == set(ACTION["inputs"]), (set(ACTION["inputs"]) - used, used - set(ACTION["inputs"]))
    for required in ("paths", "safety-class", "fail-on", "sarif", "args"):
        assert required in ACTION["inputs"]


def test_run_steps_never_paste_expressions_into_scripts() -> None:
    """Script injection: inputs reach run scripts through env, so a value cannot become shell code."""
    for step in _steps():
        if "run" in step:
            assert not EXPRESSION.search(step["run"]), step["name"]


def test_action_installs_from_its_own_checkout_runs_check_and_uploads_sarif() -> None:
    install = next(step for step in _steps() if "pip install" in step.get("run", ""))
    assert install["env"]["MEDLINT_SOURCE"] == "${{ github.action_path }}"
    check = next(step for step in _steps() if "medlint check" in step.get("run", ""))
    for option in ("--fail-on", "--safety-class", "--output", "sarif=", "--format github"):
        assert option in check["run"]
    upload = next(step for step in _steps() if "upload-sarif" in step.get("uses", ""))
    assert "always()" in upload["if"] and "inputs.sarif" in upload["if"]
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif }}"


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_the_check_script_runs(tmp_path: Path) -> None:
    """The run script itself, with `medlint` on PATH replaced by this checkout."""
    check = next(step for step in _steps() if "medlint check" in step.get("run", ""))
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text("FROM debian:latest\n", encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    import sys

    (bin_dir / "medlint").write_text(
        f'#!/bin/sh\nPYTHONPATH="{REPO_ROOT}" exec "{sys.executable}" -m medlint "$@"\n', encoding="utf-8"
    )
    (bin_dir / "medlint").chmod(0o755)
    (bin_dir / "python").symlink_to(sys.executable)
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "GITHUB_OUTPUT": str(tmp_path / "github_output"),
        "MEDLINT_PATHS": "Dockerfile",
        "MEDLINT_SAFETY_CLASS": "b",
        "MEDLINT_FAIL_ON": "error",
        "MEDLINT_SARIF": "reports/medlint.sarif",
        "MEDLINT_ARGS": "--select MD101 --exclude 'a b/**'",
    }
    result = subprocess.run(
        ["bash", "-e", "-c", check["run"]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1, result.stderr
    assert "::error file=Dockerfile" in result.stdout and "MD101" in result.stdout
    assert (tmp_path / "github_output").read_text(encoding="utf-8") == "exit-code=1\n"
    sarif = json.loads((tmp_path / "reports" / "medlint.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["results"]


def test_docs_show_the_action_and_the_image() -> None:
    ci = (REPO_ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    assert "uses: medlint/medlint@v0.1.0" in ci
    assert "image:" in ci and "medlint:0.1.0" in ci


# --- the container image ---------------------------------------------------------------------------------


def test_own_dockerfile_passes_its_own_check_at_class_c() -> None:
    report = lint(["Dockerfile"], cwd=REPO_ROOT, safety_class="C")
    # MD904 asks a device's system for its hand-kept SOUP inventory; medlint is a tool, not device software,
    # and keeps its dependency list in docker/requirements.txt (test_the_image_pins_every_runtime_dependency).
    errors = [f for f in report.active_findings() if f.level.value == "error" and f.rule_id != "MD904"]
    assert errors == [], [f"{f.rule_id} {f.message}" for f in errors]
    assert report.project.files[0].analysed


def test_own_dockerfile_passes_as_a_user_runs_it_with_the_repository_as_context(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`medlint check Dockerfile` reads the rest of the repository as context. The repository's .medlint.yaml
    leaves the fixtures, tests and example out: their deliberate defects (other versions, other revisions)
    are not the product's, and compared with them the image's labels would fail MD901 and MD903."""
    from click.testing import CliRunner

    from medlint.cli import main

    monkeypatch.chdir(REPO_ROOT)
    args = ["check", "Dockerfile", "--safety-class", "C", "--today", "2026-12-07", "--format", "json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["partial_run"], "the Dockerfile was not checked with its context"
    assert not [f for f in report["findings"] if f["level"] == "error" and not f["suppression"]]
    # The fixtures still lint from the repository, under their own configuration.
    fixture = CliRunner().invoke(main, ["check", "fixtures/MD201/fail", "--today", "2026-12-07"])
    assert fixture.exit_code == 1 and "MD201" in fixture.output, fixture.output


def test_own_dockerfile_is_multi_stage_pinned_numeric_non_root_and_labelled() -> None:
    text = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    (dockerfile,) = lint(["Dockerfile"], cwd=REPO_ROOT).project.dockerfiles
    assert len(dockerfile.stages) >= 2
    assert re.search(r"python:3\.\d+-slim@sha256:[0-9a-f]{64}", text)
    assert re.search(r"^USER \d+:\d+$", text, re.M)
    for label in (
        "org.opencontainers.image.version",
        "org.opencontainers.image.source",
        "regulatory.iec62304.class",
    ):
        assert label in text


def test_image_version_matches_the_package_and_the_changelog() -> None:
    from medlint import __version__

    text = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert f"ARG VERSION={__version__}\n" in text
    changelog = (REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## .*\b{re.escape(__version__)}\b.*`v{re.escape(__version__)}`", changelog, re.M)


def test_the_image_pins_every_runtime_dependency() -> None:
    """The image installs with --no-deps, so a dependency missing from its pins breaks a command in it."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    needed = {
        re.split(r"[<>=;\s\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")
        for requirement in project["dependencies"]
        if "python_version <" not in requirement
    }
    pins = {
        line.split("==", 1)[0].strip().lower().replace("_", "-")
        for line in (REPO_ROOT / "docker" / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.lstrip().startswith("#")
    }
    assert needed <= pins, f"not pinned in docker/requirements.txt: {sorted(needed - pins)}"
