"""From a finished `Report` to the evidence view model: pure functions, no reading, no re-checking.

File digests come from the run's record of what it read (`Report.file_digests`), so nothing here reads a
file: the same report always gives the same view.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePath
from typing import Any

from medlint.findings import Finding
from medlint.fingerprints import LOGICAL
from medlint.model import Level
from medlint.report import Report
from medlint.report.declarations import declarations
from medlint.report.evidence.digests import DIGEST_METHOD, Digest
from medlint.report.evidence.matrix import build_matrix
from medlint.report.evidence.model import (
    ChartScope,
    ClassDeclarationRow,
    DeclarationRow,
    EvidenceView,
    FindingRow,
    FixedEntryRow,
    Header,
    NotificationRow,
    RuleFindings,
    SafetyClass,
    Scope,
    ScopeFile,
    SkippedFile,
    SoupInventory,
    SoupRow,
    Summary,
    SystemClassRow,
    WaiverRow,
)
from medlint.report.evidence.systems import SystemScope, system_name, system_scopes
from medlint.report.sanitize import clean
from medlint.waivers import Waiver, WaiverOutcome

#: Produces the SOUP inventory rows of a finished report (one row per component and system). The SBOM work
#: provides the real one (medlint.report.evidence.soup); tests give stubs. It must not read files or re-check.
SoupProducer = Callable[[Report], Sequence[SoupRow]]

SOUP_NOT_AVAILABLE = (
    "No SOUP inventory was built for this report, so this section lists no components. "
    "Findings of the SOUP rules (pinned images and packages, end of support) are in the traceability "
    "matrix and the findings above."
)


def command_line_text(argv: Sequence[str]) -> str:
    """The command line as the header shows it. The one place it is turned into text, so that secrets
    given on it (a `--set password=...`) can be redacted here for every format."""
    return shlex.join(argv) if argv else "(not run from the command line)"


def display_path(path: str, root: str) -> str:
    """A path as the report shows it: relative to the scanned project's root when inside it (links resolved
    as the run resolved them)."""
    for candidate, base in ((path, root), (os.path.realpath(path), os.path.realpath(root))):
        try:
            return PurePath(candidate).relative_to(base).as_posix()
        except ValueError:
            continue
    return path


# --------------------------------------------------------------------------------------------------
# Section 1: header


def build_header(report: Report) -> Header:
    name, source = system_name(report)
    provenance = report.provenance
    return Header(
        system_name=name,
        system_name_source=source,
        evaluation_date=report.evaluation_date,
        tool_version=report.tool_version,
        rule_pack_version=report.pack.version,
        rule_count=len(report.pack.rules),
        data_tables=tuple(sorted(report.table_versions.items())),
        command_line=command_line_text(report.command_line),
        configuration=display_path(report.config_path, report.root) if report.config_path else None,
        repository=getattr(provenance, "repository_uri", None),
        revision=getattr(provenance, "revision_id", None),
        branch=getattr(provenance, "branch", None),
    )


# --------------------------------------------------------------------------------------------------
# Section 2: scope


def _dockerignore_paths(report: Report) -> list[str]:
    project = report.project
    paths = {item.path for item in project.dockerignore_files or ()}
    paths |= {item.ignore_file.path for item in project.dockerfiles if item.ignore_file is not None}
    return sorted(paths)


def recorded_digests(report: Report) -> dict[str, Digest]:
    """{shown path: digest} of every file the run read (its record, `Report.file_digests`), and of every
    artifact file it could not read, with the reason instead of a digest."""
    digests = {path: Digest(sha256) for path, sha256 in report.file_digests.items()}
    problems: dict[str, str] = {}
    for problem in report.project.problems:
        problems.setdefault(problem.location.path, problem.message)
    for item in report.project.files:
        if item.path not in digests:
            digests[item.path] = Digest(None, problems.get(item.path, "not read"))
    return dict(sorted(digests.items()))


#: File names of requirement and lock files that package managers read from a build context.
_REQUIREMENT_NAMES = re.compile(
    r"(?:.*requirements.*\.(?:txt|in)|constraints.*\.txt|Pipfile(?:\.lock)?|poetry\.lock|pyproject\.toml|"
    r"package(?:-lock)?\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|Gemfile(?:\.lock)?|"
    r"go\.(?:mod|sum)|Cargo\.(?:toml|lock)|composer\.(?:json|lock))"
)
#: What belongs to a chart when the chart is the scanned root itself (elsewhere, its whole folder does).
_CHART_PARTS = re.compile(
    r"(?:Chart\.(?:yaml|lock)|values[^/]*\.ya?ml|values\.schema\.json|\.helmignore|"
    r"(?:templates|charts|crds)/.*|files/.*|README\.md|LICENSE|NOTES\.txt)"
)
_SBOM_NAMES = re.compile(r"(?i).*(?:\.cdx\.(?:json|xml)|\.spdx\.json|sbom.*\.(?:json|xml)|bom\.(?:json|xml))")


def _kind_of_read_file(
    path: str, report: Report, named: Mapping[str, str], values_files: frozenset[str]
) -> tuple[str, str]:
    """(kind, role) of a file the run read that is not one of the artifacts it analysed."""
    if path in named:
        return named[path], ""
    name = posixpath.basename(path)
    if name == ".dockerignore" or name.endswith(".dockerignore"):
        return "dockerignore", ""
    for chart in report.project.charts:
        directory = chart.directory if chart.directory not in ("", ".") else ""
        if directory and not path.startswith(directory + "/"):
            continue
        inside = path[len(directory) + 1 :] if directory else path
        if not directory and not _CHART_PARTS.fullmatch(inside):
            continue  # the chart is the scanned root: only its own parts are chart files
        if inside == ".helmignore":
            return "helm", ".helmignore"
        if inside.startswith("charts/"):
            return "helm", "dependency"
        if inside.startswith("templates/"):
            return "helm", "template"
        return "helm", "chart file"
    if name == ".env" or name.startswith(".env.") or name.endswith(".env"):
        return "env file", ""
    if _REQUIREMENT_NAMES.fullmatch(name):
        return "requirement file", ""
    if _SBOM_NAMES.fullmatch(name):
        return "sbom", ""
    if path in values_files:
        return "helm", "values"
    return "context file", ""


def build_scope(report: Report, digests: Mapping[str, Digest] | None = None) -> Scope:
    """Every file the run read (artifacts and what they refer to: .dockerignore, .env and requirement files,
    Compose includes, a chart's files, the configuration, the baseline), each with its kind and digest."""
    digests = recorded_digests(report) if digests is None else digests
    missing = Digest(None, "not recorded by the run")
    problems_by_path: dict[str, str] = {}
    for problem in report.project.problems:
        problems_by_path.setdefault(problem.location.path, problem.message)
    named: dict[str, str] = {}
    if report.config_path:
        named[display_path(report.config_path, report.root)] = "configuration"
    if report.baseline_path:
        named[report.baseline_path] = "baseline"
    for path in _dockerignore_paths(report):
        named.setdefault(path, "dockerignore")
    for sbom in report.project.sboms:
        named.setdefault(sbom.path, "sbom")  # a supplied SBOM (--sbom, sbom: in the configuration)
    not_artifacts = {_skip_reason(entry).path for entry in report.unrecognised}
    charts = _chart_scopes(report)
    values_files = frozenset(
        name for chart in charts for values_set in chart.values_sets for name in values_set.split("+")
    )
    artifacts = {item.path: item for item in report.project.files}
    files = []
    for path in sorted(set(digests) | set(artifacts) | set(named)):
        digest = digests.get(path, missing)
        item = artifacts.get(path)
        if item is not None:
            kind, role, analysed = item.kind.value, item.role, item.analysed
        else:
            kind, role = _kind_of_read_file(path, report, named, values_files)
            analysed = path not in not_artifacts
            if path in not_artifacts:
                kind = "not an artifact"
        if report.scope is not None and not report.reports_on(path) and path not in named:
            role = f"{role}, context only" if role else "context only"  # a partial run's context
        files.append(ScopeFile(path, kind, role, analysed, digest.sha256, digest.problem))
    skipped = [
        SkippedFile(item.path, problems_by_path.get(item.path, "could not be analysed"))
        for item in report.project.files
        if not item.analysed
    ]
    skipped += [_skip_reason(entry) for entry in report.unrecognised]
    return Scope(
        scanned_paths=tuple(report.scanned_paths),
        files=tuple(files),
        skipped=tuple(sorted(skipped, key=lambda s: s.path)),
        charts=charts,
        digest_method=DIGEST_METHOD,
    )


def _skip_reason(entry: str) -> SkippedFile:
    """An entry of Report.unrecognised: "path" or "path (why)"."""
    if entry.endswith(")") and " (" in entry:
        path, _, reason = entry[:-1].rpartition(" (")
        return SkippedFile(path, reason)
    return SkippedFile(entry, "not a Dockerfile, Compose file, Kubernetes manifest or Helm chart")


def _chart_scopes(report: Report) -> tuple[ChartScope, ...]:
    charts = []
    for chart in report.project.charts:
        sets = sorted(
            {
                obj.values_set
                for obj in report.project.k8s_objects
                if obj.rendered_from == chart.directory and obj.values_set
            }
        )
        prefix = f"{chart.directory}/" if chart.directory not in ("", ".") else ""
        problems = sorted(
            problem.message
            for problem in report.project.problems
            if problem.rule_id == "MD003" and (not prefix or problem.location.path.startswith(prefix))
        )
        charts.append(
            ChartScope(
                directory=chart.directory or ".",
                name=str(chart.name.value) if chart.name else "(no name)",
                version=str(chart.version.value) if chart.version else "(no version)",
                values_sets=tuple(sets),
                render_problems=tuple(problems),
            )
        )
    return tuple(sorted(charts, key=lambda c: c.directory))


# --------------------------------------------------------------------------------------------------
# Sections 3 and 4: safety class, summary


def _rules_off(report: Report) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(rules off for the safety class, rules disabled by the configuration or the command line)."""
    return tuple(sorted(report.result.rules_off)), tuple(sorted(report.result.rules_disabled))


def build_safety_class(report: Report, systems: Sequence[SystemScope] = ()) -> SafetyClass:
    decision = report.result.safety_class
    off, _ = _rules_off(report)
    consequence = f"Every finding has the level its rule sets for class {decision.value}" + (
        f"; {len(off)} rule(s) are off for this class: {', '.join(off)}." if off else "."
    )
    return SafetyClass(
        value=decision.value,
        reason=decision.reason,
        source=str(decision.source) if decision.source else None,
        declarations=tuple(
            sorted(
                (
                    ClassDeclarationRow(decl.value, str(decl.location))
                    for decl in report.project.class_declarations
                ),
                key=lambda row: (row.location, row.value),
            )
        ),
        consequence=consequence,
        systems=tuple(
            SystemClassRow(
                system.name, system.origin, system.safety_class or decision.value, system.class_reason
            )
            for system in systems
        ),
    )


def build_summary(report: Report) -> Summary:
    counts = report.level_counts()
    failing = report.failing()
    at_or_above = sum(1 for f in report.active_findings() if f.level.rank >= report.fail_on.rank)
    tool_errors = sum(1 for note in report.result.notifications if note.level is Level.ERROR)
    reasons = [f"{at_or_above} open finding(s) at level {report.fail_on.value} or above"]
    if tool_errors:
        reasons.append(f"{tool_errors} tool error(s) (results incomplete: the run fails closed)")
    off, disabled = _rules_off(report)
    return Summary(
        level_counts=tuple((level.value, counts[level.value]) for level in Level),
        suppressed=report.suppressed_count(),
        baselined=report.baselined,
        fixed_since_baseline=tuple(
            FixedEntryRow(entry.rule_id, entry.path, entry.subject, entry.message)
            for entry in sorted(report.fixed, key=lambda e: (e.path, e.rule_id, e.subject, e.message))
        ),
        fail_on=report.fail_on.value,
        failing=failing,
        gate="FAIL" if failing else "PASS",
        gate_reason="; ".join(reasons),
        rules_run=len(report.result.rules_run),
        rules_off_for_class=off,
        rules_disabled=disabled,
        notifications=tuple(
            sorted(
                (
                    NotificationRow(
                        note.level.value, str(note.location) if note.location else None, note.message
                    )
                    for note in report.result.notifications
                ),
                key=lambda row: (row.location or "", row.level, row.message),
            )
        ),
    )


# --------------------------------------------------------------------------------------------------
# Sections 6 and 7: findings and waivers


def _finding_key(finding: Finding) -> tuple[str, str, int, int, str, str]:
    location = finding.location
    logical = finding.fingerprint(LOGICAL) or ""
    return (finding.rule_id, location.path, location.line, location.column, finding.subject, logical)


def _finding_ref(finding: Finding) -> str:
    return f"{finding.rule_id} {finding.location} ({finding.subject})"


def _waiver_ids(report: Report) -> dict[tuple[str, str, int, int, str, str], str]:
    ids: dict[tuple[str, str, int, int, str, str], str] = {}
    for number, outcome in enumerate(report.waivers, start=1):
        for finding in outcome.suppressed:
            ids.setdefault(_finding_key(finding), f"W{number}")
    return ids


def build_findings(report: Report) -> tuple[RuleFindings, ...]:
    """Every finding `check` reports (open and waived) plus those the baseline accepted, grouped by rule."""
    waiver_ids = _waiver_ids(report)
    rows: dict[str, list[tuple[Finding, str]]] = {}
    for finding in report.result.findings:
        rows.setdefault(finding.rule_id, []).append((finding, "waived" if finding.suppressed else "open"))
    for finding in report.baselined_findings:
        rows.setdefault(finding.rule_id, []).append((finding, "baselined"))
    groups = []
    for rule_id in sorted(rows):
        rule = report.pack.get(rule_id)
        items = sorted(rows[rule_id], key=lambda pair: (pair[0].sort_key(), pair[0].subject, pair[1]))
        groups.append(
            RuleFindings(
                rule_id=rule_id,
                title=rule.title if rule else "",
                counts=tuple(
                    (state, sum(1 for _, s in items if s == state))
                    for state in ("open", "waived", "baselined")
                ),
                findings=tuple(
                    FindingRow(
                        level=finding.level.value,
                        location=str(finding.location),
                        subject=finding.subject,
                        message=finding.message,
                        state=state,
                        waiver=waiver_ids.get(_finding_key(finding)) if state == "waived" else None,
                        related=tuple(
                            f"{related.location}: {related.message}" for related in finding.related
                        ),
                    )
                    for finding, state in items
                ),
            )
        )
    return tuple(groups)


def _waiver_source(waiver: Waiver) -> str:
    if waiver.kind == "external":
        return "configuration"
    return "annotation" if waiver.subject_prefix is not None else "inline comment"


def _waiver_scope(waiver: Waiver) -> str:
    """What a waiver covers, in words."""
    if waiver.subject_prefix is not None:
        return f"object {waiver.subject_prefix} in {waiver.path} and everything in it"
    if waiver.path is not None:
        first, last = waiver.first_line, waiver.last_line
        return f"{waiver.path}, " + (f"line {first}" if first == last else f"lines {first}-{last}")
    parts = []
    if waiver.path_globs:
        parts.append("paths " + ", ".join(waiver.path_globs))
    if waiver.selector:
        parts.append("objects with " + ", ".join(f"{key}={value}" for key, value in waiver.selector))
    return "; ".join(parts) or "every file and object"


def build_declarations(report: Report) -> tuple[DeclarationRow, ...]:
    """Section 7's second table: what the configuration and the Compose files declare as handled elsewhere."""
    return tuple(
        DeclarationRow(
            kind=item.kind,
            name=item.name,
            detail=item.detail,
            rules=item.rules,
            location=item.where,
            system=item.system,
            source=item.source,
        )
        for item in declarations(report)
    )


def build_waivers(report: Report) -> tuple[WaiverRow, ...]:
    rows = []
    configured = 0
    outcome: WaiverOutcome
    for number, outcome in enumerate(report.waivers, start=1):
        waiver = outcome.waiver
        source = _waiver_source(waiver)
        if source == "configuration":
            configured += 1
            written = waiver.origin.path
            if report.config_path and PurePath(report.config_path).name == PurePath(written).name:
                written = display_path(report.config_path, report.root)  # the file the run read
            origin = f"{written}, waivers entry {configured}"
        else:
            origin = str(waiver.origin)
        flags = []
        if waiver.problem:
            flags.append(f"rejected: it {waiver.problem}")
        if outcome.expired:
            flags.append(f"expired on {waiver.until}")
        if outcome.unused and not waiver.problem:
            flags.append("unused: matches no finding")
        rows.append(
            WaiverRow(
                id=f"W{number}",
                rules=tuple(waiver.rules),
                reason=waiver.reason,
                owner=waiver.owner,
                until=waiver.until,
                risk=waiver.risk,
                origin=origin,
                source=source,
                scope=_waiver_scope(waiver),
                status=outcome.status,
                flags=tuple(flags),
                suppresses=tuple(sorted(_finding_ref(f) for f in outcome.suppressed)),
                no_longer_suppresses=tuple(sorted(_finding_ref(f) for f in outcome.expired_matches)),
            )
        )
    return tuple(rows)


# --------------------------------------------------------------------------------------------------
# Section 8 and the whole view


def _clean_row(row: SoupRow) -> SoupRow:
    """A producer's row through the same redaction as every other text (it reads the model, which the
    report's sanitising pass does not rewrite)."""
    cleaned: dict[str, Any] = {
        name: clean(value)
        for name in row.__dataclass_fields__
        if isinstance(value := getattr(row, name), str)
    }
    return dataclasses.replace(
        row,
        **cleaned,
    )


def build_soup(
    report: Report, producer: SoupProducer | None, systems: Sequence[SystemScope] = ()
) -> SoupInventory:
    """The SOUP inventory from the producer (None: this run has none; the section says so)."""
    if producer is None:
        return SoupInventory(False, (), SOUP_NOT_AVAILABLE)
    rows = tuple(
        sorted(
            (_clean_row(row) for row in producer(report)),
            key=lambda row: (row.system, row.kind, row.name, row.version, row.scope, row.location),
        )
    )
    covered = sum(1 for row in rows if row.sbom_covered)
    not_covered = sum(1 for row in rows if row.sbom_covered is False)
    if not rows:
        note = "No SOUP component found: the artifacts in scope name no image, package or chart dependency."
    elif covered or not_covered:
        note = (
            f"{len(rows)} SOUP components; {covered} covered by the supplied SBOM, {not_covered} not covered."
        )
    else:
        note = f"{len(rows)} SOUP components; no SBOM was supplied (--sbom, or sbom: in the configuration)."
    return SoupInventory(True, rows, note, covered, not_covered, per_system=len(systems) > 1)


def build_view(
    report: Report,
    digests: Mapping[str, Digest] | None = None,
    soup_producer: SoupProducer | None = None,
    systems: Sequence[SystemScope] | None = None,
) -> EvidenceView:
    """The whole evidence report as a view model."""
    systems = tuple(systems) if systems is not None else system_scopes(report)
    return EvidenceView(
        header=build_header(report),
        scope=build_scope(report, digests),
        safety_class=build_safety_class(report, systems),
        summary=build_summary(report),
        matrix=build_matrix(report, systems),
        findings=build_findings(report),
        waivers=build_waivers(report),
        soup=build_soup(report, soup_producer, systems),
        declarations=build_declarations(report),
    )
