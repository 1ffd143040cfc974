"""Path globs with gitignore semantics, matched in linear time (patterns can come from a stranger's
repository: a `.gitignore` is untrusted input, so no backtracking regular expressions).

Used for `--exclude` / `exclude:`, `.gitignore` files and `helm.values` chart globs:
- `*` matches within one path segment, `?` one character, `[abc]`/`[!a-z]` a character class;
- `**` as a whole segment matches any number of segments, including none, so `**/k8s/**` matches a
  top-level `k8s/` and everything under it;
- a pattern without a slash (other than a trailing one) matches a name at any depth;
- a leading `/` anchors the pattern to the base folder; a trailing `/` matches folders only;
- a pattern that matches a folder matches everything inside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from medlint.decoding import SourceError
from medlint.reader import read_bytes


def _class_end(pattern: str, start: int) -> int:
    """Index just past a `[...]` class starting at `start`, or -1 when it is not closed."""
    index = start + 1
    if index < len(pattern) and pattern[index] in "!^":
        index += 1
    if index < len(pattern) and pattern[index] == "]":
        index += 1
    while index < len(pattern) and pattern[index] != "]":
        index += 1
    return index + 1 if index < len(pattern) else -1


def _class_matches(spec: str, char: str) -> bool:
    negate = spec[:1] in ("!", "^")
    body = spec[1:] if negate else spec
    found, index = False, 0
    while index < len(body):
        if index + 2 < len(body) and body[index + 1] == "-":
            if body[index] <= char <= body[index + 2]:
                found = True
            index += 3
        else:
            if body[index] == char:
                found = True
            index += 1
    return found != negate


def _tokens(pattern: str) -> list[tuple[str, str]]:
    """(kind, value) per pattern element: ("*", ""), ("?", ""), ("[", spec) or ("c", char)."""
    tokens: list[tuple[str, str]] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "*":
            if not tokens or tokens[-1][0] != "*":  # runs of stars are one star
                tokens.append(("*", ""))
            index += 1
        elif char == "?":
            tokens.append(("?", ""))
            index += 1
        elif char == "[" and (end := _class_end(pattern, index)) != -1:
            tokens.append(("[", pattern[index + 1 : end - 1]))
            index = end
        elif char == "\\" and index + 1 < len(pattern):
            tokens.append(("c", pattern[index + 1]))
            index += 2
        else:
            tokens.append(("c", char))
            index += 1
    return tokens


def _one(token: tuple[str, str], char: str) -> bool:
    kind, value = token
    if kind == "?":
        return True
    if kind == "[":
        return _class_matches(value, char)
    return value == char


def match_segment(pattern: str, name: str) -> bool:
    """One path segment against one pattern segment, in O(len(pattern) * len(name)) at worst.

    The classic wildcard algorithm: on a mismatch, resume after the most recent star, one character
    further. It never backtracks past a star, so hostile patterns cannot make it exponential.
    """
    tokens = _tokens(pattern)
    t = n = 0
    star_t, star_n = -1, 0
    while n < len(name):
        if t < len(tokens) and tokens[t][0] != "*" and _one(tokens[t], name[n]):
            t += 1
            n += 1
        elif t < len(tokens) and tokens[t][0] == "*":
            star_t, star_n = t, n
            t += 1
        elif star_t != -1:
            t = star_t + 1
            star_n += 1
            n = star_n
        else:
            return False
    while t < len(tokens) and tokens[t][0] == "*":
        t += 1
    return t == len(tokens)


def match_segments(pattern: Sequence[str], path: Sequence[str]) -> bool:
    """Segments against segments, `**` matching any run of segments (dynamic programming, no recursion)."""
    # reachable[j]: the first i pattern segments can match the first j path segments.
    reachable = [True] + [False] * len(path)
    for segment in pattern:
        if segment == "**":
            seen = False
            for j in range(len(path) + 1):
                seen = seen or reachable[j]
                reachable[j] = seen
        else:
            reachable = [False] + [reachable[j] and match_segment(segment, path[j]) for j in range(len(path))]
    return reachable[len(path)]


@dataclass(frozen=True, slots=True)
class GlobPattern:
    """One gitignore-style line: its segments, whether it is anchored, negated or for folders only."""

    segments: tuple[str, ...]
    anchored: bool
    negated: bool = False
    directory_only: bool = False

    @classmethod
    def parse(cls, line: str) -> GlobPattern | None:
        """A pattern from a `.gitignore` line or an exclude glob; None for blank lines and comments."""
        text = line.rstrip("\n\r")
        if not text.strip() or text.startswith("#"):
            return None
        while text.endswith(" ") and not text.endswith("\\ "):
            text = text[:-1]
        negated = text.startswith("!")
        if negated:
            text = text[1:]
        if text.startswith("\\"):
            text = text[1:]
        directory_only = text.endswith("/")
        text = text.strip("/") if directory_only else text
        anchored = text.startswith("/") or "/" in text.rstrip("/")
        text = text.lstrip("/")
        if text.startswith("./"):
            text = text[2:]
        segments = tuple(part for part in text.split("/") if part)
        if not segments:
            return None
        return cls(segments, anchored, negated, directory_only)

    def matches(self, relative: str, is_dir: bool) -> bool:
        """Whether the path itself (not its parents) matches; `relative` uses / separators."""
        if self.directory_only and not is_dir:
            return False
        parts = [part for part in relative.split("/") if part]
        if not self.anchored:
            return bool(parts) and match_segments(self.segments, parts[-1:])
        return match_segments(self.segments, parts)


def matches_any(relative: str, patterns: Sequence[str], is_dir: bool = False) -> bool:
    """Exclude semantics: the path, or any folder above it, matches one of the globs."""
    compiled = [pattern for pattern in (GlobPattern.parse(p) for p in patterns) if pattern is not None]
    parts = [part for part in relative.split("/") if part]
    for depth in range(1, len(parts) + 1):
        prefix = "/".join(parts[:depth])
        folder = depth < len(parts) or is_dir
        if any(pattern.matches(prefix, folder) for pattern in compiled if not pattern.negated):
            return True
    return False


class GitIgnore:
    """The `.gitignore` files of a checkout, applied as git does: deeper files and later lines win.

    Only the scanned tree's `.gitignore` files (and `.git/info/exclude`) are read, each bounded in size;
    global git configuration is not, so results do not depend on the machine.
    """

    MAX_BYTES = 1024 * 1024

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, list[GlobPattern]] = {}

    def _patterns(self, folder: str) -> list[GlobPattern]:
        cached = self._cache.get(folder)
        if cached is not None:
            return cached
        files = (
            [self.root / folder / ".gitignore"]
            if folder
            else [
                self.root / ".git" / "info" / "exclude",
                self.root / ".gitignore",
            ]
        )
        patterns: list[GlobPattern] = []
        for file in files:
            try:
                if not file.is_file() or file.is_symlink():
                    continue
                data = read_bytes(file, within=self.root, max_bytes=self.MAX_BYTES)  # the bounded reader
            except (OSError, SourceError):
                continue
            for line in data.decode("utf-8", errors="replace").splitlines():
                pattern = GlobPattern.parse(line)
                if pattern is not None:
                    patterns.append(pattern)
        self._cache[folder] = patterns
        return patterns

    def ignored(self, relative: str, is_dir: bool) -> bool:
        """Whether git ignores the path (its folders are checked by the caller as it walks down)."""
        parts = relative.split("/")
        verdict = False
        for depth in range(len(parts)):
            folder = "/".join(parts[:depth])
            below = "/".join(parts[depth:])
            for pattern in self._patterns(folder):
                if pattern.matches(below, is_dir):
                    verdict = not pattern.negated
        return verdict
