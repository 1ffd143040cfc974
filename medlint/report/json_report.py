"""JSON output: the findings plus the run's context, for scripts and evidence archives."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from medlint.findings import Finding
from medlint.report.declarations import declarations
from medlint.report.document import Report
from medlint.report.jsonout import dump, dumps, maybe_list


def _location(location: Any) -> dict[str, Any]:
    return {
        "path": location.path,
        "line": location.line,
        "column": location.column,
        "end_line": location.end_line,
        "end_column": location.end_column,
    }


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "rule_id": finding.rule_id,
        "level": finding.level.value,
        "message": finding.message,
        "location": _location(finding.location),
        "subject": finding.subject,
        "artifact": finding.artifact.value if finding.artifact else None,
        "variant": finding.variant,
        "fingerprints": dict(finding.fingerprints),
        "baseline_state": finding.baseline_state,
        "suppression": None
        if finding.suppression is None
        else {
            "kind": finding.suppression.kind,
            "justification": finding.suppression.justification,
            "until": finding.suppression.until,
            "owner": finding.suppression.owner,
            "risk": finding.suppression.risk,
            "location": _location(finding.suppression.location) if finding.suppression.location else None,
        },
        "related": [
            {"message": related.message, "location": _location(related.location)}
            for related in finding.related
        ],
    }


def report_dict(report: Report, lazy: bool = False) -> dict[str, Any]:
    """The JSON report as data. `lazy` makes `findings` an iterator, for `jsonout.dumps`, so that a large
    report is written without holding every finding as a dictionary."""
    decision = report.result.safety_class
    return {
        "tool": {"name": "medlint", "version": report.tool_version},
        "rule_pack": {"version": report.pack.version, "rules": len(report.pack.rules)},
        "safety_class": {"value": decision.value, "reason": decision.reason},
        "systems": report.systems_summary(),
        "partial_run": report.partial_run(),
        "scanned_paths": list(report.scanned_paths),
        "files_read": report.files_by_kind(),
        "charts_read": report.charts_read(),
        "files_not_analysed": report.not_analysed(),
        "not_artifacts": list(report.unrecognised),
        "rules_run": list(report.result.rules_run),
        "rules_disabled": list(report.result.rules_disabled),
        "rules_off_for_class": list(report.result.rules_off),
        "summary": {
            **report.level_counts(),
            "suppressed": report.suppressed_count(),
            "baselined": report.baselined,
            "failing": report.failing(),
            "fail_on": report.fail_on.value,
        },
        "fixed_since_baseline": [
            {"rule_id": entry.rule_id, "path": entry.path, "subject": entry.subject, "message": entry.message}
            for entry in report.fixed
        ],
        "data_table_versions": dict(report.table_versions),
        "evaluation_date": report.evaluation_date,
        "findings": maybe_list(
            (_finding(finding) for finding in report.result.findings),
            lazy,
        ),
        "notifications": [
            {
                "level": note.level.value,
                "message": note.message,
                "rule_id": note.rule_id,
                "location": _location(note.location) if note.location else None,
            }
            for note in report.result.notifications
        ],
        "declarations": [
            {
                "kind": item.kind,
                "name": item.name,
                "detail": item.detail,
                "rules": list(item.rules),
                "path": item.path,
                "line": item.line,
                "system": item.system,
                "source": item.source,
            }
            for item in declarations(report)
        ],
    }


def render_json(report: Report) -> str:
    return dumps(report_dict(report, lazy=True)) + "\n"


def write_json(report: Report, sink: Callable[[str], object]) -> None:
    """`render_json` handed to `sink` in pieces (see `jsonout.dump`)."""
    dump(report_dict(report, lazy=True), sink)
    sink("\n")
