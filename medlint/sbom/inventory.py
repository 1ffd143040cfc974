"""The SOUP inventory of one system, built by a pure function from its `Project`.

It lists what the system's artifacts say it is made of, each component with where it is declared:
- every container image it deploys (Compose services, Kubernetes and rendered Helm containers of every kind:
  init containers and sidecars too), the base image of each Dockerfile's final stage, the images `COPY
  --from` copies files out of into it (deployed), and the images of build stages, `RUN --mount=from` and the
  `# syntax=` frontend (build-only);
- the OS packages installed in each Dockerfile's final stage and the stages it builds on (deb, apk or rpm,
  the distribution read from the base image; packages removed again in those stages are left out);
- the language dependencies installed by RUN lines (pip, with the requirement files MD104 reads; npm, yarn,
  gem, go, cargo), deployed when installed in the final stage's lineage, else build-only;
- the Helm chart dependencies, at the version `Chart.lock` or the vendored chart records, else with the
  constraint `Chart.yaml` writes.

The system's own software (its images, the charts scanned, what its Dockerfiles build) is listed too, marked
as not SOUP. Dependencies are chart -> subchart -> image, and image -> base image (plus the packages and
build images of what a Dockerfile builds). Supplier, level of support and end of support are filled where
medlint can derive them (the registry account, the distribution, the end-of-support table), each with the
source it came from; everything else is left for people to fill in (docs/sbom.md).

The order of everything is fixed, so the same project gives the same inventory, and the same bytes once
written.
"""

from __future__ import annotations

import datetime
import functools
import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace

from medlint.model import (
    ArtifactKind,
    Chart,
    Dockerfile,
    HelmOrigin,
    ImageRef,
    Project,
    Stage,
    TextEnum,
    Workload,
)
from medlint.model.images import DOCKER_HUB
from medlint.model.package_managers import (
    LanguageInstall,
    is_local_package_file,
    language_install,
    npm_package_name,
    os_package_command,
    os_package_name,
    os_package_pinned,
    pip_requirement_pinned,
    requirement_name,
)
from medlint.model.pip_files import build_context_files, pip_files
from medlint.model.run_commands import Resolver, run_steps
from medlint.model.support import SupportEntry, chart_entries, matching_entries
from medlint.model.system import TITLE_LABEL
from medlint.sbom.distributions import DEFAULT_VENDORS, VENDOR_SUPPLIERS, Distribution, distribution_of
from medlint.sbom.purl import build_purl

#: Level-of-support values medlint writes (FDA premarket cybersecurity guidance V.A.4(b) names these).
ACTIVELY_MAINTAINED = "actively maintained"
NO_LONGER_MAINTAINED = "no longer maintained"


class ComponentKind(TextEnum):
    """What a component is."""

    IMAGE = "image"
    CHART = "chart"
    OS_PACKAGE = "os-package"
    LANGUAGE_PACKAGE = "language-package"
    BUILT_IMAGE = "built-image"  # what a Dockerfile builds, when nothing names the image


class Scope(TextEnum):
    """Whether a component ships with the system or is only used to build it (IEC 62304 5.1.10 supporting
    items)."""

    DEPLOYED = "deployed"
    BUILD_ONLY = "build-only"


_KIND_ORDER = {
    ComponentKind.BUILT_IMAGE: 0,
    ComponentKind.IMAGE: 1,
    ComponentKind.CHART: 2,
    ComponentKind.OS_PACKAGE: 3,
    ComponentKind.LANGUAGE_PACKAGE: 4,
}


@dataclass(frozen=True, slots=True, order=True)
class Evidence:
    """One place a component is declared: file, line, column and what the declaration is."""

    path: str
    line: int
    column: int
    context: str


@dataclass(frozen=True, slots=True)
class Derived:
    """A field medlint filled in itself, with where the value comes from (for the reviewer, and so that a
    later `--merge` can tell it from a value a person entered)."""

    value: str
    source: str


@dataclass(frozen=True, slots=True)
class Component:
    """One component of the inventory. `ref` is its stable identity (the SBOM's bom-ref / SPDX id source)."""

    ref: str
    kind: ComponentKind
    name: str
    version: str | None
    purl: str | None
    scope: Scope
    own: bool  # the system's own software, not SOUP
    digest: str | None = None  # sha256:<hex> when pinned
    supplier: Derived | None = None
    level_of_support: Derived | None = None
    end_of_support: Derived | None = None
    evidence: tuple[Evidence, ...] = ()
    #: Further facts as `medlint:` properties: ecosystem, distribution, how it is written, pinned or not...
    properties: tuple[tuple[str, str], ...] = ()
    depends_on: tuple[str, ...] = ()
    #: Values people entered in the SBOM kept in the repository (`--merge`): SOUP fields by their name
    #: (`supplier`, `level-of-support`, ...) and any other property, by its name; written as they are.
    entered: tuple[tuple[str, str], ...] = ()

    @property
    def soup(self) -> bool:
        return not self.own

    def sort_key(self) -> tuple[object, ...]:
        return (_KIND_ORDER[self.kind], self.name, self.version or "", self.ref)


