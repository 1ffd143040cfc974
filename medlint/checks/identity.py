"""Identification, SOUP and configuration management: MD101, MD102, MD105, MD110.

IEC 62304 8.1.2 asks for a unique designator of every SOUP item; images, charts and labels are where a
container deployment carries that identity.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from typing import Any

from medlint.findings import Violation
from medlint.model import ArtifactKind, Chart, ImageUse, Located, Location, Project, Workload

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_EXACT_SEMVER = re.compile(r"^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")


def _has_build(workload: Workload | None) -> bool:
    """A Compose service that builds its image (`build:`)."""
    return workload is not None and "build" in workload.definition


def image_tag_pinned(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD101: images without a tag or with a floating tag (`latest` by default)."""
    floating = {tag.lower() for tag in params.get("floating_tags", ["latest"])}
    for use in project.index.image_uses:
        if use.usage in ("syntax", "COPY --from", "RUN --mount"):
            continue  # MD102 covers these; MD101 is about the images that run or are built from
        image = use.image
        if image.problem is not None:
            continue  # a malformed reference is one MD001/MD002 finding that names the bad part
        if image.unresolved:
            yield Violation(
                image.location,
                f"image reference '{image.written}' cannot be resolved (unset variable or ARG without default), so its version is unknown",
                use.subject,
                use.artifact,
                variant="unresolved",
            )
        elif image.tag is None and image.digest is None:
            yield Violation(
                image.location,
                f"image '{image.written}' has no tag, so it resolves to whatever 'latest' is at build or deploy time",
                use.subject,
                use.artifact,
            )
        elif image.tag is not None and image.tag.lower() in floating:
            yield Violation(
                image.location,
                f"image '{image.written}' uses the floating tag '{image.tag}'",
                use.subject,
                use.artifact,
            )
    for workload in project.index.compose_workloads:
        if _has_build(workload) and not workload.containers[0].image:
            yield Violation(
                workload.location,
                f'service "{workload.name}" is built (build:) but has no versioned image: name, so the built image has no release identity',
                workload.subject,
                workload.artifact,
                variant="build-without-image",
            )


def _pull_policy_findings(use: ImageUse) -> Iterator[Violation]:
    definition = use.container.definition if use.container is not None else None
    if definition is None or not definition.is_map:
        return
    image = use.image
    policy = definition.get("imagePullPolicy").plain()
    mutable = image.digest is None
    if policy is None:
        yield Violation(
            image.location,
            f"imagePullPolicy is implicit for '{image.written}'; state it, so every node's behaviour is evident",
            use.subject,
            use.artifact,
            variant="pull-policy",
        )
    elif policy == "IfNotPresent" and mutable:
        yield Violation(
            definition.key_location_of("imagePullPolicy"),
            f"imagePullPolicy IfNotPresent with the mutable reference '{image.written}' lets each node run a different image",
            use.subject,
            use.artifact,
            variant="pull-policy",
        )


