"""Data stores: which images keep records and where (shared by MD605/MD606, MD701 and MD702).

Patterns are matched against the image repository without registry (`postgres`, `bitnami/postgresql`). A
Compose service or a Kubernetes container "keeps records" when it runs such an image as a server (not only its
client tools; Redis only with persistence switched on), or when it is labelled `regulatory.data: persistent`.
"""

from __future__ import annotations

import fnmatch
import posixpath
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
class DataStore:
    """A kind of data store recognised by image: its name, image patterns and data directories.

    `path_variable` moves the data directory (PGDATA); `needs_persistence` marks stores that are only
    stateful when persistence is switched on (Redis: AOF or RDB snapshots).
    """

    name: str
    images: tuple[str, ...]
    data_paths: tuple[str, ...]
    path_variable: str | None = None
    needs_persistence: bool = False


#: Patterns are matched against the image repository without registry (`postgres`, `bitnami/postgresql`).
#: The first matching entry wins, so vendor-specific layouts come before the generic ones.
DATA_STORES: tuple[DataStore, ...] = (
    DataStore("PostgreSQL", ("bitnami/postgresql*",), ("/bitnami/postgresql",)),
    DataStore("MySQL", ("bitnami/mysql",), ("/bitnami/mysql",)),
    DataStore("MariaDB", ("bitnami/mariadb*",), ("/bitnami/mariadb",)),
    DataStore("MongoDB", ("bitnami/mongodb*",), ("/bitnami/mongodb",)),
    DataStore(
        "Redis",
        ("bitnami/redis*", "bitnami/valkey*"),
        ("/bitnami/redis/data", "/bitnami/valkey/data"),
        needs_persistence=True,
    ),
    DataStore("MinIO", ("bitnami/minio",), ("/bitnami/minio/data", "/data")),
    DataStore(
        "PostgreSQL",
        ("postgres", "*/postgres", "postgis/postgis", "timescale/timescaledb*", "*/postgresql"),
        ("/var/lib/postgresql/data",),
        path_variable="PGDATA",
    ),
    DataStore(
        "MySQL", ("mysql", "*/mysql", "*/mysql-server", "percona", "*/percona-server"), ("/var/lib/mysql",)
    ),
    DataStore("MariaDB", ("mariadb", "*/mariadb"), ("/var/lib/mysql",)),
    DataStore(
        "MongoDB", ("mongo", "*/mongo", "mongodb/mongodb-community-server", "*/mongodb"), ("/data/db",)
    ),
    DataStore(
        "Redis",
        ("redis", "*/redis", "redis/redis-stack*", "valkey/valkey", "*/valkey"),
        ("/data",),
        needs_persistence=True,
    ),
    DataStore("MinIO", ("minio/minio", "*/minio"), ("/data",)),
    DataStore(
        "Orthanc", ("jodogne/orthanc*", "orthancteam/orthanc*", "osimis/orthanc*"), ("/var/lib/orthanc/db",)
    ),
    DataStore(
        "Elasticsearch",
        ("elasticsearch", "elasticsearch/elasticsearch", "*/elasticsearch"),
        ("/usr/share/elasticsearch/data",),
    ),
    DataStore("OpenSearch", ("opensearchproject/opensearch",), ("/usr/share/opensearch/data",)),
    DataStore("InfluxDB", ("influxdb", "*/influxdb"), ("/var/lib/influxdb", "/var/lib/influxdb2")),
    DataStore("Cassandra", ("cassandra", "*/cassandra"), ("/var/lib/cassandra",)),
    DataStore("ScyllaDB", ("scylladb/scylla*",), ("/var/lib/scylla",)),
    DataStore("CouchDB", ("couchdb", "*/couchdb"), ("/opt/couchdb/data",)),
    DataStore("Neo4j", ("neo4j", "*/neo4j"), ("/data",)),
    DataStore("SQL Server", ("mssql/server", "*/mssql-server*"), ("/var/opt/mssql",)),
    DataStore(
        "ClickHouse",
        ("clickhouse/clickhouse-server", "yandex/clickhouse-server", "clickhouse"),
        ("/var/lib/clickhouse",),
    ),
)


Stores = tuple[DataStore, ...]


def data_store_table(params: Mapping[str, Any]) -> Stores:
    """The configured `extra_data_stores` (checked first), then the built-in table.

    Each extra entry: `{name: ..., images: [patterns], data_paths: [...], path_variable: ..., needs_persistence: false}`.
    """
    extra = tuple(
        DataStore(
            name=str(entry.get("name") or "data store"),
            images=tuple(str(pattern).lower() for pattern in entry.get("images") or ()),
            data_paths=tuple(str(path) for path in entry.get("data_paths") or ()),
            path_variable=str(entry["path_variable"]) if entry.get("path_variable") else None,
            needs_persistence=bool(entry.get("needs_persistence")),
        )
        for entry in params.get("extra_data_stores") or ()
        if isinstance(entry, Mapping)
    )
    return extra + DATA_STORES


def data_store_for_image(image: ImageRef | None, stores: Stores = DATA_STORES) -> DataStore | None:
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


def service_data_store(
    project: Project, service: ComposeService, stores: Stores = DATA_STORES
) -> DataStore | None:
    """The data store a Compose service runs, from its image or the base image of its Dockerfile."""
    container = service.workload.containers[0]
    return data_store_for_image(container.image, stores) or data_store_for_image(
        _service_base_image(project, service), stores
    )


def data_store_of_service(
    project: Project, service: ComposeService, stores: Stores = DATA_STORES
) -> str | None:
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


def data_paths(store: DataStore, container: Container) -> tuple[str, ...]:
    """The store's data directories, moved by its path variable (PGDATA) or, for MinIO, by `server <dir>`."""
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
    return store.data_paths


def covers(mount_path: str, data_path: str) -> bool:
    mount, data = posixpath.normpath(mount_path), posixpath.normpath(data_path)
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
        store = service_data_store(project, service, stores)
        if store is not None and runs_client_only(container):
            store = None
        labelled = has_label(service.workload.labels, PERSISTENT_LABEL)
        if store is not None and store.needs_persistence and not labelled:
            if not redis_persistence_on(command_words(container)):
                continue
        if store is not None:
            yield StatefulService(service, store, data_paths(store, container))
        elif labelled:
            yield StatefulService(service, None, _dockerfile_volumes(project, service))
