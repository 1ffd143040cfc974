"""Loading Helm charts the way Helm's loader does, without trusting the chart.

A chart is read from a directory or a ``.tgz`` archive into an in-memory :class:`HelmChart`:
``Chart.yaml`` (validated with Helm's rules and error texts), ``values.yaml`` (numbers as float64),
``values.schema.json``, ``templates/``, the other files (Helm's ``.Files``) and the subcharts under
``charts/`` (directories and archives), following pkg/chart/loader and pkg/ignore.

Files are read by :mod:`medlint.helm.chart_files` (no symbolic link out of the chart, archives in memory,
sizes bounded). Nothing is executed and nothing is fetched: dependencies that are not vendored are looked
up in ``--chart-path`` directories and ``file://`` repositories only.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from medlint.decoding import SourceError
from medlint.helm.chart_files import (
    Budget,
    ChartError,
    LoadLimits,
    ReadObserver,
    read_archive,
    read_archive_file,
    read_directory,
)
from medlint.helm.functions import FunctionError
from medlint.helm.functions.semver import SemverError, parse_version
from medlint.helm.functions.yamljson import load_yaml_like_helm
from medlint.helm.guards import ResourceLimitError, check_yaml_aliases
from medlint.helm.values import ValuesError, is_compatible_range, load_values_text
from medlint.limits import DEFAULT_LIMITS
from medlint.reader import read_bytes

__all__ = [
    "ChartError",
    "ChartMetadata",
    "ChartRequirement",
    "ChartSource",
    "HelmChart",
    "LoadLimits",
    "MissingDependency",
    "check_installable",
    "display_path",
    "load_chart",
    "load_chart_bytes",
    "missing_dependencies",
    "resolve_dependencies",
]


# --------------------------------------------------------------------------------------------------
# Metadata


@dataclass
class ChartRequirement:
    """One entry of ``dependencies:`` in Chart.yaml (Helm's ``chart.Dependency``)."""

    name: str = ""
    version: str = ""
    repository: str = ""
    condition: str = ""
    tags: list[str] = field(default_factory=list)
    enabled: bool = False
    import_values: list[Any] = field(default_factory=list)
    alias: str = ""

    def go_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name}
        for key, value in (
            ("version", self.version),
            ("repository", self.repository),
            ("condition", self.condition),
            ("tags", self.tags),
            ("enabled", self.enabled),
            ("import-values", self.import_values),
            ("alias", self.alias),
        ):
            if value:
                data[key] = value
        return data


@dataclass
class ChartMetadata:
    """Chart.yaml as Helm reads it (``chart.Metadata``)."""

    api_version: str = ""
    name: str = ""
    version: str = ""
    kube_version: str = ""
    description: str = ""
    type: str = ""
    keywords: list[str] = field(default_factory=list)
    home: str = ""
    sources: list[str] = field(default_factory=list)
    dependencies: list[ChartRequirement] = field(default_factory=list)
    maintainers: list[dict[str, str]] = field(default_factory=list)
    icon: str = ""
    app_version: str = ""
    deprecated: bool = False
    annotations: dict[str, str] = field(default_factory=dict)
    condition: str = ""
    tags: str = ""

    def copy(self) -> ChartMetadata:
        return replace(
            self,
            dependencies=[
                replace(req, tags=list(req.tags), import_values=list(req.import_values))
                for req in self.dependencies
            ],
        )


