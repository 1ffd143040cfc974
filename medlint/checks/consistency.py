"""MD901 version-consistency, MD902 safety-class-consistency, MD903 build-id-consistency: one release, the same
everywhere (IEC 62304 5.8.4, 8.1.3; catalog 4.9).

Each rule gathers the *carriers* of one fact across every artifact of the system (medlint.model.system) and
reports each carrier that disagrees with the system's value, at the carrier itself, with the carriers of the
system's value as related locations. Messages and subjects name the system, so findings of two systems never
share a fingerprint, and they never quote a line number, so fingerprints stay put when lines move.

The system's value is the one most carriers agree on; a tie goes to the most authoritative carrier (the
chart's `appVersion`, then the Dockerfile's label, then image tags, then workload labels). Values that are
still variables (`$VERSION`, `${BUILD}`, a template) are not carriers: MD110/MD111 report them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from medlint.findings import RelatedLocation, Violation
from medlint.model import ArtifactKind, ImageRef, Located, Location, Project, Workload
from medlint.model.images import parse_image_reference
from medlint.model.regulatory import (
    CLASS_ORDER,
    FDA_CLASS,
    FDA_ORDER,
    IEC_CLASS,
    RMF_REF,
    ItemDeclaration,
    fda_classes,
    resolve_classes,
)

VERSION_LABEL = "org.opencontainers.image.version"
K8S_VERSION_LABEL = "app.kubernetes.io/version"
REVISION_LABEL = "org.opencontainers.image.revision"
#: A version as tags and labels write one: digits first (after an optional v), then anything.
_VERSION_LIKE = re.compile(r"^[vV]?\d+(?:\.\d+)*(?:[-+.~_][0-9A-Za-z.~_+-]*)?$")
#: Carrier kinds by authority, for breaking ties.
_AUTHORITY = {"appVersion": 0, "dockerfile": 1, "compose": 2, "image": 3, "label": 4}


def normalise_version(value: str) -> str:
    """Drop a leading `v`, a digest and `+build` metadata (catalog 4.9, MD901 [decision])."""
    text = value.strip().split("@", 1)[0].split("+", 1)[0]
    return text[1:] if text[:1] in ("v", "V") and text[1:2].isdigit() else text


#: Tag segments that name how an image is built (its base, its libc, its rebuild), not the release it holds.
_VARIANT_WORD = re.compile(
    r"^(?:alpine[\d.]*|slim|debian\d*|bookworm|bullseye|buster|stretch|trixie|ubuntu[\d.]*|focal|jammy|noble|ubi\d*|"
    r"distroless|musl|glibc|scratch|amd64|arm64|r\d+|\d+(?:\.\d+)*)$",
    re.IGNORECASE,
)


def image_version(tag: str) -> str:
    """The release an image tag holds: `normalise_version`, then image-variant and rebuild suffixes
    dropped (`2.4.65-debian-12-r2` and `2.4.65-alpine` hold 2.4.65; `1.0.0-rc1` keeps its pre-release)."""
    version = normalise_version(tag)
    core, dash, suffix = version.partition("-")
    if not dash:
        return version
    parts = suffix.split("-")
    if parts and not parts[0].isdigit() and all(_VARIANT_WORD.match(part) for part in parts):
        return core
    return version


def _unresolved(value: str) -> bool:
    return not value.strip() or "$" in value or "{{" in value


@dataclass(frozen=True, slots=True)
class Carrier:
    """One place that states a fact of the release (a version, a build id)."""

    value: str  # as written
    normalised: str
    location: Location
    what: str  # 'label org.opencontainers.image.version of Dockerfile app/Dockerfile'
    kind: str  # appVersion, dockerfile, compose, image, label
    artifact: ArtifactKind
    key: str  # a stable identity for the subject (no line numbers)
    group: str | None = None
    chart: str | None = None  # the chart folder it is written in or rendered from


def _reference(carriers: Sequence[Carrier]) -> str:
    """The value of the system: the most common; a tie goes to the most authoritative carrier."""
    counts = Counter(carrier.normalised for carrier in carriers)
    return min(
        counts,
        key=lambda value: (
            -counts[value],
            min(_AUTHORITY.get(c.kind, 9) for c in carriers if c.normalised == value),
            value,
        ),
    )


def _related(carriers: Iterable[Carrier], value: str, noun: str) -> tuple[RelatedLocation, ...]:
    return tuple(
        RelatedLocation(carrier.location, f"{carrier.what} states {noun} {carrier.value}")
        for carrier in list(carriers)[:3]
    )


def _disagreements(
    project: Project,
    carriers: Sequence[Carrier],
    noun: str,
    rule_key: str,
    advice: str,
    variant: str | None = None,
) -> Iterator[Violation]:
    """Each carrier whose value differs from its group's reference value."""
    system = project.system
    groups: dict[str | None, list[Carrier]] = {}
    for carrier in carriers:
        groups.setdefault(carrier.group, []).append(carrier)
    for group, members in groups.items():
        if len({carrier.normalised for carrier in members}) < 2:
            continue
        reference = _reference(members)
        agreeing = [carrier for carrier in members if carrier.normalised == reference]
        agreeing.sort(key=lambda carrier: (_AUTHORITY.get(carrier.kind, 9), str(carrier.location)))
        scope = f'version group "{group}" of {system.label}' if group else system.label
        first = agreeing[0]
        others = f" and {len(agreeing) - 1} more" if len(agreeing) > 1 else ""
        # A chart whose own value disagrees is reported once, at that value: what it renders follows it.
        leading = {
            carrier.chart: carrier.normalised
            for carrier in members
            if carrier.kind == "appVersion" and carrier.chart is not None and carrier.normalised != reference
        }
        agreeing_charts = {carrier.chart for carrier in agreeing}
        for carrier in members:
            if carrier.normalised == reference:
                continue
            if carrier.kind != "appVersion" and leading.get(carrier.chart or "") == carrier.normalised:
                continue
            hint = (
                "; if they ship separately, declare them as separate systems or version groups"
                if carrier.chart is not None and carrier.chart not in agreeing_charts
                else ""
            )
            yield Violation(
                carrier.location,
                f'{carrier.what} states {noun} "{carrier.value}", but {scope} releases {noun} {reference} '
                f"({first.what}{others}); {advice}{hint}",
                f"system:{system.name}/{rule_key}/{carrier.key}",
                carrier.artifact,
                variant=variant,
                related=_related(agreeing, reference, noun),
            )


