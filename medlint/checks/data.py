"""Data, audit and observability: MD701 persistent-storage, MD702 backup, MD703 audit-policy,
MD704 monitoring-and-logging.

Records of a medical device must outlive containers and be recoverable, the cluster's audit log must show who
did what without recording secret values, and logs and metrics must leave the device. The data-store table
below (image patterns and data paths) is shared with MD605/MD606, which recognise databases by image.
"""

from __future__ import annotations

import datetime
import fnmatch
import itertools
import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from medlint.checks.network_selectors import (
    labels_of,
    namespace_of,
    pod_annotations,
    pod_labels,
    selector_matches,
)
from medlint.checks.selectors import map_selector_matches
from medlint.findings import RelatedLocation, Violation
from medlint.model import (
    ArtifactKind,
    ComposeProject,
    ComposeService,
    Container,
    ImageRef,
    K8sObject,
    Project,
    Workload,
)
from medlint.parsers.compose_positions import compose_value_location
from medlint.parsers.interpolation import InterpolatedText
from medlint.parsers.kubernetes import POD_SPEC_PATHS, get_path
from medlint.parsers.shell import split_words
from medlint.source import Location, key_location, value_location

PERSISTENT_LABEL = ("regulatory.data", "persistent")
BACKUP_MARKER = ("regulatory.backup", "true")
STORE_WORKLOAD_KINDS = ("StatefulSet", "Deployment")


def _artifact(obj: K8sObject) -> ArtifactKind:
    return ArtifactKind.HELM if obj.rendered_from else ArtifactKind.KUBERNETES


def _objects(project: Project, kind: str, api_prefix: str = "") -> Iterator[K8sObject]:
    return (
        obj
        for obj in project.k8s_objects
        if obj.kind == kind
        and isinstance(obj.body, Mapping)
        and (obj.api_version or "").startswith(api_prefix)
    )


def _k8s_workloads(project: Project, kinds: tuple[str, ...] | None = None) -> Iterator[Workload]:
    return (
        w
        for w in project.workloads
        if w.artifact in (ArtifactKind.KUBERNETES, ArtifactKind.HELM) and (kinds is None or w.kind in kinds)
    )


def _mapping(value: Any) -> Mapping[str, Any]:
    """A YAML mapping, or an empty one for anything else (absent or malformed)."""
    return value if isinstance(value, Mapping) else {}


def _has_label(labels: Mapping[str, Any], marker: tuple[str, str]) -> bool:
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
    if image is None or image.unresolved or image.is_stage or "$" in image.raw:
        return None
    repository = image.repository.lower().removeprefix("library/")
    return next(
        (store for store in stores if any(fnmatch.fnmatchcase(repository, p) for p in store.images)), None
    )


def _service_base_image(project: Project, service: ComposeService) -> ImageRef | None:
    """The base image of a service built from an in-repository Dockerfile (`FROM postgres:16` counts)."""
    dockerfile = project.dockerfile(service.dockerfile_path)
    if dockerfile is None or not dockerfile.stages:
        return None
    return dockerfile.final_chain()[-1].base


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


def _command_words(container: Container) -> list[str]:
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
    programs = {posixpath.basename(word) for word in _command_words(container)}
    return bool(programs & CLIENT_PROGRAMS) and not programs & SERVER_PROGRAMS


def _data_paths(store: DataStore, container: Container) -> tuple[str, ...]:
    """The store's data directories, moved by its path variable (PGDATA) or, for MinIO, by `server <dir>`."""
    if store.path_variable:
        moved = next(
            (env.value for env in container.env if env.name == store.path_variable and env.value), None
        )
        if moved and "$" not in moved:
            return (moved,)
    if store.name == "MinIO":
        words = _command_words(container)
        if "server" in words:
            directories = [w for w in words[words.index("server") + 1 :] if w.startswith("/")]
            if directories:
                return (directories[0],)
    return store.data_paths


def _covers(mount_path: str, data_path: str) -> bool:
    mount, data = posixpath.normpath(mount_path), posixpath.normpath(data_path)
    return data == mount or data.startswith(mount.rstrip("/") + "/")


# ==================================================================================================
# MD701 persistent-storage: Compose


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


_VOLUME_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")


def _short_volume(text: str) -> tuple[str, str]:
    """(source, target) of `src:dst[:mode]` or `dst` (source "" for an anonymous volume)."""
    parts = text.split(":")
    if len(parts) >= 2 and len(parts[0]) == 1 and parts[0].isalpha():  # a Windows drive letter
        parts = [parts[0] + ":" + parts[1], *parts[2:]]
    if len(parts) == 1:
        return "", parts[0]
    return parts[0], parts[1]


def _volume_kind(source: str, top_level_volumes: Mapping[str, Any]) -> str:
    if not source:
        return "anonymous"
    if not _VOLUME_NAME.match(source):
        return "bind"
    definition = top_level_volumes.get(source)
    options = definition.get("driver_opts") if isinstance(definition, Mapping) else None
    if isinstance(options, Mapping) and str(options.get("type", "")).lower() == "tmpfs":
        return "tmpfs"
    return "named"


def compose_mounts(service: ComposeService, top_level_volumes: Mapping[str, Any]) -> list[Mount]:
    """Every mount of a Compose service: `volumes` (both syntaxes) and `tmpfs`."""
    raw = service.raw if isinstance(service.raw, Mapping) else {}
    mounts: list[Mount] = []
    volumes = raw.get("volumes")
    for index, item in enumerate(volumes if isinstance(volumes, list) else ()):
        location = compose_value_location(volumes, index)
        unresolved = isinstance(item, InterpolatedText) and item.unresolved
        if isinstance(item, Mapping):
            kind = str(item.get("type") or "volume")
            source, target = str(item.get("source") or ""), str(item.get("target") or "")
            kind = _volume_kind(source, top_level_volumes) if kind == "volume" else kind
            mounts.append(Mount(target, kind, location, "$" in target))
        else:
            source, target = _short_volume(str(item))
            mounts.append(
                Mount(target, _volume_kind(source, top_level_volumes), location, unresolved and "$" in target)
            )
    tmpfs = raw.get("tmpfs")
    items = tmpfs if isinstance(tmpfs, list) else ([tmpfs] if isinstance(tmpfs, str) else [])
    for index, item in enumerate(items):
        location = (
            compose_value_location(tmpfs, index)
            if isinstance(tmpfs, list)
            else compose_value_location(raw, "tmpfs")
        )
        mounts.append(Mount(str(item).split(":")[0], "tmpfs", location))
    return mounts


