"""`medlint evidence`: the audit evidence report (HTML or Markdown) for the design history file.

Registered in `medlint.cli`. It lints exactly as `check` does (same configuration, waivers, baseline,
safety class and date) and its exit code follows the same gate; only the output differs. This module imports
nothing heavy, so `medlint --version` stays fast; Jinja2 is imported when a report is rendered.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

__all__ = ["evidence_command"]


@click.command("evidence")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["html", "markdown"]),
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
    "--safety-class",
    type=click.Choice(["A", "B", "C"], case_sensitive=False),
    help="IEC 62304 software safety class; default: from regulatory.iec62304.class labels, else C.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "note"]),
    default=None,
    help="Lowest finding level that makes the exit code 1 (default: fail_on in the configuration, else error).",
)
@click.option("--exit-zero", is_flag=True, help="Always exit 0 unless the command line is wrong.")
@click.option(
    "--rules-dir",
    multiple=True,
    type=click.Path(file_okay=False),
    help="An extra directory of rule files (repeatable).",
)
@click.option("--exclude", multiple=True, help="Glob of repository paths to skip (repeatable).")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help="Configuration file (default: the nearest .medlint.yaml or pyproject.toml [tool.medlint]).",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False),
    help="Findings recorded in this baseline are listed as known (baselined) instead of open.",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The evaluation date: end-of-support rules and waiver expiry compare against it (default: today).",
)
@click.option(
    "--chart-path",
    "chart_path",
    multiple=True,
    type=click.Path(file_okay=False),
    help="A directory where Helm chart dependencies that are not vendored can be found (repeatable).",
)
def evidence_command(
    paths: tuple[str, ...],
    output_format: str,
    output_path: str | None,
    safety_class: str | None,
    fail_on: str | None,
    exit_zero: bool,
    rules_dir: tuple[str, ...],
    exclude: tuple[str, ...],
    config_file: str | None,
    baseline_file: str | None,
    today: Any,
    chart_path: tuple[str, ...],
) -> None:
    """Write the audit evidence report for PATHS: scope with file hashes, safety class, summary and gate,
    traceability matrix, findings and waivers. Exit code as `check`: 1 when the gate fails."""
    from medlint.cli import EXIT_FINDINGS, EXIT_OK, UsageProblem, _run_lint
    from medlint.report.evidence import render_evidence
    from medlint.report.text import summary_lines

    report = _run_lint(
        paths,
        safety_class=safety_class,
        fail_on=fail_on,
        rules_dir=rules_dir,
        exclude=exclude,
        config_file=config_file,
        baseline_file=baseline_file,
        today=today,
        chart_paths=chart_path,
    )
    document = render_evidence(report, output_format)
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
