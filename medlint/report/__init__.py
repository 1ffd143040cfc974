"""Reporters: they read a finished `Report` and format it. They never re-run checks.

Output is deterministic (no timestamps, sorted findings), so the same input gives byte-identical output.
"""

from __future__ import annotations

from collections.abc import Callable

from medlint.report.document import Report

__all__ = ["FORMATS", "Report", "render", "write"]

FORMATS = ("text", "json", "sarif", "junit", "github", "gitlab")


def render(report: Report, output_format: str, *, step_summary_path: str | None = None) -> str:
    """The report in one format. `step_summary_path` (GitHub's $GITHUB_STEP_SUMMARY, passed in by the CLI so
    reporters never read the environment) makes the `github` format also append a Markdown job summary.

    Every text is redacted and made printable first (`medlint.report.sanitize`), whatever made it."""
    from medlint.report.sanitize import sanitized

    report = sanitized(report)
    if output_format == "text":
        from medlint.report.text import render_text

        return render_text(report, color=False)
    if output_format == "json":
        from medlint.report.json_report import render_json

        return render_json(report)
    if output_format == "sarif":
        from medlint.report.sarif import render_sarif

        return render_sarif(report)
    if output_format == "junit":
        from medlint.report.junit import render_junit

        return render_junit(report)
    if output_format == "github":
        from medlint.report.github import render_github

        return render_github(report, step_summary_path)
    if output_format == "gitlab":
        from medlint.report.gitlab import render_gitlab

        return render_gitlab(report)
    raise ValueError(f"unknown output format {output_format!r}")


def write(
    report: Report, output_format: str, sink: Callable[[str], object], *, step_summary_path: str | None = None
) -> None:
    """`render` handed to `sink` (a stream's `write`) in pieces: JSON and SARIF reports of a large scan are
    never held as one string (or as one dictionary per finding) in memory; nor is a text report."""
    if output_format == "text":
        from medlint.report.sanitize import sanitized
        from medlint.report.text import write_text

        write_text(sanitized(report), sink)
    elif output_format == "json":
        from medlint.report.json_report import write_json
        from medlint.report.sanitize import sanitized

        write_json(sanitized(report), sink)
    elif output_format == "sarif":
        from medlint.report.sanitize import sanitized
        from medlint.report.sarif import write_sarif

        write_sarif(sanitized(report), sink)
    else:
        sink(render(report, output_format, step_summary_path=step_summary_path))
