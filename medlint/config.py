"""Configuration: `.medlint.yaml` or `[tool.medlint]` in pyproject.toml, found by walking up from the
scanned path. It fails closed: a typo must never turn the gate green.

- The file is read with a size bound, decoded as UTF-8, and parsed with the artifacts' safe YAML loader
  (positions kept, alias bombs refused) or tomllib, with a nesting bound. Hostile input is a ConfigError.
- It is validated against `schemas/config.schema.json`; the `limits:` section's schema is generated from
  `medlint.limits.Limits`, and each rule's `params:` is validated against the declarations in its rule file.
- Unknown keys, rule ids and parameter names are errors, each with the nearest valid name.
- Every problem is reported at once, one per line, as `file:line: field: message`, in words.
- YAML and TOML dates are accepted wherever a date is meant.

A ConfigError means exit code 2.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medlint.engine import EngineSettings
from medlint.limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    from medlint.rulepack import RulePack

CONFIG_NAMES = (".medlint.yaml", ".medlint.yml")
#: A configuration file is a few kilobytes; anything this large is refused unread.
MAX_CONFIG_BYTES = 1024 * 1024
#: Deepest nesting a configuration can need is about six levels (rules.params.MD113.schema_content.key).
MAX_CONFIG_DEPTH = 32
#: Aliases may expand a configuration to at most this many YAML nodes.
MAX_CONFIG_NODES = 100_000


#: Configured systems of one run. Each is matched against every file and checked on its own, so a
#: repository's configuration of 15,000 systems kept medlint busy for minutes; real ones declare a few dozen.
MAX_SYSTEMS = 500


class ConfigError(Exception):
    """An invalid configuration file; the CLI prints it and exits with code 2."""


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One mistake in a configuration file, in words: where it is, which field, what is wrong."""

    line: int | None
    field: str
    message: str

    def render(self, path: Path | str) -> str:
        where = f"{path}:{self.line}" if self.line else str(path)
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


def display(path: Path) -> str:
    """The configuration's path as the user would write it: relative to the working folder when inside it."""
    import os

    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


def _raise(path: Path, problems: Sequence[ConfigProblem]) -> None:
    path = Path(display(path))
    ordered = sorted(problems, key=lambda p: (p.line or 0, p.field, p.message))
    unique = list(dict.fromkeys(problem.render(path) for problem in ordered))
    count = f"{len(unique)} problems" if len(unique) > 1 else "1 problem"
    raise ConfigError(f"invalid configuration ({count}):\n" + "\n".join(f"  {line}" for line in unique))


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
    line: int = 1  # where the waiver starts in the configuration file


@dataclass(frozen=True, slots=True)
class ChartValues:
    """`helm.values`: charts matching `chart_glob` are rendered once more with each of `value_sets`
    (each a tuple of values files merged in order, paths resolved against the configuration's folder)."""

    chart_glob: str
    value_sets: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class VersionGroupSettings:
    """`version_groups` entry: images (repository prefixes) and artifact path globs of one component."""

    name: str
    images: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SystemSettings:
    """The settings of the system rules, at the top level (defaults) or in one `systems:` entry, where
    None means "not set here". `paths` are globs relative to the configuration's folder."""

    name: str | None = None
    paths: tuple[str, ...] = ()
    safety_class: str | None = None
    own_images: tuple[str, ...] | None = None
    version_groups: tuple[VersionGroupSettings, ...] | None = None
    external_secrets: tuple[str, ...] | None = None
    external_config_maps: tuple[str, ...] | None = None
    external_volume_claims: tuple[str, ...] | None = None
    #: `sbom:` files as written (relative to the configuration's folder).
    sbom: tuple[str, ...] | None = None
    line: int = 1  # where the entry starts in the configuration file

    def over(self, defaults: SystemSettings) -> SystemSettings:
        """This entry's settings, each unset one taken from `defaults`."""
        return dataclasses.replace(
            self,
            safety_class=self.safety_class or defaults.safety_class,
            own_images=self.own_images if self.own_images is not None else defaults.own_images,
            version_groups=self.version_groups
            if self.version_groups is not None
            else defaults.version_groups,
            external_secrets=self.external_secrets
            if self.external_secrets is not None
            else defaults.external_secrets,
            external_config_maps=self.external_config_maps
            if self.external_config_maps is not None
            else defaults.external_config_maps,
            external_volume_claims=self.external_volume_claims
            if self.external_volume_claims is not None
            else defaults.external_volume_claims,
            sbom=self.sbom if self.sbom is not None else defaults.sbom,
        )


