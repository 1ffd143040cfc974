"""Dockerfile edits at exact positions: an instruction's text with continuations, heredocs and the escape
directive mapped back to file offsets, a small shell tokenizer that knows where each word is, and the proof
that an edit changed only what it meant to (medlint's own parser reads both versions).

Edits are `TextEdit`s: replace the characters [start, end) of the file with a text. Each carries the effect
it must have on the parsed instruction, which `verify_dockerfile` checks after applying.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import cast

_DIRECTIVE = re.compile(r"#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*\Z")
_DIRECTIVE_NAMES = frozenset({"syntax", "escape", "check"})
_HEREDOC = re.compile(r"<<(-?)(?:\"([^\"]+)\"|'([^']+)'|([A-Za-z_][A-Za-z0-9_]*))")


@dataclass(frozen=True)
class TextEdit:
    """Replace file characters [start, end) with `text`; `effect` is what the parsed instruction must show.

    effect: ("keyword", NEW) - the instruction's keyword becomes NEW, nothing else changes;
    ("flag", WORD) - one command gains the word WORD; ("command", WORDS) - the RUN gains a command WORDS.
    `line` is the 1-based first line of the instruction.
    """

    start: int
    end: int
    text: str
    line: int
    effect: tuple[str, object]


@dataclass
class Heredoc:
    delimiter: str
    strip_tabs: bool
    body_start: int  # file offset of the first body line
    body_end: int  # file offset of the delimiter line (the body ends just before it)
    first_line: int  # 0-based line of the first body line
    delimiter_line: int


@dataclass
class InstructionText:
    """One instruction as written: keyword position, joined text (after the keyword) and its offset map."""

    keyword: str
    keyword_start: int
    first_line: int  # 0-based
    last_line: int  # 0-based, last line of the instruction text (before heredoc bodies)
    end_line: int  # 0-based, last line including heredoc bodies
    text: str = ""
    offsets: list[int] = field(default_factory=list)  # file offset of each character of `text`
    content_end: int = 0  # file offset after the last non-blank character of the last text line
    heredocs: list[Heredoc] = field(default_factory=list)

    def file_offset(self, index: int) -> int:
        """File offset of text[index]; the end of the text maps to just after its last character."""
        if index < len(self.offsets):
            return self.offsets[index]
        return self.offsets[-1] + 1 if self.offsets else self.keyword_start + len(self.keyword)


class DockerfileText:
    """A Dockerfile's instructions with exact file offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.line_starts: list[int] = []
        position = 0
        for line in self.lines:
            self.line_starts.append(position)
            position += len(line)
        self.escape = "\\"
        self.instructions: list[InstructionText] = []
        self._read()

    def _content(self, number: int) -> str:
        return self.lines[number].rstrip("\r\n")

    def _read(self) -> None:
        number = 0
        while number < len(self.lines):
            match = _DIRECTIVE.match(self._content(number).lstrip())
            if match is None or match.group(1).lower() not in _DIRECTIVE_NAMES:
                break
            if match.group(1).lower() == "escape" and match.group(2) in ("\\", "`"):
                self.escape = match.group(2)
            number += 1
        while number < len(self.lines):
            content = self._content(number)
            stripped = content.lstrip()
            if not stripped or stripped.startswith("#"):
                number += 1
                continue
            number = self._instruction(number)

    def _continues(self, content: str) -> tuple[str, bool]:
        trimmed = content.rstrip(" \t")
        if trimmed.endswith(self.escape) and (len(trimmed) == 1 or trimmed[-2] != self.escape):
            return trimmed[:-1], True
        return content, False

    def _instruction(self, number: int) -> int:
        content = self._content(number)
        indent = len(content) - len(content.lstrip())
        start = self.line_starts[number] + indent
        keyword = re.match(r"\S+", content[indent:])
        assert keyword is not None
        item = InstructionText(keyword.group(), start, number, number, number)
        piece_start = indent + len(keyword.group())
        last_content = number
        while True:
            content = self._content(number)
            piece, more = self._continues(content)
            base = self.line_starts[number]
            item.text += piece[piece_start:]
            item.offsets.extend(range(base + piece_start, base + len(piece)))
            last_content = number
            number += 1
            piece_start = 0
            if not more:
                break
            while number < len(self.lines):
                stripped = self._content(number).lstrip()
                if stripped and not stripped.startswith("#"):
                    break
                number += 1  # BuildKit drops blank and comment lines inside a continuation
            if number >= len(self.lines):
                break
        item.last_line = last_content
        last_text = self._content(last_content)
        item.content_end = self.line_starts[last_content] + len(last_text.rstrip())
        item.end_line = last_content
        if item.keyword.upper() in ("RUN", "COPY", "ADD"):
            for delimiter, strip_tabs in _heredoc_markers(item.text):
                body_first = number
                while number < len(self.lines):
                    line = self._content(number)
                    if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                        break
                    number += 1
                if number >= len(self.lines):
                    break  # unterminated: medlint reports MD001; nothing to edit here
                item.heredocs.append(
                    Heredoc(
                        delimiter,
                        strip_tabs,
                        self.line_starts[body_first],
                        self.line_starts[number],
                        body_first,
                        number,
                    )
                )
                item.end_line = number
                number += 1
        self.instructions.append(item)
        return number

    def instruction_at(self, line: int) -> InstructionText | None:
        """The instruction whose lines (heredoc bodies included) hold a 1-based line."""
        return next(
            (item for item in self.instructions if item.first_line <= line - 1 <= item.end_line), None
        )


