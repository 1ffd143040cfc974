"""Command line: `medlint check`, `medlint fix`, `medlint rules`, `medlint evidence` (written by `medlint.cli_evidence`),
`medlint sbom` (written by `medlint.cli_sbom`).

Imports are lazy, so `medlint --version` and a pre-commit run on one file stay fast. Exit codes: 0 nothing
at or above the failing level, 1 findings at or above it (or an internal error: fail closed), 2 usage or
configuration error.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
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


#: Formats written to their file or standard output piece by piece (`medlint.report.write`).
STREAMED_FORMATS = ("text", "json", "sarif")


def _write_outputs(
    report: Report,
    output_format: str,
    outputs: tuple[tuple[str | None, str], ...],
    *,
    statistics: bool = False,
    quiet: bool = False,
) -> None:
    """Write each requested file; standard output gets --format unless a plain --output PATH took it."""
    import os

    from medlint.output_file import open_output
    from medlint.report import render
    from medlint.report import write as write_report
    from medlint.report.sanitize import sanitized
    from medlint.report.text import statistics_text, summary_lines, write_text

    rendered: dict[str, str] = {}  # one rendering per format, so the GitHub job summary is appended once
    root = report.root
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

    def write(fmt: str, sink: Callable[[str], object]) -> None:
        if fmt in STREAMED_FORMATS:
            write_report(report, fmt, sink)  # in pieces: a large report is never one string in memory
        else:
            sink(report_in(fmt))

    for fmt, path in outputs:
        try:
            with open_output(path, root=root) as stream:  # never through a link leading out
                write(fmt or output_format, stream.write)
        except OSError as error:
            raise UsageProblem(f"cannot write {path}: {error.strerror or error}") from None
    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    if statistics:
        click.echo(statistics_text(report, quiet=quiet), nl=False)
    elif any(fmt is None for fmt, _ in outputs):
        if output_format != "text" and not quiet:
            click.echo("\n".join(summary_lines(report)), err=True)
    elif output_format == "text":
        write_text(report, lambda text: click.echo(text, nl=False), color=color, quiet=quiet)
    else:
        write(output_format, lambda text: click.echo(text, nl=False))


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


# --- the options every linting command shares (check, baseline create, and later sbom, evidence, fix) -----


@dataclass(frozen=True)
class LintOptions:
    """What to lint and how: the options `check`, `baseline create` and every later linting command share.

    Built once by :func:`lint_options`, so a new command gets every file-selecting option by adding one
    decorator, and a baseline can never be made from a different selection than the check that uses it.
    """

    paths: tuple[str, ...] = (".",)
    safety_class: str | None = None
    rules_dir: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    config_file: str | None = None
    today: Any = None
    chart_path: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    values_files: tuple[str, ...] = ()
    set_values: tuple[str, ...] = ()
    set_string_values: tuple[str, ...] = ()
    kube_version: str | None = None
    api_versions: tuple[str, ...] = ()
    namespace: str | None = None
    allow_empty: bool = False
    gitignore: bool = True
    stdin_filename: str | None = None
    context: bool = True
    release_manifest: str | None = None
    sbom: tuple[str, ...] = ()


def _comma_separated(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    """Repeatable options that also take comma-separated lists (`--select MD201,MD202`)."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _namespace_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A release namespace must be a Kubernetes namespace name (a DNS-1123 label), as Helm requires."""
    from medlint.config import namespace_problem

    problem = namespace_problem(value) if value is not None else None
    if problem:
        raise click.BadParameter(problem)
    return value