@dataclass(frozen=True, slots=True)
class Inventory:
    """The inventory of one system: the system itself (the SBOM's subject) and its components."""

    system: str
    system_origin: str
    safety_class: str
    version: str | None
    evaluation_date: datetime.date
    table_version: str
    components: tuple[Component, ...]
    depends_on: tuple[str, ...]  # what the system itself consists of

    @property
    def ref(self) -> str:
        return f"system:{self.system}"

    def component(self, ref: str) -> Component | None:
        return next((component for component in self.components if component.ref == ref), None)


# --------------------------------------------------------------------------------------------------
# Accumulating components


@dataclass
class _Draft:
    ref: str
    kind: ComponentKind
    name: str
    version: str | None
    purl: str | None
    scope: Scope
    own: bool
    digest: str | None = None
    supplier: Derived | None = None
    level_of_support: Derived | None = None
    end_of_support: Derived | None = None
    evidence: set[Evidence] = field(default_factory=set)
    properties: dict[str, str] = field(default_factory=dict)
    depends_on: set[str] = field(default_factory=set)


class _Builder:
    def __init__(self) -> None:
        self.drafts: dict[str, _Draft] = {}
        self.root: set[str] = set()

    def add(self, draft: _Draft, evidence: Evidence | None = None) -> _Draft:
        """Add a component, or merge it into the one with the same ref (deployed and own win; facts add up)."""
        found = self.drafts.get(draft.ref)
        if found is None:
            self.drafts[draft.ref] = found = draft
        else:
            if draft.scope is Scope.DEPLOYED:
                found.scope = Scope.DEPLOYED
            found.own = found.own or draft.own
            for key, value in draft.properties.items():
                found.properties.setdefault(key, value)
            found.depends_on |= draft.depends_on
            found.supplier = found.supplier or draft.supplier
            found.level_of_support = found.level_of_support or draft.level_of_support
            found.end_of_support = found.end_of_support or draft.end_of_support
        if evidence is not None:
            found.evidence.add(evidence)
        return found

    def depend(self, owner: str | None, ref: str) -> None:
        if owner is None:
            self.root.add(ref)
        elif owner != ref and owner in self.drafts:
            self.drafts[owner].depends_on.add(ref)


# --------------------------------------------------------------------------------------------------
# Support fields from the end-of-support table


def _support(
    entries: list[SupportEntry], today: datetime.date, table_version: str
) -> tuple[Derived | None, Derived | None]:
    """(level of support, end of support) from the table rows a component matches (the earliest end wins)."""
    if not entries:
        return None, None
    entry = min(entries, key=lambda item: (item.end_of_support, item.id))
    source = (
        f"medlint end-of-support table {table_version}, row {entry.id} ({entry.label}: {entry.support_ending}"
    )
    source += f"; {entry.source})" if entry.source else ")"
    date = entry.end_of_support.isoformat()
    level = NO_LONGER_MAINTAINED if entry.end_of_support < today else ACTIVELY_MAINTAINED
    return (
        Derived(level, f"{source}; end of support {date}, evaluated on {today.isoformat()}"),
        Derived(date, source),
    )


# --------------------------------------------------------------------------------------------------
# Images

#: Registries whose path starts with the account that publishes the image.
_ACCOUNT_REGISTRIES = ("docker.io", "ghcr.io", "quay.io", "public.ecr.aws", "registry.gitlab.com")
#: Registries run by one supplier.
_REGISTRY_SUPPLIERS = {
    "registry.k8s.io": "Kubernetes project",
    "k8s.gcr.io": "Kubernetes project",
    "mcr.microsoft.com": "Microsoft",
    "docker.elastic.co": "Elastic",
    "gcr.io/distroless": "Google (distroless)",
    "registry.access.redhat.com": "Red Hat",
    "registry.redhat.io": "Red Hat",
    "cgr.dev/chainguard": "Chainguard",
    "nvcr.io/nvidia": "NVIDIA",
}


