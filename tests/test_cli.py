"""The command line as a user and a CI job meet it: formats, output files, exit codes, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from medlint.cli import main
from tests.conftest import EXAMPLE, REPO_ROOT


def run(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    """medlint as a separate process, importable from this checkout even when not installed."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
    }
    return subprocess.run(
        [sys.executable, "-m", "medlint", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_example_fails_at_class_b_and_passes_with_exit_zero() -> None:
    failing = run("check", EXAMPLE, "--safety-class", "B")
    assert failing.returncode == 1, failing.stderr
    assert "Safety class B: set by --safety-class." in failing.stdout
    assert run("check", EXAMPLE, "--exit-zero").returncode == 0


def test_unknown_option_is_a_usage_error() -> None:
    result = run("check", EXAMPLE, "--no-such-option")
    assert result.returncode == 2
    assert "No such option" in result.stderr


def test_missing_path_is_a_usage_error_naming_the_path() -> None:
    result = run("check", "does/not/exist.yaml")
    assert result.returncode == 2
    assert "does/not/exist.yaml" in result.stderr and "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_text_output_is_grouped_by_file_with_positions() -> None:
    result = CliRunner().invoke(main, ["check", f"{EXAMPLE}/k8s/secret.yaml", "--exit-zero"])
    lines = result.output.splitlines()
    assert lines[0] == f"{EXAMPLE}/k8s/secret.yaml"
    assert lines[1].startswith(f"{EXAMPLE}/k8s/secret.yaml:9:3: error   MD303 ")
    assert "Read: 0 Dockerfiles, 0 Compose files, 1 Kubernetes manifest" in result.output


def test_json_and_sarif_to_output_file(tmp_path: Path) -> None:
    target = tmp_path / "report.sarif"
    result = CliRunner().invoke(main, ["check", EXAMPLE, "--format", "sarif", "--output", str(target)])
    assert result.exit_code == 1
    log = json.loads(target.read_text(encoding="utf-8"))
    assert log["version"] == "2.1.0" and log["runs"][0]["results"]
    as_json = CliRunner().invoke(main, ["check", EXAMPLE, "--format", "json", "--exit-zero"])
    data = json.loads(as_json.output)
    assert data["safety_class"]["value"] == "B"
    assert data["files_read"]["dockerfile"] == 2 and data["files_read"]["compose"] == 1
    assert data["rule_pack"]["version"]


def test_fail_on_warning_turns_warnings_into_failures(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM debian:12.6-slim\nUSER 10001\n", encoding="utf-8")
    # At class A the missing labels are warnings only.
    assert CliRunner().invoke(main, ["check", str(dockerfile), "--safety-class", "A"]).exit_code == 0
    assert (
        CliRunner()
        .invoke(main, ["check", str(dockerfile), "--safety-class", "A", "--fail-on", "warning"])
        .exit_code
        == 1
    )


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("Dockerfile", b"\x00\x01\x02binary\x00", "binary content"),
        ("Dockerfile", b"", "empty Dockerfile"),
        ("deploy.yaml", b"apiVersion: v1\nkind: ConfigMap\ndata: {a: \xff}\n", "invalid UTF-8"),
        ("deploy.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata: [\n", "YAML syntax error"),
        ("Dockerfile", b"FROM debian:12.6-slim\nFROBNICATE x\n", "unknown instruction"),
    ],
)
def test_bad_input_becomes_a_finding_not_a_traceback(
    tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run("check", str(path), "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    data = json.loads(result.stdout)
    parse_errors = [f for f in data["findings"] if f["rule_id"] == "MD001"]
    assert len(parse_errors) == 1
    assert expected in parse_errors[0]["message"] and name in parse_errors[0]["message"]
    assert parse_errors[0]["location"]["line"] >= 1


def test_alias_bomb_is_reported_quickly(tmp_path: Path) -> None:
    lines = [
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata: {name: bomb}",
        "data:",
        "  a0: &a0 [x, x, x, x, x, x, x, x, x]",
    ]
    for level in range(1, 10):
        lines.append(f"  a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("check", str(path), "--format", "json", cwd=tmp_path)
    data = json.loads(result.stdout)
    assert [f["rule_id"] for f in data["findings"]] == ["MD001"]
    assert "alias bomb" in data["findings"][0]["message"]


def test_named_file_that_is_no_artifact_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path), "--allow-empty"])
    assert result.exit_code == 0
    assert "Not an artifact medlint reads (1): notes.txt" in result.output


def test_a_scan_without_artifacts_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "notes.txt")])
    assert result.exit_code == 2
    assert "no artifact found" in result.output and "--allow-empty" in result.output
    assert "(1 file(s) named are none of these)" in result.output


def test_rules_command_lists_levels() -> None:
    result = CliRunner().invoke(main, ["rules", "--format", "json"])
    rows = {row["id"]: row for row in json.loads(result.output)["rules"]}
    assert rows["MD201"]["levels"] == {"A": "warning", "B": "error", "C": "error"}
    assert "helm" in rows["MD201"]["applies_to"]
