"""SOUP and platform obsolescence: MD114 (end of support) and MD115 (deprecated API versions).

Unsupported SOUP gets no fixes and no anomaly information (IEC 62304 6.1 f), 7.1.3), and a removed API makes
a release undeployable. Both rules are driven by data tables shipped with the rule pack
(`rules/data/end-of-support.yaml`, `rules/data/deprecated-apis.yaml`); a row with `verified: false` or
without a date is inactive. Dates are compared with `params["today"]`, never with the clock.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from medlint.findings import Violation
from medlint.model import ArtifactKind, Chart, ImageRef, K8sObject, Location, Project, Workload
from medlint.model.versions import ConstraintError, highest_minor

_LEADING_VERSION = re.compile(r"^v?(\d+(?:\.\d+)*)(?=$|[-_+])")
_TAG_DELIMITERS = "-_."
_EOS_USAGES = ("FROM", "COPY --from", "service", "container")  # the image uses MD114 examines

# --------------------------------------------------------------------------------------------------
# Tags, versions and dates


def tag_version(tag: str | None) -> tuple[int, ...] | None:
    """The release version a tag names: `16-alpine` -> (16,), `3.8.18-slim` -> (3, 8, 18); None for `latest`."""
    if not tag:
        return None
    match = _LEADING_VERSION.match(tag)
    if match is None:
        return None
    return tuple(int(part) for part in match.group(1).split("."))


def cycle_matches(cycle: str, version: tuple[int, ...] | None) -> bool:
    """Whether a version belongs to a release cycle, segment by segment (3.8 matches 3.8.18, not 3.80 or 3)."""
    if version is None:
        return False
    try:
        wanted = tuple(int(part) for part in cycle.split("."))
    except ValueError:
        return False
    return len(version) >= len(wanted) and version[: len(wanted)] == wanted


def tag_has_marker(tag: str | None, marker: str) -> bool:
    """Whether `marker` appears in the tag as a whole word (`bullseye` in `16-bullseye-slim`)."""
    if not tag or not marker:
        return False
    tag, marker = tag.lower(), marker.lower()
    start = tag.find(marker)
    while start >= 0:
        end = start + len(marker)
        before_ok = start == 0 or tag[start - 1] in _TAG_DELIMITERS
        after_ok = end == len(tag) or tag[end] in _TAG_DELIMITERS
        if before_ok and after_ok:
            return True
        start = tag.find(marker, start + 1)
    return False


def end_date(value: Any) -> datetime.date | None:
    """A table date: `YYYY-MM-DD`, or `YYYY-MM` read as the last day of that month; None when absent."""
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}", text):
        year, month = int(text[:4]), int(text[5:7])
        import calendar  # only for a month-precision end-of-support date

        return datetime.date(year, month, calendar.monthrange(year, month)[1])
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def evaluation_date(params: Mapping[str, Any]) -> datetime.date:
    """The engine's `today` (configurable, for reproducible runs)."""
    today = params.get("today")
    if isinstance(today, datetime.date):
        return today
    parsed = end_date(today)
    if parsed is None:
        raise ValueError("MD114 needs params['today'] as a date (the engine passes it)")
    return parsed


# --------------------------------------------------------------------------------------------------
# MD114 soup-end-of-support


@dataclass(frozen=True, slots=True)
class SupportEntry:
    """One active row of the end-of-support table."""

    id: str
    product: str
    cycle: str
    end_of_support: datetime.date
    support_ending: str
    repositories: tuple[str, ...]
    codenames: tuple[str, ...]
    tag_markers: tuple[str, ...]
    any_tag: bool
    charts: tuple[tuple[str, str], ...]
    ingress_classes: tuple[str, ...]
    ingress_annotation_prefixes: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.product if self.cycle == "all" else f"{self.product} {self.cycle}"


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def support_entries(table: Mapping[str, Any]) -> list[SupportEntry]:
    """The active rows: verified and dated."""
    entries = []
    for row in table.get("rows", []):
        date = end_date(row.get("end_of_support"))
        if row.get("verified") is False or date is None:
            continue
        match = row.get("match") or {}
        charts = tuple(
            (str(chart.get("name", "")), _normal_url(str(chart.get("repository", ""))))
            for chart in match.get("charts", [])
            if isinstance(chart, Mapping)
        )
        entries.append(
            SupportEntry(
                id=str(row.get("id", "")),
                product=str(row.get("product", "")),
                cycle=str(row.get("cycle", "")),
                end_of_support=date,
                support_ending=str(row.get("support_ending", "end of support")),
                repositories=tuple(name.lower() for name in _strings(match.get("repositories"))),
                codenames=_strings(match.get("codenames")),
                tag_markers=_strings(match.get("tag_markers")),
                any_tag=bool(match.get("any_tag")),
                charts=charts,
                ingress_classes=_strings(match.get("ingress_classes")),
                ingress_annotation_prefixes=_strings(match.get("ingress_annotation_prefixes")),
            )
        )
    return entries


