"""MD305 secret-as-env-var: secrets handed over as environment variables, which leak through crash dumps,
`docker inspect` and child processes; they belong in files."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from medlint.checks.secrets.patterns import is_secret_name, params_pattern
from medlint.findings import Violation
from medlint.model import ArtifactKind, EnvSource, Project, Workload


def _who(workload: Workload, container_name: str) -> str:
    if workload.artifact is ArtifactKind.COMPOSE:
        return f'service "{workload.name}"'
    return f'container "{container_name}" of {workload.subject}'


def _kubernetes_env_secrets(workload: Workload) -> Iterator[Violation]:
    """secretKeyRef variables and envFrom.secretRef sources of every container (init and ephemeral too)."""
    for container in workload.containers:
        who = _who(workload, container.name)
        base = f"{workload.subject}/container:{container.name}"
        for env in container.env:
            if env.source is EnvSource.SECRET:
                yield Violation(
                    env.location,
                    f'{who} receives key "{env.secret_key}" of Secret "{env.secret_name}" as the environment '
                    f"variable {env.name}; mount the Secret as a file instead",
                    f"{base}/env:{env.name}",
                    workload.artifact,
                )
        for source in container.env_from_secrets:
            yield Violation(
                source.location,
                f'{who} loads every key of Secret "{source.value}" into its environment (envFrom.secretRef); '
                "mount the Secret as a file instead",
                f"{base}/envFrom:{source.value}",
                workload.artifact,
            )


def _compose_env_secrets(workload: Workload, pattern: str, pointers: tuple[str, ...]) -> Iterator[Violation]:
    """Secret-like `environment` keys whose value comes from the host (`${VAR}`, or a bare `KEY`)."""
    container = workload.containers[0]
    for env in container.env:
        if env.source not in (EnvSource.INTERPOLATED, EnvSource.UNSET) or not is_secret_name(
            env.name, pattern, pointers
        ):
            continue
        origin = (
            ", ".join(f"${{{name}}}" for name in env.interpolated_names)
            if env.source is EnvSource.INTERPOLATED and env.interpolated_names != (env.name,)
            else f"the host variable {env.name}"
        )
        yield Violation(
            env.location,
            f'service "{workload.name}" takes the secret-like variable {env.name} from {origin}; '
            f"deliver it with `secrets:` and the variable {env.name}_FILE instead",
            f"{workload.subject}/env:{env.name}",
            workload.artifact,
        )


def secret_as_env_var(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD305: secrets handed over as environment variables, which leak through dumps, inspect and children."""
    pattern, pointers = params_pattern(params)
    for workload in project.workloads:
        if workload.artifact is ArtifactKind.DOCKERFILE:
            continue
        if workload.artifact is ArtifactKind.COMPOSE:
            yield from _compose_env_secrets(workload, pattern, pointers)
        else:
            yield from _kubernetes_env_secrets(workload)
