"""Glob patterns from scanned repositories, matched in linear time (principle 8: bounded).

Patterns in `.dockerignore`, `.helmignore`, `.Files.Glob` and `${VAR#pattern}` come from whoever wrote the
repository. Translated into a backtracking regular expression, `*a*a*a*a*a*a*a*a*a*a*a*a*c` against a long
name runs for hours. Nothing here backtracks:

* :func:`go_match` is Go's ``path/filepath.Match`` (Helm's `.helmignore`, Docker's pattern check): the
  pattern is cut into chunks at its stars and each chunk is placed at the leftmost position where it fits,
  never revisiting an earlier chunk, as Go does; the work is at most the name's length times the
  pattern's. Malformed patterns raise :class:`BadPattern` as Go returns ``ErrBadPattern``.
* :class:`Glob` runs a Thompson automaton over the pattern's positions, with the sets of positions reached
  cached as a small lazily built DFA: one step per character of the name whatever the pattern. It serves
  Docker ignore patterns (moby/patternmatcher's regular-expression semantics: ``*``, ``?``, ``**``,
  classes), gobwas/glob (Helm's ``.Files.Glob``: also ``{a,b}``) and shell patterns (``*`` crossing
  ``/``), each parsed by its own ``*_glob`` constructor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["BadPattern", "Glob", "docker_glob", "go_match", "gobwas_glob", "shell_glob"]

SEPARATOR = "/"


class BadPattern(ValueError):
    """A malformed pattern (Go's ``filepath.ErrBadPattern``: "syntax error in pattern")."""

    def __init__(self, message: str = "syntax error in pattern") -> None:
        super().__init__(message)


# --------------------------------------------------------------------------------------------------
# Go's filepath.Match


def go_match(pattern: str, name: str) -> bool:
    """Go's ``filepath.Match(pattern, name)`` on a ``/`` system; raises BadPattern for a malformed pattern.

    ``*`` matches any run of characters other than ``/``, ``?`` one such character, ``[...]`` a class
    (``^`` negates; a class may match ``/``), ``\\x`` the character x. The whole name must match.
    """
    while pattern:
        star, chunk, pattern = _scan_chunk(pattern)
        if star and not chunk:
            return SEPARATOR not in name  # a trailing star matches the rest unless it holds a `/`
        rest = _match_chunk(chunk, name)
        if rest is not None and (not rest or pattern):
            name = rest
            continue
        if star:
            # Place the chunk further on, skipping characters the star may cover (never `/`).
            placed = False
            for skip in range(len(name)):
                if name[skip] == SEPARATOR:
                    break
                rest = _match_chunk(chunk, name[skip + 1 :])
                if rest is not None:
                    if not pattern and rest:
                        continue  # the last chunk must end the name
                    name = rest
                    placed = True
                    break
            if placed:
                continue
        while pattern:  # no match: Go still reports a malformed remainder
            _, chunk, pattern = _scan_chunk(pattern)
            _match_chunk(chunk, "")
        return False
    return not name


def _scan_chunk(pattern: str) -> tuple[bool, str, str]:
    """(a star came first, the chunk up to the next star outside a class, the rest)."""
    star = False
    while pattern.startswith("*"):
        pattern = pattern[1:]
        star = True
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            if index + 1 < len(pattern):
                index += 1
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "*" and not in_class:
            break
        index += 1
    return star, pattern[:index], pattern[index:]


def _match_chunk(chunk: str, text: str) -> str | None:
    """The rest of ``text`` after ``chunk`` matched its start, or None; the whole chunk is always parsed
    so that a malformed one raises BadPattern even when the text does not match."""
    failed = False
    position = 0
    index = 0
    while index < len(chunk):
        if not failed and position >= len(text):
            failed = True
        char = chunk[index]
        if char == "[":
            current = "" if failed else text[position]
            if not failed:
                position += 1
            index += 1
            negated = index < len(chunk) and chunk[index] == "^"
            if negated:
                index += 1
            matched = False
            ranges = 0
            while True:
                if index < len(chunk) and chunk[index] == "]" and ranges > 0:
                    index += 1
                    break
                low, index = _class_char(chunk, index)
                high = low
                if chunk[index] == "-":
                    high, index = _class_char(chunk, index + 1)
                if not failed and low <= current <= high:
                    matched = True
                ranges += 1
            if matched == negated:
                failed = True
        elif char == "?":
            if not failed:
                if text[position] == SEPARATOR:
                    failed = True
                position += 1
            index += 1
        else:
            if char == "\\":
                index += 1
                if index >= len(chunk):
                    raise BadPattern()
            if not failed:
                if chunk[index] != text[position]:
                    failed = True
                position += 1
            index += 1
    return None if failed else text[position:]


def _class_char(chunk: str, index: int) -> tuple[str, int]:
    """Go's getEsc: one possibly escaped class character; a class must go on after it."""
    if index >= len(chunk) or chunk[index] in "-]":
        raise BadPattern()
    if chunk[index] == "\\":
        index += 1
        if index >= len(chunk):
            raise BadPattern()
    char = chunk[index]
    index += 1
    if index >= len(chunk):
        raise BadPattern()
    return char, index


# --------------------------------------------------------------------------------------------------
# An automaton over pattern positions

Predicate = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class _Char:
    """One character satisfying ``test``."""

    test: Predicate


@dataclass(frozen=True, slots=True)
class _Repeat:
    """Any number (also none) of characters satisfying ``test``."""

    test: Predicate


@dataclass(frozen=True, slots=True)
class _Optional:
    """The items, or nothing."""

    items: tuple[_Item, ...]


@dataclass(frozen=True, slots=True)
class _Either:
    """One of the alternatives (each a sequence of items)."""

    alternatives: tuple[tuple[_Item, ...], ...]


@dataclass(frozen=True, slots=True)
class _Start:
    """Matches nothing, and only at the start of the name (a ``^`` that moby passes into its regexp)."""


_Item = _Char | _Repeat | _Optional | _Either | _Start
_AT_START = object()  # the test of an anchor state


def _literal(char: str) -> _Char:
    return _Char(char.__eq__)


def _not_separator(char: str) -> bool:
    return char != SEPARATOR


def _any(char: str) -> bool:
    return True


class Glob:
    """A compiled pattern: ``matches(name)`` for the whole name, ``prefix_ends(text)`` for every match of
    the pattern against a prefix of ``text`` (shell ``${v#p}``). Linear in the name; never backtracks.

    States are positions of a Thompson automaton (character tests and their successors, plus splits
    that read nothing); sets of states reached are numbered as they are met and their transitions cached
    per character, so a long name costs a dictionary lookup per character.
    """

    #: Cached DFA states before the cache starts over (each still costs one automaton step per character).
    MAX_CACHED_STATES = 2048

    def __init__(self, items: Sequence[_Item]) -> None:
        self._tests: list[Any] = []  # a predicate, None (a split: no character) or _AT_START
        self._next: list[tuple[int, ...]] = []
        self._accept = self._new_state(None, ())
        start = self._build(tuple(items), self._accept)
        self._closures: dict[tuple[int, bool], frozenset[int]] = {}
        self._start = self._closure((start,), at_start=True)
        self._sets: list[frozenset[int]] = []
        self._numbers: dict[frozenset[int], int] = {}
        self._table: list[dict[str, int]] = []
        self._reset()  # state set 0 is always the start

    # -- building

    def _new_state(self, test: Predicate | object | None, successors: tuple[int, ...]) -> int:
        self._tests.append(test)
        self._next.append(successors)
        return len(self._tests) - 1

    def _build(self, items: tuple[_Item, ...], follow: int) -> int:
        """States for ``items`` followed by state ``follow``; returns the first state."""
        current = follow
        for item in reversed(items):
            if isinstance(item, _Char):
                current = self._new_state(item.test, (current,))
            elif isinstance(item, _Repeat):
                loop = self._new_state(None, ())
                step = self._new_state(item.test, (loop,))
                self._next[loop] = (step, current)
                current = loop
            elif isinstance(item, _Start):
                current = self._new_state(_AT_START, (current,))
            elif isinstance(item, _Optional):
                current = self._new_state(None, (self._build(item.items, current), current))
            else:
                starts = tuple(self._build(alternative, current) for alternative in item.alternatives)
                current = self._new_state(None, starts)
        return current

    def _closure(self, states: Iterable[int], at_start: bool = False) -> frozenset[int]:
        """The states reachable through splits (and, at the start, anchors), keeping only character tests
        and the accepting state."""
        result: set[int] = set()
        for state in states:
            known = self._closures.get((state, at_start))
            if known is None:
                known = self._closures[(state, at_start)] = self._reach(state, at_start)
            result |= known
        return frozenset(result)

    def _reach(self, start: int, at_start: bool) -> frozenset[int]:
        seen: set[int] = set()
        stack = [start]
        result: set[int] = set()
        while stack:
            state = stack.pop()
            if state in seen:
                continue
            seen.add(state)
            test = self._tests[state]
            if test is _AT_START:
                if at_start:
                    stack.extend(self._next[state])
            elif test is None and state != self._accept:
                stack.extend(self._next[state])
            else:
                result.add(state)
        return frozenset(result)

    def _reset(self) -> None:
        self._sets = [self._start]
        self._numbers = {self._start: 0}
        self._table = [{}]

    def _number(self, states: frozenset[int]) -> int:
        number = self._numbers.get(states)
        if number is None:
            number = len(self._sets)
            self._sets.append(states)
            self._numbers[states] = number
            self._table.append({})
        return number

    def _step(self, number: int, char: str) -> int:
        row = self._table[number]
        following = row.get(char)
        if following is not None:
            return following
        states = self._sets[number]
        tests, successors = self._tests, self._next
        reached: list[int] = []
        for state in states:
            test = tests[state]
            if test is not None and test is not _AT_START and test(char):
                reached.extend(successors[state])
        target = self._closure(reached)
        if target not in self._numbers and len(self._sets) >= self.MAX_CACHED_STATES:
            self._reset()  # a pattern with very many state sets: start the cache over
            number = self._number(states)
            row = self._table[number]
        following = self._number(target)
        row[char] = following
        return following

    # -- matching

    def matches(self, name: str) -> bool:
        """Whether the pattern matches all of ``name``."""
        number = 0
        step = self._step
        for char in name:
            number = step(number, char)
            if not self._sets[number]:
                return False
        return self._accept in self._sets[number]

    def prefix_ends(self, text: str) -> list[int]:
        """Every length n such that the pattern matches ``text[:n]``, in increasing order."""
        number = 0
        ends = [0] if self._accept in self._start else []
        for index, char in enumerate(text, 1):
            number = self._step(number, char)
            if not self._sets[number]:
                break
            if self._accept in self._sets[number]:
                ends.append(index)
        return ends


# --------------------------------------------------------------------------------------------------
# Pattern dialects


def _class_test(members: list[tuple[str, str]], negated: bool, exclude_separator: bool = False) -> Predicate:
    def test(char: str) -> bool:
        inside = any(low <= char <= high for low, high in members)
        if negated:
            return not inside and not (exclude_separator and char == SEPARATOR)
        return inside

    return test


def _parse_class(
    pattern: str, index: int, negations: str, leading_bracket: bool = True
) -> tuple[list[tuple[str, str]], bool, int]:
    """A ``[...]`` class starting after ``[``: (ranges, negated, index after ``]``); BadPattern if unclosed.

    ``\\x`` is the character x; ``a-z`` a range; with ``leading_bracket``, a ``]`` right after the
    opening (or the negation) is a member, as in regular expressions and shells.
    """
    negated = index < len(pattern) and pattern[index] in negations
    if negated:
        index += 1
    members: list[tuple[str, str]] = []
    first = leading_bracket
    while True:
        if index >= len(pattern):
            raise BadPattern("unclosed character class")
        char = pattern[index]
        if char == "]" and not first:
            return members, negated, index + 1
        first = False
        if char == "\\" and index + 1 < len(pattern):
            index += 1
            char = pattern[index]
        index += 1
        if index + 1 < len(pattern) and pattern[index] == "-" and pattern[index + 1] != "]":
            high = pattern[index + 1]
            index += 2
            if high == "\\" and index < len(pattern):
                high = pattern[index]
                index += 1
            members.append((char, high))
        else:
            members.append((char, char))


def docker_glob(pattern: str) -> Glob:
    """A cleaned `.dockerignore` pattern with moby/patternmatcher's semantics (its regular expression):
    ``*`` is ``[^/]*``, ``?`` is ``[^/]``, ``**`` followed by more is ``(.*/)?`` (``**/`` eats its slash),
    a final ``**`` is ``.*``, ``[...]`` a class, ``\\x`` the character x. Raises BadPattern."""
    items: list[_Item] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        index += 1
        if char == "*":
            if index < len(pattern) and pattern[index] == "*":
                index += 1
                if index < len(pattern) and pattern[index] == SEPARATOR:
                    index += 1
                if index >= len(pattern):
                    items.append(_Repeat(_any))
                else:
                    items.append(_Optional((_Repeat(_any), _literal(SEPARATOR))))
            else:
                items.append(_Repeat(_not_separator))
        elif char == "?":
            items.append(_Char(_not_separator))
        elif char == "\\":
            if index < len(pattern):
                items.append(_literal(pattern[index]))
                index += 1
            else:
                items.append(_literal("\\"))
        elif char == "[":
            members, negated, index = _parse_class(pattern, index, "^")
            items.append(_Char(_class_test(members, negated)))
        elif char == "^":  # not escaped by moby: an anchor in its regular expression
            items.append(_Start())
        else:
            items.append(_literal(char))
    return Glob(items)


def gobwas_glob(pattern: str) -> Glob:
    """gobwas/glob with ``/`` as separator (Helm's ``.Files.Glob``): ``*`` (no ``/``), ``**`` (anything),
    ``?``, ``[a-z]``, ``[!x]`` (never ``/``), ``{a,b}`` alternatives, ``\\x``. Raises BadPattern."""
    items, index = _gobwas_items(pattern, 0, nested=False)
    if index < len(pattern):
        raise BadPattern("unexpected character in pattern")
    return Glob(items)


def _gobwas_items(pattern: str, index: int, nested: bool) -> tuple[list[_Item], int]:
    items: list[_Item] = []
    while index < len(pattern):
        char = pattern[index]
        if nested and char in ",}":
            return items, index
        if char == "\\" and index + 1 < len(pattern):
            items.append(_literal(pattern[index + 1]))
            index += 2
        elif char == "*":
            if pattern.startswith("**", index):
                items.append(_Repeat(_any))
                index += 2
            else:
                items.append(_Repeat(_not_separator))
                index += 1
        elif char == "?":
            items.append(_Char(_not_separator))
            index += 1
        elif char == "[":
            members, negated, index = _parse_class(pattern, index + 1, "!^", leading_bracket=False)
            items.append(_Char(_class_test(members, negated, exclude_separator=True)))
        elif char == "{":
            alternatives: list[tuple[_Item, ...]] = []
            index += 1
            while True:
                alternative, index = _gobwas_items(pattern, index, nested=True)
                alternatives.append(tuple(alternative))
                if index >= len(pattern):
                    raise BadPattern("unclosed alternative")
                index += 1
                if pattern[index - 1] == "}":
                    break
            items.append(_Either(tuple(alternatives)))
        else:
            items.append(_literal(char))
            index += 1
    if nested:
        raise BadPattern("unclosed alternative")
    return items, index


def shell_glob(pattern: str, reverse: bool = False) -> Glob:
    """A POSIX shell pattern (``${v#p}``, ``case``): ``*`` any run (``/`` too), ``?`` any character,
    ``[...]`` with ``!`` or ``^`` negation, ``\\x`` the character x. An unclosed ``[`` is a plain ``[``.

    ``reverse`` builds the pattern read backwards, to find matching suffixes on a reversed text.
    """
    items: list[_Item] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        index += 1
        if char == "*":
            items.append(_Repeat(_any))
        elif char == "?":
            items.append(_Char(_any))
        elif char == "\\" and index < len(pattern):
            items.append(_literal(pattern[index]))
            index += 1
        elif char == "[":
            try:
                members, negated, after = _parse_class(pattern, index, "!^")
            except BadPattern:
                items.append(_literal("["))
            else:
                items.append(_Char(_class_test(members, negated)))
                index = after
        else:
            items.append(_literal(char))
    return Glob(items[::-1] if reverse else items)
