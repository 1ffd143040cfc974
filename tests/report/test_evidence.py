"""The evidence report (`medlint evidence`): its content, from the view model to both formats.

The browser checks (network, hostile names on a real page, printing) are in tests/browser/.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import hashlib
import html
import re
import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from markupsafe import escape

from medlint.api import lint
from medlint.cli import main
from medlint.config import load_config
from medlint.report import Report
from medlint.report.evidence import digests_for, render_evidence
from medlint.report.evidence.assemble import build_view, command_line_text
from medlint.report.evidence.matrix import split_clauses
from medlint.report.evidence.model import EvidenceView, SoupRow
from medlint.report.evidence.render import SECTIONS, markdown_text
from medlint.report.evidence.systems import SystemScope
from tests.conftest import EXAMPLE, REPO_ROOT
from tests.report.report_helpers import SECRET_VALUES, assert_no_secret

TODAY = datetime.date(2026, 12, 7)
HOSTILE = "fixtures/evidence/hostile"
HOSTILE_TEXTS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "<img src=x onerror=alert(3)>",
)


@pytest.fixture(scope="module")
def example() -> Report:
    return lint([EXAMPLE], cwd=REPO_ROOT, today=TODAY, command_line=("medlint", "evidence", EXAMPLE))


@pytest.fixture(scope="module")
def example_view(example: Report) -> EvidenceView:
    return build_view(example, digests_for(example))


@pytest.fixture(scope="module")
def example_html(example: Report) -> str:
    return render_evidence(example, "html")


@pytest.fixture(scope="module")
def example_markdown(example: Report) -> str:
    return render_evidence(example, "markdown")


# --------------------------------------------------------------------------------------------------
# Reading the rendered formats back (so the tests check what a reader sees, not the view model alone)


class _Tables(HTMLParser):
    """Every table of an HTML page as rows of cell texts, with the id of the section it is in."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self.section = ""
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self.section = dict(attrs).get("id") or ""
        elif tag == "table":
            self.tables.append((self.section, []))
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in ("li", "div") and self._cell is not None and self._cell:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1][1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_tables(document: str, section: str) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(document)
    return [rows for where, rows in parser.tables if where == section]


def _unescape_markdown(cell: str) -> str:
    return html.unescape(re.sub(r"\\(.)", r"\1", cell))


def markdown_rows(document: str, heading: str) -> list[list[str]]:
    """Table rows (header rows and separators left out) between `## heading` and the next `## `."""
    start = document.index(f"## {heading}\n")
    end = document.find("\n## ", start + 1)
    rows = []
    lines = document[start : end if end > 0 else None].splitlines()
    for index, line in enumerate(lines):
        header = index + 1 < len(lines) and lines[index + 1].startswith("|---")
        if not line.startswith("| ") or header:
            continue
        cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        rows.append([" ".join(_unescape_markdown(cell).split()) for cell in cells])
    return rows


# --------------------------------------------------------------------------------------------------
# Sections and their content


def test_every_section_in_order_in_both_formats(example_html: str, example_markdown: str) -> None:
    positions_html = [example_html.index(f'<section id="{anchor}"') for anchor, _ in SECTIONS]
    positions_md = [example_markdown.index(f"\n## {title}\n") for _, title in SECTIONS]
    assert positions_html == sorted(positions_html)
    assert positions_md == sorted(positions_md)
    for _, title in SECTIONS:
        assert f"<h2>{title}</h2>" in example_html


def test_header_identifies_the_run(example_view: EvidenceView, example: Report) -> None:
    header = example_view.header
    assert header.system_name == "medical-device"  # the example's one chart
    assert header.evaluation_date == "2026-12-07"
    assert header.rule_pack_version == example.pack.version
    assert dict(header.data_tables) == dict(example.table_versions) and header.data_tables
    assert header.command_line == f"medlint evidence {EXAMPLE}"


def test_header_has_the_git_revision_in_a_linked_worktree(tmp_path: Path) -> None:
    import subprocess

    if shutil.which("git") is None:
        pytest.skip("git is not installed")

    def git(*arguments: str, cwd: Path) -> str:
        command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *arguments]
        return subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()

    main_checkout = tmp_path / "main"
    main_checkout.mkdir()
    git("init", "-q", "-b", "main", cwd=main_checkout)
    (main_checkout / "Dockerfile").write_text("FROM python:3.12-slim\nUSER 1000\n", encoding="utf-8")
    git("add", "Dockerfile", cwd=main_checkout)
    git("commit", "-q", "-m", "first", cwd=main_checkout)
    git("worktree", "add", "-q", "-b", "feature", str(tmp_path / "linked"), cwd=main_checkout)
    linked = tmp_path / "linked"
    assert (linked / ".git").is_file()  # a linked worktree: refs live in the common directory
    report = lint(["."], cwd=linked, today=TODAY)
    header = build_view(report).header
    assert header.revision == git("rev-parse", "HEAD", cwd=linked)
    assert header.branch == "feature"
    assert f"| Git revision | {header.revision} |" in render_evidence(report, "markdown")


def test_command_line_is_quoted_as_a_shell_would_read_it() -> None:
    assert command_line_text(("medlint", "evidence", "my dir", "--today", "2026-12-07")) == (
        "medlint evidence 'my dir' --today 2026-12-07"
    )


def test_scope_lists_every_file_read_with_its_sha256(example_view: EvidenceView, example: Report) -> None:
    files = {item.path: item for item in example_view.scope.files}
    for item in example.project.files:
        expected = hashlib.sha256((REPO_ROOT / item.path).read_bytes()).hexdigest()
        assert files[item.path].sha256 == expected, item.path
        assert files[item.path].kind == item.kind.value
    assert files[f"{EXAMPLE}/.dockerignore"].kind == "dockerignore"
    skipped = {item.path: item.reason for item in example_view.scope.skipped}
    assert f"{EXAMPLE}/k8s/compliance-labels.yaml" in skipped
    [chart] = example_view.scope.charts
    assert chart.name == "medical-device" and chart.values_sets == ("values.yaml",)
    assert any("postgresql" in problem for problem in chart.render_problems)  # not vendored: not rendered


