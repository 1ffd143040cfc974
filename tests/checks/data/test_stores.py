"""The data-store table: Redis persistence, and extra stores from the configuration (MD701, MD605)."""

from __future__ import annotations

import pytest

from medlint.checks.data.stores import redis_persistence_on
from tests.checks.conftest import LintRule


@pytest.mark.parametrize(
    "words, on",
    [
        (["redis-server", "--appendonly", "yes"], True),
        (["redis-server", "--save", "60", "1"], True),
        (["redis-server", "--save", ""], False),
        (["redis-server", "--save", "--appendonly", "no"], False),
        (["redis-server"], False),  # the image default is not counted as intent
    ],
)
def test_redis_persistence(words: list[str], on: bool) -> None:
    assert redis_persistence_on(words) is on


def test_extra_data_stores_extend_the_table(lint_rule: LintRule) -> None:
    compose = "services:\n  vault:\n    image: vendor/recordsdb:3\n    ports: ['7000:7000']\n"
    params = {
        "extra_data_stores": [
            {"name": "RecordsDB", "images": ["vendor/recordsdb*"], "data_paths": ["/var/lib/recordsdb"]}
        ]
    }
    assert lint_rule({"compose.yaml": compose}, "MD701") == []
    findings = lint_rule({"compose.yaml": compose}, "MD701", params)
    assert (
        len(findings) == 1
        and "RecordsDB" in findings[0].message
        and "/var/lib/recordsdb" in findings[0].message
    )
    assert [f.variant for f in lint_rule({"compose.yaml": compose}, "MD605", params)] == ["database-port"]
