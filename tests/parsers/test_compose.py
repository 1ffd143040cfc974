"""The Compose parser: errors with positions, interpolation, extends/include merging, and the model mapping."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from medlint.model import ArtifactKind, ComposeProject, ComposeService, Container
from medlint.model.durations import duration_seconds
from medlint.model.interpolation import InterpolatedText
from medlint.parsers.compose import (
    SourcedMap,
    command_words,
    compose_key_location,
    compose_value_location,
    parse_compose,
)
from medlint.source import Location, SourceError, read_text
from tests.conftest import CORPUS

PATH = "deploy/compose.yaml"


def yaml(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def reader(files: dict[str, str]) -> Callable[[str], str]:
    """A fake read_file over repository-relative paths; missing files raise like the real one."""

    def read(path: str) -> str:
        if path not in files:
            raise FileNotFoundError(2, "No such file or directory", path)
        return yaml(files[path])

    return read


def parse(
    text: str, files: dict[str, str] | None = None, env: str | None = None, path: str = PATH
) -> ComposeProject:
    return parse_compose(path, yaml(text), reader(files) if files is not None else None, env)


def service(project: ComposeProject, name: str) -> ComposeService:
    return next(item for item in project.services if item.name == name)


def container(project: ComposeProject, name: str) -> Container:
    return service(project, name).workload.containers[0]


def where(text: str, needle: str, occurrence: int = 1, path: str = PATH) -> tuple[str, int, int]:
    """(path, line, column) of the n-th occurrence of `needle` in the dedented text."""
    source = yaml(text)
    index = -1
    for _ in range(occurrence):
        index = source.index(needle, index + 1)
    line = source.count("\n", 0, index) + 1
    return path, line, index - (source.rfind("\n", 0, index) + 1) + 1


def start(location: Location) -> tuple[str, int, int]:
    return location.path, location.line, location.column


def raises_at(text: str, line: int, column: int, match: str, **kwargs: object) -> SourceError:
    with pytest.raises(SourceError, match=match) as caught:
        parse(text, **kwargs)  # type: ignore[arg-type]
    assert (caught.value.line, caught.value.column) == (line, column)
    return caught.value


# --------------------------------------------------------------------------------------------------
# Errors


def test_yaml_syntax_error_has_its_position() -> None:
    raises_at("services:\n  web:\n    image: [unclosed\n", 4, 1, "YAML syntax error")


def test_top_level_must_be_a_mapping() -> None:
    raises_at("- web\n- db\n", 1, 1, "top level of a Compose file must be a mapping")


def test_empty_file_is_an_error() -> None:
    with pytest.raises(SourceError, match="empty"):
        parse_compose(PATH, "# nothing\n")


def test_services_must_be_a_mapping() -> None:
    raises_at("version: '3'\nservices:\n  - web\n", 2, 1, "'services' must be a mapping")


def test_a_service_must_be_a_mapping() -> None:
    raises_at("services:\n  web: nginx\n", 2, 8, "service 'web' must be a mapping")


def test_unterminated_interpolation_points_at_the_dollar() -> None:
    text = """
    services:
      web:
        image: "nginx:$${TAG}-${TAG"
    """
    _, line, column = where(text, '${TAG"')
    error = raises_at(text, line, column, "unterminated")
    assert "'}'" in error.message


def test_invalid_interpolation_form_points_at_the_dollar_in_a_block_scalar() -> None:
    text = """
    services:
      web:
        image: nginx
        command: |
          echo $HOME
          echo ${HOME:x}
    """
    _, line, column = where(text, "${HOME:x}")
    raises_at(text, line, column, "invalid variable reference")


def test_interpolation_errors_are_found_in_extension_fields_and_lists_too() -> None:
    text = """
    x-defaults:
      volumes:
        - ${}:/data
    services: {}
    """
    _, line, column = where(text, "${}")
    raises_at(text, line, column, "variable name")


def test_unset_required_variable_is_unresolved_not_an_error() -> None:
    project = parse("services:\n  web:\n    image: ${IMAGE:?set IMAGE in .env}\n")
    image = container(project, "web").image
    assert image is not None and image.unresolved
    assert image.written == "${IMAGE:?set IMAGE in .env}"


def test_required_variable_with_an_empty_message_is_valid() -> None:
    text = "services:\n  web:\n    image: app:${TAG:?}\n"
    unset = container(parse(text), "web").image
    assert unset is not None and unset.unresolved and unset.written == "app:${TAG:?}"
    set_ = container(parse(text, env="TAG=3"), "web").image
    assert set_ is not None and not set_.unresolved and set_.tag == "3"


def test_unbalanced_quote_in_command_is_an_error_at_the_command() -> None:
    raises_at("services:\n  web:\n    command: echo 'oops\n", 3, 14, "close the quote")


def test_duplicate_keys_are_refused() -> None:
    raises_at("services:\n  web: {}\n  web: {}\n", 3, 3, "duplicate key")


# --------------------------------------------------------------------------------------------------
# Interpolation in the tree


def test_variables_come_only_from_the_env_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAG", "from-the-process")
    monkeypatch.setenv("REGISTRY", "from-the-process")
    project = parse(
        "services:\n  web:\n    image: ${REGISTRY}/app:${TAG}\n",
        env="TAG=1.2.3\n",
    )
    image = container(project, "web").image
    assert image is not None
    assert image.written == "${REGISTRY}/app:1.2.3"
    assert image.unresolved


def test_resolved_image_is_not_marked_unresolved() -> None:
    project = parse(
        "services:\n  web:\n    image: nginx:${TAG:-1.25}\n  db:\n    image: postgres:${PG}\n", env="PG=16"
    )
    web, db = container(project, "web").image, container(project, "db").image
    assert web is not None and (web.written, web.unresolved) == ("nginx:1.25", False)
    assert db is not None and (db.written, db.unresolved) == ("postgres:16", False)


def test_each_interpolated_value_records_names_resolution_and_location() -> None:
    text = """
    services:
      web:
        image: app
        working_dir: /srv/${APP:-demo}
        entrypoint: ["run", "--port=${PORT}"]
        labels:
          "${KEYS_ARE_NOT_INTERPOLATED}": "x"
    """
    project = parse(text, env="PORT=80\n")
    raw = service(project, "web").definition.tree
    working_dir = raw["working_dir"]
    assert isinstance(working_dir, InterpolatedText)
    assert working_dir == "/srv/demo"
    assert working_dir.interpolation.names == ("APP",)
    assert working_dir.interpolation.references[0].is_set is False
    assert working_dir.interpolation.resolved
    assert start(working_dir.location) == where(text, "/srv/")
    port = raw["entrypoint"][1]
    assert port == "--port=80" and isinstance(port, InterpolatedText)
    assert start(port.location) == where(text, '"--port')
    assert "${KEYS_ARE_NOT_INTERPOLATED}" in raw["labels"]


def test_dollar_escapes_become_literal_dollars_without_records() -> None:
    project = parse("services:\n  web:\n    image: app\n    command: echo $$HOME $${X}\n")
    command = service(project, "web").definition.tree["command"]
    assert command == "echo $HOME ${X}"
    assert not isinstance(command, InterpolatedText)
    assert [word.value for word in container(project, "web").args] == ["echo", "$HOME", "${X}"]


# --------------------------------------------------------------------------------------------------
# Anchors, merge keys, !reset and !override


def test_anchors_and_merge_keys() -> None:
    text = """
    x-common: &common
      restart: always
      user: "1000:1000"
      labels:
        team: platform
    services:
      web:
        <<: *common
        image: web
        restart: on-failure
      worker:
        <<: *common
        image: worker
    """
    project = parse(text)
    web, worker = service(project, "web"), service(project, "worker")
    assert web.definition.tree["restart"] == "on-failure"  # explicit keys win over merged ones
    assert worker.definition.tree["restart"] == "always"
    assert worker.user is not None and worker.user.value == "1000:1000"
    assert start(worker.user.location) == where(text, '"1000:1000"')  # where it is written: the anchor
    assert worker.workload.labels["team"].value == "platform"


def test_reset_and_override_in_extends() -> None:
    text = """
    services:
      base:
        image: base
        command: ["serve"]
        ports: ["80:80", "443:443"]
        environment: {A: "1", B: "2"}
        cap_add: [NET_ADMIN]
      web:
        extends: base
        command: !reset null
        ports: !override ["8080:80"]
        environment:
          B: !reset
        cap_add: !reset []
    """
    web = service(parse(text), "web")
    assert "command" not in web.definition.tree
    assert container(parse(text), "web").args == ()
    assert list(web.definition.tree["ports"]) == ["8080:80"]
    assert dict(web.definition.tree["environment"]) == {"A": "1"}
    assert "cap_add" not in web.definition.tree
    assert web.workload.containers[0].security.capabilities_add is None


def test_reset_and_override_tags_without_extends_are_applied_to_the_file_itself() -> None:
    project = parse(
        "services:\n  web:\n    image: web\n    user: !reset root\n    ports: !override ['80:80']\n"
    )
    web = service(project, "web")
    assert "user" not in web.definition.tree and web.user is None
    assert list(web.definition.tree["ports"]) == ["80:80"]


# --------------------------------------------------------------------------------------------------
# extends


def test_extends_in_file_follows_the_merge_rules() -> None:
    text = """
    services:
      base:
        image: base:1
        command: ["serve", "--all"]
        entrypoint: /init
        environment:
          - SHARED=base
          - ONLY_BASE=1
        labels: {tier: backend, owner: base}
        ports: ["80:80", "9090:9090"]
        volumes: ["data:/data", "./conf:/etc/app"]
        deploy:
          resources:
            limits: {memory: 256M, cpus: "1"}
        healthcheck:
          test: ["CMD", "base-check"]
          interval: 10s
      web:
        extends:
          service: base
        command: serve --web
        environment:
          SHARED: web
        labels:
          - owner=web
        ports: ["80:80", "8443:443"]
        volumes: ["other:/data"]
        deploy:
          resources:
            limits: {memory: 512M}
        healthcheck:
          test: ["CMD", "web-check"]
    """
    project = parse(text)
    web = service(project, "web")
    box = container(project, "web")
    assert [word.value for word in box.args] == ["serve", "--web"]  # replaced, not appended
    assert web.definition.tree["entrypoint"] == "/init"
    assert {env.name: env.value for env in box.env} == {"SHARED": "web", "ONLY_BASE": "1"}
    assert {key: label.value for key, label in web.workload.labels.items()} == {
        "tier": "backend",
        "owner": "web",
    }
    assert list(web.definition.tree["ports"]) == [
        "80:80",
        "9090:9090",
        "8443:443",
    ]  # merged by key, no duplicate
    assert list(web.definition.tree["volumes"]) == [
        "other:/data",
        "./conf:/etc/app",
    ]  # same target: replaced in place
    assert {key: value.value for key, value in box.resources.limits.items()} == {"memory": "512M", "cpu": "1"}
    assert box.probes[0].command == ("CMD", "web-check")
    assert box.probes[0].period_seconds == 10.0
    assert "extends" not in web.definition.tree
    # Merged values keep the place they were written.
    assert start(box.resources.limits["cpu"].location) == where(text, '"1"')
    assert start(web.workload.labels["tier"].location) == where(text, "backend")
    assert start(web.workload.labels["owner"].location) == where(text, "owner=web")
    assert start(web.location) == where(text, "web:")


def test_extends_is_recursive_and_build_forms_merge() -> None:
    text = """
    services:
      root:
        build: ./app
        user: app
      middle:
        extends: root
        build:
          dockerfile: Dockerfile.prod
      leaf:
        extends: middle
        image: leaf
    """
    leaf = service(parse(text), "leaf")
    assert (leaf.build_context, leaf.dockerfile_path) == ("deploy/app", "deploy/app/Dockerfile.prod")
    assert leaf.user is not None and leaf.user.value == "app"


def test_extends_cycle_is_an_error_at_the_extends() -> None:
    text = """
    services:
      a:
        extends: b
      b:
        extends:
          service: a
    """
    error = raises_at(text, *where(text, "service: a")[1:], match="extends cycle")  # the extends closing it
    assert "a -> b -> a" in error.message


def test_extends_of_a_missing_service_is_an_error() -> None:
    text = "services:\n  web:\n    extends: nowhere\n"
    raises_at(text, 3, 14, "extends 'nowhere', which is not defined")


def test_extends_from_another_file() -> None:
    text = """
    services:
      web:
        extends:
          file: ../common/base.yaml
          service: app
        environment:
          MODE: web
    """
    base = """
    services:
      app:
        build:
          context: ./src
        image: registry.example.com/app:${TAG}
        user: "0"
        environment:
          MODE: base
          LOG: ${LOG_LEVEL:-info}
    """
    files = {"common/base.yaml": base}
    project = parse(text, files=files, env="TAG=2.0\n")
    web = service(project, "web")
    box = container(project, "web")
    # Relative paths of the base resolve against the base file's directory.
    assert (web.build_context, web.dockerfile_path) == ("common/src", "common/src/Dockerfile")
    assert box.image is not None and box.image.written == "registry.example.com/app:2.0"
    assert box.image.location.path == "common/base.yaml"
    assert web.user is not None and start(web.user.location) == where(base, '"0"', path="common/base.yaml")
    env = {item.name: item for item in box.env}
    assert env["MODE"].value == "web" and env["MODE"].location.path == PATH
    assert (env["LOG"].source, env["LOG"].value, env["LOG"].default) == ("interpolated", "info", "info")
    assert start(env["LOG"].location) == where(base, "${LOG_LEVEL", path="common/base.yaml")
    assert start(web.location) == (PATH, 2, 3)


def test_extends_file_problems_are_reported_at_the_extends() -> None:
    text = "services:\n  web:\n    extends: {file: missing.yaml, service: app}\n"
    raises_at(text, 3, 14, "cannot read extends file 'deploy/missing.yaml'", files={})
    files = {"deploy/base.yaml": "services:\n  app:\n    image: ${oops\n"}
    error = raises_at(
        "services:\n  web:\n    extends: {file: base.yaml, service: app}\n",
        3,
        14,
        "base.yaml line 3",
        files=files,
    )
    assert "unterminated" in error.message
    raises_at(
        "services:\n  web:\n    extends: {file: base.yaml, service: nope}\n",
        3,
        14,
        "not defined in 'deploy/base.yaml'",
        files={"deploy/base.yaml": "services:\n  app:\n    image: app\n"},
    )


def test_extends_file_is_skipped_without_read_file() -> None:
    project = parse("services:\n  web:\n    extends: {file: base.yaml, service: app}\n    image: own\n")
    web = service(project, "web")
    assert "extends" not in web.definition.tree
    assert container(project, "web").image is not None


def test_cross_file_extends_cycle_is_detected() -> None:
    files = {
        "deploy/other.yaml": "services:\n  b:\n    extends: {file: compose.yaml, service: a}\n",
        PATH: "services:\n  a:\n    extends: {file: other.yaml, service: b}\n",
    }
    with pytest.raises(SourceError, match="extends cycle"):
        parse(files[PATH], files=files)


# --------------------------------------------------------------------------------------------------
# include


def test_include_imports_services_and_resources() -> None:
    text = """
    include:
      - ../shared/db.yaml
      - path: [../shared/cache.yaml, ../shared/cache.override.yaml]
    services:
      web:
        extends: db
        image: web
    """
    files = {
        "shared/db.yaml": """
        services:
          db:
            image: postgres:${PG_VERSION}
        volumes:
          pgdata: {}
        """,
        "shared/.env": "PG_VERSION=16\n",
        "shared/cache.yaml": "services:\n  cache:\n    image: redis:7\n    ports: ['6379:6379']\n",
        "shared/cache.override.yaml": "services:\n  cache:\n    ports: !reset []\n    read_only: true\n",
    }
    project = parse(text, files=files)
    assert [item.name for item in project.services] == ["web", "db", "cache"]
    db = container(project, "db")
    assert db.image is not None and db.image.written == "postgres:16"  # the included project's own .env
    assert start(service(project, "db").location) == ("shared/db.yaml", 2, 3)
    assert "pgdata" in project.top_level["volumes"]
    cache = service(project, "cache")
    assert "ports" not in cache.definition.tree
    read_only = cache.workload.containers[0].security.read_only_root_filesystem
    assert read_only is not None and read_only.value is True
    assert container(project, "web").image is not None  # a service may extend an included one


def test_include_is_ignored_without_read_file() -> None:
    project = parse("include: [other.yaml]\nservices:\n  web:\n    image: web\n")
    assert [item.name for item in project.services] == ["web"]


def test_include_conflict_and_cycle_are_errors() -> None:
    files = {"deploy/other.yaml": "services:\n  web:\n    image: other\n"}
    # Reported at this file's own definition of the service.
    raises_at(
        "include: [other.yaml]\nservices:\n  web:\n    image: web\n", 3, 3, "defined both here", files=files
    )
    twice = {**files, "deploy/again.yaml": "services:\n  web:\n    image: again\n"}
    raises_at("include: [other.yaml, again.yaml]\nservices: {}\n", 1, 23, "defined both here", files=twice)
    cyclic = {"deploy/a.yaml": "include: [compose.yaml]\nservices: {}\n"}
    with pytest.raises(SourceError, match="include cycle"):
        parse("include: [a.yaml]\nservices: {}\n", files=cyclic)


# --------------------------------------------------------------------------------------------------
# Labels and environment


def test_labels_list_and_mapping_forms_with_exact_locations() -> None:
    text = """
    services:
      listed:
        image: a
        labels:
          - com.example.team=core
          - regulatory.iec62304.class=B
          - flag
      mapped:
        image: b
        labels:
          com.example.team: core
          regulatory.iec62304.class: "C"
          empty:
      bare:
        image: c
    """
    project = parse(text)
    listed, mapped, bare = (service(project, name).workload for name in ("listed", "mapped", "bare"))
    assert {key: value.value for key, value in listed.labels.items()} == {
        "com.example.team": "core",
        "regulatory.iec62304.class": "B",
        "flag": "",
    }
    assert start(listed.labels["regulatory.iec62304.class"].location) == where(
        text, "regulatory.iec62304.class=B"
    )
    assert {key: value.value for key, value in mapped.labels.items()} == {
        "com.example.team": "core",
        "regulatory.iec62304.class": "C",
        "empty": "",
    }
    assert start(mapped.labels["regulatory.iec62304.class"].location) == where(text, '"C"')
    assert start(mapped.labels["empty"].location) == where(text, "empty:")
    assert listed.labels_anchor is not None and start(listed.labels_anchor) == where(text, "labels:")
    assert bare.labels == {} and bare.labels_anchor == bare.location


def test_environment_list_and_mapping_forms() -> None:
    text = """
    services:
      listed:
        image: a
        environment:
          - LITERAL=plain
          - FROM_ENV=${DB_PASSWORD}
          - DEFAULTED=${LEVEL:-debug}
          - KNOWN
          - UNKNOWN
          - EQUALS=a=b
      mapped:
        image: b
        environment:
          LITERAL: 42
          FLAG: true
          FROM_ENV: ${DB_PASSWORD}
          KNOWN:
          UNKNOWN: ~
    """
    project = parse(text, env="KNOWN=from-dotenv\n")
    listed = {env.name: env for env in container(project, "listed").env}
    assert list(listed) == ["LITERAL", "FROM_ENV", "DEFAULTED", "KNOWN", "UNKNOWN", "EQUALS"]
    assert (listed["LITERAL"].source, listed["LITERAL"].value) == ("literal", "plain")
    assert (listed["FROM_ENV"].source, listed["FROM_ENV"].value) == ("interpolated", "${DB_PASSWORD}")
    assert listed["FROM_ENV"].interpolated_names == ("DB_PASSWORD",)
    assert (listed["DEFAULTED"].value, listed["DEFAULTED"].default) == ("debug", "debug")
    assert (listed["KNOWN"].source, listed["KNOWN"].value) == ("interpolated", "from-dotenv")
    assert (listed["UNKNOWN"].source, listed["UNKNOWN"].value) == ("unset", None)
    assert listed["EQUALS"].value == "a=b"
    assert start(listed["FROM_ENV"].location) == where(text, "FROM_ENV=")
    mapped = {env.name: env for env in container(project, "mapped").env}
    assert (mapped["LITERAL"].value, mapped["FLAG"].value) == ("42", "true")
    assert mapped["FROM_ENV"].source == "interpolated"
    assert start(mapped["FROM_ENV"].location) == where(text, "${DB_PASSWORD}", 2)
    assert (mapped["KNOWN"].source, mapped["UNKNOWN"].source) == ("interpolated", "unset")
    assert start(mapped["UNKNOWN"].location) == where(text, "UNKNOWN:")


# --------------------------------------------------------------------------------------------------
# The workload / container mapping


FULL = """
version: "3.9"
services:
  api:
    image: ghcr.io/acme/api:1.4.2
    user: "10001"
    privileged: false
    read_only: true
    cap_add: [NET_BIND_SERVICE]
    cap_drop:
      - ALL
    security_opt:
      - no-new-privileges:true
      - seccomp:default.json
    command: ["/api", "--port", "8080"]
    entrypoint: /tini --
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8080/health"]
      interval: 30s
      timeout: 1m30s
      start_period: 500ms
    deploy:
      replicas: 2
      resources:
        limits:
          memory: 512M
          cpus: "0.5"
          pids: 100
        reservations:
          memory: 128M
    secrets: [db_password, {source: tls_cert, target: /certs/tls}]
    configs: [app_config]
    volumes: ["data:/var/lib/api", "./local:/mnt", "/abs:/abs", "/anonymous"]
    networks: [backend]
  legacy:
    image: legacy
    mem_limit: 1g
    mem_reservation: 256m
    cpus: 1.5
    pids_limit: 50
    healthcheck:
      disable: true
  noneprobe:
    image: x
    healthcheck:
      test: ["NONE"]
  plain:
    image: x
