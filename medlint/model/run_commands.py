"""Walking a Dockerfile's RUN instructions: their simple commands in `&&` chains, the stages a stage builds
FROM, and the variables a command sees (ARG/ENV defaults in scope and plain shell assignments).

The build rules (MD103, MD104, MD107, MD213, MD801, MD802) and the SOUP inventory (`medlint sbom`) read RUN
lines the same way, so what a rule calls an installed package is what the inventory lists. Everything here is
pure string work on the parsed Dockerfile; package words that stay unknown (`$(cat packages.txt)`) are
reported as unresolved, never guessed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from medlint.model.core import Dockerfile, Instruction, ShellCommand, Stage
from medlint.model.shell import command_name, split_words

_SPECIAL_BUILTINS = {"set", ":", "export", "readonly", "local", "declare"}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_VARIABLE = re.compile(r"\$(?:\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


@dataclass(frozen=True, slots=True)
class Step:
    """One simple command of a RUN, with the `&&` chain it belongs to (a failing command stops its chain)."""

    instruction: Instruction
    command: ShellCommand
    chain: int
    position: int

    @property
    def words(self) -> tuple[str, ...]:
        return self.command.words


def _errexit_flags(words: tuple[str, ...] | list[str]) -> bool:
    """`set -e`, `set -eux`, `set -o errexit`, or a SHELL with `-e`: every later command is gated."""
    for index, word in enumerate(words):
        if word.startswith("-") and not word.startswith("--") and "e" in word[1:]:
            return True
        if word == "-o" and index + 1 < len(words) and words[index + 1] == "errexit":
            return True
    return False


def _shell_has_errexit(stage: Stage, instruction: Instruction) -> bool:
    shell_words: tuple[str, ...] = ()
    for candidate in stage.instructions:
        if candidate is instruction:
            break
        if candidate.keyword == "SHELL" and candidate.json_arguments:
            shell_words = candidate.json_arguments
    return _errexit_flags(shell_words[1:])


def run_steps(stage: Stage, instruction: Instruction) -> list[Step]:
    """The commands of a RUN split into chains: `&&` and `|` continue a chain, `;` `||` `&` start one,
    unless `set -e` (or a SHELL with `-e`) is active. Commands found inside `$(...)` or `sh -c` scripts
    carry no operator and stay in the chain of the command that runs them."""
    errexit = _shell_has_errexit(stage, instruction)
    steps: list[Step] = []
    chain = 0
    for position, command in enumerate(instruction.commands):
        if position and command.operator_before not in ("&&", "|", "|&", "") and not errexit:
            chain += 1
        steps.append(Step(instruction, command, chain, position))
        program, index = command_name(command.words)
        if program == "set":
            arguments = command.words[index + 1 :]
            if _errexit_flags(arguments):
                errexit = True
            elif _errexit_flags(
                [word.replace("+", "-", 1) for word in arguments if word.startswith("+")]
                + (["-o", "errexit"] if "+o" in arguments and "errexit" in arguments else [])
            ):
                errexit = False
    return steps


def lineage(dockerfile: Dockerfile, stage: Stage) -> list[Stage]:
    """A stage and the stages it is built FROM, root first."""
    chain = [stage]
    while chain[-1].parent_stage is not None and len(chain) <= len(dockerfile.stages):
        chain.append(dockerfile.stages[chain[-1].parent_stage])
    return list(reversed(chain))


def final_lineage(dockerfile: Dockerfile) -> list[Stage]:
    """What ships: the final stage and the stages it inherits from, root first."""
    return lineage(dockerfile, dockerfile.final_stage)


# --------------------------------------------------------------------------------------------------
# Variables: ARG/ENV defaults in scope and plain shell assignments


def _assignments(instruction: Instruction) -> tuple[tuple[str, str | None], ...]:
    """Names and values of an ARG or ENV (`k=v` pairs, or the legacy `ENV k v`)."""
    return _split_assignments(instruction.keyword, instruction.resolved)


@functools.lru_cache(maxsize=4096)
def _split_assignments(keyword: str, text: str) -> tuple[tuple[str, str | None], ...]:
    """Memoised: every RUN of a stage asks again for the ARG and ENV before it, in every rule that resolves
    package words."""
    try:
        words = split_words(text)
    except ValueError:
        words = text.split()
    if keyword == "ENV" and words and "=" not in words[0]:
        return ((words[0], " ".join(words[1:])),)
    pairs: list[tuple[str, str | None]] = []
    for word in words:
        name, sep, value = word.partition("=")
        pairs.append((name, value if sep else None))
    return tuple(pairs)


def dockerfile_scope(dockerfile: Dockerfile, stage: Stage, before: Instruction) -> dict[str, str | None]:
    """Variables a RUN sees from the Dockerfile: ENV of the stage's ancestors, ARG and ENV of its own stage.

    A stage `ARG NAME` without a value takes the global ARG default; None marks a variable without value.
    """
    global_values = {name: value for item in dockerfile.global_args for name, value in _assignments(item)}
    values: dict[str, str | None] = {}
    for current in lineage(dockerfile, stage):
        for instruction in current.instructions:
            if instruction is before:
                return values
            if instruction.keyword == "ENV":
                values.update(_assignments(instruction))
            elif instruction.keyword == "ARG" and current is stage:
                for name, value in _assignments(instruction):
                    values[name] = value if value is not None else global_values.get(name)
    return values


def expand_partial(word: str, scope: Mapping[str, str | None]) -> str | None:
    """`$NAME`, `${NAME}` and `${NAME:-default}` substituted where the scope knows them; unknown references stay
    as written. None when a command substitution is involved, since its output cannot be known."""
    if "$(" in word or "`" in word:
        return None
    opaque = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal opaque
        name, default = match.group(2) or match.group(1), None
        operator = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)(:?-)(.*)$", name)
        if operator:
            name, default = operator.group(1), operator.group(3)
        elif not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            return match.group(0)
        value = scope.get(name)
        if value is None:
            return default if default is not None else match.group(0)
        opaque = opaque or "$(" in value or "`" in value
        return value

    result = _VARIABLE.sub(substitute, word)
    return None if opaque else result


def expand(word: str, scope: Mapping[str, str | None]) -> str | None:
    """The word with every variable substituted; None when anything stays unknown."""
    result = expand_partial(word, scope)
    return None if result is None or "$" in result else result


class Resolver:
    """Resolves package words of a RUN: Dockerfile scope plus assignments made earlier in the same RUN."""

    def __init__(self, dockerfile: Dockerfile, stage: Stage, instruction: Instruction) -> None:
        self._base: Callable[[], dict[str, str | None]] = lambda: dockerfile_scope(
            dockerfile, stage, instruction
        )
        self._scope: dict[str, str | None] | None = None
        self._shell: dict[str, str | None] = {}

    def note_assignments(self, words: tuple[str, ...]) -> None:
        """Remember assignments that persist for the rest of the RUN: `NAME=value` alone, `export NAME=value`,
        and assignments before a special builtin (`buildDeps='...' set -x`), which POSIX sh keeps."""
        program, index = command_name(words)
        if program in _SPECIAL_BUILTINS:
            index = len(words) if program in ("export", "readonly", "local", "declare") else index
        elif program:
            return
        scope = self.scope
        for item in words[:index]:
            if _ASSIGNMENT.match(item):
                name, _, value = item.partition("=")
                expanded = expand_partial(value, scope)
                self._shell[name] = value if expanded is None else expanded

    def for_command(self, words: tuple[str, ...]) -> Resolver:
        """The scope of one command: `NODE_ENV=production npm ci` sets NODE_ENV for that command only."""
        _, index = command_name(words)
        prefix = tuple(word for word in words[:index] if _ASSIGNMENT.match(word))
        if not prefix:
            return self
        copy = Resolver.__new__(Resolver)
        copy._base, copy._scope, copy._shell = self._base, self._scope, dict(self._shell)
        copy.note_assignments(prefix)
        return copy

    @property
    def scope(self) -> dict[str, str | None]:
        if self._scope is None:
            self._scope = self._base()
        return {**self._scope, **self._shell}

    def words(self, word: str, already_pinned: Callable[[str], bool]) -> list[tuple[str, bool]]:
        """(word, resolved?) pairs: a word with variables is expanded and split the way the shell splits it.

        A word whose pin is visible as written (`pkg=$VERSION`) needs no value.
        """
        if word.startswith(("$(", "`")):
            return [(word, False)]
        if "$" not in word or already_pinned(word):
            return [(word, True)]
        value = expand_partial(word, self.scope)
        if value is None:
            return [(word, False)]
        return [(part, "$" not in part or already_pinned(part)) for part in value.split()]


def run_instructions(stages: list[Stage]) -> Iterator[tuple[Stage, Instruction]]:
    for stage in stages:
        for instruction in stage.instructions:
            if instruction.keyword == "RUN":
                yield stage, instruction
