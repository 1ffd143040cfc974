"""Independent checks of what a fix run did to a file, for tests and benchmarks/bench_fix_corpus.py.

These do not trust the editor's own proof: they load both versions with PyYAML and list every difference
in the data, and compare the texts line by line and comment by comment.
"""

from __future__ import annotations

import difflib
from collections import Counter
from typing import Any

import yaml

from medlint.fix.yamldoc import DataLoader as _Loader

#: Keys that fixes add or change; a data difference anywhere else is unexpected.
FIXED_KEYS = frozenset(
    {
        "securityContext",
        "allowPrivilegeEscalation",
        "capabilities",
        "drop",
        "seccompProfile",
        "type",
        "runAsNonRoot",
        "readOnlyRootFilesystem",
        "imagePullPolicy",
        "automountServiceAccountToken",
        "security_opt",
        "cap_drop",
        "read_only",
    }
)

Path = tuple[Any, ...]


def data_differences(before: str, after: str) -> list[tuple[str, Path]]:
    """("added" | "removed" | "changed", path) for every difference between the loaded documents."""
    old = list(yaml.load_all(before, Loader=_Loader))
    new = list(yaml.load_all(after, Loader=_Loader))
    differences: list[tuple[str, Path]] = []
    if len(old) != len(new):
        return [("changed", ("documents",))]
    for index, (first, second) in enumerate(zip(old, new)):
        _walk(first, second, (index,), differences)
    return differences


def _walk(old: Any, new: Any, path: Path, out: list[tuple[str, Path]]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in old:
            if key not in new:
                out.append(("removed", path + (key,)))
            else:
                _walk(old[key], new[key], path + (key,), out)
        out.extend(("added", path + (key,)) for key in new if key not in old)
    elif isinstance(old, list) and isinstance(new, list):
        for index, (first, second) in enumerate(zip(old, new)):
            _walk(first, second, path + (index,), out)
        out.extend(("removed", path + (index,)) for index in range(len(new), len(old)))
        out.extend(("added", path + (index,)) for index in range(len(old), len(new)))
    elif old != new or type(old) is not type(new):
        out.append(("changed", path))


def unexpected_differences(before: str, after: str) -> list[tuple[str, Path]]:
    """Data differences that no fix explains: anything removed, or a change outside the fixed keys."""
    problems = []
    for kind, path in data_differences(before, after):
        named = [step for step in path[1:] if isinstance(step, str)]
        last = named[-1] if named else None
        if kind == "removed" or last not in FIXED_KEYS:
            problems.append((kind, path))
        elif kind == "changed" and last in ("securityContext", "capabilities", "seccompProfile"):
            problems.append((kind, path))  # a whole mapping replaced, not extended
    return problems


def comment_lines(text: str) -> Counter[str]:
    return Counter(line.strip() for line in text.splitlines() if line.strip().startswith("#"))


def lost_comments(before: str, after: str) -> list[str]:
    kept = comment_lines(after)
    return [line for line, count in comment_lines(before).items() if kept[line] < count]


def changed_lines(before: str, after: str) -> list[int]:
    """1-based original lines that were changed or removed (pure insertions do not count)."""
    matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False)
    lines: list[int] = []
    for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            lines.extend(range(i1 + 1, i2 + 1))
    return lines
