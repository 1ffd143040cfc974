"""MD116: images and chart dependencies come only from allowed registries and chart repositories.

IEC 62304 8.1.2 b) asks for the SOUP manufacturer; pulling images from anywhere makes every registry a
supplier. The allowlists are configuration (`image_allowlist`, `chart_repository_allowlist`). Until one is
configured the rule cannot judge anything, so it says that once (a note, listing what is in use) instead of
passing silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from medlint.findings import Violation
from medlint.model import ArtifactKind, ChartDependency, ImageRef, ImageUse, Location, Project
from medlint.model.images import DOCKER_HUB


def _is_registry_host(component: str) -> bool:
    return "." in component or ":" in component or component == "localhost"


def normal_image_prefix(entry: str) -> str:
    """An allowlist entry in the form of `ImageRef.canonical_name`: `library/node` and `bitnami` mean Docker Hub."""
    text = entry.strip().lower().rstrip("/")
    if text.startswith("index.docker.io"):
        text = DOCKER_HUB + text[len("index.docker.io") :]
    first = text.split("/", 1)[0]
    if not _is_registry_host(first):
        text = f"{DOCKER_HUB}/{text}"
    return text


def _under(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == prefix or name.startswith(prefix + "/") for prefix in prefixes)


def _normal_url(url: str) -> str:
    return url.strip().rstrip("/").lower()


def _registry_unknown(image: ImageRef) -> bool:
    """The registry part itself is a variable (`${REGISTRY}/app`), so no allowlist decision is possible."""
    return image.unresolved and ("$" in image.name or "{{" in image.name or not image.repository)


def _is_built_service(use: ImageUse) -> bool:
    workload = use.workload
    return use.artifact is ArtifactKind.COMPOSE and workload is not None and "build" in workload.definition


def _checked_image_uses(project: Project) -> list[ImageUse]:
    """Every external image reference, in source order; a built Compose service's image: is its output, and a
    malformed reference is reported once, by MD001/MD002."""
    uses = [
        use for use in project.index.image_uses if not _is_built_service(use) and use.image.problem is None
    ]
    return sorted(
        uses, key=lambda use: (use.image.location.path, use.image.location.line, use.image.location.column)
    )


@dataclass(frozen=True, slots=True)
class _ChartRepositoryUse:
    chart_name: str
    subject: str
    dependency: ChartDependency
    url: str
    location: Location


def _chart_repository_uses(project: Project) -> list[_ChartRepositoryUse]:
    """Dependencies fetched from a repository; `file://` and vendored (no repository) ones are in-repository."""
    uses = []
    for chart in project.charts:
        for dependency in chart.dependencies:
            repository = dependency.repository
            if (
                repository is None
                or not repository.value.strip()
                or repository.value.strip().startswith("file://")
            ):
                continue
            uses.append(
                _ChartRepositoryUse(
                    chart.name.value if chart.name else chart.directory,
                    f"chart:{chart.directory or '.'}/dependency:{dependency.name}",
                    dependency,
                    repository.value.strip(),
                    repository.location,
                )
            )
    return sorted(uses, key=lambda use: (use.location.path, use.location.line, use.location.column))


def _no_allowlist(
    first: Location, subject: str, artifact: ArtifactKind, what: str, sources: list[str], parameter: str
) -> Violation:
    shown = ", ".join(sources[:8]) + (f" and {len(sources) - 8} more" if len(sources) > 8 else "")
    return Violation(
        first,
        f"no {what} allowlist is configured ({parameter}), so the sources in use are unchecked: {shown}",
        subject,
        artifact,
        variant="no-allowlist",
    )


def _image_violations(project: Project, allowlist: list[str]) -> Iterator[Violation]:
    uses = _checked_image_uses(project)
    if not uses:
        return
    if not allowlist:
        registries = sorted(
            {use.image.canonical_name.split("/", 1)[0] for use in uses if not _registry_unknown(use.image)}
        )
        yield _no_allowlist(
            uses[0].image.location,
            "registry-allowlist/images",
            uses[0].artifact,
            "image registry",
            registries or ["(only unresolved references)"],
            "image_allowlist",
        )
        return
    prefixes = [normal_image_prefix(entry) for entry in allowlist]
    for use in uses:
        image = use.image
        if _registry_unknown(image):
            yield Violation(
                image.location,
                f"image reference '{image.written}' names its registry through an unresolved variable, so the allowlist cannot be checked",
                use.subject,
                use.artifact,
                variant="unresolved",
            )
        elif not _under(image.canonical_name, prefixes):
            yield Violation(
                image.location,
                f"image '{image.written}' ({image.canonical_name}) is not from an allowed registry or repository",
                use.subject,
                use.artifact,
            )


def _chart_violations(project: Project, allowlist: list[str]) -> Iterator[Violation]:
    uses = _chart_repository_uses(project)
    if not uses:
        return
    if not allowlist:
        yield _no_allowlist(
            uses[0].location,
            "registry-allowlist/charts",
            ArtifactKind.HELM,
            "chart repository",
            sorted({use.url for use in uses}),
            "chart_repository_allowlist",
        )
        return
    prefixes = [_normal_url(entry) for entry in allowlist]
    for use in uses:
        if use.url.startswith("@") or use.url.startswith("alias:"):
            yield Violation(
                use.location,
                f'dependency "{use.dependency.name}" of chart "{use.chart_name}" uses the repository alias {use.url}, which cannot be checked against the allowlist offline',
                use.subject,
                ArtifactKind.HELM,
                variant="unresolved",
            )
        elif not _under(_normal_url(use.url), prefixes):
            yield Violation(
                use.location,
                f'dependency "{use.dependency.name}" of chart "{use.chart_name}" comes from {use.url}, which is not an allowed chart repository',
                use.subject,
                ArtifactKind.HELM,
            )


def registry_allowlist(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD116: every image and chart dependency comes from an allowed source."""
    yield from _image_violations(project, [str(entry) for entry in params.get("image_allowlist") or []])
    yield from _chart_violations(
        project, [str(entry) for entry in params.get("chart_repository_allowlist") or []]
    )