# --------------------------------------------------------------------------------------------------
# Where carriers are


def _own_subchart(workload_path: str, chart_directory: str | None) -> bool:
    """Rendered from a dependency chart (`charts/` of the chart): its release, not the device's."""
    if not chart_directory:
        return False
    prefix = chart_directory.rstrip("/") + "/" if chart_directory not in ("", ".") else ""
    relative = workload_path[len(prefix) :] if workload_path.startswith(prefix) else workload_path
    return relative.startswith("charts/") or workload_path.endswith(".tgz")


def _rendered_chart(project: Project, path: str) -> str | None:
    """The chart folder a rendered file belongs to (the longest folder that holds it)."""
    best: str | None = None
    for directory in project.index.charts:
        prefix = "" if directory in ("", ".") else directory.rstrip("/") + "/"
        if path.startswith(prefix) and (best is None or len(directory) > len(best)):
            best = directory
    return best


def _group_of(project: Project, image: ImageRef | None, path: str) -> str | None:
    group = project.system.version_group(image, path)
    return group.name if group is not None else None


def _workload_images(project: Project, workload: Workload) -> list[ImageRef]:
    own = project.own_images
    return [
        container.image
        for container in workload.containers
        if container.image is not None and own.holds(container.image)
    ]


def _label_carriers(
    project: Project,
    workload: Workload,
    keys: Sequence[str],
    where: str,
    labels: Mapping[str, Located[str]],
    kind: str,
    test: Any,
    normalise: Any,
) -> Iterator[Carrier]:
    images = _workload_images(project, workload)
    group = _group_of(project, images[0] if images else None, workload.path)
    base_subject = workload.subject.split(" [", 1)[0]
    chart = _rendered_chart(project, workload.path) if workload.artifact is ArtifactKind.HELM else None
    for key in keys:
        located = labels.get(key)
        if located is None or _unresolved(located.value) or not test(located.value):
            continue
        yield Carrier(
            located.value,
            normalise(located.value),
            located.location,
            f"{where} {key} of {workload.subject}",
            kind,
            workload.artifact,
            f"{base_subject}/{where.replace(' ', '-')}/{key}",
            group,
            chart,
        )


