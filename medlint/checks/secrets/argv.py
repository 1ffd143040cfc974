"""MD304 secret-on-command-line: secrets passed in argv, where `ps`, /proc and `docker inspect` show them."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from typing import Any

from medlint.checks.secrets.patterns import is_secret_name, params_pattern
from medlint.findings import Violation
from medlint.model import ArtifactKind, EnvSource, Located, Project, Workload

SECRET_FLAGS = (
    "--requirepass",
    "--password",
    "--token",
    "--masterauth",
    "--api-key",
    "--apikey",
    "--secret",
    "--client-secret",
    "--access-key",
    "--secret-key",
    "--pass",
)
DB_CLIENTS = ("mysql", "mariadb", "mysqldump", "mysqladmin", "mariadb-dump")


_LAUNCHERS = ("CMD", "CMD-SHELL", "exec", "env", "sh", "bash", "ash", "dash", "-c", "&&", "||", ";", "|")


_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def _program_starts(tokens: list[str]) -> list[bool]:
    """For each token, whether it is a program name: the first word that is no launcher or assignment
    after a launcher (or at the start). One pass: the word before a token, skipping assignments, is carried
    along instead of being searched for again (quadratic on a long argv)."""
    starts: list[bool] = []
    previous: str | None = None  # the last token that is no assignment
    for token in tokens:
        assignment = _ASSIGNMENT.match(token) is not None
        starts.append(
            token not in _LAUNCHERS and not assignment and (previous is None or previous in _LAUNCHERS)
        )
        if not assignment:
            previous = token
    return starts


def _argv_problems(
    words: list[str], secret_env: set[str], pattern: str, pointers: tuple[str, ...]
) -> Iterator[str]:
    """Why an argv exposes a secret (a short phrase), for each problem found. Never the value."""
    tokens: list[str] = []
    for word in words:
        tokens.extend(word.split())  # `sh -c "redis-server --requirepass x"`: the inner script counts too
    program = ""
    for token, starts in zip(tokens, _program_starts(tokens)):
        if starts:
            program = posixpath.basename(token)
        flag = token.split("=", 1)[0]
        if flag.lower() in SECRET_FLAGS:
            yield f"the flag {flag}"
        elif program in ("redis-cli",) and token == "-a":
            yield "redis-cli -a"
        elif program in DB_CLIENTS and token.startswith("-p") and len(token) > 2:
            yield f"{program} -p<password>"
        elif token.startswith(("PGPASSWORD=", "MYSQL_PWD=")):
            yield f"{token.split('=', 1)[0]}= on the command line"
        for name in re.findall(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", token):
            if name in secret_env:
                yield f"$({name}), an environment variable taken from a Secret"
        for name in re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", token.replace("$$", "$")):
            if (
                is_secret_name(name, pattern, pointers)
                and name not in secret_env
                and f"$({name})" not in token
            ):
                yield f"the secret-like variable {name} expanded into argv"


def _command_sets(workload: Workload) -> Iterator[tuple[str, list[Located[str]], set[str]]]:
    """Each argv of a workload: container command plus args, then every exec probe or healthcheck test."""
    for container in workload.containers:
        secret_env = {env.name for env in container.env if env.source is EnvSource.SECRET}
        yield container.name, list(container.command) + list(container.args), secret_env
        for probe in container.probes:
            if probe.command:
                yield container.name, [Located(word, probe.location) for word in probe.command], secret_env


def secret_on_command_line(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD304: secrets passed in argv, where `ps`, /proc and `docker inspect` show them."""
    pattern, pointers = params_pattern(params)
    for workload in project.workloads:
        if workload.artifact is ArtifactKind.DOCKERFILE:
            continue
        for container_name, words, secret_env in _command_sets(workload):
            if not words:
                continue
            problems = list(
                dict.fromkeys(_argv_problems([w.value for w in words], secret_env, pattern, pointers))
            )
            if not problems:
                continue
            who = (
                f'service "{workload.name}"'
                if workload.artifact is ArtifactKind.COMPOSE
                else f'container "{container_name}" of {workload.subject}'
            )
            yield Violation(
                words[0].location,
                f"{who} passes a secret on the command line ({'; '.join(problems)})",
                f"{workload.subject}/container:{container_name}/argv",
                workload.artifact,
            )
