"""The traceability matrix: every clause the rule pack references, the rules implementing it, and a status
per system.

Built from the rules' `references:` (so a user rule directory adds its own clauses) and the finished run;
nothing is re-checked. A clause's status is that of its worst implementing rule:

- fail: the rule has open findings on artifact kinds the reference covers (or its check failed: incomplete);
- baselined: only findings accepted by --baseline (known, not fixed: not a pass);
- waived: only findings suppressed by a valid waiver;
- disabled: the configuration switched the rule off;
- pass: the rule ran on artifacts of the kinds the reference covers and found nothing;
- not required: the rule is off for the safety class;
- not applicable: no artifact of the kinds the reference covers is in scope.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from medlint.findings import Finding
from medlint.model import ArtifactKind
from medlint.report import Report
from medlint.report.evidence.model import (
    ClauseRow,
    ClauseStatus,
    RuleRef,
    StandardGroup,
    TraceabilityMatrix,
)
from medlint.report.evidence.systems import SystemScope
from medlint.rulepack import Rule

#: The standards an auditor looks for first, in this order; any other referenced standard follows, by name.
STANDARD_ORDER = (
    "IEC 62304",
    "FDA premarket cybersecurity guidance",
    "IEC 81001-5-1",
    "NIST SP 800-190",
    "CIS Docker Benchmark",
    "CIS Kubernetes Benchmark",
    "Kubernetes Pod Security Standards",
)

#: Rule states from worst to best; a clause takes the worst state of its rules.
STATE_ORDER = (
    "incomplete",
    "fail",
    "baselined",
    "waived",
    "disabled",
    "pass",
    "not required",
    "not applicable",
)

WHOLE_DOCUMENT = "(whole document)"

# One clause number or code: "8.1.2", "8.1.2 c)", "5.2.3-5.2.5", "DL3008", "164.312(b)", "11.10(c)".
_CLAUSE_ITEM = re.compile(r"[A-Z]{0,3}\d+(?:\.\d+)*(?:\([a-z0-9]+\))*(?: [a-z]\))?(?:-\d+(?:\.\d+)*)?")


def split_clauses(clause: str) -> tuple[str, ...]:
    """The clauses one reference names: "4.3.3, 4.4.2" is two rows, "Appendix 1, Authorization" is one.

    Parts separated by ";" are separate clauses; a comma-separated part is split only when every item is a
    clause number, so titles that contain commas stay whole."""
    found: list[str] = []
    for part in (piece.strip() for piece in clause.split(";")):
        if not part:
            continue
        items = [item.strip() for item in part.split(",")]
        if len(items) > 1 and all(_CLAUSE_ITEM.fullmatch(item) for item in items):
            found.extend(items)
        else:
            found.append(part)
    return tuple(found) or (WHOLE_DOCUMENT,)


def _natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """Clause order as in the standard: 5.8.4 before 5.8.10, "8.1.2" before "8.1.2 c)"."""
    return tuple(
        (0, int(piece), "") if piece.isdigit() else (1, 0, piece) for piece in re.findall(r"\d+|\D+", text)
    )


def _standard_key(standard: str) -> tuple[int, str]:
    if standard in STANDARD_ORDER:
        return (STANDARD_ORDER.index(standard), "")
    return (len(STANDARD_ORDER), standard.casefold())


@dataclass(frozen=True, slots=True)
class _RunIndex:
    """The run's outcome per rule, looked up once for the whole matrix."""

    open: Mapping[str, tuple[Finding, ...]]
    waived: Mapping[str, tuple[Finding, ...]]
    baselined: Mapping[str, tuple[Finding, ...]]
    incomplete: frozenset[str]
    run: frozenset[str]
    disabled: frozenset[str]  # by the configuration or the command line
    off_for_class: frozenset[str]  # off for the run's class (one system), or for every system's class
    safety_class: str


def _group_by_rule(findings: Iterable[Finding]) -> dict[str, tuple[Finding, ...]]:
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        grouped[finding.rule_id].append(finding)
    return {rule_id: tuple(items) for rule_id, items in grouped.items()}


def _run_index(report: Report) -> _RunIndex:
    findings = report.result.findings
    return _RunIndex(
        open=_group_by_rule(f for f in findings if not f.suppressed),
        waived=_group_by_rule(f for f in findings if f.suppressed),
        baselined=_group_by_rule(report.baselined_findings),
        incomplete=frozenset(
            note.rule_id
            for note in report.result.notifications
            if note.rule_id and note.level.value == "error"
        ),
        run=frozenset(report.result.rules_run),
        disabled=frozenset(report.result.rules_disabled),
        off_for_class=frozenset(report.result.rules_off),
        safety_class=report.result.safety_class.value,
    )


