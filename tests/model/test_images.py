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
        ("Nginx", None, "Nginx", None, None, False),  # malformed, not unresolved: see below
        ("nginx:", None, "nginx", "", None, False),
        ("nginx@sha256:short", None, "nginx", None, "sha256:short", False),
        ("", None, "", None, None, False),
        ("  ", None, "", None, None, False),
        ("[::1]:5000/app:1", "[::1]:5000", "app", "1", None, False),
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


HEX = "0123456789abcdef" * 8


@pytest.mark.parametrize(
    "raw, problem",
    [
        ("nginx@sha256:1234", "the sha256 digest has 4 hex digits; sha256 has 64"),
        ("nginx:1.27@sha256:" + HEX[:63], "the sha256 digest has 63 hex digits; sha256 has 64"),
        (
            "nginx@sha256:" + HEX[:64].upper(),
            "the sha256 digest '0123456789ABCDEF0...' must be written in lowercase hex",
        ),
        (
            "nginx@sha256:" + "g" * 64,
            "the sha256 digest 'ggggggggggggggggg...' holds characters that are not hexadecimal",
        ),
        ("nginx@sha512:" + HEX[:64], "the sha512 digest has 64 hex digits; sha512 has 128"),
        (
            "nginx@md5:" + HEX[:32],
            "the digest algorithm 'md5' is not one registries accept (sha256, sha384, sha512)",
        ),
        ("nginx@" + HEX[:64], f"the digest '{HEX[:37]}...' has no algorithm: write sha256:<64 hex digits>"),
        ("nginx@sha256:", "the sha256 digest has no hex digits after 'sha256:'"),
        ("nginx@", "the digest after '@' is empty"),
        ("Nginx:1.27", "the repository 'Nginx' must be lowercase"),
        ("ghcr.io/Acme/App:1", "the repository 'Acme/App' must be lowercase"),
        (
            "my-registry_1:5000/app:1",
            "the registry 'my-registry_1:5000' is not a host name or IP address with an optional port (registry.example.com:5000)",
        ),
        (
            "team//app:1",
            "the repository 'team//app' has an empty path component: components are lowercase letters and digits, joined by '.', '_', '__' or dashes",
        ),
        (
            "team/-app:1",
            "the repository 'team/-app' has the path component '-app': components are lowercase letters and digits, joined by '.', '_', '__' or dashes",
        ),
        ("registry.example.com/", "the repository name is missing"),
        ("nginx:", "the tag after ':' is empty"),
        ("nginx:" + "a" * 129, "the tag has 129 characters; at most 128 are allowed"),
        (
            "nginx:.hidden",
            "the tag '.hidden' may hold only letters, digits, '_', '.' and '-', and may not start with '.' or '-'",
        ),
        (
            "nginx:1.0+build",
            "the tag '1.0+build' may hold only letters, digits, '_', '.' and '-', and may not start with '.' or '-'",
        ),
        ("a/" + "b" * 260, "the repository name has 262 characters; at most 255 are allowed"),
        ("", "the image reference is empty"),
        (
            "<YOUR-CONTAINER>",
            "'<YOUR-CONTAINER>' is a placeholder, not an image name; write the image it stands for",
        ),
        (
            "registry.example.com/app:<tag>",
            "'<tag>' is a placeholder, not an image name; write the image it stands for",
        ),
    ],
)
def test_malformed_references_name_the_bad_part(raw: str, problem: str) -> None:
    reference = parse_image_reference(raw, LOCATION)
    assert reference.problem == problem and not reference.unresolved


@pytest.mark.parametrize(
    "raw",
    [
        "nginx:" + "a" * 128,
        "nginx@sha256:" + HEX[:64],
        "nginx@sha384:" + HEX[:96],
        "nginx@sha512:" + HEX[:128],
        "registry.example.com:5000/a.b/c__d/e---f:_tag",
        "192.168.1.10:5000/app:1",
        "localhost/app",
        "${REGISTRY}/App@sha256:1234",  # variables: unresolved, not judged
        "{{ .Values.image }}",
        "ko://github.com/example/app/cmd/server",  # replaced by ko at build time: unresolved
    ],
)
def test_valid_and_unresolved_references_have_no_problem(raw: str) -> None:
    assert parse_image_reference(raw, LOCATION).problem is None


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
