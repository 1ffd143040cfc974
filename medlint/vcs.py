"""Version-control provenance for reports: which repository and commit was scanned.

Read from the `.git` directory directly (HEAD, refs, packed-refs, config) instead of running git, so a
scan never executes anything and works where git is not installed.
"""

from __future__ import annotations

import configparser
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Provenance:
    repository_uri: str | None
    revision_id: str | None
    branch: str | None


def _git_dir(root: Path) -> Path | None:
    candidate = root / ".git"
    if candidate.is_dir():
        return candidate
    if candidate.is_file():  # a worktree or submodule: "gitdir: <path>"
        text = candidate.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            target = Path(text[len("gitdir:") :].strip())
            return target if target.is_absolute() else (root / target).resolve()
    return None


def _resolve_ref(git_dir: Path, ref: str) -> str | None:
    loose = git_dir / ref
    if loose.is_file():
        return loose.read_text(encoding="utf-8").strip() or None
    packed = git_dir / "packed-refs"
    if packed.is_file():
        for line in packed.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1] == ref:
                return parts[0]
    return None


def _origin_url(git_dir: Path) -> str | None:
    config = configparser.ConfigParser(strict=False, interpolation=None)
    try:
        config.read(git_dir / "config", encoding="utf-8")
    except configparser.Error:
        return None
    url = config.get('remote "origin"', "url", fallback=None)
    if url and "@" in url.split("://", 1)[-1].split("/", 1)[0]:
        # Never leak credentials embedded in a remote URL.
        scheme, _, rest = url.partition("://")
        url = f"{scheme}://{rest.split('@', 1)[1]}" if rest else url
    return url


def read_provenance(root: Path) -> Provenance | None:
    """The scanned checkout's origin, commit and branch; None outside a git checkout."""
    try:
        git_dir = _git_dir(root)
        if git_dir is None:
            return None
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if head.startswith("ref:"):
        ref = head[4:].strip()
        branch = ref.removeprefix("refs/heads/")
        revision = _resolve_ref(git_dir, ref)
    else:
        branch, revision = None, head or None
    return Provenance(repository_uri=_origin_url(git_dir), revision_id=revision, branch=branch)
