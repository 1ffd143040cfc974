"""Audit evidence: a self-contained report for the design history file (`medlint evidence`).

`assemble` turns a finished `Report` into a view model (pure functions), `render` shows that model as one HTML
file or as Markdown. Like every reporter, it never re-runs a check and reads no file: the digests of the files
in scope are those the run recorded as it read them (`Report.file_digests`).
"""

from __future__ import annotations

from medlint.report import Report
from medlint.report.evidence.assemble import SoupProducer, build_view, recorded_digests
from medlint.report.evidence.digests import Digest
from medlint.report.evidence.soup import inventory_rows

EVIDENCE_FORMATS = ("html", "markdown")


def digests_for(report: Report) -> dict[str, Digest]:
    """The SHA-256 of every file the run read, as recorded while reading (no I/O here)."""
    return recorded_digests(report)


def render_evidence(
    report: Report,
    output_format: str = "html",
    digests: dict[str, Digest] | None = None,
    soup_producer: SoupProducer | None = inventory_rows,
) -> str:
    """The evidence report in one format ("html" or "markdown"); every text redacted and printable first.
    The SOUP section comes from `soup_producer`: by default each system's inventory (`soup.inventory_rows`,
    what `medlint sbom` writes); None leaves the section without rows, saying so."""
    from medlint.report.evidence.render import render_html, render_markdown
    from medlint.report.sanitize import sanitized

    report = sanitized(report)

    if output_format not in EVIDENCE_FORMATS:
        raise ValueError(f"unknown evidence format {output_format!r}")
    view = build_view(report, digests, soup_producer)
    return render_html(view) if output_format == "html" else render_markdown(view)
