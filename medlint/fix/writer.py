"""Reading and writing the files `medlint fix` edits, without ever leaving the scanned project.

Every path is taken relative to the project root and walked one component at a time with `lstat`: a
symbolic link anywhere on the way, a `..` component or an absolute path is refused, so a fix can neither
write through a link nor outside the project, whatever a repository contains. Writes are atomic: the new
text goes to a temporary file created exclusively in the same directory (opened without following links),
is flushed to disk, gets the original file's mode, and replaces the file by a rename.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from medlint.source import MAX_FILE_BYTES

_BOM = b"\xef\xbb\xbf"


class UnsafePath(Exception):
    """A path that fix refuses to read or write; the message says why."""


class FileChanged(UnsafePath):
    """The file no longer holds the text fix read: someone else wrote it meanwhile; fix leaves it alone."""


@dataclass(frozen=True)
class FileText:
    """A file's text as medlint reads it (BOM removed) and whether the BOM must be written back."""

    text: str
    bom: bool


def checked_path(root: Path, relative: str) -> Path:
    """The file under `root` at a repository-relative path; UnsafePath unless every step is a plain directory
    and the file itself a regular file (never a symbolic link)."""
    pure = PurePosixPath(relative)
    if pure.is_absolute() or not pure.parts or any(part in ("..", "") for part in pure.parts):
        raise UnsafePath(f"{relative} is not a path inside the scanned project")
    current = root
    for index, part in enumerate(pure.parts):
        if part == ".":
            continue
        current = current / part
        try:
            info = os.lstat(current)
        except OSError as error:
            raise UnsafePath(f"{relative}: {error.strerror or error}") from None
        if stat.S_ISLNK(info.st_mode):
            raise UnsafePath(
                f"{relative}: {current.relative_to(root)} is a symbolic link; fix never writes through links"
            )
        last = index == len(pure.parts) - 1
        if last and not stat.S_ISREG(info.st_mode):
            raise UnsafePath(f"{relative} is not a regular file")
        if not last and not stat.S_ISDIR(info.st_mode):
            raise UnsafePath(f"{relative}: {current.relative_to(root)} is not a directory")
    return current


def read_file(root: Path, relative: str) -> FileText:
    """Read a project file for editing; UnsafePath for links, paths outside the project and unreadable files."""
    path = checked_path(root, relative)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise UnsafePath(f"{relative}: {error.strerror or error}") from None
    with os.fdopen(descriptor, "rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise UnsafePath(f"{relative} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    bom = data.startswith(_BOM)
    try:
        text = data[len(_BOM) if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError:
        raise UnsafePath(f"{relative} is not UTF-8 text") from None
    if "\x00" in text:
        raise UnsafePath(f"{relative} is binary")
    return FileText(text, bom)


def write_file(root: Path, relative: str, content: FileText, expected: str | None = None) -> None:
    """Replace a project file atomically, keeping its mode (and owner where permitted). With `expected`
    (the text fix read, or last wrote), FileChanged unless the file still holds it just before the rename:
    an edit made by someone else while fix ran is never overwritten."""
    path = checked_path(root, relative)
    info = os.lstat(path)
    data = (_BOM if content.bom else b"") + content.text.encode("utf-8")
    directory, name = path.parent, path.name
    use_dir_fd = os.open in os.supports_dir_fd and os.replace in os.supports_dir_fd
    dir_flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
    dir_fd = os.open(directory, dir_flags) if use_dir_fd else None
    temporary = f".{name}.medlint-fix-{os.getpid()}-{secrets.token_hex(4)}.tmp"
    file_flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    mode = stat.S_IMODE(info.st_mode)
    try:
        if dir_fd is not None:
            descriptor = os.open(temporary, file_flags, 0o600, dir_fd=dir_fd)
        else:  # pragma: no cover - platforms without dir_fd support
            descriptor = os.open(directory / temporary, file_flags, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                if hasattr(os, "fchown"):
                    with contextlib.suppress(OSError):  # only root may give a file to another owner
                        os.fchown(handle.fileno(), info.st_uid, info.st_gid)
                if os.chmod in os.supports_fd:
                    os.chmod(handle.fileno(), mode)
                os.fsync(handle.fileno())
            if os.chmod not in os.supports_fd:  # pragma: no cover
                os.chmod(directory / temporary, mode)
            # The file may have been swapped for a link since it was checked: check again, then rename.
            checked_path(root, relative)
            if expected is not None and read_file(root, relative).text != expected:
                raise FileChanged(
                    f"{relative} changed while medlint fix ran; it was left as it is (run fix again)"
                )
            if dir_fd is not None:
                os.replace(temporary, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
                with contextlib.suppress(OSError):  # some file systems refuse fsync on directories
                    os.fsync(dir_fd)
            else:  # pragma: no cover
                os.replace(directory / temporary, path)
        except BaseException:
            try:
                if dir_fd is not None:
                    os.unlink(temporary, dir_fd=dir_fd)
                else:  # pragma: no cover
                    os.unlink(directory / temporary)
            except OSError:
                pass
            raise
    finally:
        if dir_fd is not None:
            os.close(dir_fd)