def image_supplier(image: ImageRef) -> Derived | None:
    """The supplier an image reference names: Docker Hub's official images, the account a public registry
    publishes it under, or the operator of a single-supplier registry; None when it names none."""
    canonical = image.canonical_name
    if canonical.startswith(f"{DOCKER_HUB}/library/"):
        return Derived(
            "Docker Official Images", "the image is one of Docker Hub's official images (library/)"
        )
    for prefix, supplier in _REGISTRY_SUPPLIERS.items():
        if canonical == prefix or canonical.startswith(prefix + "/"):
            return Derived(supplier, f"the registry {prefix} is run by {supplier}")
    registry, _, path = canonical.partition("/")
    if registry in _ACCOUNT_REGISTRIES and "/" in path:
        account = path.split("/", 1)[0]
        return Derived(account, f"the {registry} account the image is published under")
    return None


def _image_version(image: ImageRef) -> str:
    if image.tag:
        return image.tag
    return image.digest if image.digest else "latest"


def image_purl(image: ImageRef) -> str:
    """`pkg:oci/<last path segment>@<digest>?repository_url=<registry/path>&tag=<tag>` (docs/sbom.md says why
    `oci`); without a digest the purl has no version, since a tag does not identify content."""
    canonical = image.canonical_name
    tag = image.tag if image.tag or image.digest else "latest"
    return build_purl(
        "oci",
        canonical.rsplit("/", 1)[-1],
        version=image.digest.lower() if image.digest else None,
        qualifiers={"repository_url": canonical, "tag": tag},
    )


def _image_draft(
    image: ImageRef,
    scope: Scope,
    own: bool,
    entries: list[SupportEntry],
    today: datetime.date,
    table_version: str,
) -> _Draft:
    purl = image_purl(image)
    level, end = (None, None) if own else _support(matching_entries(image, entries), today, table_version)
    properties = {"medlint:image": _shown_reference(image)}
    if not image.digest:
        properties["medlint:pinned"] = "tag only" if image.tag else "no"
    return _Draft(
        ref=purl,
        kind=ComponentKind.IMAGE,
        name=image.name if not image.name.startswith("library/") else image.name[len("library/") :],
        version=_image_version(image),
        purl=purl,
        scope=scope,
        own=own,
        digest=image.digest.lower() if image.digest else None,
        supplier=None if own else image_supplier(image),
        level_of_support=level,
        end_of_support=end,
        properties=properties,
    )


def _shown_reference(image: ImageRef) -> str:
    text = image.name
    if image.tag:
        text += f":{image.tag}"
    if image.digest:
        text += f"@{image.digest}"
    return text


def _usable(image: ImageRef | None) -> bool:
    return image is not None and image.names_an_image


# --------------------------------------------------------------------------------------------------
# The builder of one system


