"""An SBOM is shared with customers and auditors: it never carries a credential the repository wrote into a
requirement line, a download URL or a chart repository URL, in any format (principle 6)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from medlint.cli import main
from medlint.sbom.purl import build_purl

MARKERS = ("hunter2secret", "ghp_abcdefabcdefabcdefabcdefabcdefabcdef12", "chartp4ss", "chartuser")


def _project(root: Path) -> Path:
    root.mkdir()
    (root / "requirements.txt").write_text(
        "--index-url https://deploy:hunter2secret@pypi.example.com/simple\n"
        "requests==2.31.0\n"
        "mylib @ git+https://ghp_abcdefabcdefabcdefabcdefabcdefabcdef12@github.com/org/mylib.git@v1.2\n",
        encoding="utf-8",
    )
    (root / "Dockerfile").write_text(
        "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n"
        "USER 1000\n",
        encoding="utf-8",
    )
    chart = root / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(
        "apiVersion: v2\nname: demo\nversion: 1.0.0\ndependencies:\n  - name: redis\n    version: 17.0.0\n"
        "    repository: https://chartuser:chartp4ss@charts.example.com/stable\n",
        encoding="utf-8",
    )
    (chart / "values.yaml").write_text("{}\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("output_format", ["cyclonedx-json", "cyclonedx-xml", "spdx-json"])
def test_no_credential_reaches_the_sbom(tmp_path: Path, output_format: str) -> None:
    project = _project(tmp_path / "project")
    target = tmp_path / "soup.out"
    result = CliRunner().invoke(
        main, ["sbom", str(project), "-o", str(target), "--format", output_format, "--today", "2026-12-07"]
    )
    assert result.exit_code == 0, result.output
    written = target.read_text(encoding="utf-8")
    assert "mylib" in written and "redis" in written  # the components are listed...
    for marker in MARKERS:
        assert marker not in written, f"{marker} leaked into {output_format}"  # ...without their credentials


def test_a_purl_keeps_where_a_component_comes_from_but_not_the_login() -> None:
    purl = build_purl(
        "helm", "redis", version="17.0.0", qualifiers={"repository_url": "https://u:p@charts.example.com/x"}
    )
    assert purl == "pkg:helm/redis@17.0.0?repository_url=https://charts.example.com/x"