def _covers(finding: Finding, kinds: frozenset[str], system: SystemScope) -> bool:
    if not system.holds(finding):
        return False
    return finding.artifact is None or finding.artifact.value in kinds


@dataclass(frozen=True, slots=True)
class _RuleOutcome:
    state: str
    open: int = 0
    waived: int = 0
    baselined: int = 0


def rule_outcome(rule: Rule, kinds: frozenset[str], system: SystemScope, index: _RunIndex) -> _RuleOutcome:
    """The state of one rule for one clause reference (covering `kinds`) in one system, at that system's
    safety class."""
    if rule.id in index.disabled:
        return _RuleOutcome("disabled")
    if rule.id in index.off_for_class:
        return _RuleOutcome("not required")
    open_count = sum(1 for f in index.open.get(rule.id, ()) if _covers(f, kinds, system))
    waived = sum(1 for f in index.waived.get(rule.id, ()) if _covers(f, kinds, system))
    baselined = sum(1 for f in index.baselined.get(rule.id, ()) if _covers(f, kinds, system))
    if (
        system.paths is not None  # one of several systems, each checked at its own class
        and system.safety_class is not None
        and not (open_count or waived or baselined)
        and rule.max_level(system.safety_class) is None
    ):
        return _RuleOutcome("not required")  # off for this system's class (its findings prove otherwise)
    if rule.id in index.incomplete:
        state = "incomplete"
    elif open_count:
        state = "fail"
    elif baselined:
        state = "baselined"
    elif waived:
        state = "waived"
    elif rule.id in index.run and kinds & system.artifact_kinds:
        state = "pass"
    else:
        state = "not applicable"
    return _RuleOutcome(state, open_count, waived, baselined)


def clause_status(
    rules: Sequence[tuple[Rule, frozenset[str]]], system: SystemScope, index: _RunIndex
) -> ClauseStatus:
    outcomes = [rule_outcome(rule, kinds, system, index) for rule, kinds in rules]
    states = [outcome.state for outcome in outcomes]
    worst = min(states, key=STATE_ORDER.index) if states else "not applicable"
    return ClauseStatus(
        system=system.name,
        status=worst,
        rules_pass=states.count("pass"),
        rules_fail=states.count("fail"),
        rules_waived=states.count("waived"),
        rules_not_applicable=states.count("not applicable"),
        rules_baselined=states.count("baselined"),
        rules_off=states.count("not required") + states.count("disabled"),
        rules_incomplete=states.count("incomplete"),
        findings_fail=sum(outcome.open for outcome in outcomes),
        findings_waived=sum(outcome.waived for outcome in outcomes),
        findings_baselined=sum(outcome.baselined for outcome in outcomes),
    )


def build_matrix(report: Report, systems: Sequence[SystemScope]) -> TraceabilityMatrix:
    """The matrix for every clause that a rule of the report's pack references."""
    clauses: dict[str, dict[str, dict[str, set[str]]]] = defaultdict(lambda: defaultdict(dict))
    editions: dict[str, set[str]] = defaultdict(set)
    rules_by_id = {rule.id: rule for rule in report.pack.rules}
    for rule in report.pack.rules:
        rule_kinds = {kind.value for kind in rule.applies_to}
        for reference in rule.references:
            if reference.edition:
                editions[reference.standard].add(reference.edition)
            kinds = set(reference.applies_to) & rule_kinds if reference.applies_to else rule_kinds
            for clause in split_clauses(reference.clause):
                clauses[reference.standard][clause].setdefault(rule.id, set()).update(kinds)
    index = _run_index(report)
    kind_order = [kind.value for kind in ArtifactKind]
    groups = []
    for standard in sorted(clauses, key=_standard_key):
        rows = []
        for clause in sorted(clauses[standard], key=_natural_key):
            implementing = sorted(clauses[standard][clause].items())
            implementations = [(rules_by_id[rule_id], frozenset(kinds)) for rule_id, kinds in implementing]
            rows.append(
                ClauseRow(
                    clause=clause,
                    rules=tuple(
                        RuleRef(rule.id, rule.title, tuple(k for k in kind_order if k in kinds))
                        for rule, kinds in implementations
                    ),
                    statuses=tuple(clause_status(implementations, system, index) for system in systems),
                )
            )
        groups.append(
            StandardGroup(standard, tuple(sorted(editions.get(standard, ()), key=_natural_key)), tuple(rows))
        )
    return TraceabilityMatrix(tuple(system.name for system in systems), tuple(groups))