def deepest_mount(mounts: Iterable[Mount], data_path: str) -> Mount | None:
    """The mount that holds `data_path`: the deepest one at or above it."""
    covering = [m for m in mounts if not m.unresolved and m.target and _covers(m.target, data_path)]
    return max(covering, key=lambda m: len(posixpath.normpath(m.target)), default=None)


@dataclass(frozen=True, slots=True)
class StatefulService:
    """A Compose service that keeps records: a data store by image, or one labelled `regulatory.data: persistent`."""

    service: ComposeService
    store: DataStore | None
    data_paths: tuple[str, ...]


def _dockerfile_volumes(project: Project, service: ComposeService) -> tuple[str, ...]:
    """`VOLUME` paths of the final image of an in-repository Dockerfile."""
    dockerfile = project.dockerfile(service.dockerfile_path)
    if dockerfile is None:
        return ()
    paths: list[str] = []
    for stage in dockerfile.final_chain():
        for instruction in stage.instructions:
            if instruction.keyword == "VOLUME":
                arguments = instruction.json_arguments or tuple(instruction.resolved.split())
                paths.extend(arg for arg in arguments if arg.startswith("/"))
    return tuple(paths)


def stateful_services(project: Project, compose: ComposeProject, stores: Stores) -> Iterator[StatefulService]:
    """Services that keep records (catalog: postgres, mysql/mariadb, mongo, redis with persistence, ...)."""
    for service in compose.services:
        container = service.workload.containers[0]
        store = service_data_store(project, service, stores)
        if store is not None and runs_client_only(container):
            store = None
        labelled = _has_label(service.workload.labels, PERSISTENT_LABEL)
        if store is not None and store.needs_persistence and not labelled:
            if not redis_persistence_on(_command_words(container)):
                continue
        if store is not None:
            yield StatefulService(service, store, _data_paths(store, container))
        elif labelled:
            yield StatefulService(service, None, _dockerfile_volumes(project, service))


def _compose_storage_violation(stateful: StatefulService, mounts: list[Mount]) -> Violation | None:
    service = stateful.service
    workload = service.workload
    label = f"labelled {PERSISTENT_LABEL[0]}: {PERSISTENT_LABEL[1]}"
    what = (
        f'{stateful.store.name} service "{service.name}"'
        if stateful.store
        else f'service "{service.name}" ({label})'
    )
    if not stateful.data_paths:  # labelled, data directory unknown: any persistent mount will do
        if any(m.persistent for m in mounts):
            return None
        return Violation(
            workload.location,
            f"{what} keeps its data on no named volume or bind mount",
            f"{workload.subject}/storage",
            workload.artifact,
        )
    holders = [deepest_mount(mounts, path) for path in stateful.data_paths]
    if any(holder is not None and holder.persistent for holder in holders):
        return None
    path = stateful.data_paths[0]
    holder = holders[0]
    if holder is not None:
        kind = "an anonymous volume" if holder.kind == "anonymous" else f"a {holder.kind} mount"
        return Violation(
            holder.location,
            f"{what} keeps its data directory {path} on {kind}, which is lost when the container is recreated",
            f"{workload.subject}/storage",
            workload.artifact,
        )
    if any(m.unresolved for m in mounts):
        return Violation(
            workload.location,
            f"{what}: whether its data directory {path} is on a volume cannot be resolved "
            "(a volume target uses an unset variable)",
            f"{workload.subject}/storage",
            workload.artifact,
            variant="unresolved",
        )
    return Violation(
        workload.location,
        f"{what} keeps its data directory {path} on no volume (at best the image's anonymous VOLUME), "
        "so records are lost when the container is recreated",
        f"{workload.subject}/storage",
        workload.artifact,
    )


def _compose_storage(project: Project, stores: Stores) -> Iterator[Violation]:
    for compose in project.compose_projects:
        top_volumes = compose.top_level.get("volumes")
        top_volumes = top_volumes if isinstance(top_volumes, Mapping) else {}
        for stateful in stateful_services(project, compose, stores):
            violation = _compose_storage_violation(stateful, compose_mounts(stateful.service, top_volumes))
            if violation is not None:
                yield violation


# ==================================================================================================
# MD701 persistent-storage: Kubernetes


EPHEMERAL_SOURCES = {"emptyDir": "emptyDir", "ephemeral": "ephemeral", "csi": "ephemeral"}
CONFIG_SOURCES = ("configMap", "secret", "downwardAPI", "projected", "gitRepo")


def _pod_spec(workload: Workload) -> Mapping[str, Any]:
    spec = get_path(workload.raw, POD_SPEC_PATHS.get(workload.kind, ("spec",)))
    return spec if isinstance(spec, Mapping) else {}


def _claim_templates(workload: Workload) -> list[Any]:
    templates = get_path(workload.raw, ("spec", "volumeClaimTemplates"))
    return templates if isinstance(templates, list) and workload.kind == "StatefulSet" else []


def _volume_kinds(workload: Workload) -> dict[str, str]:
    """Volume name -> kind of storage, from pod volumes and StatefulSet volumeClaimTemplates."""
    kinds: dict[str, str] = {}
    for template in _claim_templates(workload):
        name = get_path(template, ("metadata", "name"))
        if name:
            kinds[str(name)] = "pvc"
    volumes = _pod_spec(workload).get("volumes")
    for volume in volumes if isinstance(volumes, list) else ():
        if not isinstance(volume, Mapping) or not volume.get("name"):
            continue
        source = next((key for key in volume if key != "name"), "")
        if source == "persistentVolumeClaim":
            kind = "pvc"
        elif source in EPHEMERAL_SOURCES:
            kind = EPHEMERAL_SOURCES[source]
        elif source in CONFIG_SOURCES:
            kind = "config"
        else:
            kind = "other"  # hostPath, nfs, cloud disks...: outlive the pod
        kinds[str(volume["name"])] = kind
    return kinds


def container_mounts(workload: Workload, container: Container) -> list[Mount]:
    kinds = _volume_kinds(workload)
    mounts = container.raw.get("volumeMounts") if isinstance(container.raw, Mapping) else None
    result: list[Mount] = []
    for index, mount in enumerate(mounts if isinstance(mounts, list) else ()):
        if isinstance(mount, Mapping) and mount.get("mountPath") and mount.get("name"):
            kind = kinds.get(str(mount["name"]), "unknown")
            result.append(
                Mount(
                    str(mount["mountPath"]),
                    kind,
                    value_location(workload.path, mounts, index),
                    volume=str(mount["name"]),
                )
            )
    return result


