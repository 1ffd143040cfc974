"""`medlint fix` on a bounded sample of the real-world corpus (../shared/corpus): Kubernetes and Compose
files written by others. The full run is benchmarks/bench_fix_corpus.py, which prints the counts."""

from __future__ import annotations

import datetime
import shutil
from collections import Counter
from pathlib import Path

import pytest

from medlint.api import lint
from medlint.fix.audit import lost_comments, unexpected_differences
from medlint.fix.runner import FixOptions, run_fix
from tests.conftest import CORPUS

#: Files per kind: every Nth file, so the sample spans the corpus's repositories.
SAMPLE = {"k8s": 60, "compose": 30}


@pytest.fixture(scope="module")
def fixed_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], object]:
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus is not available")
    root = tmp_path_factory.mktemp("corpus")
    originals: dict[str, str] = {}
    for kind, count in SAMPLE.items():
        files = sorted(path for path in (CORPUS / kind).rglob("*") if path.is_file())
        step = max(1, len(files) // count)
        for path in files[::step][:count]:
            relative = path.relative_to(CORPUS)
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, root / relative)
            if path.suffix in (".yaml", ".yml"):
                originals[relative.as_posix()] = path.read_text(encoding="utf-8-sig")

    def lint_once() -> object:
        return lint(["k8s", "compose"], cwd=root, today=datetime.date(2026, 12, 7))

    outcome = run_fix(lint_once, FixOptions(unsafe=True))
    return root, originals, outcome


def test_every_fixed_file_parses_and_differs_only_in_fixed_fields(fixed_corpus: tuple) -> None:
    root, originals, outcome = fixed_corpus
    assert len(outcome.results) >= 20, "the sample should exercise the editor"
    for path, before in originals.items():
        after = (root / path).read_text(encoding="utf-8-sig")
        if after != before:
            assert not unexpected_differences(before, after), path
            assert not lost_comments(before, after), path


def test_no_parse_finding_appears_and_fixed_findings_are_gone(fixed_corpus: tuple) -> None:
    _root, _originals, outcome = fixed_corpus

    def parse_findings(report: object) -> Counter[str]:
        return Counter(f.location.path for f in report.result.findings if f.rule_id in ("MD001", "MD002"))  # type: ignore[attr-defined]

    before, after = parse_findings(outcome.before), parse_findings(outcome.after)
    assert all(after[path] <= before[path] for path in after)
    remaining = {(f.rule_id, f.location.path, f.subject, f.variant) for f in outcome.after.result.findings}
    assert outcome.applied
    applied_rules = Counter(fix.finding.rule_id for fix in outcome.applied)
    assert {"MD202", "MD204", "MD209", "MD205"} <= set(applied_rules)
    still = [
        fix
        for fix in outcome.applied
        if (fix.finding.rule_id, fix.finding.location.path, fix.finding.subject, fix.finding.variant)
        in remaining
        and fix.finding.rule_id not in ("MD204",)  # a container may have a second MD204 finding (added caps)
    ]
    assert not still


def test_a_second_run_changes_nothing(fixed_corpus: tuple) -> None:
    root, _originals, _outcome = fixed_corpus

    def lint_once() -> object:
        return lint(["k8s", "compose"], cwd=root, today=datetime.date(2026, 12, 7))

    assert not run_fix(lint_once, FixOptions(unsafe=True)).results
