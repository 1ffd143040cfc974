"""Every rule against its fixtures: fixtures/<ID>/fail/* must fire at exactly the marked lines,
fixtures/<ID>/pass/* must stay quiet.

A marker is a comment `# expect: MD201` (several ids separated by commas). At the end of a line it marks
that line; on a line of its own it marks the next line that is neither blank nor a comment (Dockerfiles
only allow comments on their own line). JSON has no comments: a JSON file's markers are the lines of a
`<name>.expect` file beside it, `LINE: MD201[, MD202]` (so a JSON case is a directory). The exact set of (rule,
file, line) is compared for the fixture's rule and for every rule named in a marker, so a rule that starts firing
elsewhere fails the test. A case folder with a `.medlint.yaml` is linted with that configuration.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from medlint.api import lint
from medlint.config import load_config
from medlint.rulepack import load_rule_pack
from tests.conftest import FIXTURES, REPO_ROOT

MARKER = re.compile(r"#\s*expect:\s*([A-Z]{2}\d{3}(?:\s*,\s*[A-Z]{2}\d{3})*)\s*$")

Expected = set[tuple[str, str, int]]


def _cases() -> list[tuple[str, str, Path]]:
    cases = []
    for rule_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for outcome in ("fail", "pass"):
            folder = rule_dir / outcome
            if folder.is_dir():
                cases.extend((rule_dir.name, outcome, entry) for entry in sorted(folder.iterdir()))
    return cases


def expected_markers(case: Path) -> Expected:
    files = [case] if case.is_file() else sorted(p for p in case.rglob("*") if p.is_file())
    expected: Expected = set()
    for file in files:
        lines = file.read_bytes().decode("utf-8", errors="replace").splitlines()
        if file.name.endswith(".expect"):
            relative = file.with_name(file.name.removesuffix(".expect")).relative_to(REPO_ROOT).as_posix()
            for line in lines:
                number, _, rules = line.partition(":")
                expected.update((rule.strip(), relative, int(number)) for rule in rules.split(","))
            continue
        relative = file.relative_to(REPO_ROOT).as_posix()
        pending: list[str] = []
        for number, line in enumerate(lines, 1):
            match = MARKER.search(line)
            stripped = line.strip()
            if match and stripped.startswith("#"):
                pending.extend(rule.strip() for rule in match.group(1).split(","))
                continue
            if not stripped or stripped.startswith("#"):
                continue
            rules = list(pending) + ([r.strip() for r in match.group(1).split(",")] if match else [])
            expected.update((rule, relative, number) for rule in rules)
            pending = []
    return expected


CASES = _cases()


@pytest.mark.parametrize("rule_id, outcome, case", CASES, ids=[f"{r}/{o}/{c.name}" for r, o, c in CASES])
def test_fixture(rule_id: str, outcome: str, case: Path) -> None:
    expected = expected_markers(case)
    if outcome == "fail":
        assert any(rule == rule_id for rule, _, _ in expected), (
            f"{case} is a failing fixture without an expect marker for {rule_id}"
        )
    else:
        assert not any(rule == rule_id for rule, _, _ in expected), (
            f"{case} is a passing fixture but marks {rule_id}"
        )
    # A case folder may carry its own configuration (a rule that reads a supplied SBOM, for instance).
    config = case / ".medlint.yaml"
    settings = load_config(config) if case.is_dir() and config.is_file() else None
    report = lint([str(case)], cwd=REPO_ROOT, safety_class="C", config=settings)
    assert not report.result.notifications, [note.message for note in report.result.notifications]
    checked_rules = {rule_id} | {rule for rule, _, _ in expected}
    actual = {
        (finding.rule_id, finding.location.path, finding.location.line)
        for finding in report.result.findings
        if finding.rule_id in checked_rules
    }
    assert actual == expected


def test_every_rule_has_failing_and_passing_fixtures() -> None:
    pack = load_rule_pack()
    for rule in pack.rules:
        for outcome in ("fail", "pass"):
            folder = FIXTURES / rule.id / outcome
            assert folder.is_dir() and any(folder.iterdir()), (
                f"{rule.id} has no {outcome} fixtures in {folder}"
            )