secrets:
  db_password: {file: ./db.txt}
configs:
  app_config: {file: ./app.conf}
volumes:
  data:
networks:
  backend: {}
"""


def test_workload_and_container_mapping() -> None:
    project = parse(FULL)
    api = service(project, "api")
    workload = api.workload
    assert (workload.kind, workload.artifact, workload.name) == (
        "ComposeService",
        ArtifactKind.COMPOSE,
        "api",
    )
    assert workload.subject == f"compose:{PATH}/services/api"
    assert start(workload.location) == where(FULL, "api:")
    assert workload.replicas is not None and workload.replicas.value == 2
    assert workload.definition.tree is api.definition.tree and isinstance(api.definition.tree, SourcedMap)
    (box,) = workload.containers
    assert (box.name, box.role) == ("api", "service")
    # Compose `entrypoint` is the model's command and Compose `command` its args, as in Kubernetes.
    assert [word.value for word in box.command] == ["/tini", "--"]
    assert box.location == workload.location
    assert (
        box.image is not None and box.image.written == "ghcr.io/acme/api:1.4.2" and not box.image.unresolved
    )
    assert (box.image.registry, box.image.repository, box.image.tag) == ("ghcr.io", "acme/api", "1.4.2")
    assert start(box.image.location) == where(FULL, "ghcr.io/acme/api")
    command_line = where(FULL, "command:")[1]
    assert [(word.value, word.location.line) for word in box.args] == [
        ("/api", command_line),
        ("--port", command_line),
        ("8080", command_line),
    ]
    assert start(box.args[1].location) == where(FULL, '"--port"')


def test_security_settings() -> None:
    security = container(parse(FULL), "api").security
    assert security.declared and start(security.anchor) == where(FULL, "api:")
    assert security.run_as_user is not None
    assert (security.run_as_user.value, security.run_as_user.origin) == ("10001", "compose user")
    assert start(security.run_as_user.location) == where(FULL, '"10001"')
    assert security.privileged is not None and security.privileged.value is False
    assert security.read_only_root_filesystem is not None and security.read_only_root_filesystem.value is True
    assert security.capabilities_add is not None and security.capabilities_add.value == ("NET_BIND_SERVICE",)
    assert security.capabilities_drop is not None and security.capabilities_drop.value == ("ALL",)
    assert [option.text for option in security.security_options] == [
        "no-new-privileges:true",
        "seccomp:default.json",
    ]
    assert start(security.security_options[1].location) == where(FULL, "seccomp:default.json")
    plain = container(parse(FULL), "plain").security
    assert not plain.declared and plain.run_as_user is None and plain.privileged is None


def test_privileged_from_a_variable_is_coerced() -> None:
    project = parse("services:\n  web:\n    image: x\n    privileged: ${PRIV}\n", env="PRIV=true")
    privileged = container(project, "web").security.privileged
    assert privileged is not None and privileged.value is True


def test_resources_from_deploy_and_legacy_keys() -> None:
    project = parse(FULL)
    api = container(project, "api").resources
    assert api is not None
    assert {key: value.value for key, value in api.limits.items()} == {
        "memory": "512M",
        "cpu": "0.5",
        "pids": "100",
    }
    assert {key: value.value for key, value in api.requests.items()} == {"memory": "128M"}
    assert start(api.anchor) == where(FULL, "limits:")
    assert start(api.limits["pids"].location) == where(FULL, "100\n")
    legacy = container(project, "legacy").resources
    assert legacy is not None
    assert {key: value.value for key, value in legacy.limits.items()} == {
        "memory": "1g",
        "cpu": "1.5",
        "pids": "50",
    }
    assert {key: value.value for key, value in legacy.requests.items()} == {"memory": "256m"}
    assert start(legacy.anchor) == where(FULL, "legacy:")


def test_healthchecks() -> None:
    project = parse(FULL)
    (probe,) = container(project, "api").probes
    assert probe.kind == "healthcheck" and not probe.disabled
    assert probe.command == ("CMD", "curl", "-f", "http://localhost:8080/health")
    assert (probe.period_seconds, probe.timeout_seconds, probe.initial_delay_seconds) == (30.0, 90.0, 0.5)
    assert start(probe.location) == where(FULL, "healthcheck:")
    assert container(project, "legacy").probes[0].disabled
    assert container(project, "noneprobe").probes[0].disabled
    assert container(project, "plain").probes == ()
    shell = container(parse("services:\n  w:\n    healthcheck:\n      test: curl -f x\n"), "w").probes[0]
    assert shell.command == ("CMD-SHELL", "curl -f x")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30.0),
        ("1m30s", 90.0),
        ("1h", 3600.0),
        ("250ms", 0.25),
        ("1.5s", 1.5),
        ("10", None),
        (None, None),
    ],
)
def test_durations(text: str | None, seconds: float | None) -> None:
    assert duration_seconds(text) == seconds


def test_top_level_resources_and_references() -> None:
    project = parse(FULL)
    assert set(project.top_level) == {"secrets", "configs", "volumes", "networks"}
    assert "version" in project.definition.tree  # obsolete: kept in raw, otherwise ignored
    volumes = [(mount.volume, mount.target) for mount in service(project, "api").mounts if mount.volume]
    assert [volume for volume, _ in volumes] == ["data"]


@pytest.mark.parametrize(
    ("build", "context", "dockerfile"),
    [
        ("build: .", "deploy", "deploy/Dockerfile"),
        ("build: ./api/", "deploy/api", "deploy/api/Dockerfile"),
        ("build: ../services/api", "services/api", "services/api/Dockerfile"),
        ("build: {context: ../api, dockerfile: docker/Dockerfile.prod}", "api", "api/docker/Dockerfile.prod"),
        ("build: {dockerfile: ../Containerfile}", "deploy", "Containerfile"),
        (
            "build: {context: https://github.com/acme/api.git#main}",
            "https://github.com/acme/api.git#main",
            None,
        ),
        ("build: {context: ., dockerfile_inline: 'FROM scratch'}", "deploy", None),
        ("image: only", None, None),
    ],
)
def test_build_paths_are_repository_relative(build: str, context: str | None, dockerfile: str | None) -> None:
    web = service(parse(f"services:\n  web:\n    {build}\n"), "web")
    assert (web.build_context, web.dockerfile_path) == (context, dockerfile)


def test_build_paths_of_a_root_compose_file() -> None:
    web = service(parse("services:\n  web:\n    build: ./\n", path="compose.yaml"), "web")
    assert (web.build_context, web.dockerfile_path) == (".", "Dockerfile")


def test_entrypoint_words_are_available_from_raw() -> None:
    raw = service(parse(FULL), "api").definition.tree
    assert [word.value for word in command_words(raw, "entrypoint")] == ["/tini", "--"]
    assert command_words(raw, "missing") == ()


def test_command_string_and_list_forms() -> None:
    text = 'services:\n  a:\n    command: sh -c \'echo "hi there"\'\n  b:\n    command: ["x", "y z"]\n'
    project = parse(text)
    assert [word.value for word in container(project, "a").args] == ["sh", "-c", 'echo "hi there"']
    assert all(start(word.location) == (PATH, 3, 14) for word in container(project, "a").args)
    assert [word.value for word in container(project, "b").args] == ["x", "y z"]
    assert [start(word.location)[2] for word in container(project, "b").args] == [15, 20]


def test_documents_of_one_file_are_merged_in_order() -> None:
    text = "services:\n  web:\n    image: one\n    ports: ['80:80']\n---\nservices:\n  web:\n    image: two\n"
    project = parse(text)
    web = service(project, "web")
    assert container(project, "web").image is not None and web.definition.tree["image"] == "two"
    assert list(web.definition.tree["ports"]) == ["80:80"]
    assert start(compose_value_location(web.definition.tree, "image")) == (PATH, 8, 12)


def test_an_empty_service_and_keys_are_tolerated() -> None:
    project = parse("services:\n  empty:\n  web:\n    image: web\n")
    assert [item.name for item in project.services] == ["empty", "web"]
    assert container(project, "empty").image is None


def test_compose_location_helpers_fall_back_to_the_node() -> None:
    project = parse(FULL)
    api = service(project, "api").definition.tree
    assert start(compose_key_location(api, "missing")) == start(compose_value_location(api, "missing"))
    assert compose_value_location(api["cap_drop"], 0).line == where(FULL, "ALL")[1]


# --------------------------------------------------------------------------------------------------
# The corpus

#: The shared corpus sits beside the repository (`../shared/corpus/compose`).
CORPUS_KIND = CORPUS / "compose"

#: Corpus files that must be refused, and why (each checked by hand).
EXPECTED_FAILURES = {
    # include: [compose-include-cycle.yaml] includes itself.
    "compose-spec_compose-go/loader/testdata/compose-include-cycle.yaml": "include cycle",
    # extends file common.yaml is not in the corpus; Compose refuses it too.
    "docker_compose/pkg/compose/testdata/publish/compose.yaml": "cannot read extends file",
}


def _corpus_files() -> list[Path]:
    if not CORPUS_KIND.is_dir():
        return []
    return sorted(
        path for path in CORPUS_KIND.rglob("*") if path.suffix in (".yml", ".yaml") and path.is_file()
    )


@pytest.mark.skipif(not CORPUS_KIND.is_dir(), reason="shared corpus not available")
def test_corpus_parses_or_fails_only_with_source_errors() -> None:
    def read_file(relative: str) -> str:
        return read_text(os.fspath(CORPUS_KIND / relative))

    failures: dict[str, str] = {}
    parsed = 0
    for file in _corpus_files():
        relative = file.relative_to(CORPUS_KIND).as_posix()
        env_path = file.parent / ".env"
        env_text = read_text(os.fspath(env_path)) if env_path.is_file() else None
        try:
            project = parse_compose(relative, read_text(os.fspath(file)), read_file, env_text)
        except SourceError as err:
            failures[relative] = err.message
            continue
        parsed += 1
        for item in project.services:
            assert item.location.line >= 1 and item.workload.containers[0].name == item.name
    assert parsed >= 200
    assert set(failures) == set(EXPECTED_FAILURES)
    for relative, reason in EXPECTED_FAILURES.items():
        assert reason in failures[relative]
