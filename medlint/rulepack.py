"""Loading rule packs: the built-in `rules/` directory plus any user rule directories.

A rule is data (one YAML document per file); its logic is a named check function under `medlint.checks`.
The built-in pack is validated against `schemas/rule.schema.json` by the test suite, so a normal run does
not pay for importing jsonschema; user rule files are always validated, since nobody tested them.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medlint.model import ArtifactKind, Level

SAFETY_CLASSES = ("A", "B", "C")


class RulePackError(Exception):
    """An invalid rule file or rule directory. The CLI reports it and exits with code 2."""


def _package_data_dir(name: str) -> Path:
    """`rules/` or `schemas/`: inside the installed package, or at the top of a source checkout."""
    package_dir = Path(__file__).resolve().parent
    for candidate in (package_dir / name, package_dir.parent / name):
        if candidate.is_dir():
            return candidate
    raise RulePackError(f"medlint's {name}/ directory is missing; reinstall medlint")


def builtin_rules_dir() -> Path:
    return _package_data_dir("rules")


def schemas_dir() -> Path:
    return _package_data_dir("schemas")


@dataclass(frozen=True, slots=True)
class Reference:
    standard: str
    clause: str = ""
    edition: str = ""
    note: str = ""
    applies_to: tuple[str, ...] = ()

    def label(self) -> str:
        text = self.standard
        if self.edition:
            text += f" ({self.edition})"
        if self.clause:
            text += f" {self.clause}"
        return text


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the pack, as read from its YAML file."""

    id: str
    slug: str
    title: str
    group: str
    applies_to: tuple[ArtifactKind, ...]
    check: str
    level: Mapping[str, str]
    references: tuple[Reference, ...]
    rationale: str
    remediation: str
    security_severity: str
    tags: tuple[str, ...]
    source_file: str
    #: Parameter defaults, taken from the rule file's declarations (never from code).
    params: Mapping[str, Any] = field(default_factory=dict)
    #: Each parameter's declaration: a JSON-schema fragment with type, default and description.
    param_schemas: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    levels_by_artifact: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    variants: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    precision: str = "high"
    tables: tuple[str, ...] = ()
    conditions: Mapping[str, str] = field(default_factory=dict)
    edge_cases: str = ""
    #: Notes for maintainers (open points, decisions); never shown to users.
    maintainers: str = ""
    #: `medlint fix`: what the safe fix does ("safe") and what only --unsafe-fixes applies ("unsafe").
    fix: Mapping[str, str] = field(default_factory=dict)

    @property
    def fix_applicability(self) -> str:
        """ "safe", "unsafe", "safe, unsafe" or "" (no automatic fix), for listings."""
        return ", ".join(kind for kind in ("safe", "unsafe") if kind in self.fix)

    @property
    def sarif_name(self) -> str:
        return "".join(part.capitalize() for part in self.slug.split("-"))

    def level_for(
        self, safety_class: str, artifact: ArtifactKind | None = None, variant: str | None = None
    ) -> Level | None:
        """The level of a finding for a class; None when the rule (or sub-condition) is off."""
        table: Mapping[str, str] = self.level
        if artifact is not None and artifact.value in self.levels_by_artifact:
            table = self.levels_by_artifact[artifact.value]
        if variant is not None and variant in self.variants:
            table = self.variants[variant]["level"]
        value = table[safety_class]
        return None if value == "off" else Level(value)

    def max_level(self, safety_class: str) -> Level | None:
        """The highest level any sub-condition of the rule can reach in this class (None: fully off)."""
        tables = [
            self.level,
            *self.levels_by_artifact.values(),
            *(v["level"] for v in self.variants.values()),
        ]
        levels = [Level(t[safety_class]) for t in tables if t[safety_class] != "off"]
        return max(levels, key=lambda level: level.rank) if levels else None


@dataclass(frozen=True, slots=True)
class RulePack:
    version: str
    rules: tuple[Rule, ...]
    sources: tuple[str, ...]
    #: The data tables of the built-in pack, by name (rules/data/<name>.yaml), read once with the rules.
    tables: Mapping[str, Any] = field(default_factory=dict)

    def get(self, rule_id: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.id == rule_id), None)

    def table(self, name: str) -> Mapping[str, Any]:
        """A data table: its rows and its version. A rule naming a missing table is a rule-pack error."""
        table = self.tables.get(name)
        if not isinstance(table, Mapping) or not isinstance(table.get("rows"), list):
            raise RulePackError(
                f"data table '{name}' is missing or has no 'rows' list: expected rules/data/{name}.yaml"
            )
        return table


