"""The typed facts of a Compose service: security options, mounts (one reader for every syntax), ports."""

from __future__ import annotations

import pytest

from medlint.model import MountKind
from medlint.parsers.compose import parse_compose
from medlint.parsers.compose_service import parse_short_port, split_security_option, split_short_volume


@pytest.mark.parametrize(
    "option, expected",
    [
        ("seccomp:unconfined", ("seccomp", "unconfined")),
        ("seccomp=unconfined", ("seccomp", "unconfined")),
        ("no-new-privileges", ("no-new-privileges", None)),
        ("no-new-privileges=true", ("no-new-privileges", "true")),
        ("label:type:svirt_apache_t", ("label", "type:svirt_apache_t")),
        ("Apparmor=unconfined", ("apparmor", "unconfined")),
    ],
)
def test_security_options_accept_both_spellings(option: str, expected: tuple[str, str | None]) -> None:
    assert split_security_option(option) == expected


def test_short_volume_syntax_splits_outside_variables_and_drive_letters() -> None:
    split = split_short_volume
    assert split("/a:/b:ro") == ["/a", "/b", "ro"]
    assert split("${DIR:-/x}:/data") == ["${DIR:-/x}", "/data"]
    assert split("C:\\data:/data") == ["C:\\data", "/data"]
    assert split("named") == ["named"]


def test_mounts_resolve_bind_volumes_and_unresolved_sources() -> None:
    text = (
        "services:\n  app:\n    image: x\n    volumes:\n      - host-etc:/mnt\n      - ${DIR}:/data\n"
        "      - cache:/cache\n      - /anon\n      - {type: tmpfs, target: /run}\n      - scratch:/tmp\n"
        "    tmpfs: [/var/cache]\n"
        "volumes:\n  cache: {}\n  host-etc:\n    driver_opts: {o: bind, device: /etc}\n"
        "  scratch:\n    driver_opts: {type: tmpfs, device: tmpfs}\n"
    )
    mounts = parse_compose("compose.yaml", text).services[0].mounts
    assert [(m.kind, m.source, m.target, m.unresolved, m.via_volume, m.volume) for m in mounts] == [
        (MountKind.BIND, "/etc", "/mnt", False, "host-etc", "host-etc"),
        (MountKind.BIND, "${DIR}", "/data", True, None, None),
        (MountKind.VOLUME, "cache", "/cache", False, None, "cache"),
        (MountKind.ANONYMOUS, "", "/anon", False, None, None),
        (MountKind.TMPFS, "", "/run", False, None, None),
        (MountKind.TMPFS, "scratch", "/tmp", False, None, "scratch"),
        (MountKind.TMPFS, "", "/var/cache", False, None, None),
    ]
    assert [m.persistent for m in mounts] == [True, True, True, False, False, False, False]
    assert [m.location.line for m in mounts] == [5, 6, 7, 8, 9, 10, 11]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("80", ("", "", "80", "tcp")),
        ("8080:80", ("", "8080", "80", "tcp")),
        ("127.0.0.1:8080:80/udp", ("127.0.0.1", "8080", "80", "udp")),
        ("127.0.0.1::80", ("127.0.0.1", "", "80", "tcp")),
        ("[::1]:8080:80", ("::1", "8080", "80", "tcp")),
        ("::1:8080:80", ("::1", "8080", "80", "tcp")),
        ("8000-8010:8000-8010", ("", "8000-8010", "8000-8010", "tcp")),
        ("${IP:-127.0.0.1}:5432:5432", ("${IP:-127.0.0.1}", "5432", "5432", "tcp")),
    ],
)
def test_short_port_syntax(text: str, expected: tuple[str, str, str, str]) -> None:
    assert parse_short_port(text) == expected
