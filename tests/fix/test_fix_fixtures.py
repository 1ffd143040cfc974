"""Every fixable rule against its failing fixtures: each finding is fixed or accounted for (manual, refused,
rolled back, never silently skipped), nothing new appears, and a second run changes nothing. The passing
fixtures are left untouched."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

from medlint.api import lint
from medlint.fix.runner import FixOptions, run_fix
from medlint.rulepack import load_rule_pack
from tests.conftest import FIXTURES

FIXABLE = sorted(rule.id for rule in load_rule_pack().rules if rule.fix)
TODAY = datetime.date(2026, 12, 7)


def _copy(rule: str, outcome: str, target: Path) -> None:
    for entry in sorted((FIXTURES / rule / outcome).iterdir()):
        if entry.is_dir():
            shutil.copytree(entry, target / entry.name)
        else:
            shutil.copy2(entry, target / entry.name)


def _run(root: Path, rule: str) -> object:
    return run_fix(lambda: lint(["."], cwd=root, today=TODAY), FixOptions(unsafe=True, select=(rule,)))


@pytest.mark.parametrize("rule", FIXABLE)
def test_failing_fixtures_are_fixed_or_accounted_for(rule: str, tmp_path: Path) -> None:
    _copy(rule, "fail", tmp_path)
    outcome = _run(tmp_path, rule)
    before = [f for f in outcome.before.result.findings if f.rule_id == rule and not f.suppressed]  # type: ignore[attr-defined]
    after_keys = {
        (f.rule_id, f.location.path, f.subject, f.variant)
        for f in outcome.after.result.findings  # type: ignore[attr-defined]
        if not f.suppressed
    }
    before_keys = {(f.rule_id, f.location.path, f.subject, f.variant) for f in outcome.before.result.findings}  # type: ignore[attr-defined]
    assert after_keys <= before_keys, f"new findings: {after_keys - before_keys}"
    accounted = {id(f) for f, _ in outcome.manual}  # type: ignore[attr-defined]
    for group in (outcome.refused, outcome.rolled_back):  # type: ignore[attr-defined]
        accounted |= {id(fix.finding) for fix, _ in group}
    fixed = [f for f in before if (f.rule_id, f.location.path, f.subject, f.variant) not in after_keys]
    silent = [f for f in before if id(f) not in accounted and f not in fixed]
    assert fixed, f"no {rule} finding of the failing fixtures was fixed"
    # Findings of a key that several findings share may stay while one of them was fixed.
    assert all((f.rule_id, f.location.path, f.subject, f.variant) in after_keys for f in silent)
    assert not [f for f in silent if not any(fix.finding is f for fix in outcome.applied)], silent  # type: ignore[attr-defined]
    assert not _run(tmp_path, rule).results, "a second run changes nothing"  # type: ignore[attr-defined]


@pytest.mark.parametrize("rule", FIXABLE)
def test_passing_fixtures_are_left_alone(rule: str, tmp_path: Path) -> None:
    if not (FIXTURES / rule / "pass").is_dir():
        pytest.skip("no passing fixtures")
    _copy(rule, "pass", tmp_path)
    assert not _run(tmp_path, rule).results  # type: ignore[attr-defined]
