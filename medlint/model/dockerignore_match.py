"""Does a `.dockerignore` keep a file out of the build context? Docker's own answer, reproduced.

MD306 must decide whether `.env` or `id_rsa` reaches the builder, so the matcher follows moby/patternmatcher
(used by the classic builder and by BuildKit's context transfer) rather than fnmatch or gitignore rules:

- patterns are anchored at the context root: `*.pem` matches `key.pem` but not `certs/key.pem`;
- `*` and `?` never cross a `/`; `**` crosses any number of directories (also none): `**/*.pem`;
- a pattern that matches a parent directory excludes everything below it (`secrets` excludes `secrets/a`);
- patterns apply in order and a `!` pattern re-includes what earlier patterns excluded, so the last
  matching pattern wins (`*` then `!src` keeps only `src`).

The patterns come already cleaned from `medlint.parsers.dockerignore` (leading `/` removed, `./` and `//`
collapsed, exceptions written as `!pattern`). They come from the scanned repository, so the regexp kind is
matched by `medlint.model.globs` (an automaton, linear in the path) and never by a backtracking regex.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass

from medlint.model.globs import BadPattern, Glob, docker_glob, go_match


@dataclass(frozen=True, slots=True)
class IgnorePattern:
    """One compiled pattern. `kind` mirrors patternmatcher: exact, prefix, suffix or regexp (a glob)."""

    text: str
    exclusion: bool
    kind: str
    glob: Glob | None = None

    def matches(self, path: str) -> bool:
        if self.kind == "exact":
            return path == self.text
        if self.kind == "prefix":
            return path.startswith(self.text[:-2])  # the pattern ends in "**"
        if self.kind == "suffix":
            suffix = self.text[2:]  # the pattern starts with "**"
            if path.endswith(suffix):
                return True
            return suffix.startswith("/") and path == suffix[1:]  # "**/foo" matches "foo"
        return self.glob is not None and self.glob.matches(path)


def _kind(pattern: str) -> str:
    """patternmatcher's match type of a cleaned pattern: exact, prefix (`dir/**`), suffix (`**/x`) or regexp."""
    kind = "exact"
    index, token = 0, 0
    while index < len(pattern):
        char = pattern[index]
        index += 1
        if char == "*" and index < len(pattern) and pattern[index] == "*":
            index += 1
            if index < len(pattern) and pattern[index] == "/":
                index += 1
            kind = ("prefix" if kind == "exact" else "regexp") if index >= len(pattern) else "regexp"
            if token == 0:
                kind = "suffix"
        elif char in "*?[]":
            kind = "regexp"
        elif char == "\\" and index < len(pattern):
            index += 1
            kind = "regexp"
        token += 1
    return kind


def compile_pattern(line: str) -> IgnorePattern | None:
    """A pattern line (`!` for an exception); None for lines Docker rejects or that can never match."""
    text = line.strip()
    exclusion = text.startswith("!")
    if exclusion:
        text = text[1:].strip()
    if not text:
        return None
    text = posixpath.normpath(text)
    if len(text) > 1 and text.startswith("/"):
        text = text.lstrip("/")  # Docker anchors `/x` at the context root, like `x`
    try:
        go_match(text, ".")  # patternmatcher checks the syntax with filepath.Match first
        kind = _kind(text)
        if kind != "regexp":
            return IgnorePattern(text, exclusion, kind)
        return IgnorePattern(text, exclusion, kind, docker_glob(text))
    except BadPattern:
        return None  # Docker fails the build on a malformed pattern; nothing is excluded by it here


@dataclass(frozen=True, slots=True)
class IgnoreMatcher:
    """The compiled patterns of one ignore file, in order."""

    patterns: tuple[IgnorePattern, ...]

    def excludes(self, path: str) -> bool:
        """Whether `path` (context-relative, `/`-separated) is left out of the build context.

        patternmatcher's MatchesOrParentMatches: a pattern matching the path or any parent directory
        decides, and only a later pattern of the opposite sense can change the decision.
        """
        path = posixpath.normpath(path.strip("/"))
        parent = posixpath.dirname(path)
        parents = parent.split("/") if parent else []
        excluded = False
        for pattern in self.patterns:
            if pattern.exclusion != excluded:
                continue
            hit = pattern.matches(path) or any(
                pattern.matches("/".join(parents[: depth + 1])) for depth in range(len(parents))
            )
            if hit:
                excluded = not pattern.exclusion
        return excluded


def compile_ignore(lines: Iterable[str]) -> IgnoreMatcher:
    """A matcher for the pattern lines of a `.dockerignore` (as `DockerIgnore.patterns` holds them)."""
    compiled = (compile_pattern(line) for line in lines)
    return IgnoreMatcher(tuple(pattern for pattern in compiled if pattern is not None))
