"""How findings name what they are about: containers, services and their line-independent subjects.

Every message names the object and the container (`container "app" of Deployment/prod/api`), and every
subject identifies it without line numbers, so fingerprints survive edits elsewhere in the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from medlint.model import Container, ContainerRole, Workload

ROLE_NAMES: Mapping[ContainerRole, str] = MappingProxyType(
    {
        ContainerRole.CONTAINER: "container",
        ContainerRole.INIT: "init container",
        ContainerRole.SIDECAR: "sidecar container",
        ContainerRole.EPHEMERAL: "ephemeral container",
    }
)


def describe_container(workload: Workload, container: Container) -> str:
    """`container "app" of Deployment/prod/api`; init, sidecar and ephemeral containers say so."""
    return f'{ROLE_NAMES.get(container.role, "container")} "{container.name}" of {workload.subject}'


def container_subject(workload: Workload, container: Container) -> str:
    return f"{workload.subject}/container:{container.name}"


def describe_service(workload: Workload) -> str:
    return f'service "{workload.name}" in {workload.path}'
