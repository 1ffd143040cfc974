"""Helm chart files as configuration items: MD106 (Chart.lock) and MD113 (chart metadata).

A chart is released as a configuration item (IEC 62304 8.1.3): Chart.yaml says what it is, Chart.lock records
which sub-charts were resolved (with the digest Helm computes over both files, reproduced here exactly, and the
vendored copies in charts/ it must agree with), and values.schema.json keeps site configuration inside safe
bounds (a heuristic over configurable values paths). These checks read chart files only; rendered objects are
checked by the Kubernetes rules.

The module also holds a small reader of Helm's version constraints (Masterminds/semver v3 syntax), used
here for "a locked version outside the Chart.yaml constraint" and by MD115 for a chart's `kubeVersion`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from medlint.findings import RelatedLocation, Violation
from medlint.model import ArtifactKind, Chart, ChartDependency, LockedDependency, Project
from medlint.source import Location, YamlMap, key_location, value_location

# --------------------------------------------------------------------------------------------------
# Versions and constraints (Masterminds/semver v3, as Helm uses them)

_STRICT_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)
_LOOSE_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")
_PARTIAL = re.compile(
    r"^v?([0-9xX*]+)(?:\.([0-9xX*]+))?(?:\.([0-9xX*]+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$"
)
_OPERATOR = r"!=|>=|=>|<=|=<|~>|=|>|<|~|\^"
_COMPARATOR = re.compile(rf"^({_OPERATOR})?\s*(\S+)$")
# Starts only at the start of a word: a long word without " - " is scanned once, not once per character.
_HYPHEN_RANGE = re.compile(r"(?<!\S)(\S+)\s+-\s+(\S+)")
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
    return (version.major, version.minor, version.patch)[:parts] == (other.major, other.minor, other.patch)[
        :parts
    ]


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
    numbers[position + 1 :] = [0] * (2 - position)
    return Version(numbers[0], numbers[1], numbers[2], ((0, 0),))  # `-0`: below every real release


def _given(parts: list[int | None]) -> int:
    return sum(1 for part in parts if part is not None)


def _comparator(operator: str, text: str) -> _Interval:
    parts, pre = _partial(text)
    given = _given(parts)
    low = _floor(parts, pre)
    allows_pre = bool(pre)
    if given == 0:  # `*`, `x`: any release
        return (
            _Interval(None, None, allows_prerelease=allows_pre)
            if operator not in ("<", "!=")
            else _Interval(None, _Bound(Version(0, 0, 0, ((0, 0),)), False))
        )
    past_prefix = _bump(parts, given - 1)
    if operator in ("", "="):
        if given == 3:
            return _Interval(_Bound(low, True), _Bound(low, True), allows_prerelease=allows_pre)
        return _Interval(_Bound(low, True), _Bound(past_prefix, False), allows_prerelease=allows_pre)
    if operator == "!=":
        return _Interval(None, None, ((low, given),), allows_prerelease=allows_pre)
    if operator == ">":
        return _Interval(
            _Bound(low, False) if given == 3 else _Bound(past_prefix, True),
            None,
            allows_prerelease=allows_pre,
        )
    if operator in (">=", "=>"):
        return _Interval(_Bound(low, True), None, allows_prerelease=allows_pre)
    if operator == "<":
        return _Interval(None, _Bound(low, False), allows_prerelease=allows_pre)
    if operator in ("<=", "=<"):
        return _Interval(
            None,
            _Bound(low, True) if given == 3 else _Bound(past_prefix, False),
            allows_prerelease=allows_pre,
        )
    if operator in ("~", "~>"):
        position = 0 if given == 1 else 1
        return _Interval(
            _Bound(low, True), _Bound(_bump(parts, position), False), allows_prerelease=allows_pre
        )
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
            lower is None
            or (item.lower.version.key(), not item.lower.inclusive)
            > (lower.version.key(), not lower.inclusive)
        ):
            lower = item.lower
        if item.upper is not None and (
            upper is None
            or (item.upper.version.key(), item.upper.inclusive) < (upper.version.key(), upper.inclusive)
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
    if not (entry.repository or "").strip() and entry.version.strip() == dependency.version.value.strip():
        return None  # a sub-chart vendored in charts/: Helm locks its declared constraint as written
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
        yield Violation(
            dependency.location,
            f'chart "{name}" declares dependency "{dependency.name}", but Chart.lock has no entry for it; run helm dependency update',
            f"{subject}/dependency:{dependency.name}",
            ArtifactKind.HELM,
        )
    for entry in only_locked:
        yield Violation(
            entry.location,
            f'Chart.lock of chart "{name}" records "{entry.name}" {entry.version}, which Chart.yaml does not declare',
            f"{subject}/lock:{entry.name}",
            ArtifactKind.HELM,
        )
    for dependency, entry in pairs:
        dep_subject = f"{subject}/dependency:{dependency.name}"
        if not _same_repository(
            dependency.repository.value if dependency.repository else None, entry.repository
        ):
            declared = dependency.repository.value if dependency.repository else "no repository"
            where = dependency.repository.location if dependency.repository else dependency.location
            yield Violation(
                where,
                f'dependency "{dependency.name}" of chart "{name}" comes from {declared} in Chart.yaml but from {entry.repository or "no repository"} in Chart.lock',
                dep_subject,
                ArtifactKind.HELM,
            )
        reason = _version_outside(dependency, entry)
        if reason is not None:
            where = dependency.version.location if dependency.version else dependency.location
            yield Violation(
                where,
                f'dependency "{dependency.name}" of chart "{name}": {reason}',
                dep_subject,
                ArtifactKind.HELM,
            )


# Helm's Chart.lock digest (internal/resolver HashReq): sha256 of Go's encoding/json of
# [Chart.yaml dependencies, Chart.lock dependencies], each a chart.Dependency struct. Field order, JSON names
# and omitempty as in pkg/chart/dependency.go; `helm dependency build` refuses a lock whose digest differs.
_HELM_DEPENDENCY_FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("name", "string", False),
    ("version", "string", True),
    ("repository", "string", False),
    ("condition", "string", True),
    ("tags", "strings", True),
    ("enabled", "bool", True),
    ("import-values", "values", True),
    ("alias", "string", True),
)
#: Keys Go would decode into a field this reproduction does not model: the digest is then not checked.
_UNMODELLED_DEPENDENCY_FIELDS = frozenset({"export-values"})


class _Unverifiable(Exception):
    """A value whose Go encoding medlint does not reproduce exactly: the digest is not compared."""


def _go_sanitize(text: str) -> str:
    """Helm's sanitizeString (Dependency.Validate): whitespace becomes a space, unprintable runes go."""
    return "".join(" " if char.isspace() else char for char in text if char.isspace() or char.isprintable())


