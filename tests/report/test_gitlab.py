"""GitLab Code Quality: the required fields, severities, and fingerprints that are unique and line-independent."""

from __future__ import annotations

import dataclasses
import json
import re

from report_helpers import assert_no_secret, first, waive, with_findings

from medlint.fingerprints import logical_fingerprint
from medlint.model import Level
from medlint.report import Report, render
from medlint.report.gitlab import render_gitlab
from medlint.source import Location

SEVERITIES = {"info", "minor", "major", "critical", "blocker"}
CATEGORIES = {
    "Bug Risk",
    "Clarity",
    "Compatibility",
    "Complexity",
    "Duplication",
    "Performance",
    "Security",
    "Style",
}


def issues(report: Report) -> list[dict]:
    return json.loads(render_gitlab(report))


def test_every_issue_has_the_required_fields(example_report: Report) -> None:
    text = render_gitlab(example_report)
    assert not text.startswith("\ufeff")
    data = json.loads(text)
    assert isinstance(data, list) and len(data) == len(example_report.result.findings)
    for issue in data:
        assert isinstance(issue["description"], str) and issue["description"]
        assert re.fullmatch(r"MD\d{3}", issue["check_name"])
        assert re.fullmatch(r"[0-9a-f]{32}", issue["fingerprint"])
        assert issue["severity"] in SEVERITIES
        assert issue["categories"] and set(issue["categories"]) <= CATEGORIES
        assert isinstance(issue["location"]["path"], str) and not issue["location"]["path"].startswith("/")
        assert (
            isinstance(issue["location"]["lines"]["begin"], int) and issue["location"]["lines"]["begin"] >= 1
        )


def test_severity_mapping(example_report: Report) -> None:
    by_level: dict[tuple[bool, Level], set[str]] = {}
    for finding, issue in zip(
        sorted(example_report.result.findings, key=lambda f: f.sort_key()), issues(example_report)
    ):
        assert issue["check_name"] == finding.rule_id and issue["description"] == finding.message
        by_level.setdefault((finding.rule_id == "MD303", finding.level), set()).add(issue["severity"])
    assert by_level[(False, Level.NOTE)] == {"info"}
    assert by_level[(False, Level.WARNING)] == {"minor"}
    assert by_level[(False, Level.ERROR)] == {"major"}
    # MD303 (a committed Secret) has security-severity 9.0: an error of it is critical...
    assert by_level[(True, Level.ERROR)] == {"critical"}
    # ...but not when the configuration lowers it to a warning.
    lowered = dataclasses.replace(first(example_report, "MD303"), level=Level.WARNING)
    assert issues(with_findings(example_report, [lowered]))[0]["severity"] == "minor"


def test_fingerprints_are_unique_even_for_duplicate_findings(example_report: Report) -> None:
    fingerprints = [issue["fingerprint"] for issue in issues(example_report)]
    assert len(fingerprints) == len(set(fingerprints))
    # Findings that share a logical fingerprint (GitLab would collapse them) are told apart by message...
    shared = (("medlintLogical/v1", "0123456789abcdef0123456789abcdef"),)
    one, other = (dataclasses.replace(f, fingerprints=shared) for f in example_report.result.findings[:2])
    assert len({issue["fingerprint"] for issue in issues(with_findings(example_report, [one, other]))}) == 2
    # ...and exact duplicates by their order.
    assert (
        len({issue["fingerprint"] for issue in issues(with_findings(example_report, [one, one, one]))}) == 3
    )


def test_fingerprint_is_the_logical_one_and_independent_of_lines(example_report: Report) -> None:
    finding = first(example_report, "MD303")
    [issue] = issues(with_findings(example_report, [finding]))
    assert issue["fingerprint"] == (finding.fingerprint("medlintLogical/v1") or logical_fingerprint(finding))
    moved = dataclasses.replace(
        finding, location=Location(finding.location.path, finding.location.line + 40, 1)
    )
    [moved_issue] = issues(with_findings(example_report, [moved]))
    assert moved_issue["fingerprint"] == issue["fingerprint"]
    assert moved_issue["location"]["lines"]["begin"] == finding.location.line + 40


def test_fingerprint_computed_by_the_engine_is_used_when_present(example_report: Report) -> None:
    finding = dataclasses.replace(
        first(example_report, "MD303"),
        fingerprints=(("medlintLogical/v1", "0123456789abcdef0123456789abcdef"),),
    )
    assert (
        issues(with_findings(example_report, [finding]))[0]["fingerprint"]
        == "0123456789abcdef0123456789abcdef"
    )


def test_waived_findings_are_left_out(example_report: Report) -> None:
    findings = [waive(f) if f.rule_id == "MD303" else f for f in example_report.result.findings]
    data = issues(with_findings(example_report, findings))
    assert len(data) == sum(1 for f in findings if f.suppression is None)
    assert not any(issue["check_name"] == "MD303" for issue in data)


def test_clean_report_is_an_empty_array(example_report: Report) -> None:
    assert render_gitlab(with_findings(example_report, [])) == "[]\n"


def test_output_is_deterministic_and_holds_no_secret(example_report: Report) -> None:
    once = render(example_report, "gitlab")
    assert once == render(example_report, "gitlab")
    assert (
        render(with_findings(example_report, list(reversed(example_report.result.findings))), "gitlab")
        == once
    )
    assert_no_secret(once)


def test_severities_follow_fail_on(example_report) -> None:
    import dataclasses

    from medlint.model import Level
    from medlint.report.gitlab import code_quality_issues

    default = {issue["severity"] for issue in code_quality_issues(example_report)}
    assert "info" in default
    strict = dataclasses.replace(example_report, fail_on=Level.NOTE)
    assert {issue["severity"] for issue in code_quality_issues(strict)} <= {"major", "critical"}
