"""Fixes for Dockerfiles, at the instruction the finding points at.

- MD802: `--no-install-recommends` after `apt-get install`, `--no-cache` after `apk add`, `--no-cache-dir`
  after `pip install` (the option is inserted right after the sub-command, on its line);
- MD801: `rm -rf /var/lib/apt/lists/*` at the end of the same RUN (a continuation line in the file's style,
  or a last line of a heredoc script);
- MD803: `ADD` becomes `COPY` when every source is a local file that is not an archive.

Exec-form RUNs, commands inside `sh -c` strings or `$(...)`, and text the tokenizer cannot read with
certainty are left to a person.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath

from medlint.findings import Finding
from medlint.fix.dockerfile_edit import (
    Command,
    DockerfileText,
    InstructionText,
    ShellScanError,
    TextEdit,
    ends_in_comment,
    program_and_arguments,
    shell_commands,
    subcommand,
)
from medlint.fix.plans import SAFE, Manual, PlanContext, Proposal
from medlint.fix.writer import UnsafePath, checked_path

_CLEANUP = ("rm", "-rf", "/var/lib/apt/lists/*")
_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh"})
#: The install sub-commands of each OS package manager MD802 may fix (the grammar's, without dry runs).
_INSTALL_VERBS = {
    "apt-get": ("install",),
    "apt": ("install",),
    "apk": ("add",),
    "dnf": ("install", "in"),
    "dnf5": ("install", "in"),
    "microdnf": ("install",),
    "zypper": ("install", "in"),
}
_PIP_FLAG = (("install",), "--no-cache-dir", re.compile(r"--no-cache(-dir)?(=.*)?"))


def _install_flag(program: str) -> tuple[tuple[str, ...], str, re.Pattern[str]] | None:
    """For MD802's `install-flags:<program>` subject: the install sub-commands, the option the package-managers
    table asks for, and what already satisfies it."""
    if program == "pip":
        return _PIP_FLAG
    from medlint.rulepack import load_table

    row = next((r for r in load_table("package-managers")["rows"] if r["program"] == program), None)
    if row is None or program not in _INSTALL_VERBS:
        return None
    if row.get("no_recommends_option"):
        accepted = "|".join(f"(?:{pattern})" for pattern in row["no_recommends"])
        return _INSTALL_VERBS[program], row["no_recommends_option"], re.compile(accepted, re.IGNORECASE)
    if row.get("no_cache_option"):
        accepted = "|".join(re.escape(option) + "(=.*)?" for option in row["no_cache"])
        return _INSTALL_VERBS[program], row["no_cache_option"], re.compile(accepted)
    return None


def _cleanup_command(subject: str) -> tuple[str, ...] | None:
    """MD801's cleanup for the manager in a lists-not-removed subject (`.../package-cache:dnf:...`)."""
    marker = "/package-cache:"
    if marker not in subject:
        return _CLEANUP  # `apt-lists:`: apt
    from medlint.rulepack import load_table

    program = subject.rsplit(marker, 1)[1].split(":", 1)[0]
    row = next((r for r in load_table("package-managers")["rows"] if r["program"] == program), None)
    command = str(row.get("clean_command") or "") if row else ""
    return tuple(command.split()) or None


_PIP_NAMES = re.compile(r"^pip(3(\.\d+)?)?$")
_ADD_ONLY_FLAGS = ("checksum", "keep-git-dir", "unpack")
#: `set -e`, `set -eux`, `set -o errexit`, or a shebang with -e, in a heredoc script.
_ERREXIT = re.compile(
    r"^\s*(?:set\s+(?:-[a-zA-Z]*e[a-zA-Z]*\b|-o\s+errexit)|#!\S+\s+-[a-zA-Z]*e)", re.MULTILINE
)


def _instruction(finding: Finding, ctx: PlanContext) -> tuple[DockerfileText, InstructionText] | Manual:
    try:
        document = ctx.dockerfile(finding.location.path)
    except UnsafePath as error:
        return Manual(str(error))
    item = document.instruction_at(finding.location.line)
    if item is None:
        return Manual("no instruction at the finding's line")
    return document, item


def _run_commands(item: InstructionText) -> list[Command] | Manual:
    """The commands of a shell-form RUN (BuildKit flags dropped), with positions in `item.text`."""
    if item.text.lstrip().startswith("["):
        return Manual("an exec-form RUN (JSON array) is edited by hand")
    try:
        commands = shell_commands(item.text)
    except ShellScanError as error:
        return Manual(f"the RUN text is not read with certainty ({error})")
    if commands:
        while commands[0].words and commands[0].words[0].value.startswith("--"):
            commands[0].words.pop(0)
    return [command for command in commands if command.words]


