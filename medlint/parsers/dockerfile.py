"""The Dockerfile parser: BuildKit's grammar, turned into the common model.

What it follows from BuildKit (`frontend/dockerfile/parser` and `instructions`):

* parser directives (`# syntax=`, `# escape=`, `# check=`) only at the very top, before any instruction,
  comment or blank line; `escape` may only be `\\` or a backtick and sets the line-continuation character;
* line continuations; comment lines and blank lines inside a continuation are removed; keywords are
  case-insensitive; a heredoc (`RUN <<EOF`, `<<-EOF`, `<<"EOF"`, several per line, `COPY <<EOF /dest`)
  takes the following lines up to its delimiter, and those lines belong to the instruction's location;
* leading `--name=value` flags, checked per instruction like BuildKit does (unknown flag, missing value);
* exec form (a JSON array of strings) for RUN, CMD, ENTRYPOINT, SHELL, COPY, ADD, VOLUME and HEALTHCHECK;
  text that is not valid JSON is shell form, as in Docker;
* `ARG` before the first `FROM` (global args, visible only in FROM lines and in stages that re-declare
  them), `ENV` visible after its definition, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR:+alt}` and the
  other Docker substitutions.

Model choices (documented here because checks depend on them):

* `Stage.instructions` starts with the stage's FROM instruction, so `Dockerfile.instructions()` yields
  every instruction except the global ARGs.
* `Instruction.flags` maps the flag name without dashes to its value: `{"from": "build"}`; a boolean flag
  written without a value (`--link`) is `"true"`; repeated flags (`--mount`, `--exclude`, `--device`)
  are joined with a newline in the order written. Known variables in flag values are substituted.
* `Instruction.resolved` is the arguments text with the variables Docker itself substitutes (ADD, ARG,
  COPY, ENV, EXPOSE, FROM, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR): unknown references stay as written
  and are listed in `unresolved_variables`. For shell-form RUN the ARG/ENV values in scope are substituted
  too (the shell would see them), CMD/ENTRYPOINT/HEALTHCHECK get ENV values only; for these, references
  the parser cannot know (shell variables, the base image's ENV) are left alone and not listed.
* `Instruction.commands` holds the simple commands of shell-form and exec-form RUN, CMD, ENTRYPOINT and
  HEALTHCHECK CMD (see medlint.model.shell); the words are not variable-substituted.
* ONBUILD keeps keyword "ONBUILD" and the wrapped instruction's text in `arguments`; it has no commands.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from medlint.decoding import SourceError
from medlint.limits import DEFAULT_LIMITS, Limits
from medlint.model import (
    ArtifactKind,
    Container,
    ContainerRole,
    Dockerfile,
    DockerIgnore,
    Heredoc,
    ImageRef,
    Instruction,
    Located,
    Probe,
    SecurityContext,
    Setting,
    ShellCommand,
    Stage,
    Workload,
    shell,
)
from medlint.model.budget import ExpansionBudget, ExpansionLimitError
from medlint.model.durations import parse_go_duration
from medlint.model.images import parse_image_reference
from medlint.model.location import Location
from medlint.model.platforms import (
    PLATFORM_ARGS,
    platform_dependent,
    platform_stage,
    with_platform_values,
    written_reference,
)
from medlint.parsers.dockerignore import read_dockerignore

__all__ = [
    "KNOWN_INSTRUCTIONS",
    "dockerfile_workload",
    "parse_dockerfile",
    "read_dockerignore",
]

KNOWN_INSTRUCTIONS = (
    "FROM",
    "RUN",
    "CMD",
    "LABEL",
    "MAINTAINER",
    "EXPOSE",
    "ENV",
    "ADD",
    "COPY",
    "ENTRYPOINT",
    "VOLUME",
    "USER",
    "WORKDIR",
    "ARG",
    "ONBUILD",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
)
_KNOWN = frozenset(KNOWN_INSTRUCTIONS)

# Flag kinds: a boolean may be written bare (`--link`), a string needs `=value`, a repeated one may appear
# more than once. Instructions not listed take no flags (BuildKit rejects any).
_BOOL, _STRING, _REPEATED = "bool", "string", "repeated"
_FLAG_KINDS: dict[str, dict[str, str]] = {
    "FROM": {"platform": _STRING},
    "RUN": {"mount": _REPEATED, "network": _STRING, "security": _STRING, "device": _REPEATED},
    "COPY": {
        "from": _STRING,
        "chown": _STRING,
        "chmod": _STRING,
        "link": _BOOL,
        "parents": _BOOL,
        "exclude": _REPEATED,
    },
    "ADD": {
        "chown": _STRING,
        "chmod": _STRING,
        "link": _BOOL,
        "checksum": _STRING,
        "keep-git-dir": _BOOL,
        "exclude": _REPEATED,
        "unpack": _BOOL,
    },
    "HEALTHCHECK": {
        "interval": _STRING,
        "timeout": _STRING,
        "start-period": _STRING,
        "start-interval": _STRING,
        "retries": _STRING,
    },
}
_HEALTHCHECK_DURATIONS = ("interval", "timeout", "start-period", "start-interval")

_HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
_NOT_ONBUILD_TRIGGERS = frozenset({"ONBUILD", "FROM", "MAINTAINER"})
_NON_POSIX_SHELLS = frozenset({"cmd", "cmd.exe", "powershell", "powershell.exe", "pwsh", "pwsh.exe"})
_DIRECTIVE_NAMES = frozenset({"syntax", "escape", "check"})
#: `${NAME<operator>word}` modifiers, longest first.
_MODIFIERS = (":-", ":+", ":?", "##", "%%", "//", "-", "+", "?", "#", "%", "/")

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DIRECTIVE = re.compile(r"#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*\Z")
_HEREDOC = re.compile(r"(\d*)<<(-?)([^<]+)\Z")
_STAGE_NAME = re.compile(r"[a-z][a-z0-9_.-]*\Z")
_PLAIN_RUNS = {"\\": re.compile(r"[^\\'\"$]+"), "`": re.compile(r"[^`'\"$]+")}
#: Docker's words: runs of plain characters, quoted strings (unterminated ones run to the end) and escapes.
_WORD_PATTERNS = {
    escape: re.compile(rf"(?:[^\s'\"{e}]+|'[^']*'?|\"(?:[^\"{e}]+|{e}[\s\S]?)*\"?|{e}[\s\S]?)+")
    for escape, e in (("\\", "\\\\"), ("`", "`"))
}
#: Inside double quotes: characters that need no attention (no quote, escape or `$`).
_QUOTED_RUNS = {"\\": re.compile(r'[^"\\$]+'), "`": re.compile(r'[^"`$]+')}
_JSON = json.JSONDecoder()


# --------------------------------------------------------------------------------------------------
# Public API


def parse_dockerfile(
    path: str, text: str, ignore_file: DockerIgnore | None = None, limits: Limits = DEFAULT_LIMITS
) -> Dockerfile:
    """Parse Dockerfile text; `path` (repository-relative, POSIX) goes into every Location.

    Raises SourceError(message, line, column) when Docker would refuse the file, or when substituting
    ARG and ENV values would go over the expansion budgets of `limits`.
    """
    lines = [line[:-1] if line.endswith("\r") else line for line in text.lstrip("\ufeff").split("\n")]
    directives, escape = _read_directives(path, lines)
    parser = _Parser(path, escape, _LineReader(lines, escape), ExpansionBudget(limits))
    parser.parse()
    return parser.result(directives, ignore_file)


def dockerfile_workload(dockerfile: Dockerfile) -> Workload:
    """The final image seen as something that runs: one container with its USER, HEALTHCHECK, labels.

    The final stage inherits from the stages it is built FROM: the nearest USER and HEALTHCHECK win and
    labels merge (nearer stages override). Labels of external base images are unknown and not included.
    """
    final = dockerfile.final_stage
    chain = dockerfile.final_chain()
    anchor = final.from_instruction.location
    escape = dockerfile.directives["escape"].value if "escape" in dockerfile.directives else "\\"
    user = _last_instruction(chain, "USER")
    run_as_user = None
    if user is not None:
        value = _Expander({}, escape, strict=False).word(user.resolved)
        run_as_user = Setting(value, user.location, "USER instruction")
    healthcheck = _last_instruction(chain, "HEALTHCHECK")
    container = Container(
        name=final.name or "final",
        role=ContainerRole.IMAGE,
        location=anchor,
        image=final.base,
        security=SecurityContext(anchor=anchor, declared=user is not None, run_as_user=run_as_user),
        probes=(_healthcheck_probe(healthcheck),) if healthcheck is not None else (),
    )
    return Workload(
        kind="Image",
        name=dockerfile.path,
        artifact=ArtifactKind.DOCKERFILE,
        path=dockerfile.path,
        location=anchor,
        subject=f"Dockerfile:{dockerfile.path}",
        containers=(container,),
        labels=_chain_labels(chain, escape),
        labels_anchor=anchor,
    )


# --------------------------------------------------------------------------------------------------
# Workload helpers


def _last_instruction(chain: list[Stage], keyword: str) -> Instruction | None:
    """The last `keyword` instruction of the nearest stage in the chain that has one."""
    for stage in chain:
        found = [item for item in stage.instructions if item.keyword == keyword]
        if found:
            return found[-1]
    return None


def _chain_labels(chain: list[Stage], escape: str) -> dict[str, Located[str]]:
    labels: dict[str, Located[str]] = {}
    for stage in reversed(chain):  # the root stage first, so nearer stages override
        for instruction in stage.instructions:
            if instruction.keyword == "LABEL":
                for key, located in instruction.pairs:
                    labels[key] = Located(located.value or "", located.location)
    return labels


def _pairs_of(text: str, escape: str) -> list[tuple[str, str]]:
    """Key/value pairs of an (already substituted) ENV or LABEL argument text."""
    expander = _Expander({}, escape, strict=False)
    try:
        pairs = _raw_pairs(text, escape)
    except _SyntaxProblem:
        return []
    return [(expander.word(key), expander.word(value)) for key, value, _ in pairs]


def _healthcheck_probe(instruction: Instruction) -> Probe:
    _kind, _, rest = instruction.arguments.partition(" ")
    if instruction.arguments.split(None, 1)[0].upper() == "NONE":
        return Probe(kind="healthcheck", location=instruction.location, disabled=True, command=("NONE",))
    if instruction.json_arguments is not None:
        command: tuple[str, ...] = ("CMD", *instruction.json_arguments)
    else:
        command = ("CMD-SHELL", rest.strip())
    flags = instruction.flags
    return Probe(
        kind="healthcheck",
        location=instruction.location,
        command=command,
        initial_delay_seconds=_duration_seconds(flags.get("start-period", "")),
        period_seconds=_duration_seconds(flags.get("interval", "")),
        timeout_seconds=_duration_seconds(flags.get("timeout", "")),
    )


def _duration_seconds(text: str) -> float | None:
    """A HEALTHCHECK duration flag in seconds; None when empty or not a Go duration."""
    return parse_go_duration(text) if text else None


# --------------------------------------------------------------------------------------------------
# Directives and physical lines


def _read_directives(path: str, lines: list[str]) -> tuple[dict[str, Located[str]], str]:
    """Parser directives at the top of the file, and the escape character they select."""
    directives: dict[str, Located[str]] = {}
    escape = "\\"
    for number, raw in enumerate(lines, 1):
        stripped = raw.lstrip()
        match = _DIRECTIVE.match(stripped)
        if match is None or match.group(1).lower() not in _DIRECTIVE_NAMES:
            break
        name, value = match.group(1).lower(), match.group(2)
        column = len(raw) - len(stripped) + 1
        if name in directives:
            raise SourceError(f"the '{name}' parser directive is given twice; keep only one", number, column)
        if name == "escape":
            if value not in ("\\", "`"):
                raise SourceError(
                    f"invalid escape directive value '{value}': use '\\' (the default) or '`' (Windows)",
                    number,
                    column + match.start(2),
                )
            escape = value
        directives[name] = Located(value, Location(path, number, column, number, len(raw.rstrip()) + 1))
    return directives, escape


@dataclass
class _LogicalLine:
    """An instruction after continuation joining, with a map back to physical positions."""

    text: str = ""
    starts: list[int] = field(default_factory=list)  # offset in `text` where each physical piece begins
    places: list[tuple[int, int]] = field(default_factory=list)  # (line, column) of each piece's start
    end_line: int = 0
    end_column: int = 0
    pieces: list[str] = field(default_factory=list)  # joined into `text` once, by finish()
    length: int = 0

    def add(self, piece: str, line: int, column: int) -> None:
        self.starts.append(self.length)
        self.places.append((line, column))
        self.pieces.append(piece)
        self.length += len(piece)

    def finish(self) -> None:
        """Join the pieces (appending to a string piece by piece is quadratic in continuation lines)."""
        self.text = "".join(self.pieces)
        self.pieces = []

    @property
    def line(self) -> int:
        return self.places[0][0]

    @property
    def column(self) -> int:
        return self.places[0][1]

    def position(self, offset: int) -> tuple[int, int]:
        """Physical (line, column) of an offset in the joined text."""
        index = max(bisect_right(self.starts, offset) - 1, 0)
        line, column = self.places[index]
        return line, column + offset - self.starts[index]


class _LineReader:
    """Hands out logical lines (instructions) and heredoc bodies from the physical lines."""

    def __init__(self, lines: list[str], escape: str) -> None:
        self.lines = lines
        self.escape = escape
        self.index = 0  # next physical line, 0-based

    def next_instruction(self) -> _LogicalLine | None:
        lines = self.lines
        while self.index < len(lines):
            raw = lines[self.index]
            self.index += 1
            stripped = raw.lstrip()
            if not stripped or stripped[0] == "#":
                continue
            logical = _LogicalLine()
            piece, more = self._split_continuation(stripped)
            logical.add(piece, self.index, len(raw) - len(stripped) + 1)
            last = raw
            logical.end_line = self.index
            while more and self.index < len(lines):
                raw = lines[self.index]
                self.index += 1
                stripped = raw.lstrip()
                if not stripped or stripped[0] == "#":
                    continue  # BuildKit drops comment and blank lines inside a continuation
                piece, more = self._split_continuation(raw)
                logical.add(piece, self.index, 1)
                last = raw
                logical.end_line = self.index
            logical.end_column = len(last.rstrip()) + 1
            logical.finish()
            return logical
        return None

    def _split_continuation(self, content: str) -> tuple[str, bool]:
        """Remove a trailing escape character (the continuation mark) unless it is itself escaped."""
        trimmed = content.rstrip(" \t")
        escape = self.escape
        if trimmed.endswith(escape) and (len(trimmed) == 1 or trimmed[-2] != escape):
            return trimmed[:-1], True
        return content, False

    def read_heredoc(self, delimiter: str, strip_tabs: bool) -> tuple[list[str], int, int] | None:
        """Body lines up to the delimiter line, the body's first line and the delimiter's line number."""
        first = self.index
        while self.index < len(self.lines):
            raw = self.lines[self.index]
            self.index += 1
            if (raw.lstrip("\t") if strip_tabs else raw) == delimiter:
                return self.lines[first : self.index - 1], first + 1, self.index
        self.index = first
        return None


# --------------------------------------------------------------------------------------------------
# Docker's word handling


class _SyntaxProblem(Exception):
    """A problem in an instruction's text; the parser turns it into a SourceError with a position."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


