"""The typed facts of one merged Compose service: mounts, ports, security options, dependencies and build
contexts, each read once from the service's tree (as Compose reads them) with the place it was written."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from typing import Any

from medlint.model.compose import (
    BuildContextReference,
    ComposeMount,
    MountKind,
    PublishedPort,
    SecurityOption,
    ServiceDependency,
    compose_bool,
    is_unresolved,
)
from medlint.model.compose_positions import (
    SourcedMap,
    compose_key_location,
    compose_value_location,
)
from medlint.model.interpolation import InterpolatedText
from medlint.model.location import Location

_MOUNT_TYPES = {"bind": MountKind.BIND, "volume": MountKind.VOLUME, "tmpfs": MountKind.TMPFS}


def text_of(value: Any) -> str:
    """A scalar as Compose reads it: booleans lower-case, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def as_items(value: Any) -> list[Any]:
    """A YAML list as a list; a scalar as a one-item list; None as an empty list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


# --------------------------------------------------------------------------------------------------
# Mounts


def split_short_volume(text: str) -> list[str]:
    """Split `src:dst[:mode]` at colons outside `${...}` and after a Windows drive letter."""
    parts: list[str] = []
    current, depth = "", 0
    for index, char in enumerate(text):
        if char == "{" and text[index - 1 : index] == "$":
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        if char == ":" and depth == 0 and not (len(current) == 1 and current.isalpha() and not parts):
            parts.append(current)
            current = ""
            continue
        current += char
    parts.append(current)
    return parts


def is_host_path(source: str) -> bool:
    """Short-syntax sources that are host paths: absolute, relative, home, a variable, or a drive."""
    return source.startswith(("/", ".", "~", "$", "\\")) or (
        len(source) > 1 and source[1] == ":" and source[0].isalpha()
    )


def _bind_device(volume: Any) -> str | None:
    """The host directory of a top-level `local` volume with `driver_opts: {o: bind, device: ...}`."""
    if not isinstance(volume, dict) or str(volume.get("driver") or "local") != "local":
        return None
    options = volume.get("driver_opts")
    options = options if isinstance(options, dict) else {}
    flags = [flag.strip() for flag in str(options.get("o") or "").split(",")]
    device = options.get("device")
    return str(device) if device and ("bind" in flags or "rbind" in flags) else None


def _tmpfs_volume(volume: Any) -> bool:
    options = volume.get("driver_opts") if isinstance(volume, Mapping) else None
    return isinstance(options, Mapping) and str(options.get("type", "")).lower() == "tmpfs"


def _named(
    source: str,
    target: str,
    read_only: bool,
    location: Location,
    volumes: Mapping[str, Any],
    unresolved: bool = False,
    target_unresolved: bool = False,
) -> ComposeMount:
    """A mount of the named volume `source`: a host directory when the volume binds one, tmpfs when its
    driver options say so."""
    definition = volumes.get(source)
    device = _bind_device(definition)
    if device is not None:
        return ComposeMount(
            MountKind.BIND, "volume", device, target, read_only, location, via_volume=source, volume=source
        )
    kind = MountKind.TMPFS if _tmpfs_volume(definition) else MountKind.VOLUME
    return ComposeMount(
        kind,
        "volume",
        source,
        target,
        read_only,
        location,
        unresolved=unresolved,
        target_unresolved=target_unresolved,
        volume=source,
    )


def _short_mount(item: Any, location: Location, volumes: Mapping[str, Any]) -> ComposeMount:
    unresolved = is_unresolved(item)
    parts = split_short_volume(str(item))
    if len(parts) == 1:
        target = parts[0]
        return ComposeMount(
            MountKind.ANONYMOUS,
            "volume",
            "",
            target,
            False,
            location,
            target_unresolved=unresolved and "$" in target,
        )
    source, target = parts[0], parts[1]
    read_only = "ro" in (parts[2].split(",") if len(parts) > 2 else [])
    target_unresolved = unresolved and "$" in target
    if is_host_path(source):
        return ComposeMount(
            MountKind.BIND, "bind", source, target, read_only, location, unresolved, target_unresolved
        )
    return _named(source, target, read_only, location, volumes, target_unresolved=target_unresolved)


def _long_mount(item: Mapping[str, Any], location: Location, volumes: Mapping[str, Any]) -> ComposeMount:
    kind_text = str(item.get("type") or "volume")
    source = "" if item.get("source") is None else str(item.get("source"))
    read_only = compose_bool(item.get("read_only")) is True
    target = str(item.get("target") or "")
    target_unresolved = "$" in target
    if kind_text == "volume":
        if source:
            return _named(
                source,
                target,
                read_only,
                location,
                volumes,
                unresolved=is_unresolved(item.get("source")),
                target_unresolved=target_unresolved,
            )
        return ComposeMount(
            MountKind.ANONYMOUS,
            "volume",
            "",
            target,
            read_only,
            location,
            target_unresolved=target_unresolved,
        )
    return ComposeMount(
        _MOUNT_TYPES.get(kind_text, MountKind.OTHER),
        kind_text,
        source,
        target,
        read_only,
        location,
        is_unresolved(item.get("source")),
        target_unresolved,
    )


def mounts(service: SourcedMap, volumes: Mapping[str, Any]) -> tuple[ComposeMount, ...]:
    """Every `volumes:` entry (both syntaxes; named volumes resolved against the top-level ones) and every
    `tmpfs:` entry of a service."""
    found: list[ComposeMount] = []
    items = service.get("volumes")
    for index, item in enumerate(items if isinstance(items, list) else []):
        location = compose_value_location(items, index)
        if isinstance(item, dict):
            found.append(_long_mount(item, location, volumes))
        elif item is not None:
            found.append(_short_mount(item, location, volumes))
    tmpfs = service.get("tmpfs")
    entries = tmpfs if isinstance(tmpfs, list) else ([tmpfs] if isinstance(tmpfs, str) else [])
    for index, item in enumerate(entries):
        location = (
            compose_value_location(tmpfs, index)
            if isinstance(tmpfs, list)
            else compose_value_location(service, "tmpfs")
        )
        found.append(
            ComposeMount(
                MountKind.TMPFS, "tmpfs", "", str(item).split(":")[0], False, location, declared_in="tmpfs"
            )
        )
    return tuple(found)


# --------------------------------------------------------------------------------------------------
# Ports


def _port_range(text: str) -> tuple[int, int] | None:
    first, _, last = text.strip().partition("-")
    if not first.isdigit() or (last and not last.isdigit()):
        return None
    return int(first), int(last or first)


def _split_colons(text: str) -> list[str]:
    """Split at `:` outside `${...}` and outside `[...]` (IPv6 addresses)."""
    parts, current, depth = [], "", 0
    for char in text:
        if char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
        if char == ":" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return parts + [current]


def parse_short_port(text: str) -> tuple[str, str, str, str]:
    """(host_ip, published, target, protocol) of a short-syntax port: `80`, `8080:80`, `127.0.0.1:8080:80/udp`,
    `127.0.0.1::80`, `[::1]:8080:80`, ranges. An unbracketed IPv6 address is everything before the last two parts."""
    body, _, protocol = text.strip().partition("/")
    parts = _split_colons(body)
    if len(parts) == 1:
        return "", "", parts[0], protocol or "tcp"
    if len(parts) == 2:
        return "", parts[0], parts[1], protocol or "tcp"
    host_ip = ":".join(parts[:-2]).strip("[]")
    return host_ip, parts[-2], parts[-1], protocol or "tcp"


def ports(service: SourcedMap) -> tuple[PublishedPort, ...]:
    """Every entry of a service's `ports:` list."""
    items = service.get("ports")
    found: list[PublishedPort] = []
    for index, item in enumerate(items if isinstance(items, list) else ()):
        location = compose_value_location(items, index)
        if isinstance(item, Mapping):
            host_ip = str(item.get("host_ip") or "")
            target = _port_range(str(item.get("target", "")))
            protocol = str(item.get("protocol") or "tcp")
            written = (
                f"{host_ip + ':' if host_ip else ''}{item.get('published', '')}:{item.get('target', '')}"
            )
        else:
            text = str(item)
            host_ip, _, target_text, protocol = parse_short_port(text)
            target, written = _port_range(target_text), text
        unresolved = (isinstance(host_ip, InterpolatedText) and host_ip.unresolved) or "$" in host_ip
        found.append(
            PublishedPort(written, location, host_ip, target, protocol, unresolved_host_ip=unresolved)
        )
    return tuple(found)


