"""medlint.conformance may say "surely valid" only where jsonschema agrees, and must say it for real configs."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from medlint.config import STARTER, config_schema
from medlint.conformance import surely_valid
from tests.conftest import REPO_ROOT

RULE_SCHEMA = json.loads((REPO_ROOT / "schemas" / "rule.schema.json").read_text(encoding="utf-8"))


def _configs() -> list[Any]:
    """Every configuration in the repository (the example's), the starter one and the examples of
    docs/configuration.md."""
    found = [yaml.safe_load(STARTER)]
    found += [yaml.safe_load(block) for block in _yaml_blocks(REPO_ROOT / "docs" / "configuration.md")]
    for path in sorted(REPO_ROOT.glob("**/.medlint.yaml")):
        if ".venv" not in path.parts and ".ci-venv" not in path.parts:
            found.append(yaml.safe_load(path.read_text(encoding="utf-8")))
    return [config for config in found if isinstance(config, dict)]


def _yaml_blocks(path: Path) -> list[str]:
    """The ```yaml blocks of a Markdown page that parse as a mapping."""
    blocks, current, inside = [], [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("```"):
            if inside:
                blocks.append("\n".join(current))
            inside, current = line.strip() == "```yaml", []
        elif inside:
            current.append(line)
    parsed = []
    for block in blocks:
        try:
            if isinstance(yaml.safe_load(block), dict):
                parsed.append(block)
        except yaml.YAMLError:
            continue
    return parsed


def _mutations(value: Any, generator: random.Random, count: int) -> list[Any]:
    """Copies of `value` with one part changed: removed, retyped, emptied or given an unknown key."""
    replacements: list[Any] = [None, True, 0, -1, 1.5, "", "x", "MD9999", [], {}, ["a"], {"unknown": 1}]
    paths: list[tuple[Any, ...]] = []

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        paths.append(path)
        if isinstance(node, dict):
            for key, child in node.items():
                walk(child, (*path, key))
        elif isinstance(node, list):
            for index, child in enumerate(node):
                walk(child, (*path, index))

    walk(value, ())
    mutated = []
    for _ in range(count):
        path = generator.choice(paths)
        clone = copy.deepcopy(value)
        if not path:
            mutated.append(generator.choice(replacements))
            continue
        parent = clone
        for part in path[:-1]:
            parent = parent[part]
        if isinstance(parent, dict) and generator.random() < 0.3:
            del parent[path[-1]]
        elif isinstance(parent, dict) and generator.random() < 0.2:
            parent["not_a_key"] = generator.choice(replacements)
        else:
            parent[path[-1]] = generator.choice(replacements)
        mutated.append(clone)
    return mutated


def _jsonschema_valid(schema: dict[str, Any], data: Any) -> bool:
    return not list(jsonschema.Draft7Validator(schema).iter_errors(data))


def test_real_configurations_are_surely_valid() -> None:
    valid = [config for config in _configs() if _jsonschema_valid(config_schema(), config)]
    assert len(valid) >= 2, "the example's and the documented configurations"
    for config in valid:
        assert surely_valid(config_schema(), config), config


@pytest.mark.parametrize("seed", range(4))
def test_surely_valid_only_where_jsonschema_agrees_on_configurations(seed: int) -> None:
    generator = random.Random(seed)
    schema = config_schema()
    for config in _configs():
        for variant in _mutations(config, generator, 150):
            if surely_valid(schema, variant):
                assert _jsonschema_valid(schema, variant), variant


@pytest.mark.parametrize("seed", range(2))
def test_surely_valid_only_where_jsonschema_agrees_on_rule_files(seed: int) -> None:
    generator = random.Random(seed)
    rules = sorted(Path(REPO_ROOT / "rules").glob("MD*.yaml"))
    for path in generator.sample(rules, 10):
        rule = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert surely_valid(RULE_SCHEMA, rule), path.name  # the built-in rules are valid, and known to be
        for variant in _mutations(rule, generator, 60):
            if surely_valid(RULE_SCHEMA, variant):
                assert _jsonschema_valid(RULE_SCHEMA, variant), (path.name, variant)


def test_what_it_does_not_know_is_left_to_jsonschema() -> None:
    assert not surely_valid({"type": "object", "patternProperties": {"^a": {}}}, {"a": 1})
    assert not surely_valid({"$ref": "http://example.com/schema"}, {})
    assert not surely_valid({"type": "integer"}, 1.0)  # Draft 7 counts 1.0 as an integer; jsonschema decides
    assert not surely_valid({"type": "object"}, {1: "a key that is not a string"})
    assert surely_valid({"type": ["string", "null"], "minLength": 2}, None)
    assert not surely_valid({"enum": ["a", 1]}, True)
    assert surely_valid({"enum": ["a", 1]}, 1)
