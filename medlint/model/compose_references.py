"""The names a Compose project uses but does not define: a service with neither image nor build, and
references to undefined services (`depends_on`, `network_mode: service:<x>`), networks, volumes, secrets and
configs.

MD002 reports them; the loader uses them to tell an overlay (a file meant to be merged with a base, which on
its own lacks what the base defines) from a complete project.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from medlint.model.common import TextEnum
from medlint.model.core import ComposeProject
from medlint.model.location import Location
from medlint.model.tree import Node


class Undefined(TextEnum):
    """What a service lacks or names without a definition."""

    IMAGE = "image"  # neither image nor build
    SERVICE = "service"  # depends_on
    NETWORK_MODE = "network_mode"  # network_mode: service:<x>
    NETWORK = "network"
    VOLUME = "volume"
    SECRET = "secret"
    CONFIG = "config"


@dataclass(frozen=True, slots=True)
class UndefinedReference:
    service: str
    what: Undefined
    name: str  # the undefined name ("" for a missing image)
    location: Location


def _reference_names(node: Node) -> list[tuple[str, Node]]:
    if node.is_map:
        return [(str(key), entry) for key, entry in node.items()]
    names = []
    for item in node.elements():
        if isinstance(item.plain(), str):
            names.append((item.plain(), item))
        elif item.is_map and isinstance(item.get("source").plain(), str):
            names.append((item.get("source").plain(), item))
    return names


def _declared(project: ComposeProject, section: str) -> set[str]:
    value = project.top_level.get(section)
    return set(value or {}) if isinstance(value, dict) else set()


def _named_volume(item: Node) -> tuple[str, Location] | None:
    """The named volume a `volumes:` entry mounts (None for binds, tmpfs and unresolved sources)."""
    value = item.plain()
    if isinstance(value, str):
        source = value.split(":", 1)[0] if ":" in value else None
        kind = "volume"
    elif item.is_map:
        source, kind = item.get("source").plain(), str(item.get("type").plain() or "volume")
    else:
        return None
    if kind != "volume" or not isinstance(source, str) or not source:
        return None
    if source.startswith((".", "/", "~", "$")) or "/" in source or "\\" in source:
        return None  # a bind mount or an unresolved variable, not a named volume
    return source, item.location


def undefined_references(project: ComposeProject) -> Iterator[UndefinedReference]:
    """Every name a service of the project uses without a definition, in service order."""
    services = {service.name for service in project.services}
    declared = {
        section: _declared(project, section) for section in ("networks", "volumes", "secrets", "configs")
    }
    for service in project.services:
        definition = service.definition
        name = service.name
        if "image" not in definition and "build" not in definition:
            yield UndefinedReference(name, Undefined.IMAGE, "", service.location)
        depends = definition.get("depends_on")
        entries = list(depends.items()) if depends.is_map else list(enumerate(depends.elements()))
        for key, entry in entries:
            target = key if depends.is_map else entry.plain()
            if isinstance(target, str) and target not in services:
                yield UndefinedReference(name, Undefined.SERVICE, target, entry.key_location)
        network_mode = definition.get("network_mode").plain()
        if (
            isinstance(network_mode, str)
            and network_mode.startswith("service:")
            and network_mode[8:] not in services
        ):
            yield UndefinedReference(
                name, Undefined.NETWORK_MODE, network_mode[8:], definition.location_of("network_mode")
            )
        for section, what in (
            ("networks", Undefined.NETWORK),
            ("secrets", Undefined.SECRET),
            ("configs", Undefined.CONFIG),
        ):
            implicit = {"default"} if section == "networks" else set()
            for reference, entry in _reference_names(definition.get(section)):
                if reference not in declared[section] and reference not in implicit:
                    yield UndefinedReference(name, what, reference, entry.key_location)
        for item in definition.get("volumes").elements():
            volume = _named_volume(item)
            if volume is not None and volume[0] not in declared["volumes"]:
                yield UndefinedReference(name, Undefined.VOLUME, volume[0], volume[1])
