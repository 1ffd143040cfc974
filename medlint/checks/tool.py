"""MD001/MD003: files that could not be parsed or charts that could not be rendered."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from medlint.findings import Violation
from medlint.model import Project


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
    """Every file that could not be read or parsed, at its first error."""
    return _problems(project, "MD001")


def render_errors(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """Every chart render that failed."""
    return _problems(project, "MD003")
