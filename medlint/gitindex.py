"""Which files git tracks, read from `.git/index` directly.

Running `git ls-files` would let a scanned repository's own `.git/config` run commands (for example through
`core.fsmonitor`), and medlint never executes anything from a scanned repository. The index format is
stable and documented (gitformat-index): a header, then one entry per tracked path; version 4 compresses
each path against the previous one.
"""

from __future__ import annotations

import struct
from pathlib import Path

_HEADER = struct.Struct(">4sLL")
_FIXED_ENTRY = (
    62  # ctime, mtime, dev, ino, mode, uid, gid, size (4 bytes each, times 8), sha-1 (20), flags (2)
)
_MAX_ENTRIES = 2_000_000


def _git_dir(root: Path) -> Path | None:
    candidate = root / ".git"
    if candidate.is_dir():
        return candidate
    if candidate.is_file():
        text = candidate.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            target = Path(text[len("gitdir:") :].strip())
            return target if target.is_absolute() else (root / target).resolve()
    return None


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


def read_tracked_files(root: Path) -> tuple[str, ...] | None:
    """Repository-relative POSIX paths in the index; None without a readable git index (no VCS metadata)."""
    git_dir = _git_dir(root)
    if git_dir is None:
        return None
    try:
        data = (git_dir / "index").read_bytes()
    except OSError:
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
                paths.append(path.decode("utf-8", errors="replace"))
    except (struct.error, ValueError, IndexError):
        return None  # a damaged index: treat as no VCS metadata rather than guess
    return tuple(paths)