def _workload_label_carriers(
    project: Project, keys: Sequence[str], test: Any, normalise: Any, own_only: bool
) -> Iterator[Carrier]:
    """Labels on Dockerfile images, Compose services and Kubernetes workloads (metadata and pod template);
    Kubernetes workloads only when they run one of the system's own images (`own_only`), so the version
    label of a third-party workload (SOUP) is not taken for the device's."""
    for workload in project.workloads:
        if workload.is_kubernetes:
            chart = (
                _rendered_chart(project, workload.path) if workload.artifact is ArtifactKind.HELM else None
            )
            if chart is not None and _own_subchart(workload.path, chart):
                continue
            if own_only and chart is None and not _workload_images(project, workload):
                continue
            yield from _label_carriers(
                project, workload, keys, "label", workload.labels, "label", test, normalise
            )
            if workload.pod_labels is not None:
                yield from _label_carriers(
                    project,
                    workload,
                    keys,
                    "pod template label",
                    workload.pod_labels,
                    "label",
                    test,
                    normalise,
                )
            if not own_only:
                annotations = _annotations(workload)
                yield from _label_carriers(
                    project, workload, keys, "annotation", annotations, "label", test, normalise
                )
        else:
            kind = "dockerfile" if workload.artifact is ArtifactKind.DOCKERFILE else "compose"
            yield from _label_carriers(
                project, workload, keys, "label", workload.labels, kind, test, normalise
            )


def _annotations(workload: Workload) -> dict[str, Located[str]]:
    metadata = workload.definition.get("metadata")
    return {
        str(key): Located(value.label_text, value.location)
        for key, value in metadata.get("annotations").items()
        if value.scalar is not None
    }


def _is_version(value: str) -> bool:
    return _VERSION_LIKE.match(value.strip()) is not None


def _chart_app_versions(project: Project) -> Iterator[Carrier]:
    for chart in project.charts:
        located = chart.app_version
        if located is None or _unresolved(str(located.value)) or not _is_version(str(located.value)):
            continue
        value = str(located.value)
        yield Carrier(
            value,
            normalise_version(value),
            located.location,
            f"appVersion of chart {chart.name.value if chart.name else chart.directory}",
            "appVersion",
            ArtifactKind.HELM,
            f"Chart:{chart.directory}/appVersion",
            _group_of(project, None, chart.path),
            chart.directory,
        )


@dataclass(frozen=True, slots=True)
class _ImageCarrier:
    carrier: Carrier
    chart: str | None  # the chart a rendered image comes from
    from_values: bool  # the tag was read from a values key (a hard-coded image.tag)


def _image_carriers(project: Project) -> Iterator[_ImageCarrier]:
    own = project.own_images
    seen: set[tuple[str, int, int, str]] = set()
    for use in project.index.image_uses:
        if use.usage not in ("service", "container"):
            continue
        image = use.image
        tag = image.tag
        if tag is None or image.unresolved or not _is_version(tag) or not own.holds(image):
            continue
        workload = use.workload
        chart = None
        if use.artifact is ArtifactKind.HELM and workload is not None:
            chart = _rendered_chart(project, workload.path)
            if chart is not None and _own_subchart(workload.path, chart):
                continue
        place = (image.location.path, image.location.line, image.location.column, tag)
        if place in seen:
            continue  # the same line rendered by several values sets with the same tag
        seen.add(place)
        helm = image.location.helm
        from_values = helm is not None and any(
            key.key.rsplit(".", 1)[-1].lower() == "tag" for key in helm.values_keys
        )
        subject = use.subject.split(" [", 1)[0]
        yield _ImageCarrier(
            Carrier(
                tag,
                image_version(tag),
                image.location,
                f"the tag of image {image.name}:{tag} in {use.subject}",
                "image",
                use.artifact,
                f"{subject}/image",
                _group_of(
                    project, image, use.workload.path if use.workload is not None else image.location.path
                ),
            ),
            chart,
            from_values,
        )


# --------------------------------------------------------------------------------------------------
# MD901