def _heredoc_markers(text: str) -> list[tuple[str, bool]]:
    markers = []
    for word in shell_words(text):
        match = _HEREDOC.fullmatch(word.raw.lstrip("0123456789"))
        if match:
            markers.append((match.group(2) or match.group(3) or match.group(4), match.group(1) == "-"))
    return markers


# --------------------------------------------------------------------------------------------------
# A shell tokenizer with positions


@dataclass
class Word:
    """A shell word: its text after quote removal, the raw text, and its span in the scanned text."""

    value: str
    raw: str
    start: int
    end: int
    quoted: bool = False
    complex: bool = False  # contains $(...), backticks or ${...}: not a literal


@dataclass
class Command:
    words: list[Word]
    operator_before: str = ""


_OPERATORS = ("&&", "||", ";;", "|&", ";", "|", "&", "(", ")")
_REDIRECT = re.compile(r"\d*(<<-?|<<<|>>|>&|<&|&>>|&>|>\||<>|<|>)")


class ShellScanError(Exception):
    """Text the small tokenizer does not understand well enough to edit (unbalanced quotes, ...)."""


def shell_words(text: str) -> list[Word]:
    """Words of a shell text (operators and comments skipped); never raises."""
    try:
        return [word for command in shell_commands(text) for word in command.words]
    except ShellScanError:
        return []


def shell_commands(text: str) -> list[Command]:
    """Simple commands with word positions; `#` comments and redirection targets are skipped.

    Raises ShellScanError for unterminated quotes or substitutions, where an edit could land inside them.
    """
    commands: list[Command] = [Command([])]
    position = 0
    length = len(text)
    while position < length:
        char = text[position]
        if char in " \t\r":
            position += 1
            continue
        if char == "\n":
            commands.append(Command([], ";"))
            position += 1
            continue
        if char == "\\" and text.startswith("\\\n", position):
            position += 2
            continue
        if char == "#" and (position == 0 or text[position - 1] in " \t\n;&|()"):
            end = text.find("\n", position)
            position = length if end < 0 else end
            continue
        operator = next((op for op in _OPERATORS if text.startswith(op, position)), None)
        if operator is not None:
            commands.append(Command([], operator))
            position += len(operator)
            continue
        redirect = _REDIRECT.match(text, position)
        if redirect is not None:
            position = redirect.end()
            while position < length and text[position] in " \t":
                position += 1
            if position < length and text[position] not in "\n;&|()":
                word = _read_word(text, position)
                position = word.end
                if redirect.group(1).startswith("<<"):
                    commands[-1].words.append(
                        Word(
                            redirect.group() + word.raw,
                            redirect.group() + word.raw,
                            redirect.start(),
                            word.end,
                        )
                    )
            continue
        word = _read_word(text, position)
        commands[-1].words.append(word)
        position = word.end
    return [command for command in commands if command.words]


