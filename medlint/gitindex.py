"""Which files git tracks, read from `.git/index` directly.

Running `git ls-files` would let a scanned repository's own `.git/config` run commands (for example through
`core.fsmonitor`), and medlint never executes anything from a scanned repository. The index format is
stable and documented (gitformat-index): a header, then one entry per tracked path; version 4 compresses
each path against the previous one.
"""

from __future__ import annotations

import struct
from pathlib import Path

from medlint.decoding import SourceError
from medlint.escape import printable
from medlint.limits import DEFAULT_LIMITS, Limits
from medlint.reader import read_bytes
from medlint.vcs import git_dir_of

_HEADER = struct.Struct(">4sLL")
_FIXED_ENTRY = (
    62  # ctime, mtime, dev, ino, mode, uid, gid, size (4 bytes each, times 8), sha-1 (20), flags (2)
)
_MAX_ENTRIES = 2_000_000


def _varint(data: bytes, offset: int) -> tuple[int, int]:
    """Git's offset encoding of index v4 (each continuation adds one before shifting)."""
    byte = data[offset]
    offset += 1
    value = byte & 0x7F
    while byte & 0x80:
        byte = data[offset]
        offset += 1
        value = ((value + 1) << 7) | (byte & 0x7F)
    return value, offset


def read_tracked_files(root: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[str, ...] | None:
    """Repository-relative POSIX paths in the index; None without a readable git index (no VCS metadata).

    The index is read through the bounded reader (limits.max_git_index_bytes); paths that are not UTF-8 are
    shown with escapes (`id_rsa\\xff.pem`).
    """
    git_dir = git_dir_of(root, limits)
    if git_dir is None:
        return None
    try:
        data = read_bytes(
            git_dir / "index",
            within=git_dir,
            max_bytes=limits.max_git_index_bytes,
            limit_name="limits.max_git_index_bytes",
            within_name="the git directory",
        )
    except (OSError, SourceError):
        return None
    if len(data) < _HEADER.size:
        return None
    signature, version, count = _HEADER.unpack_from(data, 0)
    if signature != b"DIRC" or version not in (2, 3, 4) or count > _MAX_ENTRIES:
        return None
    offset = _HEADER.size
    paths: list[str] = []
    previous = b""
    try:
        for _ in range(count):
            start = offset
            (flags,) = struct.unpack_from(">H", data, offset + 60)
            offset += _FIXED_ENTRY
            if version >= 3 and flags & 0x4000:
                offset += 2  # extended flags
            if version == 4:
                strip, offset = _varint(data, offset)
                end = data.index(b"\x00", offset)
                path = previous[: len(previous) - strip] + data[offset:end]
                offset = end + 1
            else:
                end = data.index(b"\x00", offset)
                path = data[offset:end]
                offset = start + ((end - start + 8) // 8) * 8  # NUL padding to a multiple of eight
            previous = path
            if (flags >> 12) & 0x3 == 0:  # stage 0 only: merge conflicts list a path several times
                paths.append(printable(path.decode("utf-8", errors="surrogateescape")))
    except (struct.error, ValueError, IndexError):
        return None  # a damaged index: treat as no VCS metadata rather than guess
    return tuple(paths)
