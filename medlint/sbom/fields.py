"""What each written component says beyond its identity: the SOUP fields and the `medlint:` properties.

Both writers (CycloneDX, SPDX) lay a component out from `component_fields`, so the two formats carry the same
facts under the same names (docs/sbom.md maps them):
- the SOUP fields people complete: supplier, `medlint:level-of-support`, `medlint:end-of-support`, and for
  classes B and C `medlint:requirement-ref` and `medlint:anomaly-review-date`. A field medlint derived is
  written with `medlint:<field>:source` (where the value comes from) and `medlint:<field>:generated` (the
  value it wrote), so a later `--merge` refreshes it while it is still medlint's and keeps it once a person
  changed it; a field nobody knows yet is written empty, as a place to fill in;
- the facts medlint records (`GENERATED`): scope, SOUP or own, kind, how the component is written...
"""

from __future__ import annotations

from dataclasses import dataclass

from medlint.model.sbom import ANOMALY_REVIEW, END_OF_SUPPORT, LEVEL_OF_SUPPORT, REQUIREMENT_REF, SUPPLIER
from medlint.sbom.inventory import Component, Derived, Inventory

PREFIX = "medlint:"
#: SOUP fields for every class (IEC 62304 8.1.2 identification, FDA level and end of support).
IDENTIFICATION_FIELDS = (SUPPLIER, LEVEL_OF_SUPPORT, END_OF_SUPPORT)
#: SOUP fields classes B and C add (IEC 62304 5.3.3/5.3.4 requirements, 7.1.3 anomaly review).
RISK_FIELDS = (REQUIREMENT_REF, ANOMALY_REVIEW)
SOUP_FIELDS = IDENTIFICATION_FIELDS + RISK_FIELDS
#: Properties medlint writes from the artifacts: regenerated on every run, never kept as entered.
GENERATED = frozenset(
    {
        "medlint:scope",
        "medlint:soup",
        "medlint:kind",
        "medlint:image",
        "medlint:pinned",
        "medlint:built-from",
        "medlint:package-manager",
        "medlint:ecosystem",
        "medlint:distribution",
        "medlint:written",
        "medlint:repository",
        "medlint:version-constraint",
        "medlint:condition",
        "medlint:vendored-in",
        "medlint:chart-directory",
        "medlint:app-version",
        "medlint:system",
        "medlint:system-origin",
        "medlint:safety-class",
        "medlint:evaluation-date",
        "medlint:end-of-support-table",
    }
    | {f"{PREFIX}{name}:{suffix}" for name in SOUP_FIELDS for suffix in ("source", "generated")}
)


def needs_risk_fields(safety_class: str) -> bool:
    return safety_class.upper() in ("B", "C")


@dataclass(frozen=True, slots=True)
class Laid:
    """A component as written: its supplier (None: unknown) and every property (name, value), in order."""

    supplier: str | None
    properties: tuple[tuple[str, str], ...]
    #: The SOUP fields by name as written ("" when empty); SPDX writes end of support as validUntilDate.
    fields: dict[str, str]


def _derived(component: Component, name: str) -> Derived | None:
    return {
        SUPPLIER: component.supplier,
        LEVEL_OF_SUPPORT: component.level_of_support,
        END_OF_SUPPORT: component.end_of_support,
    }.get(name)


def component_fields(component: Component, inventory: Inventory) -> Laid:
    """The supplier and properties of a component (module docstring)."""
    entered = dict(component.entered)
    properties: list[tuple[str, str]] = list(component.properties)
    properties.append(("medlint:kind", str(component.kind)))
    fields: dict[str, str] = {}
    supplier: str | None = None
    if component.soup:
        wanted = SOUP_FIELDS if needs_risk_fields(inventory.safety_class) else IDENTIFICATION_FIELDS
        for name in SOUP_FIELDS:
            derived = _derived(component, name)
            value: str | None = entered.get(name)
            if value is None and derived is not None:
                value = derived.value
                properties.append((f"{PREFIX}{name}:source", derived.source))
                properties.append((f"{PREFIX}{name}:generated", derived.value))
            if value is None and name not in wanted:
                continue
            fields[name] = value or ""
            if name == SUPPLIER:
                supplier = value or None
                if not value:
                    properties.append((f"{PREFIX}{SUPPLIER}", ""))
            else:
                properties.append((f"{PREFIX}{name}", value or ""))
    for name, value in component.entered:
        if name not in SOUP_FIELDS:
            properties.append((name, value))
    return Laid(supplier, tuple(sorted(properties)), fields)


def system_properties(inventory: Inventory) -> tuple[tuple[str, str], ...]:
    """The properties of the SBOM's subject: the system, its class and how the inventory was evaluated."""
    return (
        ("medlint:end-of-support-table", inventory.table_version),
        ("medlint:evaluation-date", inventory.evaluation_date.isoformat()),
        ("medlint:safety-class", inventory.safety_class),
        ("medlint:system", inventory.system),
        ("medlint:system-origin", inventory.system_origin),
    )
