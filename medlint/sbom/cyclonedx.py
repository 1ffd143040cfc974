"""The inventory as a CycloneDX 1.6 BOM (JSON or XML), through cyclonedx-python-lib.

Imported only by `medlint sbom` (the library is loaded when a BOM is written). Layout (docs/sbom.md):
- `metadata.component` is the system (type application) with its safety class; `metadata.tools` names medlint;
- every inventory component is a component with its purl as `bom-ref`, `scope` required (deployed) or
  excluded (build-only), `supplier`, `hashes` (SHA-256 of a pinned digest), `evidence.occurrences` (file,
  line, `offset` = column, `additionalContext` = what declares it) and the `medlint:` properties;
- `dependencies`: system -> charts, built images and directly deployed images; chart -> subchart -> image;
  built image -> base image, build images, packages.

The serial number is a UUID v5 of the SHA-256 of the document written with a zero serial, unless one is given,
so the same inventory on the same date gives the same bytes.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from typing import Any

from medlint.sbom.fields import component_fields, system_properties
from medlint.sbom.inventory import Component, ComponentKind, Inventory, Scope

#: UUID v5 namespace of medlint's serial numbers (a v5 UUID of the URL of medlint's SBOM documentation).
SERIAL_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://medlint.dev/docs/sbom")


def content_serial(text: str) -> uuid.UUID:
    """The serial number of a document: UUID v5 of the SHA-256 of its text."""
    return uuid.uuid5(SERIAL_NAMESPACE, hashlib.sha256(text.encode("utf-8")).hexdigest())


#: The serial number a document is first rendered with; the content serial then takes its place in the text.
PLACEHOLDER = uuid.UUID(int=0)


def with_content_serial(text: str) -> str:
    """A document rendered with the placeholder serial, with its content serial in its place: rendering once
    (the SBOM libraries take seconds on thousands of components) gives the bytes a second rendering with the
    content serial would give. Raises ValueError (a usage error) if the placeholder is not there exactly once."""
    placeholder = str(PLACEHOLDER)
    if text.count(placeholder) != 1:
        raise ValueError("the rendered SBOM does not hold its placeholder serial exactly once")
    return text.replace(placeholder, str(content_serial(text)))


def _component_type(component: Component) -> Any:
    from cyclonedx.model.component import ComponentType

    if component.kind in (ComponentKind.IMAGE, ComponentKind.BUILT_IMAGE):
        return ComponentType.CONTAINER
    if component.kind is ComponentKind.CHART:
        return ComponentType.APPLICATION
    return ComponentType.LIBRARY


def _bom(inventory: Inventory, timestamp: datetime.datetime, serial: uuid.UUID, tool_version: str) -> Any:
    from cyclonedx.model import HashAlgorithm, HashType, Property
    from cyclonedx.model.bom import Bom, BomMetaData
    from cyclonedx.model.bom_ref import BomRef
    from cyclonedx.model.component import Component as CdxComponent
    from cyclonedx.model.component import ComponentScope, ComponentType
    from cyclonedx.model.component_evidence import ComponentEvidence, Occurrence
    from cyclonedx.model.contact import OrganizationalEntity
    from cyclonedx.model.dependency import Dependency
    from packageurl import PackageURL

    refs = {component.ref: BomRef(component.ref) for component in inventory.components}
    root_ref = BomRef(inventory.ref)
    components = []
    for component in inventory.components:
        laid = component_fields(component, inventory)
        hashes = []
        if component.digest and component.digest.startswith("sha256:"):
            hashes.append(HashType(alg=HashAlgorithm.SHA_256, content=component.digest.split(":", 1)[1]))
        occurrences = [
            Occurrence(
                location=item.path, line=item.line, offset=item.column, additional_context=item.context
            )
            for item in component.evidence
        ]
        components.append(
            CdxComponent(
                name=component.name,
                version=component.version,
                type=_component_type(component),
                bom_ref=refs[component.ref],
                scope=ComponentScope.REQUIRED
                if component.scope is Scope.DEPLOYED
                else ComponentScope.EXCLUDED,
                supplier=OrganizationalEntity(name=laid.supplier) if laid.supplier else None,
                purl=PackageURL.from_string(component.purl) if component.purl else None,
                hashes=hashes,
                evidence=ComponentEvidence(occurrences=occurrences) if occurrences else None,
                properties=[Property(name=name, value=value) for name, value in laid.properties],
            )
        )
    system = CdxComponent(
        name=inventory.system,
        version=inventory.version,
        type=ComponentType.APPLICATION,
        bom_ref=root_ref,
        properties=[Property(name=name, value=value) for name, value in system_properties(inventory)],
    )
    metadata = BomMetaData(component=system, timestamp=timestamp)
    metadata.tools.components.add(
        CdxComponent(
            name="medlint",
            version=tool_version,
            type=ComponentType.APPLICATION,
            bom_ref=BomRef(f"tool:medlint@{tool_version}"),
        )
    )
    bom = Bom(components=components, metadata=metadata, serial_number=serial)
    bom.dependencies.add(
        Dependency(ref=root_ref, dependencies=[Dependency(ref=refs[r]) for r in inventory.depends_on])
    )
    for component in inventory.components:
        bom.dependencies.add(
            Dependency(
                ref=refs[component.ref], dependencies=[Dependency(ref=refs[r]) for r in component.depends_on]
            )
        )
    return bom


def write_cyclonedx(
    inventory: Inventory,
    *,
    xml: bool = False,
    timestamp: datetime.datetime,
    tool_version: str,
    serial: uuid.UUID | None = None,
) -> str:
    """The BOM as CycloneDX 1.6 JSON (or XML), deterministic for the same inventory and timestamp."""
    from cyclonedx.output.json import JsonV1Dot6
    from cyclonedx.output.xml import XmlV1Dot6

    def render(number: uuid.UUID) -> str:
        bom = _bom(inventory, timestamp, number, tool_version)
        output = XmlV1Dot6(bom) if xml else JsonV1Dot6(bom)
        return output.output_as_string(indent=2) + "\n"

    if serial is not None:
        return render(serial)
    return with_content_serial(render(PLACEHOLDER))
