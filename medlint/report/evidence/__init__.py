"""Audit evidence: a self-contained report for the design history file (`medlint evidence`).

`assemble` turns a finished `Report` into a view model (pure functions), `render` shows that model as one HTML
file or as Markdown. Like every reporter, it never re-runs a check; the only reading it does is hashing the
files in scope (`digests`), with the same bounds as the analysis.
"""

from __future__ import annotations

from pathlib import Path

from medlint.report import Report
from medlint.report.evidence.assemble import SoupProducer, build_view, scope_paths
from medlint.report.evidence.digests import Digest, named_digests, project_digests

EVIDENCE_FORMATS = ("html", "markdown")


def digests_for(report: Report) -> dict[str, Digest]:
    """The SHA-256 of every file in the report's scope (bounded reads; see `digests`)."""
    project_paths, named = scope_paths(report)
    digests = project_digests(Path(report.root), project_paths)
    digests.update(named_digests({shown: Path(actual) for shown, actual in named.items()}))
    return digests


def render_evidence(
    report: Report,
    output_format: str = "html",
    digests: dict[str, Digest] | None = None,
    soup_producer: SoupProducer | None = None,
) -> str:
    """The evidence report in one format ("html" or "markdown"); every text redacted and printable first."""
    from medlint.report.evidence.render import render_html, render_markdown
    from medlint.report.sanitize import sanitized

    report = sanitized(report)

    if output_format not in EVIDENCE_FORMATS:
        raise ValueError(f"unknown evidence format {output_format!r}")
    view = build_view(report, digests_for(report) if digests is None else digests, soup_producer)
    return render_html(view) if output_format == "html" else render_markdown(view)