def _docker_words(text: str, escape: str) -> list[tuple[str, int, int]]:
    """Docker's parseWords: whitespace-separated words with quotes and escapes kept, with offsets.

    An unterminated quote runs to the end of the text; the escape character keeps the next character
    (outside single quotes). One regular expression per word, without backtracking.
    """
    return [(match.group(), match.start(), match.end()) for match in _WORD_PATTERNS[escape].finditer(text)]


def _whitespace_words(text: str) -> list[tuple[str, int]]:
    """Words separated by whitespace, with their offsets (FROM, COPY sources, HEALTHCHECK type)."""
    words: list[tuple[str, int]] = []
    position = 0
    for word in text.split():
        position = text.index(word, position)
        words.append((word, position))
        position += len(word)
    return words


def _raw_pairs(text: str, escape: str) -> list[tuple[str, str, int]]:
    """ENV/LABEL `key=value ...` or legacy `key value` pairs, unprocessed, with the key's offset."""
    words = _docker_words(text, escape)
    if not words:
        return []
    if "=" not in words[0][0]:
        parts = text.split(None, 1)
        if len(parts) < 2:
            raise _SyntaxProblem(f"'{parts[0]}' needs a value: write {parts[0]}=<value>")
        return [(parts[0], parts[1], 0)]
    pairs = []
    for word, start, _ in words:
        key, equals, value = word.partition("=")
        if not equals:
            raise _SyntaxProblem(
                f"can't find '=' in '{word}': write name=value (quote values with spaces)", start
            )
        pairs.append((key, value, start))
    return pairs


