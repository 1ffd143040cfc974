"""Writing a report, an SBOM or an evidence file where the user asked, never through the scanned repository.

The output often lies in the repository being scanned (`medlint sbom --merge soup.cdx.json -o soup.cdx.json`
keeps the SOUP inventory next to the code), and a pull request from a stranger can replace that file with a
symbolic link to `~/.bashrc` or with a named pipe. So a path inside the scanned project is written only when
it resolves inside the project and is (or becomes) a regular file: a link leading out of the project is
refused, and a FIFO is never waited on. A path outside the project (`/dev/stdout`, a CI artifact folder) is
the user's own choice and written as given.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import TextIO

__all__ = ["OutputRefused", "open_output", "write_output"]


class OutputRefused(OSError):
    """An output path medlint does not write; the message says why (an OSError, so callers report it alike)."""


def _inside(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def open_output(path: str | Path, *, root: str | Path | None) -> TextIO:
    """`path` opened for writing UTF-8 text (its folder created), after the checks above; OSError (an
    OutputRefused for a refusal) when it cannot be. The caller closes the stream."""
    absolute = os.path.abspath(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    target = absolute
    guarded = False
    if root is not None:
        real_root = os.path.realpath(root)
        guarded = _inside(absolute, os.path.abspath(root)) or _inside(absolute, real_root)
    if guarded:
        target = os.path.realpath(absolute)
        if not _inside(target, real_root):
            raise OutputRefused(
                "it is a symbolic link (or lies in a linked folder) that leads outside the scanned project; "
                "medlint does not write through it"
            )
        flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    Path(target).parent.mkdir(parents=True, exist_ok=True)  # CI artifact folders often do not exist yet
    try:
        descriptor = os.open(target, flags, 0o666)
    except OSError as error:
        if guarded and error.errno in (errno.ENXIO, errno.ELOOP):
            raise OutputRefused(
                "it is a named pipe, a socket or a link, not a regular file; medlint does not write it"
            ) from None
        raise
    if guarded and not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise OutputRefused("it is not a regular file; medlint does not write it")
    return open(descriptor, "w", encoding="utf-8", newline="")


def write_output(path: str | Path, text: str, *, root: str | Path | None) -> None:
    """Write `text` (UTF-8, newlines as given) to `path`, creating its folder; OSError when it cannot be."""
    with open_output(path, root=root) as stream:
        stream.write(text)