def test_scope_table_in_html_shows_the_digests(example_html: str, example: Report) -> None:
    [files, *_] = html_tables(example_html, "scope")
    rows = {row[0]: row for row in files[1:]}
    dockerfile = f"{EXAMPLE}/Dockerfile"
    assert rows[dockerfile][3] == hashlib.sha256((REPO_ROOT / dockerfile).read_bytes()).hexdigest()


def test_safety_class_and_how_it_was_determined(example_view: EvidenceView) -> None:
    safety = example_view.safety_class
    assert safety.value == "B"
    assert "regulatory.iec62304.class=B" in safety.reason
    assert [row.value for row in safety.declarations] == ["B"]


def test_summary_counts_and_gate_follow_the_report(example_view: EvidenceView, example: Report) -> None:
    summary = example_view.summary
    assert dict(summary.level_counts) == example.level_counts()
    assert summary.gate == "FAIL" and summary.failing
    assert summary.suppressed == 0 and summary.baselined == 0


# --------------------------------------------------------------------------------------------------
# Traceability matrix


def _iec62304_clauses_in_pack(report: Report) -> dict[str, set[str]]:
    clauses: dict[str, set[str]] = {}
    for rule in report.pack.rules:
        for reference in rule.references:
            if reference.standard == "IEC 62304":
                for clause in split_clauses(reference.clause):
                    clauses.setdefault(clause, set()).add(rule.id)
    return clauses


def test_matrix_lists_every_iec62304_clause_the_pack_references_with_its_rules(
    example_view: EvidenceView, example: Report
) -> None:
    expected = _iec62304_clauses_in_pack(example)
    assert "8.1.2 c)" in expected and "5.8.5" in expected
    group = next(g for g in example_view.matrix.groups if g.standard == "IEC 62304")
    assert {row.clause: {rule.id for rule in row.rules} for row in group.rows} == expected
    assert example_view.matrix.groups[0].standard == "IEC 62304"


def test_matrix_in_html_and_markdown_has_the_same_rows(
    example_view: EvidenceView, example_html: str, example_markdown: str
) -> None:
    html_rows = [row for table in html_tables(example_html, "matrix") for row in table[1:]]
    md_rows = markdown_rows(example_markdown, "5. Traceability matrix")
    expected = [row.clause for group in example_view.matrix.groups for row in group.rows]
    assert [row[0] for row in html_rows] == expected
    assert [row[0] for row in md_rows] == expected
    assert [row[2] for row in html_rows] == [
        row[2].replace("*", "", 4).replace(":", "", 1) for row in md_rows
    ]


def test_matrix_groups_the_named_standards_first(example_view: EvidenceView) -> None:
    names = [group.standard for group in example_view.matrix.groups]
    assert names[:7] == [
        "IEC 62304",
        "FDA premarket cybersecurity guidance",
        "IEC 81001-5-1",
        "NIST SP 800-190",
        "CIS Docker Benchmark",
        "CIS Kubernetes Benchmark",
        "Kubernetes Pod Security Standards",
    ]
    nist = next(group for group in example_view.matrix.groups if group.standard == "NIST SP 800-190")
    assert nist.editions == ("Sep 2017",)


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        ("8.1.2 c)", ("8.1.2 c)",)),
        ("4.3.3, 4.4.2", ("4.3.3", "4.4.2")),
        ("5.22, 5.2, 5.3", ("5.22", "5.2", "5.3")),
        ("DL3006, DL3007", ("DL3006", "DL3007")),
        ("Appendix 1, Authorization", ("Appendix 1, Authorization",)),
        ("Appendix 1, Authorization; V.B.2", ("Appendix 1, Authorization", "V.B.2")),
        ("5.2.2 h), i)", ("5.2.2 h), i)",)),
        ("164.312(e)(1), (e)(2)(ii)", ("164.312(e)(1), (e)(2)(ii)",)),
        ("5.2.3-5.2.5", ("5.2.3-5.2.5",)),
        ("", ("(whole document)",)),
    ],
)
def test_split_clauses(clause: str, expected: tuple[str, ...]) -> None:
    assert split_clauses(clause) == expected


def _status(view: EvidenceView, standard: str, clause: str) -> tuple[str, set[str]]:
    group = next(g for g in view.matrix.groups if g.standard == standard)
    row = next(r for r in group.rows if r.clause == clause)
    return row.statuses[0].status, {rule.id for rule in row.rules}


def test_matrix_status_pass_fail_and_not_applicable() -> None:
    # A Dockerfile that runs as non-root: MD201 passes for the Dockerfile clause (CIS Docker 4.1), the
    # Kubernetes-only clauses are not applicable, and MD101 fails on the floating tag.
    report = lint([str(REPO_ROOT / "fixtures/MD201/pass/non-root.Dockerfile")], cwd=REPO_ROOT, today=TODAY)
    view = build_view(report, {})
    assert _status(view, "CIS Docker Benchmark", "4.1") == ("pass", {"MD201"})
    assert _status(view, "CIS Kubernetes Benchmark", "5.2.7")[0] == "not applicable"
    failing = [
        row.clause
        for group in view.matrix.groups
        for row in group.rows
        if row.statuses[0].status == "fail"
        and any(f.rule_id in {r.id for r in row.rules} for f in report.active_findings())
    ]
    assert failing