def _go_field(entry: Mapping[Any, Any], name: str) -> tuple[bool, Any]:
    """Go's encoding/json matches keys case-insensitively; of several matches the last (in sorted key order,
    as sigs.k8s.io/yaml hands them over) wins."""
    keys = sorted(key for key in entry if isinstance(key, str) and key.lower() == name)
    return (True, entry[keys[-1]]) if keys else (False, None)


def _go_dependency(entry: Any, sanitize: bool) -> dict[str, Any]:
    if not isinstance(entry, Mapping):
        raise _Unverifiable("a dependency that is not a mapping")
    if any(isinstance(key, str) and key.lower() in _UNMODELLED_DEPENDENCY_FIELDS for key in entry):
        raise _Unverifiable("a dependency field this reproduction does not model")
    encoded: dict[str, Any] = {}
    for name, kind, omit_empty in _HELM_DEPENDENCY_FIELDS:
        present, value = _go_field(entry, name)
        value = None if not present else value
        if kind == "string":
            if value is None:
                value = ""
            elif not isinstance(value, str):
                raise _Unverifiable(f"{name} is not a string")
            value = _go_sanitize(value) if sanitize else value
        elif kind == "strings":
            value = [] if value is None else value
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise _Unverifiable(f"{name} is not a list of strings")
            value = [_go_sanitize(item) for item in value] if sanitize else list(value)
        elif kind == "bool":
            value = False if value is None else value
            if not isinstance(value, bool):
                raise _Unverifiable(f"{name} is not a boolean")
        else:  # import-values: strings, or {child, parent} mappings of strings (Go sorts map keys)
            value = [] if value is None else value
            if not isinstance(value, list):
                raise _Unverifiable(f"{name} is not a list")
            items: list[Any] = []
            for item in value:
                if isinstance(item, str):
                    items.append(item)
                elif isinstance(item, Mapping) and all(
                    isinstance(k, str) and isinstance(v, str) for k, v in item.items()
                ):
                    items.append({key: item[key] for key in sorted(item)})
                else:
                    raise _Unverifiable(f"{name} holds a value other than strings")
            value = items
        if omit_empty and value in ("", [], False):
            continue
        encoded[name] = value
    return encoded