def _workload_labelled_persistent(workload: Workload) -> bool:
    return _has_label(workload.labels, PERSISTENT_LABEL) or _has_label(pod_labels(workload), PERSISTENT_LABEL)


def store_containers(workload: Workload, stores: Stores) -> Iterator[tuple[Container, DataStore | None]]:
    """The containers of a workload that hold records, with their data store (None: labelled, kind unknown)."""
    labelled = _workload_labelled_persistent(workload)
    for container in workload.containers:
        if container.role not in ("container", "sidecar"):
            continue
        store = data_store_for_image(container.image, stores)
        if store is not None and runs_client_only(container):
            store = None
        if (
            store is not None
            and store.needs_persistence
            and not labelled
            and not redis_persistence_on(_command_words(container))
        ):
            store = None
        if store is not None or labelled:
            yield container, store


def is_persistent_store(workload: Workload, stores: Stores) -> bool:
    return workload.kind in STORE_WORKLOAD_KINDS and any(True for _ in store_containers(workload, stores))


def _k8s_container_storage(
    workload: Workload, container: Container, store: DataStore | None
) -> Violation | None:
    who = f'container "{container.name}" of {workload.subject}'
    subject = f"{workload.subject}/container:{container.name}/storage"
    mounts = container_mounts(workload, container)
    if store is None:
        if any(m.persistent for m in mounts):
            return None
        return Violation(
            container.location,
            f"{who} is labelled {PERSISTENT_LABEL[0]}: {PERSISTENT_LABEL[1]} but mounts no persistent volume",
            subject,
            workload.artifact,
        )
    paths = _data_paths(store, container)
    holders = [deepest_mount(mounts, path) for path in paths]
    if any(holder is not None and holder.persistent for holder in holders):
        return None
    holder = holders[0]
    if holder is not None and holder.kind != "unknown":
        return Violation(
            holder.location,
            f"{who} runs {store.name} with its data directory {paths[0]} on {holder.kind} volume "
            f'"{holder.volume}", which is lost with the pod',
            subject,
            workload.artifact,
        )
    return Violation(
        container.location,
        f"{who} runs {store.name} with its data directory {paths[0]} on no volume, so records are lost with the pod",
        subject,
        workload.artifact,
    )


def _k8s_store_storage(project: Project, stores: Stores) -> Iterator[Violation]:
    for workload in _k8s_workloads(project, STORE_WORKLOAD_KINDS):
        for container, store in store_containers(workload, stores):
            violation = _k8s_container_storage(workload, container, store)
            if violation is not None:
                yield violation


def _pvcs(project: Project) -> dict[tuple[str, str], K8sObject]:
    return {(namespace_of(obj), obj.name or ""): obj for obj in _objects(project, "PersistentVolumeClaim")}


def _access_modes(claim_spec: Any) -> set[str]:
    modes = claim_spec.get("accessModes") if isinstance(claim_spec, Mapping) else None
    return {str(mode) for mode in modes} if isinstance(modes, list) else set()


def _replicas(workload: Workload) -> int:
    value = workload.replicas.value if workload.replicas is not None else 1
    return value if isinstance(value, int) and not isinstance(value, bool) else 1


def _claim_references(workload: Workload) -> Iterator[tuple[str, Location]]:
    """(claimName, where) of every persistentVolumeClaim volume of a workload."""
    volumes = _pod_spec(workload).get("volumes")
    for volume in volumes if isinstance(volumes, list) else ():
        claim = volume.get("persistentVolumeClaim") if isinstance(volume, Mapping) else None
        if isinstance(claim, Mapping) and claim.get("claimName"):
            yield str(claim["claimName"]), value_location(workload.path, claim, "claimName")


def _shared_rwo_claims(project: Project) -> Iterator[Violation]:
    claims = _pvcs(project)
    for workload in _k8s_workloads(project, STORE_WORKLOAD_KINDS):
        replicas = _replicas(workload)
        if replicas <= 1:
            continue
        for name, location in _claim_references(workload):
            claim = claims.get((namespace_of(workload), name))
            modes = _access_modes(claim.body.get("spec")) if claim else set()
            if modes and modes <= {"ReadWriteOnce", "ReadWriteOncePod"}:
                yield Violation(
                    location,
                    f'{workload.subject} runs {replicas} replicas on ReadWriteOnce claim "{name}"; '
                    "pods on other nodes cannot mount it",
                    f"{workload.subject}/claim:{name}",
                    workload.artifact,
                    variant="rwo-shared",
                )


@dataclass(frozen=True, slots=True)
class ClaimSpec:
    """A PersistentVolumeClaim spec, standalone or a StatefulSet volumeClaimTemplate."""

    owner: str
    namespace: str
    spec: Any
    anchor: Location
    artifact: ArtifactKind
    record_storage: bool


def _claim_specs(project: Project, stores: Stores) -> Iterator[ClaimSpec]:
    record_claims = {
        (namespace_of(w), name)
        for w in _k8s_workloads(project, STORE_WORKLOAD_KINDS)
        if is_persistent_store(w, stores)
        for name, _ in _claim_references(w)
    }
    for obj in _objects(project, "PersistentVolumeClaim"):
        spec = obj.body.get("spec")
        anchor = key_location(obj.path, obj.body, "spec") if "spec" in obj.body else obj.location
        record = (namespace_of(obj), obj.name or "") in record_claims or _has_label(
            obj.labels, PERSISTENT_LABEL
        )
        yield ClaimSpec(obj.subject, namespace_of(obj), spec, anchor, _artifact(obj), record)
    for workload in _k8s_workloads(project, ("StatefulSet",)):
        templates = _claim_templates(workload)
        for index, template in enumerate(templates):
            if not isinstance(template, Mapping):
                continue
            name = get_path(template, ("metadata", "name")) or index
            anchor = (
                key_location(workload.path, template, "spec")
                if "spec" in template
                else value_location(workload.path, templates, index)
            )
            yield ClaimSpec(
                f'volumeClaimTemplate "{name}" of {workload.subject}',
                namespace_of(workload),
                template.get("spec"),
                anchor,
                workload.artifact,
                is_persistent_store(workload, stores),
            )


DEFAULT_CLASS_KEYS = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)


def _storage_classes(project: Project) -> tuple[dict[str, K8sObject], K8sObject | None]:
    """StorageClasses of the bundle by name, and the one marked as the cluster default."""
    classes = {obj.name or "": obj for obj in _objects(project, "StorageClass")}
    default = next(
        (
            obj
            for obj in classes.values()
            if any(_has_label(obj.annotations, (key, "true")) for key in DEFAULT_CLASS_KEYS)
        ),
        None,
    )
    return classes, default


