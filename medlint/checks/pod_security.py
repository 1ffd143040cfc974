"""The Pod Security Standards in force at a policy version, read from rules/data/pod-security-standards.yaml.

MD204, MD209 and MD210 judge capabilities, seccomp profiles and the other pod fields against the same table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def parse_policy_version(text: Any) -> tuple[int, int] | None:
    """`v1.30`, `1.30` -> (1, 30); `latest` and anything else -> None."""
    parts = str(text).strip().lstrip("v").split(".")
    if len(parts) < 2 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    return int(parts[0]), int(parts[1])


@dataclass(frozen=True, slots=True)
class PodSecurityStandards:
    """The PSS allow-lists in force at one policy version, read from the data table."""

    version: tuple[int, int]
    values: Mapping[str, frozenset[str]]

    def allowed(self, field: str) -> frozenset[str]:
        return self.values.get(field, frozenset())

    def allows(self, field: str, value: str) -> bool:
        """Exact match, or a prefix pattern ending in `*` (`localhost/*`)."""
        return any(
            value == entry or (entry.endswith("*") and value.startswith(entry[:-1]))
            for entry in self.allowed(field)
        )

    def has_feature(self, name: str) -> bool:
        return name in self.allowed("policy-feature")

    @property
    def version_text(self) -> str:
        return f"v{self.version[0]}.{self.version[1]}"


def load_standards(params: Mapping[str, Any]) -> PodSecurityStandards:
    """The table rows active at `params["policy_version"]` (`latest` = the newest verified row)."""
    rows = [
        row
        for row in params["tables"]["pod-security-standards"]["rows"]
        if row.get("verified", True) is not False
    ]
    dated = [(parse_policy_version(row["since"]) or (1, 0), row) for row in rows]
    version = parse_policy_version(params.get("policy_version", "latest")) or max(since for since, _ in dated)
    values: dict[str, set[str]] = {}
    for since, row in dated:
        if since <= version:
            values.setdefault(str(row["field"]), set()).add(str(row["value"]))
    return PodSecurityStandards(version, {field: frozenset(found) for field, found in values.items()})