# --------------------------------------------------------------------------------------------------
# Security options and dependencies


def split_security_option(option: str) -> tuple[str, str | None]:
    """`seccomp:unconfined` and `seccomp=unconfined` both give ("seccomp", "unconfined"); bare names give None."""
    separators = [index for index in (option.find(":"), option.find("=")) if index >= 0]
    if not separators:
        return option.strip().lower(), None
    split_at = min(separators)
    return option[:split_at].strip().lower(), option[split_at + 1 :].strip()


def security_options(service: SourcedMap) -> tuple[SecurityOption, ...]:
    items = service.get("security_opt")
    found = []
    for index, item in enumerate(as_items(items)):
        text = "" if item is None else str(item)
        name, value = split_security_option(text)
        location = (
            compose_value_location(items, index)
            if isinstance(items, list)
            else compose_value_location(service, "security_opt")
        )
        found.append(SecurityOption(text, name, value, location, is_unresolved(item)))
    return tuple(found)


def _restart_text(value: Any) -> str:
    if isinstance(value, bool):
        return "no" if value is False else "yes"  # PyYAML reads `restart: no` as false; Compose reads "no"
    return "" if value is None else str(value).strip()


def depends_on(service: SourcedMap) -> tuple[ServiceDependency, ...]:
    """Each `depends_on` entry, short (a list of names) or long (a mapping with conditions) form."""
    node = service.get("depends_on")
    found: list[ServiceDependency] = []
    if isinstance(node, list):
        for index, item in enumerate(node):
            found.append(ServiceDependency(_restart_text(item), None, compose_value_location(node, index)))
    elif isinstance(node, Mapping):
        for name, entry in node.items():
            has_condition = isinstance(entry, Mapping) and "condition" in entry
            condition = _restart_text(entry.get("condition")) if has_condition else None
            where = (
                compose_key_location(entry, "condition")
                if has_condition
                else compose_key_location(node, name)
            )
            found.append(ServiceDependency(_restart_text(name), condition or None, where))
    return tuple(found)


def additional_contexts(build: Any) -> Iterator[BuildContextReference]:
    """`build.additional_contexts` entries (mapping or `name=path` list), as written, at their place."""
    node = build.get("additional_contexts") if isinstance(build, Mapping) else None
    if isinstance(node, Mapping):
        entries: list[tuple[Any, Any]] = list(node.items())
    elif isinstance(node, list):
        entries = [(index, _assigned(item)) for index, item in enumerate(node)]
    else:
        entries = []
    for key, value in entries:
        if value:
            yield BuildContextReference(str(value), compose_value_location(node, key), additional=True)


def _assigned(item: Any) -> str | None:
    """The VALUE of a `NAME=VALUE` list item (None without `=`)."""
    _, separator, value = ("" if item is None else str(item)).partition("=")
    return value if separator else None


def context_directory(reference: BuildContextReference) -> str:
    """The repository-relative directory of a local build context (resolved against its Compose file)."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(reference.location.path), reference.reference))
