"""The evidence report in a real browser (headless Chromium): what an auditor opens, prints and files.

Checks: the matrix renders with the rows of the view model, no request leaves the page (every request is
routed and recorded; only the report itself is served), hostile names from a fixture appear as text and run
nothing, and printing to PDF starts each section on a new page with table headers repeated. PDF page texts
are read with pypdf (pure Python, in the test extra), so no system tool is needed beyond Chromium.
"""

from __future__ import annotations

import datetime
import io
import unicodedata
from typing import Any

import pytest

from medlint.api import lint
from medlint.report import Report
from medlint.report.evidence import digests_for, render_evidence
from medlint.report.evidence.assemble import build_view
from medlint.report.evidence.model import SoupRow
from medlint.report.evidence.render import SECTIONS
from medlint.report.evidence.soup import inventory_rows
from tests.browser.chromium import Session
from tests.conftest import EXAMPLE, REPO_ROOT

pytest.importorskip("playwright", reason="Playwright for Python is in the test extra")

TODAY = datetime.date(2026, 12, 7)
HOSTILE = "fixtures/evidence/hostile"
HOSTILE_TEXTS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "<img src=x onerror=alert(3)>",
)


@pytest.fixture(scope="module")
def example() -> Report:
    return lint(
        [EXAMPLE],
        cwd=REPO_ROOT,
        today=TODAY,
        command_line=("medlint", "evidence", EXAMPLE, "-o", "report.html"),
    )


@pytest.fixture(scope="module")
def example_page(browser: Session, example: Report) -> Any:
    page = browser.open_report(render_evidence(example, "html"))
    yield page
    page.close()


def test_page_makes_no_request(browser: Session, example_page: Any) -> None:
    example_page.pdf(format="A4")  # printing (print media) loads nothing either
    assert browser.outside == []
    assert example_page.evaluate("performance.getEntriesByType('resource').length") == 0


def test_the_request_check_can_fail(browser: Session) -> None:
    """The same harness does see a request from a page that tries to load something."""
    before = len(browser.outside)
    page = browser.open_report(
        '<!DOCTYPE html><html><body><img src="https://cdn.example.invalid/x.png"></body></html>'
    )
    page.wait_for_load_state("load")
    page.close()
    assert browser.outside[before:] == ["https://cdn.example.invalid/x.png"]
    del browser.outside[before:]


def test_matrix_renders_with_the_expected_rows(example: Report, example_page: Any) -> None:
    view = build_view(example, digests_for(example))
    expected = [(group.standard, row.clause) for group in view.matrix.groups for row in group.rows]
    assert len(expected) > 100
    rendered = example_page.eval_on_selector_all(
        "#matrix div.standard",
        """blocks => blocks.flatMap(block => Array.from(block.querySelectorAll('tbody tr')).map(
               row => [block.querySelector('h3').firstChild.textContent.trim(), row.cells[0].innerText.trim()]))""",
    )
    assert [tuple(row) for row in rendered] == expected
    iec = example_page.locator("#matrix div.standard").first
    assert iec.locator("h3").inner_text().startswith("IEC 62304")
    assert iec.locator("tbody tr").first.is_visible()
    row = iec.locator("tbody tr", has_text="8.1.2 c)").first
    assert "MD101" in row.inner_text() and "fail" in row.inner_text()


def _soup_cells(page: Any) -> list[list[str]]:
    return page.eval_on_selector_all(
        "#soup table tbody tr", "rows => rows.map(row => Array.from(row.cells).map(c => c.innerText.trim()))"
    )


def test_soup_table_renders_with_the_expected_rows(example: Report, example_page: Any) -> None:
    """The example's SOUP inventory (what `medlint sbom` writes), one row per SOUP component."""
    view = build_view(example, soup_producer=inventory_rows)
    assert len(view.soup.rows) >= 10
    soup = example_page.locator("#soup")
    assert soup.locator("h2").inner_text() == "8. SOUP inventory"
    expected = [
        [
            row.name,
            row.kind,
            row.version or "not known",
            row.supplier or "not known",
            row.scope,
            row.level_of_support or "not known",
            row.end_of_support or "not known",
            "no SBOM supplied",
            row.location,
        ]
        for row in view.soup.rows
    ]
    assert _soup_cells(example_page) == expected
    debian = soup.locator("tbody tr", has_text="bullseye-slim").first
    assert "no longer maintained" in debian.inner_text() and "2026-08-31" in debian.inner_text()


def test_soup_rows_from_a_producer_show_hostile_names_as_text(browser: Session, example: Report) -> None:
    rows = (
        SoupRow("<img src=x onerror=alert(7)>", "1.0", "", "build-only", "", "", False, "Dockerfile:1"),
        SoupRow("postgres", "16.4", "Docker Official Images", "deployed", "", "", True, "compose.yaml:3"),
    )
    page = browser.open_report(render_evidence(example, "html", soup_producer=lambda report: rows))
    try:
        cells = _soup_cells(page)
        assert [row[0] for row in cells] == ["<img src=x onerror=alert(7)>", "postgres"]
        assert [row[7] for row in cells] == ["no", "yes"]
        assert page.locator("#soup img").count() == 0
        assert browser.dialogs == [] and browser.outside == []
    finally:
        page.close()


def test_hostile_names_show_as_text(browser: Session) -> None:
    report = lint([HOSTILE], cwd=REPO_ROOT, today=TODAY)
    page = browser.open_report(render_evidence(report, "html"))
    try:
        text = page.inner_text("body")
        for hostile in HOSTILE_TEXTS:
            assert hostile in text
        assert "<b>one replica</b>" in page.inner_text("#waivers")
        assert page.locator("script").count() == 0
        assert page.locator("img").count() == 0
        assert page.locator("#waivers b, #waivers i").count() == 0
        assert browser.dialogs == []
        assert browser.outside == []
    finally:
        page.close()


def _pdf_pages(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [
        unicodedata.normalize("NFKC", page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages
    ]


def test_printing_starts_each_section_on_a_new_page_with_repeated_headers(
    browser: Session, example: Report
) -> None:
    page = browser.open_report(render_evidence(example, "html"))
    try:
        pages = _pdf_pages(page.pdf(format="A4", print_background=True))
    finally:
        page.close()
    starts = []
    for anchor, title in SECTIONS:
        found = [index for index, text in enumerate(pages) if title in text.splitlines()]
        assert len(found) == 1, (title, found)
        starts.append(found[0])
        if anchor != "identification":
            assert pages[found[0]].strip().splitlines()[0] == title  # the section opens its page
    assert starts == sorted(set(starts)) and starts[0] == 0
    # every page of the long matrix and findings sections shows its table's column headers
    matrix = range(starts[4], starts[5])
    findings = range(starts[5], starts[6])
    assert len(matrix) > 1 and len(findings) > 1
    for index in matrix:
        assert "Clause Rules Status" in pages[index], index
    for index in findings:
        assert "Level Location Object Message State" in pages[index], index