def version_consistency(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD901: the version carriers of the system agree (Dockerfile label, chart appVersion, own image tags,
    `app.kubernetes.io/version` labels), each version group on its own."""
    app_versions = list(_chart_app_versions(project))
    by_chart = {
        carrier.key.split("/appVersion", 1)[0].removeprefix("Chart:"): carrier for carrier in app_versions
    }
    carriers: list[Carrier] = list(app_versions)
    advice = "derive every carrier from one release variable (CI), and image tags from .Chart.AppVersion"
    for found in _image_carriers(project):
        app_version = by_chart.get(found.chart) if found.chart is not None else None
        if app_version is None or app_version.group != found.carrier.group:
            carriers.append(found.carrier)
            continue
        if found.carrier.normalised == app_version.normalised:
            continue
        yield Violation(
            found.carrier.location,
            f'{found.carrier.what} is "{found.carrier.value}", but the chart releases appVersion '
            f"{app_version.value} ({project.system.label}); "
            + (
                "the image tag is hard-coded in the values: leave it empty and render `image.tag | default "
                ".Chart.AppVersion`"
                if found.from_values
                else "render the tag from .Chart.AppVersion"
            ),
            f"system:{project.system.name}/version/{found.carrier.key}",
            found.carrier.artifact,
            variant="helm-image-tag" if found.from_values else None,
            related=(RelatedLocation(app_version.location, f"{app_version.what} is {app_version.value}"),),
        )
    carriers.extend(
        _workload_label_carriers(
            project, (VERSION_LABEL, K8S_VERSION_LABEL), _is_version, normalise_version, own_only=True
        )
    )
    yield from _disagreements(project, _unique(carriers), "version", "version", advice)


def _unique(carriers: Iterable[Carrier]) -> list[Carrier]:
    """One carrier per place and value (a rendered line repeated by several values sets counts once)."""
    seen: set[tuple[str, int, int, str]] = set()
    unique = []
    for carrier in carriers:
        place = (carrier.location.path, carrier.location.line, carrier.location.column, carrier.value)
        if place not in seen:
            seen.add(place)
            unique.append(carrier)
    return unique


# --------------------------------------------------------------------------------------------------
# MD903


def _any_value(value: str) -> bool:
    return bool(value.strip())


def _chart_annotation_carriers(project: Project, keys: Sequence[str]) -> Iterator[Carrier]:
    for chart in project.charts:
        for key in keys:
            located = chart.annotations.get(key)
            if located is None or _unresolved(located.value):
                continue
            yield Carrier(
                located.value,
                located.value.strip(),
                located.location,
                f"annotation {key} of chart {chart.directory}",
                "appVersion",
                ArtifactKind.HELM,
                f"Chart:{chart.directory}/annotation/{key}",
                _group_of(project, None, chart.path),
                chart.directory,
            )


def _digest_of(reference: str) -> tuple[str, str | None]:
    image = parse_image_reference(reference, Location("release-manifest"))
    return image.canonical_name, image.tag


def _manifest_findings(project: Project, manifest: Mapping[str, str]) -> Iterator[Violation]:
    """Pinned digests of the artifacts against the release manifest (`--release-manifest`)."""
    released: dict[str, dict[str | None, tuple[str, str]]] = {}
    for reference, digest in manifest.items():
        name, tag = _digest_of(reference)
        released.setdefault(name, {})[tag] = (reference, digest)
    seen: set[tuple[str, int, int]] = set()
    for use in project.index.image_uses:
        image = use.image
        if image.digest is None or image.unresolved or image.canonical_name not in released:
            continue
        place = (image.location.path, image.location.line, image.location.column)
        if place in seen:
            continue
        seen.add(place)
        entries = released[image.canonical_name]
        entry = entries.get(image.tag) if image.tag is not None else None
        if entry is None and None in entries:
            entry = entries[None]
        if entry is None and image.tag is None and len(entries) == 1:
            entry = next(iter(entries.values()))
        subject = f"system:{project.system.name}/release-manifest/{use.subject.split(' [', 1)[0]}"
        if entry is None:
            listed = ", ".join(sorted(reference for reference, _ in entries.values()))
            yield Violation(
                image.location,
                f"image {image.written} is pinned to a digest, but the release manifest of "
                f"{project.system.label} records no such tag of it (it lists {listed}); deploy the released image",
                subject,
                use.artifact,
                variant="release-manifest",
            )
        elif entry[1].lower() != image.digest.lower():
            yield Violation(
                image.location,
                f"image {image.written} is pinned to {image.digest[:19]}..., but the release manifest of "
                f"{project.system.label} records {entry[1][:19]}... for {entry[0]}; the deployed bits are not "
                "the released bits",
                subject,
                use.artifact,
                variant="release-manifest",
            )


def build_id_consistency(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD903: the build id and `org.opencontainers.image.revision` agree across the release; digests pinned in
    the artifacts match the release manifest when one is given."""
    build_keys = [str(key) for key in params.get("build_id_keys", ["regulatory.build"])]
    revision_keys = [str(key) for key in params.get("revision_keys", [REVISION_LABEL])]
    advice = "stamp every artifact from one pipeline run"
    for keys, noun, rule_key in (
        (build_keys, "build id", "build-id"),
        (revision_keys, "revision", "revision"),
    ):
        carriers = list(_chart_annotation_carriers(project, keys))
        carriers.extend(
            _workload_label_carriers(project, keys, _any_value, lambda value: value.strip(), own_only=False)
        )
        yield from _disagreements(project, _unique(carriers), noun, rule_key, advice)
    manifest = params.get("release_manifest")
    if manifest:
        yield from _manifest_findings(project, manifest)


# --------------------------------------------------------------------------------------------------
# MD902


def _class_related(declarations: Iterable[ItemDeclaration], key: str) -> tuple[RelatedLocation, ...]:
    related = []
    for declaration in list(declarations)[:3]:
        located = declaration.iec_class if key == IEC_CLASS else declaration.fda_class
        if located is not None:
            related.append(
                RelatedLocation(located.location, f"{key}={located.value} on {declaration.subject}")
            )
    return tuple(related)


def _system_anchor(project: Project) -> tuple[Location, ArtifactKind] | None:
    """Where a system-wide class finding goes: the first item that could carry the label."""
    places: list[tuple[Location, ArtifactKind]] = []
    for workload in project.workloads:
        places.append((workload.labels_anchor or workload.location, workload.artifact))
    for chart in project.charts:
        places.append((chart.annotations_anchor or chart.location, ArtifactKind.HELM))
    if not places:
        return None
    return min(places, key=lambda place: (place[0].path, place[0].line, place[0].column))


def safety_class_consistency(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD902: one IEC 62304 class (deviations only with an rmf-ref), one FDA class, and the configured class
    equal to the declared one; no class at all is a note (Class C is assumed)."""
    system = project.system
    declarations = project.declarations
    configured = str(params.get("safety_class") or "").upper() or None
    resolution = resolve_classes(declarations, configured if configured in CLASS_ORDER else None)
    subject = f"system:{system.name}/class"
    if resolution.assumed:
        anchor = _system_anchor(project)
        if anchor is not None:
            yield Violation(
                anchor[0],
                f"no {IEC_CLASS} is declared by any artifact of {system.label} and none is configured, so Class C "
                "is assumed (IEC 62304 4.3); declare the class once and propagate it",
                f"{subject}/undeclared",
                anchor[1],
                variant="undeclared",
            )
    for declaration, justified in resolution.deviations:
        located = declaration.iec_class
        if justified or located is None:
            continue
        own = located.value
        if resolution.configured and CLASS_ORDER[own] > CLASS_ORDER[resolution.value]:
            message = (
                f"{IEC_CLASS}={own} on {declaration.subject} is higher than the class {resolution.value} the "
                f"configuration sets for {system.label}; a part cannot be classified above its system, so "
                "correct the configuration or the label"
            )
        else:
            where = (
                f"the configured class {resolution.value}"
                if resolution.configured
                else f"the system class {resolution.value}"
            )
            empty = declaration.rmf_ref is not None and not declaration.justified
            reason = f"its {RMF_REF} is empty" if empty else f"no {RMF_REF} justifies the deviation"
            message = (
                f"{IEC_CLASS}={own} on {declaration.subject} differs from {where} of {system.label} and {reason}; "
                f"align the class, or record the decomposition in the risk management file and reference it in {RMF_REF}"
            )
        yield Violation(
            located.location,
            message,
            f"{subject}/iec/{declaration.subject.split(' [', 1)[0]}/{declaration.where.replace(' ', '-')}",
            declaration.artifact,
            variant="configured" if resolution.configured else None,
            related=_class_related(resolution.carriers, IEC_CLASS),
        )
    grouped = fda_classes(declarations)
    if len(grouped) > 1:
        values = list(grouped)
        counts = {value: len(items) for value, items in grouped.items()}
        reference = max(values, key=lambda value: (counts[value], FDA_ORDER[value]))
        for value, items in grouped.items():
            if value == reference:
                continue
            for declaration in items:
                located = declaration.fda_class
                assert located is not None
                yield Violation(
                    located.location,
                    f"{FDA_CLASS}={value} on {declaration.subject} differs from class {reference} that the other "
                    f"artifacts of {system.label} declare; the FDA class is the device's and must be the same "
                    "everywhere",
                    f"{subject}/fda/{declaration.subject.split(' [', 1)[0]}/{declaration.where.replace(' ', '-')}",
                    declaration.artifact,
                    related=tuple(
                        RelatedLocation(item.fda_class.location, f"{FDA_CLASS}={reference} on {item.subject}")
                        for item in grouped[reference][:3]
                        if item.fda_class is not None
                    ),
                )
