"""MD001/MD003: files that could not be parsed or charts that could not be rendered."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from medlint.findings import Violation
from medlint.model import ArtifactKind, Project


def _problems(project: Project, rule_id: str) -> Iterator[Violation]:
    for problem in project.problems:
        if problem.rule_id == rule_id:
            yield Violation(
                location=problem.location,
                message=problem.message,
                subject=f"file:{problem.location.path}",
                artifact=problem.kind,
            )


def parse_errors(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """Every file that could not be read or parsed, at its first error; and every image reference of a
    Dockerfile that breaks the reference grammar (the build fails on it), at the reference."""
    yield from _problems(project, "MD001")
    for use in project.index.image_uses:
        image = use.image
        if image.problem is None or use.artifact is not ArtifactKind.DOCKERFILE:
            continue
        what = {"FROM": "FROM", "syntax": "the # syntax= directive"}.get(use.usage, use.usage)
        written = image.written if len(image.written) <= 80 else image.written[:77] + "..."
        yield Violation(
            location=image.location,
            message=f"{what} names a malformed image reference '{written}': {image.problem}, so the build fails",
            subject=f"{use.subject}/{use.usage}:{written}",
            artifact=ArtifactKind.DOCKERFILE,
        )


def render_errors(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """Every chart render that failed."""
    return _problems(project, "MD003")