def test_matrix_status_waived_baselined_and_disabled(tmp_path: Path) -> None:
    project = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "fixtures/MD201/fail", project)
    dockerfiles = sorted(p.name for p in project.iterdir())
    base = lint([str(project)], cwd=project, today=TODAY)
    md201 = [f for f in base.active_findings() if f.rule_id == "MD201"]
    assert md201, dockerfiles
    # waived: every MD201 finding covered by a configured waiver
    (project / ".medlint.yaml").write_text(
        'waivers:\n  - rules: [MD201]\n    reason: "vendor image, isolated"\n    owner: qa@example.com\n'
        '    until: "2027-06-30"\n',
        encoding="utf-8",
    )
    config = load_config(project / ".medlint.yaml")
    waived = build_view(lint([str(project)], cwd=project, today=TODAY, config=config), {})
    assert _status(waived, "CIS Docker Benchmark", "4.1")[0] == "waived"
    # baselined: accepted by a baseline, not passed
    from medlint.baseline import BaselineEntry, logical_fingerprint

    entries = tuple(
        BaselineEntry(f.fingerprint("medlintLogical/v1") or logical_fingerprint(f), f.rule_id, "", "", "")
        for f in base.active_findings()
    )
    baselined = lint([str(project)], cwd=project, today=TODAY, baseline=entries)
    view = build_view(baselined, {})
    assert _status(view, "CIS Docker Benchmark", "4.1")[0] == "baselined"
    states = {row.state for group in view.findings for row in group.findings}
    assert states == {"baselined"}
    assert view.summary.baselined == len(base.active_findings())
    # disabled by the configuration
    (project / ".medlint.yaml").write_text("rules:\n  disable: [MD201]\n", encoding="utf-8")
    config = load_config(project / ".medlint.yaml")
    disabled = build_view(lint([str(project)], cwd=project, today=TODAY, config=config), {})
    assert _status(disabled, "CIS Docker Benchmark", "4.1")[0] == "disabled"
    assert disabled.summary.rules_disabled == ("MD201",)


def test_rules_off_for_the_class_are_not_required() -> None:
    from medlint.rulepack import load_rule_pack

    pack = load_rule_pack()
    rule = pack.get("MD201")
    assert rule is not None

    def off_for_a(table: dict[str, str]) -> dict[str, str]:
        return {**table, "A": "off"}

    quiet = dataclasses.replace(
        rule,
        level=off_for_a(dict(rule.level)),
        levels_by_artifact={kind: off_for_a(dict(t)) for kind, t in rule.levels_by_artifact.items()},
        variants={name: {**v, "level": off_for_a(dict(v["level"]))} for name, v in rule.variants.items()},
    )
    pack = dataclasses.replace(pack, rules=tuple(quiet if r.id == "MD201" else r for r in pack.rules))
    report = lint([EXAMPLE], cwd=REPO_ROOT, today=TODAY, safety_class="A", pack=pack)
    view = build_view(report, {})
    assert view.summary.rules_off_for_class == ("MD201",)
    assert view.summary.rules_disabled == ()
    assert _status(view, "CIS Docker Benchmark", "4.1") == ("not required", {"MD201"})
    assert "1 rule(s) are off for this class: MD201" in view.safety_class.consequence


# --------------------------------------------------------------------------------------------------
# Findings


def test_every_finding_check_reports_is_in_the_findings_section(
    example: Report, example_html: str, example_markdown: str
) -> None:
    expected = sorted(
        (
            f.rule_id,
            str(f.location),
            f.subject,
            f.message + "".join(f" related: {r.location}: {r.message}" for r in f.related),
        )
        for f in example.result.findings
    )
    html_rows = []
    for table in html_tables(example_html, "findings"):
        html_rows += table[1:]
    seen_html = sorted(
        (rule, row[1], row[2], row[3])
        for rule, row in zip(_rule_of_rows(example_html), html_rows)  # one rule id per row, in order
    )
    assert seen_html == expected
    md = markdown_rows(example_markdown, "6. Findings")
    md_expected = [
        (e[1], e[2], e[3].replace(" related: ", " (related: ").replace(". (related", ". (related"))
        for e in expected
    ]
    assert len(md) == len(expected)
    assert sorted(row[1] for row in md) == sorted(e[0] for e in md_expected)


def _rule_of_rows(document: str) -> list[str]:
    """The rule id of each findings table row, from the heading above its table."""
    section = document[document.index('<section id="findings"') : document.index('<section id="waivers"')]
    rules: list[str] = []
    for block in section.split('<h3 id="rule-')[1:]:
        rule_id = block.split('"', 1)[0]
        rules += [rule_id] * (block.count("<tr") - 1)
    return rules


def test_secret_values_never_appear(example_html: str, example_markdown: str) -> None:
    assert_no_secret(example_html)
    assert_no_secret(example_markdown)
    assert SECRET_VALUES


def test_secrets_on_the_command_line_are_redacted_in_both_formats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The header's command line goes through the same redaction as every other text."""
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: demo\nversion: 1.0.0\n", encoding="utf-8")
    (chart / "values.yaml").write_text("db: {}\n", encoding="utf-8")
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\ndata:\n  host: db\n", encoding="utf-8"
    )
    runner = CliRunner()
    secrets = ("Hunter2Hunter2", "tok3n-abcdef123456", "ci-user:pa55word")
    for output_format in ("html", "markdown"):
        out = tmp_path / f"report.{output_format}"
        arguments = [
            "evidence",
            str(chart),
            "--set",
            f"db.password={secrets[0]}",
            "--set-string",
            f"apiToken={secrets[1]}",
            "--format",
            output_format,
            "-o",
            str(out),
            "--exit-zero",
        ]
        # the header shows sys.argv as the shell passed it; a URL with credentials stands for any secret
        monkeypatch.setattr("sys.argv", ["medlint", *arguments, f"https://{secrets[2]}@example.com/x"])
        result = runner.invoke(main, arguments)
        assert result.exit_code == 0, result.output
        document = out.read_text(encoding="utf-8")
        mask = "***" if output_format == "html" else "\\*\\*\\*"
        assert f"db.password={mask}" in document
        assert f"apiToken={mask}" in document
        assert f"https://{mask}@example.com/x" in document
        for secret in secrets:
            assert secret not in document
            assert secret.split(":")[-1] not in document