class _Expander:
    """Docker's variable substitution and quote removal, over a scope of known values.

    `values` maps names to values; None means the variable exists but its value is unknown (an ARG
    without default is set by `--build-arg`). References to unknown variables stay as written and their
    names are collected in `missing`. `strict` makes unmatched quotes an error, as Docker does for the
    instructions it substitutes in. Characters copied from variables are counted against `budget` (per
    expander: one value; and per file), before they are copied: see medlint.model.budget.
    """

    def __init__(
        self,
        values: Mapping[str, str | None],
        escape: str,
        strict: bool = True,
        budget: ExpansionBudget | None = None,
    ) -> None:
        self.values = values
        self.escape = escape
        self.strict = strict
        self.missing: list[str] = []
        self._plain = _PLAIN_RUNS[escape]
        self.budget = budget or ExpansionBudget()
        self.substituted = 0  # characters copied from variables into this expander's value
        self.depth = 0

    def _take(self, value: str, reference: str) -> str:
        """A variable's value entering the output: counted against the budgets first."""
        if value:
            self.substituted += len(value)
            self.budget.check_value(self.substituted, reference)
            self.budget.add(len(value))
        return value

    def _nested(self, argument: str) -> str:
        """The word of a `${NAME:-word}`-style modifier, itself substituted (nesting is bounded)."""
        self.depth += 1
        try:
            self.budget.check_nesting(self.depth)
            return self._walk(argument, keep_quotes=False)
        finally:
            self.depth -= 1

    def substitute(self, text: str) -> str:
        """Substitute variables, keeping quotes and escapes (the `resolved` text of an instruction)."""
        return text if "$" not in text else self._walk(text, keep_quotes=True)

    def word(self, text: str) -> str:
        """Substitute variables and remove quotes and escapes (a value as Docker uses it)."""
        if self._plain.fullmatch(text) is not None:  # nothing to substitute or remove
            return text
        return self._walk(text, keep_quotes=False)

    def _walk(self, text: str, keep_quotes: bool) -> str:
        out: list[str] = []
        position, length, escape = 0, len(text), self.escape
        while position < length:
            char = text[position]
            if char == escape:
                if keep_quotes:
                    out.append(text[position : position + 2])
                else:
                    out.append(text[position + 1 : position + 2])
                position += 2
            elif char == "'":
                end = text.find("'", position + 1)
                if end < 0:
                    end = self._unterminated("single quote", length)
                out.append(text[position : end + 1] if keep_quotes else text[position + 1 : end])
                position = end + 1
            elif char == '"':
                position = self._double_quoted(text, position, out, keep_quotes)
            elif char == "$":
                position = self._variable(text, position, out)
            else:
                match = self._plain.match(text, position)
                assert match is not None
                out.append(match.group())
                position = match.end()
        return "".join(out)

    def _unterminated(self, what: str, length: int) -> int:
        if self.strict:
            raise _SyntaxProblem(f"unmatched {what}: close it or escape it with {self.escape}")
        return length

    def _double_quoted(self, text: str, position: int, out: list[str], keep_quotes: bool) -> int:
        escape, length = self.escape, len(text)
        if keep_quotes:
            out.append('"')
        position += 1
        while position < length:
            char = text[position]
            if char == '"':
                if keep_quotes:
                    out.append('"')
                return position + 1
            if char == escape and text[position + 1 : position + 2] in ('"', "$", escape):
                out.append(text[position : position + 2] if keep_quotes else text[position + 1])
                position += 2
            elif char == "$":
                position = self._variable(text, position, out)
            else:
                match = _QUOTED_RUNS[escape].match(text, position)
                if match is None:  # an escape character not followed by `"`, `$` or itself
                    out.append(char)
                    position += 1
                else:
                    out.append(match.group())
                    position = match.end()
        return self._unterminated("double quote", length)

    def _variable(self, text: str, position: int, out: list[str]) -> int:
        if text.startswith("${", position):
            end = _closing_brace(text, position + 1)
            if end < 0:
                if self.strict:
                    raise _SyntaxProblem("missing '}' in a ${...} variable reference")
                out.append(text[position:])
                return len(text)
            out.append(self._braced(text[position + 2 : end], text[position : end + 1]))
            return end + 1
        match = _NAME.match(text, position + 1)
        if match is None:
            out.append("$")
            return position + 1
        out.append(self._lookup(match.group(), text[position : match.end()]))
        return match.end()

    def _lookup(self, name: str, original: str) -> str:
        value = self.values.get(name)
        if value is None:
            if name not in self.missing:
                self.missing.append(name)
            return original
        return self._take(value, original)

    def _braced(self, inner: str, original: str) -> str:
        """`${NAME}` and its modifiers: `:-` `-` `:+` `+` `:?` `?` `#` `##` `%` `%%` `/` `//`."""
        match = _NAME.match(inner)
        if match is None:
            return self._bad_substitution(original)
        name, rest = match.group(), inner[match.end() :]
        if not rest:
            return self._lookup(name, original)
        operator = next((op for op in _MODIFIERS if rest.startswith(op)), "")
        if not operator:
            return self._bad_substitution(original)
        argument = rest[len(operator) :]
        value = self.values.get(name)
        if operator in (":-", "-"):
            usable = value is not None and (value != "" or operator == "-")
            return self._take(value, original) if usable and value is not None else self._nested(argument)
        if value is None:
            return self._lookup(name, original)
        if operator in (":+", "+"):
            return "" if operator == ":+" and value == "" else self._nested(argument)
        if operator in (":?", "?"):
            return self._take(value, original)
        if operator in ("/", "//"):
            pattern, _, replacement = argument.partition("/")
            if not pattern:
                return self._take(value, original)
            hits = value.count(pattern) if operator == "//" else min(value.count(pattern), 1)
            grown = len(value) + hits * (len(replacement) - len(pattern))  # checked before it is built
            self.budget.check_value(self.substituted + grown, original)
            return self._take(value.replace(pattern, replacement, -1 if operator == "//" else 1), original)
        return self._take(_trim_pattern(value, self._nested(argument), operator), original)

    def _bad_substitution(self, original: str) -> str:
        if self.strict:
            raise _SyntaxProblem(
                f"bad substitution {original}: write ${{NAME}}, ${{NAME:-default}} or ${{NAME:+alternative}}"
            )
        return original


