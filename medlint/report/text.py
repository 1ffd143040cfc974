"""Readable text for terminals: findings grouped by file as `path:line:col: level RULE message`.

Waived findings are not repeated in full: each is one line with its waiver's reason, after the findings
that count. The summary keeps three counts apart: files read and analysed, files that could not be
analysed (each an MD001 finding), and named files that are no artifact medlint reads.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from itertools import groupby

from medlint.escape import visible
from medlint.findings import Finding
from medlint.report.document import Report

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m"}
_RESET = "\033[0m"
_BOLD = "\033[1m"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _rules_line(report: Report) -> str:
    result = report.result
    parts = [f"{len(result.rules_run)} rules run"]
    if result.rules_disabled:
        parts.append(f"{len(result.rules_disabled)} disabled")
    if result.rules_off:
        parts.append(f"{len(result.rules_off)} off for class {result.safety_class.value}")
    return ", ".join(parts)


def _system_names(report: Report) -> str:
    names = [run.system.label for run in report.systems]
    return ", ".join(names) if names else "the system"


def summary_lines(report: Report) -> list[str]:
    """The closing summary, one line each; names in it are shown with `visible`."""
    return [visible(line) for line in _summary_lines(report)]


def _summary_lines(report: Report) -> list[str]:
    files = report.files_by_kind()
    counts = report.level_counts()
    pack = report.pack
    decision = report.result.safety_class
    lines = [
        f"medlint {report.tool_version}, rule pack {pack.version} ({_rules_line(report)})",
        f"Safety class {decision.value}: {decision.reason}.",
        "Read: "
        + ", ".join(
            [
                _plural(files["dockerfile"], "Dockerfile"),
                _plural(files["compose"], "Compose file"),
                _plural(files["kubernetes"], "Kubernetes manifest"),
                f"{_plural(report.charts_read(), 'Helm chart')} ({_plural(files['helm'], 'chart file')})",
            ]
        )
        + ".",
    ]
    if report.scope is not None:
        lines.append(
            f"Context: {_plural(report.context_files(), 'more file')} of {_system_names(report)} read to check "
            f"the named files (from {report.scope.context_root}); --no-context reads them alone."
        )
    not_analysed = report.not_analysed()
    if not_analysed:
        shown = ", ".join(not_analysed[:5]) + (" ..." if len(not_analysed) > 5 else "")
        lines.append(f"Not analysed, see MD001/MD003 ({len(not_analysed)}): {shown}")
    if report.unrecognised:
        shown = ", ".join(report.unrecognised[:5]) + (" ..." if len(report.unrecognised) > 5 else "")
        lines.append(f"Not an artifact medlint reads ({len(report.unrecognised)}): {shown}")
    if report.baselined or report.fixed:
        lines.append(
            f"Baseline: {report.baselined} known finding(s) not shown; {len(report.fixed)} baseline entr"
            f"{'y' if len(report.fixed) == 1 else 'ies'} fixed since."
        )
    lines.append(
        f"{_plural(counts['error'], 'error')}, {_plural(counts['warning'], 'warning')}, {_plural(counts['note'], 'note')}"
        f", {report.suppressed_count()} waived, {report.baselined} baselined"
        + (
            f", {_plural(len(report.result.notifications), 'tool notification')}"
            if report.result.notifications
            else ""
        )
        + (f"; failing at level {report.fail_on.value} or above." if report.failing() else "; passing.")
    )
    return lines


def _finding_lines(finding: Finding, color: bool) -> list[str]:
    level = finding.level.value
    shown = f"{_COLORS[level]}{level:<7}{_RESET}" if color else f"{level:<7}"
    lines = [f"{visible(str(finding.location))}: {shown} {finding.rule_id} {visible(finding.message)}"]
    lines += [
        f"    related: {visible(str(related.location))}: {visible(related.message)}"
        for related in finding.related
    ]
    return lines


def waived_line(finding: Finding) -> str:
    """One line per waived finding: where, which rule, and the waiver's reason (and expiry, owner)."""
    waiver = finding.suppression
    assert waiver is not None
    extra = [
        f"{label} {value}" for label, value in (("until", waiver.until), ("owner", waiver.owner)) if value
    ]
    return visible(
        f"{finding.location}: {finding.level.value:<7} {finding.rule_id} waived: {waiver.justification}"
        + (f" ({', '.join(extra)})" if extra else "")
    )


def render_text(report: Report, color: bool = False, quiet: bool = False) -> str:
    """Each field is shown with `visible`: a name holding a newline or a terminal escape sequence stays on
    its line and shows the escape (`\\n`, `\\x1b`); only medlint's own colours reach the terminal."""
    return "".join(line + "\n" for line in text_lines(report, color, quiet))


def write_text(
    report: Report, sink: Callable[[str], object], color: bool = False, quiet: bool = False
) -> None:
    """`render_text` in pieces of a thousand lines: a large report is never one string in memory."""
    batch: list[str] = []
    for line in text_lines(report, color, quiet):
        batch.append(line)
        if len(batch) == 1000:
            sink("\n".join(batch) + "\n")
            batch.clear()
    if batch:
        sink("\n".join(batch) + "\n")


def text_lines(report: Report, color: bool = False, quiet: bool = False) -> Iterator[str]:
    """The lines of the text report, without their line ends."""
    findings = sorted(report.result.findings, key=lambda f: f.sort_key())
    active = [finding for finding in findings if finding.suppression is None]
    for path, group in groupby(active, key=lambda f: f.location.path):
        yield f"{_BOLD}{visible(path)}{_RESET}" if color else visible(path)
        for finding in group:
            yield from _finding_lines(finding, color)
        yield ""
    if quiet:
        return
    waived = [finding for finding in findings if finding.suppression is not None]
    if waived:
        yield f"Waived ({len(waived)}):"
        yield from (waived_line(finding) for finding in waived)
        yield ""
    for entry in report.fixed:
        yield visible(f"fixed since baseline: {entry.path}: {entry.rule_id} {entry.message}")
    if report.fixed:
        yield ""
    for note in report.result.notifications:
        where = f"{note.location}: " if note.location else ""
        yield visible(f"medlint: {note.level.value}: {where}{note.message}")
    if report.result.notifications:
        yield ""
    yield from summary_lines(report)


def statistics_text(report: Report, quiet: bool = False) -> str:
    """`--statistics`: findings that count, per rule and level (most first), like ruff's --statistics."""
    counts = Counter(
        (finding.rule_id, finding.level.value) for finding in report.result.findings if not finding.suppressed
    )
    waived = Counter(finding.rule_id for finding in report.result.findings if finding.suppressed)
    width = max((len(str(count)) for count in counts.values()), default=1)
    lines = []
    for (rule_id, level), count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = report.pack.get(rule_id)
        lines.append(f"{count:>{width}}  {rule_id}  {level:<7}  {rule.slug if rule else ''}".rstrip())
    if not quiet:
        for rule_id, count in sorted(waived.items()):
            lines.append(f"{count:>{width}}  {rule_id}  waived")
        lines.append("")
        lines.extend(summary_lines(report))
    return "\n".join(lines) + ("\n" if lines else "")