_LINT_OPTIONS = (
    click.argument("paths", nargs=-1, metavar="[PATHS]..."),
    click.option(
        "--safety-class",
        type=click.Choice(["A", "B", "C"], case_sensitive=False),
        help="IEC 62304 software safety class; default: from regulatory.iec62304.class labels, else C.",
    ),
    click.option(
        "--select",
        multiple=True,
        callback=_comma_separated,
        metavar="RULES",
        help="Run only these rules: ids or id prefixes (MD2 = every MD2xx rule), repeatable or "
        "comma-separated. Replaces `rules.enable` of the configuration, as ruff's --select does.",
    ),
    click.option(
        "--ignore",
        multiple=True,
        callback=_comma_separated,
        metavar="RULES",
        help="Do not run these rules (ids or prefixes); added to `rules.disable` of the configuration.",
    ),
    click.option(
        "--rules-dir",
        multiple=True,
        type=click.Path(file_okay=False),
        help="An extra directory of rule files (repeatable).",
    ),
    click.option(
        "--exclude",
        multiple=True,
        metavar="GLOB",
        help="Repository paths to skip, as gitignore globs: ** matches any number of folders, so "
        "'**/k8s/**' skips a top-level k8s/ too; a pattern without / matches a name at any depth "
        "(repeatable). Files named on the command line are skipped too when they match.",
    ),
    click.option(
        "--no-gitignore",
        "gitignore",
        flag_value=False,
        default=True,
        help="Also scan what .gitignore files leave out. By default directory scans honour the checkout's "
        ".gitignore files (not your global git configuration); files named explicitly are always read.",
    ),
    click.option(
        "--no-context",
        "context",
        flag_value=False,
        default=True,
        help="Lint named files alone. By default a named file is checked with the rest of its system (the "
        "configuration's folder, else the repository) as context, and only its own findings are reported, "
        "so a pre-commit run agrees with a full scan.",
    ),
    click.option(
        "--release-manifest",
        type=click.Path(dir_okay=False),
        metavar="FILE",
        help="JSON mapping each released image reference to its digest (schemas/release-manifest.schema.json); "
        "MD903 compares the digests pinned in the artifacts with it.",
    ),
    click.option(
        "--sbom",
        "sbom",
        multiple=True,
        type=click.Path(dir_okay=False),
        metavar="FILE",
        help="The SOUP inventory kept for the system: an SBOM (CycloneDX 1.x JSON or XML, SPDX 2.x JSON; "
        "repeatable). MD904 checks it lists every image the system deploys with its SOUP fields, MD114 reads "
        "its end-of-support dates. Replaces `sbom:` of the configuration, for every system.",
    ),
    click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False),
        help="Configuration file (default: the nearest .medlint.yaml or pyproject.toml [tool.medlint]).",
    ),
    click.option(
        "--today",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        help="The date end-of-support rules and waiver expiry compare against (default: today).",
    ),
    click.option(
        "--chart-path",
        "chart_path",
        multiple=True,
        type=click.Path(file_okay=False),
        help="A directory where Helm chart dependencies that are not vendored can be found (repeatable).",
    ),
    click.option(
        "-f",
        "--values",
        "values_files",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False),
        help="Helm values file for the charts being linted (repeatable; later files win). With -f, --set "
        "or --set-string, each chart is rendered once with its values.yaml plus these values (a values "
        "set named after the files) instead of values.yaml alone; its values-*.yaml sets still render.",
    ),
    click.option(
        "--set",
        "set_values",
        multiple=True,
        metavar="KEY=VALUE",
        help="A Helm value in --set syntax (a.b=c, list[0]=x), applied after -f files (repeatable).",
    ),
    click.option(
        "--set-string",
        "set_string_values",
        multiple=True,
        metavar="KEY=VALUE",
        help="Like --set, but every value stays a string (repeatable).",
    ),
    click.option(
        "--kube-version",
        metavar="VERSION",
        help="Kubernetes version charts are rendered for: .Capabilities.KubeVersion, and the built-in API "
        "versions .Capabilities.APIVersions offers, as that version's API server serves them (default v1.31.0).",
    ),
    click.option(
        "--api-versions",
        multiple=True,
        callback=_comma_separated,
        metavar="GROUP/VERSION",
        help="Extra API versions for .Capabilities.APIVersions (repeatable or comma-separated).",
    ),
    click.option(
        "--namespace",
        metavar="NAME",
        callback=_namespace_option,
        help="The release namespace charts are rendered for (.Release.Namespace), as `helm template "
        "--namespace` (default: none; templates see `default`, but objects in the release namespace are "
        "not reported as placed in the default namespace).",
    ),
    click.option(
        "--stdin-filename",
        metavar="NAME",
        help="With PATH '-': the name the standard input stands for (its kind and the reported path); "
        "without it the kind comes from the content.",
    ),
    click.option(
        "--allow-empty",
        is_flag=True,
        help="Exit 0 when no artifact is found (the pre-commit hook passes it). Without it an empty scan is "
        "a usage error (exit 2), so a wrong path or exclude never turns a CI gate green; ruff and hadolint "
        "exit 0 there, medlint fails closed.",
    ),
)