def _closing_brace(text: str, opening: int) -> int:
    level = 0
    for position in range(opening, len(text)):
        char = text[position]
        if char == "{":
            level += 1
        elif char == "}":
            level -= 1
            if level == 0:
                return position
    return -1


def _trim_pattern(value: str, pattern: str, operator: str) -> str:
    """`${v#p}` `${v##p}` `${v%p}` `${v%%p}`: remove the shortest/longest matching prefix/suffix.

    The pattern may come from anywhere in the repository: it is run once over the value by an automaton
    (medlint.model.globs), which finds every matching prefix (or, reversed, suffix) in one pass.
    """
    from medlint.model.globs import shell_glob  # rare; keep it off the import path

    if operator in ("#", "##"):
        ends = shell_glob(pattern).prefix_ends(value)
        if not ends:
            return value
        return value[ends[0] if operator == "#" else ends[-1] :]
    ends = shell_glob(pattern, reverse=True).prefix_ends(value[::-1])
    if not ends:
        return value
    return value[: len(value) - (ends[0] if operator == "%" else ends[-1])]


def _unquote(text: str) -> str:
    """Quote removal only (heredoc delimiters): `"EOF"` and `'EOF'` become `EOF`."""
    return text.replace('"', "").replace("'", "").replace("\\", "")


# --------------------------------------------------------------------------------------------------
# The parser


#: Platform arguments kept as written references while expanding FROM images and `--from` flags.
_PLATFORM_REFERENCES = {name: written_reference(name) for name in PLATFORM_ARGS}


@dataclass
class _StageDraft:
    """A stage being built, with the variable scope its instructions see."""

    index: int
    name: str | None
    base: ImageRef
    parent: int | None
    instructions: list[Instruction]
    args: dict[str, str | None]
    env: dict[str, str | None]
    posix_shell: bool

    def values(self) -> dict[str, str | None]:
        """ENV wins over ARG of the same name, as in Docker."""
        return {**self.args, **self.env}


@dataclass
class _Draft:
    """The parts of one instruction while it is parsed."""

    keyword: str
    logical: _LogicalLine
    arguments: str
    arguments_offset: int
    flags: dict[str, str]
    json_arguments: tuple[str, ...] | None = None
    heredocs: list[Heredoc] = field(default_factory=list)
    commands: list[ShellCommand] = field(default_factory=list)
    resolved: str | None = None
    unresolved: list[str] = field(default_factory=list)


