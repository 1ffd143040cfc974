"""The evidence report's view model: what the HTML and Markdown templates show, and nothing else.

Built from a finished `Report` by pure functions (`medlint.report.evidence.assemble`), so both formats show
the same content and a test can check the content without parsing either format. Every string here is plain
text taken as it is (file names, object names, messages, waiver reasons may be hostile): the templates escape
all of it, each for its own format.

The model is shaped for what comes next: the matrix has one status per *system* (today one system, the whole
scan), and the SOUP inventory section has its row type, filled by a producer that the SBOM work provides.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Header:
    """Section 1: what was evaluated, when, with which tool, rules and data."""

    system_name: str
    system_name_source: str  # how the name was found ("name in Chart.yaml at ...", "the scanned folder")
    evaluation_date: str
    tool_version: str
    rule_pack_version: str
    rule_count: int
    data_tables: tuple[tuple[str, str], ...]  # (table name, version)
    command_line: str
    configuration: str | None
    repository: str | None
    revision: str | None
    branch: str | None


@dataclass(frozen=True, slots=True)
class ScopeFile:
    """A file medlint read, with its SHA-256 (None with `digest_problem` when it could not be hashed)."""

    path: str
    kind: str  # dockerfile, compose, kubernetes, helm, dockerignore, configuration, baseline
    role: str
    analysed: bool
    sha256: str | None
    digest_problem: str | None = None


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A file that was found or named but not analysed, and why."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class ChartScope:
    directory: str
    name: str
    version: str
    values_sets: tuple[str, ...]  # the values sets whose render produced objects
    render_problems: tuple[str, ...]  # MD003 messages: renders that failed


@dataclass(frozen=True, slots=True)
class Scope:
    """Section 2: every file read, files not analysed, charts with their values sets."""

    scanned_paths: tuple[str, ...]
    files: tuple[ScopeFile, ...]
    skipped: tuple[SkippedFile, ...]
    charts: tuple[ChartScope, ...]
    digest_method: str  # one sentence on what was hashed and how


@dataclass(frozen=True, slots=True)
class ClassDeclarationRow:
    value: str
    location: str


@dataclass(frozen=True, slots=True)
class SystemClassRow:
    """One system of the run: how it was defined and the class it was checked at."""

    name: str
    origin: str
    value: str
    reason: str


@dataclass(frozen=True, slots=True)
class SafetyClass:
    """Section 3: the IEC 62304 software safety class and how it was determined (per system when the
    configuration defines several)."""

    value: str
    reason: str
    source: str | None
    declarations: tuple[ClassDeclarationRow, ...]
    consequence: str  # what the class changes (levels of the rules, rules off for the class)
    systems: tuple[SystemClassRow, ...] = ()


@dataclass(frozen=True, slots=True)
class NotificationRow:
    level: str
    location: str | None
    message: str


@dataclass(frozen=True, slots=True)
class FixedEntryRow:
    rule_id: str
    path: str
    subject: str
    message: str


@dataclass(frozen=True, slots=True)
class Summary:
    """Section 4: counts per level, suppressed and baselined findings, and the gate."""

    level_counts: tuple[tuple[str, int], ...]  # (level, active findings)
    suppressed: int
    baselined: int
    fixed_since_baseline: tuple[FixedEntryRow, ...]
    fail_on: str
    failing: bool
    gate: str  # "FAIL" or "PASS"
    gate_reason: str
    rules_run: int
    rules_off_for_class: tuple[str, ...]
    rules_disabled: tuple[str, ...]
    notifications: tuple[NotificationRow, ...]


@dataclass(frozen=True, slots=True)
class RuleRef:
    id: str
    title: str
    applies_to: tuple[str, ...]  # the artifact kinds this clause's reference covers for the rule


@dataclass(frozen=True, slots=True)
class ClauseStatus:
    """The status of one clause in one system, with the count of implementing rules in each state."""

    system: str
    status: str  # fail, incomplete, baselined, waived, disabled, pass, not required, not applicable
    rules_pass: int = 0
    rules_fail: int = 0
    rules_waived: int = 0
    rules_not_applicable: int = 0
    rules_baselined: int = 0
    rules_off: int = 0  # off for the safety class, or disabled by configuration
    rules_incomplete: int = 0  # the check failed with an internal error
    findings_fail: int = 0
    findings_waived: int = 0
    findings_baselined: int = 0


@dataclass(frozen=True, slots=True)
class ClauseRow:
    clause: str
    rules: tuple[RuleRef, ...]
    statuses: tuple[ClauseStatus, ...]  # one per system, in the order of TraceabilityMatrix.systems


@dataclass(frozen=True, slots=True)
class StandardGroup:
    standard: str
    editions: tuple[str, ...]
    rows: tuple[ClauseRow, ...]


@dataclass(frozen=True, slots=True)
class TraceabilityMatrix:
    """Section 5: one row per clause the rule pack references, grouped by standard."""

    systems: tuple[str, ...]
    groups: tuple[StandardGroup, ...]


@dataclass(frozen=True, slots=True)
class FindingRow:
    level: str
    location: str
    subject: str
    message: str
    state: str  # open, waived, baselined
    waiver: str | None  # the id of the waiver that suppresses it (W1, ...), for waived findings
    related: tuple[str, ...]  # "path:line:col: message"


@dataclass(frozen=True, slots=True)
class RuleFindings:
    rule_id: str
    title: str
    counts: tuple[tuple[str, int], ...]  # (state, findings) for open, waived and baselined
    findings: tuple[FindingRow, ...]


@dataclass(frozen=True, slots=True)
class WaiverRow:
    """Section 7: one waiver, from any source, and what it did."""

    id: str  # W1, W2, ... in the order the waivers were found
    rules: tuple[str, ...]
    reason: str
    owner: str | None
    until: str | None
    risk: str | None
    origin: str  # where it is written
    source: str  # "inline comment", "annotation", "configuration"
    scope: str  # what it covers, in words
    status: str  # active, expired, unused, rejected
    flags: tuple[str, ...]  # "expired", "unused", "rejected: ..."
    suppresses: tuple[str, ...]  # "MD201 path:line (subject)" of each finding it suppresses
    no_longer_suppresses: tuple[str, ...]  # findings it matches but, expired, no longer suppresses


@dataclass(frozen=True, slots=True)
class DeclarationRow:
    """Section 7: one declaration that satisfies or disables a check (medlint.report.declarations)."""

    kind: str  # what sort of thing is declared
    name: str  # what is declared
    detail: str  # what else the declaration says, or ""
    rules: tuple[str, ...]  # the rules it satisfies or silences
    location: str  # where it is written (file:line)
    system: str  # the system it applies to
    source: str  # configuration or compose


@dataclass(frozen=True, slots=True)
class SoupRow:
    """Section 8: one SOUP component, as a SOUP producer (`assemble.SoupProducer`) reports it."""

    name: str
    version: str
    supplier: str
    scope: str  # deployed or build-only (where it is used)
    level_of_support: str
    end_of_support: str
    sbom_covered: bool | None  # None: no SBOM was supplied
    location: str  # where it is declared (the first place)
    kind: str = ""  # image, chart, os-package, language-package
    system: str = ""  # the system it belongs to (several systems: one row per system)


@dataclass(frozen=True, slots=True)
class SoupInventory:
    """`available` is False when no SOUP producer was given: then there are no rows and nothing is made up."""

    available: bool
    rows: tuple[SoupRow, ...]
    note: str
    covered: int = 0  # rows a supplied SBOM covers
    not_covered: int = 0  # rows of systems with a supplied SBOM that it does not cover
    per_system: bool = False  # rows of several systems: the table shows a system column


@dataclass(frozen=True, slots=True)
class EvidenceView:
    header: Header
    scope: Scope
    safety_class: SafetyClass
    summary: Summary
    matrix: TraceabilityMatrix
    findings: tuple[RuleFindings, ...]
    waivers: tuple[WaiverRow, ...]
    soup: SoupInventory
    declarations: tuple[DeclarationRow, ...] = ()
