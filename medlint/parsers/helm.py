"""Helm chart metadata: Chart.yaml, Chart.lock and values files into the `Chart` model.

Templates are not parsed as YAML here; rendering is the job of `medlint.helm`. Each file is parsed on its
own so that a syntax error in one yields one MD001 finding for that file while the rest is still checked.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
import zlib
from dataclasses import dataclass
from typing import Any

from medlint.model import Chart, ChartDependency, Located, LockedDependency, ValuesFile, VendoredChart
from medlint.model.tree import ABSENT, Node
from medlint.source import (
    Location,
    SourceError,
    YamlList,
    YamlMap,
    decode_text,
    key_location,
    load_yaml_documents,
    node_location,
    value_location,
)


def _single_mapping(text: str, what: str, allow_empty: bool) -> YamlMap:
    documents = [doc for doc in load_yaml_documents(text) if doc.value is not None]
    if not documents:
        if allow_empty:
            return YamlMap()
        raise SourceError(f"{what} is empty")
    if len(documents) > 1:
        raise SourceError(f"{what} must hold one YAML document, found {len(documents)}", documents[1].line)
    value = documents[0].value
    if not isinstance(value, YamlMap):
        raise SourceError(
            f"{what} must be a mapping at the top level", documents[0].line, documents[0].column
        )
    return value


def _located_text(path: str, mapping: YamlMap, key: str) -> Located[str] | None:
    if key not in mapping or mapping[key] is None:
        return None
    return Located(str(mapping[key]), value_location(path, mapping, key))


def parse_values(path: str, text: str) -> ValuesFile:
    """A values file: one mapping (an empty file is an empty mapping, as Helm reads it)."""
    return ValuesFile(
        path=path, values=Node.root(_single_mapping(text, "a values file", allow_empty=True), path)
    )


@dataclass(frozen=True, slots=True)
class ChartLockFile:
    """A parsed Chart.lock: its entries, where they are listed, and the digest Helm recorded."""

    entries: tuple[LockedDependency, ...]
    anchor: Location
    digest: Located[str] | None


def read_chart_lock(path: str, text: str) -> ChartLockFile:
    lock = _single_mapping(text, "Chart.lock", allow_empty=False)
    entries = lock.get("dependencies")
    locked: list[LockedDependency] = []
    if isinstance(entries, YamlList):
        for index, entry in enumerate(entries):
            if isinstance(entry, YamlMap):
                locked.append(
                    LockedDependency(
                        name=str(entry.get("name") or ""),
                        version=str(entry.get("version") or ""),
                        repository=None if entry.get("repository") is None else str(entry.get("repository")),
                        location=value_location(path, entries, index),
                        definition=Node(entry, path, entries, index),
                    )
                )
    anchor = key_location(path, lock, "dependencies") if "dependencies" in lock else node_location(path, lock)
    digest = lock.get("digest")
    recorded = Located(digest, value_location(path, lock, "digest")) if isinstance(digest, str) else None
    if isinstance(entries, YamlList) and len(locked) != len(entries):
        recorded = None  # an entry that is no mapping: Helm's digest over it is not reproduced
    return ChartLockFile(tuple(locked), anchor, recorded)


def parse_chart_lock(path: str, text: str) -> tuple[LockedDependency, ...]:
    return read_chart_lock(path, text).entries


# --------------------------------------------------------------------------------------------------
# Vendored sub-charts (charts/*.tgz and charts/<dir>/Chart.yaml)

#: Bounds on reading one vendored archive: members looked at, bytes of members passed over, Chart.yaml size.
ARCHIVE_MAX_MEMBERS = 10_000
ARCHIVE_MAX_BYTES = 100 * 1024 * 1024
ARCHIVE_MAX_CHART_YAML_BYTES = 1024 * 1024
_DRIVE = re.compile(r"^[a-zA-Z]:")


def archive_chart_yaml(data: bytes) -> str:
    """The text of `<dir>/Chart.yaml` in a chart archive, read in memory (nothing is extracted).

    Absolute or `..` member names, drive letters, links and special files are skipped; reading stops after
    `ARCHIVE_MAX_MEMBERS` members or `ARCHIVE_MAX_BYTES` bytes of members. Raises SourceError when the
    archive is damaged or holds no top-level Chart.yaml.
    """
    seen = 0
    passed = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            for member in archive:
                seen += 1
                passed += max(member.size, 0)
                name = member.name.replace("\\", "/")
                parts = [part for part in name.split("/") if part not in ("", ".")]
                safe = not (name.startswith("/") or _DRIVE.match(name) or ".." in parts) and member.isreg()
                if not safe or len(parts) != 2 or parts[1] != "Chart.yaml":
                    # unsafe names, links, directories and devices are passed over; before the next member
                    # is read (which decompresses this one), stop at the bounds
                    if seen >= ARCHIVE_MAX_MEMBERS or passed > ARCHIVE_MAX_BYTES:
                        raise SourceError(
                            f"no Chart.yaml within the first {seen} members; medlint stops reading"
                        )
                    continue
                if member.size > ARCHIVE_MAX_CHART_YAML_BYTES:
                    raise SourceError(f"{name} is larger than {ARCHIVE_MAX_CHART_YAML_BYTES} bytes")
                handle = archive.extractfile(member)
                content = handle.read(ARCHIVE_MAX_CHART_YAML_BYTES + 1) if handle is not None else b""
                return decode_text(content)
    except tarfile.ReadError:
        raise SourceError("it is not a gzip-compressed tar archive, or it is truncated") from None
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        detail = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise SourceError(f"the archive is damaged: {detail}") from None
    raise SourceError("the archive holds no <chart>/Chart.yaml")


def vendored_chart(path: str, chart_yaml_text: str) -> VendoredChart:
    """A vendored sub-chart's identity from its Chart.yaml text; `problem` is set when it cannot be read."""
    location = Location(path, 1, 1)
    try:
        meta = _single_mapping(chart_yaml_text, "Chart.yaml", allow_empty=False)
    except SourceError as error:
        return VendoredChart("", None, path, location, f"its Chart.yaml cannot be parsed: {error.message}")
    name = "" if meta.get("name") is None else str(meta.get("name"))
    version = None if meta.get("version") is None else str(meta.get("version"))
    problem = None if name and version else "its Chart.yaml has no name or version"
    return VendoredChart(name, version, path, location, problem)


