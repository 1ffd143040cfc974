"""The issue's acceptance, on a copy of examples/medical-device, as a new user would run it."""

from __future__ import annotations

import datetime
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from medlint.api import lint
from medlint.fix.audit import changed_lines, lost_comments, unexpected_differences
from tests.conftest import EXAMPLE_DIR

TODAY = datetime.date(2026, 12, 7)
#: The only kinds of lines the safe fixes add to the example's YAML files.
ADDED_SETTING = re.compile(
    r"^\s*(securityContext:|allowPrivilegeEscalation: false|capabilities:|drop:|- ALL|seccompProfile:|"
    r"type: RuntimeDefault|security_opt:|- no-new-privileges:true|cap_drop:)$"
)


def snapshot(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def keys(root: Path) -> set[tuple[str, str, str]]:
    report = lint(["."], cwd=root, today=TODAY)
    return {(f.rule_id, f.location.path, f.subject) for f in report.result.findings if not f.suppressed}


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "medical-device"
    shutil.copytree(EXAMPLE_DIR, target)
    monkeypatch.chdir(target)
    return target


def test_fix_on_the_example(example: Path, run_fix: Any) -> None:
    before_files = snapshot(example)
    before = keys(example)
    diff = run_fix("--diff")
    assert diff.exit_code == 1 and "+++ b/k8s/deployment.yaml" in diff.stdout
    assert snapshot(example) == before_files, "--diff must write nothing"

    run_fix()
    after_files = snapshot(example)
    after = keys(example)
    fixed = before - after

    # The acceptance's findings are gone: containers of both workloads, Compose services, the chart via values.
    for path, subject in (
        ("k8s/deployment.yaml", "Deployment/production/medical-device/container:init-db"),
        ("k8s/deployment.yaml", "Deployment/production/medical-device/container:medical-app"),
        ("k8s/cronjob-backup.yaml", "CronJob/production/database-backup/container:backup"),
    ):
        for rule in ("MD202", "MD204", "MD209"):
            assert (rule, path, subject) in fixed, (rule, path, subject)
    services = {subject for rule, path, subject in before if rule == "MD202" and path == "docker-compose.yml"}
    assert len(services) == 4
    for subject in services:
        assert ("MD202", "docker-compose.yml", subject) in fixed
        assert ("MD204", "docker-compose.yml", subject) in fixed
    chart_md209 = {key for key in before if key[0] == "MD209" and key[1].startswith("chart/")}
    assert chart_md209 and chart_md209 <= fixed
    assert not after - before, "no new finding"

    changed = {path for path in before_files if before_files[path] != after_files[path]}
    assert changed == {
        "Dockerfile",
        "chart/medical-device/values.yaml",
        "docker-compose.yml",
        "k8s/cronjob-backup.yaml",
        "k8s/deployment.yaml",
    }
    assert (
        after_files["chart/medical-device/templates/deployment.yaml"]
        == before_files["chart/medical-device/templates/deployment.yaml"]
    )
    for path in before_files:
        assert not lost_comments(before_files[path], after_files[path]), path
    for path in changed - {"Dockerfile"}:
        old, new = before_files[path], after_files[path]
        assert changed_lines(old, new) == [], path  # only insertions
        added = [line for line in new.splitlines() if line not in old.splitlines()]
        assert added and all(ADDED_SETTING.match(line) for line in added), (path, added)
        assert not unexpected_differences(old, new), path
    dockerfile_changes = changed_lines(before_files["Dockerfile"], after_files["Dockerfile"])
    assert dockerfile_changes == [37]
    assert "apt-get install --no-install-recommends -y \\\n" in after_files["Dockerfile"]

    second = run_fix()
    assert snapshot(example) == after_files, "a second run changes nothing"
    assert second.output.startswith("Nothing to fix automatically.")