def _normal_url(url: str) -> str:
    return url.strip().rstrip("/").lower()


def normalised_repository(image: ImageRef, mirror_prefixes: Iterable[str] = ()) -> str:
    """The image name as the table writes it: Docker Hub short names, mirror prefixes removed."""
    name = image.name.lower()
    for prefix in mirror_prefixes:
        prefix = prefix.lower().rstrip("/") + "/"
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    return name[len("library/") :] if name.startswith("library/") else name


def matching_entries(
    image: ImageRef, entries: list[SupportEntry], mirror_prefixes: Iterable[str] = ()
) -> list[SupportEntry]:
    """Every table entry an image reference matches (`node:16-bullseye` matches Node.js 16 and Debian 11)."""
    repository = normalised_repository(image, mirror_prefixes)
    version = tag_version(image.tag)
    found = []
    for entry in entries:
        by_repository = repository in entry.repositories and (
            entry.any_tag
            or cycle_matches(entry.cycle, version)
            or any(tag_has_marker(image.tag, codename) for codename in entry.codenames)
        )
        by_marker = any(tag_has_marker(image.tag, marker) for marker in entry.tag_markers)
        if by_repository or by_marker:
            found.append(entry)
    return found


@dataclass(frozen=True, slots=True)
class _Timing:
    today: datetime.date
    horizon_days: int

    def status(self, entry: SupportEntry) -> str | None:
        """Whether the entry is "past" its end of support, inside the warning "horizon", or neither (None)."""
        if entry.end_of_support < self.today:
            return "past"
        if (entry.end_of_support - self.today).days <= self.horizon_days:
            return "horizon"
        return None

    def phrase(self, entry: SupportEntry, status: str) -> str:
        when = entry.end_of_support.isoformat()
        if status == "past":
            return f"{entry.label} reached end of support on {when} ({entry.support_ending})"
        return f"{entry.label} reaches end of support on {when} ({entry.support_ending}), within the {self.horizon_days}-day warning horizon"


def _is_built(workload: Workload | None) -> bool:
    return workload is not None and "build" in workload.definition


def _tracked(
    image: ImageRef, entries: list[SupportEntry], mirror_prefixes: Iterable[str]
) -> list[SupportEntry]:
    repository = normalised_repository(image, mirror_prefixes)
    return [entry for entry in entries if repository in entry.repositories]


def _unresolved_name(image: ImageRef) -> bool:
    return "$" in image.name or "{{" in image.name


def _image_findings(
    project: Project, entries: list[SupportEntry], timing: _Timing, mirrors: tuple[str, ...]
) -> Iterator[Violation]:
    for use in project.index.image_uses:
        if use.usage not in _EOS_USAGES or (use.usage == "service" and _is_built(use.workload)):
            continue  # a built service's image: is its output; its FROM lines are checked on the Dockerfile
        image = use.image
        if image.problem is not None:
            continue  # a malformed reference cannot be pulled; MD001/MD002 name the bad part
        if image.unresolved and _unresolved_name(image):
            continue  # nothing is known of the image; MD101/MD102 report the unresolved reference
        matches = matching_entries(image, entries, mirrors)
        tracked = _tracked(image, entries, mirrors)
        if image.unresolved and not matches and tracked and tag_version(image.tag) is None:
            yield Violation(
                image.location,
                f"image '{image.written}' has an unresolved tag, so whether its {tracked[0].product} release is still supported cannot be evaluated",
                use.subject,
                use.artifact,
                variant="unresolved",
            )
        for entry in matches:
            status = timing.status(entry)
            if status is not None:
                yield Violation(
                    image.location,
                    f"image '{image.written}': {timing.phrase(entry, status)}",
                    f"{use.subject}/eos:{entry.id}",
                    use.artifact,
                    variant="horizon" if status == "horizon" else None,
                )