def _is_heredoc_script(item: InstructionText, commands: list[Command]) -> bool:
    """`RUN <<EOF` (the body is the script) or `RUN bash <<EOF`; a body with a non-shell shebang is not."""
    words = [word for command in commands for word in command.words]
    if not item.heredocs:
        return False
    only_markers = all(word.value.startswith("<<") for word in words)
    reads_stdin = bool(words) and words[0].value.rsplit("/", 1)[-1] in _SHELLS and len(item.heredocs) == 1
    return only_markers or reads_stdin


def _body_script(document: DockerfileText, item: InstructionText) -> str:
    heredoc = item.heredocs[-1]
    return document.text[heredoc.body_start : heredoc.body_end]


# --------------------------------------------------------------------------------------------------
# MD802


def install_flags(finding: Finding, site: object, ctx: PlanContext) -> Proposal | Manual | None:
    marker = "/install-flags:"
    if marker not in finding.subject:
        return Manual("a build toolchain in the final image needs a multi-stage build, done by hand")
    program = finding.subject.rsplit(marker, 1)[1]
    spec = _install_flag(program)
    if spec is None:
        return Manual(f"no automatic fix for {program}")
    located = _instruction(finding, ctx)
    if isinstance(located, Manual):
        return located
    document, item = located
    commands = _run_commands(item)
    if isinstance(commands, Manual):
        return commands
    verbs, flag, accepted = spec
    edits: list[TextEdit] = []
    parts: list[tuple[list[Command], list[int]]] = [(commands, item.offsets)]
    if _is_heredoc_script(item, commands):
        body = _body_script(document, item)
        try:
            body_commands = shell_commands(body)
        except ShellScanError as error:
            return Manual(f"the heredoc script is not read with certainty ({error})")
        start = item.heredocs[-1].body_start
        parts.append((body_commands, list(range(start, start + len(body)))))
    for part_commands, offsets in parts:
        for command in part_commands:
            name, arguments = program_and_arguments(command)
            if program == "pip":
                if name.startswith("python") and [w.value for w in arguments[:2]] == ["-m", "pip"]:
                    arguments = arguments[2:]
                elif not _PIP_NAMES.match(name):
                    continue
            elif name != program:
                continue
            sub = subcommand(arguments)
            if sub is None or sub.value not in verbs or sub.quoted or sub.complex:
                continue
            if any(accepted.fullmatch(word.value) for word in arguments):
                continue
            position = offsets[sub.end - 1] + 1
            edits.append(TextEdit(position, position, f" {flag}", item.first_line + 1, ("flag", flag)))
    if not edits:
        return Manual(f"no plain `{program} {verbs[0]}` command to add {flag} to")
    return Proposal(SAFE, f"add {flag} to {program} {verbs[0]}", edits=tuple(edits))


# --------------------------------------------------------------------------------------------------
# MD801


def apt_lists_cleanup(finding: Finding, site: object, ctx: PlanContext) -> Proposal | Manual | None:
    if finding.variant != "lists-not-removed":
        return Manual(
            "an index update without an install belongs in the same RUN as the install; merge them by hand"
        )
    located = _instruction(finding, ctx)
    if isinstance(located, Manual):
        return located
    document, item = located
    commands = _run_commands(item)
    if isinstance(commands, Manual):
        return commands
    words = _cleanup_command(finding.subject)
    if words is None:
        return Manual("no cleanup command is known for this package manager")
    cleanup = " ".join(words)
    description = (
        f"remove the apt lists ({cleanup}) in the same RUN"
        if words == _CLEANUP
        else f"clean the package index and cache ({cleanup}) in the same RUN"
    )
    if item.heredocs:
        if not _is_heredoc_script(item, commands):
            return Manual("the RUN combines a command line with heredocs; add the cleanup by hand")
        body = _body_script(document, item)
        heredoc = item.heredocs[-1]
        lines = body.splitlines()
        if not lines:
            return Manual("the heredoc script is empty")
        if lines[0].startswith("#!") and lines[0][2:].split()[0].rsplit("/", 1)[-1] not in _SHELLS | {"env"}:
            return Manual("the heredoc script is not a shell script")
        last_index = (
            max(index for index, line in enumerate(lines) if line.strip())
            if any(line.strip() for line in lines)
            else -1
        )
        last = lines[last_index].rstrip() if last_index >= 0 else ""
        if not last or last.endswith(("\\", "&&", "||", "|", ";", "&")) or ends_in_comment(body.rstrip()):
            return Manual("the heredoc script's last line continues or is a comment; add the cleanup by hand")
        newline = "\r\n" if document.lines[heredoc.delimiter_line].endswith("\r\n") else "\n"
        if _ERREXIT.search(body):
            # `set -e` is on: a last line of its own keeps the script failing where it failed before.
            indent = re.match(r"[ \t]*", lines[last_index]).group()  # type: ignore[union-attr]
            edit = TextEdit(
                heredoc.body_end,
                heredoc.body_end,
                f"{indent}{cleanup}{newline}",
                item.first_line + 1,
                ("command", words),
            )
        else:
            # Without `set -e` the script's status is its last command's: chain the cleanup to it, so a
            # failing install still fails the build.
            offset = heredoc.body_start + sum(
                len(line) for line in body.splitlines(keepends=True)[:last_index]
            )
            position = offset + len(last)
            edit = TextEdit(position, position, f" && {cleanup}", item.first_line + 1, ("command", words))
        return Proposal(SAFE, description, edits=(edit,))
    text = item.text.rstrip()
    if not text or text.endswith(("&&", "||", "|", ";", "&", "\\", "`")):
        return Manual("the RUN ends with an operator; add the cleanup by hand")
    if ends_in_comment(text):
        return Manual("the RUN's last line ends in a comment; add the cleanup by hand")
    end = item.content_end
    if item.first_line == item.last_line:
        edit = TextEdit(end, end, f" && {cleanup}", item.first_line + 1, ("command", words))
    else:
        last_line = document.lines[item.last_line]
        indent = re.match(r"[ \t]*", last_line).group() or "    "  # type: ignore[union-attr]
        newline = "\r\n" if last_line.endswith("\r\n") else "\n"
        edit = TextEdit(
            end,
            end,
            f" {document.escape}{newline}{indent}&& {cleanup}",
            item.first_line + 1,
            ("command", words),
        )
    return Proposal(SAFE, description, edits=(edit,))


