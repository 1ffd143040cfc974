"""Data stores: which images keep records and where (shared by MD605/MD606, MD701 and MD702).

Patterns are matched against the image repository without registry (`postgres`, `bitnami/postgresql`). A
Compose service or a Kubernetes container "keeps records" when it runs such an image as a server (not only its
client tools; Redis only with persistence switched on), or when it is labelled `regulatory.data: persistent`.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from medlint.model import (
    ComposeProject,
    ComposeService,
    Container,
    ContainerRole,
    ImageRef,
    Location,
    MountKind,
    Node,
    Project,
    Workload,
)
from medlint.model.shell import split_words

PERSISTENT_LABEL = ("regulatory.data", "persistent")
STORE_WORKLOAD_KINDS = ("StatefulSet", "Deployment")


def has_label(labels: Mapping[str, Any], marker: tuple[str, str]) -> bool:
    """A label (written as text, or located) with the marker's value, compared case-insensitively."""
    value = labels.get(marker[0])
    text = getattr(value, "value", value)
    return text is not None and str(text).strip().lower() == marker[1]


# ==================================================================================================
# Data stores: which images keep records, and where


@dataclass(frozen=True, slots=True)
class VersionedPaths:
    """Data directories that hold from one major version to another (inclusive; None: open-ended)."""

    paths: tuple[str, ...]
    first: int | None = None
    last: int | None = None

    def holds_for(self, major: int) -> bool:
        return (self.first is None or major >= self.first) and (self.last is None or major <= self.last)


_MAJOR = re.compile(r"v?(\d+)")
ANY_MAJOR = "<major>"  # a data path segment that stands for any major version


@dataclass(frozen=True, slots=True)
class DataStore:
    """A kind of data store recognised by image: its name, image patterns and data directories per major
    version (the data-stores table).

    `path_variable` moves the data directory (PGDATA); `needs_persistence` marks stores that are only
    stateful when persistence is switched on (Redis: AOF or RDB snapshots); `version` finds the major version
    in a tag where it is not the tag's first number (`latest-pg17`).
    """

    name: str
    images: tuple[str, ...]
    versioned_paths: tuple[VersionedPaths, ...]
    path_variable: str | None = None
    needs_persistence: bool = False
    version: re.Pattern[str] | None = None

    @property
    def data_paths(self) -> tuple[str, ...]:
        """Every data directory of every version (`{major}` as any version)."""
        return self.paths_for(None)

    def major_of(self, image: ImageRef | None) -> int | None:
        tag = image.tag if image is not None else None
        if not tag:
            return None
        match = self.version.search(tag) if self.version is not None else _MAJOR.match(tag)
        return int(match.group(1)) if match else None

    def paths_for(self, major: int | None) -> tuple[str, ...]:
        """The data directories of a major version; every version's when it is unknown (or not listed)."""
        entries = [entry for entry in self.versioned_paths if major is not None and entry.holds_for(major)]
        chosen = entries or list(reversed(self.versioned_paths))  # unknown: the newest layout first
        value = str(major) if entries else ANY_MAJOR
        paths: list[str] = []
        for entry in chosen:
            for path in entry.paths:
                path = path.replace("{major}", value)
                if path not in paths:
                    paths.append(path)
        return tuple(paths)


def _versioned_paths(entries: Any) -> tuple[VersionedPaths, ...]:
    """`data_paths` of a table row or an extra_data_stores entry: version entries, or plain paths."""
    found: list[VersionedPaths] = []
    plain = [str(entry) for entry in entries or () if isinstance(entry, str)]
    if plain:
        found.append(VersionedPaths(tuple(plain)))
    for entry in entries or ():
        if isinstance(entry, Mapping):
            first, last = entry.get("from"), entry.get("until")
            found.append(
                VersionedPaths(
                    tuple(str(path) for path in entry.get("paths") or ()),
                    int(first) if first is not None else None,
                    int(last) if last is not None else None,
                )
            )
    return tuple(found)