def _ingress_controller_hint(obj: K8sObject, entry: SupportEntry) -> tuple[Location, str] | None:
    """Where and why an Ingress looks served by the retired controller, or None."""
    spec = obj.spec
    class_name = spec.get("ingressClassName").plain()
    if isinstance(class_name, str) and class_name in entry.ingress_classes:
        return spec.location_of("ingressClassName"), f"ingressClassName '{class_name}'"
    annotated = obj.annotations.get("kubernetes.io/ingress.class")
    if annotated is not None and annotated.value in entry.ingress_classes:
        return annotated.location, f"kubernetes.io/ingress.class '{annotated.value}'"
    for key, located in obj.annotations.items():
        if any(key.startswith(prefix) for prefix in entry.ingress_annotation_prefixes):
            return located.location, f"the annotation {key}"
    return None


def _ingress_findings(project: Project, entries: list[SupportEntry], timing: _Timing) -> Iterator[Violation]:
    heuristics = [entry for entry in entries if entry.ingress_classes or entry.ingress_annotation_prefixes]
    for obj in project.index.objects("Ingress"):
        if not obj.document.is_map:
            continue
        for entry in heuristics:
            status = timing.status(entry)
            hint = _ingress_controller_hint(obj, entry) if status else None
            if status and hint:
                artifact = obj.artifact
                yield Violation(
                    hint[0],
                    f"{obj.subject} uses {hint[1]}, which suggests the {timing.phrase(entry, status)}; plan the migration "
                    "(Gateway API); other NGINX-based controllers use the same class name, so check which controller serves it",
                    f"{obj.subject}/eos:{entry.id}",
                    artifact,
                    variant="ingress-class",
                )


def _chart_findings(project: Project, entries: list[SupportEntry], timing: _Timing) -> Iterator[Violation]:
    for chart in project.charts:
        for dependency in chart.dependencies:
            repository = _normal_url(dependency.repository.value) if dependency.repository else ""
            for entry in entries:
                status = timing.status(entry)
                if status and (dependency.name, repository) in entry.charts:
                    chart_name = chart.name.value if chart.name else chart.directory
                    yield Violation(
                        dependency.location,
                        f'chart "{chart_name}" depends on "{dependency.name}" from {repository}: {timing.phrase(entry, status)}',
                        f"chart:{chart.directory or '.'}/dependency:{dependency.name}/eos:{entry.id}",
                        ArtifactKind.HELM,
                        variant="horizon" if status == "horizon" else None,
                    )