def lint_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """Add every shared lint option to a command; it receives them as one `options: LintOptions`."""
    names = [field.name for field in dataclasses.fields(LintOptions)]

    @functools.wraps(function)
    def command(**kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in names if name in kwargs}
        values["paths"] = tuple(values.get("paths") or (".",))
        return function(options=LintOptions(**values), **kwargs)

    for decorator in reversed(_LINT_OPTIONS):
        command = decorator(command)
    return command


#: `-o PATH` without a format: the extension tells (a JSON file is medlint JSON, not GitLab Code Quality).
FORMAT_BY_SUFFIX = (
    (".sarif.json", "sarif"),
    (".sarif", "sarif"),
    (".xml", "junit"),
    (".json", "json"),
    (".txt", "text"),
    (".log", "text"),
)


def format_for_path(path: str) -> str | None:
    lower = path.lower()
    return next((fmt for suffix, fmt in FORMAT_BY_SUFFIX if lower.endswith(suffix)), None)


@main.command()
@lint_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(OUTPUT_FORMATS, case_sensitive=False),
    default=None,
    help="Format for standard output or a plain --output PATH (default: text, or what the --output "
    "file's extension says: .sarif/.sarif.json SARIF, .json JSON, .xml JUnit, .txt/.log text; "
    "write gitlab=PATH for GitLab Code Quality, which is JSON too).",
)
@click.option(
    "--output",
    "-o",
    "outputs",
    multiple=True,
    metavar="[FORMAT=]PATH",
    callback=_parse_outputs,
    help="Write the report to PATH instead of standard output (format: --format, else from the extension); "
    "or, as FORMAT=PATH (repeatable), also write that format, e.g. -o sarif=medlint.sarif -o junit=junit.xml.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "note"], case_sensitive=False),
    default=None,
    help="Lowest finding level that makes the exit code 1 (default: fail_on in the configuration, else "
    "error). JUnit failures, GitHub annotation levels and GitLab severities follow it.",
)
@click.option(
    "--exit-zero", is_flag=True, help="Always exit 0 unless the command line is wrong (for report-only jobs)."
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
    "--statistics",
    is_flag=True,
    help="Print the number of findings per rule instead of the findings (text on standard output).",
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="Text output: only the findings that count, no summary and no waived findings; nothing when clean.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Parse files, render charts and run checks in N processes (default: the number of CPUs; 1 runs in "
    "one process). The output is the same for every N.",
)
def check(
    options: LintOptions,
    output_format: str | None,
    outputs: tuple[tuple[str | None, str], ...],
    fail_on: str | None,
    exit_zero: bool,
    baseline_file: str | None,
    sarif_omit_suppressed: bool,
    statistics: bool,
    quiet: bool,
    jobs: int | None,
) -> None:
    """Lint PATHS (files or directories; default: the current folder; - reads standard input).

    Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it (or an internal error in a check),
    2 a usage or configuration problem, including a scan that finds no artifact (see --allow-empty).
    """
    if output_format is None:
        plain = [path for fmt, path in outputs if fmt is None]
        output_format = (format_for_path(plain[0]) if plain else None) or "text"
    if jobs is None:
        from medlint.parallel import default_jobs

        jobs = default_jobs()
    from medlint.api import fewer_collections

    with fewer_collections():  # through the report too: a full collection would walk every finding again
        report = _run_lint(
            options, fail_on=fail_on.lower() if fail_on else None, baseline_file=baseline_file, jobs=jobs
        )
        report = dataclasses.replace(
            report, project=report.project.outline(), sarif_omit_suppressed=sarif_omit_suppressed
        )
        _write_outputs(report, output_format.lower(), outputs, statistics=statistics, quiet=quiet)
    if exit_zero:
        sys.exit(EXIT_OK)
    sys.exit(EXIT_FINDINGS if report.failing() else EXIT_OK)