# --------------------------------------------------------------------------------------------------
# MD803

_ARCHIVE_MAGIC = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")


def add_to_copy(finding: Finding, site: object, ctx: PlanContext) -> Proposal | Manual | None:
    if finding.variant:
        return Manual("an ADD source that cannot be resolved may be an archive; decide by hand")
    located = _instruction(finding, ctx)
    if isinstance(located, Manual):
        return located
    _document, item = located
    if item.keyword.upper() != "ADD":
        return Manual("the finding does not point at an ADD")
    sources, flags = _add_arguments(item)
    if sources is None:
        return Manual("the ADD arguments are not read with certainty")
    if any(flag in _ADD_ONLY_FLAGS for flag in flags):
        return Manual("ADD options that COPY lacks are used")
    flagged = [
        other
        for other in ctx.findings_at(finding.location.path, finding.location.line, finding.rule_id)
        if not other.variant and not other.suppressed
    ]
    if len(flagged) != len(sources):
        return Manual("some sources of this ADD are archives or URLs, which ADD handles differently")
    directory = PurePosixPath(finding.location.path).parent
    for source in sources:
        if _is_archive_file(ctx, directory, source):
            return Manual(f"{source} is an archive, which ADD extracts and COPY would not")
    keyword = item.keyword
    replacement = "COPY" if keyword.isupper() else "copy" if keyword.islower() else "Copy"
    start = item.keyword_start
    edit = TextEdit(start, start + len(keyword), replacement, item.first_line + 1, ("keyword", "COPY"))
    return Proposal(SAFE, "use COPY for local files", edits=(edit,))


def _add_arguments(item: InstructionText) -> tuple[list[str] | None, list[str]]:
    """The sources of an ADD (heredoc sources count) and its flag names."""
    text = item.text.strip()
    flags: list[str] = []
    while text.startswith("--"):
        word, _, text = text.partition(" ")
        flags.append(word[2:].split("=", 1)[0].lower())
        text = text.lstrip()
    if text.startswith("["):
        try:
            values = json.loads(text)
        except ValueError:
            return None, flags
        if not isinstance(values, list) or len(values) < 2:
            return None, flags
        return [str(value) for value in values[:-1]], flags
    words = text.split()
    if len(words) < 2:
        return None, flags
    return words[:-1], flags


def _is_archive_file(ctx: PlanContext, directory: PurePosixPath, source: str) -> bool:
    """Whether a source beside the Dockerfile is (or, for a glob, matches) a compressed or tar archive,
    which ADD would extract and COPY would not. Sources that cannot be looked at count as not archives."""
    if "$" in source or source.startswith(("<<", "/")):
        return False
    if any(char in source for char in "*?["):
        base = ctx.root / directory.as_posix()
        try:
            matches = [path.relative_to(ctx.root).as_posix() for path in sorted(base.glob(source))]
        except (OSError, ValueError):
            return False
        return any(_archive_at(ctx, match) for match in matches[:1000])
    return _archive_at(ctx, (directory / source).as_posix())


def _archive_at(ctx: PlanContext, relative: str) -> bool:
    try:
        path = checked_path(ctx.root, relative)
    except UnsafePath:
        return False
    try:
        with open(path, "rb") as handle:
            head = handle.read(512)
    except OSError:
        return False
    return head.startswith(_ARCHIVE_MAGIC) or head[257:262] == b"ustar"
