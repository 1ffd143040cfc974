"""Helm chart metadata: Chart.yaml, Chart.lock and values files into the `Chart` model.

Templates are not parsed as YAML here; rendering is the job of `medlint.helm`. Each file is parsed on its
own so that a syntax error in one yields one MD001 finding for that file while the rest is still checked.
"""

from __future__ import annotations

from typing import Any

from medlint.model import Chart, ChartDependency, Located, LockedDependency, ValuesFile
from medlint.source import (
    Location,
    SourceError,
    YamlList,
    YamlMap,
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
        raise SourceError(f"{what} must be a mapping at the top level", documents[0].line, documents[0].column)
    return value


def _located_text(path: str, mapping: YamlMap, key: str) -> Located[str] | None:
    if key not in mapping or mapping[key] is None:
        return None
    return Located(str(mapping[key]), value_location(path, mapping, key))


def parse_values(path: str, text: str) -> ValuesFile:
    """A values file: one mapping (an empty file is an empty mapping, as Helm reads it)."""
    return ValuesFile(path=path, values=_single_mapping(text, "a values file", allow_empty=True))


def parse_chart_lock(path: str, text: str) -> tuple[LockedDependency, ...]:
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
                    )
                )
    return tuple(locked)


def parse_chart(
    directory: str,
    chart_yaml_path: str,
    text: str,
    lock: tuple[LockedDependency, ...] | None = None,
    lock_path: str | None = None,
    values_files: tuple[ValuesFile, ...] = (),
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
            str(key): Located("" if value is None else str(value), key_location(chart_yaml_path, annotations_node, key))
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
        dependencies_anchor=key_location(chart_yaml_path, meta, "dependencies") if "dependencies" in meta else None,
        annotations=annotations,
        annotations_anchor=(
            key_location(chart_yaml_path, meta, "annotations")
            if "annotations" in meta
            else Location(chart_yaml_path, meta.line, meta.column)
        ),
        lock=lock,
        lock_path=lock_path,
        values_files=values_files,
        raw=meta,
    )
