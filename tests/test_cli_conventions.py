"""Conventions users of ruff, hadolint, Checkov and kube-linter take for granted (issue 15), and one option
set shared by every linting command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from medlint.cli import baseline_create, check, main
from medlint.pathglob import GitIgnore, match_segment, matches_any
from tests.conftest import REPO_ROOT

ROOT_DOCKERFILE = "FROM debian:latest\n"


def _repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text(ROOT_DOCKERFILE, encoding="utf-8")
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", encoding="utf-8"
    )
    return tmp_path


def invoke(args: list[str], cwd: Path, stdin: str | None = None) -> tuple[int, str]:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, args, input=stdin)
    finally:
        os.chdir(old)
    return result.exit_code, result.output


def test_the_current_folder_is_the_default_path(tmp_path: Path) -> None:
    code, output = invoke(["check", "--format", "json", "--exit-zero"], _repo(tmp_path))
    assert code == 0
    assert json.loads(output)["files_read"]["dockerfile"] == 1


def test_output_format_from_the_file_extension(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    code, _ = invoke(["check", ".", "-o", "out.sarif", "--exit-zero"], repo)
    assert code == 0 and json.loads((repo / "out.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    invoke(["check", "-o", "reports/junit.xml", "--exit-zero"], repo)
    assert (repo / "reports" / "junit.xml").read_text(encoding="utf-8").startswith("<?xml")
    invoke(["check", "-o", "out.json", "--exit-zero"], repo)
    assert "findings" in json.loads((repo / "out.json").read_text(encoding="utf-8"))
    invoke(["check", "-o", "out.json", "--format", "gitlab", "--exit-zero"], repo)  # --format wins
    assert isinstance(json.loads((repo / "out.json").read_text(encoding="utf-8")), list)


def test_select_and_statistics_print_one_rules_counts(tmp_path: Path) -> None:
    code, output = invoke(["check", "--select", "MD101", "--statistics"], _repo(tmp_path))
    assert code == 1
    counted = [line.split() for line in output.splitlines() if "  MD" in line]
    assert counted and {row[1] for row in counted} == {"MD101"} and counted[0][0] == "1"
    assert "1 rules run" in output


def test_ignore_and_prefixes(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    _, output = invoke(["check", "--format", "json", "--exit-zero", "--ignore", "MD1,MD2"], repo)
    data = json.loads(output)
    assert not any(f["rule_id"].startswith(("MD1", "MD2")) for f in data["findings"])
    assert "MD101" in data["rules_disabled"]


def test_unknown_selectors_are_usage_errors_with_a_suggestion(tmp_path: Path) -> None:
    code, output = invoke(["check", "--select", "MD298"], _repo(tmp_path))
    assert code == 2 and 'unknown rule "MD298" (did you mean' in output


def test_level_and_format_names_are_case_insensitive(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    code, output = invoke(["check", "--fail-on", "WARNING", "--format", "JSON", "--safety-class", "b"], repo)
    assert code == 1 and json.loads(output)["summary"]["fail_on"] == "warning"


def test_quiet_prints_only_findings(tmp_path: Path) -> None:
    code, output = invoke(["check", "--quiet", "--select", "MD101"], _repo(tmp_path))
    assert code == 1
    assert "MD101" in output and "Safety class" not in output and "rules run" not in output


def test_standard_input(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    code, output = invoke(
        ["check", "-", "--select", "MD101", "--format", "json"], repo, stdin=ROOT_DOCKERFILE
    )
    data = json.loads(output)
    assert code == 1 and data["files_read"]["dockerfile"] == 1 and data["scanned_paths"] == ["-"]
    code, output = invoke(
        ["check", "-", "--stdin-filename", "deploy/web.yaml", "--format", "json", "--exit-zero"],
        repo,
        stdin="apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: x}]}\n",
    )
    assert {f["location"]["path"] for f in json.loads(output)["findings"]} == {"deploy/web.yaml"}
    code, output = invoke(["check", "-", "--stdin-filename", "../x"], repo, stdin="FROM x\n")
    assert code == 2


def test_exclude_with_double_star_matches_a_top_level_folder(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    _, output = invoke(["check", "--format", "json", "--exit-zero", "--exclude", "**/k8s/**"], repo)
    assert json.loads(output)["files_read"]["kubernetes"] == 0
    _, output = invoke(["check", "--format", "json", "--exit-zero", "--exclude", "k8s"], repo)
    assert json.loads(output)["files_read"]["kubernetes"] == 0


def test_gitignore_is_honoured_in_directory_scans_only(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / ".gitignore").write_text("k8s/\n", encoding="utf-8")
    _, output = invoke(["check", "--format", "json", "--exit-zero"], repo)
    assert json.loads(output)["files_read"]["kubernetes"] == 0
    _, output = invoke(["check", "--format", "json", "--exit-zero", "--no-gitignore"], repo)
    assert json.loads(output)["files_read"]["kubernetes"] == 1
    _, output = invoke(["check", "k8s/cm.yaml", "--format", "json", "--exit-zero"], repo)
    assert json.loads(output)["files_read"]["kubernetes"] == 1  # named explicitly: read


def test_medlint_configuration_is_not_listed_as_not_an_artifact(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / ".medlint.yaml").write_text("rules:\n  disable: [MD102]\n", encoding="utf-8")
    _, output = invoke(["check", "--format", "json", "--exit-zero"], repo)
    data = json.loads(output)
    assert ".medlint.yaml" not in data["not_artifacts"]
    assert data["rules_disabled"] == ["MD102"]
    _, text = invoke(["check", "--exit-zero"], repo)
    assert "1 disabled" in text and "off for class" not in text


def test_baseline_create_takes_every_option_that_selects_what_is_linted() -> None:
    check_only = {"output_format", "outputs", "fail_on", "exit_zero", "baseline_file"}
    check_only |= {"sarif_omit_suppressed", "statistics", "quiet"}
    check_only |= {"jobs"}  # how fast, never what: worker processes give the same findings
    names = {param.name for param in check.params} - check_only
    assert names <= {param.name for param in baseline_create.params}
    assert {"exclude", "chart_path", "rules_dir", "today", "select", "values_files"} <= names


def test_baseline_create_and_check_agree(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    code, _ = invoke(["baseline", "create", "--exclude", "k8s", "--today", "2026-12-07"], repo)
    assert code == 0
    code, output = invoke(
        ["check", "--exclude", "k8s", "--today", "2026-12-07", "--baseline", ".medlint-baseline.json"], repo
    )
    assert code == 0 and "fixed since baseline" not in output


# --- Helm values for check ---------------------------------------------------------------------------------


def _chart(tmp_path: Path) -> Path:
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: demo\nversion: 1.0.0\n", encoding="utf-8")
    (chart / "values.yaml").write_text("site: {}\n", encoding="utf-8")
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n"
        '  name: {{ required "site.name is required" .Values.site.name }}\n'
        "spec:\n  containers:\n    - name: app\n"
        '      image: "nginx:{{ .Values.site.code | default 1 }}"\n',
        encoding="utf-8",
    )
    return chart


def _md003(output: str) -> list[str]:
    return [f["message"] for f in json.loads(output)["findings"] if f["rule_id"] == "MD003"]


def test_set_renders_a_chart_that_requires_the_value(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    _chart(tmp_path)
    _, output = invoke(["check", "chart", "--format", "json", "--exit-zero"], tmp_path)
    assert any("site.name is required" in message for message in _md003(output))
    _, output = invoke(
        ["check", "chart", "--set", "site.name=x", "--format", "json", "--exit-zero"], tmp_path
    )
    assert _md003(output) == []


def test_values_files_and_set_string_form_one_values_set_named_after_them(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    _chart(tmp_path)
    (tmp_path / "site.yaml").write_text("site: {name: from-file}\n", encoding="utf-8")
    _, output = invoke(
        [
            "check",
            "chart",
            "-f",
            "site.yaml",
            "--set-string",
            "site.code=007",
            "--format",
            "json",
            "--exit-zero",
        ],
        tmp_path,
    )
    data = json.loads(output)
    assert _md003(output) == []
    subjects = {f["subject"] for f in data["findings"] if f["subject"].startswith("Pod/")}
    assert subjects and all("[site.yaml+--set-string]" in subject for subject in subjects)


def test_configured_helm_values(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    _chart(tmp_path)
    (tmp_path / "envs").mkdir()
    (tmp_path / "envs" / "a.yaml").write_text("site: {name: a}\n", encoding="utf-8")
    (tmp_path / ".medlint.yaml").write_text(
        'helm:\n  values:\n    "chart": [envs/a.yaml]\n', encoding="utf-8"
    )
    _, output = invoke(["check", "chart", "--format", "json", "--exit-zero"], tmp_path)
    assert _md003(output) == []


# --- globs -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern, path, expected",
    [
        ("**/k8s/**", "k8s/a.yaml", True),
        ("**/k8s/**", "deploy/k8s/a.yaml", True),
        ("**/k8s/**", "k8sx/a.yaml", False),
        ("vendor/*", "vendor/x/y.yaml", True),
        ("*.md", "docs/a.md", True),
        ("/build", "src/build/x", False),
        ("/build", "build/x", True),
        ("a/**/b", "a/b", True),
        ("a/**/b", "a/x/y/b", True),
        ("[!a]*.yaml", "b.yaml", True),
        ("[!a]*.yaml", "a.yaml", False),
    ],
)
def test_exclude_globs(pattern: str, path: str, expected: bool) -> None:
    assert matches_any(path, [pattern]) is expected


def test_hostile_glob_patterns_match_without_backtracking() -> None:
    """`*a*a*...*c` against a long name of a's is exponential for a backtracking matcher; here it is not."""
    assert match_segment("*a" * 30 + "*c", "a" * 5000) is False
    assert matches_any("x/" + "a" * 2000, ["**/" * 20 + "*a" * 20 + "*c"]) is False


def test_gitignore_negation_and_nested_files(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("*.yaml\n!keep.yaml\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".gitignore").write_text("!sub.yaml\n", encoding="utf-8")
    ignore = GitIgnore(tmp_path)
    assert ignore.ignored("a.yaml", False) and not ignore.ignored("keep.yaml", False)
    assert not ignore.ignored("sub/sub.yaml", False) and ignore.ignored("sub/other.yaml", False)


def test_help_says_where_medlint_differs() -> None:
    help_text = CliRunner().invoke(main, ["check", "--help"]).output
    for phrase in ("as ruff's --select does", "gitignore", ".sarif", "--allow-empty", "-f, --values"):
        assert phrase in help_text, phrase


def test_pre_commit_hook_allows_empty_runs() -> None:
    hooks = (REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "medlint check --allow-empty" in hooks


def test_version_stays_light() -> None:
    """`medlint --version` must not import the linting machinery (pre-commit start-up)."""
    code = (
        "import sys, medlint.cli\n"
        "heavy = [m for m in ('medlint.api', 'medlint.config', 'jsonschema', 'medlint.helm.render') "
        "if m in sys.modules]\n"
        "print(heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"
