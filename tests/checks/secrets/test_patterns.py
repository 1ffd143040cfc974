"""The secret-patterns data table (checks/secrets/patterns.py) and the rule files of the secrets rules."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from medlint.checks.secrets import patterns as secret_patterns
from medlint.checks.secrets.image import DEFAULT_SECRET_FILES
from medlint.rulepack import load_table
from tests.conftest import REPO_ROOT

MY_RULES = ("MD305", "MD306", "MD308", "MD402", "MD403", "MD404", "MD405")


def test_secret_patterns_table_is_valid_and_matches_the_former_defaults() -> None:
    schema = json.loads((REPO_ROOT / "schemas" / "table.schema.json").read_text(encoding="utf-8"))
    table = load_table("secret-patterns")
    jsonschema.Draft7Validator(schema).validate(table)
    patterns = secret_patterns.patterns_from_table(table)
    assert patterns == secret_patterns.BUILTIN_PATTERNS
    assert ".env" in DEFAULT_SECRET_FILES and "**/secrets/**" in patterns.repository_secret_files
    assert secret_patterns.is_secret_name("postgresPassword") and not secret_patterns.is_secret_name(
        "DB_PASSWORD_FILE"
    )
    assert not secret_patterns.is_secret_name("existingSecret")


def test_a_rule_can_receive_the_table_through_params() -> None:
    table = load_table("secret-patterns")
    assert (
        secret_patterns.patterns_for({"tables": {"secret-patterns": table}})
        == secret_patterns.BUILTIN_PATTERNS
    )
    # Undeclared parameters are not read: the words come from the table only (tests/test_rule_params.py).
    assert secret_patterns.params_pattern({"pointer_words": ["x"]})[1] != ("x",)


@pytest.mark.parametrize("rule_id", MY_RULES)
def test_rule_files_validate(rule_id: str) -> None:
    schema = json.loads((REPO_ROOT / "schemas" / "rule.schema.json").read_text(encoding="utf-8"))
    path = next((REPO_ROOT / "rules").glob(f"{rule_id}-*.yaml"))
    jsonschema.Draft7Validator(schema).validate(yaml.safe_load(path.read_text(encoding="utf-8")))
