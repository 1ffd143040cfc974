"""MD206-MD210 helpers: host paths in one canonical form, and which of them expose a listed directory."""

from __future__ import annotations

import pytest

from medlint.checks import isolation
from medlint.checks.isolation import normalise_host_path


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/var/run/docker.sock", "/run/docker.sock"),
        ("/run/docker.sock", "/run/docker.sock"),
        ("//var/run/docker.sock", "/run/docker.sock"),
        ("/var/run/../run/docker.sock/", "/run/docker.sock"),
        ("/etc/ssl/certs/", "/etc/ssl/certs"),
        ("/var/running", "/var/running"),
        ("./data", "./data"),
        ("~/cache", "~/cache"),
    ],
)
def test_host_paths_have_one_canonical_form(path: str, expected: str) -> None:
    assert normalise_host_path(path) == expected


SENSITIVE = [
    "/",
    "/etc",
    "/proc",
    "/sys",
    "/dev",
    "/boot",
    "/usr",
    "/lib",
    "/var/lib/docker",
    "/var/run/docker.sock",
]


@pytest.mark.parametrize(
    "source, expected",
    [
        ("/", "/"),
        ("/etc", "/etc"),
        ("/etc/ssl", "/etc"),
        ("/run/docker.sock", "/var/run/docker.sock"),
        ("/var/run", "/var/run/docker.sock"),
        ("/var", "/var/lib/docker"),
        ("/var/lib/docker/volumes", "/var/lib/docker"),
        ("/srv/app", None),
        ("/var/log", None),
        ("/home/user", None),
        ("/library", None),
        ("./etc", None),
    ],
)
def test_sensitive_paths_match_themselves_children_and_parents(source: str, expected: str | None) -> None:
    assert isolation.sensitive_host_path(source, SENSITIVE) == expected


@pytest.mark.parametrize(
    "source, expected",
    [
        ("${DIR}", True),
        ("${DIR}/certs", True),
        ("/etc/${NAME}", True),
        ("/var/lib/dock${X}", True),
        ("/${X}", True),
        ("./${DIR}", False),
        ("~/${DIR}", False),
        ("/srv/app-${NAME}", False),
        ("/home/${USER}/data", False),
    ],
)
def test_unresolved_mount_sources_that_could_name_a_listed_path(source: str, expected: bool) -> None:
    assert isolation.unresolved_may_expose(source, SENSITIVE) is expected
