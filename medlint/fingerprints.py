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
from pathlib import Path
from typing import Iterable

from medlint.findings import Finding

LOGICAL = "medlintLogical/v1"
LINE_HASH = "primaryLocationLineHash"

_BLOCK_SIZE = 100
_MULTIPLIER = 37
_MASK = (1 << 64) - 1
_FIRST_MOD = pow(_MULTIPLIER, _BLOCK_SIZE, 1 << 64)
_TAB, _SPACE, _LF, _CR, _EOF = 9, 32, 10, 13, 65535


_LINE_REFERENCES = re.compile(r"\bline \d+|\S+:\d+:\d+")


def logical_fingerprint(finding: Finding) -> str:
    """Rule, file, object, sub-condition and the message without line references.

    The message quotes the offending value (never a secret), so changing the value makes a new finding,
    while moving lines or editing unrelated parts of the file keeps the fingerprint.
    """
    message = _LINE_REFERENCES.sub("#", finding.message)
    material = "\x1f".join([finding.rule_id, finding.location.path, finding.subject, finding.variant or "", message])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]


def _utf16_units(text: str) -> Iterable[int]:
    data = text.encode("utf-16-le", errors="surrogatepass")
    return (data[i] | (data[i + 1] << 8) for i in range(0, len(data), 2))


def line_hashes(text: str) -> dict[int, str]:
    """The GitHub line hash ("<hex>:<n>") of every line of a text, by 1-based line number.

    The hash of a line covers the next 100 characters that are not spaces or tabs, across line ends
    (CR, LF and CRLF all count as LF), then an end-of-file marker; n numbers repeats of the same hash.
    """
    window = [0] * _BLOCK_SIZE
    line_at = [-1] * _BLOCK_SIZE
    state = {"hash": 0, "index": 0, "line": 0, "line_start": True, "previous_cr": False}
    counts: dict[str, int] = {}
    hashes: dict[int, str] = {}

    def emit() -> None:
        value = format(state["hash"] & _MASK, "x")
        counts[value] = counts.get(value, 0) + 1
        hashes[line_at[state["index"]]] = f"{value}:{counts[value]}"
        line_at[state["index"]] = -1

    def push(unit: int) -> None:
        index = state["index"]
        oldest = window[index]
        window[index] = unit
        state["hash"] = (_MULTIPLIER * state["hash"] + unit - _FIRST_MOD * oldest) & _MASK
        state["index"] = (index + 1) % _BLOCK_SIZE

    def process(unit: int) -> None:
        if unit in (_SPACE, _TAB) or (state["previous_cr"] and unit == _LF):
            state["previous_cr"] = False
            return
        if unit == _CR:
            unit, state["previous_cr"] = _LF, True
        else:
            state["previous_cr"] = False
        if line_at[state["index"]] != -1:
            emit()
        if state["line_start"]:
            state["line_start"] = False
            state["line"] += 1
            line_at[state["index"]] = state["line"]
        if unit == _LF:
            state["line_start"] = True
        push(unit)

    for unit in _utf16_units(text):
        process(unit)
    process(_EOF)
    for _ in range(_BLOCK_SIZE):
        if line_at[state["index"]] != -1:
            emit()
        push(0)
    return hashes


def add_fingerprints(findings: Iterable[Finding], root: Path) -> tuple[Finding, ...]:
    """Attach both fingerprints to each finding; each source file is read and hashed at most once."""
    by_file: dict[str, dict[int, str] | None] = {}
    result = []
    for finding in findings:
        path = finding.location.path
        if path not in by_file:
            try:
                text = (root / path).read_bytes().decode("utf-8", errors="replace")
                by_file[path] = line_hashes(text)
            except OSError:
                by_file[path] = None
        prints = [(LOGICAL, logical_fingerprint(finding))]
        hashes = by_file[path]
        if hashes is not None and finding.location.line in hashes:
            prints.append((LINE_HASH, hashes[finding.location.line]))
        result.append(dataclasses.replace(finding, fingerprints=tuple(prints)))
    return tuple(result)
