"""Supplied SBOMs: the SOUP inventory a team keeps (`--sbom FILE`, `sbom:` in the configuration), as MD904 and
MD114 read it.

The files are read by `medlint.sbom.read` (CycloneDX 1.x JSON or XML, SPDX 2.x JSON) through the bounded
reader, before any rule runs; checks see only these frozen values, each field with the place in the file
where it is written, so a finding about a missing supplier points at the component that lacks it. Which
files a system uses is the system's `sboms` (medlint.model.system): the command line's `--sbom` for every
system, else the configuration's `sbom:` (per system where `systems:` sets one).

The field names read from each format are documented in docs/sbom.md; in short:
- CycloneDX: `name`, `version`, `supplier.name` (or `manufacturer.name`), `purl`, `hashes` (SHA-256), and the
  properties `medlint:level-of-support`, `medlint:end-of-support`, `medlint:requirement-ref`,
  `medlint:anomaly-review-date`;
- SPDX 2.x: `name`, `versionInfo`, `supplier`, the `purl` external reference, `checksums` (SHA256),
  `validUntilDate` (end of support), and annotations whose comment reads `medlint:<name>=<value>`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from medlint.model.common import Located, TextEnum
from medlint.model.location import Location

#: The SOUP fields a person fills in, by the property name (under `medlint:`) that carries each.
LEVEL_OF_SUPPORT = "level-of-support"
END_OF_SUPPORT = "end-of-support"
REQUIREMENT_REF = "requirement-ref"
ANOMALY_REVIEW = "anomaly-review-date"
SUPPLIER = "supplier"
#: Level-of-support values that say the component is no longer maintained (MD114), compared in lower case
#: with `-` and `_` read as spaces.
UNSUPPORTED_LEVELS = frozenset({"no longer maintained", "abandoned", "unmaintained", "end of life"})


class SbomFormat(TextEnum):
    """The SBOM formats medlint reads and writes."""

    CYCLONEDX_JSON = "cyclonedx-json"
    CYCLONEDX_XML = "cyclonedx-xml"
    SPDX_JSON = "spdx-json"


@dataclass(frozen=True, slots=True)
class ImageIdentity:
    """What a supplied component says about a container image: its canonical repository (`docker.io/library/
    redis`), tag and digest, as images are compared everywhere (medlint.model.images)."""

    canonical_name: str
    tag: str | None = None
    digest: str | None = None


@dataclass(frozen=True, slots=True)
class SuppliedComponent:
    """One entry of a supplied SBOM: its identity and the SOUP fields, each where it is written.

    `generated` names the fields whose value medlint itself derived when it wrote the file (the value still
    equals its `medlint:<field>:generated` record); MD114 leaves those to its table-based findings.
    `soup` is False for an entry marked as the system's own software (`medlint:soup=false`).
    `properties` keeps every property as written (SPDX: the `medlint:` annotations), for `--merge`.
    """

    name: str
    location: Location
    kind: str = ""  # CycloneDX type or SPDX primaryPackagePurpose, lower case ("container", "library")
    bom_ref: str | None = None
    purl: str | None = None
    version: Located[str] | None = None
    supplier: Located[str] | None = None
    level_of_support: Located[str] | None = None
    end_of_support: Located[str] | None = None
    requirement_ref: Located[str] | None = None
    anomaly_review: Located[str] | None = None
    image: ImageIdentity | None = None
    digests: tuple[str, ...] = ()  # `sha256:<hex>` of the component (hashes, checksums, purl version)
    generated: frozenset[str] = frozenset()
    soup: bool = True
    properties: tuple[tuple[str, Located[str]], ...] = ()

    def field(self, name: str) -> Located[str] | None:
        """A SOUP field by its property name (`supplier`, `level-of-support`, ...)."""
        return {
            SUPPLIER: self.supplier,
            LEVEL_OF_SUPPORT: self.level_of_support,
            END_OF_SUPPORT: self.end_of_support,
            REQUIREMENT_REF: self.requirement_ref,
            ANOMALY_REVIEW: self.anomaly_review,
            "version": self.version,
        }.get(name)

    @property
    def label(self) -> str:
        """How messages name the entry: `redis 6-alpine`."""
        version = self.version.value if self.version is not None else ""
        return f"{self.name} {version}".strip()


@dataclass(frozen=True, slots=True)
class SuppliedSbom:
    """One supplied SBOM file, read: where it is, its format and its components (nested ones flattened, the
    document's own subject left out)."""

    path: str  # as findings name it: repository-relative when inside the scanned repository
    format: SbomFormat
    spec_version: str
    location: Location  # the document itself (line 1)
    components: tuple[SuppliedComponent, ...] = ()
    #: The document's subject (CycloneDX metadata.component, the package an SPDX document describes).
    subject: str | None = None
    serial: str | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        return f"{self.path} ({self.format}, {len(self.components)} components)"
