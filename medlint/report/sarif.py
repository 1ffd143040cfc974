"""SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab, Azure DevOps, SonarQube, DefectDojo).

Written as plain dictionaries rather than through sarif-om: its serializer drops `level: "warning"` (its
default), which changes meaning, and its Suppression class uses a pre-release property name. Every result
carries an explicit level and exactly one repository-relative location. See docs/sarif.md.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import Any

from medlint.findings import Finding, SuppressionKind
from medlint.fingerprints import LOGICAL, logical_fingerprint
from medlint.report.document import Report
from medlint.report.jsonout import dump, dumps, maybe_list
from medlint.ruledocs import rule_markdown
from medlint.rulepack import Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/medlint/medlint"
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}


def _rule_descriptor(rule: Rule, safety_class: str) -> dict[str, Any]:
    default_level = rule.level_for(safety_class)
    return {
        "id": rule.id,
        "name": rule.sarif_name,
        "shortDescription": {"text": rule.title + "."},
        "fullDescription": {"text": rule.rationale[:1024]},
        "help": {"text": rule.remediation, "markdown": rule_markdown(rule)},
        "defaultConfiguration": {
            "level": default_level.value if default_level else "none",
            "enabled": default_level is not None or rule.max_level(safety_class) is not None,
        },
        "properties": {
            "tags": list(rule.tags)[:10],
            "precision": rule.precision,
            "security-severity": rule.security_severity,
            "problem.severity": PROBLEM_SEVERITY[default_level.value] if default_level else "recommendation",
            "levels": dict(rule.level),
            "references": [reference.label() for reference in rule.references],
        },
    }


def _physical(location: Any) -> dict[str, Any]:
    return {
        "artifactLocation": {"uri": location.path, "uriBaseId": "%SRCROOT%"},
        "region": {
            "startLine": location.line,
            "startColumn": location.column,
            "endLine": max(location.end_line, location.line),
            "endColumn": max(location.end_column, location.column + 1)
            if location.end_line <= location.line
            else max(location.end_column, 1),
        },
    }


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "kind": "fail",
        "level": finding.level.value,
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": _physical(finding.location)}],
        "partialFingerprints": dict(finding.fingerprints) or {LOGICAL: logical_fingerprint(finding)},
        "properties": {"subject": finding.subject},
    }
    if finding.baseline_state:
        result["baselineState"] = finding.baseline_state
    if finding.suppression is not None:
        suppression = finding.suppression
        entry: dict[str, Any] = {
            "kind": suppression.kind,
            "status": suppression.status,
            "justification": suppression.justification,
        }
        if suppression.location is not None and suppression.kind is SuppressionKind.IN_SOURCE:
            entry["location"] = {"physicalLocation": _physical(suppression.location)}
        entry["properties"] = {
            key: value
            for key, value in (
                ("until", suppression.until),
                ("owner", suppression.owner),
                ("risk", suppression.risk),
            )
            if value
        }
        if not entry["properties"]:
            del entry["properties"]
        result["suppressions"] = [entry]
    if finding.variant:
        result["properties"]["variant"] = finding.variant
    if finding.related:
        result["relatedLocations"] = [
            {
                "id": index,
                "message": {"text": related.message},
                "physicalLocation": _physical(related.location),
            }
            for index, related in enumerate(finding.related, 1)
        ]
    return result


def _provenance(report: Report) -> list[dict[str, Any]]:
    provenance = report.provenance
    if provenance is None or not provenance.repository_uri:
        return []
    entry: dict[str, Any] = {
        "repositoryUri": provenance.repository_uri,
        "mappedTo": {"uriBaseId": "%SRCROOT%"},
    }
    if provenance.revision_id:
        entry["revisionId"] = provenance.revision_id
    if provenance.branch:
        entry["branch"] = provenance.branch
    return [entry]


def sarif_log(report: Report, omit_suppressed: bool = False, lazy: bool = False) -> dict[str, Any]:
    """The SARIF log. `omit_suppressed` leaves waived results out, for GitHub, which ignores `suppressions`
    and would show them as open alerts. `lazy` makes `results` an iterator, for `jsonout.dumps`, so that a
    large report is written without holding every result as a dictionary."""
    safety_class = report.result.safety_class
    rules = list(report.pack.rules)
    index_of = {rule.id: index for index, rule in enumerate(rules)}
    notifications = [
        {
            "level": note.level.value,
            "message": {"text": note.message if note.message.endswith(".") else note.message + "."},
            **(
                {"associatedRule": {"id": note.rule_id, "index": index_of[note.rule_id]}}
                if note.rule_id in index_of
                else {}
            ),
            **({"locations": [{"physicalLocation": _physical(note.location)}]} if note.location else {}),
        }
        for note in report.result.notifications
    ]
    invocation: dict[str, Any] = {
        "executionSuccessful": not any(note.level.value == "error" for note in report.result.notifications),
        "toolExecutionNotifications": notifications,
        "ruleConfigurationOverrides": [
            {"descriptor": {"id": rule_id, "index": index_of[rule_id]}, "configuration": {"enabled": False}}
            for rule_id in sorted({*report.result.rules_disabled, *report.result.rules_off})
            if rule_id in index_of
        ],
    }
    if report.command_line:
        invocation["commandLine"] = shlex.join(report.command_line)
        invocation["arguments"] = list(report.command_line[1:])
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "medlint",
                "semanticVersion": report.tool_version,
                "version": report.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [_rule_descriptor(rule, safety_class.value) for rule in rules],
            }
        },
        "originalUriBaseIds": {
            "%SRCROOT%": {"description": {"text": "The scanned project's root directory."}}
        },
        "invocations": [invocation],
        "columnKind": "unicodeCodePoints",
        "results": maybe_list(
            (
                _result(finding, index_of[finding.rule_id])
                for finding in report.result.findings
                if not (omit_suppressed and finding.suppressed)
            ),
            lazy,
        ),
        "properties": {
            "rulePackVersion": report.pack.version,
            "safetyClass": safety_class.value,
            "safetyClassReason": safety_class.reason,
            "systems": report.systems_summary(),
            **({"partialRun": report.partial_run()} if report.scope is not None else {}),
            "filesRead": report.files_by_kind(),
            "chartsRead": report.charts_read(),
            "scannedPaths": list(report.scanned_paths),
            "dataTableVersions": dict(report.table_versions),
            "evaluationDate": report.evaluation_date,
            "configuration": report.config_path and report.config_path.replace("\\", "/").rsplit("/", 1)[-1],
            "baselined": report.baselined,
            "fixedSinceBaseline": len(report.fixed),
        },
    }
    if report.automation_id:  # empty in the configuration: let upload-sarif's `category` decide
        run["automationDetails"] = {"id": report.automation_id}
    provenance = _provenance(report)
    if provenance:
        run["versionControlProvenance"] = provenance
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render_sarif(report: Report, omit_suppressed: bool | None = None) -> str:
    omit = report.sarif_omit_suppressed if omit_suppressed is None else omit_suppressed
    return dumps(sarif_log(report, omit, lazy=True)) + "\n"


def write_sarif(report: Report, sink: Callable[[str], object]) -> None:
    """`render_sarif` handed to `sink` in pieces (see `jsonout.dump`)."""
    dump(sarif_log(report, report.sarif_omit_suppressed, lazy=True), sink)
    sink("\n")
