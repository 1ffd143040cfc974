"""MD702: declared external backups and the recovery point objective."""

from __future__ import annotations

from tests.checks.conftest import LintRule


def test_external_backups_and_rpo(lint_rule: LintRule) -> None:
    compose = "services:\n  db:\n    image: postgres:16\n    volumes: ['data:/var/lib/postgresql/data']\nvolumes:\n  data:\n"
    assert [f.level.value for f in lint_rule({"compose.yaml": compose}, "MD702", safety_class="A")] == [
        "warning"
    ]
    assert lint_rule({"compose.yaml": compose}, "MD702", {"external_backups": ["db"]}) == []
