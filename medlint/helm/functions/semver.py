"""Masterminds/semver v3 versions and constraints (Sprig ``semver``, ``semverCompare``).

Helm charts gate API versions with
``semverCompare ">=1.21-0" .Capabilities.KubeVersion.GitVersion``; the answer
depends on Masterminds' exact rules, reproduced here from semver v3.2:

* versions are coerced: ``v1.2`` is 1.2.0; a prerelease sorts before its release;
* a constraint without a prerelease never matches a prerelease version, which
  is why charts write ``>=1.21-0`` (so ``v1.21.3-gke.100`` matches);
* ``1.2``, ``1.x``, ``*`` and ``~``/``^``/``=`` follow Masterminds' "dirty"
  rules (``~1.2`` is >=1.2.0 <1.3.0, ``^0.2`` is >=0.2.0 <0.3.0 ...);
* ``,`` or spaces mean AND, ``||`` means OR, ``1 - 2`` is ``>= 1, <= 2``.

Constraints and versions come from charts (``kubeVersion``, ``semverCompare``), so Masterminds' regular
expressions run here as they do in Go, on RE2: linear in the text. On Python's ``re`` the validity check
backtracks exponentially on a constraint of a few dozen spaced terms.

This is medlint's one reading of Helm constraints: ``parse_constraints`` (OR groups of AND-ed
comparisons) and ``check_constraint`` answer whether a version satisfies a constraint exactly as Helm
does.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from medlint.helm.functions.reflect import FunctionError, arg_string

__all__ = ["SemVersion", "SemverError", "check_constraint", "functions", "parse_version"]

_SEMVER_SOURCE = (
    r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?"
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$"
)
_CV = (
    r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?"
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
)
_OPS = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^"
_ALLOWED = re.compile(r"[0-9A-Za-z\-]*")
#: Masterminds' regular expressions (Go regexp syntax), compiled by RE2 on first use.
_SOURCES = {
    "semver": _SEMVER_SOURCE,
    "constraint": rf"^\s*({_OPS})\s*({_CV})\s*$",
    "range": rf"\s*({_CV})\s+-\s+({_CV})\s*",
    "find": rf"({_OPS})\s*({_CV})",
    "valid": rf"^(\s*({_OPS})\s*({_CV})\s*)((?:\s+|,\s*)({_OPS})\s*({_CV})\s*)*$",
}


@functools.cache
def _regex(name: str) -> Any:
    from medlint.helm.functions.strings import compile_go_regex

    return compile_go_regex(_SOURCES[name])


class SemverError(FunctionError):
    """A version or constraint Masterminds/semver refuses."""


class SemVersion:
    """A parsed ``*semver.Version``; methods mirror the Go API used in templates."""

    go_type_name = "*semver.Version"
    go_kind = "ptr"

    def __init__(self, major: int, minor: int, patch: int, pre: str, metadata: str, original: str) -> None:
        self.major, self.minor, self.patch = major, minor, patch
        self.pre, self.metadata, self.original = pre, metadata, original

    # Go methods
    def Major(self) -> int:
        return self.major

    def Minor(self) -> int:
        return self.minor

    def Patch(self) -> int:
        return self.patch

    def Prerelease(self) -> str:
        return self.pre

    def Metadata(self) -> str:
        return self.metadata

    def Original(self) -> str:
        return self.original

    def String(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.pre:
            text += "-" + self.pre
        if self.metadata:
            text += "+" + self.metadata
        return text

    def Compare(self, other: SemVersion) -> int:
        return compare(self, other)

    def LessThan(self, other: SemVersion) -> bool:
        return compare(self, other) < 0

    def GreaterThan(self, other: SemVersion) -> bool:
        return compare(self, other) > 0

    def Equal(self, other: SemVersion) -> bool:
        return compare(self, other) == 0

    def go_json(self) -> str:
        return self.String()

    def __str__(self) -> str:
        return self.String()

    def __repr__(self) -> str:
        return f"SemVersion({self.String()!r})"


def _validate_identifiers(text: str, numeric_leading_zero_check: bool) -> bool:
    for part in text.split("."):
        if part.isdigit() and part.isascii():
            if numeric_leading_zero_check and len(part) > 1 and part[0] == "0":
                return False
        elif not _ALLOWED.fullmatch(part):
            return False
    return True


def parse_version(text: str) -> SemVersion:
    """Masterminds ``NewVersion`` (coercing): raises :class:`SemverError`."""
    match = _regex("semver").search(text)
    if not match:
        raise SemverError("Invalid Semantic Version")

    def segment(value: str | None) -> int:
        digits = value.lstrip(".") if value else "0"
        number = int(digits) if len(digits) <= 30 else 2**64  # never parse a megabyte of digits
        if number >= 2**64:
            raise SemverError(
                f'Error parsing version segment: strconv.ParseUint: parsing "{value}": value out of range'
            )
        return number

    pre = match.group(5) or ""
    metadata = match.group(8) or ""
    version = SemVersion(
        segment(match.group(1)), segment(match.group(2)), segment(match.group(3)), pre, metadata, text
    )
    if pre and not _validate_identifiers(pre, True):
        raise SemverError(
            "Version segment starts with 0"
            if any(p.isdigit() and len(p) > 1 and p[0] == "0" for p in pre.split("."))
            else "Invalid Prerelease string"
        )
    if metadata and not _validate_identifiers(metadata, False):
        raise SemverError("Invalid Metadata string")
    return version


def _compare_pre_part(left: str, right: str) -> int:
    if left == right:
        return 0
    if left == "":
        return -1 if right != "" else 1
    if right == "":
        return 1
    left_num = left.isdigit() and left.isascii()
    right_num = right.isdigit() and right.isascii()
    if not left_num and not right_num:
        return 1 if left > right else -1
    if not right_num:
        return -1
    if not left_num:
        return 1
    return 1 if int(left) > int(right) else -1


def _compare_prerelease(left: str, right: str) -> int:
    left_parts, right_parts = left.split("."), right.split(".")
    for i in range(max(len(left_parts), len(right_parts))):
        result = _compare_pre_part(
            left_parts[i] if i < len(left_parts) else "", right_parts[i] if i < len(right_parts) else ""
        )
        if result:
            return result
    return 0


def compare(left: SemVersion, right: SemVersion) -> int:
    """Masterminds Version.Compare: -1, 0 or 1 (metadata ignored)."""
    for a, b in ((left.major, right.major), (left.minor, right.minor), (left.patch, right.patch)):
        if a != b:
            return -1 if a < b else 1
    if not left.pre and not right.pre:
        return 0
    if not left.pre:
        return 1
    if not right.pre:
        return -1
    return _compare_prerelease(left.pre, right.pre)


class _Constraint:
    """One comparison such as ``>=1.21-0``."""

    def __init__(self, text: str) -> None:
        self.dirty = self.minor_dirty = self.patch_dirty = False
        if not text:
            self.op, self.orig = "", ""
            self.con = parse_version("0.0.0")
            self.dirty = True
            return
        match = _regex("constraint").search(text)
        if not match:
            raise SemverError(f"improper constraint: {text}")
        self.op, self.orig = match.group(1), match.group(2)
        major, minor, patch, pre = match.group(3), match.group(4), match.group(5), match.group(7) or ""
        version = self.orig
        pre_suffix = f"-{pre}" if pre else ""
        if _is_x(major) or major == "":
            version, self.dirty = "0.0.0" + pre_suffix, True
        elif _is_x((minor or "").lstrip(".")) or not minor:
            version, self.minor_dirty, self.dirty = f"{major}.0.0{pre_suffix}", True, True
        elif _is_x((patch or "").lstrip(".")) or not patch:
            version, self.dirty, self.patch_dirty = f"{major}{minor}.0{pre_suffix}", True, True
        try:
            self.con = parse_version(version)
        except SemverError as exc:
            raise SemverError("constraint Parser Error") from exc

    def check(self, v: SemVersion) -> bool:
        c = self.con
        if self.op in ("", "="):
            if v.pre and not c.pre:
                return False
            return self._tilde(v) if self.dirty else compare(v, c) == 0
        if self.op == "!=":
            return self._not_equal(v)
        if v.pre and not c.pre:
            return False
        if self.op == ">":
            if not self.dirty:
                return compare(v, c) == 1
            if v.major != c.major:
                return v.major > c.major
            if self.minor_dirty:
                return False
            if self.patch_dirty:
                return v.minor > c.minor
            return compare(v, c) == 1
        if self.op == "<":
            return compare(v, c) < 0
        if self.op in (">=", "=>"):
            return compare(v, c) >= 0
        if self.op in ("<=", "=<"):
            if not self.dirty:
                return compare(v, c) <= 0
            if v.major > c.major:
                return False
            return not (v.major == c.major and v.minor > c.minor and not self.minor_dirty)
        if self.op in ("~", "~>"):
            return self._tilde(v)
        return self._caret(v)

    def _not_equal(self, v: SemVersion) -> bool:
        c = self.con
        if self.dirty:
            if v.pre and not c.pre:
                return False
            if c.major != v.major:
                return True
            if c.minor != v.minor and not self.minor_dirty:
                return True
            if self.minor_dirty:
                return False
            if c.patch != v.patch and not self.patch_dirty:
                return True
            if self.patch_dirty:
                if v.pre or c.pre:
                    return _compare_prerelease(v.pre, c.pre) != 0
                return False
        return compare(v, c) != 0

    def _tilde(self, v: SemVersion) -> bool:
        c = self.con
        if v.pre and not c.pre:
            return False
        if compare(v, c) < 0:
            return False
        if c.major == 0 and c.minor == 0 and c.patch == 0 and not self.minor_dirty and not self.patch_dirty:
            return True
        if v.major != c.major:
            return False
        return not (v.minor != c.minor and not self.minor_dirty)

    def _caret(self, v: SemVersion) -> bool:
        c = self.con
        if compare(v, c) < 0:
            return False
        if c.major > 0 or self.minor_dirty:
            return v.major == c.major
        if c.major == 0 and v.major > 0:
            return False
        if c.minor > 0 or self.patch_dirty:
            return v.minor == c.minor
        if c.minor == 0 and v.minor > 0:
            return False
        return c.patch == v.patch


def _is_x(text: str) -> bool:
    return text in ("x", "X", "*")


def _rewrite_range(text: str) -> str:
    """Masterminds' rewriteRange, in one pass: each ``A - B`` becomes ``>= A, <= B `` (with its space)."""
    pieces: list[str] = []
    last = 0
    for match in _regex("range").finditer(text):
        pieces.append(text[last : match.start()])
        pieces.append(f">= {match.group(1)}, <= {match.group(11)} ")
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces)


def parse_constraints(text: str) -> list[list[_Constraint]]:
    """Masterminds NewConstraint: OR groups of AND-ed constraints."""
    groups = []
    for part in _rewrite_range(text).split("||"):
        if not _regex("valid").search(part):
            raise SemverError(f"improper constraint: {part}")
        pieces = [m.group(0) for m in _regex("find").finditer(part)] or [part]
        groups.append([_Constraint(p) for p in pieces])
    return groups


def check_constraint(constraint: str, version: str) -> bool:
    """``semverCompare``: whether ``version`` satisfies ``constraint`` (errors raise)."""
    groups = parse_constraints(constraint)
    parsed = parse_version(version)
    return any(all(c.check(parsed) for c in group) for group in groups)


def semver(version: Any) -> SemVersion:
    """``semver "1.2.3"``: a version object (``.Major``, ``.Compare`` ...)."""
    return parse_version(arg_string(version))


def semver_compare(constraint: Any, version: Any) -> bool:
    """``semverCompare CONSTRAINT VERSION``."""
    return check_constraint(arg_string(constraint), arg_string(version))


def functions() -> dict[str, Callable[..., Any]]:
    """The Sprig semver functions."""
    return {"semver": semver, "semverCompare": semver_compare}
