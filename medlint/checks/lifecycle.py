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
from medlint.model.sbom import END_OF_SUPPORT, LEVEL_OF_SUPPORT, UNSUPPORTED_LEVELS
from medlint.model.support import (
    SupportEntry,
    end_date,
    matching_entries,
    normal_url,
    normalised_repository,
    strings,
    support_entries,
    tag_version,
)
from medlint.model.versions import ConstraintError, highest_minor

_EOS_USAGES = ("FROM", "COPY --from", "service", "container")  # the image uses MD114 examines

# --------------------------------------------------------------------------------------------------
# Tags, versions and dates


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
            repository = normal_url(dependency.repository.value) if dependency.repository else ""
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


def _level_words(value: str) -> str:
    return " ".join(value.lower().replace("-", " ").replace("_", " ").split())


def _sbom_findings(project: Project, timing: _Timing) -> Iterator[Violation]:
    """Entries of the supplied SBOM whose end of support has passed (or is near), or whose level of support says
    they are no longer maintained. Values medlint derived from its own table are left to the findings above,
    which report the same date at the line that uses the image."""
    from medlint.checks.inventory import artifact_of, supplied_components

    for sbom, component in supplied_components(project):
        subject = f"system:{project.system.name}/sbom:{sbom.path}/component:{component.bom_ref or component.purl or component.label}"
        reasons: list[str] = []
        place = None
        variant: str | None = None
        ends = component.end_of_support
        date = (
            end_date(ends.value) if ends is not None and END_OF_SUPPORT not in component.generated else None
        )
        if ends is not None and date is not None:
            if date < timing.today:
                reasons.append(f"its end of support ({date.isoformat()}) has passed")
                place = ends.location
            elif (date - timing.today).days <= timing.horizon_days:
                reasons.append(
                    f"its end of support ({date.isoformat()}) is within the {timing.horizon_days}-day warning horizon"
                )
                place, variant = ends.location, "horizon"
        level = component.level_of_support
        if level is not None and LEVEL_OF_SUPPORT not in component.generated:
            if _level_words(level.value) in UNSUPPORTED_LEVELS:
                reasons.append(f"its level of support is '{level.value}'")
                if place is None or variant == "horizon":
                    place = level.location
                variant = None
        if place is None:
            continue
        yield Violation(
            place,
            f"SOUP entry '{component.label}' in {sbom.path}: {' and '.join(reasons)}; it gets no fixes and no anomaly "
            "information (IEC 62304 6.1 f), 7.1.3)",
            subject,
            artifact_of(project, component),
            variant=variant,
        )


def soup_end_of_support(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD114: images and chart dependencies whose release line is past (or near) its end of support, and
    supplied SBOM entries that say so (past end of support, or no longer maintained)."""
    table = params.get("tables", {}).get("end-of-support", {})
    entries = support_entries(table)
    timing = _Timing(evaluation_date(params), int(params.get("warning_horizon_days", 180)))
    mirrors = tuple(str(prefix) for prefix in params.get("mirror_prefixes", []))
    yield from _image_findings(project, entries, timing, mirrors)
    yield from _ingress_findings(project, entries, timing)
    yield from _chart_findings(project, entries, timing)
    yield from _sbom_findings(project, timing)


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
                kinds=strings(row.get("kinds")),
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