def _store(entry: Mapping[str, Any]) -> DataStore:
    version = entry.get("version")
    return DataStore(
        name=str(entry.get("name") or "data store"),
        images=tuple(str(pattern).lower() for pattern in entry.get("images") or ()),
        versioned_paths=_versioned_paths(entry.get("data_paths")),
        path_variable=str(entry["path_variable"]) if entry.get("path_variable") else None,
        needs_persistence=bool(entry.get("needs_persistence")),
        version=re.compile(str(version)) if version else None,
    )


Stores = tuple[DataStore, ...]


def data_store_table(params: Mapping[str, Any]) -> Stores:
    """The configured `extra_data_stores` (checked first), then the data-stores table.

    Each extra entry: `{name: ..., images: [patterns], data_paths: [...], path_variable: ..., needs_persistence: false}`.
    """
    extra = tuple(
        _store(entry) for entry in params.get("extra_data_stores") or () if isinstance(entry, Mapping)
    )
    table = params.get("tables", {}).get("data-stores")
    if table is None:  # a check called without the rule pack's tables (a test, a custom engine)
        from medlint.rulepack import load_table

        table = load_table("data-stores")
    return extra + tuple(_store(row) for row in table.get("rows") or () if isinstance(row, Mapping))


def data_store_for_image(image: ImageRef | None, stores: Stores = ()) -> DataStore | None:
    """The data store an image runs, by repository pattern; None for other images and unresolved references."""
    if image is None or image.unresolved or image.is_stage or "$" in image.written:
        return None
    repository = image.repository.lower().removeprefix("library/")
    return next(
        (store for store in stores if any(fnmatch.fnmatchcase(repository, p) for p in store.images)), None
    )


def _service_base_image(project: Project, service: ComposeService) -> ImageRef | None:
    """The base image of a service built from an in-repository Dockerfile (`FROM postgres:16` counts)."""
    final_image = project.index.final_image(service.dockerfile_path)
    return final_image.base if final_image is not None else None


def service_store_image(
    project: Project, service: ComposeService, stores: Stores = ()
) -> tuple[DataStore | None, ImageRef | None]:
    """The data store a Compose service runs and the image that says so: its own, or the base image of its
    Dockerfile (whose tag tells the store's version)."""
    image = service.workload.containers[0].image
    store = data_store_for_image(image, stores)
    if store is not None:
        return store, image
    base = _service_base_image(project, service)
    store = data_store_for_image(base, stores)
    return store, base if store is not None else None


def service_data_store(project: Project, service: ComposeService, stores: Stores = ()) -> DataStore | None:
    """The data store a Compose service runs, from its image or the base image of its Dockerfile."""
    return service_store_image(project, service, stores)[0]


def data_store_of_service(project: Project, service: ComposeService, stores: Stores = ()) -> str | None:
    """The name of the data store a Compose service runs (for MD605/MD606 messages), or None."""
    store = service_data_store(project, service, stores)
    return store.name if store else None


REDIS_FLAG_VALUE = {
    "--appendonly": lambda value: value.lower() == "yes",
    "--save": lambda value: value.strip() != "" and not value.startswith("--"),
}


def redis_persistence_on(words: list[str]) -> bool:
    """AOF (`--appendonly yes`) or RDB (`--save <points>`) switched on in the command line.

    [decision] The image's built-in snapshot default is not counted: a cache that never asked for persistence
    is not treated as a record store.
    """
    for index, word in enumerate(words):
        flag, _, inline = word.partition("=")
        check = REDIS_FLAG_VALUE.get(flag)
        if check is None:
            continue
        value = inline if inline else (words[index + 1] if index + 1 < len(words) else "")
        if check(value):
            return True
    return False


def command_words(container: Container) -> list[str]:
    """All command words; a `sh -c` script is split into words as well (empty words are kept: `--save ""`)."""
    words: list[str] = []
    for located in (*container.command, *container.args):
        if not any(char.isspace() for char in located.value):
            words.append(located.value)
            continue
        try:
            words.extend(split_words(located.value))
        except ValueError:
            words.extend(located.value.split())
    return words


