"""Build contexts: the directories sent to the image builder, and the ignore file that filters each.

The loader lists the files of every local context (so MD306 can look for secret files in them), and the
check judges their ignore files; both need the same answer to "which contexts are there", so it is derived
here, once, from the parsed Dockerfiles and Compose services.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from medlint.model.common import ArtifactKind
from medlint.model.core import Dockerfile, DockerIgnore
from medlint.model.location import Location

if TYPE_CHECKING:
    from medlint.model.compose import BuildContextReference
    from medlint.model.core import ComposeProject
    from medlint.model.project import Project

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")


@dataclass(frozen=True, slots=True)
class BuildContext:
    """A directory sent to the builder, and what medlint knows about the ignore file that filters it."""

    directory: str  # repository-relative, "." for the root
    owner: str  # for messages: "Dockerfile app/Dockerfile" or 'service "web" of compose.yaml'
    artifact: ArtifactKind
    anchor: Location  # where a finding about the whole context goes when no whole-context COPY exists
    dockerfile: Dockerfile | None  # the Dockerfile built from it; None for inline or unscanned Dockerfiles
    ignore: DockerIgnore | None
    ignore_known: bool  # False when the context's ignore file could not be determined
    additional: bool = False  # a Compose `additional_contexts` entry: only the repository part applies


def context_dir(path: str) -> str:
    return posixpath.normpath(path) if path else "."


def is_local_context(reference: str) -> bool:
    """A context on disk: not a URL, a git remote or an absolute path outside the repository."""
    return not (_SCHEME.match(reference) or reference.startswith(("git@", "github.com/", "/")))


def _ignore_for(
    project: Project, directory: str, dockerfile_path: str | None
) -> tuple[DockerIgnore | None, bool]:
    """The ignore file BuildKit uses for a context: `<Dockerfile>.dockerignore`, else `<context>/.dockerignore`.

    Returns (ignore file or None, whether that answer is known).
    """
    candidates = ([dockerfile_path + ".dockerignore"] if dockerfile_path else []) + [
        posixpath.normpath(posixpath.join(directory, ".dockerignore"))
    ]
    listed = project.dockerignore_files
    if listed is not None:
        by_path = {item.path: item for item in listed}
        return next((by_path[path] for path in candidates if path in by_path), None), True
    dockerfile = project.dockerfile(dockerfile_path)
    if dockerfile is None:
        return None, False
    if dockerfile.ignore_file is not None and dockerfile.ignore_file.path in candidates:
        return dockerfile.ignore_file, True
    if context_dir(posixpath.dirname(dockerfile.path)) == directory:
        return dockerfile.ignore_file, True  # the loader looked in exactly this directory
    return None, False


def _additional(project: Project, reference: BuildContextReference, owner: str) -> BuildContext | None:
    """A local `build.additional_contexts` entry, resolved against the Compose file that wrote it."""
    if not reference.reference or not is_local_context(reference.reference):
        return None
    where = reference.location
    directory = context_dir(posixpath.join(posixpath.dirname(where.path), reference.reference))
    ignore, known = _ignore_for(project, directory, None)
    return BuildContext(
        directory, f"{owner} (additional context)", ArtifactKind.COMPOSE, where, None, ignore, known, True
    )


def _compose_contexts(project: Project, compose: ComposeProject) -> Iterator[BuildContext]:
    for service in compose.services:
        if service.build_context is None or not is_local_context(service.build_context):
            continue
        primary = next((ref for ref in service.build_contexts if not ref.additional), None)
        anchor = primary.location if primary is not None else service.location
        owner = f'service "{service.name}" of {compose.path}'
        directory = context_dir(service.build_context)
        ignore, known = _ignore_for(project, directory, service.dockerfile_path)
        yield BuildContext(
            directory,
            owner,
            ArtifactKind.COMPOSE,
            anchor,
            project.dockerfile(service.dockerfile_path),
            ignore,
            known,
        )
        for reference in service.build_contexts:
            if reference.additional:
                context = _additional(project, reference, owner)
                if context is not None:
                    yield context


def build_contexts(project: Project) -> list[BuildContext]:
    """Every local build context: each Compose `build:` (with its additional contexts), and the directory of
    each scanned Dockerfile that no Compose service builds. One entry per (directory, Dockerfile)."""
    contexts: list[BuildContext] = []
    for compose in project.compose_projects:
        contexts.extend(_compose_contexts(project, compose))
    built_by_compose = {context.dockerfile.path for context in contexts if context.dockerfile is not None}
    for dockerfile in project.dockerfiles:
        if dockerfile.path in built_by_compose or not dockerfile.stages:
            continue
        directory = context_dir(posixpath.dirname(dockerfile.path))
        anchor = dockerfile.stages[0].from_instruction.location
        contexts.append(
            BuildContext(
                directory,
                f"Dockerfile {dockerfile.path}",
                ArtifactKind.DOCKERFILE,
                anchor,
                dockerfile,
                dockerfile.ignore_file,
                True,
            )
        )
    unique: dict[tuple[str, str | None, bool], BuildContext] = {}
    for context in contexts:
        key = (
            context.directory,
            context.dockerfile.path if context.dockerfile else context.owner,
            context.additional,
        )
        unique.setdefault(key, context)
    return list(unique.values())
