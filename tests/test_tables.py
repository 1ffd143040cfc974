"""Data tables shipped with the rule pack (rules/data/*.yaml): valid against schemas/table.schema.json, every
row sourced and dated, and the facts the rule catalog lists as unverified kept inactive."""

from __future__ import annotations

import json

import jsonschema
import pytest

from medlint.checks.lifecycle import end_date
from medlint.rulepack import load_rule_pack, load_table
from tests.conftest import REPO_ROOT

DATA = REPO_ROOT / "rules" / "data"
SCHEMA = json.loads((REPO_ROOT / "schemas" / "table.schema.json").read_text(encoding="utf-8"))
TABLES = sorted(path.stem for path in DATA.glob("*.yaml"))


@pytest.mark.parametrize("name", TABLES)
def test_table_is_valid(name: str) -> None:
    table = load_table(name)
    jsonschema.Draft7Validator(SCHEMA).validate(table)
    assert table["table"] == name


def test_every_table_a_rule_names_exists() -> None:
    for rule in load_rule_pack().rules:
        for name in rule.tables:
            assert name in TABLES, f"{rule.id} reads data table '{name}', which rules/data lacks"


def test_end_of_support_rows() -> None:
    rows = load_table("end-of-support")["rows"]
    row_ids = [row["id"] for row in rows]
    assert len(row_ids) == len(set(row_ids)), "row ids must be unique"
    for row in rows:
        assert row.get("product") and row.get("cycle") and row.get("match"), row["id"]
        if row.get("end_of_support") is not None:
            assert end_date(row["end_of_support"]) is not None, f"{row['id']}: unreadable date"


def test_catalog_unverified_facts_stay_inactive() -> None:
    """Rule catalog section 6: Redis 6 and Python 3.8 dates, and the ingress-nginx retirement."""
    rows = {row["id"]: row for row in load_table("end-of-support")["rows"]}
    for row_id in ("python-3.8", "redis-6.0", "redis-6.2", "ingress-nginx"):
        assert rows[row_id]["verified"] is False, row_id


def test_catalog_initial_entries() -> None:
    rows = {row["id"]: row for row in load_table("end-of-support")["rows"]}
    assert rows["nodejs-16"]["end_of_support"] == "2023-09-11"
    assert rows["postgresql-13"]["end_of_support"] == "2025-11-13"
    assert rows["debian-11"]["end_of_support"] == "2026-08-31"
    assert "bullseye" in rows["debian-11"]["match"]["tag_markers"]


def test_deprecated_api_rows() -> None:
    rows = load_table("deprecated-apis")["rows"]
    seen: set[tuple[str, str]] = set()
    for row in rows:
        assert row["scope"] in ("kubernetes", "operator")
        assert row["kinds"] and row["api_version"]
        for kind in row["kinds"]:
            key = (row["api_version"], kind)
            assert key not in seen, f"{key} is listed twice"
            seen.add(key)
    for key in (
        ("extensions/v1beta1", "Ingress"),
        ("policy/v1beta1", "PodSecurityPolicy"),
        ("batch/v1beta1", "CronJob"),
        ("autoscaling/v2beta2", "HorizontalPodAutoscaler"),
        ("external-secrets.io/v1beta1", "ExternalSecret"),
        ("external-secrets.io/v1beta1", "SecretStore"),
        ("external-secrets.io/v1beta1", "ClusterSecretStore"),
    ):
        assert key in seen, key