def _read_word(text: str, position: int) -> Word:
    start = position
    parts: list[str] = []
    quoted = complex_word = False
    length = len(text)
    while position < length:
        char = text[position]
        if char in " \t\r\n;&|()<>":
            break
        if char == "'":
            end = text.find("'", position + 1)
            if end < 0:
                raise ShellScanError("unterminated single quote")
            parts.append(text[position + 1 : end])
            position = end + 1
            quoted = True
        elif char == '"':
            end = position + 1
            while end < length and text[end] != '"':
                if text[end] == "\\":
                    end += 1
                elif text[end] in "$`":
                    complex_word = True
                end += 1
            if end >= length:
                raise ShellScanError("unterminated double quote")
            parts.append(text[position + 1 : end])
            position = end + 1
            quoted = True
        elif char == "\\":
            if text.startswith("\\\n", position):
                position += 2
                continue
            parts.append(text[position + 1 : position + 2])
            position += 2
        elif char == "$" and text.startswith(("$(", "${"), position):
            closing = ")" if text[position + 1] == "(" else "}"
            opening = text[position + 1]
            depth, end = 0, position + 1
            while end < length:
                if text[end] == opening:
                    depth += 1
                elif text[end] == closing:
                    depth -= 1
                    if depth == 0:
                        break
                end += 1
            if end >= length:
                raise ShellScanError("unterminated substitution")
            parts.append(text[position : end + 1])
            position = end + 1
            complex_word = True
        elif char == "`":
            end = text.find("`", position + 1)
            if end < 0:
                raise ShellScanError("unterminated backtick")
            parts.append(text[position : end + 1])
            position = end + 1
            complex_word = True
        else:
            if char == "$":
                complex_word = True
            parts.append(char)
            position += 1
    return Word("".join(parts), text[start:position], start, position, quoted, complex_word)


def ends_in_comment(text: str) -> bool:
    """Whether the last line of a shell text ends inside a `#` comment (appending there would be lost)."""
    last = text.rsplit("\n", 1)[-1]
    try:
        scan_end = 0
        for command in shell_commands(last):
            if command.words:
                scan_end = max(scan_end, command.words[-1].end)
    except ShellScanError:
        return True
    tail = last[scan_end:]
    return "#" in tail


# --------------------------------------------------------------------------------------------------
# Finding the programs that fixes change

_PREFIXES = frozenset({"sudo", "env", "exec", "nohup", "command", "time", "nice"})


def program_and_arguments(command: Command) -> tuple[str, list[Word]]:
    """The program a command runs (basename, after `VAR=x`, `sudo`, `env` prefixes) and its arguments."""
    words = command.words
    index = 0
    while index < len(words):
        word = words[index].value
        name, sep, _ = word.partition("=")
        base = word.rsplit("/", 1)[-1]
        if (sep and name.replace("_", "a").isalnum() and not name[0].isdigit()) or base in _PREFIXES:
            index += 1
            continue
        if index > 0 and word.startswith("-"):
            index += 1
            continue
        return base, words[index + 1 :]
    return "", []


def subcommand(arguments: list[Word]) -> Word | None:
    """The first argument that is not an option (`install` in `apt-get -y install x`)."""
    skip_next = False
    for word in arguments:
        if skip_next:
            skip_next = False
            continue
        if word.value in ("-o", "-c", "-t", "--option", "--config-file", "--target-release"):
            skip_next = True
            continue
        if not word.value.startswith("-"):
            return word
    return None


def iter_shell_parts(document: DockerfileText, item: InstructionText) -> Iterator[tuple[str, list[int]]]:
    """The shell texts of a RUN with their file offsets: the instruction text, and heredoc script bodies."""
    yield item.text, item.offsets
    for heredoc in item.heredocs:
        body = document.text[heredoc.body_start : heredoc.body_end]
        yield body, list(range(heredoc.body_start, heredoc.body_end))


# --------------------------------------------------------------------------------------------------
# Applying and proving


