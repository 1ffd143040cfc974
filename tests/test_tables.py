"""Data tables shipped with the rule pack (rules/data/*.yaml): valid against schemas/table.schema.json, every
row sourced and dated, and the facts the rule catalog lists as unverified kept inactive."""

from __future__ import annotations

import json

import jsonschema
import pytest

from medlint.model.support import end_date
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


def test_package_manager_rows_agree_with_the_command_grammar() -> None:
    """Every manager the grammar reads has a row (and the reverse), in the grammar's family; every option the
    rules ask for is one the row accepts; cleanups and cache folders are what the rules can recognise."""
    import re

    from medlint.model.package_managers import OS_PACKAGE_MANAGERS, package_manager_call

    rows = {row["program"]: row for row in load_table("package-managers")["rows"]}
    assert set(rows) == set(OS_PACKAGE_MANAGERS)
    for program, row in rows.items():
        assert row["family"] == OS_PACKAGE_MANAGERS[program], program
        accepted = [re.compile(pattern, re.IGNORECASE) for pattern in row["no_recommends"]]
        assert bool(row["no_recommends_option"]) == bool(accepted), program
        if row["no_recommends_option"]:
            assert any(pattern.fullmatch(row["no_recommends_option"]) for pattern in accepted), program
        assert bool(row["no_cache_option"]) == bool(row["no_cache"]), program
        if row["no_cache_option"]:
            assert row["no_cache_option"] in row["no_cache"], program
        assert all(path.startswith("/") for path in row["index_paths"]), program
        if row["recommends_config"]:
            re.compile(row["recommends_config"])
        if row["clean_after"]:
            assert row["clean_command"], f"{program}: MD801 asks for a cleanup it cannot name"
            words = tuple(row["clean_command"].split())
            call = package_manager_call(words)
            own = call is not None and any(
                (call.verb, *call.arguments)[: len(command.split())] == tuple(command.split())
                for command in row["clean"]
            )
            assert own or words[:2] == ("rm", "-rf"), program
        assert set(row["clean_after"]) <= {"install", "upgrade"}, program


def test_data_store_rows() -> None:
    """Every row names images and absolute data directories; version ranges do not overlap; the PostgreSQL
    official image moved its data directory in 18 (docker-library/postgres#1259)."""
    import itertools
    import re

    from medlint.checks.data.stores import data_store_table
    from medlint.model.images import parse_image_reference
    from medlint.source import Location

    rows = load_table("data-stores")["rows"]
    for row in rows:
        assert row["name"] and row["images"], row
        if row.get("version"):
            assert re.compile(row["version"]).groups == 1, row["name"]
        ranges = []
        for entry in row["data_paths"]:
            assert entry["paths"] and all(path.startswith("/") for path in entry["paths"]), row["name"]
            ranges.append((entry.get("from", 0), entry.get("until", 10**6)))
        ranges.sort()
        assert all(low2 > high1 for (_, high1), (low2, _) in itertools.pairwise(ranges)), row["name"]
    stores = data_store_table({"tables": {"data-stores": load_table("data-stores")}})

    def paths(image: str) -> tuple[str, ...]:
        reference = parse_image_reference(image, Location("x"))
        store = next(
            s
            for s in stores
            if any(re.fullmatch(p.replace("*", ".*"), reference.repository) for p in s.images)
        )
        return store.paths_for(store.major_of(reference))

    assert paths("postgres:17.6") == ("/var/lib/postgresql/data",)
    assert paths("postgres:18.1-alpine") == ("/var/lib/postgresql/18/docker",)
    assert paths("postgres:19") == ("/var/lib/postgresql/19/docker",)
    assert paths("postgres:latest") == ("/var/lib/postgresql/<major>/docker", "/var/lib/postgresql/data")
    assert paths("timescale/timescaledb:2.22.0-pg18") == ("/var/lib/postgresql/18/docker",)
    assert paths("influxdb:2.7") == ("/var/lib/influxdb2",)
    assert paths("influxdb:1.11") == ("/var/lib/influxdb",)
