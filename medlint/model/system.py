"""Systems: the artifacts of one released device (or of one configured product or overlay), checked together.

IEC 62304 asks for one identified release (5.8, 8.1): one version, one safety class and one build across
every artifact that ships it. A `System` says which artifacts that is. By default everything one invocation
reads is one system; the configuration may declare several (`systems:`), each with path globs, and each is
checked on its own: the engine hands every rule a project holding only that system's artifacts, with
`Project.system` set, so the cross-artifact rules (MD9xx, MD307) compare what belongs together and name the
system in their findings.

The settings the system rules read live here too: which images are the device's own (their tags are
versions of this release; every other image is SOUP), how independently versioned components are grouped,
and which Secrets, ConfigMaps and claims are provisioned outside the scanned artifacts. `own_images` answers
"is this image ours?" for every rule that asks (MD901 now, the SBOM per system later), from the configured
repository prefixes and from what the system itself builds.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from medlint.model.images import ImageRef, parse_image_reference
from medlint.model.location import Location

if TYPE_CHECKING:
    from medlint.model.core import Chart, ComposeProject, Dockerfile

#: OCI annotation whose value names what a Dockerfile builds (`org.opencontainers.image.title`).
TITLE_LABEL = "org.opencontainers.image.title"


@dataclass(frozen=True, slots=True)
class VersionGroup:
    """Independently versioned components (configuration `version_groups`): carriers of these images, or of
    these artifact files, agree among themselves and are not compared with the rest of the system."""

    name: str
    #: Repository prefixes of the group's images (`registry.example.com/device/bridge`).
    images: tuple[str, ...] = ()
    #: Repository-relative artifact files whose carriers belong to the group (resolved from `paths` globs).
    files: frozenset[str] = frozenset()

    def holds_image(self, image: ImageRef) -> bool:
        return any(repository_matches(image, prefix) for prefix in self.images)


@dataclass(frozen=True, slots=True)
class System:
    """One system: its name, where that name and boundary came from, and the settings of its system rules.

    `files` is None for the default system (everything the run read); a configured system lists the
    repository-relative files its `paths` globs matched.
    """

    name: str
    origin: str  # how the system was defined ("the chart's name in chart/Chart.yaml", "systems[0] in .medlint.yaml")
    configured: bool = False
    globs: tuple[str, ...] = ()
    files: frozenset[str] | None = None
    safety_class: str | None = None  # the configured class (system entry, else the configuration's)
    #: Configured repository prefixes of the device's own images (in addition to what the system builds).
    own_image_prefixes: tuple[str, ...] = ()
    version_groups: tuple[VersionGroup, ...] = ()
    #: Names (globs; `namespace/name` to restrict the namespace) provisioned outside the scanned artifacts.
    external_secrets: tuple[str, ...] = ()
    external_config_maps: tuple[str, ...] = ()
    external_volume_claims: tuple[str, ...] = ()
    #: The supplied SBOMs (SOUP inventories) of the system, by the path `Project.sboms` names them with:
    #: `--sbom` for every system, else the configuration's `sbom:`. Empty: none supplied (MD904 says so).
    sboms: tuple[str, ...] = ()
    #: Where the configuration declares the system (None for the default system).
    declared_at: Location | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        """How findings name the system: `system "infusion-pump"`."""
        return f'system "{self.name}"'

    def version_group(self, image: ImageRef | None = None, path: str | None = None) -> VersionGroup | None:
        """The configured version group a carrier belongs to: by its image, else by its file; None: the
        system's own release version."""
        for group in self.version_groups:
            if image is not None and group.holds_image(image):
                return group
        for group in self.version_groups:
            if path is not None and path in group.files:
                return group
        return None


DEFAULT_SYSTEM = System(name="default", origin="every artifact of the run")


def repository_matches(image: ImageRef, prefix: str) -> bool:
    """Whether an image lies under a configured repository prefix (`registry.example.com/device`), compared by
    canonical name (`nginx` is `docker.io/library/nginx`); `*` and `?` in the prefix are globs."""
    written = prefix.strip().rstrip("/")
    if not written:
        return False
    wanted = parse_image_reference(written, image.location).canonical_name
    if any(char in written for char in "*?["):
        return fnmatch.fnmatchcase(image.canonical_name, wanted) or fnmatch.fnmatchcase(
            image.canonical_name, wanted + "/*"
        )
    name = image.canonical_name
    return name == wanted or name.startswith(wanted + "/")


def _last_segment(image: ImageRef) -> str:
    return image.repository.rsplit("/", 1)[-1].lower()


@dataclass(frozen=True, slots=True)
class OwnImages:
    """Which images are the device's own, and why (for messages): configured prefixes, images a Compose
    service builds (`build:` with `image:`), and images named after a scanned chart or a Dockerfile's
    `org.opencontainers.image.title`. Everything else is third-party software (SOUP)."""

    prefixes: tuple[str, ...] = ()
    built: frozenset[str] = frozenset()  # canonical names of images Compose services build
    names: frozenset[str] = frozenset()  # chart names and Dockerfile titles, lower-case

    def reason(self, image: ImageRef | None) -> str | None:
        """Why the image is one of the system's own; None when it is third-party (or unreadable)."""
        if image is None or image.unresolved or image.is_stage or image.is_scratch or not image.repository:
            return None
        for prefix in self.prefixes:
            if repository_matches(image, prefix):
                return f"under the configured own-image prefix {prefix}"
        if image.canonical_name in self.built:
            return "built by a Compose service"
        if _last_segment(image) in self.names:
            return "named after a scanned chart or image title"
        return None

    def holds(self, image: ImageRef | None) -> bool:
        return self.reason(image) is not None


def own_images_of(
    system: System,
    dockerfiles: Iterable[Dockerfile],
    compose_projects: Iterable[ComposeProject],
    charts: Iterable[Chart],
) -> OwnImages:
    """The own images of a system (see OwnImages), from its artifacts; `Project.own_images` keeps the answer."""
    built = {
        container.image.canonical_name
        for compose in compose_projects
        for service in compose.services
        if service.has_build
        for container in service.workload.containers
        if container.image is not None and not container.image.unresolved and container.image.repository
    }
    names: set[str] = set()
    for chart in charts:
        if chart.name is not None and str(chart.name.value or "").strip():
            names.add(str(chart.name.value).strip().lower())
    for dockerfile in dockerfiles:
        for stage in dockerfile.final_chain():
            for instruction in stage.instructions:
                if instruction.keyword != "LABEL":
                    continue
                for key, located in instruction.pairs:
                    value = (located.value or "").strip()
                    if key == TITLE_LABEL and value and "$" not in value:
                        names.add(value.lower())
    return OwnImages(system.own_image_prefixes, frozenset(built), frozenset(names))
