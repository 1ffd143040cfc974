"""The whole project: every file read, what could not be parsed, and the parsed artifacts of every kind."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from medlint.model.common import ArtifactKind
from medlint.model.location import Location
from medlint.model.system import DEFAULT_SYSTEM, System

if TYPE_CHECKING:
    from medlint.model.core import Chart, ComposeProject, Dockerfile, DockerIgnore, Workload
    from medlint.model.index import ProjectIndex
    from medlint.model.kubernetes import K8sObject
    from medlint.model.regulatory import ItemDeclaration
    from medlint.model.sbom import SuppliedSbom
    from medlint.model.system import OwnImages


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file medlint read, its kind, and whether it could be analysed."""

    path: str
    kind: ArtifactKind
    analysed: bool = True
    role: str = ""  # Helm: "Chart.yaml", "Chart.lock", "values"; Dockerfile: "dockerignore"


@dataclass(frozen=True, slots=True)
class ParseProblem:
    """A file that could not be read or parsed: becomes MD001 (or MD003 for Helm renders)."""

    rule_id: str
    location: Location
    message: str
    kind: ArtifactKind


@dataclass(frozen=True, slots=True)
class ClassDeclaration:
    """A `regulatory.iec62304.class` label found in an artifact."""

    value: str
    location: Location


@dataclass(frozen=True, slots=True)
class Project:
    """Everything parsed from the scanned paths. Checks receive this and nothing else."""

    files: tuple[SourceFile, ...] = ()
    problems: tuple[ParseProblem, ...] = ()
    dockerfiles: tuple[Dockerfile, ...] = ()
    compose_projects: tuple[ComposeProject, ...] = ()
    k8s_objects: tuple[K8sObject, ...] = ()
    workloads: tuple[Workload, ...] = ()
    charts: tuple[Chart, ...] = ()
    class_declarations: tuple[ClassDeclaration, ...] = ()
    #: `# medlint: ignore` comments found while reading (medlint.waivers.Waiver objects).
    inline_waivers: tuple[Any, ...] = ()
    #: Root-relative paths git tracks (read from .git/index); None without VCS metadata.
    repository_files: tuple[str, ...] | None = None
    #: Root-relative regular files on disk under the scanned paths and every local build context.
    workspace_files: tuple[str, ...] | None = None
    #: The ignore files of every build context (`<context>/.dockerignore`, `<Dockerfile>.dockerignore`).
    dockerignore_files: tuple[DockerIgnore, ...] | None = None
    #: Root-relative `.git` entries (a repository folder, or the `.git` file of a worktree or submodule) under
    #: the scanned paths and every local build context; None when the files were not listed.
    vcs_metadata: tuple[str, ...] | None = None

    #: Every SBOM supplied for the run (`--sbom`, `sbom:`), read before the rules run (medlint.model.sbom);
    #: each system uses those its `System.sboms` names (`supplied_sboms`).
    sboms: tuple[SuppliedSbom, ...] = ()

    #: The system these artifacts make up (medlint.model.system): the whole run by default; the engine gives
    #: each configured system a project of its own artifacts.
    system: System = DEFAULT_SYSTEM

    #: Helm render source maps by (chart directory, values set), kept only when asked (`medlint fix`).
    render_sources: Mapping[tuple[str, str], Any] = field(default_factory=dict, compare=False, repr=False)
    #: The cross-object lookups, built on first use (`index`).
    _index: ProjectIndex | None = field(default=None, init=False, repr=False, compare=False)
    _declarations: tuple[ItemDeclaration, ...] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _own_images: OwnImages | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def index(self) -> ProjectIndex:
        """The project index (medlint.model.index), built once, the first time a rule needs it."""
        if self._index is None:
            from medlint.model.index import build_index

            index = build_index(
                k8s_objects=self.k8s_objects,
                workloads=self.workloads,
                dockerfiles=self.dockerfiles,
                compose_projects=self.compose_projects,
                charts=self.charts,
            )
            object.__setattr__(self, "_index", index)
        return self._index  # type: ignore[return-value]

    @property
    def declarations(self) -> tuple[ItemDeclaration, ...]:
        """The regulatory class declarations of every item (medlint.model.regulatory), read once."""
        if self._declarations is None:
            from medlint.model.regulatory import item_declarations

            object.__setattr__(self, "_declarations", item_declarations(self.workloads, self.charts))
        return self._declarations  # type: ignore[return-value]

    @property
    def own_images(self) -> OwnImages:
        """Which images are this system's own (medlint.model.system.OwnImages), worked out once."""
        if self._own_images is None:
            from medlint.model.system import own_images_of

            found = own_images_of(self.system, self.dockerfiles, self.compose_projects, self.charts)
            object.__setattr__(self, "_own_images", found)
        return self._own_images  # type: ignore[return-value]

    def outline(self) -> Project:
        """The project without the parsed artifacts: the files, problems and charts a report lists. A large
        scan's model can be released before its report is written, which then reuses that memory."""
        return Project(
            files=self.files,
            problems=self.problems,
            charts=self.charts,
            class_declarations=self.class_declarations,
            system=self.system,
        )

    def with_workspace(
        self,
        repository_files: tuple[str, ...] | None,
        workspace_files: tuple[str, ...] | None,
        dockerignore_files: tuple[DockerIgnore, ...] | None,
        vcs_metadata: tuple[str, ...] | None = None,
    ) -> Project:
        """The same project with the repository facts MD306 reads; what is worked out once (the index, the
        class declarations, the own images) carries over, since none of it depends on them."""
        project = dataclasses.replace(
            self,
            repository_files=repository_files,
            workspace_files=workspace_files,
            dockerignore_files=dockerignore_files,
            vcs_metadata=vcs_metadata,
        )
        object.__setattr__(project, "_index", self._index)
        object.__setattr__(project, "_declarations", self._declarations)
        object.__setattr__(project, "_own_images", self._own_images)
        return project

    def supplied_sboms(self) -> tuple[SuppliedSbom, ...] | None:
        """The SBOMs this project's system uses; None when the system has none (MD904 reports that once)."""
        if not self.system.sboms:
            return None
        wanted = set(self.system.sboms)
        return tuple(sbom for sbom in self.sboms if sbom.path in wanted)

    def dockerfile(self, path: str | None) -> Dockerfile | None:
        """The parsed Dockerfile at a repository-relative path, if it was scanned."""
        return self.index.dockerfiles.get(path) if path is not None else None