def load_table(name: str) -> Mapping[str, Any]:
    """One data table of the built-in pack, outside a run (module defaults, tests); read via the bundle."""
    builtin = builtin_rules_dir()
    table = _builtin_documents(builtin).get(f"data/{name}.yaml")
    if not isinstance(table, Mapping) or not isinstance(table.get("rows"), list):
        raise RulePackError(
            f"data table '{name}' is missing or has no 'rows' list: expected rules/data/{name}.yaml"
        )
    return table


def table_versions(pack: RulePack) -> dict[str, str]:
    """Version of every data table the pack's rules use, for the report's run properties."""
    names = sorted({name for rule in pack.rules for name in rule.tables})
    return {name: str(pack.table(name).get("version", "unknown")) for name in names if name in pack.tables}


def _rule_from_document(document: Mapping[str, Any], source_file: str) -> Rule:
    return Rule(
        id=document["id"],
        slug=document["slug"],
        title=document["title"],
        group=document["group"],
        applies_to=tuple(ArtifactKind(kind) for kind in document["applies_to"]),
        check=document["check"],
        level=dict(document["level"]),
        references=tuple(
            Reference(
                standard=ref["standard"],
                clause=str(ref.get("clause", "")),
                edition=str(ref.get("edition", "")),
                note=ref.get("note", ""),
                applies_to=tuple(ref.get("applies_to", ())),
            )
            for ref in document.get("references", ())
        ),
        rationale=" ".join(document["rationale"].split()),
        remediation=document["remediation"].strip(),
        security_severity=document["security_severity"],
        tags=tuple(document["tags"]),
        source_file=source_file,
        params={name: spec.get("default") for name, spec in (document.get("params") or {}).items()},
        param_schemas={name: dict(spec) for name, spec in (document.get("params") or {}).items()},
        levels_by_artifact={k: dict(v) for k, v in (document.get("levels_by_artifact") or {}).items()},
        variants={k: dict(v) for k, v in (document.get("variants") or {}).items()},
        precision=document.get("precision", "high"),
        tables=tuple(document.get("tables") or ()),
        conditions={
            key: " ".join(str(text).split()) for key, text in (document.get("conditions") or {}).items()
        },
        edge_cases=" ".join(str(document.get("edge_cases") or "").split()),
        maintainers=" ".join(str(document.get("maintainers") or "").split()),
        fix={key: " ".join(str(text).split()) for key, text in (document.get("fix") or {}).items()},
    )


