"""What `medlint fix` prints: the fixes made, rolled back or refused, what is left to a person, and how many
unsafe fixes `--unsafe-fixes` would add. Paths and positions are those of the findings, sorted, so the
output is deterministic."""

from __future__ import annotations

from collections import Counter

from medlint.findings import Finding
from medlint.fix.runner import FixOutcome


def _where(finding: Finding) -> str:
    return f"{finding.location.path}:{int(finding.location.line)}:{finding.location.column}"


def _plural(count: int, word: str) -> str:
    if count == 1:
        return f"{count} {word}"
    return f"{count} {word}{'es' if word.endswith('x') else 's'}"


def summary_lines(outcome: FixOutcome, diff: bool) -> list[str]:
    lines: list[str] = []
    verb = "Would fix" if diff else "Fixed"
    applied = sorted(outcome.applied, key=lambda fix: (fix.finding.sort_key(), fix.path))
    findings = {id(fix.finding) for fix in applied}
    if applied:
        lines.append(
            f"{verb} {_plural(len(findings), 'finding')} in {_plural(len(outcome.results), 'file')}:"
        )
        for fix in applied:
            where = "" if fix.path == fix.finding.location.path else f" (in {fix.path})"
            lines.append(f"  {_where(fix.finding)}: {fix.finding.rule_id} {fix.description}{where}")
    else:
        lines.append("Nothing to fix automatically." if not diff else "No changes.")
    if outcome.rolled_back:
        lines.append(f"Rolled back {_plural(len(outcome.rolled_back), 'fix')}:")
        for fix, reason in sorted(outcome.rolled_back, key=lambda pair: pair[0].finding.sort_key()):
            lines.append(f"  {_where(fix.finding)}: {fix.finding.rule_id} {fix.description}: {reason}")
    manual = [(finding, note.reason) for finding, note in outcome.manual if not note.invents] + [
        (fix.finding, f"{fix.description} was not applied: {reason}") for fix, reason in outcome.refused
    ]
    if manual:
        lines.append(f"Needs a person ({_plural(len(manual), 'finding')}):")
        for finding, reason in sorted(manual, key=lambda pair: pair[0].sort_key()):
            lines.append(f"  {_where(finding)}: {finding.rule_id} {reason}")
    invented = Counter((note.invents, finding.rule_id) for finding, note in outcome.manual if note.invents)
    if invented:
        shown = ", ".join(
            f"{_plural(count, what)} ({rule})" for (what, rule), count in sorted(invented.items())
        )
        lines.append(f"Left alone because a fix would have to invent a value: {shown}.")
    if outcome.unsafe_available:
        per_rule = Counter(fix.finding.rule_id for fix in outcome.unsafe_available)
        shown = ", ".join(f"{rule} x{count}" for rule, count in sorted(per_rule.items()))
        lines.append(
            f"{_plural(len(outcome.unsafe_available), 'more fix')} available with --unsafe-fixes ({shown}); "
            "review them first: `medlint fix --diff --unsafe-fixes`."
        )
    return lines
