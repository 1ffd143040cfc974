"""Small projects built in memory for unit tests of checks and model helpers (no files, no loader)."""

from __future__ import annotations

import textwrap

from medlint.model import Project, Workload
from medlint.parsers.kubernetes import parse_manifest, workload_from_object


def project_of(
    text: str, rendered_from: str | None = None, path: str = "k8s/app.yaml", **extra: object
) -> Project:
    """The Kubernetes objects (and their workloads) of a manifest, as a Project; `extra` sets more fields."""
    objects = parse_manifest(path, textwrap.dedent(text).lstrip("\n"), rendered_from=rendered_from)
    workloads = tuple(w for w in (workload_from_object(obj) for obj in objects) if w is not None)
    return Project(k8s_objects=tuple(objects), workloads=workloads, **extra)  # type: ignore[arg-type]


def workload(project: Project, name: str) -> Workload:
    """The project's workload of that name."""
    return next(w for w in project.workloads if w.name == name)