def validate_rule_document(document: Any, source_file: str) -> None:
    """Validate one rule document against the schema; raise RulePackError naming the file and field."""
    import jsonschema  # imported lazily: only user rule files and tests pay for it

    schema = json.loads((schemas_dir() / "rule.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
    if errors:
        error = errors[0]
        where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
        raise RulePackError(f"{source_file}: invalid rule file: field '{where}': {error.message}")
    for name, spec in (document.get("params") or {}).items():
        fragment = {key: value for key, value in spec.items() if key not in ("default", "description")}
        problem = next(jsonschema.Draft7Validator(fragment).iter_errors(spec.get("default")), None)
        if problem is not None:
            raise RulePackError(
                f"{source_file}: invalid rule file: the default of parameter '{name}' does not match its "
                f"declared type: {problem.message}"
            )


def _read_rule_file(path: Path, directory: Path) -> Any:
    """A user's rule file, read through the bounded reader: a regular file inside its rule directory (a link
    out of it is refused, as a repository's rule directory may come from a stranger), at most the
    configuration size limit."""
    import yaml  # only for user rule files and a stale bundle: the built-in rules come from JSON

    from medlint.decoding import SourceError, decode_text
    from medlint.limits import DEFAULT_LIMITS
    from medlint.reader import read_bytes

    try:
        data = read_bytes(
            path,
            within=directory.resolve(),
            max_bytes=DEFAULT_LIMITS.max_config_bytes,
            limit_name="limits.max_config_bytes",
            within_name="its rule directory",
        )
        return yaml.load(decode_text(data), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except SourceError as err:
        raise RulePackError(f"{path}: cannot read rule file: {err.message}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise RulePackError(f"{path}: cannot read rule file: {err}") from None


BUNDLE_NAME = "_bundle.json"


def _builtin_sources(builtin: Path) -> list[Path]:
    """Rule files, then data tables (rules/data/*.yaml)."""
    return _listed(builtin, ".yaml") + _listed(builtin, ".yml") + _listed(builtin / "data", ".yaml")


def _listed(directory: Path, suffix: str) -> list[Path]:
    """`sorted(directory.glob("*" + suffix))`, sorting names (Path comparisons are slow enough to show in a
    one-file run, which lists the rule folder twice)."""
    try:
        names = sorted(name for name in os.listdir(directory) if name.endswith(suffix))
    except OSError:
        return []
    return [directory / name for name in names]


def _source_key(builtin: Path, path: Path) -> str:
    return path.relative_to(builtin).as_posix()


def _sources_digest(builtin: Path, paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(_source_key(builtin, path).encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def bundle_document(builtin: Path) -> dict[str, Any]:
    """The parsed built-in rule files as one JSON document, keyed by a digest of their exact content.

    Parsing ~60 YAML files costs more than the rest of a one-file pre-commit run; JSON parses in about a
    millisecond. The YAML files stay the source of truth: a stale bundle is ignored, never trusted.
    """
    sources = _builtin_sources(builtin)
    return {
        "digest": _sources_digest(builtin, sources),
        "documents": {_source_key(builtin, path): _read_rule_file(path, builtin) for path in sources},
    }


def _builtin_documents(builtin: Path) -> dict[str, Any]:
    """Every built-in YAML document by file name: from the bundle when it matches the files, else parsed."""
    sources = _builtin_sources(builtin)
    bundle_path = builtin / BUNDLE_NAME
    if bundle_path.is_file():
        try:
            bundle = json.loads(bundle_path.read_text(encoding="utf-8"))
            if bundle.get("digest") == _sources_digest(builtin, sources):
                return dict(bundle["documents"])
        except (OSError, ValueError, KeyError, TypeError):
            pass  # an unreadable bundle is only a missed shortcut
    return {_source_key(builtin, path): _read_rule_file(path, builtin) for path in sources}


def load_rule_pack(extra_dirs: tuple[str, ...] = (), validate_builtin: bool = False) -> RulePack:
    """Load the built-in rules and each extra directory; a later rule with the same id is an error."""
    builtin = builtin_rules_dir()
    directories: list[tuple[Path, bool]] = [(builtin, validate_builtin)]
    directories += [(Path(directory), True) for directory in extra_dirs]
    rules: dict[str, Rule] = {}
    builtin_documents = _builtin_documents(builtin)
    version = str((builtin_documents.get("pack.yaml") or {}).get("version", "unknown"))
    for directory, validate in directories:
        if not directory.is_dir():
            raise RulePackError(f"rule directory '{directory}' does not exist")
        is_builtin = directory == builtin
        for path in _listed(directory, ".yaml") + _listed(directory, ".yml"):
            if path.name == "pack.yaml" and is_builtin:
                continue
            document = builtin_documents[path.name] if is_builtin else _read_rule_file(path, directory)
            if isinstance(document, Mapping) and document.get("table"):
                continue  # a data table shipped beside the rules, not a rule
            display = f"rules/{path.name}" if is_builtin else os.path.relpath(path)
            if validate:
                validate_rule_document(document, display)
            rule = _rule_from_document(document, display)
            if rule.id in rules:
                raise RulePackError(
                    f"{display}: rule id {rule.id} is already defined in {rules[rule.id].source_file}"
                )
            rules[rule.id] = rule
    tables = {
        key[len("data/") : -len(".yaml")]: document
        for key, document in builtin_documents.items()
        if key.startswith("data/")
    }
    return RulePack(
        version=version,
        rules=tuple(sorted(rules.values(), key=lambda rule: rule.id)),
        sources=tuple(str(directory) for directory, _ in directories),
        tables=tables,
    )
