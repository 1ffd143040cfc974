"""MD306 build-context-secrets (checks/secrets/contexts.py). The repository part is tested on constructed
projects: the loader fields it reads (`repository_files`, `workspace_files`, `dockerignore_files`) are
added by a Project subclass here."""

from __future__ import annotations

import textwrap

import pytest

from medlint.checks.secrets import build_context_secrets
from medlint.checks.secrets.contexts import whole_context_copy
from medlint.findings import Violation
from medlint.model import ArtifactKind, Project
from medlint.model.contexts import build_contexts
from medlint.parsers.compose import parse_compose
from medlint.parsers.dockerfile import parse_dockerfile
from medlint.parsers.dockerignore import read_dockerignore

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