SERVER_PROGRAMS = frozenset(
    {
        "postgres",
        "postmaster",
        "mysqld",
        "mariadbd",
        "mongod",
        "redis-server",
        "valkey-server",
        "minio",
        "Orthanc",
        "elasticsearch",
        "opensearch",
        "influxd",
        "cassandra",
        "scylla",
        "couchdb",
        "neo4j",
        "sqlservr",
        "clickhouse-server",
        "docker-entrypoint.sh",
        "entrypoint.sh",
        "run.sh",
    }
)
CLIENT_PROGRAMS = frozenset(
    {
        "psql",
        "pg_dump",
        "pg_dumpall",
        "pg_restore",
        "pg_isready",
        "pg_basebackup",
        "mysql",
        "mariadb",
        "mysqldump",
        "mariadb-dump",
        "mysqladmin",
        "mongosh",
        "mongo",
        "mongodump",
        "mongorestore",
        "mongoimport",
        "redis-cli",
        "valkey-cli",
        "mc",
        "cqlsh",
        "clickhouse-client",
        "sqlcmd",
        "curl",
    }
)


def runs_client_only(container: Container) -> bool:
    """[decision] A data-store image used only to run its client tools (psql, mysqldump, redis-cli...) holds
    no records: its command names a client program and no server program."""
    programs = {posixpath.basename(word) for word in command_words(container)}
    return bool(programs & CLIENT_PROGRAMS) and not programs & SERVER_PROGRAMS


def data_paths(store: DataStore, container: Container, image: ImageRef | None = None) -> tuple[str, ...]:
    """The store's data directories for the major version of `image` (the one that matched the store; by
    default the container's), moved by its path variable (PGDATA) or, for MinIO, by `server <dir>`."""
    if store.path_variable:
        moved = next(
            (env.value for env in container.env if env.name == store.path_variable and env.value), None
        )
        if moved and "$" not in moved:
            return (moved,)
    if store.name == "MinIO":
        words = command_words(container)
        if "server" in words:
            directories = [w for w in words[words.index("server") + 1 :] if w.startswith("/")]
            if directories:
                return (directories[0],)
    return store.paths_for(store.major_of(image if image is not None else container.image))


def covers(mount_path: str, data_path: str) -> bool:
    """A mount at or above the data directory (a `<major>` segment of the directory matches any version)."""
    mount, data = posixpath.normpath(mount_path), posixpath.normpath(data_path)
    if ANY_MAJOR in data:
        mount_parts, data_parts = mount.split("/"), data.split("/")
        return len(mount_parts) <= len(data_parts) and all(
            part == wanted or (wanted == ANY_MAJOR and part.isdigit())
            for part, wanted in zip(mount_parts, data_parts)
        )
    return data == mount or data.startswith(mount.rstrip("/") + "/")


@dataclass(frozen=True, slots=True)
class Mount:
    """A mount of a Compose service or Kubernetes container. `kind`: "named", "bind", "anonymous", "tmpfs",
    "pvc", "emptyDir", "ephemeral", "config", "other" (a persistent volume source), "unknown"."""

    target: str
    kind: str
    location: Location
    unresolved: bool = False
    volume: str = ""

    @property
    def persistent(self) -> bool:
        return self.kind in ("named", "bind", "pvc", "other")


def deepest_mount(mounts: Iterable[Mount], data_path: str) -> Mount | None:
    """The mount that holds `data_path`: the deepest one at or above it."""
    covering = [m for m in mounts if not m.unresolved and m.target and covers(m.target, data_path)]
    return max(covering, key=lambda m: len(posixpath.normpath(m.target)), default=None)


def _claim_templates(workload: Workload) -> list[Node]:
    if workload.kind != "StatefulSet":
        return []
    return workload.definition.at("spec", "volumeClaimTemplates").elements()


