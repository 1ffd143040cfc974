"""MD308 external-secret-config (checks/secrets/external.py)."""

from __future__ import annotations

import textwrap

import pytest

from medlint.checks.secrets import external_secret_config
from medlint.checks.secrets.external import go_duration_seconds
from medlint.model import Project
from medlint.parsers.kubernetes import parse_manifest


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


@pytest.mark.parametrize(
    "value, seconds",
    [
        ("1h", 3600.0),
        ("15m", 900.0),
        ("1h30m", 5400.0),
        ("0", 0.0),
        ("0s", 0.0),
        ("0h0m", 0.0),
        (0, 0.0),
        ("500ms", 0.5),
        ("-1m", -60.0),
        ("1d", None),
        ("{{ .Values.refresh }}", None),
        (3600, None),
        ("", None),
        (None, None),
    ],
)
def test_go_duration(value: object, seconds: float | None) -> None:
    assert go_duration_seconds(value) == seconds


def test_md308_rendered_external_secret_is_helm() -> None:
    objects = parse_manifest(
        "chart/templates/es.yaml",
        dedent("""
        apiVersion: external-secrets.io/v1
        kind: ExternalSecret
        metadata: {name: db}
        spec:
          secretStoreRef: {kind: ClusterSecretStore}
        """),
        rendered_from="chart",
    )
    found = list(external_secret_config(Project(k8s_objects=tuple(objects)), {}))
    assert sorted((v.variant, v.location.line, v.artifact.value) for v in found) == [
        ("refresh-interval", 4, "helm"),
        ("secret-store-ref", 5, "helm"),
    ]
