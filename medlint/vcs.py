"""Version-control provenance for reports: which repository and commit was scanned.

Read from the `.git` directory directly (HEAD, refs, packed-refs, config) instead of running git, so a
scan never executes anything and works where git is not installed. Every file goes through the bounded
reader, inside the git directory; a damaged or hostile one (bytes that are not UTF-8, a ref that climbs out
with `..`, a pipe) leaves the field empty instead of failing the scan. Remote URLs lose their credentials.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from medlint.decoding import SourceError
from medlint.escape import printable
from medlint.limits import DEFAULT_LIMITS, Limits
from medlint.reader import read_bytes
from medlint.redact import strip_url_credentials

_OBJECT_ID = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


@dataclass(frozen=True, slots=True)
class Provenance:
    repository_uri: str | None
    revision_id: str | None
    branch: str | None


def _read(path: Path, git_dir: Path | None, limits: Limits) -> str | None:
    """A small git file as text (undecodable bytes kept as escapes); None when absent or refused."""
    try:
        data = read_bytes(
            path, within=git_dir, max_bytes=limits.max_file_bytes, within_name="the git directory"
        )
    except (OSError, SourceError):
        return None
    return data.decode("utf-8", errors="surrogateescape")


def git_dir_of(root: Path, limits: Limits = DEFAULT_LIMITS) -> Path | None:
    """The checkout's git directory: `.git`, or where a `.git` file (worktree, submodule) points."""
    candidate = root / ".git"
    if candidate.is_dir():
        return candidate
    if candidate.is_file():  # a worktree or submodule: "gitdir: <path>"
        text = _read(candidate, root, limits)
        if text is not None and text.startswith("gitdir:"):
            target = Path(text[len("gitdir:") :].strip())
            resolved = target if target.is_absolute() else (root / target).resolve()
            return resolved if resolved.is_dir() else None
    return None


def common_dir_of(git_dir: Path, limits: Limits = DEFAULT_LIMITS) -> Path:
    """Where refs, packed-refs and config live: a linked worktree's `commondir`, else the git directory."""
    text = _read(git_dir / "commondir", git_dir, limits)
    if text is None or not text.strip():
        return git_dir
    target = Path(text.strip())
    resolved = target if target.is_absolute() else (git_dir / target).resolve()
    return resolved if resolved.is_dir() else git_dir


def _valid_ref(ref: str) -> bool:
    return ref.startswith("refs/") and ".." not in ref.split("/") and "\\" not in ref and "\x00" not in ref


def _resolve_ref(git_dir: Path, ref: str, limits: Limits) -> str | None:
    if not _valid_ref(ref):
        return None
    loose = _read(git_dir / ref, git_dir, limits)
    if loose is not None:
        value = loose.strip()
        return value if _OBJECT_ID.fullmatch(value) else None
    packed = _read(git_dir / "packed-refs", git_dir, limits)
    for line in (packed or "").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1] == ref:
            return parts[0] if _OBJECT_ID.fullmatch(parts[0]) else None
    return None


def _origin_url(git_dir: Path, limits: Limits) -> str | None:
    text = _read(git_dir / "config", git_dir, limits)
    if text is None:
        return None
    import configparser  # only for a repository's origin URL (SARIF provenance)

    config = configparser.ConfigParser(strict=False, interpolation=None)
    try:
        config.read_string(text)
        url = config.get('remote "origin"', "url", fallback=None)
    except (configparser.Error, ValueError):
        return None
    if not url:
        return None
    try:
        url.encode("utf-8")
    except UnicodeEncodeError:
        return None  # bytes that are not UTF-8: no usable URI
    return strip_url_credentials(url)  # never leak credentials embedded in a remote URL


def read_provenance(root: Path, limits: Limits = DEFAULT_LIMITS) -> Provenance | None:
    """The scanned checkout's origin, commit and branch; None outside a git checkout."""
    git_dir = git_dir_of(root, limits)
    if git_dir is None:
        return None
    head_text = _read(git_dir / "HEAD", git_dir, limits)
    if head_text is None:
        return None
    head = head_text.strip()
    common_dir = common_dir_of(git_dir, limits)
    if head.startswith("ref:"):
        ref = head[4:].strip()
        branch: str | None = printable(ref.removeprefix("refs/heads/")) or None
        revision = _resolve_ref(git_dir, ref, limits) or _resolve_ref(common_dir, ref, limits)
    else:
        branch, revision = None, head if _OBJECT_ID.fullmatch(head) else None
    return Provenance(repository_uri=_origin_url(common_dir, limits), revision_id=revision, branch=branch)