class _Inventory:
    def __init__(self, project: Project, entries: list[SupportEntry], today: datetime.date, version: str):
        self.project = project
        self.entries = entries
        self.today = today
        self.table_version = version
        self.builder = _Builder()
        self.own = project.own_images

    def image(self, image: ImageRef, scope: Scope, evidence: Evidence, owner: str | None) -> str:
        draft = _image_draft(
            image, scope, self.own.holds(image), self.entries, self.today, self.table_version
        )
        found = self.builder.add(draft, evidence)
        self.builder.depend(owner, found.ref)
        return found.ref

    # -- Dockerfiles ---------------------------------------------------------------------------------

    def dockerfiles(self) -> None:
        built_by = self._compose_builds()
        for dockerfile in self.project.dockerfiles:
            owners = built_by.get(dockerfile.path) or [self._built_image(dockerfile)]
            for owner in owners:
                self._dockerfile(dockerfile, owner)

    def _compose_builds(self) -> dict[str, list[str]]:
        """Dockerfile path -> refs of the images Compose services build from it (their `image:`)."""
        found: dict[str, list[str]] = {}
        for compose in self.project.compose_projects:
            for service in compose.services:
                if not service.has_build or service.dockerfile_path is None:
                    continue
                for container in service.workload.containers:
                    if _usable(container.image):
                        assert container.image is not None
                        evidence = Evidence(
                            *_place(container.image.location),
                            f"image built by Compose service {service.name}",
                        )
                        ref = self.image(container.image, Scope.DEPLOYED, evidence, None)
                        self.builder.drafts[ref].properties.setdefault(
                            "medlint:built-from", service.dockerfile_path
                        )
                        found.setdefault(service.dockerfile_path, []).append(ref)
        return found

    def _built_image(self, dockerfile: Dockerfile) -> str:
        """A component for what a Dockerfile builds when no Compose service names the image."""
        labels = _final_labels(dockerfile)
        title = labels.get(TITLE_LABEL) or posixpath.basename(posixpath.dirname(dockerfile.path)) or "image"
        version = labels.get("org.opencontainers.image.version") or labels.get("version")
        draft = _Draft(
            ref=f"dockerfile:{dockerfile.path}",
            kind=ComponentKind.BUILT_IMAGE,
            name=title,
            version=version,
            purl=None,
            scope=Scope.DEPLOYED,
            own=True,
            properties={"medlint:built-from": dockerfile.path},
        )
        final = dockerfile.final_stage.from_instruction.location
        found = self.builder.add(draft, Evidence(*_place(final), "image built by this Dockerfile"))
        self.builder.depend(None, found.ref)
        return found.ref

    def _dockerfile(self, dockerfile: Dockerfile, owner: str) -> None:
        chain = dockerfile.final_chain()
        shipped = {stage.index for stage in chain}
        labels = {stage.name.lower(): stage for stage in dockerfile.stages if stage.name}
        for stage in dockerfile.stages:
            label = f"stage {stage.name or stage.index}"
            deployed = stage.index in shipped
            scope = Scope.DEPLOYED if deployed else Scope.BUILD_ONLY
            if _usable(stage.base):
                role = "base image of the final stage" if deployed else "build stage image"
                self.image(
                    stage.base,
                    scope,
                    Evidence(*_place(stage.base.location), f"FROM, {label} ({role})"),
                    owner,
                )
            for instruction in stage.instructions:
                for usage, source in _image_sources(instruction):
                    if source.isdigit() or source.lower() in labels:
                        continue
                    from medlint.model.images import parse_image_reference

                    image = parse_image_reference(source, instruction.location, unresolved="$" in source)
                    if not _usable(image):
                        continue
                    used = Scope.DEPLOYED if usage == "COPY --from" and deployed else Scope.BUILD_ONLY
                    self.image(
                        image, used, Evidence(*_place(instruction.location), f"{usage}, {label}"), owner
                    )
        syntax = dockerfile.directives.get("syntax")
        if syntax is not None:
            from medlint.model.images import parse_image_reference

            image = parse_image_reference(syntax.value, syntax.location)
            if _usable(image):
                self.image(
                    image, Scope.BUILD_ONLY, Evidence(*_place(syntax.location), "# syntax= frontend"), owner
                )
        self._os_packages(dockerfile, chain, owner)
        self._language_packages(dockerfile, shipped, owner)

    def _os_packages(self, dockerfile: Dockerfile, chain: list[Stage], owner: str) -> None:
        root = chain[-1]
        distribution = distribution_of(root.base) if _usable(root.base) else None
        support_entries = self._distribution_entries(root.base, distribution)
        installed: dict[tuple[str, str], tuple[_Draft, Evidence]] = {}
        groups: dict[str, list[tuple[str, str]]] = {}
        for stage in reversed(chain):
            for instruction in stage.instructions:
                if instruction.keyword != "RUN":
                    continue
                resolver = Resolver(dockerfile, stage, instruction)
                for step in run_steps(stage, instruction):
                    resolver.note_assignments(step.words)
                    command = os_package_command(step.words)
                    if command is None:
                        continue
                    family = {"apt": "deb", "apk": "apk"}.get(command.manager, "rpm")
                    scoped = resolver.for_command(step.words)
                    specs = [
                        spec
                        for word in command.packages
                        for spec, resolved in scoped.words(
                            word, functools.partial(os_package_pinned, command.manager)
                        )
                        if resolved and not is_local_package_file(spec) and not spec.startswith("-")
                    ]
                    if command.action == "remove":
                        for spec in specs:
                            name = os_package_name(command.manager, spec)
                            for key in [(family, name), *groups.pop(spec, [])]:
                                installed.pop(key, None)
                        continue
                    line = step.command.line or instruction.location.line
                    evidence = Evidence(
                        instruction.location.path,
                        line,
                        1 if line != instruction.location.line else instruction.location.column,
                        f"{command.program} {command.action}, stage {stage.name or stage.index}",
                    )
                    for spec in specs:
                        draft = self._os_package(command.manager, family, spec, distribution, support_entries)
                        installed[(family, draft.name)] = (draft, evidence)
                        if command.virtual:
                            groups.setdefault(command.virtual, []).append((family, draft.name))
        for draft, evidence in installed.values():
            found = self.builder.add(draft, evidence)
            self.builder.depend(owner, found.ref)

    def _distribution_entries(self, base: ImageRef, distribution: Distribution | None) -> list[SupportEntry]:
        """The table rows of the base image's distribution release (its packages are supported as long)."""
        if distribution is None or not _usable(base):
            return []
        names = {"debian": ("debian",), "ubuntu": ("ubuntu",), "alpine": ("alpine",)}.get(
            distribution.vendor, ()
        )
        return [
            entry for entry in matching_entries(base, self.entries) if set(names) & set(entry.repositories)
        ]

    def _os_package(
        self,
        manager: str,
        family: str,
        spec: str,
        distribution: Distribution | None,
        entries: list[SupportEntry],
    ) -> _Draft:
        name = os_package_name(manager, spec)
        version = _os_package_version(manager, spec, name) if os_package_pinned(manager, spec) else None
        vendor: str | None
        distro: str | None
        if distribution is not None and distribution.family == family:
            vendor, distro = distribution.vendor, distribution.distro
        else:
            vendor, distro = DEFAULT_VENDORS.get(family), None
        purl = build_purl(family, name, vendor, version, {"distro": distro})
        supplier = None
        if vendor in VENDOR_SUPPLIERS and distribution is not None and distribution.vendor == vendor:
            supplier = Derived(VENDOR_SUPPLIERS[vendor], f"the {vendor} distribution of the base image")
        level, end = _support(entries, self.today, self.table_version) if distro else (None, None)
        properties = {"medlint:package-manager": manager, "medlint:ecosystem": family}
        if distro:
            properties["medlint:distribution"] = distro
        if version is None:
            properties["medlint:pinned"] = "no"
        return _Draft(
            ref=purl,
            kind=ComponentKind.OS_PACKAGE,
            name=name,
            version=version,
            purl=purl,
            scope=Scope.DEPLOYED,
            own=False,
            supplier=supplier,
            level_of_support=level,
            end_of_support=end,
            properties=properties,
        )

    def _language_packages(self, dockerfile: Dockerfile, shipped: set[int], owner: str) -> None:
        files = build_context_files(dockerfile, self.project.compose_projects)
        for stage in dockerfile.stages:
            scope = Scope.DEPLOYED if stage.index in shipped else Scope.BUILD_ONLY
            for instruction in stage.instructions:
                if instruction.keyword != "RUN":
                    continue
                resolver = Resolver(dockerfile, stage, instruction)
                for step in run_steps(stage, instruction):
                    resolver.note_assignments(step.words)
                    install = language_install(step.words)
                    if install is None:
                        continue
                    line = step.command.line or instruction.location.line
                    where = f"{install.tool} {install.verb}, stage {stage.name or stage.index}"
                    scoped = resolver.for_command(step.words)
                    for draft, context in _language_drafts(install, scoped, files):
                        evidence = Evidence(instruction.location.path, line, 1, where + context)
                        found = self.builder.add(replace(draft, scope=scope), evidence)
                        self.builder.depend(owner, found.ref)

    # -- Compose and Kubernetes --------------------------------------------------------------------------

    def workloads(self) -> None:
        for workload in self.project.workloads:
            if workload.artifact is ArtifactKind.DOCKERFILE:
                continue
            if workload.artifact is ArtifactKind.COMPOSE:
                service = self.project.index.compose_service(workload)
                if service is not None and service.has_build:
                    continue  # the image it builds: listed with its Dockerfile
            for container in workload.containers:
                if not _usable(container.image):
                    continue
                assert container.image is not None
                owner = self._chart_owner(workload, container.image.location.helm)
                evidence = Evidence(
                    *_place(container.image.location),
                    _container_context(workload, container.name, str(container.role)),
                )
                self.image(container.image, Scope.DEPLOYED, evidence, owner)

    # -- Helm ------------------------------------------------------------------------------------------

    def charts(self) -> None:
        self.chart_refs: dict[str, str] = {}
        self.subcharts: dict[tuple[str, str], str] = {}
        for chart in self.project.charts:
            self._chart(chart)

    def _chart(self, chart: Chart) -> None:
        name = (
            str(chart.name.value).strip() if chart.name is not None else posixpath.basename(chart.directory)
        )
        version = (
            str(chart.version.value).strip() if chart.version is not None and chart.version.value else None
        )
        purl = build_purl("helm", name or "chart", version=version)
        draft = _Draft(
            ref=purl,
            kind=ComponentKind.CHART,
            name=name,
            version=version,
            purl=purl,
            scope=Scope.DEPLOYED,
            own=True,
            properties={"medlint:chart-directory": chart.directory or "."},
        )
        if chart.app_version is not None and str(chart.app_version.value or "").strip():
            draft.properties["medlint:app-version"] = str(chart.app_version.value).strip()
        found = self.builder.add(draft, Evidence(*_place(chart.location), "Chart.yaml"))
        self.builder.depend(None, found.ref)
        self.chart_refs[chart.directory] = found.ref
        locked = {entry.name: entry for entry in chart.lock or ()}
        vendored = {item.name: item for item in chart.vendored_charts if item.name}
        names: list[str] = []
        for dependency in chart.dependencies:
            names.append(dependency.name)
            lock = locked.get(dependency.name)
            archive = vendored.get(dependency.name)
            repository = (
                lock.repository
                if lock is not None and lock.repository
                else (str(dependency.repository.value) if dependency.repository is not None else None)
            )
            exact = lock.version if lock is not None else (archive.version if archive is not None else None)
            constraint = str(dependency.version.value) if dependency.version is not None else None
            evidence = [Evidence(*_place(dependency.location), "dependency in Chart.yaml")]
            if lock is not None:
                evidence.append(Evidence(*_place(lock.location), "Chart.lock"))
            if archive is not None:
                evidence.append(Evidence(*_place(archive.location), "vendored in charts/"))
            self._subchart(
                found.ref,
                chart,
                dependency.name,
                exact,
                repository,
                constraint,
                evidence,
                dependency.condition,
            )
        for name_of, archive in sorted(vendored.items()):
            if name_of not in names:
                evidence = [Evidence(*_place(archive.location), "vendored in charts/")]
                self._subchart(found.ref, chart, name_of, archive.version, None, None, evidence, None)

    def _subchart(
        self,
        parent: str,
        chart: Chart,
        name: str,
        version: str | None,
        repository: str | None,
        constraint: str | None,
        evidence: list[Evidence],
        condition: str | None,
    ) -> str:
        local = bool(repository) and str(repository).startswith("file://")
        qualifiers = {"repository_url": repository} if repository and not local else {}
        purl = build_purl("helm", name, version=version, qualifiers=qualifiers)
        level, end = (None, None)
        if not local:
            level, end = _support(
                chart_entries(name, repository, self.entries), self.today, self.table_version
            )
        properties = {}
        if repository:
            properties["medlint:repository"] = repository
        if constraint and constraint != version:
            properties["medlint:version-constraint"] = constraint
        if condition:
            properties["medlint:condition"] = condition
        if version is None:
            properties["medlint:pinned"] = "no"
        draft = _Draft(
            ref=purl,
            kind=ComponentKind.CHART,
            name=name,
            version=version,
            purl=purl,
            scope=Scope.DEPLOYED,
            own=local,
            level_of_support=level,
            end_of_support=end,
            properties=properties,
        )
        found = self.builder.add(draft)
        for item in evidence:
            found.evidence.add(item)
        self.builder.depend(parent, found.ref)
        self.subcharts[(chart.directory, name)] = found.ref
        return found.ref

    def _chart_owner(self, workload: Workload, origin: HelmOrigin | None) -> str | None:
        """The chart (or subchart) whose templates rendered an image; None for plain manifests."""
        if workload.artifact is not ArtifactKind.HELM:
            return None
        origin = origin or workload.location.helm
        directory = origin.chart if origin is not None else None
        if directory is None or directory not in self.chart_refs:
            return None
        owner = self.chart_refs[directory]
        template = origin.template_name if origin is not None else ""
        parts = template.split("/charts/")
        for name in (part.split("/", 1)[0] for part in parts[1:]):
            key = (directory, name)
            ref = self.subcharts.get(key)
            if ref is None:
                ref = self._nested_subchart(owner, directory, name)
            owner = ref
            directory = f"{directory}/charts/{name}"
        return owner

    def _nested_subchart(self, parent: str, directory: str, name: str) -> str:
        purl = build_purl("helm", name)
        draft = _Draft(
            ref=f"{purl}#{directory}",
            kind=ComponentKind.CHART,
            name=name,
            version=None,
            purl=purl,
            scope=Scope.DEPLOYED,
            own=False,
            properties={"medlint:pinned": "unknown", "medlint:vendored-in": directory},
        )
        found = self.builder.add(draft)
        self.builder.depend(parent, found.ref)
        self.subcharts[(directory, name)] = found.ref
        return found.ref

    # -- the result ------------------------------------------------------------------------------------

    def freeze(self) -> tuple[tuple[Component, ...], tuple[str, ...]]:
        refs = set(self.builder.drafts)
        components = []
        for draft in self.builder.drafts.values():
            evidence = tuple(sorted(draft.evidence))
            properties = dict(draft.properties)
            properties["medlint:scope"] = str(draft.scope)
            properties["medlint:soup"] = "false" if draft.own else "true"
            components.append(
                Component(
                    ref=draft.ref,
                    kind=draft.kind,
                    name=draft.name,
                    version=draft.version,
                    purl=draft.purl,
                    scope=draft.scope,
                    own=draft.own,
                    digest=draft.digest,
                    supplier=draft.supplier,
                    level_of_support=draft.level_of_support,
                    end_of_support=draft.end_of_support,
                    evidence=evidence,
                    properties=tuple(sorted(properties.items())),
                    depends_on=tuple(sorted(ref for ref in draft.depends_on if ref in refs)),
                )
            )
        components.sort(key=Component.sort_key)
        return tuple(components), tuple(sorted(ref for ref in self.builder.root if ref in refs))


