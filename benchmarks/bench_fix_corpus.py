#!/usr/bin/env python3
"""`medlint fix` on a copy of the corpus's Kubernetes and Compose files, checked from the outside.

For every file: it still parses; the data loaded before and after differs only in the fixed fields
(medlint.fix.audit); every comment line is kept; no original line outside the edits changed; no MD001 or
MD002 finding appears. Then a second run must change nothing. Prints the counts (files changed, fixes per
rule, rollbacks, refusals, the YAML editor route per file) and every violation of the properties.

    python benchmarks/bench_fix_corpus.py [--unsafe-fixes] [--sample N]
"""

from __future__ import annotations

import argparse
import datetime
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
CORPUS = REPO_ROOT.parent / "shared" / "corpus"


def copy_corpus(target: Path, sample: int | None) -> list[str]:
    """Copy corpus/k8s and corpus/compose (every Nth file with --sample); the copied relative paths."""
    copied: list[str] = []
    for kind in ("k8s", "compose"):
        files = sorted(path for path in (CORPUS / kind).rglob("*") if path.is_file())
        if sample:
            step = max(1, len(files) // sample)
            files = files[::step][:sample]
        for path in files:
            relative = path.relative_to(CORPUS)
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / relative)
            copied.append(relative.as_posix())
    return copied


def run(target: Path, unsafe: bool) -> object:
    from medlint.api import lint
    from medlint.fix.runner import FixOptions, run_fix

    def lint_once() -> object:
        return lint(["k8s", "compose"], cwd=target, today=datetime.date(2026, 12, 7))

    return run_fix(lint_once, FixOptions(unsafe=unsafe))


def audit(target: Path, outcome: object, originals: dict[str, str], stats: Counter[str]) -> list[str]:
    import yaml

    from medlint.fix.audit import changed_lines, lost_comments, unexpected_differences

    problems: list[str] = []
    before_parse = Counter(
        f.location.path
        for f in outcome.before.result.findings
        if f.rule_id in ("MD001", "MD002")  # type: ignore[attr-defined]
    )
    after_parse = Counter(
        f.location.path
        for f in outcome.after.result.findings
        if f.rule_id in ("MD001", "MD002")  # type: ignore[attr-defined]
    )
    for path, count in after_parse.items():
        if count > before_parse.get(path, 0):
            problems.append(f"{path}: new MD001/MD002 finding")
    for path, before in originals.items():
        after = (target / path).read_text(encoding="utf-8-sig")
        if after == before:
            continue
        stats["changed"] += 1
        try:
            unexpected = unexpected_differences(before, after)
        except yaml.YAMLError as error:
            problems.append(f"{path}: no longer parses: {error}")
            continue
        problems.extend(f"{path}: unexpected data difference {kind} {step}" for kind, step in unexpected)
        problems.extend(f"{path}: comment lost: {line}" for line in lost_comments(before, after))
        allowed = _allowed_changes(outcome, path)  # type: ignore[arg-type]
        edited = changed_lines(before, after)
        changed = [line for line in edited if line not in allowed]
        if changed:
            problems.append(f"{path}: original lines changed: {changed[:5]}")
        else:
            stats["only lines that must change"] += 1
            stats["insertions only" if not edited else "with in-line edits (flow collections, values)"] += 1
        if not unexpected:
            stats["data differs only in fixed fields"] += 1
        if not lost_comments(before, after):
            stats["every comment kept"] += 1
    return problems


def _allowed_changes(outcome: object, path: str) -> set[int]:
    """Lines a fix may rewrite in place: flow collections and replaced values (found by the editor)."""
    from medlint.fix.yaml_edit import _allowed_lines, resolve_changes
    from medlint.fix.yamldoc import YamlFile

    fixes = [fix for fix in outcome.applied if fix.path == path]  # type: ignore[attr-defined]
    original = outcome.originals[path].text  # type: ignore[attr-defined]
    yfile = YamlFile(original)
    actions = resolve_changes(yfile, [change for fix in fixes for change in fix.changes])
    lines = set(_allowed_lines(yfile, actions))
    return {line + 1 for line in lines}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--unsafe-fixes", action="store_true")
    parser.add_argument("--sample", type=int, default=None, help="only N files per kind")
    parser.add_argument("--keep", type=Path, default=None, help="also copy the fixed files to this directory")
    arguments = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"no corpus at {CORPUS}")
    with tempfile.TemporaryDirectory() as directory:
        target = Path(directory)
        copied = copy_corpus(target, arguments.sample)
        originals = {
            path: (target / path).read_text(encoding="utf-8-sig")
            for path in copied
            if path.endswith((".yaml", ".yml"))
        }
        start = time.perf_counter()
        outcome = run(target, arguments.unsafe_fixes)
        elapsed = time.perf_counter() - start
        stats: Counter[str] = Counter()
        problems = audit(target, outcome, originals, stats)
        if arguments.keep:
            shutil.copytree(target, arguments.keep, dirs_exist_ok=True)
        second = run(target, arguments.unsafe_fixes)
        if second.results:  # type: ignore[attr-defined]
            problems.append(f"second run changed {sorted(second.results)}")  # type: ignore[attr-defined]
    per_rule = Counter(fix.finding.rule_id for fix in outcome.applied)  # type: ignore[attr-defined]
    rolled = Counter(fix.finding.rule_id for fix, _ in outcome.rolled_back)  # type: ignore[attr-defined]
    refused = Counter(fix.finding.rule_id for fix, _ in outcome.refused)  # type: ignore[attr-defined]
    print(f"corpus k8s+compose: {len(copied)} files copied, {len(originals)} YAML files")
    print(f"fix run: {elapsed:.1f} s, {outcome.lint_runs} lint runs")  # type: ignore[attr-defined]
    print(f"files changed: {len(outcome.results)}")  # type: ignore[attr-defined]
    print(f"editor route per changed file: {dict(sorted(outcome.routes.items()))}")  # type: ignore[attr-defined]
    print(f"{'rule':<8}{'applied':>9}{'rolled back':>13}{'refused':>9}")
    for rule in sorted(set(per_rule) | set(rolled) | set(refused)):
        print(f"{rule:<8}{per_rule[rule]:>9}{rolled[rule]:>13}{refused[rule]:>9}")
    print(f"{'total':<8}{sum(per_rule.values()):>9}{sum(rolled.values()):>13}{sum(refused.values()):>9}")
    for fix, reason in outcome.rolled_back[:20]:  # type: ignore[attr-defined]
        print(f"  rolled back: {fix.finding.location} {fix.finding.rule_id}: {reason}")
    for fix, reason in outcome.refused[:20]:  # type: ignore[attr-defined]
        print(f"  refused: {fix.finding.location} {fix.finding.rule_id}: {reason}")
    manual = Counter(f"{finding.rule_id}: {note.reason}" for finding, note in outcome.manual)  # type: ignore[attr-defined]
    print(f"needs a person: {sum(manual.values())} findings")
    for reason, count in manual.most_common(12):
        print(f"  {count:>5}  {reason}")
    for name in (
        "data differs only in fixed fields",
        "every comment kept",
        "only lines that must change",
        "insertions only",
        "with in-line edits (flow collections, values)",
    ):
        print(f"  {name}: {stats[name]}/{stats['changed']} changed files")
    print(f"property violations: {len(problems)}")
    for problem in problems[:50]:
        print(f"  {problem}")
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
