"""MD904 soup-inventory: the SOUP inventory a team keeps (a supplied SBOM) matches what the system deploys.

The SBOM comes from `--sbom FILE` or `sbom:` in the configuration, read into `Project.sboms` before the rules
run (medlint.model.sbom); the system uses those its `System.sboms` names. Three conditions:
- no SBOM is supplied for the system: one finding, at the rule's level, since the list is itself the IEC 62304
  8.1.2 evidence (variant `no-sbom`), at the system's first item; a system that uses no image and no chart
  dependency has nothing to list and gets none;
- an image the system uses (deployed, base and build images, from Dockerfiles, Compose, Kubernetes and rendered
  Helm, init containers and sidecars included) is not in any supplied SBOM: one finding per image, at the first
  line that uses it. Images are matched by canonical repository plus tag or digest (`postgres` is
  `docker.io/library/postgres`; an image without tag or digest is `latest`). The system's own images
  (medlint.model.system.OwnImages) are not SOUP and are not required;
- an entry lacks a SOUP field: title, supplier and version (8.1.2), level of support and end-of-support date
  (FDA premarket cybersecurity guidance V.A.4(b); not required when `cyber_device` is false), and for classes B
  and C a requirement reference (5.3.3/5.3.4) and an anomaly-review date (7.1.3): one finding per entry,
  listing what is missing, at the entry (variant `fields`). Entries marked or matched as the system's own
  software are not judged. Past end-of-support dates are MD114's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from medlint.findings import RelatedLocation, Violation
from medlint.model import ArtifactKind, ImageRef, Location, Project
from medlint.model.index import ImageUse
from medlint.model.regulatory import CLASS_ORDER, resolve_classes
from medlint.model.sbom import (
    ANOMALY_REVIEW,
    END_OF_SUPPORT,
    LEVEL_OF_SUPPORT,
    REQUIREMENT_REF,
    SUPPLIER,
    SuppliedComponent,
    SuppliedSbom,
)

#: Image uses the inventory must list: everything that pulls an image.
_USAGES = ("FROM", "COPY --from", "RUN --mount", "syntax", "service", "container")
_DATE = re.compile(r"^\d{4}-\d{2}(?:-\d{2})?$")
_FIELD_WORDS = {
    "title": "title (name)",
    SUPPLIER: "supplier",
    "version": "version",
    LEVEL_OF_SUPPORT: "level of support",
    END_OF_SUPPORT: "end-of-support date",
    REQUIREMENT_REF: "requirement reference (5.3.3/5.3.4)",
    ANOMALY_REVIEW: "anomaly-review date (7.1.3)",
}


@dataclass(frozen=True, slots=True)
class _Wanted:
    """An image of the system in the form supplied entries are compared with."""

    canonical: str
    tag: str | None
    digest: str | None


def wanted(image: ImageRef) -> _Wanted:
    digest = image.digest.lower() if image.digest else None
    tag = image.tag or (None if digest else "latest")
    return _Wanted(image.canonical_name, tag, digest)


def usable(image: ImageRef | None) -> bool:
    """An image reference that names an image (not a stage, scratch, a variable or a malformed text)."""
    return image is not None and image.names_an_image


def system_images(project: Project) -> dict[_Wanted, list[ImageUse]]:
    """Every third-party image the system uses, with its uses in project order (own images left out)."""
    found: dict[_Wanted, list[ImageUse]] = {}
    own = project.own_images
    for use in project.index.image_uses:
        if use.usage not in _USAGES or not usable(use.image) or own.holds(use.image):
            continue
        if use.usage == "service" and use.workload is not None and "build" in use.workload.definition:
            continue  # the image a Compose service builds is the system's own output
        found.setdefault(wanted(use.image), []).append(use)
    return found


def covers(component: SuppliedComponent, image: _Wanted) -> bool:
    """Whether a supplied entry names this image (repository plus tag or digest)."""
    identity = component.image
    if identity is None or identity.canonical_name != image.canonical:
        return False
    if image.digest is not None and (image.digest == identity.digest or image.digest in component.digests):
        return True
    return image.tag is not None and identity.tag == image.tag


def artifact_of(project: Project, component: SuppliedComponent) -> ArtifactKind:
    """The kind of artifact an entry's findings are filed under: that of an artifact using its image, else that
    of the system's first artifact."""
    if component.image is not None:
        for use in project.index.images.get(component.image.canonical_name, ()):
            return use.artifact
    return anchor(project)[1]


def anchor(project: Project) -> tuple[Location, ArtifactKind]:
    """Where a finding about the whole system goes: where the configuration declares it, else its first item."""
    places: list[tuple[Location, ArtifactKind]] = []
    for workload in project.workloads:
        places.append((workload.location, workload.artifact))
    for chart in project.charts:
        places.append((chart.location, ArtifactKind.HELM))
    if not places:
        places = [(Location(item.path), item.kind) for item in project.files]
    first = min(places, key=lambda place: (place[0].path, place[0].line, place[0].column), default=None)
    declared = project.system.declared_at
    if declared is not None:
        return declared, first[1] if first is not None else ArtifactKind.KUBERNETES
    return first if first is not None else (Location("."), ArtifactKind.KUBERNETES)