def _storage_class_violations(project: Project, stores: Stores) -> Iterator[Violation]:
    classes, default_class = _storage_classes(project)
    judged: set[str] = set()
    for claim in _claim_specs(project, stores):
        spec = claim.spec if isinstance(claim.spec, Mapping) else {}
        if "storageClassName" not in spec:
            yield Violation(
                claim.anchor,
                f"{claim.owner} has no explicit storageClassName, so the cluster default decides where records live",
                f"{claim.owner}/storage-class",
                claim.artifact,
                variant="no-storage-class",
            )
        if not claim.record_storage:
            continue
        name = spec.get("storageClassName")
        storage_class = (
            classes.get(str(name)) if name else (default_class if "storageClassName" not in spec else None)
        )
        if storage_class is None or (storage_class.name or "") in judged:
            continue  # a StorageClass outside the bundle is not judged
        judged.add(storage_class.name or "")
        yield from _reclaim_policy(storage_class, claim)


def _reclaim_policy(storage_class: K8sObject, claim: ClaimSpec) -> Iterator[Violation]:
    policy = storage_class.body.get("reclaimPolicy")
    if policy is not None and str(policy) != "Delete":
        return
    where = (
        key_location(storage_class.path, storage_class.body, "reclaimPolicy")
        if policy is not None
        else storage_class.location
    )
    state = (
        "reclaimPolicy: Delete" if policy is not None else "no reclaimPolicy (Kubernetes defaults to Delete)"
    )
    yield Violation(
        where,
        f"StorageClass {storage_class.name} holds record storage ({claim.owner}) but has {state}; "
        "deleting the claim deletes the records",
        f"StorageClass/{storage_class.name}/reclaim",
        _artifact(storage_class),
        variant="reclaim-policy",
        related=(RelatedLocation(claim.anchor, f"{claim.owner} uses this class"),),
    )