def _read_stdin(options: LintOptions, limit: int) -> tuple[str, str]:
    """(relative name, bytes as text) for PATH '-': read through a size bound, the kind from the name or content."""
    import posixpath

    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        raise UsageProblem(
            f"standard input is larger than {limit // (1024 * 1024)} MiB; medlint does not read it"
        )
    text = data.decode("utf-8", errors="replace")
    if options.stdin_filename:
        name = posixpath.normpath(options.stdin_filename.replace("\\", "/")).lstrip("/")
        if name.startswith("..") or name in ("", "."):
            raise UsageProblem(
                f"--stdin-filename {options.stdin_filename!r} must be a relative path inside the project"
            )
        return name, text
    first = next(
        (line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")), ""
    )
    if first.split(" ", 1)[0].upper() in ("FROM", "ARG"):
        return "Dockerfile", text
    if any(line.startswith("services:") for line in text.splitlines()):
        return "compose.yaml", text
    return "stdin.yaml", text


def without_jobs(arguments: list[str]) -> list[str]:
    """The command line as reports record it: `--jobs N` changes how fast, never what, so it is left out
    (the output of `--jobs 2` is byte for byte that of `--jobs 1`)."""
    kept: list[str] = []
    skip_value = False
    for position, argument in enumerate(arguments):
        if argument == "--":
            return kept + arguments[position:]  # only paths follow
        if skip_value:
            skip_value = False
        elif argument in ("--jobs", "-j"):
            skip_value = True
        elif not argument.startswith(("--jobs=", "-j")):
            kept.append(argument)
    return kept


def _run_lint(
    options: LintOptions,
    *,
    fail_on: str | None = None,
    baseline_file: str | None = None,
    keep_render_sources: bool = False,
    jobs: int = 1,
    run_rules: bool = True,
) -> Report:
    """Load configuration and baseline, lint, and turn every usage problem into exit code 2. Without
    `run_rules` the artifacts are read and the systems and their classes resolved, but no rule runs
    (`medlint sbom` needs the model, not findings)."""
    from medlint.api import HelmValues, lint
    from medlint.baseline import BaselineError, read_baseline_file
    from medlint.config import ConfigError, expand_selectors, find_config, load_config, rule_selector_problem
    from medlint.discover import DiscoveryError
    from medlint.release_manifest import ReleaseManifestError
    from medlint.rulepack import RulePackError, load_rule_pack
    from medlint.sbom import SbomError

    paths = options.paths
    if "-" in paths and len(paths) > 1:
        raise UsageProblem("'-' (standard input) cannot be combined with other paths")
    try:
        if options.config_file is not None:
            if not Path(options.config_file).is_file():
                raise ConfigError(f"configuration file '{options.config_file}' does not exist")
            config_path: Path | None = Path(options.config_file)
        else:
            start = Path.cwd() if paths == ("-",) else Path(paths[0]).resolve()
            config_path = find_config(start if start.exists() else Path.cwd())
        config = load_config(config_path, tuple(options.rules_dir))
        pack = load_rule_pack(tuple(config.rules_dirs) + tuple(options.rules_dir))
        problems = [
            f"--{name}: {problem}"
            for name, selectors in (("select", options.select), ("ignore", options.ignore))
            for selector in selectors
            if (problem := rule_selector_problem(selector.upper(), pack))
        ]
        if problems:
            raise UsageProblem("\n".join(problems))
        if options.select:
            config = dataclasses.replace(config, enabled=expand_selectors(options.select, pack))
        if options.ignore:
            config = dataclasses.replace(
                config, disabled=config.disabled | expand_selectors(options.ignore, pack)
            )
        if not run_rules:
            pack = dataclasses.replace(pack, rules=())
        baseline, baseline_sha256 = read_baseline_file(Path(baseline_file)) if baseline_file else (None, None)
        release_manifest = None
        if options.release_manifest is not None:
            from medlint.release_manifest import read_release_manifest

            release_manifest = read_release_manifest(Path(options.release_manifest))
        helm = HelmValues(
            files=tuple(str(Path(p).resolve()) for p in options.values_files),
            set_values=options.set_values,
            set_string_values=options.set_string_values,
            kube_version=options.kube_version or config.helm_kube_version,
            api_versions=tuple(options.api_versions) or config.helm_api_versions,
            namespace=options.namespace or config.helm_namespace,
        )
        arguments: dict[str, Any] = {
            "safety_class": options.safety_class,
            "fail_on": fail_on,
            "excludes": options.exclude,
            "config": config,
            "pack": pack,
            "baseline": baseline,
            "today": options.today.date() if options.today is not None else None,
            "command_line": ("medlint", *without_jobs(sys.argv[1:])) if len(sys.argv) > 1 else (),
            "chart_paths": tuple(str(Path(p).resolve()) for p in options.chart_path),
            "helm": helm,
            "gitignore": options.gitignore,
            "baseline_path": baseline_file,
            "keep_render_sources": keep_render_sources,
            "jobs": jobs,
            "release_manifest": release_manifest,
            "sboms": options.sbom or None,
            "baseline_sha256": baseline_sha256,
        }
        if paths == ("-",):
            import tempfile  # only for standard input (it imports shutil, random and compressors)

            name, text = _read_stdin(options, config.limits.max_file_bytes)
            with tempfile.TemporaryDirectory(prefix="medlint-stdin-") as folder:
                target = Path(folder) / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
                report = lint([name], cwd=Path(folder), **arguments)  # standard input has no repository
                report = dataclasses.replace(report, scanned_paths=("-",))
        else:
            report = lint(list(paths), context=options.context, **arguments)
    except (
        RulePackError,
        DiscoveryError,
        ConfigError,
        BaselineError,
        ReleaseManifestError,
        SbomError,
    ) as error:
        raise UsageProblem(str(error)) from None
    if not options.allow_empty and not report.project.files and not report.project.problems:
        looked_at = len(report.unrecognised)
        raise UsageProblem(
            f"no artifact found in {' '.join(paths)}: medlint reads Dockerfiles, Compose files, Kubernetes "
            f"manifests and Helm charts"
            + (f" ({looked_at} file(s) named are none of these)" if looked_at else "")
            + "; check the paths and --exclude, or pass --allow-empty to accept an empty scan"
        )
    return report


@main.command()
@lint_options
@click.option(
    "--diff",
    "show_diff",
    is_flag=True,
    help="Print a unified diff of the fixes and write nothing; exit 1 if anything would change.",
)
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="Also apply unsafe fixes (the application may need what they change: review them with --diff).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "note"], case_sensitive=False),
    default=None,
    help="Lowest level of a remaining finding that makes the exit code 1 (as for check).",
)
@click.option(
    "--exit-zero",
    is_flag=True,
    help="Exit 0 whatever remains (the medlint-fix pre-commit hook then fails only when it changed a file).",
)
def fix(
    options: LintOptions, show_diff: bool, unsafe_fixes: bool, fail_on: str | None, exit_zero: bool
) -> None:
    """Apply safe fixes to PATHS in place, then report what was fixed and what remains (like check).

    --select and --ignore choose the rules whose findings are fixed; every rule still runs, before and after,
    so a fix that makes a file unparseable or adds a finding is rolled back. Each edit keeps comments and the
    file's formatting and is proven before it is written; templates of Helm charts are never edited (their
    findings are fixed in the values file behind them). See docs/fix.md.
    """
    import os

    from medlint.config import rule_selector_problem
    from medlint.fix.output import summary_lines
    from medlint.fix.runner import FixOptions, run_fix
    from medlint.fix.writer import UnsafePath
    from medlint.report.text import render_text

    if "-" in options.paths:
        raise UsageProblem("fix edits files in place; it cannot read standard input (-)")
    lint_options_all_rules = dataclasses.replace(options, select=(), ignore=())
    failing_level = fail_on.lower() if fail_on else None
    seen: dict[str, Any] = {}

    def lint_once() -> Report:
        report = _run_lint(lint_options_all_rules, fail_on=failing_level, keep_render_sources=True)
        if "params" not in seen:
            problems = [
                f"--{name}: {problem}"
                for name, selectors in (("select", options.select), ("ignore", options.ignore))
                for selector in selectors
                if (problem := rule_selector_problem(selector.upper(), report.pack))
            ]
            if problems:
                raise UsageProblem("\n".join(problems))
            seen["params"] = _config_params(options)
        return report

    fix_options = FixOptions(
        unsafe=unsafe_fixes,
        select=tuple(item.upper() for item in options.select),
        ignore=tuple(item.upper() for item in options.ignore),
        diff=show_diff,
    )
    try:
        outcome = run_fix(lint_once, fix_options, params_from=lambda: seen.get("params", {}))
    except UnsafePath as error:
        raise UsageProblem(f"fix stopped and put back what it had written: {error}") from None
    if show_diff:
        click.echo(outcome.diff(), nl=False)
        click.echo("\n".join(summary_lines(outcome, diff=True)), err=True)
        sys.exit(EXIT_FINDINGS if outcome.results else EXIT_OK)
    click.echo("\n".join(summary_lines(outcome, diff=False)))
    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    click.echo("")
    click.echo(render_text(outcome.after, color=color), nl=False)
    if exit_zero:
        sys.exit(EXIT_OK)
    sys.exit(EXIT_FINDINGS if outcome.after.failing() else EXIT_OK)


