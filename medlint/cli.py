"""Command line: `medlint check`, `medlint rules`.

Imports are lazy, so `medlint --version` and a pre-commit run on one file stay fast. Exit codes: 0 nothing
at or above the failing level, 1 findings at or above it (or an internal error: fail closed), 2 usage or
configuration error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from medlint import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageProblem(click.ClickException):
    """A problem the user can fix in the command line or the configuration: exit code 2."""

    exit_code = EXIT_USAGE

    def format_message(self) -> str:
        return self.message


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="medlint")
def main() -> None:
    """medlint: IEC 62304 / FDA compliance linter for Dockerfiles, Compose, Kubernetes and Helm."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "output_format", type=click.Choice(["text", "json", "sarif"]), default="text",
              show_default=True, help="Output format.")
@click.option("--output", "-o", "output_path", type=click.Path(dir_okay=False, writable=True),
              help="Write the report to this file instead of standard output.")
@click.option("--safety-class", type=click.Choice(["A", "B", "C"], case_sensitive=False),
              help="IEC 62304 software safety class; default: from regulatory.iec62304.class labels, else C.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "note"]), default="error", show_default=True,
              help="Lowest finding level that makes the exit code 1.")
@click.option("--exit-zero", is_flag=True, help="Always exit 0 unless the command line is wrong (for report-only jobs).")
@click.option("--rules-dir", multiple=True, type=click.Path(file_okay=False),
              help="An extra directory of rule files (repeatable).")
@click.option("--exclude", multiple=True, help="Glob of repository paths to skip (repeatable).")
def check(paths: tuple[str, ...], output_format: str, output_path: str | None, safety_class: str | None,
          fail_on: str, exit_zero: bool, rules_dir: tuple[str, ...], exclude: tuple[str, ...]) -> None:
    """Lint PATHS (files or directories) and report findings."""
    from medlint.api import lint
    from medlint.discover import DiscoveryError
    from medlint.report import render
    from medlint.rulepack import RulePackError

    try:
        report = lint(
            list(paths),
            safety_class=safety_class,
            fail_on=fail_on,
            rules_dirs=rules_dir,
            excludes=exclude,
            command_line=("medlint", "check", *sys.argv[2:]) if len(sys.argv) > 2 else (),
        )
    except (RulePackError, DiscoveryError) as error:
        raise UsageProblem(str(error)) from None
    if output_format == "text" and output_path is None:
        from medlint.report.text import render_text

        color = sys.stdout.isatty() and "NO_COLOR" not in __import__("os").environ
        text = render_text(report, color=color)
    else:
        text = render(report, output_format)
    if output_path:
        Path(output_path).write_text(text, encoding="utf-8")
        if output_format != "text":
            from medlint.report.text import summary_lines

            click.echo("\n".join(summary_lines(report)), err=True)
    else:
        click.echo(text, nl=False)
    if exit_zero:
        sys.exit(EXIT_OK)
    sys.exit(EXIT_FINDINGS if report.failing() else EXIT_OK)


@main.command()
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--rules-dir", multiple=True, type=click.Path(file_okay=False), help="An extra directory of rule files.")
def rules(output_format: str, rules_dir: tuple[str, ...]) -> None:
    """List the rules with their levels per safety class and the artifact kinds they cover."""
    import json

    from medlint.rulepack import RulePackError, load_rule_pack

    try:
        pack = load_rule_pack(tuple(rules_dir))
    except RulePackError as error:
        raise UsageProblem(str(error)) from None
    rows = [
        {
            "id": rule.id,
            "name": rule.slug,
            "title": rule.title,
            "levels": {cls: rule.level[cls] for cls in ("A", "B", "C")},
            "applies_to": [kind.value for kind in rule.applies_to],
        }
        for rule in pack.rules
    ]
    if output_format == "json":
        click.echo(json.dumps({"rule_pack_version": pack.version, "rules": rows}, indent=2))
        return
    click.echo(f"{'ID':<6} {'NAME':<28} {'A':<8} {'B':<8} {'C':<8} APPLIES TO")
    for row in rows:
        levels = row["levels"]
        click.echo(f"{row['id']:<6} {row['name']:<28} {levels['A']:<8} {levels['B']:<8} {levels['C']:<8} "
                   f"{', '.join(row['applies_to'])}")
    click.echo(f"\n{len(rows)} rules, rule pack {pack.version}")


if __name__ == "__main__":  # pragma: no cover
    main()
