"""GitHub Actions workflow commands (`::error file=...::message`), plus a Markdown job summary.

Annotations show findings inline on the pull request without code scanning. GitHub shows at most 10 error
and 10 warning annotations per step (50 per job); every annotation also appears in the log, and the summary
lists every finding. Waived findings are not annotated (the summary counts and lists them with their
justification). Escaping follows `@actions/core` (`packages/core/src/command.ts`) exactly.

The summary goes to the file `$GITHUB_STEP_SUMMARY` names. This module never reads the environment: the
caller passes the path, so the reporter stays a pure function of the Report plus one explicit argument.
"""

from __future__ import annotations

from pathlib import Path

from medlint.escape import visible
from medlint.findings import Finding
from medlint.model import Level
from medlint.report import Report
from medlint.report.text import summary_lines

COMMANDS = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "notice"}
#: GitHub refuses step summaries over 1 MiB; the findings table stops well before that.
SUMMARY_TABLE_LIMIT = 500


def escape_data(text: str) -> str:
    """A command's message, escaped as `escapeData` in @actions/core does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command property value, escaped as `escapeProperty` in @actions/core does."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, properties: list[tuple[str, str]], message: str) -> str:
    """`::command key=value,...::message`; empty values are left out, as @actions/core does."""
    props = ",".join(
        f"{key}={escape_property(visible(value, keep_line_breaks=True))}"
        for key, value in properties
        if value
    )
    return f"::{command}{' ' + props if props else ''}::{escape_data(message)}"


def _title(finding: Finding, report: Report) -> str:
    rule = report.pack.get(finding.rule_id)
    return f"{finding.rule_id} {rule.slug}" if rule else finding.rule_id


def annotation(finding: Finding, report: Report) -> str:
    """One finding as a workflow command. Columns only on one-line spans: GitHub ignores them otherwise."""
    location = finding.location
    properties = [("file", location.path), ("line", str(location.line))]
    if location.end_line == location.line:
        properties.append(("col", str(location.column)))
        if location.end_column > location.column:
            properties.append(("endColumn", str(location.end_column)))
    else:
        properties.append(("endLine", str(location.end_line)))
    properties.append(("title", _title(finding, report)))
    # Control characters other than line breaks are shown as escapes (no terminal sequence reaches the
    # log); escape_data then turns CR and LF into %0D and %0A, so the command stays on one line of the log.
    message = visible(
        "\n".join([finding.message, *(f"related: {r.location}: {r.message}" for r in finding.related)]),
        keep_line_breaks=True,
    )
    # The annotation's level follows --fail-on: what fails the run is an error, the rest stays below it.
    command = "error" if finding.level.rank >= report.fail_on.rank else COMMANDS[finding.level]
    return workflow_command(command, properties, message)


def render_github(report: Report, step_summary_path: str | None = None) -> str:
    """The annotations and the plain summary lines; appends the Markdown summary when a path is given."""
    shown = sorted(
        (finding for finding in report.result.findings if finding.suppression is None), key=Finding.sort_key
    )
    lines = [annotation(finding, report) for finding in shown]
    for note in report.result.notifications:
        properties = (
            [("file", note.location.path), ("line", str(note.location.line))] if note.location else []
        )
        lines.append(
            workflow_command(
                COMMANDS[note.level],
                [*properties, ("title", "medlint")],
                visible(note.message, keep_line_breaks=True),
            )
        )
    # Plain log lines: a line break inside one (a file name can hold one) could start a forged command.
    lines.extend(line.replace("\r", " ").replace("\n", " ") for line in summary_lines(report))
    if step_summary_path:
        append_step_summary(report, step_summary_path)
    return "\n".join(lines) + "\n"


def append_step_summary(report: Report, path: str) -> None:
    """Append, never overwrite: other steps of the same job write to the same file."""
    with Path(path).open("a", encoding="utf-8") as summary:
        summary.write(step_summary(report))


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: no line breaks, no column separators, no raw HTML, other control
    characters shown as escapes."""
    return visible(
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\r", " ")
        .replace("\n", " ")
    )


def _status(finding: Finding) -> str:
    if finding.suppression is not None:
        return f"waived: {finding.suppression.justification}"
    return (
        finding.baseline_state or ""
    )  # "new" with --baseline; findings in the baseline are not in the Report


def step_summary(report: Report) -> str:
    """Markdown for the job summary: verdict, counts, safety class, files read, then the findings table."""
    findings = sorted(report.result.findings, key=Finding.sort_key)
    counts = report.level_counts()  # waived findings are not counted here, but in "suppressed"
    decision = report.result.safety_class
    files = report.files_by_kind()
    verdict = f"failing at level {report.fail_on.value} or above" if report.failing() else "passing"
    out = [
        f"## medlint: {verdict}",
        "",
        f"medlint {report.tool_version}, rule pack {report.pack.version}. "
        f"**Safety class {decision.value}**: {_cell(decision.reason)}.",
        "",
        "| errors | warnings | notes | suppressed | baselined | tool notifications |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {counts['error']} | {counts['warning']} | {counts['note']} | {report.suppressed_count()} "
        f"| {report.baselined} | {len(report.result.notifications)} |",
        "",
        "| Dockerfiles | Compose files | Kubernetes manifests | Helm charts (chart files) | not artifacts |",
        "|---:|---:|---:|---:|---:|",
        f"| {files['dockerfile']} | {files['compose']} | {files['kubernetes']} "
        f"| {report.charts_read()} ({files['helm']}) | {len(report.unrecognised)} |",
        "",
    ]
    if findings:
        out += ["| level | rule | location | message | status |", "|---|---|---|---|---|"]
        for finding in findings[:SUMMARY_TABLE_LIMIT]:
            out.append(
                f"| {finding.level.value} | {_cell(_title(finding, report))} | {_cell(str(finding.location))} "
                f"| {_cell(finding.message)} | {_cell(_status(finding))} |"
            )
        if len(findings) > SUMMARY_TABLE_LIMIT:
            out.append(
                f"\n{len(findings) - SUMMARY_TABLE_LIMIT} more findings are in the job log and the other reports."
            )
        out.append("")
    else:
        out += ["No findings.", ""]
    return "\n".join(out) + "\n"
