"""Baselines: record today's findings so existing debt does not block new work.

Entries are keyed by the logical fingerprint (rule, file, object, sub-condition, offending value), so
line moves and unrelated edits keep matching, while a changed value is a new finding. Fixed entries (in the
baseline, no longer found) are listed so the baseline can be pruned.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medlint.decoding import SourceError, decode_text
from medlint.findings import Finding
from medlint.fingerprints import LOGICAL, logical_fingerprint
from medlint.limits import DEFAULT_LIMITS, Limits
from medlint.reader import read_bytes

BASELINE_VERSION = 1


class BaselineError(Exception):
    """An unreadable or invalid baseline file: exit code 2."""


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    fingerprint: str
    rule_id: str
    path: str
    subject: str
    message: str


_ENTRY_KEYS = ("fingerprint", "rule_id", "path", "subject", "message")


def _fingerprint(finding: Finding) -> str:
    return finding.fingerprint(LOGICAL) or logical_fingerprint(finding)


def baseline_document(findings: Sequence[Finding], tool_version: str, pack_version: str) -> dict[str, Any]:
    """The baseline file content: every unsuppressed finding, sorted, without line numbers."""
    entries = sorted(
        (
            {
                "fingerprint": _fingerprint(finding),
                "rule_id": finding.rule_id,
                "path": finding.location.path,
                "subject": finding.subject,
                "message": finding.message,
            }
            for finding in findings
            if not finding.suppressed
        ),
        key=lambda entry: (entry["path"], entry["rule_id"], entry["subject"], entry["fingerprint"]),
    )
    return {
        "medlint_baseline": BASELINE_VERSION,
        "tool_version": tool_version,
        "rule_pack_version": pack_version,
        "findings": entries,
    }


def write_baseline(path: Path, document: dict[str, Any]) -> None:
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def read_baseline(path: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[BaselineEntry, ...]:
    """The entries of a baseline file. Raises BaselineError (exit code 2) naming the file for anything that
    is not a readable medlint baseline: too large, not UTF-8, not JSON, nested too deeply, wrong shape."""
    return read_baseline_file(path, limits)[0]


def read_baseline_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[tuple[BaselineEntry, ...], str]:
    """(the entries of a baseline file, the SHA-256 of its bytes as read); raises as `read_baseline`."""
    try:
        raw = read_bytes(
            path, within=None, max_bytes=limits.max_baseline_bytes, limit_name="limits.max_baseline_bytes"
        )
        text = decode_text(raw)
    except SourceError as error:  # refused (a pipe, too large) or not UTF-8
        where = f"{path}:{error.line}" if error.line > 1 else str(path)
        raise BaselineError(f"cannot read baseline {where}: {error.message}") from None
    except OSError as error:
        raise BaselineError(f"cannot read baseline '{path}': {error.strerror or error}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise BaselineError(f"{path}:{error.lineno}: the baseline is not valid JSON: {error.msg}") from None
    except RecursionError:
        raise BaselineError(f"{path}: the baseline is nested too deeply to be a medlint baseline") from None
    if (
        not isinstance(data, dict)
        or data.get("medlint_baseline") != BASELINE_VERSION
        or not isinstance(data.get("findings"), list)
    ):
        raise BaselineError(f"{path} is not a medlint baseline (create one with `medlint baseline create`)")
    entries = []
    for index, entry in enumerate(data["findings"], 1):
        if not isinstance(entry, dict):
            raise BaselineError(f"{path}: baseline entry {index} is not an object")
        missing = [key for key in _ENTRY_KEYS if not isinstance(entry.get(key), str)]
        if missing:
            raise BaselineError(
                f"{path}: baseline entry {index} lacks a text value for {', '.join(missing)}; "
                "create the baseline again with `medlint baseline create`"
            )
        entries.append(BaselineEntry(**{key: entry[key] for key in _ENTRY_KEYS}))
    return tuple(entries), hashlib.sha256(raw).hexdigest()


def apply_baseline(
    findings: Sequence[Finding], entries: Sequence[BaselineEntry]
) -> tuple[tuple[Finding, ...], int, tuple[BaselineEntry, ...]]:
    """(new findings marked "new", how many matched the baseline, baseline entries that no longer occur)."""
    new, known, fixed = match_baseline(findings, entries)
    return new, len(known), fixed


def match_baseline(
    findings: Sequence[Finding], entries: Sequence[BaselineEntry]
) -> tuple[tuple[Finding, ...], tuple[Finding, ...], tuple[BaselineEntry, ...]]:
    """(new findings marked "new", known findings marked "unchanged", entries that no longer occur).

    Known findings leave the normal reports, but the evidence report lists them: a clause whose only
    findings are baselined has not passed."""
    remaining = Counter(entry.fingerprint for entry in entries)
    new: list[Finding] = []
    known: list[Finding] = []
    for finding in findings:
        fingerprint = _fingerprint(finding)
        if remaining[fingerprint] > 0 and not finding.suppressed:
            remaining[fingerprint] -= 1
            known.append(dataclasses.replace(finding, baseline_state="unchanged"))
        else:
            new.append(dataclasses.replace(finding, baseline_state="new"))
    fixed_left = Counter(remaining)
    fixed: list[BaselineEntry] = []
    for entry in entries:
        if fixed_left[entry.fingerprint] > 0:
            fixed_left[entry.fingerprint] -= 1
            fixed.append(entry)
    return tuple(new), tuple(known), tuple(fixed)