_STRING_FIELDS = {
    "apiVersion": "api_version",
    "name": "name",
    "version": "version",
    "kubeVersion": "kube_version",
    "description": "description",
    "type": "type",
    "home": "home",
    "icon": "icon",
    "appVersion": "app_version",
    "condition": "condition",
    "tags": "tags",
}
_STRING_LIST_FIELDS = {"keywords": "keywords", "sources": "sources"}
_REQUIREMENT_STRINGS = ("name", "version", "repository", "condition", "alias")
_ALIAS = re.compile(r"^[a-zA-Z0-9_-]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _unmarshal_error(value: Any, struct: str, field_path: str, go_type: str) -> ChartError:
    return ChartError(
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
        f"{_json_kind(value)} into Go struct field {struct}.{field_path} of type {go_type}",
        field_name=field_path.split(".")[0],
    )


def _string(value: Any, struct: str, field_path: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _unmarshal_error(value, struct, field_path, "string")
    return _CONTROL.sub("", value)


def _string_list(value: Any, struct: str, field_path: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _unmarshal_error(value, struct, field_path, "[]string")
    return [_string(item, struct, field_path) for item in value]


def _requirement(entry: Any) -> ChartRequirement | None:
    if entry is None:
        return None
    if not isinstance(entry, dict):
        raise _unmarshal_error(entry, "Metadata", "dependencies", "chart.Dependency")
    values = {key: _string(entry.get(key), "Metadata", f"dependencies.{key}") for key in _REQUIREMENT_STRINGS}
    import_values = entry.get("import-values")
    if import_values is not None and not isinstance(import_values, list):
        raise _unmarshal_error(import_values, "Metadata", "dependencies.import-values", "[]interface {}")
    enabled = entry.get("enabled")
    if enabled is not None and not isinstance(enabled, bool):
        raise _unmarshal_error(enabled, "Metadata", "dependencies.enabled", "bool")
    return ChartRequirement(
        tags=_string_list(entry.get("tags"), "Metadata", "dependencies.tags"),
        enabled=bool(enabled),
        import_values=list(import_values or []),
        **values,
    )


def parse_metadata(data: Any, into: ChartMetadata | None = None) -> ChartMetadata:
    """Chart.yaml (already read like Helm: JSON shape) into metadata; raises ChartError for type errors."""
    metadata = into or ChartMetadata()
    if data is None:
        return metadata
    if not isinstance(data, dict):
        raise ChartError(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
            f"{_json_kind(data)} into Go value of type chart.Metadata"
        )
    for key, attribute in _STRING_FIELDS.items():
        if key in data:
            setattr(metadata, attribute, _string(data[key], "Metadata", key))
    for key, attribute in _STRING_LIST_FIELDS.items():
        if key in data:
            setattr(metadata, attribute, _string_list(data[key], "Metadata", key))
    if "deprecated" in data:
        if data["deprecated"] is not None and not isinstance(data["deprecated"], bool):
            raise _unmarshal_error(data["deprecated"], "Metadata", "deprecated", "bool")
        metadata.deprecated = bool(data["deprecated"])
    if "annotations" in data and data["annotations"] is not None:
        annotations = data["annotations"]
        if not isinstance(annotations, dict):
            raise _unmarshal_error(annotations, "Metadata", "annotations", "map[string]string")
        metadata.annotations = {str(k): _string(v, "Metadata", "annotations") for k, v in annotations.items()}
    if "maintainers" in data and data["maintainers"] is not None:
        maintainers = data["maintainers"]
        if not isinstance(maintainers, list):
            raise _unmarshal_error(maintainers, "Metadata", "maintainers", "[]*chart.Maintainer")
        metadata.maintainers = []
        for entry in maintainers:
            if entry is None:
                raise ChartError(
                    "validation: maintainers must not contain empty or null nodes", field_name="maintainers"
                )
            if not isinstance(entry, dict):
                raise _unmarshal_error(entry, "Metadata", "maintainers", "chart.Maintainer")
            metadata.maintainers.append(
                {
                    key: _string(entry.get(key), "Maintainer", key)
                    for key in ("name", "email", "url")
                    if entry.get(key) is not None
                }
            )
    if "dependencies" in data and data["dependencies"] is not None:
        entries = data["dependencies"]
        if not isinstance(entries, list):
            raise _unmarshal_error(entries, "Metadata", "dependencies", "[]*chart.Dependency")
        requirements: list[ChartRequirement] = []
        for entry in entries:
            requirement = _requirement(entry)
            if requirement is None:
                raise ChartError(
                    "validation: dependencies must not contain empty or null nodes", field_name="dependencies"
                )
            requirements.append(requirement)
        metadata.dependencies = requirements
    return metadata


def validate_metadata(metadata: ChartMetadata) -> None:
    """Helm's ``Metadata.Validate``, with its error texts (``validation: ...``)."""

    def fail(message: str, field_name: str) -> ChartError:
        return ChartError("validation: " + message, field_name=field_name)

    if not metadata.api_version:
        raise fail("chart.metadata.apiVersion is required", "apiVersion")
    if not metadata.name:
        raise fail("chart.metadata.name is required", "name")
    if metadata.name != posixpath.basename(metadata.name.replace("\\", "/")) or metadata.name in (".", ".."):
        raise fail(f'chart.metadata.name "{metadata.name}" is invalid', "name")
    if not metadata.version:
        raise fail("chart.metadata.version is required", "version")
    try:
        parse_version(metadata.version)
    except SemverError:
        raise fail(f'chart.metadata.version "{metadata.version}" is invalid', "version") from None
    if metadata.type not in ("", "application", "library"):
        raise fail("chart.metadata.type must be application or library", "type")
    seen: set[str] = set()
    for requirement in metadata.dependencies:
        if requirement.alias and not _ALIAS.match(requirement.alias):
            raise fail(
                f'dependency "{requirement.name}" has disallowed characters in the alias', "dependencies"
            )
        key = requirement.alias or requirement.name
        if key in seen:
            raise fail(f'more than one dependency with name or alias "{key}"', "dependencies")
        seen.add(key)


# --------------------------------------------------------------------------------------------------
# Charts


@dataclass(frozen=True)
class ChartSource:
    """Where a chart's files live, as repository-relative paths for findings.

    ``display`` is the chart directory, or the ``.tgz`` archive holding the chart (then every file of the
    chart is reported at the archive: an archive member is not a file a user can open).
    """

    display: str
    is_archive: bool = False
    directory: Path | None = None

    def file_path(self, name: str) -> str:
        if self.is_archive:
            return self.display
        return f"{self.display}/{name}" if self.display not in ("", ".") else name


@dataclass
class HelmChart:
    """A loaded chart: Helm's ``chart.Chart`` (metadata, values, templates, files, subcharts)."""

    metadata: ChartMetadata
    source: ChartSource
    values: dict[str, Any] = field(default_factory=dict)
    schema: bytes | None = None
    templates: list[tuple[str, str]] = field(default_factory=list)  # (templates/x.yaml, text)
    files: dict[str, bytes] = field(default_factory=dict)
    dependencies: list[HelmChart] = field(default_factory=list)
    parent: HelmChart | None = None
    warnings: list[str] = field(default_factory=list)
    chart_yaml: bytes = b""  # the raw Chart.yaml, to point findings at its keys

    @property
    def name(self) -> str:
        return self.metadata.name

    @property
    def is_root(self) -> bool:
        return self.parent is None

    @property
    def is_library(self) -> bool:
        return self.metadata.type == "library"

    def full_path(self) -> str:
        """Helm's ``ChartFullPath``: ``root/charts/sub/charts/subsub``, the prefix of template names."""
        if self.parent is None:
            return self.name
        return f"{self.parent.full_path()}/charts/{self.name}"

    def set_dependencies(self, charts: Iterable[HelmChart]) -> None:
        self.dependencies = []
        for chart in charts:
            chart.parent = self
            self.dependencies.append(chart)

    def renamed(self, name: str) -> HelmChart:
        """A copy under another name (Helm's alias handling), sharing templates and files."""
        metadata = self.metadata.copy()
        metadata.name = name
        clone = replace(self, metadata=metadata, dependencies=list(self.dependencies), parent=None)
        return clone

    def fresh_copy(self) -> HelmChart:
        """A copy whose metadata, dependency list and values may be changed by one render."""
        clone = replace(self, metadata=self.metadata.copy(), parent=None, warnings=list(self.warnings))
        clone.set_dependencies(dependency.fresh_copy() for dependency in self.dependencies)
        return clone

    def all_charts(self) -> Iterable[HelmChart]:
        yield self
        for dependency in self.dependencies:
            yield from dependency.all_charts()


# --------------------------------------------------------------------------------------------------
# Assembling a chart (pkg/chart/loader.LoadFiles)


def chart_yaml_line(chart_yaml: bytes, source: ChartSource, field_name: str | None) -> int:
    """The line of a top-level Chart.yaml key, for findings; 1 when unknown."""
    if not field_name or source.is_archive or not chart_yaml:
        return 1
    from medlint.source import SourceError, YamlMap, load_yaml_documents

    try:
        documents = load_yaml_documents(chart_yaml.decode("utf-8", "replace"))
    except SourceError:
        return 1
    if documents and isinstance(documents[0].value, YamlMap):
        span = documents[0].value.key_span(field_name)
        if span:
            return span[0]
    return 1


def dependency_line(chart_yaml: bytes, source: ChartSource, name: str) -> int:
    """The line of the ``dependencies:`` entry named ``name`` in Chart.yaml (of the key when not found)."""
    from medlint.source import SourceError, YamlList, YamlMap, load_yaml_documents

    if not source.is_archive and chart_yaml:
        try:
            documents = load_yaml_documents(chart_yaml.decode("utf-8", "replace"))
        except SourceError:
            documents = []
        meta = documents[0].value if documents else None
        entries = meta.get("dependencies") if isinstance(meta, YamlMap) else None
        if isinstance(entries, YamlList):
            for index, entry in enumerate(entries):
                if isinstance(entry, YamlMap) and entry.get("name") == name:
                    span = entries.item_span(index)
                    if span is not None:
                        return span[0]
    return chart_yaml_line(chart_yaml, source, "dependencies")


def _load_files(
    files: list[tuple[str, bytes]], source: ChartSource, budget: Budget, depth: int, warnings: list[str]
) -> HelmChart:
    by_name = dict(files)
    metadata: ChartMetadata | None = None
    chart = HelmChart(metadata=ChartMetadata(), source=source, warnings=warnings)
    subcharts: dict[str, list[tuple[str, bytes]]] = {}
    chart_yaml_path = source.file_path("Chart.yaml")

    def fail(error: ChartError, prefix: str, name: str) -> ChartError:
        path = source.file_path(name)
        line = (
            chart_yaml_line(by_name.get("Chart.yaml", b""), source, error.field_name)
            if name == "Chart.yaml"
            else error.line
        )
        return ChartError(prefix + error.message, path=path, line=line, field_name=error.field_name)

    requirements_text: bytes | None = None
    for name, data in files:
        if name == "Chart.yaml":
            try:
                text = data.decode("utf-8", "replace")
                check_yaml_aliases(text)
                metadata = parse_metadata(load_yaml_like_helm(text), metadata)
            except (FunctionError, ResourceLimitError) as error:
                raise ChartError(f"cannot load Chart.yaml: {error}", path=chart_yaml_path) from None
            except ChartError as error:
                raise fail(error, "cannot load Chart.yaml: ", name) from None
            if not metadata.api_version:
                metadata.api_version = "v1"
        elif name == "Chart.lock":
            continue
        elif name == "values.yaml":
            try:
                chart.values = load_values_text(data.decode("utf-8", "replace"))
            except ValuesError as error:
                raise ChartError(f"cannot load values.yaml: {error}", path=source.file_path(name)) from None
        elif name == "values.schema.json":
            chart.schema = data
        elif name == "requirements.yaml":
            requirements_text = data
        elif name == "requirements.lock":
            continue
        elif name.startswith("templates/"):
            chart.templates.append((name, data.decode("utf-8", "replace")))
        elif name.startswith("charts/"):
            if name.endswith(".prov"):
                chart.files[name] = data
                continue
            rest = name[len("charts/") :]
            subcharts.setdefault(rest.split("/", 1)[0], []).append((rest, data))
        else:
            chart.files[name] = data
    if metadata is None:
        raise ChartError("Chart.yaml file is missing", path=chart_yaml_path)
    if requirements_text is not None:
        try:
            document = load_yaml_like_helm(requirements_text.decode("utf-8", "replace"))
            if isinstance(document, dict) and "dependencies" in document:
                parse_metadata({"dependencies": document["dependencies"]}, metadata)
        except (FunctionError, ChartError) as error:
            raise ChartError(
                f"cannot load requirements.yaml: {error}", path=source.file_path("requirements.yaml")
            ) from None
        if metadata.api_version == "v1":
            chart.files["requirements.yaml"] = requirements_text
    chart.metadata = metadata
    chart.chart_yaml = by_name.get("Chart.yaml", b"")
    try:
        validate_metadata(metadata)
    except ChartError as error:
        raise fail(error, "", "Chart.yaml") from None
    if depth >= budget.limits.max_subchart_depth and subcharts:
        raise ChartError(
            f"subcharts nested more than {budget.limits.max_subchart_depth} levels deep", path=chart_yaml_path
        )
    loaded: list[HelmChart] = []
    for directory_name in sorted(subcharts):
        members = subcharts[directory_name]
        if directory_name[:1] in ("_", "."):
            continue
        sub_display = f"{source.display}/charts/{directory_name}" if not source.is_archive else source.display
        try:
            if directory_name.endswith(".tgz"):
                first_name, archive_data = members[0]
                if first_name != directory_name:
                    raise ChartError(
                        f"error unpacking subchart tar in {metadata.name}: expected "
                        f"{directory_name}, got {first_name}",
                        path=sub_display,
                    )
                sub_source = ChartSource(sub_display, is_archive=True)
                subchart = _load_files(
                    read_archive(archive_data, sub_display, budget), sub_source, budget, depth + 1, warnings
                )
            else:
                inner = [(member.split("/", 1)[1], data) for member, data in members if "/" in member]
                sub_source = ChartSource(
                    sub_display,
                    is_archive=source.is_archive,
                    directory=source.directory / "charts" / directory_name
                    if source.directory is not None
                    else None,
                )
                subchart = _load_files(inner, sub_source, budget, depth + 1, warnings)
        except ChartError as error:
            raise ChartError(
                f"error unpacking subchart {directory_name} in {metadata.name}: {error.message}",
                path=error.path or sub_display,
                line=error.line,
            ) from None
        loaded.append(subchart)
    chart.set_dependencies(loaded)
    return chart


def load_chart(
    path: Path, display: str, limits: LoadLimits = LoadLimits(), on_read: ReadObserver | None = None
) -> HelmChart:
    """Load a chart directory or ``.tgz`` archive; ``display`` is its repository-relative path. `on_read` is
    told the path and bytes of each file read.

    Raises :class:`ChartError` with Helm's message for anything Helm would refuse.
    """
    budget = Budget(limits)
    warnings: list[str] = []
    if path.is_dir():
        files = read_directory(path, display, budget, warnings, on_read)
        return _load_files(files, ChartSource(display, directory=path), budget, 0, warnings)
    data = read_archive_file(path, display, limits)
    if on_read is not None:
        on_read(display, data)
    return load_chart_bytes(data, display, limits)


def load_chart_bytes(data: bytes, display: str, limits: LoadLimits = LoadLimits()) -> HelmChart:
    """Load a chart from the bytes of a ``.tgz`` archive."""
    budget = Budget(limits)
    warnings: list[str] = []
    return _load_files(
        read_archive(data, display, budget), ChartSource(display, is_archive=True), budget, 0, warnings
    )


def check_installable(chart: HelmChart) -> None:
    """``CheckIfInstallable``: only application charts render on their own."""
    if chart.metadata.type not in ("", "application"):
        raise ChartError(
            f"{chart.metadata.type} charts are not installable",
            path=chart.source.file_path("Chart.yaml"),
            line=1,
        )


# --------------------------------------------------------------------------------------------------
# Dependencies that are not vendored


@dataclass(frozen=True)
class MissingDependency:
    """A Chart.yaml dependency found neither in ``charts/`` nor in a chart search path."""

    name: str
    version: str
    repository: str
    condition: str
    tags: tuple[str, ...]
    chart_yaml: str  # repository-relative Chart.yaml that declares it
    line: int

    def message(self) -> str:
        where = f" from {self.repository}" if self.repository else ""
        version = f" {self.version}" if self.version else ""
        return (
            f'dependency "{self.name}"{version}{where} is not vendored: it is found in Chart.yaml, but '
            "missing in the charts/ directory (Helm refuses to render the chart without it). Run "
            "`helm dependency build` in the chart directory to vendor it, or pass --chart-path DIR "
            "pointing to a directory that holds it"
        )


def missing_dependencies(chart: HelmChart) -> list[ChartRequirement]:
    """Helm's ``CheckDependencies``: requirements with no subchart of that name."""
    present = {dependency.name for dependency in chart.dependencies}
    return [req for req in chart.metadata.dependencies if req.name not in present]


def display_path(path: Path, root: Path) -> str:
    """A path as findings show it: relative to the scanned root (``..`` segments when outside it)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix() or "."
    except ValueError:
        return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()


def _candidates(name: str, search_dir: Path) -> Iterable[Path]:
    """Charts in a search directory that may be ``name``: DIR/name, DIR/name-*.tgz, DIR/*/ with that name."""
    if not search_dir.is_dir():
        return
    direct = search_dir / name
    if (direct / "Chart.yaml").is_file():
        yield direct
    yield from sorted(search_dir.glob(f"{glob_escape(name)}-*.tgz"))
    if (search_dir / "Chart.yaml").is_file():
        yield search_dir


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _chart_name_of(path: Path) -> str | None:
    """The name in a candidate's Chart.yaml (directories only; archives are loaded to be checked)."""
    try:
        data = read_bytes(path / "Chart.yaml", within=path, max_bytes=DEFAULT_LIMITS.max_file_bytes)
        document = load_yaml_like_helm(data.decode("utf-8", errors="replace"))
    except (OSError, SourceError, FunctionError):
        return None
    return (
        document.get("name") if isinstance(document, dict) and isinstance(document.get("name"), str) else None
    )


def resolve_dependencies(
    chart: HelmChart, chart_paths: Sequence[Path], root: Path, limits: LoadLimits = LoadLimits()
) -> list[MissingDependency]:
    """Add not-vendored dependencies found in ``file://`` repositories or ``chart_paths``; report the rest.

    Found charts become subcharts as if vendored (``<chart>/charts/<name>``), so template names match
    what Helm shows after ``helm dependency build``. Applies to subcharts too.
    """
    missing: list[MissingDependency] = []
    queue = list(chart.all_charts())
    while queue:
        current = queue.pop(0)
        for requirement in missing_dependencies(current):
            found = _find_dependency(current, requirement, chart_paths, root, limits, _ancestry(current))
            if found is not None:
                found.parent = current
                current.dependencies.append(found)
                queue.extend(found.all_charts())  # its own dependencies may be missing too
                continue
            line = dependency_line(current.chart_yaml, current.source, requirement.name)
            missing.append(
                MissingDependency(
                    requirement.name,
                    requirement.version,
                    requirement.repository,
                    requirement.condition,
                    tuple(requirement.tags),
                    current.source.file_path("Chart.yaml"),
                    line,
                )
            )
    return missing


def _ancestry(chart: HelmChart) -> list[tuple[str, Path]]:
    """(name, resolved directory) of a chart and the charts it was loaded for, nearest first."""
    chain: list[tuple[str, Path]] = []
    current: HelmChart | None = chart
    while current is not None:
        if current.source.directory is not None:
            chain.append((current.name, current.source.directory.resolve()))
        current = current.parent
    return chain


def _find_dependency(
    chart: HelmChart,
    requirement: ChartRequirement,
    chart_paths: Sequence[Path],
    root: Path,
    limits: LoadLimits,
    ancestry: Sequence[tuple[str, Path]] = (),
) -> HelmChart | None:
    """A not-vendored dependency from its ``file://`` repository or ``chart_paths``.

    A ``file://`` repository that leads back to the chart or to a chart it is a dependency of (a chart
    that depends on itself, two charts that depend on each other) is a cycle Helm would follow for ever:
    it raises ChartError at the dependency. Candidates from ``chart_paths`` that are such charts are
    passed over, as are chains deeper than ``limits.max_subchart_depth``.
    """
    places: list[Path] = []
    repository = requirement.repository
    ancestors = {directory: name for name, directory in ancestry}
    if len(ancestry) > limits.max_subchart_depth:
        raise ChartError(
            f"dependencies resolved from file:// repositories and --chart-path are nested more than "
            f"{limits.max_subchart_depth} levels deep at {requirement.name}",
            path=chart.source.file_path("Chart.yaml"),
            line=dependency_line(chart.chart_yaml, chart.source, requirement.name),
        )
    if repository.startswith("file://") and chart.source.directory is not None:
        target = (chart.source.directory / repository[len("file://") :]).resolve()
        allowed = [root.resolve(), *(path.resolve() for path in chart_paths)]
        if target in ancestors:
            names = [name for name, _ in reversed(ancestry)]
            cycle = " -> ".join([*names[names.index(ancestors[target]) :], ancestors[target]])
            raise ChartError(
                f'dependency "{requirement.name}" ({repository}) leads back to a chart that needs it '
                f"({cycle}): a dependency cycle, which Helm would follow for ever; remove it",
                path=chart.source.file_path("Chart.yaml"),
                line=dependency_line(chart.chart_yaml, chart.source, requirement.name),
            )
        if any(target == base or base in target.parents for base in allowed):
            places.append(target)
    fallback: HelmChart | None = None
    for search_dir in chart_paths:
        places.extend(
            place for place in _candidates(requirement.name, search_dir) if place.resolve() not in ancestors
        )
    for place in places:
        if place.is_dir() and _chart_name_of(place) != requirement.name:
            continue
        try:
            candidate = load_chart(place, display_path(place, root), limits)
        except ChartError as error:
            chart.warnings.append(
                f"{display_path(place, root)} could not be loaded as dependency "
                f'"{requirement.name}": {error.message}'
            )
            continue
        if candidate.name != requirement.name:
            continue
        if not requirement.version or is_compatible_range(requirement.version, candidate.metadata.version):
            return candidate
        if fallback is None:
            fallback = candidate
    if fallback is not None:
        chart.warnings.append(
            f'dependency "{requirement.name}" {requirement.version} not found; using version '
            f"{fallback.metadata.version} from {fallback.source.display}"
        )
    return fallback
