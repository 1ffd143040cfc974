"""Baselines: known findings stop failing the build; line moves keep matching; a changed value is new."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from medlint.api import lint
from medlint.baseline import baseline_document, read_baseline
from medlint.cli import main

COMPOSE = """\
services:
  web:
    image: nginx:latest
    user: root
"""


def _baseline(tmp_path: Path) -> Path:
    (tmp_path / "compose.yaml").write_text(COMPOSE, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["baseline", "create", str(tmp_path / "compose.yaml"), "-o", str(tmp_path / "b.json")]
    )
    assert result.exit_code == 0, result.output
    return tmp_path / "b.json"


def test_baseline_hides_known_findings_and_survives_line_moves(tmp_path: Path) -> None:
    baseline = read_baseline(_baseline(tmp_path))
    assert baseline and all(
        "line" not in json.dumps(entry.__dict__ if hasattr(entry, "__dict__") else {}) for entry in baseline
    )
    (tmp_path / "compose.yaml").write_text("\n\n# moved down\n" + COMPOSE, encoding="utf-8")
    report = lint(["compose.yaml"], cwd=tmp_path, baseline=baseline)
    assert report.result.findings == () and report.baselined == len(baseline)
    assert not report.failing()


def test_changed_value_is_a_new_finding_and_fixed_entries_are_listed(tmp_path: Path) -> None:
    baseline = read_baseline(_baseline(tmp_path))
    (tmp_path / "compose.yaml").write_text(
        COMPOSE.replace("nginx:latest", "httpd:latest").replace("user: root\n", "user: '10001'\n"),
        encoding="utf-8",
    )
    report = lint(["compose.yaml"], cwd=tmp_path, baseline=baseline)
    new = [f for f in report.result.findings if f.rule_id == "MD101"]
    assert new and new[0].baseline_state == "new" and "httpd:latest" in new[0].message
    fixed_rules = {entry.rule_id for entry in report.fixed}
    assert {"MD101", "MD201"} <= fixed_rules
    assert report.failing()


def test_cli_reports_usage_error_for_a_bad_baseline(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE, encoding="utf-8")
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["check", str(tmp_path / "compose.yaml"), "--baseline", str(tmp_path / "bad.json")]
    )
    assert result.exit_code == 2 and "not valid JSON" in result.output


def test_document_has_no_line_numbers(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE, encoding="utf-8")
    report = lint(["compose.yaml"], cwd=tmp_path)
    document = baseline_document(report.result.findings, "0", "0")
    assert all(
        set(entry) == {"fingerprint", "rule_id", "path", "subject", "message"}
        for entry in document["findings"]
    )
