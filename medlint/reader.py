"""The one way medlint reads a file: bounded, regular files only, never outside the scanned root.

A pull request from a stranger is scanned too (principle 8), and its files may be symbolic links to
`/etc/shadow` or `/dev/zero`, named pipes that block forever, or sparse files of a terabyte. So every read:

- resolves the path and refuses one that leaves the scanned root (for a chart's files, the chart directory);
  a link that stays inside is followed;
- looks at the file with `stat` before opening it, and refuses anything but a regular file (a FIFO, device,
  socket or directory is never opened, so nothing blocks);
- opens it with `O_NOFOLLOW | O_NONBLOCK` and checks the open descriptor again with `fstat`, so a file swapped
  for a link or a pipe in between is refused too;
- refuses a file larger than the limit without reading it, and reads at most limit + 1 bytes in any case.

A refusal is a `ReadRefused` (a `SourceError`), which the loader turns into an MD001 finding naming the file
and the reason; it never quotes the file's content.

`FileReader` remembers the text of each file it read by its repository-relative path, so fingerprinting
hashes the lines of the text that was analysed instead of reading the file a second time, and the SHA-256 of
the bytes of every file it read, so the evidence report states the digest of exactly what was analysed.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import zlib
from pathlib import Path
from typing import Any

from medlint.decoding import SourceError, decode_text
from medlint.escape import printable
from medlint.limits import DEFAULT_LIMITS, Limits

_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_CHUNK = 1024 * 1024


class ReadRefused(SourceError):
    """A file medlint does not read. `message` says why, in words; it never holds the file's content."""


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _inside(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def relative_within(path: str, folder: str) -> str | None:
    """`path` relative to `folder` (both absolute and normalised), "." for the folder itself; None when it is
    not inside. On strings: naming the files of a scan this way costs no `Path` objects (where it says None,
    callers ask `Path.relative_to`, which knows each platform's rules)."""
    if path == folder:
        return "."
    prefix = folder if folder.endswith(os.sep) else folder + os.sep
    return path[len(prefix) :] if path.startswith(prefix) else None


def _refuse_special(mode: int) -> None:
    if not stat.S_ISREG(mode):
        raise ReadRefused(f"it is {_kind_of(mode)}, not a regular file; medlint reads regular files only")


def _too_large(size: int, max_bytes: int, limit_name: str) -> ReadRefused:
    what = "it grew while being read and is" if size < 0 else f"it is {size:,} bytes,"
    advice = (
        f"raise {limit_name} in the configuration if the file is genuine"
        if limit_name.startswith("limits.")
        else "medlint does not read a file this large there"
    )
    return ReadRefused(f"{what} more than the limit of {max_bytes:,} bytes ({limit_name}); {advice}")


def read_bytes(
    path: Path | str,
    *,
    within: Path | str | None,
    max_bytes: int,
    limit_name: str = "limits.max_file_bytes",
    within_name: str = "the scanned project",
    within_resolved: bool = False,
) -> bytes:
    """The bytes of a regular file inside `within` (any place when None), at most `max_bytes` of them.
    `within_resolved`: `within` is already a real path (a reader's root), not resolved again for each file.

    Raises ReadRefused for a file medlint does not read, OSError (for example FileNotFoundError) when the
    file cannot be opened.
    """
    target = os.path.realpath(path)
    if within is not None:
        boundary = str(within) if within_resolved else os.path.realpath(within)
        if not _inside(target, boundary):
            lexical = os.path.abspath(path)
            if _inside(lexical, os.path.abspath(within)) or _inside(lexical, boundary):
                raise ReadRefused(
                    f"it is a symbolic link (or lies in a linked directory) that leads outside {within_name}; "
                    "medlint does not follow it"
                )
            raise ReadRefused(f"it lies outside {within_name}; medlint does not read it")
    _refuse_special(os.stat(target).st_mode)  # stat never opens: a FIFO or a device is not touched
    try:
        descriptor = os.open(target, _OPEN_FLAGS)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.EMLINK):  # swapped for a link since it was resolved
            raise ReadRefused("it changed into a symbolic link while medlint read it; not read") from None
        if error.errno == errno.ENXIO:
            raise ReadRefused(
                "it is a socket, not a regular file; medlint reads regular files only"
            ) from None
        raise
    try:
        info = os.fstat(descriptor)
        _refuse_special(info.st_mode)
        if info.st_size > max_bytes:
            raise _too_large(info.st_size, max_bytes, limit_name)
        data = bytearray()
        while len(data) <= max_bytes:
            chunk = os.read(descriptor, min(_CHUNK, max_bytes + 1 - len(data)))
            if not chunk:
                break
            data += chunk
    finally:
        os.close(descriptor)
    if len(data) > max_bytes:
        raise _too_large(-1, max_bytes, limit_name)  # it grew while being read
    return bytes(data)


