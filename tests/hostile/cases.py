"""Running the cases of `tests/hostile/bombs.py` through the capped harness, and reading their findings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.hostile.bombs import Case
from tests.hostile.harness import HostileRun, assert_kept_promises, run_medlint

TODAY = "2026-12-07"


def run_case(item: Case, tmp_path: Path) -> tuple[HostileRun, list[dict[str, Any]]]:
    """Write the case, scan it under the memory cap and the hang timeout, check the shared promises,
    and return the run with its JSON findings. No finding may be an internal error (a crash in disguise)."""
    repo = tmp_path / "repo"
    repo.mkdir(parents=True)
    item.write(repo)
    run = run_medlint([*item.args, "--today", TODAY], repo, report_dir=tmp_path / "out")
    assert_kept_promises(run, exit_codes=item.exit_codes)
    findings = json.loads(run.outputs["json"])["findings"]
    crashes = [
        f["message"] for f in findings if "internal error" in f["message"] or "MemoryError" in f["message"]
    ]
    assert not crashes, crashes
    return run, findings


def messages(findings: list[dict[str, Any]], rule: str) -> list[str]:
    return [finding["message"] for finding in findings if finding["rule_id"] == rule]


def located(findings: list[dict[str, Any]], rule: str) -> list[tuple[str, int, str]]:
    return [
        (finding["location"]["path"], finding["location"]["line"], finding["message"])
        for finding in findings
        if finding["rule_id"] == rule
    ]