def image_digest_pinned(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD102: images not pinned by content digest (tags are mutable)."""
    for use in project.index.image_uses:
        image = use.image
        if image.problem is not None:
            continue  # a malformed reference is one MD001/MD002 finding that names the bad part
        if image.unresolved:
            yield Violation(
                image.location,
                f"image reference '{image.written}' cannot be resolved, so its digest cannot be verified",
                use.subject,
                use.artifact,
                variant="unresolved",
            )
        elif image.digest is None or not _DIGEST.match(image.digest):
            if use.artifact is ArtifactKind.COMPOSE and _has_build(use.workload):
                continue  # the digest of a built image exists only after the build; its FROM lines are checked
            what = {
                "syntax": "the Dockerfile frontend",
                "COPY --from": "the COPY --from image",
                "RUN --mount": "the RUN --mount image",
            }.get(use.usage, "image")
            yield Violation(
                image.location,
                f"{what} '{image.written}' is not pinned by digest (@sha256:...)",
                use.subject,
                use.artifact,
            )
        if use.usage == "container":
            yield from _pull_policy_findings(use)


# --------------------------------------------------------------------------------------------------
# MD105


def _is_exact_version(version: str) -> bool:
    return bool(_EXACT_SEMVER.match(version.strip()))


def _locked_version(chart: Chart, name: str) -> str | None:
    for locked in chart.lock or ():
        if locked.name == name and _is_exact_version(locked.version):
            return locked.version
    return None


def _repository_outside(chart: Chart, repository: str) -> bool:
    target = repository[len("file://") :]
    if target.startswith("/"):
        return True
    joined = posixpath.normpath(posixpath.join(chart.directory or ".", target))
    return joined == ".." or joined.startswith("../")


def chart_dependency_pinned(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD105: chart dependencies must name exact versions and controlled repositories."""
    for chart in project.charts:
        chart_name = chart.name.value if chart.name else chart.directory
        subject = f"chart:{chart.directory or '.'}"
        for dependency in chart.dependencies:
            dep_subject = f"{subject}/dependency:{dependency.name}"
            version = dependency.version
            if version is None or not _is_exact_version(version.value):
                where = version.location if version else dependency.location
                shown = f"'{version.value}'" if version else "no version (any version)"
                locked = _locked_version(chart, dependency.name)
                if locked:
                    yield Violation(
                        where,
                        f'chart "{chart_name}" declares dependency "{dependency.name}" as {shown}, a range; Chart.lock pins {locked}, but the declared constraint is the change-control point',
                        dep_subject,
                        ArtifactKind.HELM,
                        variant="locked-range",
                    )
                else:
                    yield Violation(
                        where,
                        f'chart "{chart_name}" declares dependency "{dependency.name}" as {shown}, a range, not an exact version',
                        dep_subject,
                        ArtifactKind.HELM,
                    )
            repository = dependency.repository
            if repository is None:
                continue
            url = repository.value.strip()
            if url.startswith("http://"):
                yield Violation(
                    repository.location,
                    f'dependency "{dependency.name}" is fetched over cleartext http://; use https:// or oci://',
                    dep_subject,
                    ArtifactKind.HELM,
                    variant="insecure-repository",
                )
            elif url.startswith("file://") and _repository_outside(chart, url):
                yield Violation(
                    repository.location,
                    f'dependency "{dependency.name}" comes from {url}, outside the repository, so it is not under change control',
                    dep_subject,
                    ArtifactKind.HELM,
                    variant="repository-outside",
                )
            elif url.startswith(("@", "alias:")):
                yield Violation(
                    repository.location,
                    f'dependency "{dependency.name}" uses the repository alias {url}, which cannot be checked offline',
                    dep_subject,
                    ArtifactKind.HELM,
                    variant="unresolved-repository",
                )


# --------------------------------------------------------------------------------------------------
# MD110


def _missing(labels: Mapping[str, Located[str]] | None, required: list[str]) -> list[str]:
    present = labels or {}
    return [key for key in required if key not in present]


def _label_violation(
    location: Location,
    what: str,
    missing: list[str],
    subject: str,
    artifact: ArtifactKind,
    variant: str | None = None,
) -> Violation:
    keys = ", ".join(missing)
    noun = "label" if len(missing) == 1 else "labels"
    return Violation(
        location,
        f"{what} lacks the {'recommended' if variant else 'required'} {noun} {keys}",
        subject,
        artifact,
        variant=variant,
    )


def regulatory_labels_present(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD110: every deployable artifact carries its release identity and safety class as labels."""
    image_keys = list(params.get("image_labels", []))
    k8s_keys = list(params.get("kubernetes_labels", []))
    recommended = list(params.get("kubernetes_recommended_labels", []))
    chart_keys = list(params.get("chart_annotations", []))
    for workload in project.workloads:
        anchor = workload.labels_anchor or workload.location
        if workload.artifact is ArtifactKind.DOCKERFILE:
            missing = _missing(workload.labels, image_keys)
            if missing:
                yield _label_violation(
                    anchor,
                    f"the final stage of {workload.path}",
                    missing,
                    workload.subject,
                    workload.artifact,
                )
        elif workload.artifact is ArtifactKind.COMPOSE:
            yield from _compose_labels(project, workload, image_keys)
        else:
            blocks = [("metadata", workload.labels, anchor)]
            if workload.pod_labels is not None:
                blocks.append(("pod template", workload.pod_labels, workload.pod_labels_anchor or anchor))
            for block, labels, where in blocks:
                missing = _missing(labels, k8s_keys)
                if missing:
                    yield _label_violation(
                        where,
                        f"the {block} of {workload.subject}",
                        missing,
                        f"{workload.subject}/{block}",
                        workload.artifact,
                    )
                missing_recommended = _missing(labels, recommended)
                if missing_recommended:
                    yield _label_violation(
                        where,
                        f"the {block} of {workload.subject}",
                        missing_recommended,
                        f"{workload.subject}/{block}",
                        workload.artifact,
                        variant="recommended",
                    )
    for chart in project.charts:
        missing = [key for key in chart_keys if key not in chart.annotations]
        if missing:
            name = chart.name.value if chart.name else chart.directory
            yield Violation(
                chart.annotations_anchor or chart.location,
                f'the annotations of chart "{name}" lack {", ".join(missing)}',
                f"chart:{chart.directory or '.'}",
                ArtifactKind.HELM,
            )


def _compose_labels(project: Project, workload: Workload, required: list[str]) -> Iterator[Violation]:
    service = project.index.compose_service(workload)
    missing = _missing(workload.labels, required)
    if not missing:
        return
    dockerfile = (
        project.dockerfile(service.dockerfile_path)
        if service is not None and service.build_context is not None
        else None
    )
    if dockerfile is not None:
        final_image = project.index.final_image(dockerfile.path)
        image_workload = final_image.workload if final_image is not None else None
        still_missing = _missing(image_workload.labels if image_workload else {}, missing)
        if not still_missing or image_workload is not None:
            return  # the Dockerfile's own MD110 finding reports what its final stage lacks
    yield _label_violation(
        workload.labels_anchor or workload.location,
        f'service "{workload.name}"',
        missing,
        workload.subject,
        workload.artifact,
    )