def apply_edits(text: str, edits: list[TextEdit]) -> str:
    """Apply non-overlapping edits (identical duplicates are applied once)."""
    unique = sorted(set(edits), key=lambda edit: (edit.start, edit.end, edit.text))
    pieces: list[str] = []
    cursor = 0
    for edit in unique:
        if edit.start < cursor:
            raise ValueError("overlapping Dockerfile edits")
        pieces.append(text[cursor : edit.start])
        pieces.append(edit.text)
        cursor = edit.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def verify_dockerfile(path: str, before: str, after: str, edits: list[TextEdit]) -> str | None:
    """None when `after` parses and differs from `before` only by the edits' declared effects; else why not.

    medlint's own Dockerfile parser reads both texts: instructions not edited must be identical (keyword,
    arguments, flags, heredoc bodies, commands); an edited instruction must show exactly its effects.
    """
    from medlint.decoding import SourceError
    from medlint.parsers.dockerfile import parse_dockerfile

    try:
        old = list(parse_dockerfile(path, before).instructions())
        new = list(parse_dockerfile(path, after).instructions())
    except SourceError as error:
        return f"the result does not parse as a Dockerfile: {error.message}"
    if len(old) != len(new):
        return "the number of instructions would change"
    effects: dict[int, list[tuple[str, object]]] = {}
    for edit in edits:
        effects.setdefault(edit.line, []).append(edit.effect)
    for first, second in zip(old, new):
        wanted = effects.pop(first.location.line, None)
        if wanted is None:
            if _signature(first) != _signature(second):
                return f"line {first.location.line} would change although no fix touches it"
            continue
        problem = _check_effects(first, second, wanted)
        if problem:
            return f"line {first.location.line}: {problem}"
    if effects:
        return "an edit did not land on an instruction"
    return _same_comments(before, after)


def _signature(instruction: object) -> tuple[object, ...]:
    return (
        getattr(instruction, "keyword", None),
        getattr(instruction, "arguments", None),
        tuple(sorted(getattr(instruction, "flags", {}).items())),
        tuple((h.delimiter, h.content) for h in getattr(instruction, "heredocs", ())),
        tuple(tuple(command.words) for command in getattr(instruction, "commands", ())),
    )


def _check_effects(old: object, new: object, effects: list[tuple[str, object]]) -> str | None:
    old_sig, new_sig = _signature(old), _signature(new)
    keywords = [value for kind, value in effects if kind == "keyword"]
    if keywords:
        if new_sig[0] != keywords[0] or new_sig[1:] != old_sig[1:]:
            return "the instruction would change in more than its keyword"
        return None
    if old_sig[0] != new_sig[0] or old_sig[2] != new_sig[2]:
        return "the keyword or flags would change"
    old_commands = [list(words) for words in cast(tuple[tuple[str, ...], ...], old_sig[4])]
    new_commands = [list(words) for words in cast(tuple[tuple[str, ...], ...], new_sig[4])]
    added = [tuple(cast(Sequence[str], value)) for kind, value in effects if kind == "command"]
    if added:
        if new_commands[: len(old_commands)] != old_commands and not _same_with_flags(
            old_commands, new_commands[: len(old_commands)], effects
        ):
            return "existing commands would change"
        if [tuple(words) for words in new_commands[len(old_commands) :]] != added:
            return "the added command is not read as intended"
        return None
    if not _same_with_flags(old_commands, new_commands, effects):
        return "the commands would change in more than the added option"
    return None


def _same_with_flags(old: list[list[str]], new: list[list[str]], effects: list[tuple[str, object]]) -> bool:
    """Each command equals its old self plus some of the added flags, and every flag was added somewhere."""
    flags = {str(value) for kind, value in effects if kind == "flag"}
    if len(old) != len(new):
        return False
    seen: set[str] = set()
    for before, after in zip(old, new):
        extra = list(after)
        for word in before:
            if word not in extra:
                return False
            extra.remove(word)
        if any(word not in flags for word in extra):
            return False
        remaining = list(after)
        for word in extra:
            remaining.remove(word)
        if remaining != before:
            return False
        seen |= set(extra)
    return seen == flags


def _same_comments(before: str, after: str) -> str | None:
    old = [line.strip() for line in before.splitlines() if line.strip().startswith("#")]
    new = [line.strip() for line in after.splitlines() if line.strip().startswith("#")]
    return None if old == new else "a comment would change"