def _config_params(options: LintOptions) -> dict[str, Any]:
    """Rule parameter overrides from the configuration (fix planners read the same values as checks)."""
    from medlint.config import ConfigError, find_config, load_config

    try:
        if options.config_file is not None:
            path: Path | None = Path(options.config_file)
        else:
            start = Path(options.paths[0]).resolve()
            path = find_config(start if start.exists() else Path.cwd())
        config = load_config(path, tuple(options.rules_dir))
    except ConfigError:
        return {}
    return dict(config.params)


def _config_limits(options: LintOptions) -> Any:
    """The limits of the configuration the lint used (None when it cannot be read again)."""
    from medlint.config import ConfigError, find_config, load_config

    try:
        if options.config_file is not None:
            path: Path | None = Path(options.config_file)
        else:
            start = Path(options.paths[0]).resolve()
            path = find_config(start if start.exists() else Path.cwd())
        return load_config(path, tuple(options.rules_dir)).limits
    except ConfigError:
        return None


@main.group()
def baseline() -> None:
    """Record accepted findings so that only new ones fail the build."""


@baseline.command("create")
@lint_options
@click.option(
    "--output",
    "-o",
    "output_path",
    default=".medlint-baseline.json",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Where to write the baseline.",
)
def baseline_create(options: LintOptions, output_path: str) -> None:
    """Lint PATHS (default: the current folder) and record every current (unwaived) finding in a baseline.

    It takes every option of `check` that decides what is linted, so a baseline and the check that uses it
    see the same files and rules.
    """
    from medlint.baseline import baseline_document, write_baseline

    report = _run_lint(options)
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
    rows: list[dict[str, Any]] = [
        {
            "id": rule.id,
            "name": rule.slug,
            "title": rule.title,
            "levels": {cls: rule.level[cls] for cls in ("A", "B", "C")},
            "applies_to": [kind.value for kind in rule.applies_to],
            "fix": sorted(rule.fix),
        }
        for rule in pack.rules
    ]
    if output_format == "json":
        click.echo(json.dumps({"rule_pack_version": pack.version, "rules": rows}, indent=2))
        return
    click.echo(f"{'ID':<6} {'NAME':<28} {'A':<8} {'B':<8} {'C':<8} {'FIX':<13} APPLIES TO")
    for row in rows:
        levels = row["levels"]
        fix_kinds = ", ".join(row["fix"]) or "-"
        click.echo(
            f"{row['id']:<6} {row['name']:<28} {levels['A']:<8} {levels['B']:<8} {levels['C']:<8} "
            f"{fix_kinds:<13} {', '.join(row['applies_to'])}"
        )
    click.echo(f"\n{len(rows)} rules, rule pack {pack.version}")


