"""Dockerfile build hygiene: MD103 os-packages-pinned, MD104 language-deps-pinned, MD107 remote-code-verified,
MD213 no-escalation-tools, MD801 package-index-hygiene, MD802 minimal-final-image, MD803 copy-not-add.

All seven read RUN lines as simple commands (`Instruction.commands`: words after quote removal, `&&` chains,
heredoc scripts and `sh -c` scripts included), never the raw text. Package words that hold variables are
resolved from the ARG/ENV defaults in scope and from plain shell assignments earlier in the same RUN; what
stays unknown (`$(cat packages.txt)`) is reported as the `unresolved` variant, never passed (catalog 3.3).
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from medlint.findings import RelatedLocation, Violation
from medlint.model import ArtifactKind, Dockerfile, Instruction, Project, ShellCommand, Stage
from medlint.model.location import Location
from medlint.model.package_managers import (
    Download,
    LanguageInstall,
    OsPackageCommand,
    chmod_command_problem,
    chmod_problem,
    downloads_to_file,
    executed_download,
    executed_file,
    gem_version_pinned,
    go_version_pinned,
    is_local_package_file,
    is_local_path,
    is_verification,
    language_install,
    npm_package_name,
    npm_package_pinned,
    os_package_command,
    os_package_name,
    os_package_pinned,
    package_manager_call,
    pip_requirement_pinned,
    requirement_name,
    requirement_problem,
    unwrap_xargs,
)
from medlint.model.pip_files import PipFiles, build_context_files, pip_files
from medlint.model.run_commands import (
    Resolver,
    Step,
    expand,
    final_lineage,
    lineage,
    run_instructions,
    run_steps,
)
from medlint.model.shell import command_name

DOCKERFILE = ArtifactKind.DOCKERFILE


# --------------------------------------------------------------------------------------------------
# Walking RUN instructions


def _stage_label(stage: Stage) -> str:
    return stage.name or str(stage.index)


def _subject(dockerfile: Dockerfile, stage: Stage, what: str) -> str:
    return f"Dockerfile:{dockerfile.path}/stage:{_stage_label(stage)}/{what}"


def quoted(text: str, limit: int = 80) -> str:
    """A word for a message: whitespace collapsed, long words shortened."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _where(instruction: Instruction, command: ShellCommand | None = None) -> Location:
    """The line of the offending command inside a (multi-line) RUN, else the instruction."""
    location = instruction.location
    if command is None or command.line == location.line:
        return location
    return Location(location.path, command.line)


def _mount_targets(instruction: Instruction, kinds: tuple[str, ...] = ("cache", "tmpfs")) -> list[str]:
    """Targets of `RUN --mount=type=cache|tmpfs,target=...`."""
    targets: list[str] = []
    for mount in instruction.flags.get("mount", "").split("\n"):
        fields = dict(part.partition("=")[::2] for part in mount.split(",") if part)
        if fields.get("type") in kinds:
            target = fields.get("target") or fields.get("dst") or fields.get("destination")
            if target:
                targets.append(target.rstrip("/"))
    return targets


# --------------------------------------------------------------------------------------------------
# MD103 os-packages-pinned


def _snapshot_configured(stages: list[Stage], upto: Instruction, patterns: list[str]) -> bool:
    """A configured snapshot mirror (URL pattern) named in a RUN of the stage's lineage up to this one."""
    if not patterns:
        return False
    for _, instruction in run_instructions(stages):
        for command in instruction.commands:
            if any(fnmatch.fnmatch(word, f"*{pattern}*") for word in command.words for pattern in patterns):
                return True
        if instruction is upto:
            return False
    return False


def _os_package_findings(
    dockerfile: Dockerfile, stage: Stage, instruction: Instruction, managers: Mapping[str, ManagerFacts]
) -> Iterator[Violation]:
    resolver = Resolver(dockerfile, stage, instruction)
    for step in run_steps(stage, instruction):
        resolver.note_assignments(step.words)
        command = os_package_command(step.words)
        if command is None or command.action != "install":
            continue
        verb = _install_verb(command)
        for spec, resolved in _package_specs(command, resolver):
            where = _where(instruction, step.command)
            subject = _subject(dockerfile, stage, f"os-package:{quoted(spec)}")
            if not resolved:
                yield Violation(
                    where,
                    f"RUN {verb}: {_describe(spec)} cannot be resolved to pinned package versions",
                    subject,
                    DOCKERFILE,
                    variant="unresolved",
                )
            elif not os_package_pinned(command.manager, spec):
                facts = managers.get(command.program)
                separator = (
                    "-" if (facts.pin if facts else command.manager).startswith(("name-", "yum")) else "="
                )
                hint = (
                    f" (pin it as {spec}{separator}<version>)"
                    if re.fullmatch(r"[A-Za-z0-9][\w.+-]*", spec)
                    else ""
                )
                yield Violation(
                    where, f'RUN {verb}: package "{spec}" has no version{hint}', subject, DOCKERFILE
                )


_STDIN = "<stdin>"


def _describe(spec: str) -> str:
    return (
        "the package names read from stdin (xargs)"
        if spec == _STDIN
        else f'the package list "{quoted(spec)}"'
    )


