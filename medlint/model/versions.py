"""Versions and version constraints as Helm reads them (Masterminds semver v3).

There is one engine, medlint.helm.functions.semver, which the Helm renderer also uses for `semverCompare`;
rules ask it through the functions here (loaded on first use), so a Chart.yaml dependency range, a Chart.lock
version and a chart's kubeVersion are judged exactly as Helm judges them.
"""

from __future__ import annotations

import re
from typing import Any

_FULL_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)")
_MAJOR_MINOR = re.compile(r"(\d+)(?:\.(\d+))?")
_FAR = 999_999  # a minor or patch number beyond any written one


class ConstraintError(ValueError):
    """A version constraint Helm would refuse."""


def _engine() -> Any:
    from medlint.helm.functions import semver

    return semver


def is_version(text: str) -> bool:
    """Whether Helm reads `text` as a version (`v1.2` is 1.2.0)."""
    engine = _engine()
    try:
        engine.parse_version(text.strip())
    except engine.SemverError:
        return False
    return True


#: Go parses version numbers as uint64, so a longer digit run is no version Helm accepts.
_HUGE_NUMBER = re.compile(r"\d{20,}")


def _validated(constraint: str) -> str:
    if _HUGE_NUMBER.search(constraint):
        raise ConstraintError("a version number in the constraint is larger than a 64-bit unsigned integer")
    engine = _engine()
    try:
        engine.parse_constraints(constraint)
    except engine.SemverError as error:
        raise ConstraintError(str(error)) from None
    return constraint


def satisfies(constraint: str, version: str) -> bool:
    """Whether `version` satisfies `constraint`; ConstraintError for a constraint Helm refuses, False for a
    version that is not one."""
    engine = _engine()
    _validated(constraint)
    try:
        return bool(engine.check_constraint(constraint, version.strip()))
    except engine.SemverError:
        return False


def highest_minor(constraint: str) -> tuple[int, int] | None:
    """The newest (major, minor) the constraint admits; None when it is open-ended upwards.

    Only the versions written in the constraint can bound it, so the engine is asked about the minors they
    name (and the one below each), at their boundaries, and about versions far above all of them.
    """
    text = _validated(constraint)

    def allowed(version: str) -> bool:
        return satisfies(text, version)

    anchors = {(int(major), int(minor or 0)) for major, minor in _MAJOR_MINOR.findall(text)}
    patches: dict[tuple[int, int], set[int]] = {}
    for major, minor, patch in _FULL_VERSION.findall(text):
        patches.setdefault((int(major), int(minor)), set()).update(
            {int(patch) - 1, int(patch), int(patch) + 1}
        )
    top = max((major for major, _ in anchors), default=0)
    if (
        allowed(f"{top + 1}.0.0")
        or allowed(f"{_FAR}.0.0")
        or any(allowed(f"{major}.{_FAR}.0") for major, _ in anchors)
    ):
        return None
    best: tuple[int, int] | None = None
    for major, minor in anchors:
        for candidate in {(major, minor), (major, minor - 1)}:
            if candidate[1] < 0 or (best is not None and candidate <= best):
                continue
            probes = {0, _FAR} | {patch for patch in patches.get(candidate, ()) if patch >= 0}
            if any(allowed(f"{candidate[0]}.{candidate[1]}.{patch}") for patch in probes):
                best = candidate
    return best
