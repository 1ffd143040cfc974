"""Declarations that satisfy or disable a check: the evidence behind a silent rule (catalog 3.7).

A rule that finds nothing because the configuration says "this is handled elsewhere" (a namespace managed
outside the bundle with its Pod Security level, a Secret provisioned by another pipeline, a backup taken by
the hospital's IT, a default certificate of the ingress controller) passes on the user's word. An auditor
must see that word: what was declared, where it is written, which rule it satisfies and for which system.
`declarations` lists them from a finished `Report`, from two places:

- the configuration: `external_secrets`, `external_config_maps`, `external_volume_claims` and `own_images`
  (top level or per `systems:` entry), and the rule parameters of the same nature (`DECLARING_PARAMS`),
  each at the line of its entry (exact in YAML; in `pyproject.toml`, the line of its key);
- Compose files: top-level `secrets`, `configs`, `volumes` and `networks` marked `external`, at the line of
  `external:`.

Only what the user wrote is listed, never a rule's defaults. Pure: it reads the `Report`, no file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from medlint.model import Node
from medlint.report.document import Report
from medlint.report.sanitize import clean


@dataclass(frozen=True, slots=True)
class Declaration:
    """One declaration: what is declared, where, which rules it satisfies or silences, for which system."""

    kind: str  # what sort of thing is declared ("external Secret", "externally managed namespace", ...)
    name: str  # what is declared (a name, a glob, a prefix, or the declared text)
    detail: str  # what else the declaration says ("enforce level restricted"), or ""
    rules: tuple[str, ...]
    path: str  # the file it is written in
    line: int | None  # its line there, when known
    system: str  # the system it applies to ("every system" for a rule parameter with several systems)
    source: str  # "configuration" or "compose"

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


#: The system settings that declare provisioning outside the scanned artifacts, with the rules they satisfy.
SYSTEM_SETTINGS = (
    ("external_secrets", "external Secret", ("MD307",)),
    ("external_config_maps", "external ConfigMap", ("MD307",)),
    ("external_volume_claims", "external PersistentVolumeClaim", ("MD307",)),
    # own images are no SOUP, so MD904 asks no SBOM entry for them (MD901 compares their tags: no exemption)
    ("own_images", "own image prefix (not SOUP)", ("MD904",)),
)


def _listed(value: Any) -> list[tuple[Any, str, str]]:
    """(key, name, detail) of each entry of a list parameter."""
    if not isinstance(value, (list, tuple)):
        return []
    return [(index, str(item), "") for index, item in enumerate(value)]


def _text(value: Any) -> list[tuple[Any, str, str]]:
    """A text parameter: declared when not empty; the text is what is declared."""
    return [(None, str(value), "")] if isinstance(value, str) and value.strip() else []


def _flag(name: str) -> Callable[[Any], list[tuple[Any, str, str]]]:
    """A boolean parameter that declares something when true."""
    return lambda value: [(None, name, "")] if value is True else []


def _not_cyber_device(value: Any) -> list[tuple[Any, str, str]]:
    return [(None, "cyber_device: false", "not a cyber device (FD&C Act 524B)")] if value is False else []


def _ci_labels(value: Any) -> list[tuple[Any, str, str]]:
    return [(None, "mode: ci", "CI adds the OCI labels at build time")] if value == "ci" else []


def _namespaces(value: Any) -> list[tuple[Any, str, str]]:
    if not isinstance(value, dict):
        return []
    return [(name, str(name), f"enforce level {level}") for name, level in value.items()]


#: Rule parameters that declare a concern handled outside the scanned files, or exempt what they name:
#: (rule, parameter, kind, how its value reads as entries (key for the line, name, detail)).
DECLARING_PARAMS: tuple[tuple[str, str, str, Callable[[Any], list[tuple[Any, str, str]]]], ...] = (
    ("MD112", "mode", "OCI labels added outside the Dockerfile", _ci_labels),
    ("MD116", "image_allowlist", "allowed image registry", _listed),
    ("MD116", "chart_repository_allowlist", "allowed chart repository", _listed),
    ("MD201", "nonroot_images", "image declared non-root", _listed),
    ("MD207", "allowed_host_paths", "allowed host path", _listed),
    ("MD214", "external_namespaces", "externally managed namespace", _namespaces),
    ("MD215", "declared_enforcement", "image-signature enforcement outside the bundle", _text),
    ("MD215", "cyber_device", "system classification", _not_cyber_device),
    ("MD602", "default_certificate", "default certificate of the ingress controller", _text),
    ("MD603", "tls_terminates_upstream", "TLS terminated upstream", _flag("tls_terminates_upstream: true")),
    ("MD603", "hsts_declared", "HSTS set outside the bundle", _flag("hsts_declared: true")),
    ("MD605", "external_services", "service published by design", _listed),
    ("MD702", "external_backups", "external backup", _listed),
    ("MD704", "log_shipping", "log shipping outside the bundle", _text),
    ("MD704", "log_retention", "log retention outside the bundle", _text),
    ("MD904", "cyber_device", "system classification", _not_cyber_device),
)

#: Compose top-level sections whose `external` entries are declared, with the rules they satisfy: an
#: external resource defines its name for the project's references (MD002), and an external secret is
#: declared external provisioning (MD307).
COMPOSE_SECTIONS = (
    ("secrets", "external Compose secret", ("MD002", "MD307")),
    ("configs", "external Compose config", ("MD002",)),
    ("volumes", "external Compose volume", ("MD002",)),
    ("networks", "external Compose network", ("MD002",)),
)

_TRUE_TEXTS = {"true", "yes", "y", "on"}


def declarations(report: Report) -> tuple[Declaration, ...]:
    """Every declaration of the run that satisfies or disables a check, in a stable order: the system
    settings (system by system, in the order written), the rule parameters (by rule), then the Compose files
    by path."""
    found = [*_system_declarations(report), *_parameter_declarations(report), *_compose_declarations(report)]
    return tuple(
        Declaration(
            kind=item.kind,
            name=clean(item.name),
            detail=clean(item.detail),
            rules=item.rules,
            path=clean(item.path),
            line=item.line,
            system=clean(item.system),
            source=item.source,
        )
        for item in found
    )


def _config_shown(report: Report) -> str:
    """The configuration file as reports show it: relative to the run's root when inside it (links resolved
    as the run resolved them), as the evidence report shows it in its header and waivers."""
    config = report.config
    written = report.config_path or (str(config.path) if config is not None and config.path else None)
    if not written:
        return "the configuration"
    for path, root in ((written, report.root), (os.path.realpath(written), os.path.realpath(report.root))):
        try:
            return PurePath(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
        except ValueError:
            continue
    return written


def _entry_index(config: Any, name: str) -> int | None:
    """The `systems:` entry a configured system comes from (its name, else `system-N`, as systems.py names it)."""
    for index, entry in enumerate(config.systems):
        if (entry.name or f"system-{index + 1}") == name:
            return index
    return None


def _system_declarations(report: Report) -> Iterator[Declaration]:
    config = report.config
    shown = _config_shown(report)
    for run in report.systems:
        system = run.system
        index = _entry_index(config, system.name) if config is not None and system.configured else None
        for setting, kind, rules in SYSTEM_SETTINGS:
            names = system.own_image_prefixes if setting == "own_images" else getattr(system, setting)
            prefix: tuple[Any, ...] = (setting,)
            if index is not None and getattr(config.systems[index], setting) is not None:
                prefix = ("systems", index, setting)
            for position, name in enumerate(names):
                line = config.line_of((*prefix, position)) if config is not None else None
                yield Declaration(kind, name, "", rules, shown, line, system.name, "configuration")


def _system_word(report: Report) -> str:
    names = [run.system.name for run in report.systems]
    return names[0] if len(names) == 1 else "every system"


def _parameter_declarations(report: Report) -> Iterator[Declaration]:
    config = report.config
    if config is None:
        return
    shown = _config_shown(report)
    system = _system_word(report)
    for rule_id, parameter, kind, entries in DECLARING_PARAMS:
        params = config.params.get(rule_id) or {}
        if parameter not in params:
            continue
        for key, name, detail in entries(params[parameter]):
            path: Sequence[Any] = ("rules", "params", rule_id, parameter)
            line = config.line_of(path if key is None else (*path, key))
            yield Declaration(kind, name, detail, (rule_id,), shown, line, system, "configuration")


def _is_external(node: Node) -> bool:
    """`external: true` (also as interpolated text), or the legacy `external: {name: ...}`."""
    if node.is_true or node.is_map:
        return True
    text = node.text
    return text is not None and text.strip().lower() in _TRUE_TEXTS


def _systems_of(report: Report, path: str) -> str:
    names = [
        run.system.name for run in report.systems if run.system.files is None or path in run.system.files
    ]
    return ", ".join(names)


def _compose_declarations(report: Report) -> Iterator[Declaration]:
    for compose in sorted(report.project.compose_projects, key=lambda item: item.path):
        if not report.reports_on(compose.path):
            continue
        system = _systems_of(report, compose.path)
        for section, kind, rules in COMPOSE_SECTIONS:
            for name, entry in compose.definition.get(section).items():
                external = entry.get("external")
                if not external.present or not _is_external(external):
                    continue
                real = entry.get("name").text or external.get("name").text
                detail = f"name {real}" if real and real != str(name) else ""
                location = external.key_location
                yield Declaration(
                    kind, str(name), detail, rules, location.path, location.line, system, "compose"
                )