class _Parser:
    """Turns logical lines into instructions and stages, keeping the ARG/ENV scope as it goes."""

    def __init__(
        self, path: str, escape: str, reader: _LineReader, budget: ExpansionBudget | None = None
    ) -> None:
        self.path = path
        self.escape = escape
        self.reader = reader
        self.budget = budget or ExpansionBudget()
        self.stages: list[_StageDraft] = []
        self.global_args: list[Instruction] = []
        self.global_values: dict[str, str | None] = {}
        self.first_line = 0

    # ---------------------------------------------------------------------------------------------
    # driving

    def parse(self) -> None:
        while True:
            logical = self.reader.next_instruction()
            if logical is None:
                return
            if not self.first_line:
                self.first_line = logical.line
            try:
                self._instruction(logical)
            except _SyntaxProblem as problem:
                line, column = logical.position(problem.offset)
                raise SourceError(problem.message, line, column) from None
            except ExpansionLimitError as problem:  # where no variable name was at hand
                keyword = logical.text[: _word_end(logical.text, 0)].upper()
                raise SourceError(f"{keyword}: {problem.message}", logical.line, logical.column) from None

    def result(self, directives: dict[str, Located[str]], ignore_file: DockerIgnore | None) -> Dockerfile:
        if not self.stages:
            if not self.global_args:
                raise SourceError("empty Dockerfile: no FROM instruction; start it with FROM <image>", 1, 1)
            raise SourceError(
                "no FROM instruction: add FROM <image> after the global ARG lines to start a build stage",
                self.first_line,
            )
        stages = tuple(
            Stage(
                index=draft.index,
                name=draft.name,
                base=draft.base,
                from_instruction=draft.instructions[0],
                instructions=tuple(draft.instructions),
                parent_stage=draft.parent,
            )
            for draft in self.stages
        )
        return Dockerfile(
            path=self.path,
            stages=stages,
            directives=directives,
            global_args=tuple(self.global_args),
            ignore_file=ignore_file,
        )

    def _instruction(self, logical: _LogicalLine) -> None:
        text = logical.text
        keyword_end = _word_end(text, 0)
        written = text[:keyword_end]
        keyword = written.upper()
        if keyword not in _KNOWN:
            raise _SyntaxProblem(_unknown_instruction_message(written, logical.line, logical.column > 1))
        if not self.stages and keyword not in ("ARG", "FROM"):
            raise _SyntaxProblem(
                f"{keyword} before the first FROM: only ARG may come before FROM; move it below a FROM line"
            )
        raw_flags, arguments_offset = _extract_flags(text, keyword_end)
        # FROM's own flags (`--platform=$BUILDPLATFORM`) keep the platform arguments as written.
        flags = self._flags(
            keyword, raw_flags, self.global_values if keyword == "FROM" else self._scope(keyword)
        )
        arguments = text[arguments_offset:].rstrip()
        draft = _Draft(keyword, logical, arguments, arguments_offset, flags)
        getattr(self, "_" + keyword.lower())(draft)
        self._store(draft)

    def _store(self, draft: _Draft) -> None:
        logical = draft.logical
        stage_index = len(self.stages) - 1
        instruction = Instruction(
            keyword=draft.keyword,
            location=Location(self.path, logical.line, logical.column, logical.end_line, logical.end_column),
            arguments=draft.arguments,
            flags=draft.flags,
            json_arguments=draft.json_arguments,
            heredocs=tuple(draft.heredocs),
            commands=tuple(draft.commands),
            resolved=draft.arguments if draft.resolved is None else draft.resolved,
            unresolved_variables=tuple(draft.unresolved),
            stage_index=stage_index,
            pairs=self._located_pairs(draft),
        )
        if stage_index < 0:
            self.global_args.append(instruction)
        else:
            self.stages[-1].instructions.append(instruction)

    def _located_pairs(self, draft: _Draft) -> tuple[tuple[str, Located[str | None]], ...]:
        """Keys of ENV, LABEL and ARG with their values, each located at the key's own line and column."""
        if draft.keyword not in ("ENV", "LABEL", "ARG"):
            return ()
        expander = _Expander({}, self.escape, strict=False, budget=self.budget)
        if draft.keyword == "ARG":
            raw = [
                (word.partition("=")[0], word.partition("=")[2] if "=" in word else None, start)
                for word, start, _ in _docker_words(draft.arguments, self.escape)
            ]
        else:
            try:
                raw = list(_raw_pairs(draft.arguments, self.escape))
            except _SyntaxProblem:
                return ()
        resolved = (
            _pairs_of(draft.resolved, self.escape)
            if draft.resolved is not None and draft.keyword != "ARG"
            else []
        )
        pairs = []
        for index, (key, value, start) in enumerate(raw):
            line, column = draft.logical.position(draft.arguments_offset + start)
            key_text = expander.word(key)
            if value is None:
                shown: str | None = None
            elif len(resolved) == len(raw) and resolved[index][0] == key_text:
                shown = resolved[index][1]
            else:
                shown = expander.word(value)
            location = Location(self.path, line, column, line, column + len(key))
            pairs.append((key_text, Located(shown, location)))
        return tuple(pairs)

    @property
    def stage(self) -> _StageDraft | None:
        return self.stages[-1] if self.stages else None

    def _scope(self, keyword: str = "") -> dict[str, str | None]:
        """The variables an instruction sees: global ARGs and BuildKit's platform arguments for FROM lines,
        else the current stage's."""
        stage = self.stage
        if keyword == "FROM":
            return {**self.global_values, **PLATFORM_ARGS}
        return self.global_values if stage is None else stage.values()

    def _substitute(self, draft: _Draft) -> None:
        """Docker's own substitution: resolved text plus the names it could not resolve."""
        expander = _Expander(self._scope(draft.keyword), self.escape, budget=self.budget)
        draft.resolved = expander.substitute(draft.arguments)
        draft.unresolved.extend(name for name in expander.missing if name not in draft.unresolved)

    # ---------------------------------------------------------------------------------------------
    # flags

    def _flags(
        self, keyword: str, raw_flags: list[tuple[str, int]], scope: Mapping[str, str | None]
    ) -> dict[str, str]:
        """Check flags like BuildKit does (known name, value present) and substitute known variables."""
        kinds = _FLAG_KINDS.get(keyword, {})
        values: dict[str, str] = {}
        for written, offset in raw_flags:
            name, equals, value = written[2:].partition("=")
            if not name or name.startswith("-"):
                raise _SyntaxProblem(
                    f"malformed flag '{written}': write flags as --name=value, without a space after '--'",
                    offset,
                )
            kind = kinds.get(name)
            if kind is None:
                accepted = ", ".join("--" + known for known in kinds) if kinds else "no flags"
                raise _SyntaxProblem(
                    f"unknown flag --{name} for {keyword}; {keyword} accepts {accepted}", offset
                )
            if kind == _BOOL:
                if equals and value.lower() not in ("true", "false"):
                    raise _SyntaxProblem(f"flag --{name} takes true or false, not '{value}'", offset)
                value = value.lower() if equals else "true"
            elif not equals:
                raise _SyntaxProblem(f"flag --{name} needs a value: write --{name}=<value>", offset)
            flag_scope = {**scope, **_PLATFORM_REFERENCES} if name in ("from", "mount") else scope
            value = _Expander(flag_scope, self.escape, strict=False, budget=self.budget).substitute(value)
            if name in values:
                if kind != _REPEATED:
                    raise _SyntaxProblem(f"flag --{name} is given twice for {keyword}; keep one", offset)
                values[name] += "\n" + value
            else:
                values[name] = value
        return values

    # ---------------------------------------------------------------------------------------------
    # instructions

    def _from(self, draft: _Draft) -> None:
        words = _whitespace_words(draft.arguments)
        if not words:
            raise _SyntaxProblem(
                "FROM needs an image: write FROM <image>[:tag] [AS <name>]", draft.arguments_offset
            )
        if len(words) not in (1, 3) or (len(words) == 3 and words[1][0].lower() != "as"):
            raise _SyntaxProblem(
                "FROM takes an image and optionally AS <name>: write FROM <image>[:tag] [AS <name>]",
                draft.arguments_offset + words[1][1],
            )
        name = self._stage_name(draft, words)
        self._substitute(draft)
        image_word, image_offset = words[0]
        # BuildKit's platform arguments are always defined for FROM lines; they are kept as `${TARGETOS}` so
        # that a reference naming one stage per platform is recognised as a stage.
        expander = _Expander({**self.global_values, **_PLATFORM_REFERENCES}, self.escape, budget=self.budget)
        image = expander.word(image_word)
        location = self._span(draft, image_offset, image_offset + len(image_word))
        parent = next((stage.index for stage in self.stages if stage.name == image.lower()), None)
        if parent is None and not expander.missing:
            family = platform_stage(image, [stage.name for stage in self.stages if stage.name])
            if family is not None:
                parent = next((stage.index for stage in self.stages if stage.name == family), None)
        if parent is not None and not expander.missing:
            stage_name = self.stages[parent].name or image.lower()
            base = ImageRef(written=image, location=location, repository=stage_name, is_stage=True)
        elif platform_dependent(image):
            parent = None
            read = parse_image_reference(with_platform_values(image), location, bool(expander.missing))
            base = dataclasses.replace(read, written=image, problem=None)  # its form depends on the platform
        else:
            parent = None
            base = parse_image_reference(image, location, unresolved=bool(expander.missing))
        inherited = self.stages[parent] if parent is not None else None
        self.stages.append(
            _StageDraft(
                index=len(self.stages),
                name=name,
                base=base,
                parent=parent,
                instructions=[],
                args=dict(inherited.args) if inherited else {},
                env=dict(inherited.env) if inherited else {},
                posix_shell=inherited.posix_shell if inherited else not _windows_image(self.escape, base),
            )
        )

    def _stage_name(self, draft: _Draft, words: list[tuple[str, int]]) -> str | None:
        if len(words) != 3:
            return None
        written, offset = words[2]
        name = written.lower()
        if not _STAGE_NAME.match(name):
            raise _SyntaxProblem(
                f"invalid stage name '{written}': start with a letter and use only letters, digits, '-', '_', '.'",
                draft.arguments_offset + offset,
            )
        if any(stage.name == name for stage in self.stages):
            raise _SyntaxProblem(
                f"duplicate stage name '{written}': give each stage its own AS name",
                draft.arguments_offset + offset,
            )
        return name

    def _arg(self, draft: _Draft) -> None:
        words = _docker_words(draft.arguments, self.escape)
        if not words:
            raise _SyntaxProblem(
                "ARG needs a name: write ARG NAME or ARG NAME=default", draft.arguments_offset
            )
        pairs = [(word.partition("=")[0], word.partition("=")[2], start) for word, start, _ in words]
        with self._naming_variable(draft, pairs):
            self._substitute(draft)
        stage = self.stage
        target = self.global_values if stage is None else stage.args
        for word, start, _ in words:
            name, equals, default = word.partition("=")
            if not name:
                raise _SyntaxProblem(
                    "ARG names can not be blank: write ARG NAME=default", draft.arguments_offset + start
                )
            if name in PLATFORM_ARGS and stage is not None:
                target[name] = PLATFORM_ARGS[name]  # BuildKit sets it, over any default (a linux/amd64 build)
            elif equals:
                # Global defaults may name the platform arguments (`ARG BASE=base-$TARGETARCH`): kept as
                # written references, so the FROM that uses them can still name one stage per platform.
                scope = self._scope() if stage is not None else {**self.global_values, **_PLATFORM_REFERENCES}
                expander = _Expander(scope, self.escape, budget=self.budget)
                with self._naming_variable(draft, [(name, default, start)]):
                    value = expander.word(default)
                target[name] = None if expander.missing else value
            elif stage is not None:
                target[name] = self.global_values.get(name)  # re-declaring a global ARG brings its value
            else:
                target[name] = None

    def _env(self, draft: _Draft) -> None:
        pairs = self._pairs(draft)
        stage = self.stage
        assert stage is not None
        for name, value, known in pairs:
            stage.env[name] = value if known else None

    def _label(self, draft: _Draft) -> None:
        self._pairs(draft)

    def _pairs(self, draft: _Draft) -> list[tuple[str, str, bool]]:
        """Process ENV/LABEL pairs with the scope before the instruction: (key, value, value known)."""
        try:
            raw_pairs = _raw_pairs(draft.arguments, self.escape)
        except _SyntaxProblem as problem:
            offset = draft.arguments_offset + problem.offset
            raise _SyntaxProblem(f"{draft.keyword}: {problem.message}", offset) from None
        if not raw_pairs:
            raise _SyntaxProblem(f"{draft.keyword} needs at least one key=value pair", draft.arguments_offset)
        with self._naming_variable(draft, raw_pairs):
            self._substitute(draft)
        scope = self._scope()
        pairs = []
        for raw_key, raw_value, offset in raw_pairs:
            with self._naming_variable(draft, [(raw_key, raw_value, offset)]):
                key = _Expander(scope, self.escape, budget=self.budget).word(raw_key)
                if not key:
                    raise _SyntaxProblem(
                        f"{draft.keyword} names can not be blank", draft.arguments_offset + offset
                    )
                expander = _Expander(scope, self.escape, budget=self.budget)
                value = expander.word(raw_value)
            pairs.append((key, value, not expander.missing))
        return pairs

    @contextlib.contextmanager
    def _naming_variable(self, draft: _Draft, pairs: list[tuple[str, str, int]]) -> Iterator[None]:
        """Report a budget error as `KEYWORD NAME: ...` at the first pair whose value substitutes."""
        try:
            yield
        except ExpansionLimitError as error:
            name, _, offset = next(
                ((k, v, o) for k, v, o in pairs if "$" in v), pairs[0] if pairs else ("", "", 0)
            )
            raise _SyntaxProblem(
                f"{draft.keyword} {name}: {error.message}".replace("  ", " "), draft.arguments_offset + offset
            ) from None

    def _maintainer(self, draft: _Draft) -> None:
        self._require_arguments(draft, "MAINTAINER <name> (deprecated: prefer LABEL maintainer=<name>)")

    def _expose(self, draft: _Draft) -> None:
        self._require_arguments(draft, "EXPOSE <port>[/<protocol>]")
        self._substitute(draft)

    def _workdir(self, draft: _Draft) -> None:
        self._require_arguments(draft, "WORKDIR <path>")
        self._substitute(draft)

    def _stopsignal(self, draft: _Draft) -> None:
        self._require_arguments(draft, "STOPSIGNAL <signal>")
        self._substitute(draft)

    def _user(self, draft: _Draft) -> None:
        self._require_arguments(draft, "USER <user>[:<group>]")
        self._substitute(draft)
        _Expander({}, self.escape, budget=self.budget).word(
            draft.resolved or ""
        )  # unmatched quotes are an error here

    def _volume(self, draft: _Draft) -> None:
        self._require_arguments(draft, 'VOLUME <path>... or VOLUME ["<path>"]')
        draft.json_arguments = self._json_form(draft, draft.arguments, draft.arguments_offset)
        self._substitute(draft)

    def _copy(self, draft: _Draft) -> None:
        self._sources_and_destination(draft)

    def _add(self, draft: _Draft) -> None:
        self._sources_and_destination(draft)

    def _sources_and_destination(self, draft: _Draft) -> None:
        keyword = draft.keyword
        draft.json_arguments = self._json_form(draft, draft.arguments, draft.arguments_offset)
        if draft.json_arguments is None:
            draft.heredocs = self._heredocs(draft, draft.arguments, draft.arguments_offset)
            count = len(draft.arguments.split())
        else:
            count = len(draft.json_arguments)
        if count < 2:
            raise _SyntaxProblem(
                f"{keyword} needs a source and a destination: write {keyword} <src>... <dest>",
                draft.arguments_offset,
            )
        self._substitute(draft)

    def _run(self, draft: _Draft) -> None:
        stage = self.stage
        assert stage is not None
        draft.json_arguments = self._json_form(draft, draft.arguments, draft.arguments_offset)
        if draft.json_arguments is not None:
            draft.commands = _exec_commands(draft.json_arguments, draft.logical.line)
            return
        draft.heredocs = self._heredocs(draft, draft.arguments, draft.arguments_offset)
        if not draft.arguments:
            raise _SyntaxProblem('RUN needs a command: write RUN <command> or RUN ["<executable>", "<arg>"]')
        draft.resolved = _Expander(stage.values(), self.escape, strict=False, budget=self.budget).substitute(
            draft.arguments
        )
        split = shell.split_shell(draft.arguments, stage.posix_shell)
        draft.commands = _line_commands(split, draft)
        draft.commands.extend(self._heredoc_scripts(draft, split))

    def _cmd(self, draft: _Draft) -> None:
        self._command_line(draft, draft.arguments, draft.arguments_offset)

    def _entrypoint(self, draft: _Draft) -> None:
        self._command_line(draft, draft.arguments, draft.arguments_offset)

    def _command_line(self, draft: _Draft, text: str, offset: int) -> None:
        """CMD, ENTRYPOINT and HEALTHCHECK CMD: exec or shell form; ENV values are known at run time."""
        stage = self.stage
        assert stage is not None
        draft.json_arguments = self._json_form(draft, text, offset)
        if draft.json_arguments is not None:
            draft.commands = _exec_commands(draft.json_arguments, draft.logical.line)
            return
        draft.resolved = _Expander(dict(stage.env), self.escape, strict=False, budget=self.budget).substitute(
            draft.arguments
        )
        split = shell.split_shell(text, stage.posix_shell)
        draft.commands = _line_commands(split, draft, offset - draft.arguments_offset)

    def _healthcheck(self, draft: _Draft) -> None:
        words = _whitespace_words(draft.arguments)
        if not words:
            raise _SyntaxProblem("HEALTHCHECK needs CMD <command> or NONE", draft.arguments_offset)
        kind = words[0][0].upper()
        if kind == "NONE":
            if len(words) > 1:
                raise _SyntaxProblem(
                    "HEALTHCHECK NONE takes no arguments", draft.arguments_offset + words[1][1]
                )
            draft.flags = {}  # Docker ignores flags on HEALTHCHECK NONE
            return
        if kind != "CMD":
            raise _SyntaxProblem(
                f"unknown HEALTHCHECK type '{words[0][0]}': write HEALTHCHECK [--interval=...] CMD <command>, or NONE",
                draft.arguments_offset,
            )
        if len(words) == 1:
            raise _SyntaxProblem("HEALTHCHECK CMD needs a command", draft.arguments_offset)
        self._check_healthcheck_flags(draft)
        offset = words[1][1]
        self._command_line(draft, draft.arguments[offset:], draft.arguments_offset + offset)

    def _check_healthcheck_flags(self, draft: _Draft) -> None:
        for name in _HEALTHCHECK_DURATIONS:
            value = draft.flags.get(name)
            seconds = _duration_seconds(value) if value else 0.0
            if seconds is None or seconds < 0 or 0 < seconds < 0.001:  # Docker: 0, or at least 1ms
                raise _SyntaxProblem(
                    f"invalid duration '{value}' for --{name}: use values such as 30s, 1m30s or 500ms", 0
                )
        retries = draft.flags.get("retries")
        if retries is not None and not retries.strip().lstrip("-").isdigit():
            raise _SyntaxProblem(f"--retries must be a whole number, not '{retries}'")

    def _shell(self, draft: _Draft) -> None:
        stage = self.stage
        assert stage is not None
        shell_words = self._json_form(draft, draft.arguments, draft.arguments_offset)
        if not shell_words:
            raise _SyntaxProblem(
                'SHELL needs the JSON form with at least one element, e.g. SHELL ["/bin/bash", "-o", "pipefail", "-c"]',
                draft.arguments_offset,
            )
        draft.json_arguments = shell_words
        program = shell_words[0].replace("\\", "/").rsplit("/", 1)[-1].lower()
        stage.posix_shell = program not in _NON_POSIX_SHELLS

    def _onbuild(self, draft: _Draft) -> None:
        self._require_arguments(draft, "ONBUILD <INSTRUCTION> ...")
        inner_end = _word_end(draft.arguments, 0)
        written = draft.arguments[:inner_end]
        inner = written.upper()
        if inner not in _KNOWN:
            raise _SyntaxProblem(_unknown_instruction_message(written), draft.arguments_offset)
        if inner in _NOT_ONBUILD_TRIGGERS:
            raise _SyntaxProblem(f"{inner} isn't allowed as an ONBUILD trigger", draft.arguments_offset)
        if inner in _HEREDOC_INSTRUCTIONS:
            _, inner_offset = _extract_flags(draft.arguments, inner_end)
            inner_text = draft.arguments[inner_offset:]
            if self._json_form(draft, inner_text, draft.arguments_offset + inner_offset) is None:
                draft.heredocs = self._heredocs(draft, inner_text, draft.arguments_offset + inner_offset)

    # ---------------------------------------------------------------------------------------------
    # helpers

    def _require_arguments(self, draft: _Draft, usage: str) -> None:
        if not draft.arguments:
            raise _SyntaxProblem(f"{draft.keyword} needs an argument: write {usage}", len(draft.keyword))

    def _span(self, draft: _Draft, start: int, end: int) -> Location:
        """Location of arguments[start:end] (clipped to its first physical line)."""
        logical = draft.logical
        line, column = logical.position(draft.arguments_offset + start)
        end_line, end_column = logical.position(draft.arguments_offset + max(end - 1, start))
        if end_line != line:
            end_line, end_column = line, column
        return Location(self.path, line, column, line, end_column + 1)

    def _json_form(self, draft: _Draft, text: str, offset: int) -> tuple[str, ...] | None:
        """The exec-form array, or None for shell form (also when the JSON is invalid, as in Docker)."""
        if not text.startswith("["):
            return None
        try:
            value, _ = _JSON.raw_decode(text)
        except ValueError:
            return None
        if not isinstance(value, list):
            return None
        if not all(isinstance(item, str) for item in value):
            raise _SyntaxProblem(
                f"{draft.keyword} in JSON form needs an array of strings only: quote every element", offset
            )
        return tuple(value)

    def _heredocs(self, draft: _Draft, text: str, offset: int) -> list[Heredoc]:
        """Read the bodies of the heredocs opened on this line (`<<EOF`, `<<-EOF`, `<<"EOF"`)."""
        if "<<" not in text:
            return []
        heredocs: list[Heredoc] = []
        logical = draft.logical
        for word, start, _ in _docker_words(text, "\\"):
            match = _HEREDOC.match(word)
            if match is None:
                continue
            delimiter = _unquote(match.group(3))
            if not delimiter or any(char.isspace() for char in delimiter):
                continue
            strip_tabs = match.group(2) == "-"
            body = self.reader.read_heredoc(delimiter, strip_tabs)
            if body is None:
                raise _SyntaxProblem(
                    f"unterminated heredoc: add a line containing only '{delimiter}' to end it",
                    offset + start,
                )
            lines, first_line, terminator_line = body
            if strip_tabs:
                lines = [line.lstrip("\t") for line in lines]
            heredocs.append(
                Heredoc(delimiter=delimiter, content="".join(line + "\n" for line in lines), line=first_line)
            )
            logical.end_line = terminator_line
            logical.end_column = len(self.reader.lines[terminator_line - 1]) + 1
        return heredocs

    def _heredoc_scripts(self, draft: _Draft, split: list[shell.SplitCommand]) -> list[ShellCommand]:
        """Split heredoc bodies that a shell runs as a script (`RUN <<EOF`, `RUN bash <<EOF`)."""
        stage = self.stage
        assert stage is not None
        whole_line_is_heredoc = _HEREDOC.match(draft.arguments.strip()) is not None
        owners = {delimiter: item for item in split for delimiter, _ in item.heredocs}
        commands: list[ShellCommand] = []
        for heredoc in draft.heredocs:
            owner = owners.get(heredoc.delimiter)
            is_script = whole_line_is_heredoc or (
                owner is not None and bool(owner.words) and shell.reads_script_from_stdin(owner.words)
            )
            if is_script and heredoc.content.startswith("#!"):
                shebang = heredoc.content[2:].split("\n", 1)[0].split()
                is_script = shell.is_shell(shebang)
            if is_script:
                commands.extend(_body_commands(heredoc, stage.posix_shell))
        return commands