def soup_end_of_support(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD114: images and chart dependencies whose release line is past (or near) its end of support."""
    table = params.get("tables", {}).get("end-of-support", {})
    entries = support_entries(table)
    timing = _Timing(evaluation_date(params), int(params.get("warning_horizon_days", 180)))
    mirrors = tuple(str(prefix) for prefix in params.get("mirror_prefixes", []))
    yield from _image_findings(project, entries, timing, mirrors)
    yield from _ingress_findings(project, entries, timing)
    yield from _chart_findings(project, entries, timing)


# --------------------------------------------------------------------------------------------------
# MD115 deprecated-api-version


@dataclass(frozen=True, slots=True)
class ApiEntry:
    """One active row of the deprecated-API table."""

    api_version: str
    kinds: tuple[str, ...]
    scope: str
    deprecated_in: tuple[int, int] | None
    removed_in: tuple[int, int] | None
    removed_in_text: str
    replacement: str
    operator: str
    note: str


def minor_version(text: Any) -> tuple[int, int] | None:
    """`1.25`, `v1.25.3`, `1.25.0-0` -> (1, 25); None when absent or not a version."""
    match = re.match(r"^v?(\d+)\.(\d+)", str(text or "").strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def api_entries(table: Mapping[str, Any]) -> list[ApiEntry]:
    entries = []
    for row in table.get("rows", []):
        if row.get("verified") is False:
            continue
        scope = str(row.get("scope", "kubernetes"))
        entries.append(
            ApiEntry(
                api_version=str(row.get("api_version", "")),
                kinds=_strings(row.get("kinds")),
                scope=scope,
                deprecated_in=minor_version(row.get("deprecated_in")) if scope == "kubernetes" else None,
                removed_in=minor_version(row.get("removed_in")) if scope == "kubernetes" else None,
                removed_in_text=str(row.get("removed_in", "")),
                replacement=str(row.get("replacement") or ""),
                operator=str(row.get("operator", "")),
                note=str(row.get("note", "")),
            )
        )
    return entries


def newest_table_version(entries: list[ApiEntry]) -> tuple[int, int]:
    """The newest Kubernetes version the table knows: the target when none is declared."""
    versions = [v for entry in entries for v in (entry.deprecated_in, entry.removed_in) if v is not None]
    return max(versions, default=(1, 0))


@dataclass(frozen=True, slots=True)
class Target:
    """The Kubernetes version objects are evaluated against, and why (for the message)."""

    version: tuple[int, int]
    reason: str


def chart_target(chart: Chart | None) -> tuple[tuple[int, int] | None, str]:
    """The newest Kubernetes minor a chart's kubeVersion admits; (None, why) when open-ended or absent."""
    declared = chart.definition.get("kubeVersion").plain() if chart is not None else None
    if declared is None or not str(declared).strip():
        return None, "the chart declares no kubeVersion"
    try:
        upper = highest_minor(str(declared))
    except ConstraintError:
        return None, f"the chart's kubeVersion '{declared}' cannot be read"
    if upper is None:
        return None, f"the chart's kubeVersion '{declared}' is open-ended"
    return upper, f"target {upper[0]}.{upper[1]}, the upper end of the chart's kubeVersion '{declared}'"


def object_target(
    obj: K8sObject, project: Project, params: Mapping[str, Any], newest: tuple[int, int]
) -> Target:
    """Configuration first, then the rendering chart's kubeVersion, else the newest version in the table."""
    configured = minor_version(params.get("target_kube_version"))
    if configured is not None:
        return Target(configured, f"configured target {configured[0]}.{configured[1]}")
    why = "no target Kubernetes version is configured"
    if obj.rendered_from is not None:
        chart = project.index.charts.get(obj.rendered_from)
        upper, why = chart_target(chart)
        if upper is not None:
            return Target(upper, why)
    return Target(
        newest,
        f"{why}, so it was evaluated against {newest[0]}.{newest[1]}, the newest version in the API table",
    )


def _api_message(obj: K8sObject, entry: ApiEntry, target: Target) -> str | None:
    if entry.scope == "operator":
        state = f"which {entry.operator} {entry.removed_in_text} stopped serving"
    elif entry.removed_in is not None and entry.removed_in <= target.version:
        state = f"removed in Kubernetes {entry.removed_in[0]}.{entry.removed_in[1]} ({target.reason})"
    elif entry.deprecated_in is not None and entry.deprecated_in <= target.version:
        removal = f", removed in {entry.removed_in[0]}.{entry.removed_in[1]}" if entry.removed_in else ""
        state = f"deprecated since Kubernetes {entry.deprecated_in[0]}.{entry.deprecated_in[1]}{removal} ({target.reason})"
    else:
        return None
    parts = [f"{obj.subject} uses {entry.api_version}, {state}"]
    if entry.replacement:
        parts.append(f"migrate to {entry.replacement}")
    if entry.note:
        parts.append(entry.note)
    return "; ".join(parts)


def deprecated_api_version(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD115: objects whose apiVersion is deprecated or no longer served on the target cluster."""
    entries = api_entries(params.get("tables", {}).get("deprecated-apis", {}))
    by_api: dict[tuple[str, str], ApiEntry] = {(e.api_version, kind): e for e in entries for kind in e.kinds}
    newest = newest_table_version([e for e in entries if e.scope == "kubernetes"])
    for obj in project.k8s_objects:
        entry = by_api.get((obj.api_version or "", obj.kind or ""))
        if entry is None or not obj.document.is_map:
            continue
        message = _api_message(obj, entry, object_target(obj, project, params, newest))
        if message is not None:
            artifact = obj.artifact
            yield Violation(
                obj.document.location_of("apiVersion"),
                message,
                f"{obj.subject}/apiVersion",
                artifact,
            )