def unreadable_vendored_chart(path: str, reason: str) -> VendoredChart:
    return VendoredChart("", None, path, Location(path, 1, 1), reason)


# --------------------------------------------------------------------------------------------------
# values.schema.json


#: Larger schemas are kept without key positions (reading JSON as YAML costs about 0.7 s per MB).
MAX_POSITIONED_SCHEMA_CHARS = 512 * 1024


def parse_values_schema(text: str) -> Any:
    """The schema as JSON reads it; a `YamlMap` with key positions when the same text reads as YAML to the
    same value (JSON is nearly always YAML), so findings can point at a property. Raises JSONDecodeError."""
    value = json.loads(text)
    if len(text) > MAX_POSITIONED_SCHEMA_CHARS:
        return value
    try:
        documents = load_yaml_documents(text)
    except Exception:
        return value
    if len(documents) == 1 and documents[0].value == value:
        return documents[0].value
    return value


def parse_chart(
    directory: str,
    chart_yaml_path: str,
    text: str,
    lock: tuple[LockedDependency, ...] | None = None,
    lock_path: str | None = None,
    values_files: tuple[ValuesFile, ...] = (),
    *,
    lock_anchor: Location | None = None,
    lock_digest: Located[str] | None = None,
    vendored_charts: tuple[VendoredChart, ...] = (),
    values_schema: Any = None,
    values_schema_path: str | None = None,
) -> Chart:
    """The chart model from Chart.yaml text plus the already parsed lock and values files."""
    meta = _single_mapping(text, "Chart.yaml", allow_empty=False)
    dependencies: list[ChartDependency] = []
    entries = meta.get("dependencies")
    if isinstance(entries, YamlList):
        for index, entry in enumerate(entries):
            if not isinstance(entry, YamlMap):
                continue
            dependencies.append(
                ChartDependency(
                    name=str(entry.get("name") or ""),
                    location=value_location(chart_yaml_path, entries, index),
                    version=_located_text(chart_yaml_path, entry, "version"),
                    repository=_located_text(chart_yaml_path, entry, "repository"),
                    condition=None if entry.get("condition") is None else str(entry.get("condition")),
                    alias=None if entry.get("alias") is None else str(entry.get("alias")),
                )
            )
    annotations_node: Any = meta.get("annotations")
    annotations: dict[str, Located[str]] = {}
    if isinstance(annotations_node, YamlMap):
        annotations = {
            str(key): Located(
                "" if value is None else str(value), key_location(chart_yaml_path, annotations_node, key)
            )
            for key, value in annotations_node.items()
        }
    return Chart(
        directory=directory,
        path=chart_yaml_path,
        location=node_location(chart_yaml_path, meta),
        api_version=_located_text(chart_yaml_path, meta, "apiVersion"),
        name=_located_text(chart_yaml_path, meta, "name"),
        version=_located_text(chart_yaml_path, meta, "version"),
        app_version=_located_text(chart_yaml_path, meta, "appVersion"),
        chart_type=_located_text(chart_yaml_path, meta, "type"),
        dependencies=tuple(dependencies),
        dependencies_anchor=key_location(chart_yaml_path, meta, "dependencies")
        if "dependencies" in meta
        else None,
        annotations=annotations,
        annotations_anchor=(
            key_location(chart_yaml_path, meta, "annotations")
            if "annotations" in meta
            else Location(chart_yaml_path, meta.line, meta.column)
        ),
        lock=lock,
        lock_path=lock_path,
        lock_anchor=lock_anchor,
        lock_digest=lock_digest,
        values_files=values_files,
        vendored_charts=vendored_charts,
        values_schema=(
            Node.root(values_schema, values_schema_path or "values.schema.json")
            if values_schema is not None
            else ABSENT
        ),
        values_schema_path=values_schema_path,
        definition=Node.root(meta, chart_yaml_path),
    )
