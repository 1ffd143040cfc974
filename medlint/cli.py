"""Command line: `medlint check`, `medlint rules`.

Imports are lazy, so `medlint --version` and a pre-commit run on one file stay fast. Exit codes: 0 nothing
at or above the failing level, 1 findings at or above it (or an internal error: fail closed), 2 usage or
configuration error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from medlint import __version__

if TYPE_CHECKING:
    from medlint.report import Report

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageProblem(click.ClickException):
    """A problem the user can fix in the command line or the configuration: exit code 2."""

    exit_code = EXIT_USAGE

    def format_message(self) -> str:
        return self.message


# --- report outputs (--format, --output): several formats from one run -------------------------------------
#: The same names as medlint.report.FORMATS, repeated here so `medlint --version` imports nothing heavy.
OUTPUT_FORMATS = ("text", "json", "sarif", "junit", "github", "gitlab")


def _parse_outputs(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[tuple[str | None, str], ...]:
    """Each --output as (format, path); format None for a plain PATH, which gets --format."""
    import re

    parsed: list[tuple[str | None, str]] = []
    for value in values:
        name, sep, path = value.partition("=")
        if sep and name in OUTPUT_FORMATS:
            if not path:
                raise click.BadParameter(f"no path after '{name}=' in {value!r}.", ctx, param)
            parsed.append((name, path))
        elif sep and re.fullmatch(r"[A-Za-z]+", name):
            raise click.BadParameter(
                f"unknown format {name!r} in {value!r} (one of {', '.join(OUTPUT_FORMATS)}; "
                f"write ./{value} for a file of that name).",
                ctx,
                param,
            )
        else:
            parsed.append((None, value))
    paths = [path for _, path in parsed]
    if len(set(paths)) < len(paths):
        raise click.BadParameter(
            f"{next(p for p in paths if paths.count(p) > 1)!r} is given more than once.", ctx, param
        )
    return tuple(parsed)


def _write_outputs(report: Report, output_format: str, outputs: tuple[tuple[str | None, str], ...]) -> None:
    """Write each requested file; standard output gets --format unless a plain --output PATH took it."""
    import os

    from medlint.report import render
    from medlint.report.sanitize import sanitized
    from medlint.report.text import render_text, summary_lines

    rendered: dict[str, str] = {}  # one rendering per format, so the GitHub job summary is appended once
    report = sanitized(report)  # once, for every format

    def report_in(fmt: str) -> str:
        if fmt not in rendered:
            summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
            try:
                rendered[fmt] = render(report, fmt, step_summary_path=summary_path)
            except OSError as error:  # only the github format writes a file while rendering
                raise UsageProblem(
                    f"cannot write GITHUB_STEP_SUMMARY {summary_path}: {error.strerror or error}"
                ) from None
        return rendered[fmt]

    for fmt, path in outputs:
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)  # CI artifact folders often do not exist yet
            Path(path).write_text(report_in(fmt or output_format), encoding="utf-8")
        except OSError as error:
            raise UsageProblem(f"cannot write {path}: {error.strerror or error}") from None
    if any(fmt is None for fmt, _ in outputs):
        if output_format != "text":
            click.echo("\n".join(summary_lines(report)), err=True)
    elif output_format == "text":
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        click.echo(render_text(report, color=color), nl=False)
    else:
        click.echo(report_in(output_format), nl=False)


def _silence_stdout() -> None:
    """After a failed write, point standard output at the null device, so the interpreter's final flush of
    what is still buffered cannot fail again (and print a second error)."""
    import contextlib
    import os

    with contextlib.suppress(OSError):
        sys.stdout.flush()
    with contextlib.suppress(OSError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)


class _Main(click.Group):
    """The command group; an output that cannot be written (a full disk, a closed pipe) is exit code 2
    with a message naming the problem, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OSError as error:
            _silence_stdout()
            raise UsageProblem(
                f"cannot write the output: {error.strerror or error}"
                + (f" ({error.filename})" if error.filename else "")
            ) from None


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="medlint")
def main() -> None:
    """medlint: IEC 62304 / FDA compliance linter for Dockerfiles, Compose, Kubernetes and Helm."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(OUTPUT_FORMATS),
    default="text",
    show_default=True,
    help="Format for standard output or a plain --output PATH.",
)
@click.option(
    "--output",
    "-o",
    "outputs",
    multiple=True,
    metavar="[FORMAT=]PATH",
    callback=_parse_outputs,
    help="Write the --format report to PATH instead of standard output; or, as FORMAT=PATH (repeatable), "
    "also write that format, e.g. -o sarif=medlint.sarif -o junit=junit.xml.",
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
@click.option(
    "--exit-zero", is_flag=True, help="Always exit 0 unless the command line is wrong (for report-only jobs)."
)
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
    help="Report only findings not recorded in this baseline (see `medlint baseline create`).",
)
@click.option(
    "--sarif-omit-suppressed",
    is_flag=True,
    help="Leave waived results out of SARIF (for GitHub, which shows them as open alerts).",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The date end-of-support rules and waiver expiry compare against (default: today).",
)
@click.option(
    "--chart-path",
    "chart_path",
    multiple=True,
    type=click.Path(file_okay=False),
    help="A directory where Helm chart dependencies that are not vendored can be found (repeatable).",
)
def check(
    paths: tuple[str, ...],
    output_format: str,
    outputs: tuple[tuple[str | None, str], ...],
    safety_class: str | None,
    fail_on: str | None,
    exit_zero: bool,
    rules_dir: tuple[str, ...],
    exclude: tuple[str, ...],
    config_file: str | None,
    baseline_file: str | None,
    sarif_omit_suppressed: bool,
    today: Any,
    chart_path: tuple[str, ...],
) -> None:
    """Lint PATHS (files or directories) and report findings."""
    import dataclasses

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
    report = dataclasses.replace(report, sarif_omit_suppressed=sarif_omit_suppressed)
    _write_outputs(report, output_format, outputs)
    if exit_zero:
        sys.exit(EXIT_OK)
    sys.exit(EXIT_FINDINGS if report.failing() else EXIT_OK)


def _run_lint(
    paths: tuple[str, ...],
    *,
    safety_class: str | None = None,
    fail_on: str | None = None,
    rules_dir: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    config_file: str | None = None,
    baseline_file: str | None = None,
    today: Any = None,
    chart_paths: tuple[str, ...] = (),
) -> Report:
    """Load configuration and baseline, lint, and turn every usage problem into exit code 2."""
    from medlint.api import lint
    from medlint.baseline import BaselineError, read_baseline
    from medlint.config import ConfigError, find_config, load_config
    from medlint.discover import DiscoveryError
    from medlint.rulepack import RulePackError

    try:
        if config_file is not None:
            if not Path(config_file).is_file():
                raise ConfigError(f"configuration file '{config_file}' does not exist")
            config_path: Path | None = Path(config_file)
        else:
            config_path = find_config(Path(paths[0]).resolve() if paths else Path.cwd())
        config = load_config(config_path)
        baseline = read_baseline(Path(baseline_file)) if baseline_file else None
        return lint(
            list(paths),
            safety_class=safety_class,
            fail_on=fail_on,
            rules_dirs=rules_dir,
            excludes=exclude,
            config=config,
            baseline=baseline,
            today=today.date() if today is not None else None,
            command_line=("medlint", *sys.argv[1:]) if len(sys.argv) > 1 else (),
            chart_paths=chart_paths,
        )
    except (RulePackError, DiscoveryError, ConfigError, BaselineError) as error:
        raise UsageProblem(str(error)) from None


@main.group()
def baseline() -> None:
    """Record accepted findings so that only new ones fail the build."""


@baseline.command("create")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--output",
    "-o",
    "output_path",
    default=".medlint-baseline.json",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Where to write the baseline.",
)
@click.option("--safety-class", type=click.Choice(["A", "B", "C"], case_sensitive=False))
@click.option("--config", "config_file", type=click.Path(dir_okay=False))
def baseline_create(
    paths: tuple[str, ...], output_path: str, safety_class: str | None, config_file: str | None
) -> None:
    """Lint PATHS and record every current (unwaived) finding in a baseline file."""
    from medlint.baseline import baseline_document, write_baseline

    report = _run_lint(paths, safety_class=safety_class, config_file=config_file)
    document = baseline_document(report.result.findings, report.tool_version, report.pack.version)
    try:
        write_baseline(Path(output_path), document)
    except OSError as error:
        raise UsageProblem(f"cannot write {output_path}: {error.strerror or error}") from None
    click.echo(f"Baseline with {len(document['findings'])} findings written to {output_path}.")


@main.command()
@click.option(
    "--output",
    "-o",
    "output_path",
    default=".medlint.yaml",
    show_default=True,
    type=click.Path(dir_okay=False),
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(output_path: str, force: bool) -> None:
    """Write a commented starter configuration."""
    from medlint.config import STARTER

    target = Path(output_path)
    if target.exists() and not force:
        raise UsageProblem(f"{output_path} already exists; use --force to overwrite it")
    target.write_text(STARTER, encoding="utf-8")
    click.echo(f"Wrote {output_path}. Edit it, then run `medlint check .`.")


@main.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Show a rule's full documentation, with a failing and a passing example from its fixtures."""
    from medlint.ruledocs import explain_text
    from medlint.rulepack import RulePackError, load_rule_pack

    try:
        pack = load_rule_pack()
    except RulePackError as error:
        raise UsageProblem(str(error)) from None
    rule = pack.get(rule_id.upper())
    if rule is None:
        raise UsageProblem(f"unknown rule '{rule_id}'; `medlint rules` lists them")
    click.echo(explain_text(rule), nl=False)


@main.command()
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--rules-dir", multiple=True, type=click.Path(file_okay=False), help="An extra directory of rule files."
)
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
        click.echo(
            f"{row['id']:<6} {row['name']:<28} {levels['A']:<8} {levels['B']:<8} {levels['C']:<8} "
            f"{', '.join(row['applies_to'])}"
        )
    click.echo(f"\n{len(rows)} rules, rule pack {pack.version}")


def _register_render() -> None:
    """`medlint render`: prints what medlint lints for a chart, like `helm template` (heavy modules load lazily)."""
    from medlint.helm.cli_render import render_command

    main.add_command(render_command)


_register_render()


if __name__ == "__main__":  # pragma: no cover
    main()