@dataclass(frozen=True, slots=True)
class Config:
    """The effective configuration; `path` is None when no file was found."""

    path: Path | None = None
    sha256: str | None = None  # of the file's bytes as read (the evidence report's scope)
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
    #: Budgets for this run (`limits:`), passed down the pipeline.
    limits: Limits = DEFAULT_LIMITS
    helm_values: tuple[ChartValues, ...] = ()
    #: `compose.projects`: Compose files merged in order (absolute paths, resolved against the config's folder).
    compose_projects: tuple[tuple[str, ...], ...] = ()
    helm_kube_version: str | None = None
    helm_api_versions: tuple[str, ...] = ()
    helm_namespace: str | None = None  # the release namespace charts are rendered for
    #: The system settings of the top level (`name`, `own_images`, ...): the default system's, and the
    #: defaults of every `systems:` entry.
    system: SystemSettings = SystemSettings()
    systems: tuple[SystemSettings, ...] = ()
    #: Where each field is written (`_Positions`), so a report can point at a declaration's line.
    positions: Any = field(default=None, compare=False, repr=False)

    @property
    def folder(self) -> Path | None:
        """The configuration's folder: what `systems` paths and `version_groups` paths are relative to."""
        return self.path.parent if self.path is not None else None

    def line_of(self, path: Sequence[Any]) -> int | None:
        """The line of a field (`("rules", "params", "MD214", "external_namespaces", "ns")`, list items by
        index): exact for YAML, the line of the last named key for TOML; None without a file."""
        return None if self.positions is None else self.positions.line(path)

    def engine_settings(self, today: datetime.date | None = None) -> EngineSettings:
        return EngineSettings(
            enabled=self.enabled,
            disabled=self.disabled,
            level_overrides=dict(self.levels),
            params=dict(self.params),
            today=today or self.today,
        )


# --------------------------------------------------------------------------------------------------
# Finding the file


def _read_bounded(path: Path, limit: int = MAX_CONFIG_BYTES) -> bytes:
    """At most `limit` bytes of a regular file, through the reader every file goes through; a larger or
    special file (FIFO, device, folder) is a ConfigError, refused without blocking or reading it whole."""
    from medlint.reader import ReadRefused, read_bytes

    try:
        return read_bytes(path, within=None, max_bytes=limit, limit_name="the configuration size limit")
    except ReadRefused as refusal:
        raise ConfigError(f"{display(path)}: the configuration was not read: {refusal.message}") from None
    except OSError as error:
        raise ConfigError(
            f"{display(path)}: cannot read the configuration: {error.strerror or error}"
        ) from None


def find_config(start: Path) -> Path | None:
    """The nearest .medlint.yaml, or pyproject.toml with a [tool.medlint] table, from `start` upwards."""
    directory = start if start.is_dir() else start.parent
    for candidate_dir in (directory, *directory.parents):
        for name in CONFIG_NAMES:
            if (candidate_dir / name).is_file():
                return candidate_dir / name
        pyproject = candidate_dir / "pyproject.toml"
        if pyproject.is_file() and b"[tool.medlint" in _read_bounded(pyproject):
            return pyproject
        if (candidate_dir / ".git").exists():
            break  # do not pick up a configuration from outside the repository
    return None


