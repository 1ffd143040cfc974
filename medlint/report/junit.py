"""JUnit XML, for CI test dashboards (GitLab `reports: junit`, Azure `PublishTestResults@2`, Jenkins).

There is no formal JUnit standard; this follows the Ant/Jenkins shape that those tools read:
- one `<testcase>` per finding, `classname` = rule id; a finding at or above `--fail-on` has a `<failure>`
  (type = level), one below it passes with the finding in its `<system-out>`, so the dashboard agrees with
  the exit code (a note is not a failure unless `--fail-on note` says so);
- a waived finding is `<skipped message="waived: ...">`, so the waiver and its justification stay visible;
- one passing `<testcase>` per rule that ran and found nothing, so dashboards show what was checked;
- an error-level tool notification (for example a check that crashed: fail closed) is an `<error>` testcase;
  other notifications go to the suite's `<system-out>`.
Testcase names are unique, because GitLab keeps only the first of several tests with the same name.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

from medlint.escape import visible
from medlint.findings import Finding, Notification
from medlint.model import Level
from medlint.report import Report

SUITE_NAME = "medlint"
#: Characters XML 1.0 forbids even when escaped (C0 controls other than tab, newline, carriage return).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _base_name(finding: Finding) -> str:
    """`RULE path:line:col subject [variant]`: readable, and unique except for true duplicates."""
    name = f"{finding.rule_id} {finding.location} {finding.subject}"
    return visible(f"{name} [{finding.variant}]" if finding.variant else name)


def unique_names(findings: list[Finding]) -> list[str]:
    """Testcase names in the order of `findings`; repeats get ` #2`, ` #3` (the order is deterministic)."""
    seen: Counter[str] = Counter()
    names = []
    for finding in findings:
        base = _base_name(finding)
        seen[base] += 1
        names.append(base if seen[base] == 1 else f"{base} #{seen[base]}")
    return names


def _failure_text(finding: Finding) -> str:
    lines = [
        f"{finding.location}: {finding.level.value} {finding.rule_id} {finding.message}",
        f"subject: {finding.subject}",
    ]
    if finding.baseline_state:
        lines.append(f"baseline: {finding.baseline_state}")
    lines.extend(f"related: {related.location}: {related.message}" for related in finding.related)
    return "\n".join(visible(line) for line in lines)  # one field per line, whatever the fields hold


def _finding_case(finding: Finding, name: str, fail_on: Level) -> ET.Element:
    case = ET.Element(
        "testcase",
        {
            "classname": finding.rule_id,
            "name": name,
            "file": visible(finding.location.path),
            "line": str(finding.location.line),
            "time": "0",
        },
    )
    waiver = finding.suppression
    if waiver is not None:
        details = [f"waiver: {waiver.kind}"] + [
            f"{label} {value}"
            for label, value in (("until", waiver.until), ("owner", waiver.owner), ("risk", waiver.risk))
            if value
        ]
        skipped = ET.SubElement(case, "skipped", {"message": visible(f"waived: {waiver.justification}")})
        skipped.text = _failure_text(finding) + "\n" + visible(", ".join(details))
    elif finding.level.rank >= fail_on.rank:
        failure = ET.SubElement(
            case, "failure", {"message": visible(finding.message), "type": finding.level.value}
        )
        failure.text = _failure_text(finding)
    else:
        ET.SubElement(case, "system-out").text = (
            _failure_text(finding) + f"\n(below --fail-on {fail_on.value}: does not fail the run)"
        )
    return case


def _passing_case(rule_id: str, report: Report) -> ET.Element:
    rule = report.pack.get(rule_id)
    name = f"{rule_id} {rule.slug}" if rule else rule_id
    return ET.Element("testcase", {"classname": rule_id, "name": f"{name}: no findings", "time": "0"})


def _notification_case(note: Notification, index: int) -> ET.Element:
    where = visible(f" {note.location}") if note.location else ""
    case = ET.Element(
        "testcase",
        {
            "classname": note.rule_id or SUITE_NAME,
            "name": f"medlint error {index}{where}",
            "time": "0",
        },
    )
    if note.location:
        case.set("file", visible(note.location.path))
        case.set("line", str(note.location.line))
    message = visible(note.message)
    ET.SubElement(case, "error", {"message": message, "type": "medlint"}).text = message
    return case


def junit_tree(report: Report) -> ET.Element:
    """The `<testsuites>` element; counts are on both `<testsuites>` and `<testsuite>`."""
    findings = sorted(report.result.findings, key=Finding.sort_key)
    cases = [
        _finding_case(finding, name, report.fail_on)
        for finding, name in zip(findings, unique_names(findings))
    ]
    rules_with_findings = {finding.rule_id for finding in findings}
    cases += [
        _passing_case(rule_id, report)
        for rule_id in sorted(report.result.rules_run)
        if rule_id not in rules_with_findings
    ]
    errors = [note for note in report.result.notifications if note.level is Level.ERROR]
    cases += [_notification_case(note, index) for index, note in enumerate(errors, 1)]
    counts = {
        "tests": str(len(cases)),
        "failures": str(
            sum(1 for f in findings if f.suppression is None and f.level.rank >= report.fail_on.rank)
        ),
        "errors": str(len(errors)),
        "skipped": str(sum(1 for f in findings if f.suppression is not None)),
    }
    root = ET.Element("testsuites", {"name": SUITE_NAME, **counts})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE_NAME, **counts, "time": "0"})
    properties = ET.SubElement(suite, "properties")
    decision = report.result.safety_class
    for name, value in (
        ("medlint.version", report.tool_version),
        ("medlint.rule_pack", report.pack.version),
        ("medlint.safety_class", decision.value),
        ("medlint.safety_class_reason", decision.reason),
        ("medlint.fail_on", report.fail_on.value),
    ):
        ET.SubElement(properties, "property", {"name": name, "value": visible(value)})
    suite.extend(cases)
    other_notes = [note for note in report.result.notifications if note.level is not Level.ERROR]
    if other_notes:
        ET.SubElement(suite, "system-out").text = "\n".join(
            visible(
                f"medlint: {note.level.value}: {f'{note.location}: ' if note.location else ''}{note.message}"
            )
            for note in other_notes
        )
    return root


def _make_xml_safe(root: ET.Element) -> None:
    """Replace characters that would make the document invalid XML (ElementTree writes them as they are)."""
    for element in root.iter():
        for key, value in element.attrib.items():
            element.set(key, _NOT_XML.sub("\ufffd", value))
        if element.text:
            element.text = _NOT_XML.sub("\ufffd", element.text)


def render_junit(report: Report) -> str:
    root = junit_tree(report)
    _make_xml_safe(root)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
