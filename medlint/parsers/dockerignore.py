""".dockerignore files: the patterns that keep files out of the build context.

Checks use them to tell whether `COPY . .` may drag secrets (`.env`, keys, `.git`) into an image. The
rules follow Docker's reader: a line starting with `#` is a comment, blank lines are dropped, patterns are
trimmed and cleaned (`./a//b/` becomes `a/b`, a leading `/` is removed), and `!` exceptions are kept in
their original order, because order decides which pattern wins.

The caller finds the file: `<Dockerfile-name>.dockerignore` beside the Dockerfile, else `.dockerignore` at
the root of the build context.
"""

from __future__ import annotations

import posixpath

from medlint.model import DockerIgnore


def read_dockerignore(path: str, text: str) -> DockerIgnore:
    """Parse .dockerignore text into its patterns; never fails (Docker accepts any text here)."""
    patterns: list[str] = []
    for raw_line in text.lstrip("\ufeff").splitlines():
        if raw_line.startswith("#"):
            continue
        pattern = raw_line.strip()
        if not pattern:
            continue
        negated = pattern.startswith("!")
        if negated:
            pattern = pattern[1:].strip()
        if pattern:
            pattern = _clean(pattern)
        patterns.append("!" + pattern if negated else pattern)
    return DockerIgnore(path=path, patterns=tuple(patterns))


def _clean(pattern: str) -> str:
    """Normalise like Go's filepath.Clean + ToSlash, and make absolute patterns context-relative."""
    cleaned = posixpath.normpath(pattern)
    if cleaned.startswith("//"):  # normpath keeps a leading double slash; Go does not
        cleaned = "/" + cleaned.lstrip("/")
    if len(cleaned) > 1 and cleaned.startswith("/"):
        cleaned = cleaned[1:]
    return cleaned