def _package_specs(command: OsPackageCommand, resolver: Resolver) -> list[tuple[str, bool]]:
    specs: list[tuple[str, bool]] = []
    for word in command.packages:
        specs.extend(resolver.words(word, lambda text: os_package_pinned(command.manager, text)))
    if command.from_stdin:
        specs.append((_STDIN, False))
    return specs


def os_packages_pinned(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD103: every OS package installed in any stage names its version (or comes from a snapshot mirror)."""
    patterns = list(params.get("snapshot_url_patterns") or [])
    managers = package_managers(params)
    for dockerfile in project.dockerfiles:
        for stage in dockerfile.stages:
            stages = lineage(dockerfile, stage)
            for owner, instruction in run_instructions([stage]):
                if _snapshot_configured(stages, instruction, patterns):
                    continue
                yield from _os_package_findings(dockerfile, owner, instruction, managers)


# --------------------------------------------------------------------------------------------------
# MD104 language-deps-pinned


def _truthy(value: str | None) -> bool:
    return str(value or "").strip().lower() in ("1", "true", "yes", "on")


def _pip_findings(
    install: LanguageInstall, resolver: Resolver, report: Callable[..., Violation], files: Mapping[str, str]
) -> Iterator[Violation]:
    requirements = install.option_values("-r", "--requirement")
    constraints = install.option_values("-c", "--constraint")
    found = pip_files(requirements, constraints, files)
    # --require-hashes, PIP_REQUIRE_HASHES or a --hash in a requirements file: pip refuses anything unpinned.
    require_hashes = (
        install.has_option("--require-hashes")
        or _truthy(resolver.scope.get("PIP_REQUIRE_HASHES"))
        or found.require_hashes
    )
    if not require_hashes:
        yield from _requirement_file_findings(found, report)
    specs = list(install.packages) + install.option_values("-e", "--editable")
    for word in specs:
        for spec, resolved in resolver.words(word, pip_requirement_pinned):
            name = requirement_name(spec)
            if not resolved:
                yield report(
                    f'pip install: "{quoted(spec)}" cannot be resolved to pinned requirements',
                    f"pip:{quoted(spec)}",
                    "unresolved",
                )
            elif require_hashes or pip_requirement_pinned(spec) or (name and name in found.constraint_pins):
                continue
            elif found.missing_constraints:
                missing = found.missing_constraints[0][0]
                yield report(
                    f'pip install: requirement "{spec}" relies on the constraints file {missing}, '
                    "which is not available to the check",
                    f"pip:{spec}",
                    "requirements-file",
                )
            else:
                match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec)
                hint = f" (pin it as {match.group()}==<version>)" if match and "://" not in spec else ""
                where = f" and the constraints file {constraints[0]} does not pin it" if constraints else ""
                yield report(
                    f'pip install: requirement "{spec}" has no exact version{where}{hint}', f"pip:{spec}"
                )


def _requirement_file_findings(found: PipFiles, report: Callable[..., Violation]) -> Iterator[Violation]:
    """Each requirements file that cannot be read, and each entry of the others that pins nothing."""
    for shown, including in found.missing_requirements:
        if including is None:
            yield report(
                f"pip install -r {shown}: the requirements file is not available to the check, so its "
                "pins (==, --require-hashes or a -c constraints file) cannot be verified",
                f"pip-requirements:{shown}",
                "requirements-file",
            )
        else:
            yield report(
                f"pip install: the requirements file {shown} (included by {including}) is not available "
                "to the check, so its pins (==, --require-hashes or a -c constraints file) cannot be "
                "verified",
                f"pip-requirements:{shown}",
                "requirements-file",
            )
    reported: set[tuple[str, str]] = set()
    for key, including, entry in found.entries:
        problem = requirement_problem(entry.spec)
        name = requirement_name(entry.spec)
        if problem is None or (
            name and name in found.constraint_pins and not entry.editable and "://" not in entry.spec
        ):
            continue
        identity = name or quoted(entry.spec)
        if (key, identity) in reported:
            continue
        reported.add((key, identity))
        where = f"{key} (included by {including})" if including else key
        spec = quoted(("-e " if entry.editable else "") + entry.spec)
        if found.missing_constraints and name is not None and "://" not in entry.spec:
            yield report(
                f'pip install: requirement "{spec}" in {where} relies on the constraints file '
                f"{found.missing_constraints[0][0]}, which is not available to the check",
                f"pip-requirements:{key}/{identity}",
                "requirements-file",
            )
        else:
            yield report(
                f'pip install: requirement "{spec}" in {where} {problem}',
                f"pip-requirements:{key}/{identity}",
            )


def _npm_findings(
    install: LanguageInstall, resolver: Resolver, report: Callable[..., Violation]
) -> Iterator[Violation]:
    if install.tool == "npm" and install.verb == "install" and not install.packages:
        yield report(
            "npm install resolves dependencies afresh; use npm ci to install the committed package-lock.json",
            "npm-install",
        )
        return
    if install.tool == "yarn" and install.verb == "install":
        if not install.has_option("--immutable", "--frozen-lockfile") and not _yarn_immutable_env(resolver):
            yield report(
                "yarn install runs without --immutable (or --frozen-lockfile for yarn classic), so the "
                "lockfile can change during the build",
                "yarn-install",
            )
        return
    for word in install.packages:
        for spec, resolved in resolver.words(word, npm_package_pinned):
            if not resolved:
                yield report(
                    f'{install.tool} {install.verb}: "{quoted(spec)}" cannot be resolved to a pinned version',
                    f"{install.tool}:{spec}",
                    "unresolved",
                )
            elif not npm_package_pinned(spec):
                yield report(
                    f'{install.tool} {install.verb}: package "{spec}" has no exact version '
                    f"(pin it as {npm_package_name(spec)}@<x.y.z>)",
                    f"{install.tool}:{npm_package_name(spec)}",
                )


def _yarn_immutable_env(resolver: Resolver) -> bool:
    return str(resolver.scope.get("YARN_ENABLE_IMMUTABLE_INSTALLS") or "").lower() in ("1", "true")


def _gem_findings(
    install: LanguageInstall, resolver: Resolver, report: Callable[..., Violation]
) -> Iterator[Violation]:
    versions = install.option_values("-v", "--version")
    for word in install.packages:
        if is_local_path(word):
            continue
        name, colon, inline = word.partition(":")
        version = inline if colon else (versions[0] if versions else "")
        resolved = expand(version, resolver.scope) if "$" in version else version
        if resolved is None:
            yield report(
                f'gem install: the version of gem "{word}" cannot be resolved', f"gem:{name}", "unresolved"
            )
        elif not resolved or not gem_version_pinned(resolved):
            shown = f" -v {version}" if version and not colon else ""
            yield report(
                f'gem install: gem "{word}"{shown} has no exact version (add -v <version>)', f"gem:{name}"
            )


def _go_findings(
    install: LanguageInstall, resolver: Resolver, report: Callable[..., Violation]
) -> Iterator[Violation]:
    for word in install.packages:
        module, at, version = word.rpartition("@")
        if not at:
            continue  # module mode: the version comes from go.mod
        if version.startswith("v$"):
            continue  # `@v${VERSION}`: a version pin, whatever the value
        resolved = expand(version, resolver.scope) if "$" in version else version
        if resolved is None:
            yield report(
                f'go install: the version of "{word}" cannot be resolved', f"go:{module}", "unresolved"
            )
        elif not go_version_pinned(resolved):
            yield report(
                f'go install: "{word}" is not a fixed version (pin it as {module}@vX.Y.Z)', f"go:{module}"
            )


def _cargo_findings(
    install: LanguageInstall, resolver: Resolver, report: Callable[..., Violation]
) -> Iterator[Violation]:
    if not install.has_option("--locked"):
        what = " ".join(install.packages) or " ".join(install.options) or "(current crate)"
        yield report(f"cargo install {what} runs without --locked, so Cargo.lock is ignored", f"cargo:{what}")


_LANGUAGE_RULES = {
    "npm": _npm_findings,
    "yarn": _npm_findings,
    "gem": _gem_findings,
    "go": _go_findings,
    "cargo": _cargo_findings,
}


def language_deps_pinned(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD104: language dependencies installed in any stage are pinned or installed from a lockfile."""
    for dockerfile in project.dockerfiles:
        files = build_context_files(dockerfile, project.compose_projects)
        for stage, instruction in run_instructions(list(dockerfile.stages)):
            resolver = Resolver(dockerfile, stage, instruction)
            for step in run_steps(stage, instruction):
                resolver.note_assignments(step.words)
                install = language_install(step.words)
                if install is None:
                    continue

                def report(
                    message: str, what: str, variant: str | None = None, _step: Step = step
                ) -> Violation:
                    return Violation(
                        _where(instruction, _step.command),  # noqa: B023 - called within this iteration
                        f"RUN {message}",
                        _subject(dockerfile, stage, what),  # noqa: B023
                        DOCKERFILE,
                        variant=variant,
                    )

                scoped = resolver.for_command(step.words)
                if install.tool == "pip":
                    yield from _pip_findings(install, scoped, report, files)
                else:
                    yield from _LANGUAGE_RULES[install.tool](install, scoped, report)


# --------------------------------------------------------------------------------------------------
# MD107 remote-code-verified


def _add_sources(instruction: Instruction) -> list[str]:
    """ADD/COPY sources: every argument but the destination; heredoc sources are inline text."""
    if instruction.json_arguments is not None:
        words = list(instruction.json_arguments)
    else:
        words = instruction.resolved.split()
    return [word for word in words[:-1] if not word.startswith("<<")]


def is_remote_source(source: str) -> bool:
    """An http(s) or git URL, which ADD fetches at build time."""
    lowered = source.lower()
    return lowered.startswith(("http://", "https://", "git://", "git@", "ssh://")) or (
        "://" in lowered and lowered.split("#", 1)[0].endswith(".git")
    )


def _syntax_version(dockerfile: Dockerfile) -> tuple[int, ...] | None:
    """The version of a `# syntax=docker/dockerfile:X.Y` frontend, when one is pinned to a number."""
    directive = dockerfile.directives.get("syntax")
    if directive is None:
        return None
    tag = directive.value.split("@", 1)[0].rpartition(":")[2]
    match = re.match(r"^(\d+)(?:\.(\d+))?", tag)
    if "dockerfile" not in directive.value or match is None:
        return None
    return tuple(int(part) for part in match.groups() if part is not None)


def _remote_add_findings(
    dockerfile: Dockerfile, stage: Stage, instruction: Instruction
) -> Iterator[Violation]:
    for source in _add_sources(instruction):
        subject = _subject(dockerfile, stage, f"ADD:{source}")
        if source.startswith("$") and not is_remote_source(source):
            yield Violation(
                instruction.location,
                f"ADD source {source} cannot be resolved, so it may be an unverified download",
                subject,
                DOCKERFILE,
                variant="unresolved",
            )
        elif is_remote_source(source) and "checksum" not in instruction.flags:
            yield Violation(
                instruction.location,
                f"ADD downloads {source} without --checksum=sha256:<digest>",
                subject,
                DOCKERFILE,
            )
        elif is_remote_source(source):
            version = _syntax_version(dockerfile)
            if version is not None and version < (1, 6):
                yield Violation(
                    instruction.location,
                    f"ADD --checksum for {source} needs the docker/dockerfile:1.6 "
                    f"frontend or later, but # syntax= pins {'.'.join(map(str, version))}",
                    subject,
                    DOCKERFILE,
                )


@dataclass
class _DownloadTracker:
    """Downloads seen so far in a stage's lineage and the verifications after them, each with its position
    (`clock`) in build order."""

    downloads: list[tuple[Download, Step, int]] = field(default_factory=list)
    verifications: list[tuple[Step, int]] = field(default_factory=list)
    clock: int = 0


def _verified_between(state: _DownloadTracker, download_order: int, step: Step, order: int) -> bool:
    """A verification after the download that gates the execution: in the executing RUN it must come earlier
    in the same `&&` chain; in an earlier RUN it fails the build by itself."""
    for verification, verification_order in state.verifications:
        if not download_order < verification_order < order:
            continue
        if verification.instruction is not step.instruction or verification.chain == step.chain:
            return True
    return False


def _run_download_findings(
    dockerfile: Dockerfile, stage: Stage, instruction: Instruction, state: _DownloadTracker, report_here: bool
) -> Iterator[Violation]:
    """Executions of downloaded code in one RUN; `report_here` is False for the ancestors of the checked stage,
    which are walked only to learn their downloads."""
    steps = run_steps(stage, instruction)
    for step in steps:
        state.clock += 1
        order = state.clock
        if is_verification(step.words):
            state.verifications.append((step, order))
        reason = executed_download(instruction.commands, step.position)
        if reason and report_here and not _verified_in_chain(state, step, order):
            yield Violation(
                _where(instruction, step.command),
                f"RUN executes downloaded code without verifying it ({reason})",
                _subject(dockerfile, stage, f"remote-code:{reason}"),
                DOCKERFILE,
            )
        for download, download_step, download_order in state.downloads:
            path = executed_file(step.words, download.path)
            if path and report_here and not _verified_between(state, download_order, step, order):
                origin = download_step.instruction
                same = origin is instruction
                where = "earlier in this RUN" if same else f"at line {download_step.command.line}"
                yield Violation(
                    _where(instruction, step.command),
                    f'RUN executes "{path}", downloaded with {download.tool} {where}, without verifying its '
                    "checksum or signature first",
                    _subject(dockerfile, stage, f"remote-code:{path}"),
                    DOCKERFILE,
                    related=(
                        RelatedLocation(_where(origin, download_step.command), f"{path} is downloaded here"),
                    ),
                )
                break
        for download in downloads_to_file(step.words):
            state.downloads.append((download, step, order))


def _verified_in_chain(state: _DownloadTracker, step: Step, order: int) -> bool:
    """For a pipe or substitution: a verification earlier in the same RUN and `&&` chain."""
    return any(
        item.instruction is step.instruction and item.chain == step.chain and item_order < order
        for item, item_order in state.verifications
    )


def remote_code_verified(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD107: downloaded code is verified before it runs; remote ADD carries --checksum."""
    for dockerfile in project.dockerfiles:
        for stage in dockerfile.stages:
            state = _DownloadTracker()
            for current in lineage(dockerfile, stage):
                for instruction in current.instructions:
                    own = current is stage
                    if instruction.keyword == "RUN":
                        yield from _run_download_findings(dockerfile, current, instruction, state, own)
                    elif instruction.keyword == "ADD" and own:
                        yield from _remote_add_findings(dockerfile, stage, instruction)


# --------------------------------------------------------------------------------------------------
# MD213 no-escalation-tools


def _removed_later(steps: list[Step], position: int, targets: tuple[str, ...]) -> bool:
    """Every target is deleted later in the same RUN (`chmod 777 "$tempDir"` ... `rm -rf "$tempDir"`)."""
    removed = {
        word for step in steps[position + 1 :] if command_name(step.words)[0] == "rm" for word in step.words
    }
    return bool(targets) and all(target in removed for target in targets)


def _uses_sudo(words: tuple[str, ...]) -> bool:
    _, index = command_name(words)
    return any(posixpath.basename(word) == "sudo" for word in words[: index + 1])


def _expose_22(instruction: Instruction) -> bool:
    for word in instruction.resolved.split():
        port = word.split("/", 1)[0]
        low, _, high = port.partition("-")
        if low.isdigit() and (high.isdigit() if high else True) and int(low) <= 22 <= int(high or low):
            return True
    return False


def _escalation_in_run(
    dockerfile: Dockerfile, stage: Stage, instruction: Instruction, packages: set[str]
) -> Iterator[Violation]:
    resolver = Resolver(dockerfile, stage, instruction)
    steps = run_steps(stage, instruction)
    for step in steps:
        resolver.note_assignments(step.words)
        where = _where(instruction, step.command)
        if _uses_sudo(step.words):
            yield Violation(
                where,
                f'RUN uses sudo ("{quoted(" ".join(step.words), 60)}")',
                _subject(dockerfile, stage, "sudo"),
                DOCKERFILE,
            )
        chmod = chmod_command_problem(step.words)
        if chmod is not None and not _removed_later(steps, step.position, chmod.targets):
            what = "makes files world-writable" if chmod.problem == "777" else f"sets the {chmod.problem} bit"
            yield Violation(
                where,
                f'RUN "{quoted(" ".join((chmod.written, *chmod.targets)), 60)}" {what}',
                _subject(dockerfile, stage, f"chmod:{chmod.written}"),
                DOCKERFILE,
            )
        command = os_package_command(step.words)
        if command is None or command.action != "install":
            continue
        for spec, resolved in _package_specs(command, resolver):
            name = os_package_name(command.manager, spec)
            if not resolved:
                yield Violation(
                    where,
                    f"RUN {_install_verb(command)}: {_describe(spec)} cannot be resolved, so sudo "
                    "or an SSH server cannot be ruled out",
                    _subject(dockerfile, stage, f"package:{quoted(spec)}"),
                    DOCKERFILE,
                    variant="unresolved",
                )
            elif name in packages:
                yield Violation(
                    where,
                    f'RUN {_install_verb(command)} puts "{name}" into the final image',
                    _subject(dockerfile, stage, f"package:{name}"),
                    DOCKERFILE,
                )


def no_escalation_tools(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD213: no sudo, setuid/setgid or 777 modes, or SSH server in what ships (the final stage's lineage)."""
    packages = set(params.get("escalation_packages") or ("sudo", "openssh-server"))
    for dockerfile in project.dockerfiles:
        for stage in final_lineage(dockerfile):
            for instruction in stage.instructions:
                if instruction.keyword == "RUN":
                    yield from _escalation_in_run(dockerfile, stage, instruction, packages)
                elif instruction.keyword in ("COPY", "ADD") and "chmod" in instruction.flags:
                    mode = instruction.flags["chmod"]
                    problem = chmod_problem(mode, recursive=True)
                    if problem:
                        what = "makes files world-writable" if problem == "777" else f"sets the {problem} bit"
                        yield Violation(
                            instruction.location,
                            f"{instruction.keyword} --chmod={mode} {what}",
                            _subject(dockerfile, stage, f"chmod:{mode}"),
                            DOCKERFILE,
                        )
                elif instruction.keyword == "EXPOSE" and _expose_22(instruction):
                    yield Violation(
                        instruction.location,
                        f"EXPOSE {instruction.arguments} publishes the SSH port 22",
                        _subject(dockerfile, stage, "expose:22"),
                        DOCKERFILE,
                    )


# --------------------------------------------------------------------------------------------------
# MD801 package-index-hygiene

_APT_LISTS = "/var/lib/apt/lists"


@dataclass(frozen=True, slots=True)
class ManagerFacts:
    """One row of the package-managers table (rules/data/package-managers.yaml)."""

    program: str
    family: str
    refresh: frozenset[str]
    upgrade: frozenset[str]
    clean_after: frozenset[str]  # "install", "upgrade"
    index_paths: tuple[str, ...]
    clean: tuple[tuple[str, ...], ...]  # sub-commands as words: ("clean", "all")
    clean_command: str
    pin: str  # how an exact version is written: "name=version", "name-version[-release]"
    no_recommends_option: str
    no_recommends: tuple[re.Pattern[str], ...]
    recommends_config: re.Pattern[str] | None
    no_cache_option: str
    no_cache: tuple[str, ...]

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ManagerFacts:
        config = row.get("recommends_config") or ""
        return cls(
            program=str(row["program"]),
            family=str(row["family"]),
            refresh=frozenset(row.get("refresh") or ()),
            upgrade=frozenset(row.get("upgrade") or ()),
            clean_after=frozenset(row.get("clean_after") or ()),
            index_paths=tuple(str(path).rstrip("/") for path in row.get("index_paths") or ()),
            clean=tuple(tuple(str(command).split()) for command in row.get("clean") or ()),
            clean_command=str(row.get("clean_command") or ""),
            pin=str(row.get("pin") or ""),
            no_recommends_option=str(row.get("no_recommends_option") or ""),
            no_recommends=tuple(
                re.compile(pattern, re.IGNORECASE) for pattern in row.get("no_recommends") or ()
            ),
            recommends_config=re.compile(config, re.IGNORECASE) if config else None,
            no_cache_option=str(row.get("no_cache_option") or ""),
            no_cache=tuple(row.get("no_cache") or ()),
        )


def _installs(steps: list[Step]) -> list[tuple[Step, OsPackageCommand]]:
    """The OS package installs among the commands of a RUN."""
    found = [(step, os_package_command(step.words)) for step in steps]
    return [(step, command) for step, command in found if command is not None and command.action == "install"]


def package_managers(params: Mapping[str, Any]) -> dict[str, ManagerFacts]:
    """The package-managers table by program (an empty table: no manager is judged)."""
    rows = params.get("tables", {}).get("package-managers", {}).get("rows") or ()
    return {str(row["program"]): ManagerFacts.from_row(row) for row in rows}


def _covers(path: str, index_paths: tuple[str, ...], above: bool = True) -> bool:
    """A path (removed, or mounted over) that is one of the index paths, below one, or (with `above`) a
    folder above one."""
    path = path.rstrip("/*").rstrip("/") or "/"
    return any(
        path == index or path.startswith(index + "/") or (above and index.startswith(path.rstrip("/") + "/"))
        for index in index_paths
    )


def _removes_index(words: tuple[str, ...], facts: ManagerFacts, managers: Mapping[str, ManagerFacts]) -> bool:
    """`rm -rf /var/lib/apt/lists/*`, `find /var/cache/dnf -delete`, or the manager's own cleanup
    (`dnf clean all`, `apt-get dist-clean`, `zypper cc -a`; any program of the same family counts)."""
    program, index = command_name(words)
    if program == "rm":
        return any(_covers(word, facts.index_paths) for word in words[index + 1 :] if word.startswith("/"))
    if program == "find":  # `find /var/cache/dnf -delete`; a search from `/` only deletes what it matches
        return any(
            _covers(word, facts.index_paths, above=False)
            for word in words[index + 1 :]
            if word.startswith("/")
        )
    call = package_manager_call(words)
    if call is None or managers.get(call.program, facts).family != facts.family:
        return False
    own = managers.get(call.program, facts)
    spoken = (call.verb, *call.arguments)
    return any(spoken[: len(command)] == command for command in own.clean)


def _index_kept_out(instruction: Instruction, facts: ManagerFacts) -> bool:
    """A cache or tmpfs mount on the index (or a folder above it) keeps it out of the layer."""
    return any(_covers(target, facts.index_paths) for target in _mount_targets(instruction))


def package_index_hygiene(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD801: an index refresh installs in the same RUN, and the index does not stay in the layer."""
    managers = package_managers(params)
    for dockerfile in project.dockerfiles:
        for stage, instruction in run_instructions(list(dockerfile.stages)):
            steps = run_steps(stage, instruction)
            calls = [
                (step, call, managers[call.program])
                for step in steps
                if (call := package_manager_call(step.words)) is not None and call.program in managers
            ]
            installs = _installs(steps)
            refreshes = [(step, call) for step, call, facts in calls if call.verb in facts.refresh]
            upgrades = [(step, call) for step, call, facts in calls if call.verb in facts.upgrade]
            if refreshes and not installs and not upgrades:
                step, call = refreshes[0]
                update = f"{call.program} {call.verb}"
                yield Violation(
                    _where(instruction, step.command),
                    f"RUN {update} without an install in the same RUN; a later RUN installs from a cached index",
                    _subject(dockerfile, stage, f"index-update:{update}"),
                    DOCKERFILE,
                )
            yield from _index_left_behind(dockerfile, stage, instruction, steps, installs, upgrades, managers)


def _index_left_behind(
    dockerfile: Dockerfile,
    stage: Stage,
    instruction: Instruction,
    steps: list[Step],
    installs: list[tuple[Step, OsPackageCommand]],
    upgrades: list[tuple[Step, Any]],
    managers: Mapping[str, ManagerFacts],
) -> Iterator[Violation]:
    """One lists-not-removed finding per package manager whose install (or upgrade, where every transaction
    refreshes the index) leaves its index in the layer."""
    transactions: list[tuple[Step, str, str, str]] = [  # (step, program, what, first package)
        (step, command.program, "install", command.packages[0] if command.packages else "stdin")
        for step, command in installs
    ]
    transactions += [(step, call.program, "upgrade", call.verb) for step, call in upgrades]
    transactions.sort(key=lambda item: item[0].position)
    reported: set[str] = set()
    for step, program, what, first in transactions:
        facts = managers.get(program)
        if facts is None or what not in facts.clean_after or facts.family in reported:
            continue
        if _index_kept_out(instruction, facts) or any(
            _removes_index(other.words, facts, managers) for other in steps
        ):
            continue
        reported.add(facts.family)
        verb = "install" if what == "install" else first
        if facts.family == "apt":
            message = f"RUN {program} install does not remove {_APT_LISTS}/* in the same RUN"
            subject = f"apt-lists:{quoted(first)}"
        else:
            paths = " or ".join(facts.index_paths[:2])
            message = (
                f"RUN {program} {verb} leaves the package index and cache ({paths}) in the layer: run "
                f"`{facts.clean_command}` in the same RUN"
            )
            subject = f"package-cache:{program}:{quoted(first)}"
        yield Violation(
            _where(instruction, step.command),
            message,
            _subject(dockerfile, stage, subject),
            DOCKERFILE,
            variant="lists-not-removed",
        )


# --------------------------------------------------------------------------------------------------
# MD802 minimal-final-image


@dataclass(frozen=True, slots=True, eq=False)
class _InstallSite:
    """Where a package entered the final lineage."""

    stage: Stage
    instruction: Instruction
    command: ShellCommand
    program: str


@dataclass
class _FinalImage:
    """What the final lineage has installed so far and not removed again."""

    toolchain: dict[str, _InstallSite] = field(default_factory=dict)  # package name -> where it came in
    groups: dict[str, set[str]] = field(default_factory=dict)  # apk --virtual group -> package names
    auto_marked: set[str] = field(default_factory=set)  # handed to a later `--auto-remove`
    dev_dependencies: list[_InstallSite] = field(default_factory=list)
    recommends_off: set[str] = field(default_factory=set)  # families configured not to install them


def _track_removal(command: OsPackageCommand, resolver: Resolver, image: _FinalImage) -> None:
    """`apt-get purge`, `apk del <group>`, `dnf remove`; `--auto-remove` also takes the auto-marked packages."""
    names = {spec for spec, resolved in _package_specs(command, resolver) if resolved}
    for group in list(names):
        names |= image.groups.pop(group, set())
    if command.has_option("--auto-remove", "--autoremove") or not command.packages:  # includes `autoremove`
        names |= image.auto_marked
        image.auto_marked.clear()
    for name in names:
        image.toolchain.pop(os_package_name(command.manager, name), None)


def _apt_mark_auto(words: tuple[str, ...], run_packages: set[str], image: _FinalImage) -> None:
    """`apt-mark auto '.*'` or `apt-mark showmanual | xargs apt-mark auto` (the docker-library pattern) hand
    the packages installed in this RUN to a later `apt-get purge --auto-remove`."""
    words_run, from_stdin = unwrap_xargs(words)
    program, index = command_name(words_run)
    arguments = [word for word in words_run[index + 1 :] if not word.startswith("-")]
    if program == "apt-mark" and arguments[:1] == ["auto"]:
        names = arguments[1:]
        everything = from_stdin or any(name in (".*", "*", "~i") for name in names)
        image.auto_marked |= run_packages if everything else set(names)


def _install_flag_problem(
    command: OsPackageCommand, instruction: Instruction, facts: ManagerFacts | None, recommends_off: set[str]
) -> str | None:
    """An install that lets recommended (weak) packages in, or keeps the package cache, as the package-managers
    table has it: `apt-get install` without `--no-install-recommends`, `dnf install` without
    `--setopt=install_weak_deps=False`, `zypper install` without `--no-recommends`, `apk add` without
    `--no-cache` (a cache or tmpfs mount on the cache is accepted: nothing stays in the layer)."""
    if facts is None:
        return None
    verb = _install_verb(command)
    if (
        facts.no_recommends
        and facts.family not in recommends_off
        and not any(
            pattern.fullmatch(option) for option in command.options for pattern in facts.no_recommends
        )
    ):
        return f"{verb} without {facts.no_recommends_option}"
    if facts.no_cache and not command.has_option(*facts.no_cache) and not _index_kept_out(instruction, facts):
        return f"{verb} without {facts.no_cache_option}"
    return None


def _pip_cache_problem(
    install: LanguageInstall, instruction: Instruction, scope: Mapping[str, str | None]
) -> bool:
    """`pip install` keeping its wheel cache: no `--no-cache-dir`, no PIP_NO_CACHE_DIR, no cache mount."""
    if (
        install.tool != "pip"
        or install.has_option("--no-cache-dir", "--no-cache")
        or scope.get("PIP_NO_CACHE_DIR")
    ):
        return False
    return not any(".cache/pip" in target for target in _mount_targets(instruction, ("cache",)))


def _installs_dev_dependencies(install: LanguageInstall, scope: Mapping[str, str | None]) -> bool:
    """`npm ci` / `npm install` of the project without `--omit=dev` (legacy `--only=production`, `--production`,
    or NODE_ENV=production, which npm reads the same way)."""
    if install.tool != "npm" or install.packages:
        return False
    omitted = install.option_values("--omit") + install.option_values("--only")
    if any(value in ("dev", "prod", "production") for value in omitted) or install.has_option("--production"):
        return False
    return (scope.get("NODE_ENV") or "") != "production" and str(
        scope.get("NPM_CONFIG_PRODUCTION") or ""
    ) != "true"


def _recommends_disabled(words: tuple[str, ...], managers: Mapping[str, ManagerFacts]) -> set[str]:
    """Families whose configuration a command turns recommended packages off for, for every later install:
    `echo 'APT::Install-Recommends "0";' > /etc/apt/apt.conf.d/...`, `echo install_weak_deps=False >>
    /etc/dnf/dnf.conf`, `dnf config-manager --save --setopt=install_weak_deps=False`."""
    program, index = command_name(words)
    writes_config = program in ("echo", "printf", "tee", "sed") or (
        program in managers and "config-manager" in words[index + 1 :]
    )
    if not writes_config:
        return set()
    return {
        facts.family
        for facts in managers.values()
        if facts.recommends_config is not None and any(facts.recommends_config.search(word) for word in words)
    }


def _prunes_dev_dependencies(words: tuple[str, ...]) -> bool:
    program, index = command_name(words)
    return (
        program == "npm"
        and "prune" in words[index + 1 :]
        and any(word in ("--production", "--omit=dev", "--only=production") for word in words)
    )


def minimal_final_image(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD802: the final image carries no build toolchain and no package caches or recommended extras."""
    patterns = list(params.get("toolchain_packages") or ())
    sdk_images = list(params.get("sdk_images") or ())
    managers = package_managers(params)
    for dockerfile in project.dockerfiles:
        stages = final_lineage(dockerfile)
        base = stages[0].base
        if (
            not base.is_stage
            and not base.is_scratch
            and any(fnmatch.fnmatch(base.name, pattern) for pattern in sdk_images)
        ):
            yield Violation(
                stages[0].from_instruction.location,
                f"the final image is built FROM the SDK image {base.written}, which ships a build toolchain",
                _subject(dockerfile, stages[0], f"sdk-image:{base.name}"),
                DOCKERFILE,
            )
        image = _FinalImage()
        for stage, instruction in run_instructions(stages):
            yield from _final_run_findings(dockerfile, stage, instruction, image, patterns, managers)
        yield from _leftover_findings(dockerfile, image)


def _final_run_findings(
    dockerfile: Dockerfile,
    stage: Stage,
    instruction: Instruction,
    image: _FinalImage,
    patterns: list[str],
    managers: Mapping[str, ManagerFacts],
) -> Iterator[Violation]:
    resolver = Resolver(dockerfile, stage, instruction)
    run_packages: set[str] = set()
    for step in run_steps(stage, instruction):
        resolver.note_assignments(step.words)
        image.recommends_off |= _recommends_disabled(step.words, managers)
        where = _where(instruction, step.command)
        _apt_mark_auto(step.words, run_packages, image)
        command = os_package_command(step.words)
        if command is not None and command.action == "remove":
            _track_removal(command, resolver, image)
        elif command is not None:
            problem = _install_flag_problem(
                command, instruction, managers.get(command.program), image.recommends_off
            )
            if problem:
                yield Violation(
                    where,
                    f"RUN {problem} in the final image",
                    _subject(dockerfile, stage, f"install-flags:{command.program}"),
                    DOCKERFILE,
                )
            site = _InstallSite(stage, instruction, step.command, _install_verb(command))
            _track_install(command, resolver, site, patterns, image, run_packages)
        if _prunes_dev_dependencies(step.words):
            image.dev_dependencies.clear()
        install = language_install(step.words)
        if install is None:
            continue
        scope = resolver.for_command(step.words).scope
        if _installs_dev_dependencies(install, scope):
            image.dev_dependencies.append(
                _InstallSite(stage, instruction, step.command, " ".join(step.words[:2]))
            )
        if _pip_cache_problem(install, instruction, scope):
            yield Violation(
                where,
                "RUN pip install without --no-cache-dir in the final image",
                _subject(dockerfile, stage, "install-flags:pip"),
                DOCKERFILE,
            )


def _install_verb(command: OsPackageCommand) -> str:
    return f"{command.program} {'add' if command.manager == 'apk' else 'install'}"


def _track_install(
    command: OsPackageCommand,
    resolver: Resolver,
    site: _InstallSite,
    patterns: list[str],
    image: _FinalImage,
    run_packages: set[str],
) -> None:
    names = {
        os_package_name(command.manager, spec)
        for spec, resolved in _package_specs(command, resolver)
        if resolved and not is_local_package_file(spec)
    }
    run_packages |= names
    if command.virtual:
        image.groups.setdefault(command.virtual, set()).update(names)
    for name in sorted(names):
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns):
            image.toolchain.setdefault(name, site)


def _leftover_findings(dockerfile: Dockerfile, image: _FinalImage) -> Iterator[Violation]:
    """One finding per install command that left toolchain packages in the final image."""
    by_site: dict[int, tuple[_InstallSite, list[str]]] = {}
    for name, site in image.toolchain.items():
        by_site.setdefault(id(site), (site, []))[1].append(name)
    for site, names in by_site.values():
        names.sort()
        shown = ", ".join(f'"{name}"' for name in names[:4]) + (
            f" and {len(names) - 4} more" if len(names) > 4 else ""
        )
        yield Violation(
            _where(site.instruction, site.command),
            f"RUN {site.program} puts build tools into the final image ({shown}); build in an earlier "
            "stage and copy only the artifacts",
            _subject(dockerfile, site.stage, f"toolchain:{names[0]}"),
            DOCKERFILE,
        )
    for site in image.dev_dependencies:
        yield Violation(
            _where(site.instruction, site.command),
            f"RUN {site.program} installs npm devDependencies into the final image (add --omit=dev)",
            _subject(dockerfile, site.stage, "npm-dev-dependencies"),
            DOCKERFILE,
        )


# --------------------------------------------------------------------------------------------------
# MD803 copy-not-add


def _is_archive(source: str, extensions: list[str]) -> bool:
    return source.lower().endswith(tuple(extensions))


def copy_not_add(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD803: ADD only for local tar archives (which it extracts); COPY for every other local file."""
    extensions = list(params.get("archive_extensions") or (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz"))
    for dockerfile in project.dockerfiles:
        for stage in dockerfile.stages:
            for instruction in stage.instructions:
                if instruction.keyword != "ADD":
                    continue
                for source in _add_sources(instruction):
                    subject = _subject(dockerfile, stage, f"ADD:{source}")
                    if is_remote_source(source) or _is_archive(source, extensions):
                        continue
                    if "$" in source:
                        yield Violation(
                            instruction.location,
                            f"ADD source {source} cannot be resolved; use COPY unless it is a tar archive",
                            subject,
                            DOCKERFILE,
                            variant="unresolved",
                        )
                    else:
                        yield Violation(
                            instruction.location,
                            f"ADD {source} copies a local file that is not a tar archive; use COPY",
                            subject,
                            DOCKERFILE,
                        )
