"""MD302 plaintext-secret-value: literal secret values in Compose environment, Kubernetes env and Helm
values defaults."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from medlint.checks.secrets.patterns import (
    is_literal_secret_value,
    is_secret_name,
    params_pattern,
    patterns_for,
)
from medlint.findings import Violation
from medlint.model import ArtifactKind, EnvSource, Node, Project


def _walk_values(node: Node, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Node, Node]]:
    """(key path, parent mapping, value) for every scalar under a values tree."""
    if node.is_map:
        for key, value in node.items():
            key_text = str(key)
            if value.is_map or value.is_list:
                yield from _walk_values(value, path + (key_text,))
            else:
                yield path + (key_text,), node, value
    elif node.is_list:
        for index, item in enumerate(node.elements()):
            yield from _walk_values(item, path + (f"[{index}]",))


def _has_existing_secret(parent: Node) -> bool:
    return any(
        str(key).lower().startswith("existingsecret")
        and isinstance(value.scalar, str)
        and value.scalar.strip()
        for key, value in parent.items()
    )


def plaintext_secret_value(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD302: literal secret values in Compose environment, Kubernetes env and Helm values."""
    pattern, pointers = params_pattern(params)
    table = patterns_for(params)
    for workload in project.workloads:
        if workload.artifact is ArtifactKind.DOCKERFILE:
            continue
        for container in workload.containers:
            names = tuple(env.name for env in container.env)
            for env in container.env:
                if not is_secret_name(env.name, pattern, pointers, names):
                    continue
                subject = f"{workload.subject}/container:{container.name}/env:{env.name}"
                who = (
                    f'service "{workload.name}"'
                    if workload.artifact is ArtifactKind.COMPOSE
                    else f'container "{container.name}" of {workload.subject}'
                )
                if env.source is EnvSource.LITERAL and is_literal_secret_value(env.value, table):
                    yield Violation(
                        env.location,
                        f"{who} sets {env.name} to a literal value; deliver it from a secret instead",
                        subject,
                        workload.artifact,
                    )
                elif env.default is not None and is_literal_secret_value(env.default, table):
                    yield Violation(
                        env.location,
                        f"{who} gives {env.name} a literal default in ${{...:-...}}; the default ships to every site",
                        subject,
                        workload.artifact,
                    )
    for chart in project.charts:
        for values_file in chart.values_files:
            for path, parent, entry in _walk_values(values_file.values):
                key, value = path[-1], entry.scalar
                siblings = tuple(str(sibling) for sibling in parent)
                if not is_secret_name(key, pattern, pointers, siblings) or not is_literal_secret_value(
                    value, table
                ):
                    continue
                if isinstance(value, (int, float)) or _has_existing_secret(parent):
                    continue
                dotted = ".".join(path)
                yield Violation(
                    entry.key_location,
                    f"values key {dotted} has a literal default; use an existingSecret reference with an empty default",
                    f"chart:{chart.directory or '.'}/values:{values_file.path}:{dotted}",
                    ArtifactKind.HELM,
                )
