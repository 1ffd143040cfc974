"""Helm chart files as configuration items: MD106 (Chart.lock) and MD113 (chart metadata).

A chart is released as a configuration item (IEC 62304 8.1.3): Chart.yaml says what it is, Chart.lock records
which sub-charts were resolved, and values.schema.json keeps site configuration inside safe bounds. These
checks read chart files only; rendered objects are checked by the Kubernetes rules.

The module also holds a small reader of Helm's version constraints (Masterminds/semver v3 syntax), used
here for "a locked version outside the Chart.yaml constraint" and by MD115 for a chart's `kubeVersion`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from medlint.findings import Violation
from medlint.model import ArtifactKind, Chart, ChartDependency, LockedDependency, Project
from medlint.source import Location, YamlMap, value_location

# --------------------------------------------------------------------------------------------------
# Versions and constraints (Masterminds/semver v3, as Helm uses them)

_STRICT_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)
_LOOSE_VERSION = re.compile(
    r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$"
)
_PARTIAL = re.compile(r"^v?([0-9xX*]+)(?:\.([0-9xX*]+))?(?:\.([0-9xX*]+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")
_OPERATOR = r"!=|>=|=>|<=|=<|~>|=|>|<|~|\^"
_COMPARATOR = re.compile(rf"^({_OPERATOR})?\s*(\S+)$")
_HYPHEN_RANGE = re.compile(r"(\S+)\s+-\s+(\S+)")
_WILDCARDS = ("x", "X", "*")


def is_strict_semver(text: str) -> bool:
    """SemVer 2.0.0 exactly: no leading `v`, no missing parts, no leading zeros."""
    return bool(_STRICT_SEMVER.match(text))


@dataclass(frozen=True, slots=True)
class Version:
    """A release version; `pre` is empty for a release (which sorts after its prereleases)."""

    major: int
    minor: int
    patch: int
    pre: tuple[tuple[int, Any], ...] = ()

    @property
    def is_prerelease(self) -> bool:
        return bool(self.pre)

    def key(self) -> tuple[int, int, int, int, tuple[tuple[int, Any], ...]]:
        return (self.major, self.minor, self.patch, 0 if self.pre else 1, self.pre)


def _prerelease_key(text: str | None) -> tuple[tuple[int, Any], ...]:
    if not text:
        return ()
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in text.split("."))


def parse_version(text: str) -> Version | None:
    """A version as Helm coerces it (`v1.2` is 1.2.0); None when it is not a version."""
    match = _LOOSE_VERSION.match(text.strip())
    if match is None:
        return None
    major, minor, patch, pre = match.groups()
    return Version(int(major), int(minor or 0), int(patch or 0), _prerelease_key(pre))


@dataclass(frozen=True, slots=True)
class _Bound:
    version: Version
    inclusive: bool


@dataclass(frozen=True, slots=True)
class _Interval:
    """One AND-group of comparators as an interval, plus excluded versions (`!=`)."""

    lower: _Bound | None
    upper: _Bound | None
    excluded: tuple[tuple[Version, int], ...] = ()  # (version, number of given parts)
    allows_prerelease: bool = False

    def contains(self, version: Version) -> bool:
        if version.is_prerelease and not self.allows_prerelease:
            return False
        key = version.key()
        if self.lower is not None:
            low = self.lower.version.key()
            if key < low or (key == low and not self.lower.inclusive):
                return False
        if self.upper is not None:
            high = self.upper.version.key()
            if key > high or (key == high and not self.upper.inclusive):
                return False
        return not any(_same_prefix(version, excluded, parts) for excluded, parts in self.excluded)


def _same_prefix(version: Version, other: Version, parts: int) -> bool:
    return (version.major, version.minor, version.patch)[:parts] == (other.major, other.minor, other.patch)[:parts]


class ConstraintError(ValueError):
    """A version constraint Helm would refuse."""


def _partial(text: str) -> tuple[list[int | None], str | None]:
    """`1.2.x` -> ([1, 2, None], None); missing or wildcard parts are None."""
    match = _PARTIAL.match(text)
    if match is None:
        raise ConstraintError(f"'{text}' is not a version")
    parts: list[int | None] = []
    for group in match.groups()[:3]:
        parts.append(None if group is None or group in _WILDCARDS else int(group))
    for index, part in enumerate(parts):  # after a wildcard every part is a wildcard
        if part is None:
            parts[index:] = [None] * (3 - index)
            break
    return parts, match.group(4)


def _floor(parts: list[int | None], pre: str | None) -> Version:
    return Version(parts[0] or 0, parts[1] or 0, parts[2] or 0, _prerelease_key(pre))


def _bump(parts: list[int | None], position: int) -> Version:
    """The first version past the given prefix: bump the part at `position`, zero the rest."""
    numbers = [part or 0 for part in parts]
    numbers[position] += 1
    numbers[position + 1:] = [0] * (2 - position)
    return Version(numbers[0], numbers[1], numbers[2], ((0, 0),))  # `-0`: below every real release


def _given(parts: list[int | None]) -> int:
    return sum(1 for part in parts if part is not None)


def _comparator(operator: str, text: str) -> _Interval:
    parts, pre = _partial(text)
    given = _given(parts)
    low = _floor(parts, pre)
    allows_pre = bool(pre)
    if given == 0:  # `*`, `x`: any release
        return _Interval(None, None, allows_prerelease=allows_pre) if operator not in ("<", "!=") else _Interval(
            None, _Bound(Version(0, 0, 0, ((0, 0),)), False)
        )
    past_prefix = _bump(parts, given - 1)
    if operator in ("", "="):
        if given == 3:
            return _Interval(_Bound(low, True), _Bound(low, True), allows_prerelease=allows_pre)
        return _Interval(_Bound(low, True), _Bound(past_prefix, False), allows_prerelease=allows_pre)
    if operator == "!=":
        return _Interval(None, None, ((low, given),), allows_prerelease=allows_pre)
    if operator == ">":
        return _Interval(_Bound(low, False) if given == 3 else _Bound(past_prefix, True), None, allows_prerelease=allows_pre)
    if operator in (">=", "=>"):
        return _Interval(_Bound(low, True), None, allows_prerelease=allows_pre)
    if operator == "<":
        return _Interval(None, _Bound(low, False), allows_prerelease=allows_pre)
    if operator in ("<=", "=<"):
        return _Interval(None, _Bound(low, True) if given == 3 else _Bound(past_prefix, False), allows_prerelease=allows_pre)
    if operator in ("~", "~>"):
        position = 0 if given == 1 else 1
        return _Interval(_Bound(low, True), _Bound(_bump(parts, position), False), allows_prerelease=allows_pre)
    # caret: the left-most non-zero part may not change
    numbers = [part or 0 for part in parts]
    if numbers[0] > 0 or given == 1:
        position = 0
    elif numbers[1] > 0 or given == 2:
        position = 1
    else:
        position = 2
    return _Interval(_Bound(low, True), _Bound(_bump(parts, position), False), allows_prerelease=allows_pre)


def _intersect(intervals: list[_Interval]) -> _Interval:
    lower: _Bound | None = None
    upper: _Bound | None = None
    for item in intervals:
        if item.lower is not None and (
            lower is None or (item.lower.version.key(), not item.lower.inclusive) > (lower.version.key(), not lower.inclusive)
        ):
            lower = item.lower
        if item.upper is not None and (
            upper is None or (item.upper.version.key(), item.upper.inclusive) < (upper.version.key(), upper.inclusive)
        ):
            upper = item.upper
    excluded = tuple(pair for item in intervals for pair in item.excluded)
    return _Interval(lower, upper, excluded, any(item.allows_prerelease for item in intervals))


@dataclass(frozen=True, slots=True)
class VersionConstraint:
    """A parsed Helm version constraint: OR-groups of AND-ed comparators."""

    text: str
    groups: tuple[_Interval, ...]

    def allows(self, version: Version) -> bool:
        return any(group.contains(version) for group in self.groups)

    def highest_minor(self) -> tuple[int, int] | None:
        """The newest (major, minor) the constraint admits; None when it is open-ended upwards."""
        best: tuple[int, int] | None = None
        for group in self.groups:
            if group.upper is None:
                return None
            candidate = _minor_below(group.upper)
            if candidate is None:
                return None
            best = candidate if best is None else max(best, candidate)
        return best


def _minor_below(bound: _Bound) -> tuple[int, int] | None:
    version = bound.version
    if bound.inclusive or version.patch > 0 or (version.pre and version.pre != ((0, 0),)):
        return (version.major, version.minor)
    if version.minor > 0:
        return (version.major, version.minor - 1)
    return None  # `< 2.0.0`: every 1.x, so no usable upper end


def parse_constraint(text: str) -> VersionConstraint:
    """Read a constraint such as `~1.2.3`, `>=1.19.0-0 <1.30.0`, `1.x || 2.1.x`; raise ConstraintError."""
    groups: list[_Interval] = []
    for alternative in str(text).split("||"):
        alternative = _HYPHEN_RANGE.sub(lambda m: f">={m.group(1)} <={m.group(2)}", alternative.strip())
        words = [word for word in re.split(r"[\s,]+", alternative) if word]
        merged: list[str] = []
        for word in words:  # `>= 1.2` written with a space: join the operator to its version
            if merged and re.fullmatch(_OPERATOR, merged[-1]):
                merged[-1] += word
            else:
                merged.append(word)
        if not merged:
            raise ConstraintError(f"empty constraint in '{text}'")
        comparators = []
        for word in merged:
            match = _COMPARATOR.match(word)
            if match is None:
                raise ConstraintError(f"'{word}' is not a version comparator")
            comparators.append(_comparator(match.group(1) or "", match.group(2)))
        groups.append(_intersect(comparators))
    return VersionConstraint(str(text), tuple(groups))


# --------------------------------------------------------------------------------------------------
# MD106 chart-lock-present


def _chart_name(chart: Chart) -> str:
    return chart.name.value if chart.name else (chart.directory or ".")


def _chart_subject(chart: Chart) -> str:
    return f"chart:{chart.directory or '.'}"


def _same_repository(declared: str | None, locked: str | None) -> bool:
    def normal(url: str | None) -> str:
        return (url or "").strip().rstrip("/")

    return normal(declared) == normal(locked)


def _pair_by_name(
    declared: tuple[ChartDependency, ...], locked: tuple[LockedDependency, ...]
) -> tuple[list[tuple[ChartDependency, LockedDependency]], list[ChartDependency], list[LockedDependency]]:
    """Match Chart.yaml and Chart.lock entries by name, in order (aliased copies of one chart repeat a name)."""
    locked_by_name: dict[str, list[LockedDependency]] = defaultdict(list)
    for entry in locked:
        locked_by_name[entry.name].append(entry)
    pairs: list[tuple[ChartDependency, LockedDependency]] = []
    only_declared: list[ChartDependency] = []
    for dependency in declared:
        candidates = locked_by_name.get(dependency.name)
        if candidates:
            pairs.append((dependency, candidates.pop(0)))
        else:
            only_declared.append(dependency)
    only_locked = [entry for entries in locked_by_name.values() for entry in entries]
    only_locked.sort(key=lambda entry: (entry.location.line, entry.location.column))
    return pairs, only_declared, only_locked


def _version_outside(dependency: ChartDependency, entry: LockedDependency) -> str | None:
    """Why the locked version does not satisfy the declared constraint, or None when it does."""
    if dependency.version is None:
        return None  # no constraint: any version satisfies it (MD105 reports the missing pin)
    try:
        constraint = parse_constraint(dependency.version.value)
    except ConstraintError:
        return None  # Helm itself refuses the constraint; MD105 reports the declaration
    version = parse_version(entry.version)
    if version is None:
        return f"Chart.lock records '{entry.version}', which is not a version"
    if constraint.allows(version):
        return None
    return f"Chart.lock records {entry.version}, outside the declared constraint '{dependency.version.value}'"


def _out_of_sync(chart: Chart, lock: tuple[LockedDependency, ...]) -> Iterator[Violation]:
    name, subject = _chart_name(chart), _chart_subject(chart)
    pairs, only_declared, only_locked = _pair_by_name(chart.dependencies, lock)
    for dependency in only_declared:
        yield Violation(dependency.location,
                        f'chart "{name}" declares dependency "{dependency.name}", but Chart.lock has no entry for it; run helm dependency update',
                        f"{subject}/dependency:{dependency.name}", ArtifactKind.HELM)
    for entry in only_locked:
        yield Violation(entry.location,
                        f'Chart.lock of chart "{name}" records "{entry.name}" {entry.version}, which Chart.yaml does not declare',
                        f"{subject}/lock:{entry.name}", ArtifactKind.HELM)
    for dependency, entry in pairs:
        dep_subject = f"{subject}/dependency:{dependency.name}"
        if not _same_repository(dependency.repository.value if dependency.repository else None, entry.repository):
            declared = dependency.repository.value if dependency.repository else "no repository"
            where = dependency.repository.location if dependency.repository else dependency.location
            yield Violation(where,
                            f'dependency "{dependency.name}" of chart "{name}" comes from {declared} in Chart.yaml but from {entry.repository or "no repository"} in Chart.lock',
                            dep_subject, ArtifactKind.HELM)
        reason = _version_outside(dependency, entry)
        if reason is not None:
            where = dependency.version.location if dependency.version else dependency.location
            yield Violation(where, f'dependency "{dependency.name}" of chart "{name}": {reason}', dep_subject, ArtifactKind.HELM)


def _is_fetched(dependency: ChartDependency) -> bool:
    """Whether `helm dependency update` resolves the dependency (a repository or file:// path)."""
    return dependency.repository is not None and bool(dependency.repository.value.strip())


def chart_lock_present(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD106: a chart with dependencies commits a Chart.lock that matches its Chart.yaml."""
    for chart in project.charts:
        if not chart.dependencies:
            continue
        if chart.lock is None:
            if chart.lock_path is not None:
                continue  # Chart.lock exists but cannot be parsed: MD001 reports it
            fetched = [dependency for dependency in chart.dependencies if _is_fetched(dependency)]
            if not fetched:
                continue  # every sub-chart is vendored in charts/: the repository itself records it
            noun = "dependency" if len(fetched) == 1 else "dependencies"
            yield Violation(chart.dependencies_anchor or chart.location,
                            f'chart "{_chart_name(chart)}" declares {len(fetched)} {noun} fetched from a repository but has no Chart.lock, so the resolved versions are not recorded',
                            _chart_subject(chart), ArtifactKind.HELM)
            continue
        yield from _out_of_sync(chart, chart.lock)


# --------------------------------------------------------------------------------------------------
# MD113 chart-metadata


def _value_or_anchor(chart: Chart, key: str) -> Location:
    raw = chart.raw
    if isinstance(raw, YamlMap) and key in raw:
        return value_location(chart.path, raw, key)
    return chart.location


def _identity_problems(chart: Chart, dependency_names: frozenset[str]) -> Iterator[tuple[Location, str]]:
    name = _chart_name(chart)
    if chart.api_version is None:
        yield chart.location, f'Chart.yaml of chart "{name}" has no apiVersion; Helm 3 charts declare apiVersion: v2'
    elif chart.api_version.value != "v2":
        yield chart.api_version.location, f'chart "{name}" declares apiVersion: {chart.api_version.value}; use v2 (Helm 3)'
    if chart.name is None or not chart.name.value.strip():
        yield _value_or_anchor(chart, "name"), f'Chart.yaml in {chart.directory or "."} has no name'
    if chart.version is None or not chart.version.value.strip():
        yield _value_or_anchor(chart, "version"), f'chart "{name}" has no version'
    elif not is_strict_semver(chart.version.value):
        yield chart.version.location, f'chart "{name}" has version \'{chart.version.value}\', which is not strict SemVer 2 (MAJOR.MINOR.PATCH, no leading v)'
    library_subchart = chart.chart_type is not None and chart.chart_type.value == "library" and name in dependency_names
    if chart.chart_type is not None and chart.chart_type.value != "application" and not library_subchart:
        what = "a library chart cannot be installed as the device chart" if chart.chart_type.value == "library" else "Helm knows only application and library"
        yield chart.chart_type.location, f'chart "{name}" has type: {chart.chart_type.value}; {what}'


def _is_plain_scalar(raw: YamlMap, key: str) -> bool:
    """Whether a string value was written without quotes: a plain scalar spans exactly its text on one line."""
    value = raw[key]
    if not isinstance(value, str):
        return True  # a number, boolean or date: YAML read the unquoted token as another type
    span = raw.value_positions.get(key)
    if span is None:
        return False
    start_line, start_column, end_line, end_column = span
    return start_line == end_line and end_column - start_column == len(value)


def _app_version_problem(chart: Chart) -> tuple[Location, str] | None:
    name = _chart_name(chart)
    raw = chart.raw
    if chart.app_version is None or not chart.app_version.value.strip() or not isinstance(raw, YamlMap):
        return chart.location, f'chart "{name}" has no appVersion, so the release it deploys is not identified'
    if not _is_plain_scalar(raw, "appVersion"):
        return None
    value = raw["appVersion"]
    if isinstance(value, str):
        message = f'chart "{name}" writes appVersion {value} unquoted; quote it, since YAML reads unquoted values such as 1.10 as numbers'
    else:
        kind = "boolean" if isinstance(value, bool) else "number"
        message = f'chart "{name}" writes appVersion unquoted, so YAML read it as the {kind} {value!r}, which may not be the version written; quote it'
    return chart.app_version.location, message



def _has_schema(project: Project, chart: Chart) -> bool:
    prefix = "" if chart.directory in ("", ".") else chart.directory + "/"
    return any(item.path == prefix + "values.schema.json" for item in project.files)


def chart_metadata(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD113: the chart identifies itself (SemVer 2, v2, application), its app version, platform range and schema."""
    dependency_names = frozenset(dependency.name for chart in project.charts for dependency in chart.dependencies)
    for chart in project.charts:
        subject = _chart_subject(chart)
        name = _chart_name(chart)
        for location, message in _identity_problems(chart, dependency_names):
            yield Violation(location, message, subject, ArtifactKind.HELM)
        raw = chart.raw if isinstance(chart.raw, YamlMap) else YamlMap()
        kube_version = raw.get("kubeVersion")
        if kube_version is None or not str(kube_version).strip():
            yield Violation(chart.location, f'chart "{name}" declares no kubeVersion range, so the supported Kubernetes versions are not stated',
                            subject, ArtifactKind.HELM, variant="platform-range")
        app_version = _app_version_problem(chart)
        if app_version is not None:
            yield Violation(app_version[0], app_version[1], subject, ArtifactKind.HELM, variant="app-version")
        if not _has_schema(project, chart):
            yield Violation(chart.location, f'chart "{name}" ships no values.schema.json, so unsafe site values are not rejected at install time',
                            subject, ArtifactKind.HELM, variant="schema")
