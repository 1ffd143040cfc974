"""SHA-256 of the files in the evidence report's scope, read with the same bounds as every other read.

The digest is of the file's bytes, so `sha256sum FILE` gives the same value. A file is hashed only if it is a
regular file inside the scanned project (or a file the user named: configuration, baseline), no larger than
the file size limit; at most limit + 1 bytes are ever read, in chunks, never following a link out of the
project. Anything else gets no digest and a reason, never a hang.

This reads each file a second time, after the analysis. The reader that analyses the files is to record the
digest of the bytes it read, so the report states the hash of exactly what was analysed; until then this
bounded second read is used.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from medlint.source import MAX_FILE_BYTES

_CHUNK = 1024 * 1024
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)

DIGEST_METHOD = (
    "SHA-256 of each file's bytes as stored (the value sha256sum prints), read after the analysis with the "
    "same size limit as the analysis; a file that changed in between would show a different digest."
)


@dataclass(frozen=True, slots=True)
class Digest:
    sha256: str | None
    problem: str | None = None


def _inside(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def file_digest(path: Path, within: Path | None, max_bytes: int = MAX_FILE_BYTES) -> Digest:
    """The SHA-256 of one regular file (inside `within` unless None), or why there is none."""
    try:
        target = os.path.realpath(path)
        if within is not None and not _inside(target, os.path.realpath(within)):
            return Digest(None, "it leads outside the scanned project; not read")
        mode = os.stat(target).st_mode  # stat never opens: a FIFO or device is not touched
        if not stat.S_ISREG(mode):
            return Digest(None, "not a regular file; not read")
        descriptor = os.open(target, _OPEN_FLAGS)
    except OSError as error:
        return Digest(None, f"cannot be read: {error.strerror or error}")
    digest = hashlib.sha256()
    size = 0
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return Digest(None, "not a regular file; not read")
        while size <= max_bytes:
            chunk = os.read(descriptor, min(_CHUNK, max_bytes + 1 - size))
            if not chunk:
                break
            size += len(chunk)
            digest.update(chunk)
    except OSError as error:
        return Digest(None, f"cannot be read: {error.strerror or error}")
    finally:
        os.close(descriptor)
    if size > max_bytes:
        return Digest(None, f"larger than the limit of {max_bytes:,} bytes; not hashed")
    return Digest(digest.hexdigest())


def project_digests(root: Path, relative_paths: Iterable[str]) -> dict[str, Digest]:
    """Digests of repository-relative paths, each read inside `root` only."""
    return {relative: file_digest(root / relative, root) for relative in sorted(set(relative_paths))}


def named_digests(paths: Mapping[str, Path]) -> dict[str, Digest]:
    """Digests of files the user named (shown path -> actual path): no project boundary applies."""
    return {shown: file_digest(actual, None) for shown, actual in sorted(paths.items())}