def persistent_storage(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD701: records on named volumes or PVCs, not in the container or pod; explicit, retained storage."""
    stores = data_store_table(params)
    yield from _compose_storage(project, stores)
    yield from _k8s_store_storage(project, stores)
    yield from _shared_rwo_claims(project)
    yield from _storage_class_violations(project, stores)


# ==================================================================================================
# MD702 backup


BACKUP_TOOLS = re.compile(
    r"(?<![\w-])(pg_dump|pg_dumpall|pg_basebackup|pgbackrest|mysqldump|mariadb-dump|mariabackup|xtrabackup|mongodump|"
    r"velero|restic|borg|wal-g|barman|etcdctl\s+snapshot|redis-cli\s+.*--rdb)(?![\w-])"
)


def _mentions_backup_tool(texts: Iterable[str]) -> bool:
    return any(BACKUP_TOOLS.search(text) for text in texts)


def _image_is_backup(image: ImageRef | None) -> bool:
    return image is not None and (
        "backup" in image.repository.lower() or "velero" in image.repository.lower()
    )


# -- Compose


def _is_backup_service(service: ComposeService) -> bool:
    """A service that backs data up: by marker label, name, image, command or scheduler labels (ofelia...)."""
    workload = service.workload
    container = workload.containers[0]
    if (
        _has_label(workload.labels, BACKUP_MARKER)
        or "backup" in service.name.lower()
        or _image_is_backup(container.image)
    ):
        return True
    texts = [w.value for w in (*container.command, *container.args)]
    texts += [label.value for label in workload.labels.values()]
    return _mentions_backup_tool(texts)


def _compose_backup(project: Project, external: set[str], stores: Stores) -> Iterator[Violation]:
    for compose in project.compose_projects:
        backed_up = any(_is_backup_service(service) for service in compose.services)
        for stateful in stateful_services(project, compose, stores):
            service = stateful.service
            if backed_up or service.name in external or _is_backup_service(service):
                continue
            what = stateful.store.name if stateful.store else "stateful"
            yield Violation(
                service.workload.location,
                f'{what} service "{service.name}" has no backup service or job in {compose.path} '
                "and no declared external backup",
                f"{service.workload.subject}/backup",
                service.workload.artifact,
            )


# -- Kubernetes: which jobs back up which namespaces


def _cronjob_texts(workload: Workload) -> list[str]:
    return [word.value for container in workload.containers for word in (*container.command, *container.args)]


def is_backup_cronjob(workload: Workload) -> bool:
    """A CronJob marked `regulatory.backup: "true"`, or one running a backup tool (pg_dump, velero, ...)."""
    if workload.kind != "CronJob":
        return False
    if _has_label(workload.labels, BACKUP_MARKER) or _has_label(pod_labels(workload), BACKUP_MARKER):
        return True
    annotations = labels_of(get_path(workload.raw, ("metadata", "annotations")))
    if _has_label(annotations, BACKUP_MARKER):
        return True
    return _mentions_backup_tool(_cronjob_texts(workload)) or any(
        _image_is_backup(c.image) for c in workload.containers
    )


def _suspended(workload: Workload) -> bool:
    return get_path(workload.raw, ("spec", "suspend")) is True


def _velero_covers(schedule: K8sObject, namespace: str) -> bool:
    spec = _mapping(schedule.body.get("spec"))
    if spec.get("paused") is True:
        return False
    template = _mapping(spec.get("template"))
    included = [str(n) for n in template.get("includedNamespaces") or ()]
    excluded = [str(n) for n in template.get("excludedNamespaces") or ()]
    return (not included or "*" in included or namespace in included) and namespace not in excluded


def _backed_up_namespaces(project: Project) -> set[str]:
    namespaces = {
        namespace_of(w)
        for w in _k8s_workloads(project, ("CronJob",))
        if is_backup_cronjob(w) and not _suspended(w)
    }
    all_namespaces = {namespace_of(w) for w in project.workloads} | {
        namespace_of(o) for o in project.k8s_objects
    }
    for schedule in _objects(project, "Schedule", "velero.io/"):
        namespaces.update(n for n in all_namespaces if _velero_covers(schedule, n))
    return namespaces


def _k8s_store_backup(project: Project, external: set[str], stores: Stores) -> Iterator[Violation]:
    covered = _backed_up_namespaces(project)
    for workload in _k8s_workloads(project, STORE_WORKLOAD_KINDS):
        if not is_persistent_store(workload, stores) or namespace_of(workload) in covered:
            continue
        if {workload.name, workload.subject} & external:
            continue
        yield Violation(
            workload.location,
            f"{workload.subject} keeps records, but no backup CronJob or Velero Schedule covers "
            f'namespace "{namespace_of(workload)}"',
            f"{workload.subject}/backup",
            workload.artifact,
        )


# -- Kubernetes: backup job safety settings and schedule


def _cronjob_settings(workload: Workload) -> Iterator[Violation]:
    spec = workload.raw.get("spec") if isinstance(workload.raw.get("spec"), Mapping) else {}
    job_spec = get_path(spec, ("jobTemplate", "spec"))
    job_spec = job_spec if isinstance(job_spec, Mapping) else {}
    spec_anchor = key_location(workload.path, workload.raw, "spec")
    job_anchor = (
        key_location(workload.path, get_path(spec, ("jobTemplate",)), "spec") if job_spec else spec_anchor
    )
    problems: dict[Location, list[str]] = {}
    policy = spec.get("concurrencyPolicy")
    if policy != "Forbid":
        where = (
            value_location(workload.path, spec, "concurrencyPolicy") if policy is not None else spec_anchor
        )
        problems.setdefault(where, []).append(
            f"concurrencyPolicy: {policy}" if policy is not None else "no concurrencyPolicy: Forbid"
        )
    if "startingDeadlineSeconds" not in spec:
        problems.setdefault(spec_anchor, []).append("no startingDeadlineSeconds")
    for key in ("activeDeadlineSeconds", "backoffLimit"):
        if key not in job_spec:
            problems.setdefault(job_anchor, []).append(f"no {key} in jobTemplate.spec")
    for location, missing in problems.items():
        yield Violation(
            location,
            f"backup {workload.subject} has {', '.join(missing)}, so overlapping, late or hung runs go unnoticed",
            f"{workload.subject}/settings:{location.line}",
            workload.artifact,
        )


def _schedule_violation(
    owner: str,
    schedule: Any,
    time_zone: Any,
    location: Location,
    subject: str,
    artifact: ArtifactKind,
    rpo_hours: float,
    today: datetime.date,
) -> Violation | None:
    if not isinstance(schedule, str) or not schedule.strip():
        return None
    gap = largest_gap(schedule, str(time_zone) if time_zone else None, today)
    if gap is None:
        return None  # not a schedule medlint can read; MD002 judges validity
    if gap == datetime.timedelta.max:
        return Violation(location, f'backup {owner} schedule "{schedule}" never runs', subject, artifact)
    hours = gap.total_seconds() / 3600
    if hours <= rpo_hours:
        return None
    zone = f" in {time_zone}" if time_zone else ""
    return Violation(
        location,
        f'backup {owner} schedule "{schedule}"{zone} leaves up to {hours:g} h between runs, '
        f"more than the RPO of {rpo_hours:g} h",
        subject,
        artifact,
    )


def _k8s_backup_jobs(project: Project, rpo_hours: float, today: datetime.date) -> Iterator[Violation]:
    for workload in _k8s_workloads(project, ("CronJob",)):
        if not is_backup_cronjob(workload) or _suspended(workload):
            continue
        yield from _cronjob_settings(workload)
        spec = workload.raw.get("spec")
        if isinstance(spec, Mapping) and "schedule" in spec:
            violation = _schedule_violation(
                workload.subject,
                spec.get("schedule"),
                spec.get("timeZone"),
                value_location(workload.path, spec, "schedule"),
                f"{workload.subject}/rpo",
                workload.artifact,
                rpo_hours,
                today,
            )
            if violation is not None:
                yield violation
    for schedule in _objects(project, "Schedule", "velero.io/"):
        spec = schedule.body.get("spec")
        if not isinstance(spec, Mapping) or spec.get("paused") is True or "schedule" not in spec:
            continue
        violation = _schedule_violation(
            f"Velero {schedule.subject}",
            spec.get("schedule"),
            None,
            value_location(schedule.path, spec, "schedule"),
            f"{schedule.subject}/rpo",
            _artifact(schedule),
            rpo_hours,
            today,
        )
        if violation is not None:
            yield violation


def backup(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD702: every record store has a backup job or schedule, run safely and within the RPO."""
    external = {str(name) for name in params.get("external_backups") or ()}
    rpo_hours = float(params.get("rpo_hours") or 24)
    today = params.get("today") or datetime.date.today()
    stores = data_store_table(params)
    yield from _compose_backup(project, external, stores)
    yield from _k8s_store_backup(project, external, stores)
    yield from _k8s_backup_jobs(project, rpo_hours, today)


# -- cron schedules (robfig/cron standard syntax, as the CronJob controller reads it)


CRON_MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
CRON_FIELDS = ((0, 59, ()), (0, 23, ()), (1, 31, ()), (1, 12, MONTH_NAMES), (0, 6, DAY_NAMES))
WINDOW_DAYS = 5 * 366 + 1  # long enough for yearly and leap-day schedules to repeat


@dataclass(frozen=True, slots=True)
class CronField:
    values: frozenset[int]
    star: bool  # `*` or `?` without a step: the day-of-month / day-of-week rule then needs both to match


@dataclass(frozen=True, slots=True)
class CronSchedule:
    minutes: CronField
    hours: CronField
    days: CronField
    months: CronField
    weekdays: CronField

    def runs_on(self, day: datetime.date) -> bool:
        if day.month not in self.months.values:
            return False
        day_match = day.day in self.days.values
        weekday_match = day.isoweekday() % 7 in self.weekdays.values
        if self.days.star or self.weekdays.star:
            return day_match and weekday_match
        return day_match or weekday_match


def _cron_value(text: str, names: tuple[str, ...], low: int) -> int | None:
    if text.isdigit():
        return int(text)
    lowered = text.lower()
    return names.index(lowered) + low if lowered in names else None


def _cron_span(
    span: str, has_step: bool, low: int, high: int, names: tuple[str, ...]
) -> tuple[int, int, bool] | None:
    """(first, last, includes Sunday as 7) of one `a`, `a-b`, `*` or `a/step` part (`a/step` runs to the end)."""
    if span in ("*", "?"):
        return low, high, False
    first_text, _, last_text = span.partition("-")
    first = _cron_value(first_text, names, low)
    last = _cron_value(last_text, names, low) if last_text else (high if has_step else first)
    if first is None or last is None:
        return None
    sunday_as_seven = names is DAY_NAMES and last == 7
    if sunday_as_seven:
        first, last = (0, 0) if first == 7 else (first, 6)
    return first, last, sunday_as_seven


def _cron_field(text: str, low: int, high: int, names: tuple[str, ...]) -> CronField | None:
    values: set[int] = set()
    star = False
    for part in text.split(","):
        span, _, step_text = part.partition("/")
        if step_text and (not step_text.isdigit() or int(step_text) == 0):
            return None
        step = int(step_text) if step_text else 1
        bounds = _cron_span(span, bool(step_text), low, high, names)
        if bounds is None or not low <= bounds[0] <= bounds[1] <= high:
            return None
        first, last, sunday_as_seven = bounds
        star = star or (span in ("*", "?") and step == 1)  # robfig/cron: a step clears the "*" mark
        values.update(range(first, last + 1, step))
        if sunday_as_seven:
            values.add(0)
    return CronField(frozenset(values), star)


def parse_cron(schedule: str) -> CronSchedule | float | None:
    """A 5-field schedule or macro; `@every <duration>` gives its period in seconds; None when unreadable."""
    text = re.sub(r"^(CRON_)?TZ=\S+\s+", "", schedule.strip())
    if text.startswith("@every "):
        from medlint.parsers.compose import parse_duration

        return parse_duration(text[len("@every ") :].strip())
    fields = CRON_MACROS.get(text.lower(), text).split()
    if len(fields) != 5:
        return None
    parsed = [_cron_field(field, low, high, names) for field, (low, high, names) in zip(fields, CRON_FIELDS)]
    if any(item is None for item in parsed):
        return None
    return CronSchedule(*parsed)  # type: ignore[arg-type]


def _zone(name: str | None) -> datetime.tzinfo:
    if not name:
        return datetime.timezone.utc
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:
        return datetime.timezone.utc


def _instants(day: datetime.date, minutes_of_day: list[int], zone: datetime.tzinfo) -> list[float]:
    return [
        datetime.datetime(day.year, day.month, day.day, m // 60, m % 60, tzinfo=zone).timestamp()
        for m in minutes_of_day
    ]


def _changes_offset(day: datetime.date, zone: datetime.tzinfo) -> bool:
    start = datetime.datetime(day.year, day.month, day.day, tzinfo=zone)
    end = start + datetime.timedelta(days=1)
    return start.utcoffset() != end.replace(tzinfo=zone).utcoffset()


def largest_gap(schedule: str, time_zone: str | None, start: datetime.date) -> datetime.timedelta | None:
    """The largest time between consecutive runs over the next five years, honouring the time zone.

    `timedelta.max` when the schedule never fires; None when it cannot be read.
    """
    parsed = parse_cron(schedule)
    if parsed is None:
        return None
    if isinstance(parsed, float):
        return datetime.timedelta(seconds=parsed)
    zone = _zone(time_zone)
    times = sorted(h * 60 + m for h in parsed.hours.values for m in parsed.minutes.values)
    same_day_gap = max((b - a for a, b in itertools.pairwise(times)), default=0) * 60.0
    largest, previous_last = 0.0, None
    for offset in range(WINDOW_DAYS):
        day = start + datetime.timedelta(days=offset)
        if not parsed.runs_on(day):
            continue
        if _changes_offset(day, zone):
            instants = _instants(day, times, zone)
            largest = max([largest] + [b - a for a, b in itertools.pairwise(instants)])
        else:
            instants = _instants(day, [times[0], times[-1]], zone)
            largest = max(largest, same_day_gap)
        if previous_last is not None:
            largest = max(largest, instants[0] - previous_last)
        previous_last = instants[-1]
    if previous_last is None:
        return datetime.timedelta.max
    return datetime.timedelta(seconds=largest)


# ==================================================================================================
# MD703 audit-policy


AUDIT_LOGS_PAYLOAD = ("Request", "RequestResponse")
SENSITIVE_RESOURCES = (("", "secrets"), ("", "configmaps"), ("authentication.k8s.io", "tokenreviews"))
INTERACTIVE_RESOURCES = (("", "pods", "exec"), ("", "pods", "portforward"))
RESTRICTIONS = ("users", "userGroups", "verbs", "namespaces", "resources", "nonResourceURLs")


def rule_matches_resource(
    rule: Mapping[str, Any], group: str, resource: str, subresource: str = "", ignore_names: bool = True
) -> bool:
    """Can this audit rule match requests for group/resource[/subresource]? (apiserver's ruleMatchesResource)

    Users, verbs and namespaces are not looked at; `resourceNames` only when ignore_names is False.
    """
    if rule.get("nonResourceURLs") and not rule.get("resources") and not rule.get("namespaces"):
        return False
    entries = rule.get("resources")
    if not entries:
        return True
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, Mapping) or str(entry.get("group") or "") != group:
            continue
        if not ignore_names and entry.get("resourceNames"):
            continue
        names = entry.get("resources")
        if not names:
            return True
        if any(_resource_name_matches(str(name), resource, subresource) for name in names):
            return True
    return False


def _resource_name_matches(name: str, resource: str, subresource: str) -> bool:
    """`resources` entry semantics of the audit policy: exact `res/sub`, `*`, `*/sub` or `res/*`."""
    combined = f"{resource}/{subresource}" if subresource else resource
    if name in (combined, "*"):
        return True
    if not subresource:
        return False
    return name == f"*/{subresource}" or (name.endswith("/*") and name[:-2] == resource)


def _unrestricted_for(
    rule: Mapping[str, Any], group: str, resource: str, subresource: str = "", verb: str | None = None
) -> bool:
    """Does the rule match every request for the resource (any user, namespace and name; this verb or any)?"""
    if rule.get("users") or rule.get("userGroups") or rule.get("namespaces"):
        return False
    verbs = rule.get("verbs")
    if verbs and (verb is None or verb not in [str(v) for v in verbs]):
        return False
    return rule_matches_resource(rule, group, resource, subresource, ignore_names=False)


def payload_rules(rules: list[Any], group: str, resource: str) -> Iterator[int]:
    """Indexes of rules that record request bodies of the resource for some request, honouring first-match."""
    for index, rule in enumerate(rules):
        if not isinstance(rule, Mapping):
            continue
        if rule_matches_resource(rule, group, resource) and str(rule.get("level")) in AUDIT_LOGS_PAYLOAD:
            yield index
        if _unrestricted_for(rule, group, resource):
            return  # every later rule is shadowed for this resource


def effective_level(
    rules: list[Any], group: str, resource: str, subresource: str, verb: str
) -> tuple[str, int | None]:
    """The level of an ordinary request (any user, any namespace): the first rule matching all of them."""
    for index, rule in enumerate(rules):
        if isinstance(rule, Mapping) and _unrestricted_for(rule, group, resource, subresource, verb):
            return str(rule.get("level")), index
    return "None", None


def _is_catch_all(rule: Any) -> bool:
    return isinstance(rule, Mapping) and not any(rule.get(key) for key in RESTRICTIONS)


def _sensitive_payloads(policy: K8sObject, rules: list[Any]) -> Iterator[Violation]:
    by_rule: dict[int, list[str]] = {}
    for group, resource in SENSITIVE_RESOURCES:
        for index in payload_rules(rules, group, resource):
            by_rule.setdefault(index, []).append(resource)
    for index, resources in sorted(by_rule.items()):
        level = rules[index].get("level")
        yield Violation(
            value_location(policy.path, policy.body["rules"], index),
            f"audit Policy rule {index + 1} logs {' and '.join(resources)} at {level}, "
            "which writes their values into the audit log; use Metadata",
            f"{policy.subject}/rules[{index}]/payload",
            _artifact(policy),
            variant="sensitive-payload",
        )


def _catch_all(policy: K8sObject, rules: list[Any]) -> Iterator[Violation]:
    rules_location = (
        key_location(policy.path, policy.body, "rules") if "rules" in policy.body else policy.location
    )
    if not rules or not _is_catch_all(rules[-1]):
        where = value_location(policy.path, policy.body["rules"], len(rules) - 1) if rules else rules_location
        yield Violation(
            where,
            "audit Policy does not end with a catch-all rule (no resource or verb restriction), "
            "so unlisted requests are not audited",
            f"{policy.subject}/catch-all",
            _artifact(policy),
            variant="no-catch-all",
        )
    elif str(rules[-1].get("level")) == "None":
        yield Violation(
            value_location(policy.path, policy.body["rules"], len(rules) - 1),
            "audit Policy ends with a catch-all rule at level None, so unlisted requests are not audited",
            f"{policy.subject}/catch-all",
            _artifact(policy),
            variant="no-catch-all",
        )


def _interactive_access(policy: K8sObject, rules: list[Any]) -> Iterator[Violation]:
    for group, resource, subresource in INTERACTIVE_RESOURCES:
        level, index = effective_level(rules, group, resource, subresource, "create")
        if level != "None":
            continue
        where = (
            value_location(policy.path, policy.body["rules"], index) if index is not None else policy.location
        )
        reason = f"rule {index + 1} sets level None" if index is not None else "no rule matches it"
        yield Violation(
            where,
            f"audit Policy does not log {resource}/{subresource} ({reason}), "
            "so interactive access to containers leaves no trace",
            f"{policy.subject}/{resource}/{subresource}",
            _artifact(policy),
            variant="interactive-access",
        )


def _omitted_request_received(policy: K8sObject, rules: list[Any]) -> Iterator[Violation]:
    places = [(policy.body, "the Policy")] + [
        (rule, f"rule {i + 1}") for i, rule in enumerate(rules) if isinstance(rule, Mapping)
    ]
    for mapping, what in places:
        stages = mapping.get("omitStages")
        if isinstance(stages, list) and "RequestReceived" in [str(s) for s in stages]:
            yield Violation(
                key_location(policy.path, mapping, "omitStages"),
                f"{what} of the audit Policy omits the RequestReceived stage, so requests that never complete are not recorded",
                f"{policy.subject}/omitStages:{what}",
                _artifact(policy),
                variant="omit-stages",
            )


def _first_location(project: Project) -> Location:
    objects = sorted(project.k8s_objects, key=lambda obj: (obj.path, obj.location.line))
    if objects:
        return Location(objects[0].path)
    return Location(project.files[0].path) if project.files else Location(".")


def audit_policies(project: Project) -> list[K8sObject]:
    return list(_objects(project, "Policy", "audit.k8s.io/"))


def audit_policy(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD703: an audit Policy that logs exec and everything else, without recording secret values.

    A scanned Policy is cluster configuration, so it is always checked; "no Policy at all" is reported only
    when the configuration says cluster configuration is in scope (`cluster_config_in_scope`).
    """
    in_scope = bool(params.get("cluster_config_in_scope"))
    policies = audit_policies(project)
    if not policies and in_scope:
        yield Violation(
            _first_location(project),
            "no Kubernetes audit Policy (audit.k8s.io/v1) is in the scanned cluster configuration",
            "audit-policy",
            ArtifactKind.KUBERNETES,
        )
    for policy in policies:
        rules = policy.body.get("rules")
        rules = rules if isinstance(rules, list) else []
        yield from _sensitive_payloads(policy, rules)
        yield from _catch_all(policy, rules)
        yield from _interactive_access(policy, rules)
        yield from _omitted_request_received(policy, rules)


# ==================================================================================================
# MD704 monitoring-and-logging


MONITOR_API = "monitoring.coreos.com/"
LOG_SHIPPER_IMAGES = re.compile(
    r"(?i)(^|/)(fluentd[^/]*|fluent-bit|fluentbit|vector|promtail|filebeat|logstash|alloy|elastic-agent|"
    r"opentelemetry-collector[^/]*|otel-collector)$|^(datadog|grafana)/agent$"
)
LOG_SHIPPER_CONFIG_KEYS = (
    "fluent.conf",
    "fluentd.conf",
    "fluent-bit.conf",
    "fluent-bit.yaml",
    "vector.toml",
    "vector.yaml",
    "promtail.yaml",
    "config.alloy",
    "filebeat.yml",
    "logstash.conf",
)
LOG_OPERATOR_APIS = (
    "logging.banzaicloud.io/",
    "fluentbit.fluent.io/",
    "fluentd.fluent.io/",
    "logging.kubesphere.io/",
)


def _monitor_namespaces(monitor: K8sObject) -> tuple[bool, set[str]]:
    """(any namespace?, names) a ServiceMonitor/PodMonitor looks in; by default its own namespace."""
    selector = _mapping(monitor.body.get("spec")).get("namespaceSelector")
    if isinstance(selector, Mapping):
        if selector.get("any") is True:
            return True, set()
        if selector.get("matchNames"):
            return False, {str(name) for name in selector["matchNames"]}
    return False, {namespace_of(monitor)}


def _monitor_selects(monitor: K8sObject, namespace: str, labels: Mapping[str, str]) -> bool:
    any_namespace, names = _monitor_namespaces(monitor)
    if not any_namespace and namespace not in names:
        return False
    spec = monitor.body.get("spec") if isinstance(monitor.body.get("spec"), Mapping) else {}
    return selector_matches(spec.get("selector"), labels)


def _scraped(annotations: Mapping[str, str], keys: tuple[str, ...]) -> bool:
    return any(annotations.get(key, "").strip().lower() == "true" for key in keys)


def _service_workloads(service: K8sObject, workloads: list[Workload]) -> list[Workload]:
    spec = service.body.get("spec") if isinstance(service.body.get("spec"), Mapping) else {}
    return [
        w
        for w in workloads
        if namespace_of(w) == namespace_of(service)
        and map_selector_matches(spec.get("selector"), pod_labels(w))
    ]


def _service_monitoring(project: Project, scrape_keys: tuple[str, ...]) -> Iterator[Violation]:
    service_monitors = list(_objects(project, "ServiceMonitor", MONITOR_API))
    pod_monitors = list(_objects(project, "PodMonitor", MONITOR_API))
    workloads = list(_k8s_workloads(project))
    services = [
        s for s in _objects(project, "Service") if _mapping(s.body.get("spec")).get("type") != "ExternalName"
    ]

    def service_monitored(service: K8sObject) -> bool:
        labels = {key: located.value for key, located in service.labels.items()}
        annotations = {key: located.value for key, located in service.annotations.items()}
        return _scraped(annotations, scrape_keys) or any(
            _monitor_selects(m, namespace_of(service), labels) for m in service_monitors
        )

    monitored_pods = {
        id(w)
        for w in workloads
        if _scraped(pod_annotations(w), scrape_keys)
        or any(_monitor_selects(m, namespace_of(w), pod_labels(w)) for m in pod_monitors)
    }
    monitored_pods.update(
        id(w) for s in services if service_monitored(s) for w in _service_workloads(s, workloads)
    )
    for service in services:
        if service_monitored(service) or any(
            id(w) in monitored_pods for w in _service_workloads(service, workloads)
        ):
            continue
        yield Violation(
            service.location,
            f"{service.subject} has no ServiceMonitor, PodMonitor or scrape annotation, so nobody watches it",
            f"{service.subject}/monitoring",
            _artifact(service),
            variant="service-monitoring",
        )


def _log_shippers(project: Project) -> list[K8sObject]:
    """Objects that show logs leave the node: shipper workloads, their configuration, logging operators."""
    shippers: list[K8sObject] = []
    for obj in project.k8s_objects:
        if not isinstance(obj.body, Mapping):
            continue
        if (obj.api_version or "").startswith(LOG_OPERATOR_APIS) or (
            obj.kind == "ConfigMap"
            and isinstance(obj.body.get("data"), Mapping)
            and any(key in obj.body["data"] for key in LOG_SHIPPER_CONFIG_KEYS)
        ):
            shippers.append(obj)
    body_ids = {
        id(w.raw)
        for w in _k8s_workloads(project, ("DaemonSet", "Deployment", "StatefulSet"))
        if any(c.image is not None and LOG_SHIPPER_IMAGES.search(c.image.repository) for c in w.containers)
    }
    shippers.extend(obj for obj in project.k8s_objects if id(obj.body) in body_ids)
    return sorted(shippers, key=lambda obj: (obj.path, obj.location.line))


def _log_shipping(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    workloads = sorted(_k8s_workloads(project), key=lambda w: (w.path, w.location.line))
    if not workloads:
        return
    retention_key = str(params.get("retention_annotation") or "regulatory.logging/retention")
    declared_shipping = str(params.get("log_shipping") or "").strip()
    declared_retention = str(params.get("log_retention") or "").strip()
    shippers = _log_shippers(project)
    if not shippers and not declared_shipping:
        first = workloads[0]
        yield Violation(
            first.location,
            "no log shipper (fluentd, fluent-bit, vector, ...) is in the scanned manifests "
            "and no log shipping is declared, so logs stay on the nodes",
            "logging/shipping",
            first.artifact,
            variant="log-shipping",
        )
        return
    if declared_retention or any(
        retention_key in obj.annotations and obj.annotations[retention_key].value.strip() for obj in shippers
    ):
        return
    anchor = shippers[0] if shippers else None
    location = anchor.location if anchor else workloads[0].location
    artifact = _artifact(anchor) if anchor else workloads[0].artifact
    yield Violation(
        location,
        f"logs are shipped{f' ({anchor.subject})' if anchor else ''}, but no log retention is declared "
        f"(configuration, or a {retention_key} annotation on the shipper)",
        "logging/retention",
        artifact,
        variant="log-shipping",
    )


def _audit_trail_sinks(project: Project, key: str) -> Iterator[Violation]:
    for workload in _k8s_workloads(project, ("Deployment", "StatefulSet", "DaemonSet")):
        annotations = labels_of(get_path(workload.raw, ("metadata", "annotations")))
        if annotations.get(key, "").strip() or pod_annotations(workload).get(key, "").strip():
            continue
        yield Violation(
            workload.location,
            f"{workload.subject} keeps Part 11 records but declares no audit-trail sink ({key} annotation)",
            f"{workload.subject}/audit-trail",
            workload.artifact,
            variant="audit-trail-sink",
        )


def _compose_logging(project: Project) -> Iterator[Violation]:
    for compose in project.compose_projects:
        for service in compose.services:
            logging = service.raw.get("logging") if isinstance(service.raw, Mapping) else None
            if not isinstance(logging, Mapping) or logging.get("driver") is None:
                continue  # [decision] the daemon default is not visible here
            driver = logging["driver"]
            where = compose_value_location(logging, "driver")
            who, workload = f'service "{service.name}"', service.workload
            if isinstance(driver, InterpolatedText) and driver.unresolved:
                yield Violation(
                    where,
                    f"{who} sets logging.driver: {driver}, which cannot be resolved",
                    f"{workload.subject}/logging",
                    workload.artifact,
                    variant="unresolved",
                )
            elif str(driver) == "none":
                yield Violation(
                    where,
                    f"{who} disables logging (driver: none), so its events are lost",
                    f"{workload.subject}/logging",
                    workload.artifact,
                    variant="logging-disabled",
                )
            elif str(driver) == "json-file":
                options = logging.get("options")
                if not isinstance(options, Mapping) or not options.get("max-size"):
                    yield Violation(
                        where,
                        f"{who} logs to json-file without max-size, so logs can fill the disk",
                        f"{workload.subject}/logging",
                        workload.artifact,
                        variant="unbounded-json-file",
                    )


def monitoring_and_logging(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD704: Services monitored, logs shipped off the node with a retention, Compose logging not disabled."""
    scrape_keys = tuple(str(key) for key in params.get("scrape_annotations") or ("prometheus.io/scrape",))
    yield from _service_monitoring(project, scrape_keys)
    yield from _log_shipping(project, params)
    sink_key = str(params.get("audit_trail_annotation") or "regulatory.part11/audit-trail-sink")
    if params.get("part11_records"):
        yield from _audit_trail_sinks(project, sink_key)
    yield from _compose_logging(project)
