"""Result fingerprints for dashboards and baselines.

- `medlintLogical/v1`: rule, file, offending object (subject) and sub-condition. It does not change when
  lines move, so it keys baselines and waivers-by-identity and lets DefectDojo and GitLab deduplicate.
- `primaryLocationLineHash`: the value GitHub's upload action would compute for the first line of the
  result (a rolling hash over the next 100 non-blank characters, see docs/sarif.md). Emitting it ourselves
  makes uploads through the REST API deduplicate the same way as uploads through the action.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import sys
from array import array
from collections.abc import Callable, Collection, Iterable
from itertools import chain, repeat
from pathlib import Path
from typing import TYPE_CHECKING

from medlint.decoding import SourceError
from medlint.findings import Finding
from medlint.reader import FileReader

if TYPE_CHECKING:
    from medlint.parallel import Workers

LOGICAL = "medlintLogical/v1"
LINE_HASH = "primaryLocationLineHash"

_BLOCK_SIZE = 100
_MULTIPLIER = 37
_MASK = (1 << 64) - 1
_FIRST_MOD = pow(_MULTIPLIER, _BLOCK_SIZE, 1 << 64)
_LF, _EOF = 10, 65535


# `\S+` starts at a word start only: a long word is scanned once, not once per character.
_LINE_REFERENCES = re.compile(r"\bline \d+|(?<!\S)\S+:\d+:\d+")


def logical_fingerprint(finding: Finding) -> str:
    """Rule, file, object, sub-condition and the message without line references.

    The message quotes the offending value (never a secret), so changing the value makes a new finding,
    while moving lines or editing unrelated parts of the file keeps the fingerprint.
    """
    message = _LINE_REFERENCES.sub("#", finding.message)
    material = "\x1f".join(
        [finding.rule_id, finding.location.path, finding.subject, finding.variant or "", message]
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]


def _utf16_units(text: str) -> array[int]:
    units = array("H")
    units.frombytes(text.encode("utf-16-le", errors="surrogatepass"))
    if sys.byteorder == "big":
        units.byteswap()
    return units


#: Lines of one file hashed at most for GitHub's line hash. A finding further down gets none, as a finding in
#: a file the reader refused: its other fingerprints stay. Bounds the per-line work and memory (principle 8).
MAX_HASHED_LINES = 1_000_000


def line_hashes(
    text: str, last_line: int | None = None, lines: Collection[int] | None = None
) -> dict[int, str]:
    """The GitHub line hash ("<hex>:<n>") of every line of a text, by 1-based line number (only of `lines`
    when given; the repeat counts still cover every line before them).

    The hash of a line covers the next 100 characters that are not spaces or tabs, across line ends
    (CR, LF and CRLF all count as LF), then an end-of-file marker (zeros after it); n numbers repeats of the
    same hash. `last_line` stops early once that line's hash is known (the counts of earlier lines stay
    exact). This runs over every character of every file with findings, the hottest code of a large scan:
    the text is first reduced with string methods (line ends unified, spaces and tabs dropped, in the order
    that keeps a CR, a space and an LF two line ends, as the upload action does), then one loop rolls the
    hash over the UTF-16 units, and each line reads its value where its window ends. Memory is a few bytes
    per character (compact arrays) and bounded per line (MAX_HASHED_LINES); a text with more lines before
    the last one asked for gets no hashes.
    """
    if lines is not None:
        highest = max(lines, default=0)
        last_line = highest if last_line is None else min(last_line, highest)
    cap = MAX_HASHED_LINES + 1
    wanted_starts = cap if last_line is None else min(max(last_line, 1), cap)
    reduced = text.replace("\r\n", "\n").replace("\r", "\n").replace(" ", "").replace("\t", "")
    units = _utf16_units(reduced)
    count = len(units)
    # Line starts: the first unit, every unit after an LF, and the end-of-file marker after a final LF.
    starts = [0]
    if len(reduced) == count:  # no surrogate pairs: string offsets are unit offsets
        find = reduced.find
        position = find("\n")
        while position != -1 and len(starts) < wanted_starts:
            starts.append(position + 1)
            position = find("\n", position + 1)
    else:
        for index, unit in enumerate(units):
            if len(starts) >= wanted_starts:
                break
            if unit == _LF:
                starts.append(index + 1)
    if len(starts) > MAX_HASHED_LINES:
        return {}
    limit = starts[-1] + _BLOCK_SIZE  # the windows up to the last line needed
    stream = units[:limit]
    if len(stream) < limit:
        stream.append(_EOF)
        stream.extend(repeat(0, limit - len(stream)))
    rolled = array("Q")
    append = rolled.append
    value = 0
    mask, multiplier, first_mod = _MASK, _MULTIPLIER, _FIRST_MOD
    for added, dropped in zip(stream, chain(repeat(0, _BLOCK_SIZE), stream)):
        value = (multiplier * value + added - first_mod * dropped) & mask
        append(value)
    seen: dict[int, int] = {}
    hashes: dict[int, str] = {}
    chosen = None if lines is None else set(lines)
    for line, start in enumerate(starts, 1):
        value = rolled[start + _BLOCK_SIZE - 1]
        repeat_count = seen[value] = seen.get(value, 0) + 1
        if chosen is None or line in chosen:
            hashes[line] = f"{value:x}:{repeat_count}"
    return hashes


def add_fingerprints(
    findings: Iterable[Finding],
    root: Path,
    reader: FileReader | None = None,
    workers: Workers | None = None,
) -> tuple[Finding, ...]:
    """Attach both fingerprints to each finding; each source file is hashed at most once.

    Line hashes come from the text the scan read: `reader` remembers it, or, for a file a worker process
    read, reads it again the same way; a file the scan did not read is read through the same bounded reader,
    and a file it refuses gets no line hash. With `workers`, many files are hashed in the worker processes.
    """
    reader = reader or FileReader(root)
    findings = tuple(findings)
    lines: dict[str, set[int]] = {}
    for finding in findings:
        lines.setdefault(finding.location.path, set()).add(finding.location.line)
    logical: list[str] = []

    def fingerprint_logically() -> None:
        logical.extend(logical_fingerprint(finding) for finding in findings)

    if workers is not None and workers.started and len(lines) >= PARALLEL_MIN_FILES:
        by_file = _hashes_in_workers(reader, lines, workers, meanwhile=fingerprint_logically)
    else:
        by_file = {path: _needed_hashes(reader, path, wanted) for path, wanted in lines.items()}
        fingerprint_logically()
    result = []
    for finding, logical_print in zip(findings, logical):
        prints = [(LOGICAL, logical_print)]
        hashes = by_file[finding.location.path]
        if hashes is not None and finding.location.line in hashes:
            prints.append((LINE_HASH, hashes[finding.location.line]))
        result.append(dataclasses.replace(finding, fingerprints=tuple(prints)))
    return tuple(result)


#: Files with findings below which line hashes are computed in the main process even with workers (which
#: are used only when loading already started them).
PARALLEL_MIN_FILES = 64


def _scanned_text(reader: FileReader, path: str) -> str | None:
    """The text the scan analysed (re-read the same way when a worker read it), else the file's bytes as
    UTF-8 with replacement characters; None when the bounded reader refuses the file."""
    text = reader.text_of(path)
    if text is not None:
        return text
    if reader.was_read(path):
        try:
            return reader.read_text(reader.root / path)
        except (OSError, SourceError):
            pass  # changed since: hash what is there now, as for a file the scan did not read
    try:
        return reader.read_bytes(reader.root / path).decode("utf-8", errors="replace")
    except (OSError, SourceError):
        return None


def _needed_hashes(reader: FileReader, path: str, wanted: set[int] | frozenset[int]) -> dict[int, str] | None:
    text = _scanned_text(reader, path)
    if text is None:
        return None
    return line_hashes(text, lines=wanted)


@dataclasses.dataclass(frozen=True, slots=True)
class _HashTask:
    """Files for one worker to hash: (path, the lines with findings)."""

    reader: FileReader  # sent without texts: the paths it read tell how to read each file again
    files: tuple[tuple[str, frozenset[int]], ...]


def _hash_task(task: _HashTask) -> dict[str, dict[int, str] | None]:
    return {path: _needed_hashes(task.reader, path, wanted) for path, wanted in task.files}


def _hashes_in_workers(
    reader: FileReader, lines: dict[str, set[int]], workers: Workers, meanwhile: Callable[[], None]
) -> dict[str, dict[int, str] | None]:
    """Files whose text this process holds are hashed here, and `meanwhile()` done, while the workers hash
    the others, a few per task."""
    by_file: dict[str, dict[int, str] | None] = {}
    remote: list[tuple[str, frozenset[int]]] = []
    local: list[tuple[str, set[int]]] = []
    for path, wanted in lines.items():
        if reader.holds_text(path):
            local.append((path, wanted))
        else:
            remote.append((path, frozenset(wanted)))

    def work_here() -> None:
        meanwhile()
        by_file.update((path, _needed_hashes(reader, path, wanted)) for path, wanted in local)

    size = max(1, len(remote) // (workers.jobs * 8))
    tasks = [_HashTask(reader, tuple(remote[start : start + size])) for start in range(0, len(remote), size)]
    for task, answer in zip(tasks, workers.run(_hash_task, tasks, meanwhile=work_here)):
        if isinstance(answer, dict):
            by_file.update(answer)
        else:  # the worker stopped even alone: hash here (a failure here is a bug to see, not to hide)
            by_file.update(_hash_task(task))
    return by_file
