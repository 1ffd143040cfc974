"""Reading a chart's files safely: directory walks, ``.tgz`` archives, ``.helmignore``, size limits.

Helm's loader (pkg/chart/loader, pkg/ignore) follows symbolic links and trusts archive member names;
medlint reads untrusted repositories, so this module:

* walks a chart directory without following a symbolic link that leaves it (the link is skipped and
  reported), so ``.Files`` can never see outside the chart;
* reads archives in memory with :mod:`tarfile` (never extracted), refusing absolute member paths,
  ``..``, drive letters and links that point outside the chart;
* bounds the size of each file, of the whole chart and the number of files (:class:`LoadLimits`);
* reads archives as Helm does, gzip only, and decompresses them itself, a block at a time, counting every
  decompressed byte (tar headers, skipped data and nested archives included) against the chart's budget
  and the archive's compression ratio: a 51 KB bzip2 or gzip "bomb" stops after a few megabytes, not
  after 100 seconds of decompressing zeros. Archive members are bounded in number and type.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import stat
import tarfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medlint.limits import Limits
from medlint.model.globs import BadPattern, go_match
from medlint.reader import ReadRefused, read_bytes

__all__ = [
    "Budget",
    "ChartError",
    "IgnoreRules",
    "LoadLimits",
    "read_archive",
    "read_archive_file",
    "read_directory",
]


@dataclass(frozen=True)
class LoadLimits:
    """Bounds on what one chart may make medlint read (Helm's own limits where it has them)."""

    max_file_bytes: int = 5 * 1024 * 1024  # Helm: MaxDecompressedFileSize
    max_chart_bytes: int = 100 * 1024 * 1024  # Helm: MaxDecompressedChartSize
    max_archive_bytes: int = 50 * 1024 * 1024  # compressed size of one .tgz
    max_files: int = 20_000
    max_subchart_depth: int = 20
    max_archive_members: int = 20_000  # members of one archive, of any type
    max_archive_ratio: int = 100  # decompressed bytes per compressed byte, past 1 MiB

    @classmethod
    def from_limits(cls, limits: Limits) -> LoadLimits:
        """The chart-reading bounds of a run's :class:`medlint.limits.Limits`."""
        return cls(
            max_file_bytes=limits.max_chart_file_bytes,
            max_chart_bytes=limits.max_chart_bytes,
            max_archive_bytes=limits.max_chart_archive_bytes,
            max_files=limits.max_chart_files,
            max_subchart_depth=limits.max_subchart_depth,
            max_archive_members=limits.max_archive_members,
            max_archive_ratio=limits.max_archive_ratio,
        )


class ChartError(Exception):
    """A chart Helm would refuse to load. ``message`` is Helm's text; ``path``/``line`` locate it."""

    def __init__(self, message: str, path: str = "", line: int = 1, field_name: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.field_name = field_name


# --------------------------------------------------------------------------------------------------
# .helmignore (pkg/ignore)


@dataclass(frozen=True)
class _IgnoreRule:
    pattern: str
    negate: bool
    must_dir: bool
    anchored: bool
    structural: bool


class IgnoreRules:
    """Helm's ``.helmignore`` rules, plus its default ``templates/.?*``."""

    def __init__(self, text: str = "") -> None:
        self.rules: list[_IgnoreRule] = []
        for line in text.splitlines():
            self._add(line)
        self._add("templates/.?*")

    def _add(self, raw: str) -> None:
        rule = raw.strip()
        if not rule or rule.startswith("#"):
            return
        if "**" in rule:
            raise ChartError("double-star (**) syntax is not supported", path=".helmignore")
        try:  # Helm refuses a pattern that filepath.Match cannot compile (checked against "abc")
            go_match(rule, "abc")
        except BadPattern as error:
            raise ChartError(str(error), path=".helmignore") from None
        negate = rule.startswith("!")
        if negate:
            rule = rule[1:]
        must_dir = rule.endswith("/")
        if must_dir:
            rule = rule[:-1]
        anchored = rule.startswith("/")
        if anchored:
            rule = rule[1:]
        self.rules.append(_IgnoreRule(rule, negate, must_dir, anchored, "/" in rule))

    def ignore(self, path: str, is_dir: bool) -> bool:
        if path in ("", ".", "./"):
            return False
        for rule in self.rules:
            name = path if rule.anchored or rule.structural else posixpath.basename(path)
            if rule.negate:
                if rule.must_dir and not is_dir:
                    return True
                if not go_match(rule.pattern, name):
                    return True
                continue
            if rule.must_dir and not is_dir:
                continue
            if go_match(rule.pattern, name):
                return True
        return False


# --------------------------------------------------------------------------------------------------
# Reading files


class Budget:
    """Running totals against :class:`LoadLimits` for one chart load (including its subcharts)."""

    def __init__(self, limits: LoadLimits) -> None:
        self.limits = limits
        self.files = 0
        self.bytes = 0
        self.decompressed = 0  # bytes out of every archive of the chart, nested ones included

    def add(self, name: str, size: int, display: str) -> None:
        self.files += 1
        self.bytes += size
        if size > self.limits.max_file_bytes:
            raise ChartError(
                f'chart file "{name}" is larger than the maximum file size {self.limits.max_file_bytes}',
                path=display,
            )
        if self.files > self.limits.max_files:
            raise ChartError(
                f"chart has more than {self.limits.max_files} files; medlint stops reading it", path=display
            )
        if self.bytes > self.limits.max_chart_bytes:
            raise ChartError("decompression size limit reached", path=display)


#: Told the repository path and the bytes of each file a chart load reads (the evidence report's digests).
ReadObserver = Callable[[str, bytes], None]


def read_directory(
    directory: Path,
    display: str,
    budget: Budget,
    warnings: list[str],
    on_read: ReadObserver | None = None,
) -> list[tuple[str, bytes]]:
    """Helm's ``LoadDir`` walk: .helmignore applied, symlinks followed only inside the chart. `on_read` is
    told each file read, as read (so nothing needs to read the chart's files a second time to hash them)."""
    root_real = os.path.realpath(directory)
    ignore_file = directory / ".helmignore"
    rules = IgnoreRules()
    shown = "" if display in ("", ".") else display.rstrip("/") + "/"
    if ignore_file.is_file() and not ignore_file.is_symlink():
        try:
            data = _read_file(ignore_file, root_real, budget.limits.max_file_bytes, f"{display}/.helmignore")
            if on_read is not None:
                on_read(f"{shown}.helmignore", data)
            rules = IgnoreRules(data.decode("utf-8", errors="replace"))
        except ChartError as error:
            raise ChartError(error.message, path=f"{display}/.helmignore") from None
    files: list[tuple[str, bytes]] = []
    visited: set[str] = {root_real}

    def inside(real: str) -> bool:
        return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)

    def walk(current: Path, prefix: str) -> None:
        try:
            entries = sorted(os.scandir(current), key=lambda entry: entry.name)
        except OSError as error:
            raise ChartError(
                f"error reading {prefix or '.'}: {error.strerror or error}", path=display
            ) from None
        for entry in entries:
            name = f"{prefix}{entry.name}"
            real = os.path.realpath(entry.path)
            if entry.is_symlink() and not inside(real):
                warnings.append(
                    f"{display}/{name} is a symbolic link to a file outside the chart; "
                    "medlint does not follow it (Helm would)"
                )
                continue
            try:
                info = os.stat(entry.path)
            except OSError:
                warnings.append(f"{display}/{name} is a broken symbolic link; skipped")
                continue
            if stat.S_ISDIR(info.st_mode):
                if rules.ignore(name, True):
                    continue
                if real in visited:
                    continue  # a link back into the chart: already read
                visited.add(real)
                walk(Path(entry.path), name + "/")
                continue
            if rules.ignore(name, False):
                continue
            if not stat.S_ISREG(info.st_mode):
                raise ChartError(
                    f"cannot load irregular file {name} as it has file mode type bits set",
                    path=f"{display}/{name}",
                )
            budget.add(name, info.st_size, f"{display}/{name}")
            data = _read_file(Path(entry.path), root_real, budget.limits.max_file_bytes, f"{display}/{name}")
            if on_read is not None:
                on_read(f"{shown}{name}", data)
            files.append((name, data.removeprefix(b"\xef\xbb\xbf")))

    walk(directory, "")
    return files


_DRIVE = re.compile(r"^[a-zA-Z]:/")


_GZIP_MAGIC = b"\x1f\x8b"
_RATIO_FLOOR = 1024 * 1024  # below this many decompressed bytes, the ratio is not checked
_CHUNK = 64 * 1024


class _BoundedGunzip(io.RawIOBase):
    """The decompressed bytes of a gzip stream (several members, as Go reads them), produced on demand
    and counted against the chart's budget and the archive's compression ratio as they are produced."""

    def __init__(self, data: bytes, display: str, budget: Budget) -> None:
        super().__init__()
        self.data = data
        self.display = display
        self.budget = budget
        self.position = 0  # in data
        self.produced = 0
        self.ratio_limit = max(_RATIO_FLOOR, budget.limits.max_archive_ratio * len(data))
        self.decompressor: Any = None
        self.pending = b""  # compressed input not yet consumed by the decompressor

    def readable(self) -> bool:
        return True

    def _next_member(self) -> bool:
        rest = self.pending if self.pending else self.data[self.position :]
        if not rest:
            return False
        if not rest.startswith(_GZIP_MAGIC):
            raise ChartError("gzip: invalid header", path=self.display)
        self.decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self.pending = rest
        self.position = len(self.data)
        return True

    def readinto(self, buffer: Any) -> int:
        wanted = min(len(buffer), _CHUNK)
        while True:
            if self.decompressor is None or self.decompressor.eof:
                self.pending = (
                    self.decompressor.unused_data if self.decompressor is not None else self.pending
                )
                if not self._next_member():
                    return 0
            out = self.decompressor.decompress(self.pending, wanted)
            self.pending = self.decompressor.unconsumed_tail
            if out:
                break
            if not self.pending and not self.decompressor.eof:
                raise ChartError("unexpected EOF", path=self.display)  # Go's io.ErrUnexpectedEOF
        self.produced += len(out)
        self.budget.decompressed += len(out)
        if self.budget.decompressed > self.budget.limits.max_chart_bytes:
            raise ChartError("decompression size limit reached", path=self.display)
        if self.produced > self.ratio_limit:
            raise ChartError(
                f"the archive decompresses to more than {self.budget.limits.max_archive_ratio} times its size "
                "(limits.max_archive_ratio): a decompression bomb? medlint stops reading it",
                path=self.display,
            )
        buffer[: len(out)] = out
        return len(out)


def read_archive(data: bytes, display: str, budget: Budget) -> list[tuple[str, bytes]]:
    """Helm's ``LoadArchiveFiles``, in memory, refusing unsafe member names and links.

    Like Helm, only gzip archives are read; they are decompressed under the budget (:class:`_BoundedGunzip`)
    and read as a stream, so nothing is decompressed twice and nothing is skipped without being counted.
    """
    files: list[tuple[str, bytes]] = []
    if not data.startswith(_GZIP_MAGIC):
        raise ChartError("gzip: invalid header", path=display)
    stream = io.BufferedReader(_BoundedGunzip(data, display, budget), buffer_size=_CHUNK)
    try:
        archive = tarfile.open(fileobj=stream, mode="r|")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise ChartError(f"could not read chart archive: {error}", path=display) from None
    members = 0
    with archive:
        try:
            for member in archive:
                members += 1
                if members > budget.limits.max_archive_members:
                    raise ChartError(
                        f"the archive has more than {budget.limits.max_archive_members:,} members "
                        "(limits.max_archive_members); medlint stops reading it",
                        path=display,
                    )
                if member.isdir():
                    continue
                parts = member.name.replace("\\", "/").split("/")
                name = "/".join(parts[1:])
                if posixpath.isabs(name) or member.name.startswith("/"):
                    raise ChartError("chart illegally contains absolute paths", path=display)
                name = posixpath.normpath(name) if name else name
                if name in ("", "."):
                    raise ChartError(
                        "chart illegally contains content outside the base directory", path=display
                    )
                if name.startswith(".."):
                    raise ChartError("chart illegally references parent directory", path=display)
                if _DRIVE.match(name):
                    raise ChartError("chart contains illegally named files", path=display)
                if parts[0] == "Chart.yaml":
                    raise ChartError("chart yaml not in base directory", path=display)
                if member.issym() or member.islnk():
                    if _link_escapes(member, parts[0]):
                        raise ChartError(
                            f"chart archive contains a link pointing outside the chart: {member.name}",
                            path=display,
                        )
                    continue  # links inside the archive carry no content of their own
                if member.type not in (tarfile.REGTYPE, tarfile.AREGTYPE):
                    raise ChartError(
                        f"chart archive member {name} is not a regular file, directory or link "
                        f"(type {member.type!r}); medlint does not read it",
                        path=display,
                    )
                budget.add(name, member.size, display)
                handle = archive.extractfile(member)
                content = handle.read(budget.limits.max_file_bytes + 1) if handle is not None else b""
                files.append((name, content.removeprefix(b"\xef\xbb\xbf")))
        except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
            raise ChartError(f"could not read chart archive: {error}", path=display) from None
    if not files:
        raise ChartError("no files in chart archive", path=display)
    return files


def _link_escapes(member: tarfile.TarInfo, base: str) -> bool:
    """Whether a symbolic or hard link in an archive points outside the chart's base directory."""
    target = member.linkname.replace("\\", "/")
    if posixpath.isabs(target) or _DRIVE.match(target):
        return True
    if member.issym():
        resolved = posixpath.normpath(
            posixpath.join(posixpath.dirname(member.name.replace("\\", "/")), target)
        )
    else:
        resolved = posixpath.normpath(target)
    return not resolved.startswith(base + "/")


def _read_file(path: Path, within: str, max_bytes: int, display: str) -> bytes:
    """One chart file through the bounded reader: a regular file inside the chart, at most `max_bytes`."""
    try:
        return read_bytes(path, within=within, max_bytes=max_bytes, within_name="the chart")
    except ReadRefused as error:
        raise ChartError(f"{display} was not read: {error.message}", path=display) from None
    except OSError as error:
        raise ChartError(f"error reading {display}: {error.strerror or error}", path=display) from None


def read_archive_file(path: Path, display: str, limits: LoadLimits, within: Path | None = None) -> bytes:
    """A chart archive's bytes through the bounded reader (inside `within`, a chart, when given)."""
    try:
        return read_bytes(
            path,
            within=within,
            max_bytes=limits.max_archive_bytes,
            limit_name="the chart archive size limit",
            within_name="the chart",
        )
    except ReadRefused as error:
        raise ChartError(f"{display} was not read: {error.message}", path=display) from None
    except OSError as error:
        raise ChartError(f"could not read {display}: {error.strerror or error}", path=display) from None
