"""`medlint evidence`: the audit evidence report (HTML or Markdown) for the design history file.

The command is declared in `medlint.cli` with every option of `check`; it lints exactly as `check` does (same
configuration, waivers, baseline, safety class and date) and its exit code follows the same gate; only the
output differs, which is written here. This module imports nothing heavy, so `medlint --version` stays fast;
Jinja2 is imported when a report is rendered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from medlint.report import Report

__all__ = ["write_evidence"]


def write_evidence(report: Report, output_format: str, output_path: str | None) -> Report:
    """Render the evidence report of a finished lint to standard output or a file; returns the sanitized
    report (what the gate reads). Raises OSError when the file cannot be written."""
    from medlint.report.evidence import render_evidence
    from medlint.report.sanitize import sanitized
    from medlint.report.text import summary_lines

    report = sanitized(report)
    document = render_evidence(report, output_format.lower())
    if output_path is None:
        click.echo(document, nl=False)
        return report
    from medlint.output_file import write_output  # never through a link leading out of the project

    write_output(output_path, document, root=report.root)
    click.echo("\n".join(summary_lines(report)), err=True)
    click.echo(f"Evidence report written to {output_path}.", err=True)
    return report