# --------------------------------------------------------------------------------------------------
# Small helpers of the parser


def _windows_image(escape: str, base: ImageRef) -> bool:
    """Guess a Windows image (default shell `cmd`): backtick escape or a Windows base image name."""
    raw = base.written.lower()
    return escape == "`" or any(marker in raw for marker in ("windows", "nanoserver", "servercore"))


def _word_end(text: str, start: int) -> int:
    position = start
    while position < len(text) and not text[position].isspace():
        position += 1
    return position


def _extract_flags(text: str, start: int) -> tuple[list[tuple[str, int]], int]:
    """BuildKit's extractBuilderFlags: the leading `--name[=value]` words (quotes removed) and offsets.

    Returns the flags and the offset where the arguments begin.
    """
    flags: list[tuple[str, int]] = []
    length = len(text)
    position = start
    while True:
        while position < length and text[position].isspace():
            position += 1
        if not text.startswith("--", position):
            return flags, position
        word_start = position
        parts: list[str] = []
        quote = ""
        while position < length:
            char = text[position]
            if not quote and char.isspace():
                break
            position += 1
            if quote and char == quote:
                quote = ""
            elif not quote and char in "'\"":
                quote = char
            elif char == "\\" and position < length:
                parts.append(text[position])
                position += 1
            elif char != "\\":
                parts.append(char)
        flags.append(("".join(parts), word_start))


