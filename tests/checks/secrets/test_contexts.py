"""MD305 secret-as-env-var, MD306 build-context-secrets, MD308 external-secret-config, and the secret-patterns
data table. MD306's repository part is tested on constructed projects: the loader fields it reads
(`repository_files`, `workspace_files`, `dockerignore_files`) are added by a Project subclass here."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml

from medlint.checks.secrets import build_context_secrets, external_secret_config, secret_as_env_var
from medlint.checks.secrets import patterns as secret_patterns
from medlint.checks.secrets.contexts import whole_context_copy
from medlint.checks.secrets.external import go_duration_seconds
from medlint.checks.secrets.image import DEFAULT_SECRET_FILES
from medlint.findings import Violation
from medlint.model import ArtifactKind, Project
from medlint.model.contexts import build_contexts
from medlint.parsers.compose import parse_compose
from medlint.parsers.dockerfile import parse_dockerfile
from medlint.parsers.dockerignore import read_dockerignore
from medlint.parsers.kubernetes import parse_manifest, workload_from_object
from medlint.rulepack import load_table

REPO_ROOT = Path(__file__).resolve().parents[2]
MY_RULES = ("MD305", "MD306", "MD308", "MD402", "MD403", "MD404", "MD405")
COMPLETE_IGNORE = (
    ".git\n**/.env*\n!**/.env.example\n**/*.pem\n**/*.key\n**/id_rsa*\n**/*.p12\n**/.npmrc\n"
    "**/.pypirc\n**/credentials*\n**/secrets/**\n"
)


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def dockerfile(path: str, text: str, ignore: str | None = None, ignore_path: str | None = None):  # type: ignore[no-untyped-def]
    directory = path.rpartition("/")[0]
    default_ignore_path = f"{directory}/.dockerignore" if directory else ".dockerignore"
    ignore_file = None if ignore is None else read_dockerignore(ignore_path or default_ignore_path, ignore)
    return parse_dockerfile(path, dedent(text), ignore_file)


def run(project: Project, **params: object) -> list[Violation]:
    return list(build_context_secrets(project, params))


# --------------------------------------------------------------------------------------------------
# Data table and rule files


def test_secret_patterns_table_is_valid_and_matches_the_former_defaults() -> None:
    schema = json.loads((REPO_ROOT / "schemas" / "table.schema.json").read_text(encoding="utf-8"))
    table = load_table("secret-patterns")
    jsonschema.Draft7Validator(schema).validate(table)
    patterns = secret_patterns.patterns_from_table(table)
    assert patterns == secret_patterns.BUILTIN_PATTERNS
    assert ".env" in DEFAULT_SECRET_FILES and "**/secrets/**" in patterns.repository_secret_files
    assert secret_patterns.is_secret_name("postgresPassword") and not secret_patterns.is_secret_name(
        "DB_PASSWORD_FILE"
    )
    assert not secret_patterns.is_secret_name("existingSecret")


def test_a_rule_can_receive_the_table_through_params() -> None:
    table = load_table("secret-patterns")
    assert (
        secret_patterns.patterns_for({"tables": {"secret-patterns": table}})
        == secret_patterns.BUILTIN_PATTERNS
    )
    # Undeclared parameters are not read: the words come from the table only (tests/test_rule_params.py).
    assert secret_patterns.params_pattern({"pointer_words": ["x"]})[1] != ("x",)


@pytest.mark.parametrize("rule_id", MY_RULES)
def test_rule_files_validate(rule_id: str) -> None:
    schema = json.loads((REPO_ROOT / "schemas" / "rule.schema.json").read_text(encoding="utf-8"))
    path = next((REPO_ROOT / "rules").glob(f"{rule_id}-*.yaml"))
    jsonschema.Draft7Validator(schema).validate(yaml.safe_load(path.read_text(encoding="utf-8")))


# --------------------------------------------------------------------------------------------------
# MD305


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


# --------------------------------------------------------------------------------------------------
# MD306: the ignore-file part


@pytest.mark.parametrize(
    "text, whole",
    [
        ("FROM a\nCOPY . /app\n", True),
        ("FROM a\nCOPY ./ /app/\n", True),
        ("FROM a\nADD . /x\n", True),
        ('FROM a\nCOPY [".", "/app"]\n', True),
        ("FROM a\nCOPY --chown=1:1 ./* /app/\n", True),
        ("ARG SRC=.\nFROM a\nARG SRC\nCOPY ${SRC} /app\n", True),
        ("FROM a AS b\nFROM a\nCOPY --from=b . /app\n", False),
        ("FROM a\nCOPY src/ /app/\n", False),
        ("FROM a\nCOPY <<EOF /etc/motd\nhello\nEOF\n", False),
    ],
)
def test_whole_context_copy_forms(text: str, whole: bool) -> None:
    assert (whole_context_copy(parse_dockerfile("Dockerfile", text)) is not None) is whole


def test_ignore_file_part_with_full_listing_reports_only_the_ignore_file() -> None:
    listed = {
        "repository_files": ("app/Dockerfile", "app/src/main.py"),
        "workspace_files": ("app/Dockerfile",),
    }
    missing = Project(dockerfiles=(dockerfile("app/Dockerfile", "FROM a\nCOPY . /app\n"),), **listed)
    assert [(v.location.line, v.variant) for v in run(missing)] == [(2, None)]
    complete = Project(
        dockerfiles=(dockerfile("app/Dockerfile", "FROM a\nCOPY . /app\n", COMPLETE_IGNORE),), **listed
    )
    assert run(complete) == []
    no_copy = Project(dockerfiles=(dockerfile("app/Dockerfile", "FROM a\nCOPY src/ /app\n"),), **listed)
    assert run(no_copy) == []  # no whole-context copy: no ignore file needed


def test_required_patterns_are_configurable() -> None:
    project = Project(
        dockerfiles=(dockerfile("Dockerfile", "FROM a\nCOPY . /app\n", ".git\n"),), repository_files=()
    )
    assert run(project, required_ignore_patterns=[{"pattern": ".git", "probes": [".git/HEAD"]}]) == []
    assert "does not exclude .env*" in run(project)[0].message


def test_compose_context_uses_the_ignore_file_at_the_context_root() -> None:
    compose = parse_compose(
        "compose.yaml",
        dedent("""
        services:
          api:
            build: {context: ., dockerfile: docker/Dockerfile}
        """),
    )
    image = dockerfile(
        "docker/Dockerfile", "FROM a\nCOPY . /app\n", COMPLETE_IGNORE
    )  # docker/.dockerignore: not used
    base = {"compose_projects": (compose,), "dockerfiles": (image,), "repository_files": ()}
    unknown = run(Project(**base))
    assert [(v.location.path, v.variant) for v in unknown] == [("docker/Dockerfile", "unverified")]
    root_ignore = read_dockerignore(".dockerignore", COMPLETE_IGNORE)
    assert run(Project(**base, dockerignore_files=(root_ignore,))) == []
    assert [v.variant for v in run(Project(**base, dockerignore_files=()))] == [
        None
    ]  # known: none at the root


# --------------------------------------------------------------------------------------------------
# MD306: the repository part


def test_tracked_secret_files_in_a_context_unless_ignored() -> None:
    image = dockerfile("app/Dockerfile", "FROM a\nCOPY src/ /app\n", "certs/\n")
    tracked = (
        "app/Dockerfile",
        "app/id_rsa",
        "app/certs/server.pem",
        "app/config/secrets/db.txt",
        "app/src/credentials.py",
        "app/.env.example",
        "docs/server.key",
    )
    found = run(Project(dockerfiles=(image,), repository_files=tracked, workspace_files=tracked))
    assert sorted((v.location.path, v.location.line, v.variant) for v in found) == [
        ("app/config/secrets/db.txt", 1, "tracked-secret-file"),
        ("app/id_rsa", 1, "tracked-secret-file"),
    ]
    assert all(v.artifact is ArtifactKind.DOCKERFILE for v in found)


def test_untracked_files_are_not_reported_when_git_metadata_exists() -> None:
    image = dockerfile("Dockerfile", "FROM a\nCOPY src/ /app\n")
    project = Project(
        dockerfiles=(image,),
        repository_files=("Dockerfile",),
        workspace_files=("Dockerfile", ".env", "key.pem"),
    )
    assert run(project) == []


def test_without_vcs_metadata_present_files_are_warnings() -> None:
    image = dockerfile("Dockerfile", "FROM a\nCOPY src/ /app\n")
    project = Project(
        dockerfiles=(image,), repository_files=None, workspace_files=("Dockerfile", "key.pem", "deploy/.env")
    )
    found = run(project)
    assert sorted((v.location.path, v.variant) for v in found) == [
        ("deploy/.env", "unverified"),
        ("key.pem", "unverified"),
    ]
    assert all("cannot tell whether it is committed" in v.message for v in found)


def test_committed_env_files_anywhere_in_the_scanned_paths() -> None:
    compose = parse_compose("deploy/compose.yaml", "services:\n  db:\n    image: postgres:16\n")
    tracked = (
        "deploy/compose.yaml",
        "deploy/.env",
        "deploy/.env.sample",
        "other/.env.production",
        "outside/.env",
    )
    scanned = tracked[:4]
    found = run(Project(compose_projects=(compose,), repository_files=tracked, workspace_files=scanned))
    assert sorted((v.location.path, v.artifact) for v in found) == [
        ("deploy/.env", ArtifactKind.COMPOSE),
        ("other/.env.production", ArtifactKind.DOCKERFILE),
    ]


def test_additional_contexts_and_one_finding_per_file() -> None:
    compose = parse_compose(
        "compose.yaml",
        dedent("""
        services:
          api:
            build:
              context: ./api
              additional_contexts:
                shared: ./shared
                base: docker-image://alpine:3.20
          worker:
            build: ./api
        """),
    )
    tracked = ("api/Dockerfile", "api/server.key", "shared/secrets/token")
    found = run(Project(compose_projects=(compose,), repository_files=tracked, workspace_files=tracked))
    assert sorted(v.location.path for v in found) == ["api/server.key", "shared/secrets/token"]
    contexts = build_contexts(Project(compose_projects=(compose,)))
    assert sorted((c.directory, c.additional) for c in contexts) == [
        ("api", False),
        ("api", False),
        ("shared", True),
    ]


def test_without_any_file_listing_each_unprotected_context_is_one_warning() -> None:
    bare = dockerfile("Dockerfile", "FROM a\nCOPY src/ /app\n")
    found = run(Project(dockerfiles=(bare,)))
    assert [(v.location.line, v.variant) for v in found] == [(1, "unverified")]
    allowlisted = dockerfile("Dockerfile", "FROM a\nCOPY . /app\n", "*\n!src\n")
    assert run(Project(dockerfiles=(allowlisted,))) == []
    whole = dockerfile("Dockerfile", "FROM a\nCOPY . /app\n")
    assert sorted((v.location.line, str(v.variant)) for v in run(Project(dockerfiles=(whole,)))) == [
        (2, "None"),
        (2, "unverified"),
    ]


# --------------------------------------------------------------------------------------------------
# MD308


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
