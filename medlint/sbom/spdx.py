"""The inventory as an SPDX 2.3 JSON document, through spdx-tools (validated by it before it is written).

Imported only by `medlint sbom --format spdx-json`. Layout (docs/sbom.md):
- the document DESCRIBES one package, the system (purpose APPLICATION), annotated with its safety class;
- every inventory component is a package: `versionInfo`, `supplier` (an Organization, else NOASSERTION),
  the purl as a PACKAGE-MANAGER external reference, `checksums` (SHA256 of a pinned digest),
  `primaryPackagePurpose` (CONTAINER, APPLICATION for charts, LIBRARY for packages), `validUntilDate` (the end
  of support, when it is a date), `sourceInfo` (where it is declared: file:line:column and what declares it),
  and one annotation per `medlint:` property, its comment reading `medlint:<name>=<value>`;
- relationships: a deployed dependency is `DEPENDS_ON`, a build-only one `BUILD_DEPENDENCY_OF` its owner.

SPDX has no field for the evidence's positions, the scope or the level of support; the annotations carry them.
The document namespace ends in a UUID v5 of the document's content (or `--serial`), so the same inventory on
the same date gives the same bytes.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import uuid
from typing import Any
from urllib.parse import quote

from medlint.model.sbom import END_OF_SUPPORT
from medlint.model.support import end_date
from medlint.sbom.cyclonedx import PLACEHOLDER, with_content_serial
from medlint.sbom.fields import component_fields, system_properties
from medlint.sbom.inventory import Component, ComponentKind, Inventory, Scope

NAMESPACE_BASE = "https://medlint.dev/spdxdocs/"


class SpdxInvalid(Exception):
    """spdx-tools rejected the document medlint built (a medlint bug): the messages it gave."""


def spdx_id(ref: str, name: str) -> str:
    """A stable SPDX element id: the name made safe, and 10 hex digits of the component's ref."""
    safe = re.sub(r"[^A-Za-z0-9.-]+", "-", name).strip("-")[:60] or "component"
    return f"SPDXRef-{safe}-{hashlib.sha256(ref.encode('utf-8')).hexdigest()[:10]}"


def _purpose(component: Component) -> Any:
    from spdx_tools.spdx.model import PackagePurpose

    if component.kind in (ComponentKind.IMAGE, ComponentKind.BUILT_IMAGE):
        return PackagePurpose.CONTAINER
    if component.kind is ComponentKind.CHART:
        return PackagePurpose.APPLICATION
    return PackagePurpose.LIBRARY


def _document(
    inventory: Inventory, timestamp: datetime.datetime, serial: uuid.UUID, tool_version: str
) -> Any:
    from spdx_tools.spdx.model import (
        Actor,
        ActorType,
        Annotation,
        AnnotationType,
        Checksum,
        ChecksumAlgorithm,
        CreationInfo,
        Document,
        ExternalPackageRef,
        ExternalPackageRefCategory,
        Package,
        PackagePurpose,
        Relationship,
        RelationshipType,
        SpdxNoAssertion,
    )

    tool = Actor(ActorType.TOOL, f"medlint-{tool_version}")
    ids = {component.ref: spdx_id(component.ref, component.name) for component in inventory.components}
    root_id = spdx_id(inventory.ref, inventory.system)
    packages = [
        Package(
            spdx_id=root_id,
            name=inventory.system,
            download_location=SpdxNoAssertion(),
            version=inventory.version,
            files_analyzed=False,
            primary_package_purpose=PackagePurpose.APPLICATION,
            comment=f"The system {inventory.system} ({inventory.system_origin}); its SOUP inventory by medlint.",
        )
    ]
    annotations = [
        Annotation(root_id, AnnotationType.OTHER, tool, timestamp, f"{name}={value}")
        for name, value in system_properties(inventory)
    ]
    scope = {component.ref: component.scope for component in inventory.components}
    for component in inventory.components:
        laid = component_fields(component, inventory)
        package_id = ids[component.ref]
        ends = laid.fields.get(END_OF_SUPPORT, "")
        valid_until = end_date(ends) if ends else None
        properties = list(laid.properties)
        if valid_until is not None and ends:
            properties = [(name, value) for name, value in properties if name != f"medlint:{END_OF_SUPPORT}"]
        places = "; ".join(
            f"{item.path}:{item.line}:{item.column} ({item.context})" for item in component.evidence
        )
        packages.append(
            Package(
                spdx_id=package_id,
                name=component.name,
                download_location=SpdxNoAssertion(),
                version=component.version,
                supplier=Actor(ActorType.ORGANIZATION, laid.supplier) if laid.supplier else SpdxNoAssertion(),
                files_analyzed=False,
                checksums=[Checksum(ChecksumAlgorithm.SHA256, component.digest.split(":", 1)[1])]
                if component.digest and component.digest.startswith("sha256:")
                else [],
                source_info=f"declared at {places}" if places else None,
                external_references=[
                    ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", component.purl)
                ]
                if component.purl
                else [],
                primary_package_purpose=_purpose(component),
                valid_until_date=datetime.datetime.combine(
                    valid_until, datetime.time(), datetime.timezone.utc
                )
                if valid_until is not None
                else None,
            )
        )
        annotations.extend(
            Annotation(package_id, AnnotationType.OTHER, tool, timestamp, f"{name}={value}")
            for name, value in properties
        )
    relationships = [Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, root_id)]

    def relate(owner_id: str, ref: str) -> None:
        if scope[ref] is Scope.BUILD_ONLY:
            relationships.append(Relationship(ids[ref], RelationshipType.BUILD_DEPENDENCY_OF, owner_id))
        else:
            relationships.append(Relationship(owner_id, RelationshipType.DEPENDS_ON, ids[ref]))

    for ref in inventory.depends_on:
        relate(root_id, ref)
    for component in inventory.components:
        for ref in component.depends_on:
            relate(ids[component.ref], ref)
    creation = CreationInfo(
        spdx_version="SPDX-2.3",
        spdx_id="SPDXRef-DOCUMENT",
        name=f"{inventory.system} SOUP inventory",
        document_namespace=f"{NAMESPACE_BASE}{quote(inventory.system, safe='')}-{serial}",
        creators=[tool],
        created=timestamp,
        creator_comment=f"Generated by medlint {tool_version} from the system's artifacts (docs/sbom.md).",
    )
    return Document(creation, packages=packages, annotations=annotations, relationships=relationships)


def write_spdx(
    inventory: Inventory,
    *,
    timestamp: datetime.datetime,
    tool_version: str,
    serial: uuid.UUID | None = None,
) -> str:
    """The inventory as SPDX 2.3 JSON; raises SpdxInvalid when spdx-tools finds the document invalid."""
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document
    from spdx_tools.spdx.writer.json.json_writer import write_document_to_stream

    def render(number: uuid.UUID) -> str:
        document = _document(inventory, timestamp, number, tool_version)
        problems = validate_full_spdx_document(document)
        if problems:
            raise SpdxInvalid("; ".join(sorted(problem.validation_message for problem in problems))[:2000])
        stream = io.StringIO()
        write_document_to_stream(document, stream, validate=False)
        return stream.getvalue().rstrip("\n") + "\n"

    if serial is not None:
        return render(serial)
    return with_content_serial(render(PLACEHOLDER))