# --------------------------------------------------------------------------------------------------
# Helpers


def _place(location: object) -> tuple[str, int, int]:
    return (getattr(location, "path", ""), getattr(location, "line", 1), getattr(location, "column", 1))


def _container_context(workload: Workload, container: str, role: str) -> str:
    subject = workload.subject
    if workload.artifact is ArtifactKind.COMPOSE:
        return f"Compose service {workload.name}"
    kind = {"init": "init container", "sidecar": "sidecar container", "ephemeral": "ephemeral container"}.get(
        role, "container"
    )
    return f"{kind} {container} of {subject}"


def _final_labels(dockerfile: Dockerfile) -> dict[str, str]:
    labels: dict[str, str] = {}
    for stage in reversed(dockerfile.final_chain()):
        for instruction in stage.instructions:
            if instruction.keyword == "LABEL":
                for key, located in instruction.pairs:
                    value = (located.value or "").strip()
                    if value and "$" not in value:
                        labels[key] = value
    return labels


def _image_sources(instruction: object) -> Iterator[tuple[str, str]]:
    keyword = getattr(instruction, "keyword", "")
    flags: Mapping[str, str] = getattr(instruction, "flags", {})
    if keyword in ("COPY", "ADD") and "from" in flags:
        yield "COPY --from", flags["from"]
    if keyword == "RUN" and "mount" in flags:
        for mount in flags["mount"].split("\n"):
            options = dict(part.split("=", 1) for part in mount.split(",") if "=" in part)
            if "from" in options:
                yield "RUN --mount", options["from"]