def _go_json(value: Any) -> bytes:
    """Go's json.Marshal: compact, UTF-8, and `<`, `>`, `&`, U+2028, U+2029 escaped (HTML-safe by default)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return text.encode("utf-8")


def helm_lock_digests(declared: Any, locked: Any, api_version: str | None = None) -> tuple[str, ...] | None:
    """The Chart.lock digests Helm accepts for these dependency lists (raw mappings as written in Chart.yaml
    and Chart.lock): `HashReq(req, lock)`, and for apiVersion v1 charts also Helm 2's `HashV2Req(req)`.
    None when a value is one whose Go encoding medlint does not reproduce exactly."""
    try:
        request = [_go_dependency(entry, sanitize=True) for entry in declared or []]
        lock = [_go_dependency(entry, sanitize=False) for entry in locked or []]
    except _Unverifiable:
        return None
    digests = ["sha256:" + hashlib.sha256(_go_json([request, lock])).hexdigest()]
    if api_version == "v1":
        digests.append("sha256:" + hashlib.sha256(_go_json({"dependencies": request})).hexdigest())
    return tuple(digests)


def _digest_mismatch(chart: Chart, lock: tuple[LockedDependency, ...]) -> Iterator[Violation]:
    recorded = chart.lock_digest
    raw = chart.raw if isinstance(chart.raw, YamlMap) else None
    if recorded is None or raw is None or not isinstance(raw.get("dependencies"), list):
        return  # no digest recorded, or dependencies written in a form Helm would refuse: nothing to compare
    if any(entry.raw is None for entry in lock):
        return
    digests = helm_lock_digests(
        raw["dependencies"],
        [entry.raw for entry in lock],
        chart.api_version.value if chart.api_version else None,
    )
    if digests is None or recorded.value.strip() in digests:
        return
    yield Violation(
        recorded.location,
        f'the digest in Chart.lock of chart "{_chart_name(chart)}" does not match its dependencies '
        f"(Helm computes {digests[0]} from Chart.yaml and Chart.lock), so helm dependency build refuses "
        "the lock as out of sync; run helm dependency update",
        f"{_chart_subject(chart)}/lock-digest",
        ArtifactKind.HELM,
    )


def _vendored_version_matches(version: str, locked_version: str) -> bool:
    """Whether a vendored copy's version is the one Chart.lock records (or, for a sub-chart Helm locks by its
    declared constraint, one the constraint allows)."""
    if version.strip() == locked_version.strip() or not locked_version.strip():
        return True
    parsed = parse_version(version)
    if parsed is None:
        return False
    try:
        return parse_constraint(locked_version).allows(parsed)
    except ConstraintError:
        return False


def _in_chart(chart: Chart, path: str) -> str:
    """A path inside the chart, relative to the chart directory (`charts/redis-17.3.4.tgz`)."""
    prefix = "" if chart.directory in ("", ".") else chart.directory + "/"
    return path[len(prefix) :] if prefix and path.startswith(prefix) else path


def _vendored_findings(chart: Chart) -> Iterator[Violation]:
    """Vendored sub-charts against Chart.lock: unreadable copies, versions that differ, archives not locked.
    A lock entry without a vendored copy is no finding here (MD003 reports a missing sub-chart)."""
    name, subject = _chart_name(chart), _chart_subject(chart)
    locked_by_name: dict[str, list[LockedDependency]] = defaultdict(list)
    for entry in chart.lock or ():
        locked_by_name[entry.name].append(entry)
    for vendored in chart.vendored_charts:
        shown = _in_chart(chart, vendored.path)
        vendored_subject = f"{subject}/vendored:{shown}"
        is_archive = vendored.path.endswith(".tgz")
        kind = "archive" if is_archive else "sub-chart"
        if vendored.problem is not None or vendored.version is None:
            yield Violation(
                vendored.location,
                f'vendored {kind} {shown} of chart "{name}" cannot be read ({vendored.problem or "no version"}), so its version cannot be compared with Chart.lock',
                vendored_subject,
                ArtifactKind.HELM,
            )
            continue
        if chart.lock is None:
            continue  # nothing to compare with; a missing lock is reported when a dependency is fetched
        entries = locked_by_name.get(vendored.name, [])
        related = (
            RelatedLocation(vendored.location, f"the vendored {kind} ({vendored.name} {vendored.version})"),
        )
        if not entries:
            if is_archive:  # unpacked sub-charts may be undeclared (Helm loads every chart in charts/)
                yield Violation(
                    chart.lock_anchor or vendored.location,
                    f'vendored archive {shown} ({vendored.name} {vendored.version}) of chart "{name}" has no entry in Chart.lock; run helm dependency update, or remove the archive',
                    vendored_subject,
                    ArtifactKind.HELM,
                    related=related,
                )
            continue
        if any(_vendored_version_matches(vendored.version, entry.version) for entry in entries):
            continue
        recorded = " or ".join(sorted({entry.version or "no version" for entry in entries}))
        remedy = (
            "run helm dependency update and commit the archives it writes"
            if is_archive
            else "align the sub-chart, Chart.yaml and Chart.lock (helm dependency update)"
        )
        yield Violation(
            entries[0].location,
            f'Chart.lock of chart "{name}" records {vendored.name} {recorded}, but the vendored {kind} {shown} holds version {vendored.version}; {remedy}',
            vendored_subject,
            ArtifactKind.HELM,
            related=related,
        )


def _is_fetched(dependency: ChartDependency) -> bool:
    """Whether `helm dependency update` resolves the dependency (a repository or file:// path)."""
    return dependency.repository is not None and bool(dependency.repository.value.strip())


def chart_lock_present(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD106: a chart with dependencies commits a Chart.lock that matches its Chart.yaml."""
    for chart in project.charts:
        if not chart.dependencies and not chart.vendored_charts:
            continue
        if chart.lock is None and chart.lock_path is not None:
            continue  # Chart.lock exists but cannot be parsed: MD001 reports it
        if chart.lock is None and chart.dependencies:
            fetched = [dependency for dependency in chart.dependencies if _is_fetched(dependency)]
            if fetched:  # when every sub-chart is vendored in charts/, the repository itself records it
                noun = "dependency" if len(fetched) == 1 else "dependencies"
                yield Violation(
                    chart.dependencies_anchor or chart.location,
                    f'chart "{_chart_name(chart)}" declares {len(fetched)} {noun} fetched from a repository but has no Chart.lock, so the resolved versions are not recorded',
                    _chart_subject(chart),
                    ArtifactKind.HELM,
                )
        if chart.lock is not None and chart.dependencies:
            yield from _out_of_sync(chart, chart.lock)
            yield from _digest_mismatch(chart, chart.lock)
        yield from _vendored_findings(chart)


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
        yield (
            chart.location,
            f'Chart.yaml of chart "{name}" has no apiVersion; Helm 3 charts declare apiVersion: v2',
        )
    elif chart.api_version.value != "v2":
        yield (
            chart.api_version.location,
            f'chart "{name}" declares apiVersion: {chart.api_version.value}; use v2 (Helm 3)',
        )
    if chart.name is None or not chart.name.value.strip():
        yield _value_or_anchor(chart, "name"), f"Chart.yaml in {chart.directory or '.'} has no name"
    if chart.version is None or not chart.version.value.strip():
        yield _value_or_anchor(chart, "version"), f'chart "{name}" has no version'
    elif not is_strict_semver(chart.version.value):
        yield (
            chart.version.location,
            f"chart \"{name}\" has version '{chart.version.value}', which is not strict SemVer 2 (MAJOR.MINOR.PATCH, no leading v)",
        )
    library_subchart = (
        chart.chart_type is not None and chart.chart_type.value == "library" and name in dependency_names
    )
    if chart.chart_type is not None and chart.chart_type.value != "application" and not library_subchart:
        what = (
            "a library chart cannot be installed as the device chart"
            if chart.chart_type.value == "library"
            else "Helm knows only application and library"
        )
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
        return (
            chart.location,
            f'chart "{name}" has no appVersion, so the release it deploys is not identified',
        )
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


# --------------------------------------------------------------------------------------------------
# MD113 schema content: does values.schema.json constrain the safety-relevant values?

#: The default of the rule's `schema_content` parameter (the rule file repeats it): a values path (dotted, or
#: a JSON pointer) -> what its schema must say: `minimum N`, `required KEY[,KEY...]` (the path's own schema
#: requires one of the keys), `enabled` (only an "on" value: `const: true`, `minItems: 1`, `minLength: 1`...),
#: `digest-pattern` (`<path>.digest` or `<path>.tag` has a `pattern` containing sha256).
DEFAULT_SCHEMA_CONTENT: Mapping[str, str] = {
    "replicaCount": "minimum 1",
    "resources": "required limits",
    "ingress.tls": "enabled",
    "tls.enabled": "enabled",
    "image": "digest-pattern",
}
_COMBINATORS = ("allOf", "anyOf", "oneOf")
_MAX_BRANCHES = 64
_MAX_REF_HOPS = 32


def _path_segments(path: str) -> list[str]:
    """`ingress.tls` or the JSON pointer `/ingress/tls` (with ~1 and ~0) as its keys."""
    if path.startswith("/"):
        return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]
    return [part for part in path.split(".") if part]


def _json_pointer(root: Any, reference: str) -> Any:
    """A local `$ref` (`#/definitions/x`, `#/$defs/x`) inside the schema; None for anything else."""
    if not reference.startswith("#"):
        return None
    node = root
    for part in _path_segments(reference[1:]) if reference[1:] else []:
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _resolve(schema: Any, root: Any) -> Any:
    for _ in range(_MAX_REF_HOPS):
        reference = schema.get("$ref") if isinstance(schema, Mapping) else None
        if not isinstance(reference, str):
            break
        target = _json_pointer(root, reference)
        if target is None:
            break
        schema = target
    return schema


def _branches(schema: Any, root: Any) -> list[Mapping[str, Any]]:
    """The schema and every sub-schema it is combined with (allOf/anyOf/oneOf, if-then-else), refs followed."""
    found: list[Mapping[str, Any]] = []
    pending = [schema]
    while pending and len(found) < _MAX_BRANCHES:
        current = _resolve(pending.pop(0), root)
        if not isinstance(current, Mapping) or any(current is seen for seen in found):
            continue
        found.append(current)
        for keyword in _COMBINATORS:
            if isinstance(current.get(keyword), list):
                pending.extend(current[keyword])
        pending.extend(
            current[keyword] for keyword in ("then", "else") if isinstance(current.get(keyword), Mapping)
        )
    return found


@dataclass(frozen=True, slots=True)
class _SchemaHit:
    """A property schema found along a values path, and the `properties` mapping that names it."""

    schema: Any
    properties: Mapping[str, Any]
    key: str


def _walk_schema(root: Any, segments: list[str]) -> tuple[list[_SchemaHit], _SchemaHit | None]:
    """The schemas of the property at `segments` (every branch that declares it), and the deepest declared
    ancestor (for the location when the property itself is missing)."""
    current: list[Any] = [root]
    deepest: _SchemaHit | None = None
    hits: list[_SchemaHit] = []
    for segment in segments:
        hits = []
        for schema in current:
            for branch in _branches(schema, root):
                properties = branch.get("properties")
                if isinstance(properties, Mapping) and segment in properties:
                    hits.append(_SchemaHit(properties[segment], properties, segment))
        if not hits:
            return [], deepest
        deepest = hits[0]
        current = [hit.schema for hit in hits]
    return hits, deepest


def _values_at(values_files: Any, segments: list[str]) -> tuple[bool, Any]:
    """Whether the chart's values (values.yaml first) set the key, and the value there."""
    ordered = sorted(
        values_files,
        key=lambda item: (item.path.rsplit("/", 1)[-1] not in ("values.yaml", "values.yml"), item.path),
    )
    for values_file in ordered:
        node: Any = values_file.values
        for segment in segments:
            if not isinstance(node, Mapping) or segment not in node:
                break
            node = node[segment]
        else:
            return True, node
    return False, None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(value: Any) -> float | None:
    return float(value) if _is_number(value) else None


def _has_minimum(branch: Mapping[str, Any], bound: float) -> bool:
    """Whether the schema admits no value below `bound` (`minimum`, draft-04 or later `exclusiveMinimum`,
    or an `enum`/`const` of numbers at or above it); integers make `> N - 1` as good as `>= N`."""
    minimum, exclusive = _number(branch.get("minimum")), branch.get("exclusiveMinimum")
    slack = 1 if branch.get("type") == "integer" else 0
    if minimum is not None and (minimum >= bound or (exclusive is True and minimum >= bound - slack)):
        return True
    exclusive_bound = _number(exclusive)
    if exclusive_bound is not None and exclusive_bound >= bound - slack:
        return True
    for keyword in ("enum", "const"):
        choices = (
            branch.get(keyword) if keyword == "enum" else [branch.get(keyword)] if keyword in branch else None
        )
        if (
            isinstance(choices, list)
            and choices
            and all(_is_number(item) and item >= bound for item in choices)
        ):
            return True
    return False


def _has_required_keys(branch: Mapping[str, Any], keys: list[str]) -> bool:
    required = branch.get("required")
    return isinstance(required, list) and any(key in required for key in keys)


def _forces_on(branch: Mapping[str, Any], value: Any) -> bool:
    """Whether the schema only admits an "on" value of the kind the values file uses."""
    if isinstance(value, list):
        return _is_number(branch.get("minItems")) and branch["minItems"] >= 1
    if isinstance(value, Mapping):
        required = branch.get("required")
        return (isinstance(required, list) and bool(required)) or (
            _is_number(branch.get("minProperties")) and branch["minProperties"] >= 1
        )
    if isinstance(value, str):
        if _is_number(branch.get("minLength")) and branch["minLength"] >= 1:
            return True
        choices = (
            branch.get("enum") if "enum" in branch else [branch.get("const")] if "const" in branch else None
        )
        return (
            isinstance(choices, list)
            and bool(choices)
            and all(isinstance(item, str) and item for item in choices)
        )
    choices = branch.get("enum") if "enum" in branch else [branch.get("const")] if "const" in branch else None
    return isinstance(choices, list) and bool(choices) and all(item is True for item in choices)


def _digest_pattern(branch: Mapping[str, Any]) -> bool:
    pattern = branch.get("pattern")
    return isinstance(pattern, str) and "sha256" in pattern.lower()


@dataclass(frozen=True, slots=True)
class _SchemaGap:
    path: str
    location: Location
    message: str


def _hit_location(schema_path: str, hit: _SchemaHit | None) -> Location:
    if hit is not None and isinstance(hit.properties, YamlMap) and hit.key in hit.properties:
        return key_location(schema_path, hit.properties, hit.key)
    return Location(schema_path, 1, 1)


def _schema_gap(chart: Chart, path: str, requirement: str) -> _SchemaGap | None:
    """The schema-content problem for one configured requirement, or None when the values file does not set
    the key, the schema constrains it, or the requirement is not one medlint knows."""
    words = requirement.split(None, 1)
    kind, argument = (words[0] if words else ""), (words[1].strip() if len(words) > 1 else "")
    segments = _path_segments(path)
    if not segments or chart.values_schema_path is None:
        return None
    present, value = _values_at(chart.values_files, segments)
    if not present:
        return None
    root, schema_path = chart.values_schema, chart.values_schema_path
    what = f'values.schema.json of chart "{_chart_name(chart)}"'
    if kind == "digest-pattern":
        if not isinstance(value, Mapping) or not ({"digest", "tag"} & set(value)):
            return None
        found: list[_SchemaHit] = []
        ancestor: _SchemaHit | None = None
        for child in ("digest", "tag"):
            child_hits, child_ancestor = _walk_schema(root, segments + [child])
            found.extend(child_hits)
            ancestor = ancestor or child_ancestor
        if any(_digest_pattern(branch) for hit in found for branch in _branches(hit.schema, root)):
            return None
        return _SchemaGap(
            path,
            _hit_location(schema_path, found[0] if found else ancestor),
            f'{what} does not require image digests for {path}: give {path}.digest (or {path}.tag) a "pattern" such as "^sha256:[a-f0-9]{{64}}$"',
        )
    hits, deepest = _walk_schema(root, segments)
    branches = [branch for hit in hits for branch in _branches(hit.schema, root)]
    location = _hit_location(schema_path, hits[0] if hits else deepest)
    if kind == "minimum":
        try:
            bound: float = float(argument) if argument else 1
        except ValueError:
            return None
        bound = int(bound) if bound.is_integer() else bound
        if any(_has_minimum(branch, bound) for branch in branches):
            return None
        lower = [branch["minimum"] for branch in branches if _is_number(branch.get("minimum"))]
        allowed = (
            f"allows {path} below {bound} (minimum {max(lower)})"
            if lower
            else f"does not bound {path} from below"
        )
        return _SchemaGap(path, location, f'{what} {allowed}: add "minimum": {bound} to its schema')
    if kind == "required":
        keys = [key for key in re.split(r"[\s,]+", argument) if key] or ["limits"]
        if any(_has_required_keys(branch, keys) for branch in branches):
            return None
        shown = ", ".join(f'"{key}"' for key in keys)
        return _SchemaGap(
            path, location, f'{what} lets {path} stay empty: add "required": [{shown}] to the {path} schema'
        )
    if kind == "enabled":
        if any(_forces_on(branch, value) for branch in branches):
            return None
        if isinstance(value, list):
            add = '"minItems": 1'
        elif isinstance(value, Mapping):
            add = '"required" or "minProperties": 1'
        elif isinstance(value, str):
            add = '"minLength": 1'
        else:
            add = '"const": true'
        return _SchemaGap(
            path,
            location,
            f"{what} does not force {path} on: add {add} to its schema (or an if/then on the setting that turns the feature on)",
        )
    return None


def _schema_content(chart: Chart, params: Mapping[str, Any]) -> Iterator[Violation]:
    if not isinstance(chart.values_schema, Mapping) or chart.values_schema_path is None:
        return
    requirements = params.get("schema_content", DEFAULT_SCHEMA_CONTENT)
    for path, requirement in requirements.items() if isinstance(requirements, Mapping) else ():
        gap = _schema_gap(chart, str(path), str(requirement or ""))
        if gap is not None:
            yield Violation(
                gap.location,
                gap.message,
                f"{_chart_subject(chart)}/schema:{gap.path}",
                ArtifactKind.HELM,
                variant="schema-content",
            )


def chart_metadata(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD113: the chart identifies itself (SemVer 2, v2, application), its app version, platform range and schema."""
    dependency_names = frozenset(
        dependency.name for chart in project.charts for dependency in chart.dependencies
    )
    for chart in project.charts:
        subject = _chart_subject(chart)
        name = _chart_name(chart)
        for location, message in _identity_problems(chart, dependency_names):
            yield Violation(location, message, subject, ArtifactKind.HELM)
        raw = chart.raw if isinstance(chart.raw, YamlMap) else YamlMap()
        kube_version = raw.get("kubeVersion")
        if kube_version is None or not str(kube_version).strip():
            yield Violation(
                chart.location,
                f'chart "{name}" declares no kubeVersion range, so the supported Kubernetes versions are not stated',
                subject,
                ArtifactKind.HELM,
                variant="platform-range",
            )
        app_version = _app_version_problem(chart)
        if app_version is not None:
            yield Violation(app_version[0], app_version[1], subject, ArtifactKind.HELM, variant="app-version")
        if not _has_schema(project, chart):
            yield Violation(
                chart.location,
                f'chart "{name}" ships no values.schema.json, so unsafe site values are not rejected at install time',
                subject,
                ArtifactKind.HELM,
                variant="schema",
            )
        yield from _schema_content(chart, params)
