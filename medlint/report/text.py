"""Readable text for terminals: findings grouped by file as `path:line:col: level RULE message`."""

from __future__ import annotations

from itertools import groupby

from medlint.escape import visible
from medlint.report import Report

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m"}
_RESET = "\033[0m"
_BOLD = "\033[1m"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary_lines(report: Report) -> list[str]:
    """The closing summary, one line each; names in it are shown with `visible`."""
    return [visible(line) for line in _summary_lines(report)]


def _summary_lines(report: Report) -> list[str]:
    files = report.files_by_kind()
    counts = report.level_counts()
    pack = report.pack
    decision = report.result.safety_class
    lines = [
        f"medlint {report.tool_version}, rule pack {pack.version} ({len(report.result.rules_run)} rules run, "
        f"{len(report.result.rules_disabled)} off for class {decision.value})",
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
        + f"; {_plural(sum(1 for f in report.project.files if not f.analysed), 'file')} not analysed.",
    ]
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
        f", {report.suppressed_count()} suppressed, {report.baselined} baselined"
        + (
            f", {_plural(len(report.result.notifications), 'tool notification')}"
            if report.result.notifications
            else ""
        )
        + (f"; failing at level {report.fail_on.value} or above." if report.failing() else "; passing.")
    )
    return lines


def render_text(report: Report, color: bool = False) -> str:
    """Each field is shown with `visible`: a name holding a newline or a terminal escape sequence stays on
    its line and shows the escape (`\\n`, `\\x1b`); only medlint's own colours reach the terminal."""
    out: list[str] = []
    findings = sorted(report.result.findings, key=lambda f: f.sort_key())
    for path, group in groupby(findings, key=lambda f: f.location.path):
        out.append(f"{_BOLD}{visible(path)}{_RESET}" if color else visible(path))
        for finding in group:
            level = finding.level.value
            shown = f"{_COLORS[level]}{level:<7}{_RESET}" if color else f"{level:<7}"
            waived = f" [waived: {visible(finding.suppression.justification)}]" if finding.suppression else ""
            out.append(
                f"{visible(str(finding.location))}: {shown} {finding.rule_id} {visible(finding.message)}{waived}"
            )
            for related in finding.related:
                out.append(f"    related: {visible(str(related.location))}: {visible(related.message)}")
        out.append("")
    for entry in report.fixed:
        out.append(visible(f"fixed since baseline: {entry.path}: {entry.rule_id} {entry.message}"))
    if report.fixed:
        out.append("")
    for note in report.result.notifications:
        where = f"{note.location}: " if note.location else ""
        out.append(visible(f"medlint: {note.level.value}: {where}{note.message}"))
    if report.result.notifications:
        out.append("")
    out.extend(summary_lines(report))
    return "\n".join(out) + "\n"
