"""JUnit XML: what GitLab, Azure DevOps and Jenkins read must be well-formed, unique and complete."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

from report_helpers import assert_no_secret, first, waive, with_findings

from medlint.findings import Notification
from medlint.model import Level
from medlint.report import Report, render
from medlint.report.junit import render_junit


def parse(report: Report) -> ET.Element:
    return ET.fromstring(render_junit(report).encode("utf-8"))


def test_one_testcase_per_finding_plus_one_pass_per_clean_rule(example_report: Report) -> None:
    root = parse(example_report)
    suite = root.find("testsuite")
    assert root.tag == "testsuites" and suite is not None
    cases = suite.findall("testcase")
    findings = example_report.result.findings
    clean_rules = set(example_report.result.rules_run) - {f.rule_id for f in findings}
    assert clean_rules, "the example should leave some rules without findings"
    assert len(cases) == len(findings) + len(clean_rules)
    passing = [case for case in cases if len(case) == 0]
    assert sorted(case.get("classname", "") for case in passing) == sorted(clean_rules)
    failing = [f for f in findings if f.level.rank >= example_report.fail_on.rank]
    assert 0 < len(failing) < len(findings)
    for element in (root, suite):
        assert element.get("tests") == str(len(cases))
        assert element.get("failures") == str(len(failing))
        assert element.get("skipped") == "0" and element.get("errors") == "0"


def test_failures_carry_rule_level_message_and_location(example_report: Report) -> None:
    finding = first(example_report, "MD303")
    case = next(
        c
        for c in parse(example_report).iter("testcase")
        if c.get("name", "").startswith(f"MD303 {finding.location} ")
    )
    assert case.get("classname") == "MD303"
    assert case.get("file") == finding.location.path and case.get("line") == str(finding.location.line)
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == finding.message and failure.get("type") == "error"
    assert str(finding.location) in (failure.text or "") and finding.subject in (failure.text or "")
    failures = parse(example_report).iter("failure")
    assert {f.get("type") for f in failures} == {"error"}  # --fail-on error: warnings and notes pass
    every_level = dataclasses.replace(example_report, fail_on=Level.NOTE)
    assert {f.get("type") for f in parse(every_level).iter("failure")} == {"error", "warning", "note"}


def test_findings_below_fail_on_pass_with_the_finding_in_system_out(example_report: Report) -> None:
    note = next(f for f in example_report.result.findings if f.level is Level.NOTE)
    case = next(c for c in parse(example_report).iter("testcase") if c.get("classname") == note.rule_id)
    assert case.find("failure") is None
    output = case.find("system-out")
    assert output is not None and note.message in (output.text or "")


def test_testcase_names_are_unique_even_for_duplicate_findings(example_report: Report) -> None:
    names = [case.get("name") for case in parse(example_report).iter("testcase")]
    assert len(names) == len(set(names))
    # Two findings with the same rule, place, subject and sub-condition (GitLab keeps only the first of
    # several tests with one name).
    twice = dataclasses.replace(first(example_report, "MD303"), variant=None)
    cases = parse(with_findings(example_report, [twice, dataclasses.replace(twice, message="another")])).iter(
        "testcase"
    )
    md303 = [case.get("name") for case in cases if case.get("classname") == "MD303"]
    assert md303 == [f"MD303 {twice.location} {twice.subject}", f"MD303 {twice.location} {twice.subject} #2"]


def test_waived_finding_is_skipped_with_its_justification(example_report: Report) -> None:
    target = first(example_report, "MD201")
    findings = [
        waive(f, "runs as root by design, see RR-7") if f == target else f
        for f in example_report.result.findings
    ]
    root = parse(with_findings(example_report, findings))
    skipped = [case for case in root.iter("testcase") if case.find("skipped") is not None]
    assert len(skipped) == 1
    element = skipped[0].find("skipped")
    assert element is not None and element.get("message") == "waived: runs as root by design, see RR-7"
    assert skipped[0].find("failure") is None
    failing = [f for f in findings if not f.suppressed and f.level.rank >= example_report.fail_on.rank]
    assert root.get("skipped") == "1" and root.get("failures") == str(len(failing))


def test_escaping_keeps_the_document_valid(example_report: Report) -> None:
    nasty = "image \"a<b>&c\" ]]> \x01 is <failure/> 'quoted'"
    finding = dataclasses.replace(
        first(example_report, "MD102"), message=nasty, subject="Pod/x/<y>&z", level=Level.ERROR
    )
    root = parse(with_findings(example_report, [finding]))
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == nasty.replace("\x01", "\\x01")  # shown visibly, never raw
    case = root.find("testsuite/testcase")
    assert case is not None and "Pod/x/<y>&z" in case.get("name", "")


def test_error_notification_becomes_an_error_testcase(example_report: Report) -> None:
    note = Notification(Level.ERROR, "internal error in check MD201; the rule did not run", rule_id="MD201")
    report = dataclasses.replace(
        example_report, result=dataclasses.replace(example_report.result, notifications=(note,))
    )
    root = parse(report)
    errors = [case for case in root.iter("testcase") if case.find("error") is not None]
    assert len(errors) == 1 and errors[0].get("classname") == "MD201"
    assert root.get("errors") == "1"


def test_output_is_deterministic_and_independent_of_finding_order(example_report: Report) -> None:
    once = render(example_report, "junit")
    assert once == render(example_report, "junit")
    shuffled = with_findings(example_report, list(reversed(example_report.result.findings)))
    assert render(shuffled, "junit") == once
    assert once.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')


def test_no_secret_value_in_output(example_report: Report) -> None:
    assert_no_secret(render(example_report, "junit"))
