"""Configuration: `.medlint.yaml` or `[tool.medlint]` in pyproject.toml, found by walking up from the
scanned path, validated by schemas/config.schema.json. A mistake is a ConfigError: exit code 2 with a
message naming the file and the field."""

from __future__ import annotations

import datetime
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from medlint.engine import EngineSettings

CONFIG_NAMES = (".medlint.yaml", ".medlint.yml")


class ConfigError(Exception):
    """An invalid configuration file; the CLI prints it and exits with code 2."""


@dataclass(frozen=True, slots=True)
class ConfiguredWaiver:
    rules: tuple[str, ...]
    reason: str
    source: str  # the configuration file
    paths: tuple[str, ...] = ()
    selector: Mapping[str, str] = field(default_factory=dict)
    until: str | None = None
    owner: str | None = None
    risk: str | None = None


@dataclass(frozen=True, slots=True)
class Config:
    """The effective configuration; `path` is None when no file was found."""

    path: Path | None = None
    safety_class: str | None = None
    fail_on: str | None = None
    enabled: frozenset[str] = frozenset()
    disabled: frozenset[str] = frozenset()
    levels: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    rules_dirs: tuple[str, ...] = ()
    waivers: tuple[ConfiguredWaiver, ...] = ()
    today: datetime.date | None = None
    sarif_automation_id: str = "medlint/"

    def engine_settings(self, today: datetime.date | None = None) -> EngineSettings:
        return EngineSettings(
            enabled=self.enabled,
            disabled=self.disabled,
            level_overrides=dict(self.levels),
            params=dict(self.params),
            today=today or self.today,
        )


def find_config(start: Path) -> Path | None:
    """The nearest .medlint.yaml, or pyproject.toml with a [tool.medlint] table, from `start` upwards."""
    directory = start if start.is_dir() else start.parent
    for candidate_dir in (directory, *directory.parents):
        for name in CONFIG_NAMES:
            if (candidate_dir / name).is_file():
                return candidate_dir / name
        pyproject = candidate_dir / "pyproject.toml"
        if pyproject.is_file() and "[tool.medlint" in pyproject.read_text(encoding="utf-8", errors="replace"):
            return pyproject
        if (candidate_dir / ".git").exists():
            break  # do not pick up a configuration from outside the repository
    return None


def _read(path: Path) -> Any:
    try:
        if path.name == "pyproject.toml":
            if sys.version_info >= (3, 11):
                import tomllib
            else:  # pragma: no cover - exercised on Python 3.10
                import tomli as tomllib
            return tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get("medlint", {})
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read the configuration: {error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: invalid YAML: {getattr(error, 'problem', error)}") from None
    except ValueError as error:  # tomllib.TOMLDecodeError
        raise ConfigError(f"{path}: invalid TOML: {error}") from None


def _validate(data: Any, path: Path) -> None:
    import jsonschema

    from medlint.rulepack import schemas_dir

    schema = json.loads((schemas_dir() / "config.schema.json").read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        where = ".".join(str(part) for part in error.absolute_path) or "(top level)"
        raise ConfigError(f"{path}: invalid configuration at '{where}': {error.message}")


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    data = _read(path)
    _validate(data, path)
    rules = data.get("rules", {})
    base = path.parent
    return Config(
        path=path,
        safety_class=data.get("safety_class"),
        fail_on=data.get("fail_on"),
        enabled=frozenset(rules.get("enable", ())),
        disabled=frozenset(rules.get("disable", ())),
        levels=dict(rules.get("levels", {})),
        params={rule: dict(values) for rule, values in rules.get("params", {}).items()},
        exclude=tuple(data.get("exclude", ())),
        rules_dirs=tuple(str((base / directory).resolve()) for directory in data.get("rules_dirs", ())),
        waivers=tuple(
            ConfiguredWaiver(
                rules=tuple(item["rules"]),
                reason=item["reason"],
                source=path.name,
                paths=tuple(item.get("paths", ())),
                selector=dict(item.get("selector", {})),
                until=item.get("until"),
                owner=item.get("owner"),
                risk=item.get("risk"),
            )
            for item in data.get("waivers", ())
        ),
        today=datetime.date.fromisoformat(data["today"]) if data.get("today") else None,
        sarif_automation_id=data.get("sarif", {}).get("automation_id", "medlint/"),
    )


STARTER = """\
# medlint configuration. Reference: docs/configuration.md; schema: schemas/config.schema.json.

# IEC 62304 software safety class of the system (A, B or C). Without it, medlint reads the
# regulatory.iec62304.class labels of the artifacts, and assumes C when there are none.
# safety_class: B

# Lowest level that fails the run (exit code 1): error, warning or note.
# fail_on: error

# rules:
  # Only these rules run (default: all):
  # enable: [MD201, MD303]
  # Rules that never run:
  # disable: [MD102]
  # Level overrides, whatever the class (error, warning, note, off):
  # levels:
  #   MD401: warning
  # Rule parameters:
  # params:
  #   MD110:
  #     kubernetes_labels: [regulatory.iec62304.class, regulatory.fda.class, app.kubernetes.io/version, regulatory.build]
  #   MD201:
  #     nonroot_images: ["gcr.io/distroless/*:nonroot"]

# Repository paths medlint does not read (globs):
# exclude: ["vendor/*", "test/fixtures/*"]

# Extra rule directories (your own rules, one YAML file per rule):
# rules_dirs: [compliance/rules]

# Waivers: every waiver needs a reason; until, owner and risk are recommended.
# waivers:
#   - rules: [MD201]
#     paths: ["k8s/legacy-*.yaml"]
#     selector: {kind: Deployment, name: legacy-gateway, container: gateway}
#     reason: "Vendor image requires root; isolated by NetworkPolicy legacy-deny"
#     until: 2027-06-30
#     owner: qa@example.com
#     risk: RMF-12
"""