def own_entry(project: Project, component: SuppliedComponent) -> bool:
    """An entry for the system's own software: marked `medlint:soup=false`, or naming one of its own images."""
    if not component.soup:
        return True
    if component.image is None:
        return False
    return any(
        project.own_images.holds(use.image)
        for use in project.index.images.get(component.image.canonical_name, ())
    )


def _missing(component: SuppliedComponent, risk: bool, cyber_device: bool) -> list[str]:
    missing: list[str] = []
    if not component.name.strip():
        missing.append(_FIELD_WORDS["title"])
    names = [SUPPLIER, "version"]
    if cyber_device:
        names += [LEVEL_OF_SUPPORT, END_OF_SUPPORT]
    if risk:
        names += [REQUIREMENT_REF, ANOMALY_REVIEW]
    for name in names:
        value = component.field(name)
        if value is None or not value.value.strip():
            missing.append(_FIELD_WORDS[name])
        elif name in (END_OF_SUPPORT, ANOMALY_REVIEW) and not _DATE.match(value.value.strip()):
            missing.append(f"{_FIELD_WORDS[name]} as a date (it reads '{value.value.strip()[:40]}')")
    return missing


def _class(project: Project, params: Mapping[str, Any]) -> str:
    configured = str(params.get("safety_class") or "").upper() or None
    return resolve_classes(project.declarations, configured if configured in CLASS_ORDER else None).value


def _subject(project: Project, sbom: SuppliedSbom, component: SuppliedComponent) -> str:
    identity = component.bom_ref or component.purl or component.label
    return f"system:{project.system.name}/sbom:{sbom.path}/component:{identity}"


def _no_sbom(project: Project) -> Violation:
    where, artifact = anchor(project)
    return Violation(
        where,
        f"no SBOM (SOUP inventory) is supplied for {project.system.label}; the list of SOUP items is itself "
        "IEC 62304 8.1.2 evidence: keep one in the repository (`medlint sbom -o soup.cdx.json`, completed by "
        "hand) and pass it with --sbom or `sbom:` in the configuration",
        f"system:{project.system.name}/sbom",
        artifact,
        variant="no-sbom",
    )


def _missing_images(project: Project, sboms: tuple[SuppliedSbom, ...]) -> Iterator[Violation]:
    entries = [component for sbom in sboms for component in sbom.components if component.image is not None]
    files = ", ".join(sbom.path for sbom in sboms) or "the supplied SBOM"
    for image, uses in system_images(project).items():
        if any(covers(component, image) for component in entries):
            continue
        first = min(
            uses,
            key=lambda use: (use.image.location.path, use.image.location.line, use.image.location.column),
        )
        others = sorted(
            {use.image.location for use in uses if use.image.location != first.image.location},
            key=lambda place: (place.path, place.line, place.column),
        )
        version = image.digest if image.tag is None else image.tag
        yield Violation(
            first.image.location,
            f"image {first.image.written} is not in the SOUP inventory of {project.system.label} ({files}): no "
            f"entry names {image.canonical}:{version}; add it (`medlint sbom --merge` adds new images)",
            f"system:{project.system.name}/sbom/image:{image.canonical}:{version}",
            first.artifact,
            related=tuple(
                RelatedLocation(place, f"{first.image.written} is also used here") for place in others[:5]
            ),
        )


def _entry_findings(
    project: Project, sboms: tuple[SuppliedSbom, ...], risk: bool, cyber_device: bool, safety_class: str
) -> Iterator[Violation]:
    for sbom in sboms:
        for component in sbom.components:
            if own_entry(project, component):
                continue
            missing = _missing(component, risk, cyber_device)
            if not missing:
                continue
            listed = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " and " + missing[-1]
            yield Violation(
                component.location,
                f"SOUP entry '{component.label or '(no name)'}' in {sbom.path} lacks its {listed}, which class "
                f"{safety_class} requires; fill {'it' if len(missing) == 1 else 'them'} in",
                _subject(project, sbom, component),
                artifact_of(project, component),
                variant="fields",
            )


def soup_inventory(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD904 (module docstring)."""
    cyber_device = bool(params.get("cyber_device", True))
    sboms = project.supplied_sboms()
    if sboms is None:
        if uses_soup(project):
            yield _no_sbom(project)
        return
    safety_class = _class(project, params)
    risk = CLASS_ORDER.get(safety_class, 3) >= CLASS_ORDER["B"]
    yield from _missing_images(project, sboms)
    yield from _entry_findings(project, sboms, risk, cyber_device, safety_class)


def uses_soup(project: Project) -> bool:
    """Whether the system uses anything an inventory lists: an image, or a chart dependency. A system of plain
    configuration objects (a ConfigMap) has no SOUP to list, so the rule does not apply to it."""
    return any(usable(use.image) for use in project.index.image_uses) or any(
        chart.dependencies or chart.vendored_charts for chart in project.charts
    )


def supplied_components(project: Project) -> Iterable[tuple[SuppliedSbom, SuppliedComponent]]:
    """The SOUP entries of the system's supplied SBOMs (the system's own software left out)."""
    for sbom in project.supplied_sboms() or ():
        for component in sbom.components:
            if not own_entry(project, component):
                yield sbom, component
