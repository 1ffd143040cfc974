"""The command line's --format/--output: several formats from one run, and the GitHub job summary."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from medlint import cli
from medlint.report import FORMATS
from tests.conftest import EXAMPLE, REPO_ROOT
from tests.report.report_helpers import assert_no_secret


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli.main, ["check", str(REPO_ROOT / EXAMPLE), *args], env=env)


def test_cli_offers_every_report_format() -> None:
    assert cli.OUTPUT_FORMATS == FORMATS


def test_one_run_writes_several_formats_and_text_still_goes_to_stdout(tmp_path: Path) -> None:
    paths = {fmt: tmp_path / f"report.{fmt}" for fmt in ("sarif", "junit", "gitlab", "json")}
    result = invoke(*(arg for fmt, path in paths.items() for arg in ("--output", f"{fmt}={path}")))
    assert result.exit_code == 1
    assert "MD303" in result.output and "Safety class B" in result.output
    assert json.loads(paths["sarif"].read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert ET.parse(paths["junit"]).getroot().tag == "testsuites"
    assert isinstance(json.loads(paths["gitlab"].read_text(encoding="utf-8")), list)
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["findings"]
    for path in paths.values():
        assert_no_secret(path.read_text(encoding="utf-8"))


def test_plain_output_path_still_takes_the_format(tmp_path: Path) -> None:
    target = tmp_path / "out.xml"
    result = invoke(
        "--format", "junit", "--output", str(target), "-o", f"gitlab={tmp_path / 'gl.json'}", "--exit-zero"
    )
    assert result.exit_code == 0
    assert ET.parse(target).getroot().tag == "testsuites"
    assert (tmp_path / "gl.json").is_file()
    assert "<testsuites" not in result.stdout


def test_format_to_stdout_alongside_files(tmp_path: Path) -> None:
    result = invoke("--format", "gitlab", "-o", f"junit={tmp_path / 'j.xml'}", "--exit-zero")
    assert isinstance(json.loads(result.stdout), list)


@pytest.mark.parametrize(
    "value, message",
    [
        ("xml=report.xml", "unknown format 'xml'"),
        ("sarif=", "no path after 'sarif='"),
    ],
)
def test_bad_output_values_are_usage_errors(value: str, message: str) -> None:
    result = invoke("--output", value)
    assert result.exit_code == 2 and message in result.output


def test_same_path_twice_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("-o", f"sarif={tmp_path / 'a'}", "-o", f"junit={tmp_path / 'a'}")
    assert result.exit_code == 2 and "more than once" in result.output


def test_github_format_appends_the_step_summary_once(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    result = invoke(
        "--format",
        "github",
        "-o",
        f"github={tmp_path / 'gh.txt'}",
        "--exit-zero",
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert result.exit_code == 0
    assert result.stdout.startswith("::")
    assert (tmp_path / "gh.txt").read_text(encoding="utf-8") == result.stdout
    assert summary.read_text(encoding="utf-8").count("## medlint:") == 1


def test_no_step_summary_without_the_github_format(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    invoke("--format", "json", "--exit-zero", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert not summary.exists()


def test_docs_ci_uses_only_options_medlint_has() -> None:
    """Every option in a `medlint check` / `medlint baseline create` command of docs/ci.md exists."""
    text = (REPO_ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    commands = {"check": cli.check, "baseline create": cli.baseline_create}
    found = 0
    for match in re.finditer(r"medlint (check|baseline create)\b([^\n]*(?:\n\s+--[^\n]*)*)", text):
        known = {opt for param in commands[match.group(1)].params for opt in getattr(param, "opts", [])}
        for option in re.findall(r"(?<![\w-])--[a-z][a-z-]*", match.group(2)):
            assert option in known, f"docs/ci.md: `medlint {match.group(1)}` has no option {option}"
            found += 1
    assert found >= 10
