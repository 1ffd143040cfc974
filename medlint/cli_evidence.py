"""`medlint evidence`: the audit evidence report (HTML or Markdown) for the design history file.

Registered in `medlint.cli`. It lints exactly as `check` does (same configuration, waivers, baseline,
safety class and date) and its exit code follows the same gate; only the output differs. This module imports
nothing heavy, so `medlint --version` stays fast; Jinja2 is imported when a report is rendered.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

__all__ = ["build_evidence_command"]


def build_evidence_command() -> click.Command:
    """Build the command with the shared lint options (imported here so `medlint.cli` can register it)."""
    from medlint.cli import LintOptions, lint_options

    @click.command("evidence")
    @lint_options
    @click.option(
        "--format",
        "output_format",
        type=click.Choice(["html", "markdown"], case_sensitive=False),
        default="html",
        show_default=True,
        help="html: one self-contained file to archive or print to PDF; markdown: for merge requests and wikis.",
    )
    @click.option(
        "--output",
        "-o",
        "output_path",
        type=click.Path(dir_okay=False),
        help="Write the report to this file (default: standard output).",
    )
    @click.option(
        "--fail-on",
        type=click.Choice(["error", "warning", "note"], case_sensitive=False),
        default=None,
        help="Lowest finding level that makes the exit code 1 (default: fail_on in the configuration, else error).",
    )
    @click.option("--exit-zero", is_flag=True, help="Always exit 0 unless the command line is wrong.")
    @click.option(
        "--baseline",
        "baseline_file",
        type=click.Path(dir_okay=False),
        help="Findings recorded in this baseline are listed as known (baselined) instead of open.",
    )
    def evidence_command(
        options: LintOptions,
        output_format: str,
        output_path: str | None,
        fail_on: str | None,
        exit_zero: bool,
        baseline_file: str | None,
    ) -> None:
        """Write the audit evidence report for PATHS: scope with file hashes, safety class, summary and gate,
        traceability matrix, findings and waivers. Takes every option of `check`; exit code as `check`: 1 when
        the gate fails."""
        from medlint.cli import EXIT_FINDINGS, EXIT_OK, UsageProblem, _run_lint
        from medlint.report.evidence import render_evidence
        from medlint.report.sanitize import sanitized
        from medlint.report.text import summary_lines

        report = sanitized(
            _run_lint(options, fail_on=fail_on.lower() if fail_on else None, baseline_file=baseline_file)
        )
        document = render_evidence(report, output_format.lower())
        if output_path is None:
            click.echo(document, nl=False)
        else:
            try:
                Path(output_path).parent.mkdir(parents=True, exist_ok=True)
                with open(output_path, "w", encoding="utf-8", newline="\n") as handle:
                    handle.write(document)
            except OSError as error:
                raise UsageProblem(f"cannot write {output_path}: {error.strerror or error}") from None
            click.echo("\n".join(summary_lines(report)), err=True)
            click.echo(f"Evidence report written to {output_path}.", err=True)
        sys.exit(EXIT_OK if exit_zero or not report.failing() else EXIT_FINDINGS)

    return evidence_command