# --------------------------------------------------------------------------------------------------
# Waivers


def _example_with_waivers(tmp_path: Path) -> Path:
    project = tmp_path / "medical-device"
    shutil.copytree(REPO_ROOT / EXAMPLE, project)
    (project / ".medlint.yaml").write_text(
        "waivers:\n"
        "  - rules: [MD605]\n"
        "    paths: ['docker-compose.yml']\n"
        '    reason: "Ports are bound on the isolated device network only"\n'
        "    owner: qa@example.com\n"
        '    until: "2027-06-30"\n'
        "    risk: RMF-12\n"
        "  - rules: [MD402]\n"
        '    reason: "Single replica accepted until the cluster upgrade"\n'
        "    owner: ops@example.com\n"
        '    until: "2026-01-31"\n'
        "  - rules: [MD803]\n"
        '    reason: "Left over from the old build"\n',
        encoding="utf-8",
    )
    return project


def test_waivers_show_reason_owner_expiry_and_what_they_suppress(tmp_path: Path) -> None:
    project = _example_with_waivers(tmp_path)
    runner = CliRunner()
    result = runner.invoke(
        main, ["evidence", str(project), "--today", "2026-12-07", "-o", str(tmp_path / "report.html")]
    )
    assert result.exit_code == 1, result.output
    document = (tmp_path / "report.html").read_text(encoding="utf-8")
    [table] = html_tables(document, "waivers")
    rows = {row[0]: row for row in table[1:]}
    active = rows["W1"]
    assert active[1:7] == [
        "MD605",
        "Ports are bound on the isolated device network only",
        "qa@example.com",
        "2027-06-30",
        "RMF-12",
        "active",
    ]
    assert "docker-compose.yml:" in active[8] and "MD605" in active[8]
    assert active[7].startswith("configuration: ") and ".medlint.yaml, waivers entry 1" in active[7]
    expired = rows["W2"]
    assert expired[6].startswith("expired") and "expired on 2026-01-31" in expired[6]
    assert "no longer suppresses" in expired[8]
    unused = rows["W3"]
    assert unused[6].startswith("unused") and "matches no finding" in unused[6]
    # waived findings name their waiver in the findings section, and the summary counts them
    assert '(<a href="#waiver-W1">W1</a>)' in document
    markdown = runner.invoke(
        main, ["evidence", str(project), "--today", "2026-12-07", "--format", "markdown"]
    )
    md_rows = {row[0]: row for row in markdown_rows(markdown.output, "7. Waivers")}
    assert md_rows["W1"][1:7] == active[1:7]


# --------------------------------------------------------------------------------------------------
# Escaping, self-containment, determinism


@pytest.fixture(scope="module")
def hostile() -> Report:
    return lint([HOSTILE], cwd=REPO_ROOT, today=TODAY)


def test_hostile_names_are_escaped_in_html(hostile: Report) -> None:
    document = render_evidence(hostile, "html")
    for text in HOSTILE_TEXTS:
        assert str(escape(text)) in document
    assert "<script" not in document.lower()
    assert "<img" not in document.lower()
    assert "<b>" not in document and "<i>" not in document  # waiver reason and owner: text, not markup
    [table] = html_tables(document, "waivers")
    assert table[1][2] == "<b>one replica</b> | `accepted` [see](https://evil.invalid/x.png)"
    assert table[1][3] == "<i>qa</i>|@team"


def test_hostile_names_are_escaped_in_markdown(hostile: Report) -> None:
    document = render_evidence(hostile, "markdown")
    assert "<script" not in document and "<img" not in document and "<b>" not in document
    assert not re.search(r"(?<!\\)\]\(", document)  # no live link: every ] is escaped
    assert "`accepted`" not in document  # no code span
    rows = markdown_rows(document, "7. Waivers")
    assert len(rows[0]) == 9  # the | inside values did not open new cells
    assert rows[0][2] == "<b>one replica</b> | `accepted` [see](https://evil.invalid/x.png)"
    findings = markdown_rows(document, "6. Findings")
    assert all(len(row) == 5 for row in findings)
    assert any("<script>alert(1)</script>" in row[2] for row in findings)


def test_hostile_configuration_values_are_escaped(tmp_path: Path) -> None:
    """The system name and a configured waiver come from the repository's .medlint.yaml: text, never markup."""
    (tmp_path / ".medlint.yaml").write_text(
        'name: "<svg onload=alert(5)>"\n'
        "waivers:\n"
        "  - rules: [MD402]\n"
        '    reason: "<img src=x onerror=alert(6)> | `x` [y](https://evil.invalid)"\n'
        '    owner: "<b>owner</b>"\n'
        "    until: 2099-01-01\n",
        encoding="utf-8",
    )
    (tmp_path / "deploy.yaml").write_text(_DEPLOYMENT, encoding="utf-8")
    report = _lint_with_config(tmp_path)
    document = render_evidence(report, "html")
    lowered = document.lower()
    assert "<svg" not in lowered and "<img" not in lowered and "<b>" not in lowered
    assert "<h1>Audit evidence: &lt;svg onload=alert(5)&gt;</h1>" in document
    assert "Status: &lt;svg onload=alert(5)&gt;</th>" in document
    [waivers] = html_tables(document, "waivers")
    assert waivers[1][2] == "<img src=x onerror=alert(6)> | `x` [y](https://evil.invalid)"
    markdown = render_evidence(report, "markdown")
    assert "<svg" not in markdown and "<img" not in markdown
    assert markdown.startswith("# Audit evidence: &lt;svg onload=alert(5)&gt;\n")
    [row] = markdown_rows(markdown, "7. Waivers")
    assert len(row) == 9 and row[2] == "<img src=x onerror=alert(6)> | `x` [y](https://evil.invalid)"


