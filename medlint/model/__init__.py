"""The common model: what parsers produce and checks read, for every artifact kind.

The model is the one contract between the layers (see docs/architecture.md): parsers and the Helm renderer
build these frozen values, checks read only them, and neither side imports the other. Each submodule holds one
family of types; this package re-exports their public names and imports a submodule only when one of its names
is first used, so a run over one Dockerfile never pays for the Kubernetes or Compose types.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Public name -> the submodule of medlint.model that defines it.
_EXPORTS: dict[str, str] = {
    name: "core"
    for name in (
        "ArtifactKind",
        "Chart",
        "ChartDependency",
        "ClassDeclaration",
        "ComposeProject",
        "ComposeService",
        "Container",
        "DockerIgnore",
        "Dockerfile",
        "EnvVar",
        "Heredoc",
        "ImageRef",
        "Instruction",
        "K8sObject",
        "Labels",
        "Level",
        "Located",
        "LockedDependency",
        "ParseProblem",
        "Probe",
        "Project",
        "Resources",
        "SecurityContext",
        "Setting",
        "ShellCommand",
        "SourceFile",
        "Stage",
        "ValuesFile",
        "VendoredChart",
        "Workload",
    )
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'medlint.model' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"medlint.model.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:
    from medlint.model.core import (
        ArtifactKind,
        Chart,
        ChartDependency,
        ClassDeclaration,
        ComposeProject,
        ComposeService,
        Container,
        Dockerfile,
        DockerIgnore,
        EnvVar,
        Heredoc,
        ImageRef,
        Instruction,
        K8sObject,
        Labels,
        Level,
        Located,
        LockedDependency,
        ParseProblem,
        Probe,
        Project,
        Resources,
        SecurityContext,
        Setting,
        ShellCommand,
        SourceFile,
        Stage,
        ValuesFile,
        VendoredChart,
        Workload,
    )