def _volume_kinds(workload: Workload) -> dict[str, str]:
    """Volume name -> kind of storage, from pod volumes and StatefulSet volumeClaimTemplates."""
    kinds: dict[str, str] = {}
    for template in _claim_templates(workload):
        name = template.at("metadata", "name").plain()
        if name:
            kinds[str(name)] = "pvc"
    for volume in workload.pod.volumes if workload.pod is not None else ():
        if volume.node.get("name"):
            kinds[str(volume.node.get("name").plain())] = volume.storage
    return kinds


def container_mounts(workload: Workload, container: Container) -> list[Mount]:
    kinds = _volume_kinds(workload)
    return [
        Mount(mount.mount_path, kinds.get(mount.name, "unknown"), mount.location, volume=mount.name)
        for mount in container.volume_mounts
    ]


#: How data.py names the Compose mount kinds in messages; other types (npipe, cluster...) by their type.
_COMPOSE_KINDS = {
    MountKind.VOLUME: "named",
    MountKind.BIND: "bind",
    MountKind.ANONYMOUS: "anonymous",
    MountKind.TMPFS: "tmpfs",
}


def service_mounts(service: ComposeService) -> list[Mount]:
    """Every mount of a Compose service: `volumes` (both syntaxes) and `tmpfs`."""
    return [
        Mount(
            mount.target, _COMPOSE_KINDS.get(mount.kind, mount.type), mount.location, mount.target_unresolved
        )
        for mount in service.mounts
    ]


def _workload_labelled_persistent(workload: Workload) -> bool:
    pod_labels = workload.pod.labels if workload.pod is not None else {}
    return has_label(workload.labels, PERSISTENT_LABEL) or has_label(pod_labels, PERSISTENT_LABEL)


def store_containers(workload: Workload, stores: Stores) -> Iterator[tuple[Container, DataStore | None]]:
    """The containers of a workload that hold records, with their data store (None: labelled, kind unknown)."""
    labelled = _workload_labelled_persistent(workload)
    for container in workload.containers:
        if container.role not in (ContainerRole.CONTAINER, ContainerRole.SIDECAR):
            continue
        store = data_store_for_image(container.image, stores)
        if store is not None and runs_client_only(container):
            store = None
        if (
            store is not None
            and store.needs_persistence
            and not labelled
            and not redis_persistence_on(command_words(container))
        ):
            store = None
        if store is not None or labelled:
            yield container, store


def is_persistent_store(workload: Workload, stores: Stores) -> bool:
    return workload.kind in STORE_WORKLOAD_KINDS and any(True for _ in store_containers(workload, stores))


@dataclass(frozen=True, slots=True)
class StatefulService:
    """A Compose service that keeps records: a data store by image, or one labelled `regulatory.data: persistent`."""

    service: ComposeService
    store: DataStore | None
    data_paths: tuple[str, ...]


def _dockerfile_volumes(project: Project, service: ComposeService) -> tuple[str, ...]:
    """`VOLUME` paths of the final image of an in-repository Dockerfile."""
    final_image = project.index.final_image(service.dockerfile_path)
    return final_image.volumes if final_image is not None else ()


def stateful_services(project: Project, compose: ComposeProject, stores: Stores) -> Iterator[StatefulService]:
    """Services that keep records (catalog: postgres, mysql/mariadb, mongo, redis with persistence, ...)."""
    for service in compose.services:
        container = service.workload.containers[0]
        store, image = service_store_image(project, service, stores)
        if store is not None and runs_client_only(container):
            store = None
        labelled = has_label(service.workload.labels, PERSISTENT_LABEL)
        if store is not None and store.needs_persistence and not labelled:
            if not redis_persistence_on(command_words(container)):
                continue
        if store is not None:
            yield StatefulService(service, store, data_paths(store, container, image))
        elif labelled:
            yield StatefulService(service, None, _dockerfile_volumes(project, service))
