"""MD116: registry and chart-repository allowlists, and the single note when none is configured."""

from __future__ import annotations

from typing import Any

import pytest

from medlint.checks.registry import normal_image_prefix, registry_allowlist
from medlint.model import Project
from medlint.parsers.dockerfile import dockerfile_workload, parse_dockerfile
from medlint.parsers.helm import parse_chart


@pytest.mark.parametrize(
    "entry, prefix",
    [
        ("registry.example.com/", "registry.example.com"),
        ("library/node", "docker.io/library/node"),
        ("bitnami", "docker.io/bitnami"),
        ("index.docker.io/library", "docker.io/library"),
    ],
)
def test_allowlist_entries(entry: str, prefix: str) -> None:
    assert normal_image_prefix(entry) == prefix


DOCKERFILE = """# syntax=docker/dockerfile:1
ARG REGISTRY
FROM golang:1.23 AS build
FROM registry.example.com/base/runtime:1.0
FROM registry.example.com.evil.io/runtime:1.0
FROM ${REGISTRY}/runtime:1.0
FROM scratch
COPY --from=build /a /a
"""


def project() -> Project:
    dockerfile = parse_dockerfile("Dockerfile", DOCKERFILE)
    chart = parse_chart(
        "c",
        "c/Chart.yaml",
        """apiVersion: v2
name: c
version: 1.0.0
dependencies:
  - {name: a, version: 1.0.0, repository: "oci://registry.example.com/charts"}
  - {name: b, version: 1.0.0, repository: "https://charts.example.org"}
  - {name: c, version: 1.0.0, repository: "@internal"}
  - {name: d, version: 1.0.0, repository: "file://../d"}
""",
    )
    return Project(dockerfiles=(dockerfile,), workloads=(dockerfile_workload(dockerfile),), charts=(chart,))


def findings(**params: Any) -> list[tuple[str, int, str | None]]:
    return sorted(
        (f.location.path, f.location.line, f.variant) for f in registry_allowlist(project(), params)
    )


def test_no_allowlist_is_one_note_per_list() -> None:
    assert findings() == [("Dockerfile", 1, "no-allowlist"), ("c/Chart.yaml", 5, "no-allowlist")]


def test_allowlists() -> None:
    found = findings(
        image_allowlist=["registry.example.com", "docker.io/docker/dockerfile"],
        chart_repository_allowlist=["oci://registry.example.com/charts/"],
    )
    assert found == [
        ("Dockerfile", 3, None),
        ("Dockerfile", 5, None),
        ("Dockerfile", 6, "unresolved"),
        ("c/Chart.yaml", 6, None),
        ("c/Chart.yaml", 7, "unresolved"),
    ]