# --------------------------------------------------------------------------------------------------
# Reading


def _decode(path: Path, data: bytes) -> str:
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise ConfigError(f"{display(path)}:{line}: the configuration holds binary content (NUL byte)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ConfigError(
            f"{display(path)}:{line}: the configuration is not UTF-8 text (byte 0x{data[error.start]:02x}); "
            "save it as UTF-8"
        ) from None


def _depth_problem(value: Any, limit: int = MAX_CONFIG_DEPTH) -> bool:
    """Whether `value` nests deeper than `limit` (checked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(current, Mapping):
            stack.extend((item, depth + 1) for item in current.values())
        elif isinstance(current, list):
            stack.extend((item, depth + 1) for item in current)
    return False


def _read_yaml(path: Path, text: str) -> Any:
    from medlint.source import SourceError, load_yaml_documents

    try:
        documents = load_yaml_documents(text, max_expanded_nodes=MAX_CONFIG_NODES)
    except SourceError as error:
        raise ConfigError(f"{display(path)}:{error.line}: invalid YAML: {error.message}") from None
    if len(documents) > 1:
        raise ConfigError(f"{display(path)}:{documents[1].line}: the configuration must be one YAML document")
    return documents[0].value if documents else None


def _read_toml(path: Path, text: str) -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise ConfigError(f"{display(path)}: invalid TOML: nested deeper than medlint reads") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{display(path)}: invalid TOML: {error}") from None
    tool = data.get("tool", {})
    return tool.get("medlint", {}) if isinstance(tool, dict) else {}


def _dates_as_text(value: Any) -> Any:
    """TOML dates (and any other date objects) as YYYY-MM-DD, so a date is a date in either format."""
    if isinstance(value, datetime.datetime):
        return value  # a time of day is not a date; validation says so
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _dates_as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(item) for item in value]
    return value


class _Positions:
    """Lines of fields: exact for YAML (from the loader), best effort for TOML (by key name)."""

    def __init__(self, data: Any, text: str, is_toml: bool) -> None:
        self.data = data
        self.lines = text.splitlines()
        self.is_toml = is_toml

    def line(self, path: Sequence[Any]) -> int | None:
        if self.is_toml:
            return self._toml_line(path)
        from medlint.source import YamlList, YamlMap

        node, line = self.data, getattr(self.data, "line", None)
        for part in path:
            if isinstance(node, YamlMap) and part in node:
                span = node.key_span(part)
                line = span[0] if span else line
                node = node[part]
            elif isinstance(node, YamlList) and isinstance(part, int) and 0 <= part < len(node):
                item = node.item_span(part)
                line = item[0] if item else line
                node = node[part]
            else:
                break
        return line

    def _toml_line(self, path: Sequence[Any]) -> int | None:
        """The line of the last named key of `path` after the [tool.medlint] header (good enough to find it)."""
        start = next((i for i, text in enumerate(self.lines) if text.strip().startswith("[tool.medlint")), 0)
        names = [str(part) for part in path if not isinstance(part, int)]
        for name in reversed(names):
            for index in range(start, len(self.lines)):
                text = self.lines[index].strip()
                if text.startswith((f"{name} ", f"{name}=", f'"{name}"', f"[tool.medlint.{name}")) or (
                    text.startswith("[") and text.rstrip("]").endswith(f".{name}")
                ):
                    return index + 1
        return start + 1 if self.lines else None


# --------------------------------------------------------------------------------------------------
# Messages in words


def show(value: Any) -> str:
    """A configuration value as a user wrote it: no Python reprs."""
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 60 else f'"{value[:57]}..."'
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "a value"


_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}


def _type_words(kind: Any) -> str:
    kinds = kind if isinstance(kind, list) else [kind]
    return " or ".join(_TYPE_NAMES.get(str(k), str(k)) for k in kinds)


def suggestion(name: str, valid: Iterable[str]) -> str:
    """` (did you mean "x"?)` with the nearest valid name, or nothing when none is close."""
    import difflib  # only to suggest a name for a wrong one

    close = difflib.get_close_matches(str(name), sorted(set(valid)), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def field_name(path: Sequence[Any]) -> str:
    return ".".join(str(part) for part in path) or "(top level)"


def schema_problems(
    schema: Mapping[str, Any], data: Any, positions: _Positions, prefix: Sequence[Any] = ()
) -> list[ConfigProblem]:
    """Every jsonschema error of `data`, in words, at its line (none, without importing jsonschema, when the
    data surely conforms: medlint.conformance)."""
    from medlint.conformance import surely_valid

    if surely_valid(schema, data):
        return []
    import jsonschema

    problems: list[ConfigProblem] = []
    validator = jsonschema.Draft7Validator(schema)
    for error in validator.iter_errors(data):
        problems.extend(_in_words(error, positions, tuple(prefix)))
    return problems


def _in_words(error: Any, positions: _Positions, prefix: tuple[Any, ...]) -> Iterator[ConfigProblem]:
    if error.validator in ("anyOf", "oneOf") and error.context:
        # Report the alternative that got furthest, not the list of every alternative.
        best = max(error.context, key=lambda sub: (len(sub.absolute_path), sub.validator != "type"))
        if best.validator != "type" or len(best.absolute_path) > len(error.absolute_path):
            yield from _in_words(best, positions, prefix)
            return
    path = prefix + tuple(error.absolute_path)
    line = positions.line(path)
    instance, schema, kind = error.instance, error.schema, error.validator
    where = field_name(path)
    if kind == "additionalProperties" and isinstance(instance, Mapping):
        allowed = set(schema.get("properties", {}))
        for key in sorted(str(k) for k in instance if k not in allowed):
            detail = f"{where}.{key}" if path else key
            hint = suggestion(key, allowed) or (
                f" (valid: {', '.join(sorted(allowed))})" if 0 < len(allowed) <= 12 else ""
            )
            yield ConfigProblem(positions.line((*path, key)), detail, f"unknown key{hint}")
        return
    if kind == "required" and isinstance(instance, Mapping):
        for key in error.validator_value:
            if key not in instance:
                yield ConfigProblem(line, where, f'"{key}" is missing; it is required')
        return
    if kind == "propertyNames":
        sub = error.context[0] if error.context else None
        yield ConfigProblem(
            positions.line((*path, instance)),
            f"{where}.{instance}",
            f"{show(instance)} is not {sub.schema.get('message', 'a valid name') if sub else 'a valid name'}",
        )
        return
    if kind == "enum":
        choices = ", ".join(show(choice).strip('"') for choice in error.validator_value)
        message = f"must be one of {choices}, not {show(instance)}"
    elif kind in ("anyOf", "oneOf") and schema.get("message"):
        message = f"must be {schema['message']}, not {show(instance)}"
    elif kind == "type":
        expected = schema.get("message") or _type_words(error.validator_value)
        message = f"must be {expected}, not {show(instance)}"
    elif kind == "pattern":
        message = f"{show(instance)} is not {schema.get('message', 'in the expected form')}"
    elif kind in ("minItems", "minLength", "minProperties"):
        message = "must not be empty"
    elif kind in ("exclusiveMinimum",):
        message = f"must be greater than {error.validator_value}, not {show(instance)}"
    elif kind == "minimum":
        message = f"must be at least {error.validator_value}, not {show(instance)}"
    elif kind == "maximum":
        message = f"must be at most {error.validator_value}, not {show(instance)}"
    else:
        message = f"is not valid here ({kind})"
    yield ConfigProblem(line, where, message)


# --------------------------------------------------------------------------------------------------
# Schema


def limits_schema() -> dict[str, Any]:
    """The `limits:` section, generated from the Limits dataclass: every field, a positive number."""
    properties: dict[str, Any] = {}
    for item in dataclasses.fields(Limits):
        annotation = str(item.type)
        numeric = "integer" if annotation == "int" else "number"
        properties[item.name] = {"type": numeric, "exclusiveMinimum": 0}
    return {"type": "object", "additionalProperties": False, "properties": properties}


def config_schema() -> dict[str, Any]:
    from medlint.rulepack import schemas_dir

    schema: dict[str, Any] = json.loads((schemas_dir() / "config.schema.json").read_text(encoding="utf-8"))
    generated = limits_schema()
    schema["properties"]["limits"] = {**schema["properties"].get("limits", {}), **generated}
    return schema


# --------------------------------------------------------------------------------------------------
# Checks that need the rule pack


def rule_selector_problem(selector: str, pack: RulePack) -> str | None:
    """None when `selector` (a rule id, or an id prefix such as MD2) names at least one rule."""
    ids = [rule.id for rule in pack.rules]
    if any(rule_id == selector or rule_id.startswith(selector) for rule_id in ids):
        return None
    return f'unknown rule "{selector}"{suggestion(selector, ids)}; `medlint rules` lists them'


def expand_selectors(selectors: Iterable[str], pack: RulePack) -> frozenset[str]:
    """Rule ids named by selectors: exact ids, or prefixes (`MD2` = every MD2xx rule), case-insensitive."""
    wanted = [str(selector).upper() for selector in selectors]
    return frozenset(rule.id for rule in pack.rules if any(rule.id.startswith(w) for w in wanted))


_RULE_ID = re.compile(r"^[A-Z]{2,8}[0-9]{3,4}$")  # other keys get the schema's "not a rule id" message


def _date_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return None  # the schema already says it must be a date
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return f"{show(value)} is not a calendar date (YYYY-MM-DD)"
    return None


def _pack_problems(data: Mapping[str, Any], pack: RulePack, positions: _Positions) -> list[ConfigProblem]:
    """Unknown rule ids and parameter names, wrong parameter types, impossible dates."""
    problems: list[ConfigProblem] = []
    rules = data.get("rules")
    rules = rules if isinstance(rules, Mapping) else {}
    for key in ("enable", "disable"):
        items = rules.get(key)
        for index, selector in enumerate(items if isinstance(items, list) else []):
            problem = (
                rule_selector_problem(str(selector).upper(), pack) if isinstance(selector, str) else None
            )
            if problem:
                problems.append(ConfigProblem(positions.line(("rules", key, index)), f"rules.{key}", problem))
    for key in ("levels", "params"):
        table = rules.get(key)
        for rule_id in table if isinstance(table, Mapping) else {}:
            if isinstance(rule_id, str) and _RULE_ID.match(rule_id) and pack.get(rule_id) is None:
                problems.append(
                    ConfigProblem(
                        positions.line(("rules", key, rule_id)),
                        f"rules.{key}.{rule_id}",
                        f"unknown rule{suggestion(rule_id, [r.id for r in pack.rules])}",
                    )
                )
    params = rules.get("params")
    for rule_id, values in (params if isinstance(params, Mapping) else {}).items():
        rule = pack.get(rule_id) if isinstance(rule_id, str) else None
        if rule is None or not isinstance(values, Mapping):
            continue
        declared = dict(rule.param_schemas)
        if not declared:
            problems.append(
                ConfigProblem(
                    positions.line(("rules", "params", rule_id)),
                    f"rules.params.{rule_id}",
                    "this rule has no parameters",
                )
            )
            continue
        schema = {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                name: {k: v for k, v in spec.items() if k not in ("default", "description")}
                for name, spec in declared.items()
            },
        }
        problems += schema_problems(schema, values, positions, ("rules", "params", rule_id))
    waivers = data.get("waivers")
    for index, waiver in enumerate(waivers if isinstance(waivers, list) else []):
        if not isinstance(waiver, Mapping):
            continue
        listed = waiver.get("rules")
        for position, rule_id in enumerate(listed if isinstance(listed, list) else []):
            if isinstance(rule_id, str) and pack.get(rule_id) is None:
                problems.append(
                    ConfigProblem(
                        positions.line(("waivers", index, "rules", position)),
                        f"waivers.{index}.rules",
                        f'a waiver for unknown rule "{rule_id}"'
                        f"{suggestion(rule_id, [r.id for r in pack.rules])}",
                    )
                )
        problem = _date_problem(waiver.get("until"))
        if problem:
            problems.append(
                ConfigProblem(positions.line(("waivers", index, "until")), f"waivers.{index}.until", problem)
            )
    problem = _date_problem(data.get("today"))
    if problem:
        problems.append(ConfigProblem(positions.line(("today",)), "today", problem))
    systems = data.get("systems")
    if isinstance(systems, list) and len(systems) > MAX_SYSTEMS:
        problems.append(
            ConfigProblem(
                positions.line(("systems",)),
                "systems",
                f"{len(systems):,} systems are more than medlint checks in one run ({MAX_SYSTEMS:,}): each "
                "is matched against every file and checked on its own; group them, or run medlint per product",
            )
        )
        systems = []
    seen: set[str] = set()
    for index, entry in enumerate(systems if isinstance(systems, list) else []):
        name = entry.get("name") if isinstance(entry, Mapping) else None
        if isinstance(name, str) and name in seen:
            problems.append(
                ConfigProblem(
                    positions.line(("systems", index, "name")),
                    f"systems.{index}.name",
                    f'"{name}" names another system already; each system needs its own name',
                )
            )
        elif isinstance(name, str):
            seen.add(name)
    return problems


# --------------------------------------------------------------------------------------------------
# Loading


def _value_sets(entry: Any, base: Path) -> tuple[tuple[str, ...], ...]:
    """A chart's `helm.values` entry: a file, or a list whose items are files or lists of files.

    The configuration comes with the repository, so its values files must lie in the repository that holds
    it (the nearest folder with `.git`, else the configuration's folder), links resolved: `/etc/...` or
    `~/.docker/config.json` would otherwise be read as values and could reach findings through a template.
    A values file kept elsewhere is given with -f on the command line."""
    items = [entry] if isinstance(entry, str) else list(entry)
    boundary = _repository_folder(base)
    sets = []
    for item in items:
        files = [item] if isinstance(item, str) else list(item)
        resolved = tuple((base / name).resolve() for name in files)
        for name, path in zip(files, resolved):
            if path != boundary and boundary not in path.parents:
                raise ConfigError(
                    f"helm.values: {name} lies outside the repository of the configuration ({boundary}); "
                    "medlint reads no values file outside it from the configuration (give it with -f)"
                )
        sets.append(tuple(str(path) for path in resolved))
    return tuple(sets)


def _repository_folder(base: Path) -> Path:
    """The repository a configuration belongs to: the nearest folder with `.git` from its own, else its own."""
    folder = base.resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


def load_config(
    path: Path | None, extra_rules_dirs: tuple[str, ...] = (), pack: RulePack | None = None
) -> Config:
    """Read, validate and interpret a configuration file; raise ConfigError listing every problem.

    The rule pack (built-in rules plus the configuration's and `extra_rules_dirs`) is needed to check rule
    ids and parameters; it is loaded here unless given.
    """
    if path is None:
        return Config()
    is_toml = path.name == "pyproject.toml"
    data_read = _read_bounded(path)
    text = _decode(path, data_read)
    raw = _read_toml(path, text) if is_toml else _read_yaml(path, text)
    if raw is None:
        raw = {}
    if _depth_problem(raw):
        raise ConfigError(
            f"{display(path)}: the configuration is nested deeper than {MAX_CONFIG_DEPTH} levels"
        )
    data = _dates_as_text(raw) if is_toml else raw
    positions = _Positions(data, text, is_toml)
    problems = schema_problems(config_schema(), data, positions)
    if not isinstance(data, Mapping):
        _raise(path, problems)
    base = path.parent
    rules_dirs = tuple(
        str((base / directory).resolve())
        for directory in (data.get("rules_dirs") if isinstance(data.get("rules_dirs"), list) else [])
        if isinstance(directory, str)
    )
    boundary = _repository_folder(base)
    for directory in rules_dirs:  # the repository's configuration reads no rule files outside it
        if Path(directory) != boundary and boundary not in Path(directory).parents:
            raise ConfigError(
                f"{display(path)}: rules_dirs: {directory} lies outside the repository of the configuration "
                f"({boundary}); give a rule directory kept elsewhere with --rules-dir"
            )
    if pack is None:
        from medlint.rulepack import load_rule_pack

        pack = load_rule_pack(rules_dirs + tuple(extra_rules_dirs))
    problems += _pack_problems(data, pack, positions)
    if problems:
        _raise(path, problems)
    config = _interpret(path, data, rules_dirs, positions, pack)
    return dataclasses.replace(config, sha256=hashlib.sha256(data_read).hexdigest(), positions=positions)


def _interpret(
    path: Path, data: Mapping[str, Any], rules_dirs: tuple[str, ...], positions: _Positions, pack: RulePack
) -> Config:
    rules = data.get("rules", {})
    base = path.parent
    limits = data.get("limits") or {}
    helm = data.get("helm") or {}
    return Config(
        path=path,
        safety_class=str(data["safety_class"]).upper() if data.get("safety_class") else None,
        fail_on=str(data["fail_on"]).lower() if data.get("fail_on") else None,
        enabled=expand_selectors(rules.get("enable", ()), pack),
        disabled=expand_selectors(rules.get("disable", ()), pack),
        levels={rule: str(level).lower() for rule, level in rules.get("levels", {}).items()},
        params={rule: dict(values) for rule, values in rules.get("params", {}).items()},
        exclude=tuple(data.get("exclude", ())),
        rules_dirs=rules_dirs,
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
                line=positions.line(("waivers", index)) or 1,
            )
            for index, item in enumerate(data.get("waivers", ()))
        ),
        today=datetime.date.fromisoformat(data["today"]) if data.get("today") else None,
        sarif_automation_id=data.get("sarif", {}).get("automation_id", "medlint/"),
        limits=dataclasses.replace(DEFAULT_LIMITS, **dict(limits)),
        helm_values=tuple(
            ChartValues(str(glob), _value_sets(entry, base)) for glob, entry in helm.get("values", {}).items()
        ),
        helm_kube_version=helm.get("kube_version"),
        helm_api_versions=tuple(helm.get("api_versions", ())),
        compose_projects=tuple(
            tuple(str((base / name).resolve()) for name in files)
            for files in (data.get("compose") or {}).get("projects", ())
        ),
        helm_namespace=helm.get("namespace"),
        system=_system_settings(data, positions, ()),
        systems=tuple(
            _system_settings(entry, positions, ("systems", index))
            for index, entry in enumerate(data.get("systems", ()))
        ),
    )


def _strings(value: Any) -> tuple[str, ...] | None:
    return None if value is None else tuple(str(item) for item in value)


def _system_settings(data: Mapping[str, Any], positions: _Positions, path: tuple[Any, ...]) -> SystemSettings:
    """A `systems:` entry, or (with an empty path) the top level's system settings."""
    groups = data.get("version_groups")
    return SystemSettings(
        name=str(data["name"]) if data.get("name") else None,
        paths=tuple(str(item) for item in data.get("paths", ())),
        safety_class=str(data["safety_class"]).upper() if path and data.get("safety_class") else None,
        own_images=_strings(data.get("own_images")),
        version_groups=None
        if groups is None
        else tuple(
            VersionGroupSettings(
                str(group["name"]),
                tuple(str(item) for item in group.get("images", ())),
                tuple(str(item) for item in group.get("paths", ())),
            )
            for group in groups
        ),
        external_secrets=_strings(data.get("external_secrets")),
        external_config_maps=_strings(data.get("external_config_maps")),
        external_volume_claims=_strings(data.get("external_volume_claims")),
        sbom=_strings([data["sbom"]] if isinstance(data.get("sbom"), str) else data.get("sbom")),
        line=(positions.line(path) or 1) if path else 1,
    )


#: A namespace name: a DNS-1123 label (Kubernetes' rule for namespaces, which Helm enforces).
_NAMESPACE_NAME = re.compile(r"[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?")


def namespace_problem(name: str) -> str | None:
    """Why a release namespace is not a valid namespace name, or None."""
    if _NAMESPACE_NAME.fullmatch(name):
        return None
    return (
        f"'{name}' is not a valid namespace name: at most 63 lower-case letters, digits and '-', "
        "starting and ending with a letter or digit"
    )


STARTER = """\
# medlint configuration. Reference: docs/configuration.md; schema: schemas/config.schema.json.
# Unknown keys, rule ids and parameter names are errors (exit code 2), so a typo never passes silently.

# IEC 62304 software safety class of the system (A, B or C). Without it, medlint reads the
# regulatory.iec62304.class labels of the artifacts, and assumes C when there are none.
# safety_class: B

# Lowest level that fails the run (exit code 1): error, warning or note.
# fail_on: error

# The system these artifacts make up (one release), for the cross-artifact rules MD901-MD905 and MD307:
# its name (default: the one chart's name, else the folder's), the device's own images, and what is
# provisioned outside these files. Several products or overlays: `systems:`, each checked on its own.
# name: infusion-pump
# own_images: [registry.example.com/pump]
# external_secrets: [registry-credentials]
# The SOUP inventory kept for the system (`medlint sbom --merge soup.cdx.json -o soup.cdx.json` refreshes it);
# MD904 checks it lists every image the system deploys, with supplier, level and end of support:
# sbom: soup.cdx.json
# systems:
#   - name: pump-eu
#     paths: ["deploy/eu/**", "charts/pump", "Dockerfile"]
#     safety_class: C

# rules:
  # Only these rules run (default: all); a prefix such as MD2 selects a group:
  # enable: [MD201, MD303]
  # Rules that never run:
  # disable: [MD102]
  # Level overrides, whatever the class (error, warning, note, off):
  # levels:
  #   MD401: warning
  # Rule parameters (`medlint explain MDnnn` lists each rule's parameters and defaults):
  # params:
  #   MD110:
  #     kubernetes_labels: [regulatory.iec62304.class, regulatory.fda.class, app.kubernetes.io/version, regulatory.build]
  #   MD201:
  #     nonroot_images: ["gcr.io/distroless/*:nonroot"]

# Repository paths medlint does not read (globs; ** matches any number of folders):
# exclude: ["vendor/**", "**/test/fixtures/**"]

# Extra rule directories (your own rules, one YAML file per rule):
# rules_dirs: [compliance/rules]

# Compose: files merged into one project, as `docker compose -f base -f overlay` does (relative to this file).
# Without this, medlint merges compose.yaml with compose.override.yaml, and an overlay (compose.prod.yaml, a
# test file that extends the base) with the base beside it.
# compose:
#   projects:
#     - [deploy/compose.yaml, deploy/compose.site-a.yaml]

# Helm: values files each chart is also rendered with (a chart glob, then files relative to this file),
# and the release namespace (.Release.Namespace, as `helm template --namespace`):
# helm:
#   values:
#     "deploy/charts/*": [environments/site-a.yaml, environments/site-b.yaml]
#   namespace: device-prod

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
