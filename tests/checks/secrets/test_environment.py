"""MD305 secret-as-env-var (checks/secrets/environment.py)."""

from __future__ import annotations

import textwrap

from medlint.checks.secrets import secret_as_env_var
from medlint.model import ArtifactKind, Project
from medlint.parsers.compose import parse_compose
from medlint.parsers.kubernetes import parse_manifest, workload_from_object


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def test_md305_rendered_objects_are_helm_and_messages_hold_no_values() -> None:
    objects = parse_manifest(
        "chart/templates/api.yaml",
        dedent("""
        apiVersion: v1
        kind: Pod
        metadata: {name: api}
        spec:
          containers:
            - name: api
              image: api:1
              env:
                - name: TOKEN
                  valueFrom: {secretKeyRef: {name: api, key: token}}
                - {name: PLAIN, value: s3cr3t-literal}
        """),
        rendered_from="chart",
    )
    project = Project(k8s_objects=tuple(objects), workloads=(workload_from_object(objects[0]),))  # type: ignore[arg-type]
    found = list(secret_as_env_var(project, {}))
    assert [(v.artifact, v.location.line) for v in found] == [(ArtifactKind.HELM, 9)]


def test_md305_compose_host_values_of_secret_like_keys_only() -> None:
    compose = parse_compose(
        "compose.yaml",
        dedent("""
        services:
          app:
            image: app:1
            environment:
              DB_PASSWORD: ${DB_PASSWORD:-changeme}
              API_KEY:
              LOG_LEVEL: ${LOG_LEVEL}
              DB_PASSWORD_FILE: /run/secrets/db
              SESSION_SECRET: fixed-literal
        """),
        env_file_text="API_KEY=from-dotenv\n",
    )
    project = Project(compose_projects=(compose,), workloads=tuple(s.workload for s in compose.services))
    found = list(secret_as_env_var(project, {}))
    assert [v.location.line for v in found] == [5, 6]
    assert not any("changeme" in v.message or "from-dotenv" in v.message for v in found)
