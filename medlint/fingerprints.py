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
from collections.abc import Iterable
from pathlib import Path

from medlint.findings import Finding
from medlint.reader import FileReader
from medlint.source import SourceError

LOGICAL = "medlintLogical/v1"
LINE_HASH = "primaryLocationLineHash"

_BLOCK_SIZE = 100
_MULTIPLIER = 37
_MASK = (1 << 64) - 1
_FIRST_MOD = pow(_MULTIPLIER, _BLOCK_SIZE, 1 << 64)
_TAB, _SPACE, _LF, _CR, _EOF = 9, 32, 10, 13, 65535


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


def _utf16_units(text: str) -> Iterable[int]:
    data = text.encode("utf-16-le", errors="surrogatepass")
    return (data[i] | (data[i + 1] << 8) for i in range(0, len(data), 2))


def line_hashes(text: str, last_line: int | None = None) -> dict[int, str]:
    """The GitHub line hash ("<hex>:<n>") of every line of a text, by 1-based line number.

    The hash of a line covers the next 100 characters that are not spaces or tabs, across line ends
    (CR, LF and CRLF all count as LF), then an end-of-file marker; n numbers repeats of the same hash.
    `last_line` stops early once that line's hash is known (the counts of earlier lines stay exact).
    Written as one flat loop over local variables: this runs over every character of every file with
    findings, so it is the hottest code of a large scan.
    """
    window = [0] * _BLOCK_SIZE
    line_at = [-1] * _BLOCK_SIZE
    counts: dict[int, int] = {}
    hashes: dict[int, str] = {}
    value = index = line = 0
    line_start = True
    previous_cr = False
    mask, multiplier, first_mod, block = _MASK, _MULTIPLIER, _FIRST_MOD, _BLOCK_SIZE
    units = list(_utf16_units(text))
    units.append(_EOF)
    for unit in units:
        if unit in (_SPACE, _TAB) or (previous_cr and unit == _LF):
            previous_cr = False
            continue
        if unit == _CR:
            unit = _LF
            previous_cr = True
        else:
            previous_cr = False
        pending = line_at[index]
        if pending != -1:
            count = counts[value] = counts.get(value, 0) + 1
            hashes[pending] = f"{value:x}:{count}"
            line_at[index] = -1
            if last_line is not None and pending >= last_line:
                return hashes
        if line_start:
            line_start = False
            line += 1
            line_at[index] = line
        if unit == _LF:
            line_start = True
        value = (multiplier * value + unit - first_mod * window[index]) & mask
        window[index] = unit
        index = (index + 1) % block
    for _ in range(block):
        pending = line_at[index]
        if pending != -1:
            count = counts[value] = counts.get(value, 0) + 1
            hashes[pending] = f"{value:x}:{count}"
            line_at[index] = -1
        value = (multiplier * value - first_mod * window[index]) & mask
        window[index] = 0
        index = (index + 1) % block
    return hashes


def add_fingerprints(
    findings: Iterable[Finding], root: Path, reader: FileReader | None = None
) -> tuple[Finding, ...]:
    """Attach both fingerprints to each finding; each source file is hashed at most once.

    Line hashes come from the text the scan read (`reader` remembers it); a file it did not read is read
    through the same bounded reader, and a file it refuses gets no line hash.
    """
    reader = reader or FileReader(root)
    findings = tuple(findings)
    last_line: dict[str, int] = {}
    for finding in findings:
        last_line[finding.location.path] = max(last_line.get(finding.location.path, 0), finding.location.line)
    by_file: dict[str, dict[int, str] | None] = {}
    result = []
    for finding in findings:
        path = finding.location.path
        if path not in by_file:
            text = reader.text_of(path)
            if text is None:
                try:
                    text = reader.read_bytes(root / path).decode("utf-8", errors="replace")
                except (OSError, SourceError):
                    text = None
            by_file[path] = None if text is None else line_hashes(text, last_line[path])
        prints = [(LOGICAL, logical_fingerprint(finding))]
        hashes = by_file[path]
        if hashes is not None and finding.location.line in hashes:
            prints.append((LINE_HASH, hashes[finding.location.line]))
        result.append(dataclasses.replace(finding, fingerprints=tuple(prints)))
    return tuple(result)