def _os_package_version(manager: str, spec: str, name: str) -> str | None:
    if manager in ("apt", "apk") or (manager == "zypper" and "=" in spec):
        _, _, version = spec.partition("=")
        return version.lstrip("=") or None
    if spec.startswith(name + "-"):
        return spec[len(name) + 1 :] or None
    return None


_PIP_EXACT = re.compile(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]]*\])?\s*===?\s*([^\s;,]+)\s*(?:;.*)?$")
_NPM_EXACT = re.compile(r"^[=v]?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")


def _language_drafts(
    install: LanguageInstall, resolver: Resolver, files: Mapping[str, str]
) -> Iterator[tuple[_Draft, str]]:
    """The packages one language install names: (draft with a placeholder scope, evidence context)."""
    tool = install.tool
    packages = install.packages
    if tool == "pip":
        yield from _pip_drafts(install, resolver, files)
        return
    for word in packages:
        for spec, resolved in resolver.words(word, lambda _spec: False):
            if not resolved:
                continue
            draft = _package_draft(tool, spec, install)
            if draft is not None:
                yield draft, ""


def _pip_drafts(
    install: LanguageInstall, resolver: Resolver, files: Mapping[str, str]
) -> Iterator[tuple[_Draft, str]]:
    option_values = install.option_values
    found = pip_files(option_values("-r", "--requirement"), option_values("-c", "--constraint"), files)
    for key, _including, entry in found.entries:
        if entry.editable:
            continue
        draft = _pip_draft(entry.spec)
        if draft is not None:
            yield draft, f" (requirements file {key}, line {entry.line})"
    for word in install.packages:
        for spec, resolved in resolver.words(word, pip_requirement_pinned):
            draft = _pip_draft(spec) if resolved else None
            if draft is not None:
                yield draft, ""