def test_markdown_text_escapes_what_markdown_would_interpret() -> None:
    assert markdown_text("a|b") == "a\\|b"
    assert markdown_text("`x`") == "\\`x\\`"
    assert markdown_text("<img src=x>") == "&lt;img src=x&gt;"
    assert markdown_text("[a](http://x) *b* _c_") == "\\[a\\](http://x) \\*b\\* \\_c\\_"
    assert markdown_text("&lt;") == "&amp;lt;"
    assert markdown_text("one\ntwo") == "one two"
    assert markdown_text(None) == ""


def test_hostile_file_name_is_escaped(tmp_path: Path) -> None:
    project = tmp_path / "repo"
    project.mkdir()
    name = "<img src=x onerror=alert(4)>.yaml"
    (project / name).write_text((REPO_ROOT / HOSTILE / "deployment.yaml").read_text(encoding="utf-8"))
    report = lint([str(project)], cwd=project, today=TODAY)
    document = render_evidence(report, "html")
    assert "<img" not in document
    assert html.escape(name) in document
    assert "&lt;img src=x onerror=alert(4)&gt;.yaml" in render_evidence(report, "markdown")


def test_html_is_self_contained_with_a_strict_csp(example_html: str) -> None:
    match = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', example_html)
    assert match is not None
    policy = html.unescape(match.group(1))
    assert "default-src 'none'" in policy and "script-src 'none'" in policy
    style = re.search(r"<style>(.*?)</style>", example_html, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in policy  # the inline stylesheet is allowed by its exact hash
    assert example_html.index("Content-Security-Policy") < example_html.index("<style>")
    lowered = example_html.lower()
    assert "<script" not in lowered and "<link" not in lowered and "<img" not in lowered
    assert "@import" not in lowered and "url(" not in lowered
    assert not re.search(r'(src|href)="(?!#)', example_html)  # only in-page anchors
    assert " style=" not in example_html  # no inline style attributes (the CSP would block them)


def test_print_stylesheet_repeats_headers_and_breaks_sections(example_html: str) -> None:
    style = re.search(r"<style>(.*?)</style>", example_html, re.S)
    assert style is not None
    printing = style.group(1)[style.group(1).index("@media print") :]
    assert "thead { display: table-header-group; }" in printing
    assert "break-before: page" in printing


def test_same_input_and_date_give_identical_files(tmp_path: Path) -> None:
    runner = CliRunner()
    outputs = []
    for index in range(2):
        for fmt in ("html", "markdown"):
            target = tmp_path / f"{index}" / f"report.{fmt}"
            result = runner.invoke(
                main,
                ["evidence", EXAMPLE, "--today", "2026-12-07", "--format", fmt, "-o", str(tmp_path / "r")],
                catch_exceptions=False,
            )
            assert result.exit_code == 1
            target.parent.mkdir(exist_ok=True)
            shutil.move(tmp_path / "r", target)
            outputs.append(target.read_bytes())
    assert outputs[0] == outputs[2] and outputs[1] == outputs[3]


def test_exit_code_follows_the_gate(tmp_path: Path) -> None:
    runner = CliRunner()
    failing = runner.invoke(main, ["evidence", EXAMPLE, "--today", "2026-12-07"])
    assert failing.exit_code == 1 and failing.output.startswith("<!DOCTYPE html>")
    assert runner.invoke(main, ["evidence", EXAMPLE, "--exit-zero"]).exit_code == 0
    passing = runner.invoke(
        main, ["evidence", str(REPO_ROOT / "fixtures/MD201/pass/non-root.Dockerfile"), "--format", "markdown"]
    )
    check = runner.invoke(main, ["check", str(REPO_ROOT / "fixtures/MD201/pass/non-root.Dockerfile")])
    assert passing.exit_code == check.exit_code
    assert runner.invoke(main, ["evidence", EXAMPLE, "--format", "pdf"]).exit_code == 2


def _project_with_references(root: Path) -> None:
    """A project whose artifacts refer to other files: a Compose include and env_file, a pip requirement
    file, a chart with helpers and a .helmignore."""
    (root / "app").mkdir(parents=True)
    (root / "chart" / "templates").mkdir(parents=True)
    files = {
        "compose.yaml": "include:\n  - db.compose.yaml\nservices:\n  web:\n    image: nginx:1.27.0\n"
        "    env_file: .env\n    build: ./app\n",
        "db.compose.yaml": "services:\n  db:\n    image: postgres:16.4\n",
        ".env": "LOG_LEVEL=info\n",
        "app/Dockerfile": "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
        "USER 1000\n",
        "app/requirements.txt": "flask==3.0.0\n",
        "chart/Chart.yaml": "apiVersion: v2\nname: demo\nversion: 1.0.0\n",
        "chart/values.yaml": "replicas: 1\n",
        "chart/.helmignore": "*.bak\n",
        "chart/templates/_helpers.tpl": '{{- define "x" -}}x{{- end -}}\n',
        "chart/templates/cm.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include "x" . }}\n',
    }
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    (root / "k8s.yaml").write_bytes(b"\xef\xbb\xbfapiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bom\n")


def test_scope_lists_every_file_the_run_read_with_kind_and_digest(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    _project_with_references(root)
    report = lint(["."], cwd=root, today=TODAY)
    scope = build_view(report).scope
    files = {item.path: item for item in scope.files}
    expected_kinds = {
        "compose.yaml": "compose",
        "db.compose.yaml": "compose",
        ".env": "env file",
        "app/Dockerfile": "dockerfile",
        "app/requirements.txt": "requirement file",
        "chart/Chart.yaml": "helm",
        "chart/values.yaml": "helm",
        "chart/.helmignore": "helm",
        "chart/templates/_helpers.tpl": "helm",
        "chart/templates/cm.yaml": "helm",
        "k8s.yaml": "kubernetes",
    }
    for path, kind in expected_kinds.items():
        assert files[path].kind == kind, path
        assert files[path].sha256 == hashlib.sha256((root / path).read_bytes()).hexdigest(), path
    assert files["chart/templates/_helpers.tpl"].role == "template"
    markdown = render_evidence(report, "markdown")
    for path in expected_kinds:
        assert markdown_text(path) in markdown


def test_digests_are_of_the_bytes_the_analysis_read_never_a_second_read(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    _project_with_references(root)
    report = lint(["."], cwd=root, today=TODAY)
    original = hashlib.sha256((root / "app/Dockerfile").read_bytes()).hexdigest()
    (root / "app/Dockerfile").write_text("FROM scratch\n", encoding="utf-8")  # changed after the run
    files = {item.path: item for item in build_view(report).scope.files}
    assert files["app/Dockerfile"].sha256 == original


def test_files_the_run_refused_have_no_digest_and_say_why(tmp_path: Path) -> None:
    import os

    root = tmp_path / "repo"
    root.mkdir()
    (tmp_path / "secret.yaml").write_text("kind: Secret\n", encoding="utf-8")
    (root / "link.yaml").symlink_to(tmp_path / "secret.yaml")
    os.mkfifo(root / "pipe.yaml")
    (root / "ok.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n", encoding="utf-8")
    report = lint(["."], cwd=root, today=TODAY)
    files = {item.path: item for item in build_view(report).scope.files}
    assert files["ok.yaml"].sha256
    assert "symbolic link" in (files["link.yaml"].digest_problem or "")
    assert "named pipe" in (files["pipe.yaml"].digest_problem or "")
    for refused in ("link.yaml", "pipe.yaml"):
        assert files[refused].sha256 is None and not files[refused].analysed
    assert {item.path for item in build_view(report).scope.skipped} >= {"link.yaml", "pipe.yaml"}


def test_configuration_and_baseline_are_in_scope_with_their_digests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    _project_with_references(root)
    (root / ".medlint.yaml").write_text("safety_class: B\n", encoding="utf-8")
    (tmp_path / "baselines").mkdir()
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    created = runner.invoke(main, ["baseline", "create", "repo", "-o", "baselines/base.json"])
    assert created.exit_code == 0, created.output
    result = runner.invoke(
        main,
        [
            "evidence",
            "repo",
            "--baseline",
            "baselines/base.json",
            "--format",
            "markdown",
            "--today",
            "2026-12-07",
        ],
    )
    assert result.exit_code in (0, 1), result.output
    baseline_digest = hashlib.sha256((tmp_path / "baselines/base.json").read_bytes()).hexdigest()
    rows = {row[0]: row for row in markdown_rows(result.stdout, "2. Scope")}
    assert rows["repo/.medlint.yaml"][1] == "configuration"
    assert rows["repo/.medlint.yaml"][3] == hashlib.sha256((root / ".medlint.yaml").read_bytes()).hexdigest()
    assert rows["baselines/base.json"][1] == "baseline" and rows["baselines/base.json"][3] == baseline_digest


def test_view_is_the_same_for_both_formats(example: Report) -> None:
    """Both formats render one view model: a value changed in the model shows in both."""
    view = build_view(example)
    changed = dataclasses.replace(view, header=dataclasses.replace(view.header, system_name="renamed-system"))
    from medlint.report.evidence.render import render_html, render_markdown

    assert "Audit evidence: renamed-system" in render_html(changed)
    assert "# Audit evidence: renamed-system" in render_markdown(changed)


# --------------------------------------------------------------------------------------------------
# Systems: the header's name and one matrix column per system

_DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: pump
spec:
  selector: {matchLabels: {app: pump}}
  template:
    metadata: {labels: {app: pump}}
    spec:
      containers:
        - name: pump
          image: nginx:1.27.0
"""


def _lint_with_config(root: Path) -> Report:
    config = load_config(root / ".medlint.yaml")
    return lint(["."], cwd=root, config=config, today=TODAY)


def test_header_takes_the_system_name_from_the_configuration(tmp_path: Path) -> None:
    (tmp_path / ".medlint.yaml").write_text("name: infusion-pump\n", encoding="utf-8")
    (tmp_path / "deploy.yaml").write_text(_DEPLOYMENT, encoding="utf-8")
    report = _lint_with_config(tmp_path)
    view = build_view(report)
    assert view.header.system_name == "infusion-pump"
    assert ".medlint.yaml" in view.header.system_name_source
    assert view.matrix.systems == ("infusion-pump",)
    html_text = render_evidence(report, "html")
    assert "<h1>Audit evidence: infusion-pump</h1>" in html_text
    assert "Status: infusion-pump" in html_text


def test_matrix_has_one_status_column_per_configured_system(tmp_path: Path) -> None:
    (tmp_path / ".medlint.yaml").write_text(
        "name: pump\nsystems:\n"
        "  - name: pump-eu\n    paths: ['eu/**']\n    safety_class: C\n"
        "  - name: pump-us\n    paths: ['us/**']\n    safety_class: A\n",
        encoding="utf-8",
    )
    for folder in ("eu", "us"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "deploy.yaml").write_text(_DEPLOYMENT, encoding="utf-8")
    (tmp_path / "us" / "Dockerfile").write_text("FROM python:3.12-slim\nUSER 1000\n", encoding="utf-8")
    report = _lint_with_config(tmp_path)
    view = build_view(report)
    assert view.matrix.systems == ("pump-eu", "pump-us")
    rows = {(group.standard, row.clause): row for group in view.matrix.groups for row in group.rows}
    for row in rows.values():
        assert [status.system for status in row.statuses] == ["pump-eu", "pump-us"]
    # MD112 (OCI annotations) reads Dockerfiles only: only pump-us has one
    oci = rows[("IEC 62304", "5.8.4")]
    eu, us = oci.statuses
    assert eu.rules_not_applicable > us.rules_not_applicable
    # each system's findings are counted in its own column
    for group in view.matrix.groups:
        for row in group.rows:
            for status in row.statuses:
                assert status.findings_fail == sum(
                    1
                    for finding in report.active_findings()
                    if finding.location.path.startswith(status.system.removeprefix("pump-") + "/")
                    and any(finding.rule_id == rule.id for rule in row.rules)
                    and any(
                        finding.artifact is None or finding.artifact.value in rule.applies_to
                        for rule in row.rules
                        if rule.id == finding.rule_id
                    )
                )
    systems = {row.name: row for row in view.safety_class.systems}
    assert systems["pump-eu"].value == "C" and systems["pump-us"].value == "A"
    html_text = render_evidence(report, "html")
    [table, *_] = html_tables(html_text, "matrix")
    assert table[0][2:] == ["Status: pump-eu", "Status: pump-us"]
    markdown = render_evidence(report, "markdown")
    assert "| Clause | Rules | Status: pump-eu | Status: pump-us |" in markdown
    assert "| pump-eu | systems\\[0\\] in .medlint.yaml | **C** |" in markdown


# --------------------------------------------------------------------------------------------------
# SOUP inventory, from a producer (the real one is medlint.sbom's; these stubs pin the section's contract)

_SOUP_ROWS = (
    SoupRow(
        name="docker.io/library/postgres",
        version="16.4",
        supplier="PostgreSQL Global Development Group",
        scope="deployed",
        level_of_support="actively maintained",
        end_of_support="2028-11-09",
        sbom_covered=True,
        location="docker-compose.yml:20:12",
        kind="image",
    ),
    SoupRow(
        name="<script>alert('soup')</script>",
        version="1.0|2",
        supplier="<b>evil</b>",
        scope="build-only",
        level_of_support="",
        end_of_support="",
        sbom_covered=False,
        location="Dockerfile:1:6",
        kind="language-package",
    ),
)


def _stub(rows: tuple[SoupRow, ...]) -> Callable[[Report], tuple[SoupRow, ...]]:
    return lambda report: rows


def test_soup_section_without_a_producer_lists_nothing(example_view: EvidenceView) -> None:
    assert not example_view.soup.available and example_view.soup.rows == ()
    assert "No SOUP inventory" in example_view.soup.note


def test_soup_rows_render_in_both_formats(example: Report) -> None:
    view = build_view(example, soup_producer=_stub(_SOUP_ROWS))
    assert view.soup.available and view.soup.covered == 1 and view.soup.not_covered == 1
    document = render_evidence(example, "html", soup_producer=_stub(_SOUP_ROWS))
    [table] = html_tables(document, "soup")
    assert table[0] == [
        "Component",
        "Kind",
        "Version",
        "Supplier",
        "Scope",
        "Level of support",
        "End of support",
        "In supplied SBOM",
        "Declared at",
    ]
    rows = {row[0]: row for row in table[1:]}
    assert rows["docker.io/library/postgres"][1:] == [
        "image",
        "16.4",
        "PostgreSQL Global Development Group",
        "deployed",
        "actively maintained",
        "2028-11-09",
        "yes",
        "docker-compose.yml:20:12",
    ]
    hostile = rows["<script>alert('soup')</script>"]
    assert hostile[2:4] == ["1.0|2", "<b>evil</b>"] and hostile[7] == "no"
    assert "<script" not in document.lower() and "<b>evil" not in document
    markdown = render_evidence(example, "markdown", soup_producer=_stub(_SOUP_ROWS))
    md_rows = {row[0]: row for row in markdown_rows(markdown, "8. SOUP inventory")}
    assert md_rows["docker.io/library/postgres"] == rows["docker.io/library/postgres"]
    assert md_rows["<script>alert('soup')</script>"] == hostile  # the | in the version opened no cell
    assert "<script" not in markdown


def test_soup_rows_without_a_supplied_sbom_say_so(example: Report) -> None:
    rows = tuple(dataclasses.replace(row, sbom_covered=None) for row in _SOUP_ROWS)
    view = build_view(example, soup_producer=_stub(rows))
    assert "no SBOM was supplied" in view.soup.note
    [table] = html_tables(render_evidence(example, "html", soup_producer=_stub(rows)), "soup")
    assert {row[7] for row in table[1:]} == {"no SBOM supplied"}


def test_soup_rows_of_several_systems_show_the_system(example: Report) -> None:
    rows = tuple(dataclasses.replace(row, system=name) for row, name in zip(_SOUP_ROWS, ("eu", "us")))
    systems = (SystemScope("eu", frozenset({"compose"})), SystemScope("us", frozenset({"dockerfile"})))
    view = build_view(example, soup_producer=_stub(rows), systems=systems)
    assert view.soup.per_system
    from medlint.report.evidence.render import render_html

    [table] = html_tables(render_html(view), "soup")
    assert table[0][0] == "System" and [row[0] for row in table[1:]] == ["eu", "us"]


def test_values_files_given_with_f_are_in_scope(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "repo"
    _project_with_references(root)
    (root / "site.yaml").write_text("replicas: 3\n", encoding="utf-8")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(
        main, ["evidence", "chart", "-f", "site.yaml", "--format", "markdown", "--exit-zero", "--no-context"]
    )
    assert result.exit_code == 0, result.output
    rows = {row[0]: row for row in markdown_rows(result.stdout, "2. Scope")}
    assert rows["site.yaml"][1] == "helm (values)"
    assert rows["site.yaml"][3] == hashlib.sha256(b"replicas: 3\n").hexdigest()


def test_a_partial_run_marks_the_files_read_as_context() -> None:
    named = f"{EXAMPLE}/k8s/deployment.yaml"
    report = lint([named], cwd=REPO_ROOT, today=TODAY, context=True)
    files = {item.path: item for item in build_view(report).scope.files}
    assert "context only" not in files[named].role
    assert files[f"{EXAMPLE}/Dockerfile"].role == "context only"
    assert files[f"{EXAMPLE}/Dockerfile"].sha256


def test_example_soup_inventory_is_the_sbom_inventory_in_both_formats(example: Report) -> None:
    from medlint.report.evidence.soup import inventory_rows
    from medlint.sbom.soup import soup_items

    items = soup_items(example)
    view = build_view(example, soup_producer=inventory_rows)
    assert {(row.name, row.version, row.kind, row.scope) for row in view.soup.rows} == {
        (item.component, item.version, item.kind, item.scope) for item in items
    }
    assert all(row.sbom_covered is None for row in view.soup.rows)  # the example supplies no SBOM
    html_rows = html_tables(render_evidence(example, "html"), "soup")[0][1:]
    md_rows = markdown_rows(render_evidence(example, "markdown"), "8. SOUP inventory")
    assert html_rows == md_rows and len(md_rows) == len(items)
    assert next(row[:3] for row in md_rows if row[0] == "debian") == ["debian", "image", "bullseye-slim"]


def test_sbom_option_marks_what_the_supplied_sbom_covers(tmp_path: Path) -> None:
    import json

    runner = CliRunner()
    full = tmp_path / "soup.cdx.json"
    made = runner.invoke(main, ["sbom", str(REPO_ROOT / EXAMPLE), "-o", str(full), "--today", "2026-12-07"])
    assert made.exit_code == 0, made.output
    document = json.loads(full.read_text(encoding="utf-8"))
    document["components"] = [
        component
        for component in document["components"]
        if not (component["name"].endswith("redis") and component.get("version") == "6-alpine")
    ]
    partial = tmp_path / "partial.cdx.json"
    partial.write_text(json.dumps(document, indent=1), encoding="utf-8")
    result = runner.invoke(
        main,
        ["evidence", str(REPO_ROOT / EXAMPLE), "--sbom", str(partial), "--format", "markdown", "--exit-zero"],
    )
    assert result.exit_code == 0, result.output
    rows = markdown_rows(result.stdout, "8. SOUP inventory")
    covered = {(row[0], row[2]): row[7] for row in rows}
    assert covered[("redis", "6-alpine")] == "no"
    assert covered[("postgres", "13-alpine")] == "yes"
    assert set(covered.values()) == {"yes", "no"}
    assert "1 not covered" in result.stdout
    scope = {row[0]: row for row in markdown_rows(result.stdout, "2. Scope")}
    [sbom_row] = [row for path, row in scope.items() if path.endswith("partial.cdx.json")]
    assert sbom_row[1] == "sbom" and sbom_row[3] == hashlib.sha256(partial.read_bytes()).hexdigest()


@pytest.mark.parametrize("output_format", ["html", "markdown"])
def test_no_credential_from_the_soup_reaches_the_evidence_report(tmp_path: Path, output_format: str) -> None:
    """Requirement lines and chart repositories with credentials: the SOUP rows, the scope and the findings
    name the components, never the logins (as the SBOM formats do)."""
    from tests.sbom.test_no_secrets import MARKERS, _project

    project = _project(tmp_path / "project")
    target = tmp_path / f"report.{output_format}"
    result = CliRunner().invoke(
        main,
        ["evidence", str(project), "-o", str(target), "--format", output_format, "--today", "2026-12-07"],
    )
    assert result.exit_code in (0, 1), result.output
    written = target.read_text(encoding="utf-8")
    assert "mylib" in written and "redis" in written
    for marker in MARKERS:
        assert marker not in written, f"{marker} leaked into the {output_format} evidence report"


def test_identical_across_processes_with_different_hash_seeds(tmp_path: Path) -> None:
    """Sets and dictionaries may iterate differently in another process; the report must not."""
    import os
    import subprocess
    import sys

    outputs = []
    for seed in ("1", "2"):
        target = tmp_path / "report.html"
        environment = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO_ROOT)}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "medlint",
                "evidence",
                EXAMPLE,
                "--today",
                "2026-12-07",
                "-o",
                str(target),
            ],
            cwd=REPO_ROOT,
            env=environment,
            check=False,
            capture_output=True,
        )
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1] and b'<section id="soup"' in outputs[0]


def test_a_chart_at_the_root_claims_only_its_own_files(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "templates").mkdir()
    (root / "Chart.yaml").write_text("apiVersion: v2\nname: demo\nversion: 1.0.0\n", encoding="utf-8")
    (root / "values.yaml").write_text("{}\n", encoding="utf-8")
    (root / "templates" / "_helpers.tpl").write_text('{{- define "x" -}}x{{- end -}}\n', encoding="utf-8")
    (root / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\n", encoding="utf-8"
    )
    (root / ".env").write_text("A=1\n", encoding="utf-8")
    (root / "compose.yaml").write_text(
        "services:\n  web:\n    image: nginx:1.27.0\n    env_file: .env\n", encoding="utf-8"
    )
    report = lint(["."], cwd=root, today=TODAY)
    files = {item.path: item for item in build_view(report).scope.files}
    assert (files["templates/_helpers.tpl"].kind, files["templates/_helpers.tpl"].role) == (
        "helm",
        "template",
    )
    assert files[".env"].kind == "env file"
