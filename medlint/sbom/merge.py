"""`medlint sbom --merge OLD`: regenerate the inventory and keep what people entered in the SBOM kept in the
repository.

Every component of the new inventory is matched with its entry in the old SBOM: by bom-ref (medlint writes
the purl there, so an entry it wrote before matches exactly), else by purl, else by the image it names, else by
name and version. From a matched entry it keeps
- each SOUP field a person filled in: supplier, level of support, end of support, requirement reference,
  anomaly-review date. A value medlint derived itself (it still equals its `medlint:<field>:generated` record)
  is not kept but derived again, so it follows the end-of-support table and the date; a value that differs
  from that record was changed by a person and is kept from then on;
- every other property a person added (any name that is not one medlint writes itself).
Entries for components no longer in the inventory are dropped; new components come with empty fields (or what
medlint derives). Merging the output again changes nothing, so the result is byte-identical.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from medlint.model.sbom import SuppliedComponent, SuppliedSbom
from medlint.sbom.fields import GENERATED, PREFIX, SOUP_FIELDS
from medlint.sbom.inventory import Component, Inventory
from medlint.sbom.read import image_identity


@dataclass(frozen=True, slots=True)
class MergeSummary:
    """What a merge did, for the command's message."""

    kept_components: int  # new components that took values from the old file
    kept_values: int  # values and properties kept
    added: int  # components the old file did not have
    dropped: tuple[str, ...]  # labels of old entries no longer in the inventory

    def lines(self, path: str) -> list[str]:
        text = [
            f"Merged with {path}: kept {self.kept_values} value(s) people entered on {self.kept_components} "
            f"component(s), added {self.added} new component(s), dropped {len(self.dropped)} no longer used."
        ]
        text += [f"  dropped: {label}" for label in self.dropped[:20]]
        if len(self.dropped) > 20:
            text.append(f"  ... and {len(self.dropped) - 20} more")
        return text


def _keys(component: Component) -> list[tuple[str, ...]]:
    keys: list[tuple[str, ...]] = [("ref", component.ref)]
    if component.purl:
        keys.append(("purl", component.purl))
        image = image_identity(component.purl, "container", component.name, component.version)
        if image is not None:
            keys.append(("image", image.canonical_name, image.tag or "", image.digest or ""))
    keys.append(("name", component.name, component.version or ""))
    return keys


def _old_keys(entry: SuppliedComponent) -> list[tuple[str, ...]]:
    keys: list[tuple[str, ...]] = []
    if entry.bom_ref:
        keys.append(("ref", entry.bom_ref))
    if entry.purl:
        keys.append(("purl", entry.purl))
    if entry.image is not None:
        keys.append(("image", entry.image.canonical_name, entry.image.tag or "", entry.image.digest or ""))
    keys.append(("name", entry.name, entry.version.value if entry.version is not None else ""))
    return keys


def entered_values(entry: SuppliedComponent) -> tuple[tuple[str, str], ...]:
    """What a person entered in an old entry: SOUP fields (by field name) and other properties (by name)."""
    kept: list[tuple[str, str]] = []
    for name in SOUP_FIELDS:
        value = entry.field(name)
        if value is not None and value.value.strip() and name not in entry.generated:
            kept.append((name, value.value.strip()))
    fields = {f"{PREFIX}{name}" for name in SOUP_FIELDS}
    for name, value in entry.properties:
        if name in GENERATED or name in fields:
            continue
        kept.append((name, value.value))
    return tuple(kept)


def merge_inventory(inventory: Inventory, old: Iterable[SuppliedSbom]) -> tuple[Inventory, MergeSummary]:
    """The inventory with the values people entered in `old` (module docstring)."""
    index: dict[tuple[str, ...], SuppliedComponent] = {}
    entries = [entry for sbom in old for entry in sbom.components]
    for entry in entries:
        for key in _old_keys(entry):
            index.setdefault(key, entry)
    used: set[int] = set()
    merged: list[Component] = []
    kept_components = kept_values = added = 0
    for component in inventory.components:
        found = next(
            (index[key] for key in _keys(component) if key in index and id(index[key]) not in used), None
        )
        if found is None:
            added += 1
            merged.append(component)
            continue
        used.add(id(found))
        values = entered_values(found)
        if values:
            kept_components += 1
            kept_values += len(values)
        merged.append(replace(component, entered=values))
    dropped = tuple(sorted(entry.label or entry.name for entry in entries if id(entry) not in used))
    summary = MergeSummary(kept_components, kept_values, added, dropped)
    return replace(inventory, components=tuple(merged)), summary