def _pip_draft(spec: str) -> _Draft | None:
    name = requirement_name(spec)
    if name is None or name.startswith("-"):
        return None
    match = _PIP_EXACT.match(spec)
    version = match.group(1) if match else None
    return _language_draft("pypi", name, None, version, spec)


def _package_draft(tool: str, spec: str, install: LanguageInstall) -> _Draft | None:
    if spec.startswith((".", "/", "~", "git+", "github:", "file:")) or "://" in spec:
        return None
    if tool in ("npm", "yarn"):
        name = npm_package_name(spec)
        version = spec[len(name) + 1 :] if len(spec) > len(name) else None
        version = version if version and _NPM_EXACT.match(version) else None
        namespace, _, short = name.rpartition("/") if name.startswith("@") else ("", "", name)
        return _language_draft(
            "npm", short, namespace or None, version.lstrip("=v") if version else None, spec
        )
    if tool == "gem":
        name, colon, inline = spec.partition(":")
        versions = install.option_values("-v", "--version")
        version = inline if colon else (versions[0] if versions else None)
        version = version.strip().lstrip("= ") if version else None
        exact = version if version and re.fullmatch(r"\d+(?:\.[0-9A-Za-z]+)*", version) else None
        return _language_draft("gem", name, None, exact, spec)
    if tool == "go":
        module, at, version = spec.rpartition("@")
        if not at:
            return None
        namespace, _, short = module.rpartition("/")
        exact = version if re.fullmatch(r"v\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?", version) else None
        return _language_draft("golang", short, namespace or None, exact, spec)
    if tool == "cargo":
        versions = install.option_values("--version")
        name, at, inline = spec.partition("@")
        version = inline if at else (versions[0] if versions else None)
        exact = (
            version if version and re.fullmatch(r"=?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?", version) else None
        )
        return _language_draft("cargo", name, None, exact.lstrip("=") if exact else None, spec)
    return None


