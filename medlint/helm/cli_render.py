"""``medlint render``: print the manifests medlint lints for a chart, as ``helm template`` prints them.

Register it in :mod:`medlint.cli` with ``main.add_command(render_command)``. Output goes to standard
output (``---`` / ``# Source: <chart>/templates/<file>`` per document, Helm's install order); every
problem goes to standard error. Like the linter, a failing template does not hide the others: they are
still printed, and the exit code is 1. Exit codes: 0 rendered, 1 a render problem, 2 usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

__all__ = ["render_command"]


def _split_api_versions(values: tuple[str, ...]) -> tuple[str, ...]:
    """``--api-versions`` may be repeated or comma-separated, as in Helm."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


@click.command("render")
@click.argument("chart", type=click.Path(exists=True, path_type=Path))
@click.option(
    "-f",
    "--values",
    "values_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A values file applied over the chart's values.yaml (repeatable; later files win).",
)
@click.option(
    "--set",
    "set_values",
    multiple=True,
    metavar="KEY=VALUE",
    help="A value in Helm's --set syntax: a.b=c, list[0]=x, {a,b}, escape with \\, and \\. (repeatable).",
)
@click.option(
    "--set-string",
    "set_string_values",
    multiple=True,
    metavar="KEY=VALUE",
    help="Like --set, but every value stays a string (repeatable).",
)
@click.option(
    "--kube-version",
    metavar="VERSION",
    help="Kubernetes version for .Capabilities.KubeVersion (default v1.31.0, as Helm 3.16 binaries) and for "
    "the built-in API versions of .Capabilities.APIVersions (those that version's API server serves).",
)
@click.option(
    "--api-versions",
    multiple=True,
    metavar="GROUP/VERSION",
    help="Extra API versions for .Capabilities.APIVersions (repeatable or comma-separated).",
)
@click.option(
    "-n",
    "--namespace",
    metavar="NAME",
    default="default",
    show_default=True,
    help="The release namespace (.Release.Namespace), as `helm template --namespace`.",
)
@click.option(
    "--chart-path",
    "chart_paths",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A directory holding charts (NAME/ or NAME-VERSION.tgz) for dependencies that are not vendored.",
)
def render_command(
    chart: Path,
    values_files: tuple[Path, ...],
    set_values: tuple[str, ...],
    set_string_values: tuple[str, ...],
    kube_version: str | None,
    api_versions: tuple[str, ...],
    namespace: str,
    chart_paths: tuple[Path, ...],
) -> None:
    """Render CHART (a directory or .tgz) with release name "release-name" in namespace "default" (or
    the one given with --namespace)."""
    from medlint.config import namespace_problem
    from medlint.helm.chart import ChartError, check_installable, missing_dependencies
    from medlint.helm.lint_renders import ValuesSet, load_for_render, user_values
    from medlint.helm.render import RenderError, RenderOptions, format_manifests, render_chart
    from medlint.helm.values import ValuesError

    root = Path.cwd()
    problem = namespace_problem(namespace)
    if problem:
        raise click.BadParameter(problem, param_hint="'--namespace'")

    def fail(message: str) -> None:
        click.echo(f"Error: {message}", err=True)
        sys.exit(1)

    try:
        loaded, _missing = load_for_render(chart, root, chart_paths)
        check_installable(loaded)
    except ChartError as error:
        fail(error.message)
        return
    problems = 0
    absent = [req.name for chart_ in loaded.all_charts() for req in missing_dependencies(chart_)]
    if absent:
        click.echo(
            "Error: An error occurred while checking for chart dependencies. You may need to run "
            "`helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in "
            f"charts/ directory: {', '.join(absent)} (rendered without them; pass --chart-path DIR to use "
            "local copies)",
            err=True,
        )
        problems += 1
    try:
        values = user_values(
            ValuesSet("command line", tuple(values_files), tuple(set_values), tuple(set_string_values)), root
        )
    except ValuesError as error:
        fail(str(error))
        return
    options = RenderOptions(
        namespace=namespace,
        kube_version=kube_version,
        api_versions=_split_api_versions(api_versions),
        keep_going=True,
    )
    try:
        result = render_chart(loaded, values, options)
    except (ChartError, RenderError) as error:
        fail(error.message)
        return
    if result.manifests or not result.errors:
        click.echo(format_manifests(result.manifests), nl=False)
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    for render_error in result.errors:
        click.echo(f"Error: {render_error.message}", err=True)
        problems += 1
    if problems:
        sys.exit(1)
