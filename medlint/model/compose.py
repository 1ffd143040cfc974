"""Docker Compose projects and services, with the facts rules read as typed fields.

The Compose parser resolves interpolation, `extends` and `include`, then reads each service's mounts, ports,
security options and dependencies once, into the types below, with the place each was written (a merged
service can hold values from several files). `definition` keeps the merged service as a `Node` for the
scalar options rules read directly (`privileged`, `network_mode`, `restart`...), whose `unresolved` tells when
a variable without a value hides them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from medlint.model.common import TextEnum
from medlint.model.interpolation import interpolation_of
from medlint.model.location import Location

#: Docker parses boolean security options with Go's strconv.ParseBool.
TRUE_WORDS = ("1", "t", "true")
_REFERENCE = re.compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")


def is_unresolved(value: Any) -> bool:
    """A Compose value with a variable that `.env` does not define and no default (catalog 3.3: W)."""
    record = interpolation_of(value)
    return record is not None and not record.resolved


def may_resolve_to(value: Any, candidate: str) -> bool:
    """Whether a Compose value with unresolved variables could become `candidate` once they are set.

    `container:${NAME}` can never be `host`; `${MODE}` or `ho${X}` can.
    """
    literals = _REFERENCE.split(str(value))  # resolved parts are substituted, unresolved ones kept as written
    pattern = ".*".join(re.escape(literal) for literal in literals)
    return re.fullmatch(pattern, candidate, flags=re.IGNORECASE | re.DOTALL) is not None


def compose_bool(value: Any) -> bool | None:
    """A Compose boolean (`true`, "yes", "on", "1" ...); None when it is neither (or unresolved)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1", "y"):
        return True
    if text in ("false", "no", "off", "0", "n"):
        return False
    return None


class MountKind(TextEnum):
    """What backs a service mount."""

    BIND = "bind"  # a host path: short syntax path, `type: bind`, or a local volume with `o: bind`
    VOLUME = "volume"  # a named volume
    ANONYMOUS = "anonymous"  # a volume without a name (short syntax with a target only)
    TMPFS = "tmpfs"  # `type: tmpfs`, the `tmpfs:` key, or a named volume whose driver_opts type is tmpfs
    OTHER = "other"  # npipe, cluster, image, or a type Compose does not know


@dataclass(frozen=True, slots=True)
class ComposeMount:
    """One entry of a service's `volumes:` (short or long syntax) or `tmpfs:`.

    `source` is the host path or volume name as written after interpolation (for a volume that binds a host
    directory, that directory, and `via_volume` names the volume); `volume` is the top-level volume the
    entry uses. `unresolved`: a variable without a value in the entry (short syntax) or its source (long
    syntax); `target_unresolved`: in the target path.
    """

    kind: MountKind
    type: str  # the Compose mount type as written or implied ("bind", "volume", "tmpfs", "npipe"...)
    source: str
    target: str
    read_only: bool
    location: Location
    unresolved: bool = False
    target_unresolved: bool = False
    via_volume: str | None = None
    volume: str | None = None
    declared_in: str = "volumes"  # the service key that declares it: `volumes` or `tmpfs`

    @property
    def persistent(self) -> bool:
        """Outlives the container: a host path or a named volume."""
        return self.kind in (MountKind.BIND, MountKind.VOLUME)


@dataclass(frozen=True, slots=True)
class PublishedPort:
    """One `ports:` entry, in either syntax.

    `host_ip` is "" when the port binds every interface; `target` is the container port range (first, last),
    None when it cannot be read; `unresolved_host_ip` is set when a variable hides the address.
    """

    written: str
    location: Location
    host_ip: str
    target: tuple[int, int] | None
    protocol: str
    unresolved_host_ip: bool = False

    @property
    def all_interfaces(self) -> bool:
        return self.host_ip in ("", "0.0.0.0", "::", "[::]")

    def targets_any(self, ports: set[int]) -> bool:
        return self.target is not None and any(self.target[0] <= port <= self.target[1] for port in ports)

    @property
    def first_target(self) -> int | None:
        return self.target[0] if self.target else None


@dataclass(frozen=True, slots=True)
class SecurityOption:
    """One `security_opt` entry split into name and value (`seccomp:unconfined`, `no-new-privileges`)."""

    text: str
    name: str
    value: str | None
    location: Location
    unresolved: bool

    @property
    def enables_no_new_privileges(self) -> bool:
        if self.name != "no-new-privileges" or self.unresolved:
            return False
        return self.value is None or self.value.strip().lower() in TRUE_WORDS


@dataclass(frozen=True, slots=True)
class ServiceDependency:
    """One `depends_on` entry: the service waited for, the condition (None in the short form), and where."""

    service: str
    condition: str | None
    location: Location


@dataclass(frozen=True, slots=True)
class BuildContextReference:
    """A directory a service's image is built from: `build.context`, or an `additional_contexts` entry."""

    reference: str  # as written: a path relative to the Compose file, or a remote or `service:` reference
    location: Location
    additional: bool = False