def _register_render() -> None:
    """`medlint render`: prints what medlint lints for a chart, like `helm template` (heavy modules load lazily)."""
    from medlint.helm.cli_render import render_command

    main.add_command(render_command)


_register_render()


@main.command("evidence")
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
def evidence(
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
    from medlint.cli_evidence import write_evidence

    report = _run_lint(options, fail_on=fail_on.lower() if fail_on else None, baseline_file=baseline_file)
    try:
        report = write_evidence(report, output_format, output_path)
    except OSError as error:
        raise UsageProblem(f"cannot write {output_path}: {error.strerror or error}") from None
    sys.exit(EXIT_OK if exit_zero or not report.failing() else EXIT_FINDINGS)


SBOM_FORMATS = ("cyclonedx-json", "cyclonedx-xml", "spdx-json")


@main.command("sbom")
@lint_options
@click.option(
    "--output",
    "-o",
    "output_path",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Write the SBOM to FILE (default: standard output). With several systems, FILE must hold {system}, "
    "replaced by each system's name, unless --system chooses one.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(SBOM_FORMATS, case_sensitive=False),
    default=None,
    help="cyclonedx-json (CycloneDX 1.6, the default), cyclonedx-xml, or spdx-json (SPDX 2.3); default: from "
    "the --output name (.xml, .spdx.json), else cyclonedx-json.",
)
@click.option(
    "--merge",
    "merge_path",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="The SBOM kept in the repository: keep the values people entered in it (supplier, level and end of "
    "support, requirement reference, anomaly-review date, other properties), drop components no longer used, "
    "add new ones. `--merge soup.cdx.json -o soup.cdx.json` refreshes it in place; a second run changes nothing.",
)
@click.option(
    "--serial",
    metavar="UUID",
    help="The serial number (CycloneDX serialNumber, SPDX namespace suffix) instead of one derived from the "
    "content, e.g. urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79.",
)
@click.option(
    "--system", "system_name", metavar="NAME", help="With several systems: write the SBOM of this one."
)
def sbom(
    options: LintOptions,
    output_path: str | None,
    output_format: str | None,
    merge_path: str | None,
    serial: str | None,
    system_name: str | None,
) -> None:
    """Write the SOUP inventory of PATHS as an SBOM: every image (deployed, base and build), the OS packages of
    final stages, language dependencies and Helm chart dependencies, each with its purl, evidence (file, line,
    column), scope (deployed or build-only) and the IEC 62304 / FDA fields medlint can derive. Takes every
    option of `check`; the timestamp comes from --today, else SOURCE_DATE_EPOCH, else today. See docs/sbom.md."""
    from medlint.cli_sbom import SbomRequest, write_sboms

    report = _run_lint(options, run_rules=False)
    limits = _config_limits(options)
    request = SbomRequest(
        output_path=output_path,
        output_format=output_format.lower() if output_format else None,
        merge_path=merge_path,
        serial=serial,
        system_name=system_name,
        today=options.today.date() if options.today is not None else None,
        max_sbom_bytes=limits.max_sbom_bytes if limits is not None else None,
    )
    try:
        write_sboms(report, request)
    except ValueError as error:
        raise UsageProblem(str(error)) from None


if __name__ == "__main__":  # pragma: no cover
    main()
