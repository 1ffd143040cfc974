"""GitHub workflow-command annotations and the job summary: exact escaping, levels, waivers, no env reads."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from report_helpers import assert_no_secret, first, waive, with_findings

from medlint.findings import RelatedLocation
from medlint.model import Level
from medlint.report import Report, render
from medlint.report.github import annotation, escape_data, escape_property, render_github, step_summary
from medlint.source import Location


def command_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("::")]


def test_escaping_matches_actions_core() -> None:
    # Expected values worked out by hand from escapeData/escapeProperty in @actions/core command.ts.
    assert escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert escape_property("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext%3A a%2Cb"
    assert escape_data("%0A") == "%250A"  # % first, so an escape sequence in the text is not decoded later


def test_annotation_line_for_a_one_line_span(example_report: Report) -> None:
    finding = dataclasses.replace(
        first(example_report, "MD201"),
        level=Level.ERROR,
        location=Location("k8s/deploy.yaml", 14, 13, 14, 17),
        message='container "web": runs as root, 100%, see a:b',
        related=(),
    )
    assert annotation(finding, example_report) == (
        "::error file=k8s/deploy.yaml,line=14,col=13,endColumn=17,title=MD201 run-as-non-root"
        '::container "web": runs as root, 100%25, see a:b'
    )


def test_multi_line_span_gives_end_line_and_no_columns(example_report: Report) -> None:
    finding = dataclasses.replace(
        first(example_report, "MD102"), location=Location("a, b:c.yaml", 3, 5, 7, 2)
    )
    line = annotation(finding, example_report)
    assert ",endLine=7," in line and "col=" not in line and "endColumn=" not in line
    assert "file=a%2C b%3Ac.yaml," in line


def test_levels_map_to_commands_and_every_unwaived_finding_is_annotated(example_report: Report) -> None:
    lines = command_lines(render_github(example_report))
    findings = example_report.result.findings
    assert len(lines) == len(findings)
    expected = {"error": "::error ", "warning": "::warning ", "note": "::notice "}
    for level, prefix in expected.items():
        assert (
            sum(line.startswith(prefix) for line in lines)
            == sum(f.level.value == level for f in findings)
            > 0
        )


def test_waived_findings_are_not_annotated(example_report: Report) -> None:
    findings = [waive(f) if f.rule_id == "MD303" else f for f in example_report.result.findings]
    lines = command_lines(render_github(with_findings(example_report, findings)))
    assert not any("title=MD303 " in line for line in lines)
    assert len(lines) == sum(1 for f in findings if f.suppression is None)


def test_a_line_break_in_a_message_cannot_forge_a_command(example_report: Report) -> None:
    finding = dataclasses.replace(first(example_report, "MD102"), message="bad\n::error::forged\r\n")
    text = render_github(with_findings(example_report, [finding]))
    assert len(command_lines(text)) == 1
    assert "bad%0A::error::forged%0D%0A" in text


def test_related_locations_go_into_the_message(example_report: Report) -> None:
    related = (RelatedLocation(Location("values.yaml", 3, 1), "the value is set here"),)
    finding = dataclasses.replace(first(example_report, "MD201"), related=related)
    assert annotation(finding, example_report).endswith("%0Arelated: values.yaml:3:1: the value is set here")


def test_step_summary_is_appended_when_a_path_is_given(example_report: Report, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n", encoding="utf-8")
    findings = [waive(f) if f.rule_id == "MD303" else f for f in example_report.result.findings]
    findings = [dataclasses.replace(f, baseline_state="new") if f.rule_id == "MD501" else f for f in findings]
    report = dataclasses.replace(with_findings(example_report, findings), baselined=7)
    assert render(report, "github", step_summary_path=str(summary)) == render_github(report)
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# earlier step\n## medlint: failing")
    decision = report.result.safety_class
    assert f"**Safety class {decision.value}**: {decision.reason}." in text
    active = [f for f in findings if f.suppression is None]
    counts = [sum(f.level.value == level for f in active) for level in ("error", "warning", "note")]
    suppressed = len(findings) - len(active)
    assert f"| {counts[0]} | {counts[1]} | {counts[2]} | {suppressed} | 7 | 0 |" in text
    files = report.files_by_kind()
    assert f"| {files['dockerfile']} | {files['compose']} | {files['kubernetes']} |" in text
    assert "| waived: accepted by the risk review RR-12 |" in text and "| new |" in text
    assert text.count("\n| error |") + text.count("\n| warning |") + text.count("\n| note |") == len(findings)


def test_summary_cells_cannot_break_the_table(example_report: Report) -> None:
    finding = dataclasses.replace(first(example_report, "MD102"), message="a | b\nc <img src=x>")
    text = step_summary(with_findings(example_report, [finding]))
    row = next(
        line for line in text.splitlines() if line.startswith(("| warning |", "| error |", "| note |"))
    )
    assert "a \\| b c &lt;img src=x&gt;" in row


def test_reporter_never_reads_the_environment(
    example_report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    render(example_report, "github")
    assert not summary.exists()


def test_output_is_deterministic_and_holds_no_secret(example_report: Report) -> None:
    once = render(example_report, "github")
    assert once == render(example_report, "github")
    assert (
        render(with_findings(example_report, list(reversed(example_report.result.findings))), "github")
        == once
    )
    assert_no_secret(once)
    assert_no_secret(step_summary(example_report))


def test_annotation_levels_follow_fail_on(example_report) -> None:
    import dataclasses

    from medlint.model import Level
    from medlint.report.github import render_github

    warning = next(f for f in example_report.result.findings if f.level is Level.WARNING and not f.suppressed)
    default = render_github(example_report)
    assert f"title={warning.rule_id}" in default
    stricter = render_github(dataclasses.replace(example_report, fail_on=Level.WARNING))
    assert not any(line.startswith("::warning ") for line in stricter.splitlines())
    assert any(line.startswith("::warning ") for line in default.splitlines())
