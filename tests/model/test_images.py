"""Image references: the distribution grammar and canonical names."""

from __future__ import annotations

import pytest

from medlint.model.images import parse_image_reference
from medlint.model.location import Location

LOCATION = Location("x", 1, 1)


@pytest.mark.parametrize(
    ("raw", "registry", "repository", "tag", "digest", "unresolved"),
    [
        ("nginx", None, "nginx", None, None, False),
        ("nginx:1.25-alpine", None, "nginx", "1.25-alpine", None, False),
        ("docker.io/library/nginx:latest", None, "nginx", "latest", None, False),
        ("index.docker.io/bitnami/redis", None, "bitnami/redis", None, None, False),
        ("library/busybox", None, "busybox", None, None, False),
        ("localhost:5000/app", "localhost:5000", "app", None, None, False),
        ("localhost/app:1", "localhost", "app", "1", None, False),
        (
            "registry.example.com:5000/team/app:2.1",
            "registry.example.com:5000",
            "team/app",
            "2.1",
            None,
            False,
        ),
        ("ghcr.io/org/img@sha256:" + "a" * 64, "ghcr.io", "org/img", None, "sha256:" + "a" * 64, False),
        ("img:1.0@sha256:" + "b" * 64, None, "img", "1.0", "sha256:" + "b" * 64, False),
        ("team/app", None, "team/app", None, None, False),
        ("${REGISTRY}/app:1", "${REGISTRY}", "app", "1", None, True),
        ("$IMAGE", None, "$IMAGE", None, None, True),
        ("Nginx", None, "Nginx", None, None, True),
        ("nginx:", None, "nginx", "", None, True),
        ("nginx@sha256:short", None, "nginx", None, "sha256:short", True),
        ("", None, "", None, None, True),
        ("  ", None, "", None, None, True),
    ],
)
def test_parse_image_reference(raw, registry, repository, tag, digest, unresolved) -> None:
    reference = parse_image_reference(raw, LOCATION)
    assert (
        reference.registry,
        reference.repository,
        reference.tag,
        reference.digest,
        reference.unresolved,
    ) == (
        registry,
        repository,
        tag,
        digest,
        unresolved,
    )
    assert reference.written == raw and reference.location == LOCATION


def test_parse_image_reference_keeps_the_callers_unresolved_mark_and_never_raises() -> None:
    assert parse_image_reference("nginx:1", LOCATION, unresolved=True).unresolved
    for raw in ("@", ":", "/", "a//b", "a/:b", "::::", "host:5000", None):
        parse_image_reference(raw, LOCATION)  # type: ignore[arg-type]
    assert parse_image_reference("host:5000", LOCATION).tag == "5000"


@pytest.mark.parametrize(
    "reference, name",
    [
        ("node:22", "docker.io/library/node"),
        ("docker.io/library/node:22", "docker.io/library/node"),
        ("index.docker.io/bitnami/redis:7", "docker.io/bitnami/redis"),
        ("ghcr.io/Acme/app:1", "ghcr.io/acme/app"),
        ("localhost:5000/app", "localhost:5000/app"),
    ],
)
def test_canonical_names(reference: str, name: str) -> None:
    assert parse_image_reference(reference, LOCATION).canonical_name == name
