"""The SOUP inventory as rows, per system: what the evidence report (design history file) lists.

`soup_items(report)` gives one `SoupItem` per SOUP component of every system of a finished lint (the
system's own software left out), with the fields IEC 62304 8.1.2 and the FDA ask for and whether a supplied
SBOM (`--sbom`, `sbom:`) lists it. Values a supplied SBOM carries for a component (the supplier, level and end
of support people entered) take the place of what medlint derived, since the SBOM is the team's record.
The evidence report lays these items out as its SOUP section (medlint/report/evidence/soup.py).

The rows follow the inventory `medlint sbom` writes (same components, same derivations), so the report and
the SBOM never disagree.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from medlint.model.sbom import SuppliedComponent, SuppliedSbom
from medlint.sbom.inventory import Component, ComponentKind, Inventory, build_inventory
from medlint.sbom.purl import parse_purl

if TYPE_CHECKING:
    from medlint.report import Report

__all__ = ["SoupItem", "soup_items", "system_inventories"]


@dataclass(frozen=True, slots=True)
class SoupItem:
    """One SOUP component of one system. Empty text: nobody knows the value yet (neither medlint nor a
    supplied SBOM). `covered` is None when the system has no supplied SBOM."""

    system: str
    component: str
    version: str
    kind: str  # image, chart, os-package, language-package
    purl: str
    supplier: str
    scope: str  # "deployed" or "build-only"
    level_of_support: str
    end_of_support: str
    covered: bool | None
    location: str  # `path:line` of the first place it is declared


def system_inventories(report: Report) -> list[Inventory]:
    """The inventory of each system of a finished lint, in the report's system order (as `medlint sbom`
    builds them: the system's safety class, the rule pack's end-of-support table, the run's date)."""
    from medlint.systems import project_for

    today = datetime.date.fromisoformat(report.evaluation_date)
    table = report.pack.table("end-of-support")
    return [
        build_inventory(
            project_for(report.project, run.system), safety_class=run.decision.value, table=table, today=today
        )
        for run in report.systems
    ]


def soup_items(report: Report) -> tuple[SoupItem, ...]:
    """Every SOUP component of every system of the report (module docstring), sorted by system, then
    component, version and scope."""
    from medlint.systems import project_for

    items: list[SoupItem] = []
    for run, inventory in zip(report.systems, system_inventories(report), strict=True):
        supplied = project_for(report.project, run.system).supplied_sboms()
        for component in inventory.components:
            if component.soup:
                items.append(_item(inventory.system, component, supplied))
    return tuple(sorted(items, key=lambda item: (item.system, item.component, item.version, item.scope)))


def _item(system: str, component: Component, supplied: Sequence[SuppliedSbom] | None) -> SoupItem:
    entry = _listed(component, supplied) if supplied is not None else None

    def value(derived: object, field_name: str) -> str:
        if entry is not None:
            located = entry.field(field_name)
            if located is not None and str(located.value).strip():
                return str(located.value).strip()
        return getattr(derived, "value", "") or ""

    evidence = component.evidence[0] if component.evidence else None
    return SoupItem(
        system=system,
        component=component.name,
        version=component.version or "",
        kind=str(component.kind),
        purl=component.purl or "",
        supplier=value(component.supplier, "supplier"),
        scope=str(component.scope),
        level_of_support=value(component.level_of_support, "level-of-support"),
        end_of_support=value(component.end_of_support, "end-of-support"),
        covered=None if supplied is None else entry is not None,
        location=f"{evidence.path}:{evidence.line}" if evidence is not None else "",
    )


def _listed(component: Component, sboms: Iterable[SuppliedSbom]) -> SuppliedComponent | None:
    """The supplied entry that lists this component: images by canonical repository plus tag or digest;
    packages and charts by purl type, namespace and name plus version, else by name and version."""
    for sbom in sboms:
        for entry in sbom.components:
            if _matches(component, entry):
                return entry
    return None


def _matches(component: Component, entry: SuppliedComponent) -> bool:
    mine = parse_purl(component.purl) if component.purl else None
    if component.kind is ComponentKind.IMAGE:
        if entry.image is None or mine is None:
            return False
        if entry.image.canonical_name != mine.qualifiers.get("repository_url"):
            return False
        if component.digest is not None and (
            component.digest == entry.image.digest or component.digest in entry.digests
        ):
            return True
        return entry.image.tag is not None and entry.image.tag == mine.qualifiers.get("tag")
    version = entry.version.value if entry.version is not None else None
    theirs = parse_purl(entry.purl) if entry.purl else None
    if mine is not None and theirs is not None:
        same = (mine.type, (mine.namespace or "").lower(), mine.name.lower()) == (
            theirs.type,
            (theirs.namespace or "").lower(),
            theirs.name.lower(),
        )
        return same and (component.version is None or component.version in (theirs.version, version))
    return entry.name.lower() == component.name.lower() and (
        component.version is None or component.version == version
    )