def _language_draft(
    ecosystem: str, name: str, namespace: str | None, version: str | None, spec: str
) -> _Draft:
    purl = build_purl(ecosystem, name, namespace, version)
    properties = {"medlint:ecosystem": ecosystem, "medlint:written": spec}
    if version is None:
        properties["medlint:pinned"] = "no"
    return _Draft(
        ref=purl,
        kind=ComponentKind.LANGUAGE_PACKAGE,
        name=f"{namespace}/{name}" if namespace else name,
        version=version,
        purl=purl,
        scope=Scope.BUILD_ONLY,
        own=False,
        properties=properties,
    )


def _release_version(project: Project) -> str | None:
    """The system's release version as the SBOM's subject carries it: the one chart's appVersion."""
    values = {
        str(chart.app_version.value).strip()
        for chart in project.charts
        if chart.app_version is not None and str(chart.app_version.value or "").strip()
    }
    return next(iter(values)) if len(values) == 1 else None


def build_inventory(
    project: Project,
    *,
    safety_class: str,
    table: Mapping[str, object],
    today: datetime.date,
) -> Inventory:
    """The inventory of the project's system (module docstring). `table` is the end-of-support data table."""
    from medlint.model.support import support_entries

    version = str(table.get("version", "unknown"))
    state = _Inventory(project, support_entries(table), today, version)
    state.charts()
    state.dockerfiles()
    state.workloads()
    components, roots = state.freeze()
    refs = _masked_refs([component.ref for component in components])
    components = tuple(_without_secrets(component, refs) for component in components)
    return Inventory(
        system=project.system.name,
        system_origin=project.system.origin,
        safety_class=safety_class,
        version=_release_version(project),
        evaluation_date=today,
        table_version=version,
        components=components,
        depends_on=tuple(refs.get(ref, ref) for ref in roots),
    )


def _masked_refs(refs: list[str]) -> dict[str, str]:
    """Each reference with its credentials masked, still unique: a masked reference that another one already
    has (two folders `token=a/` and `token=b/` both become `token=***`) gets a number, in reference order."""
    from medlint.redact import redact

    masked = {ref: redact(ref) for ref in refs}
    used = {ref for ref, shown in masked.items() if shown == ref}
    for ref in sorted(ref for ref, shown in masked.items() if shown != ref):
        shown, number = masked[ref], 2
        while shown in used:
            shown, number = f"{masked[ref]} ({number})", number + 1
        masked[ref] = shown
        used.add(shown)
    return masked


def _without_secrets(component: Component, refs: Mapping[str, str]) -> Component:
    """The component with credentials masked in what it quotes from the repository: a requirement line
    (`pkg @ git+https://TOKEN@host/...`, `--index-url https://user:pass@...`), a chart repository URL. An SBOM
    is shared with customers and auditors; it never carries a secret value, as no report does."""
    from medlint.redact import redact

    evidence = tuple(
        replace(item, path=redact(item.path), context=redact(item.context)) for item in component.evidence
    )
    properties = tuple((name, redact(value)) for name, value in component.properties)
    # Names, versions and references come from the repository too (a built image is named after its
    # folder): masked as every report masks them, the same way everywhere, so references still match.
    cleaned = replace(
        component,
        ref=refs.get(component.ref, component.ref),
        name=redact(component.name),
        version=redact(component.version) if component.version else component.version,
        purl=redact(component.purl) if component.purl else component.purl,
        evidence=evidence,
        properties=properties,
        depends_on=tuple(refs.get(ref, ref) for ref in component.depends_on),
    )
    return component if cleaned == component else cleaned


def inventories(components: Iterable[Component]) -> dict[str, int]:
    """Components counted by kind (for the corpus benchmark and messages)."""
    counts: dict[str, int] = {}
    for component in components:
        counts[str(component.kind)] = counts.get(str(component.kind), 0) + 1
    return dict(sorted(counts.items()))