_TYPO_LIKE = re.compile(r"[A-Za-z]{1,16}|[^\w\s]{1,16}")
_KEY_LIKE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,80}")


def _unknown_instruction_message(written: str, line: int = 1, indented: bool = False) -> str:
    """Name the word that is not an instruction, without ever quoting what may be a value.

    `DB_PASSWORD=hunter2` on the line after `ENV DB_USER=admin` (a backslash missing) is named by its key
    only; a word that looks like a typo of an instruction (`FORM`) is quoted with a suggestion; anything
    else (a token, a password) is not quoted at all.
    """
    from difflib import get_close_matches  # only on the error path

    backslash = f"; a backslash may be missing at the end of line {line - 1}" if line > 1 else ""
    known = f"; known instructions: {' '.join(KNOWN_INSTRUCTIONS)}"
    key, equals, _ = written.partition("=")
    if equals:
        shown = f"'{key}=...'" if _KEY_LIKE.fullmatch(key) else "a key=value pair"
        return f"unknown instruction: {shown} is not an instruction{backslash}{known}"
    if not _TYPO_LIKE.fullmatch(written):
        return f"unknown instruction: the line does not start with one (its first word is not shown){backslash}{known}"
    guess = get_close_matches(written.upper(), KNOWN_INSTRUCTIONS, n=1, cutoff=0.6)
    hint = f" (did you mean {guess[0]}?)" if guess else ""
    return f"unknown instruction '{written}'{hint}{backslash if indented else ''}{known}"


def _exec_commands(words: tuple[str, ...], line: int) -> list[ShellCommand]:
    """Exec form runs one command (plus the script of `["sh", "-c", "..."]`)."""
    commands = [ShellCommand(words=words, line=line)] if words else []
    script = shell.shell_c_script(words)
    if script:
        inner = shell.split_shell(script)
        commands.extend(
            ShellCommand(tuple(item.words), line, item.operator_before) for item in inner if item.words
        )
    return commands


def _line_commands(split: list[shell.SplitCommand], draft: _Draft, base: int = 0) -> list[ShellCommand]:
    """ShellCommands of an instruction line, each with the physical line where it starts."""
    logical = draft.logical
    offset = draft.arguments_offset + base
    return [
        ShellCommand(tuple(item.words), logical.position(offset + item.offset)[0], item.operator_before)
        for item in split
        if item.words
    ]


def _body_commands(heredoc: Heredoc, posix: bool) -> list[ShellCommand]:
    body = heredoc.content
    newlines = [index for index, char in enumerate(body) if char == "\n"]
    return [
        ShellCommand(
            tuple(item.words), heredoc.line + bisect_left(newlines, item.offset), item.operator_before
        )
        for item in shell.split_shell(body, posix)
        if item.words
    ]
