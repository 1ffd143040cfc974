"""The common model: what parsers produce and checks read, for every artifact kind.

The model is the one contract between the layers (see docs/architecture.md): parsers and the Helm renderer
build these frozen values, checks read only them, and neither side imports the other. Each submodule holds one
family of types; this package re-exports their public names and imports a submodule only when one of its names
is first used, so a run over one Dockerfile never pays for the Kubernetes or Compose types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from medlint.model.lazy_exports import lazy_exports

#: Submodule of medlint.model -> the public names it defines (mirrored below for type checkers).
_FAMILIES: dict[str, tuple[str, ...]] = {
    "location": ("HelmOrigin", "Location", "RenderInput", "ValuesKey"),
    "common": ("ArtifactKind", "Labels", "Level", "Located", "NamespaceSource", "Setting", "TextEnum"),
    "images": ("ImageRef",),
    "tree": ("Node",),
    "kubernetes": ("ContainerPort", "K8sObject", "PodSpec", "PodVolume", "VolumeMount"),
    "compose": (
        "BuildContextReference",
        "ComposeMount",
        "MountKind",
        "PublishedPort",
        "SecurityOption",
        "ServiceDependency",
    ),
    "core": (
        "ContainerRole",
        "EnvSource",
        "Chart",
        "ChartDependency",
        "ComposeProject",
        "ComposeService",
        "Container",
        "DockerIgnore",
        "Dockerfile",
        "EnvVar",
        "Heredoc",
        "Instruction",
        "LockedDependency",
        "Probe",
        "Resources",
        "SecurityContext",
        "ShellCommand",
        "Stage",
        "ValuesFile",
        "VendoredChart",
        "Workload",
    ),
    "project": ("ClassDeclaration", "ParseProblem", "Project", "SourceFile"),
    "index": ("FinalImage", "ImageUse", "ProjectIndex"),
    "system": ("OwnImages", "System", "VersionGroup"),
    "regulatory": ("ClassResolution", "ItemDeclaration"),
    "sbom": ("ImageIdentity", "SbomFormat", "SuppliedComponent", "SuppliedSbom"),
}
_EXPORTS = {name: module for module, names in _FAMILIES.items() for name in names}


__getattr__ = lazy_exports(__name__, _EXPORTS, globals())


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:
    from medlint.model.common import ArtifactKind as ArtifactKind
    from medlint.model.common import Labels as Labels
    from medlint.model.common import Level as Level
    from medlint.model.common import Located as Located
    from medlint.model.common import NamespaceSource as NamespaceSource
    from medlint.model.common import Setting as Setting
    from medlint.model.common import TextEnum as TextEnum
    from medlint.model.compose import BuildContextReference as BuildContextReference
    from medlint.model.compose import ComposeMount as ComposeMount
    from medlint.model.compose import MountKind as MountKind
    from medlint.model.compose import PublishedPort as PublishedPort
    from medlint.model.compose import SecurityOption as SecurityOption
    from medlint.model.compose import ServiceDependency as ServiceDependency
    from medlint.model.core import Chart as Chart
    from medlint.model.core import ChartDependency as ChartDependency
    from medlint.model.core import ComposeProject as ComposeProject
    from medlint.model.core import ComposeService as ComposeService
    from medlint.model.core import Container as Container
    from medlint.model.core import ContainerRole as ContainerRole
    from medlint.model.core import Dockerfile as Dockerfile
    from medlint.model.core import DockerIgnore as DockerIgnore
    from medlint.model.core import EnvSource as EnvSource
    from medlint.model.core import EnvVar as EnvVar
    from medlint.model.core import Heredoc as Heredoc
    from medlint.model.core import Instruction as Instruction
    from medlint.model.core import LockedDependency as LockedDependency
    from medlint.model.core import Probe as Probe
    from medlint.model.core import Resources as Resources
    from medlint.model.core import SecurityContext as SecurityContext
    from medlint.model.core import ShellCommand as ShellCommand
    from medlint.model.core import Stage as Stage
    from medlint.model.core import ValuesFile as ValuesFile
    from medlint.model.core import VendoredChart as VendoredChart
    from medlint.model.core import Workload as Workload
    from medlint.model.images import ImageRef as ImageRef
    from medlint.model.index import FinalImage as FinalImage
    from medlint.model.index import ImageUse as ImageUse
    from medlint.model.index import ProjectIndex as ProjectIndex
    from medlint.model.kubernetes import ContainerPort as ContainerPort
    from medlint.model.kubernetes import K8sObject as K8sObject
    from medlint.model.kubernetes import PodSpec as PodSpec
    from medlint.model.kubernetes import PodVolume as PodVolume
    from medlint.model.kubernetes import VolumeMount as VolumeMount
    from medlint.model.location import HelmOrigin as HelmOrigin
    from medlint.model.location import Location as Location
    from medlint.model.location import RenderInput as RenderInput
    from medlint.model.location import ValuesKey as ValuesKey
    from medlint.model.project import ClassDeclaration as ClassDeclaration
    from medlint.model.project import ParseProblem as ParseProblem
    from medlint.model.project import Project as Project
    from medlint.model.project import SourceFile as SourceFile
    from medlint.model.regulatory import ClassResolution as ClassResolution
    from medlint.model.regulatory import ItemDeclaration as ItemDeclaration
    from medlint.model.sbom import ImageIdentity as ImageIdentity
    from medlint.model.sbom import SbomFormat as SbomFormat
    from medlint.model.sbom import SuppliedComponent as SuppliedComponent
    from medlint.model.sbom import SuppliedSbom as SuppliedSbom
    from medlint.model.system import OwnImages as OwnImages
    from medlint.model.system import System as System
    from medlint.model.system import VersionGroup as VersionGroup
    from medlint.model.tree import Node as Node