def read_named_file(path: Path | str, *, max_bytes: int, limit_name: str) -> str:
    """A file the user named on the command line or found by its name (configuration, baseline): UTF-8 text,
    regular file, bounded. No root applies: the user chose it. Raises ReadRefused, SourceError or OSError."""
    return decode_text(read_bytes(path, within=None, max_bytes=max_bytes, limit_name=limit_name))


def read_config_text(path: Path | str, limits: Limits = DEFAULT_LIMITS) -> str:
    """The text of a configuration file (`.medlint.yaml`, `pyproject.toml`), read like every other file."""
    return read_named_file(path, max_bytes=limits.max_config_bytes, limit_name="limits.max_config_bytes")


class FileReader:
    """Reads the files of one scan, all inside `root`, and remembers what it read for fingerprinting."""

    def __init__(self, root: Path, limits: Limits = DEFAULT_LIMITS, keep_texts: bool = True) -> None:
        self.root = Path(os.path.realpath(root))
        self.limits = limits
        #: Folder -> its real path, for naming files (`display`): a scan reads many files of one folder, and
        #: resolving a path costs one `lstat` per part. Only names come from it; every read resolves its
        #: file afresh to decide whether it may be read.
        self._real_folders: dict[str, str] = {}
        #: Texts read, compressed: only the fingerprints need them again, for the few files with findings,
        #: and a whole scan's texts as strings would be a tenth of the run's memory. A worker process's
        #: reader keeps none (`keep_texts=False`): they are never sent back.
        self._texts: dict[str, bytes] = {}
        self._keep_texts = keep_texts
        self._digests: dict[str, str] = {}
        self._read_elsewhere: frozenset[str] = frozenset()

    def __getstate__(self) -> dict[str, Any]:
        """A reader sent to another process (a worker's answer) carries the paths it read and their digests,
        not the texts: they can be large, and only the fingerprints need them, which read the files again.
        There it keeps none of the texts it reads either: a worker hashing lines reads each file once, and
        compressing every text to keep it would cost as much as the hashing."""
        return {
            "root": self.root,
            "_real_folders": {},
            "limits": self.limits,
            "_texts": {},
            "_keep_texts": False,
            "_digests": self._digests,
            "_read_elsewhere": self.read_paths(),
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def display(self, path: Path | str) -> str:
        """The repository-relative POSIX path of `path` itself (a link is named, not its target)."""
        folder = os.path.dirname(os.path.abspath(path))
        real_folder = self._real_folders.get(folder)
        if real_folder is None:
            real_folder = self._real_folders[folder] = os.path.realpath(folder)
        name = os.path.basename(path)
        if name not in ("", ".", ".."):  # the common case, worked out on strings
            inside = relative_within(os.path.join(real_folder, name), str(self.root))
            if inside is not None:
                return printable(inside if os.sep == "/" else inside.replace(os.sep, "/"))
        own = Path(real_folder) / name
        try:
            return printable(own.relative_to(self.root).as_posix())
        except ValueError:
            return printable(own.as_posix())

    def read_bytes(
        self,
        path: Path | str,
        *,
        within: Path | str | None = None,
        max_bytes: int | None = None,
        limit_name: str = "limits.max_file_bytes",
        within_name: str = "its chart",
    ) -> bytes:
        """Bytes of a file inside the root, or inside `within` (a chart directory, named `within_name`);
        their SHA-256 is recorded under the file's repository path."""
        return self._read(path, within, max_bytes, limit_name, within_name)[1]

    def _read(
        self,
        path: Path | str,
        within: Path | str | None,
        max_bytes: int | None,
        limit_name: str,
        within_name: str,
    ) -> tuple[str, bytes]:
        """The file's repository path and its bytes, recorded."""
        data = read_bytes(
            path,
            within=self.root if within is None else within,
            max_bytes=self.limits.max_file_bytes if max_bytes is None else max_bytes,
            limit_name=limit_name,
            within_name="the scanned project" if within is None else within_name,
            within_resolved=within is None,
        )
        relative = self.display(path)
        self.record(relative, data)
        return relative, data

    def read_text(
        self,
        path: Path | str,
        *,
        within: Path | str | None = None,
        max_bytes: int | None = None,
        limit_name: str = "limits.max_file_bytes",
        within_name: str = "its chart",
    ) -> str:
        """UTF-8 text of a file inside the root (or `within`); remembered under its repository path."""
        relative, data = self._read(path, within, max_bytes, limit_name, within_name)
        text = decode_text(data)
        self._texts[relative] = _packed(text) if self._keep_texts else b""
        return text

    def relative_reader(self, within: Path | None = None) -> RelativeReader:
        """A function reading root-relative paths (Compose `include`, `env_file`, `extends`)."""
        return RelativeReader(self, within)

    def text_of(self, relative: str) -> str | None:
        """The text read earlier from the file at this repository path, if this reader kept it."""
        packed = self._texts.get(relative)
        return _unpacked(packed) if packed else None

    def holds_text(self, relative: str) -> bool:
        """Whether `text_of` has the file's text (without unpacking it)."""
        return bool(self._texts.get(relative))

    def read_paths(self) -> frozenset[str]:
        """The repository paths this reader has read text from."""
        return frozenset(self._texts) | self._read_elsewhere

    def note_read_elsewhere(self, other: FileReader) -> None:
        """Take in what a worker process's reader read (the paths; their texts stay there) and the digests
        of the bytes it read, as if this reader had read them now."""
        self._read_elsewhere |= other.read_paths()
        self._digests.update(other._digests)

    def was_read(self, relative: str) -> bool:
        """Whether the scan read this file as text (here or in a worker process)."""
        return relative in self._texts or relative in self._read_elsewhere

    def record(self, relative: str, data: bytes) -> None:
        """Record the SHA-256 of bytes read for the file at this repository path (by this reader, or by the
        chart loader, which reads a chart's files itself)."""
        self._digests[relative] = hashlib.sha256(data).hexdigest()

    def digests(self) -> dict[str, str]:
        """{repository path: SHA-256 of the bytes read} for every file read in this scan, sorted by path."""
        return dict(sorted(self._digests.items()))

    def remember(self, relative: str, text: str) -> None:
        """Record text read by other means (a chart's files, read as bytes while loading the chart)."""
        if relative not in self._texts:
            self._texts[relative] = _packed(text) if self._keep_texts else b""


def _packed(text: str) -> bytes:
    """A text compressed (fast, about five to one on source files); any string round-trips, lone surrogates
    included. Never empty, so an empty value can mean "read, not kept"."""
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 1)


def _unpacked(packed: bytes) -> str:
    return zlib.decompress(packed).decode("utf-8", "surrogatepass")


class RelativeReader:
    """`read(relative)`: the text of a root-relative path, refused when it leaves the root (or `within`)."""

    def __init__(self, reader: FileReader, within: Path | None) -> None:
        self._reader = reader
        self._within = within

    def __call__(self, relative: str) -> str:
        return self._reader.read_text(self._reader.root / relative, within=self._within)
