"""Helm version constraints (Masterminds/semver as Helm reads them), MD106 lock consistency and MD113 details."""

from __future__ import annotations

from typing import Any

import pytest

from medlint.checks.charts import (
    ConstraintError,
    chart_lock_present,
    chart_metadata,
    is_strict_semver,
    parse_constraint,
    parse_version,
)
from medlint.model import Project, SourceFile, ArtifactKind
from medlint.parsers.helm import parse_chart, parse_chart_lock


@pytest.mark.parametrize("constraint, version, allowed", [
    ("~1.2.3", "1.2.9", True), ("~1.2.3", "1.3.0", False), ("~1", "1.9.0", True),
    ("^1.2", "1.9.0", True), ("^1.2", "2.0.0", False), ("^0.2.3", "0.2.9", True), ("^0.2.3", "0.3.0", False),
    ("11.x.x", "11.9.13", True), ("11.x.x", "12.0.0", False), ("1.2", "1.2.7", True),
    (">=1.2.0 <2.0.0", "1.5.0", True), (">=1.2.0, <2.0.0", "2.0.0", False), (">= 1.2, < 1.4", "1.3.1", True),
    ("1.2 - 1.4.5", "1.4.5", True), ("1.2 - 1.4.5", "1.4.6", False),
    ("*", "3.4.5", True), ("1.2.3", "1.2.3", True), ("1.2.3", "1.2.4", False), ("v1.2.3", "1.2.3", True),
    ("!=1.2.x", "1.2.5", False), ("!=1.2.x", "1.3.0", True),
    ("1.x || 3.1.x", "3.1.2", True), ("1.x || 3.1.x", "2.0.0", False),
    (">1.2", "1.2.9", False), (">1.2", "1.3.0", True), ("<=1.2", "1.2.9", True), ("<=1.2", "1.3.0", False),
    ("~1.2.3", "1.2.4-beta.1", False), (">=1.2.3-0", "1.2.4-beta.1", True),
])
def test_constraints(constraint: str, version: str, allowed: bool) -> None:
    parsed = parse_version(version)
    assert parsed is not None
    assert parse_constraint(constraint).allows(parsed) is allowed


@pytest.mark.parametrize("constraint, minor", [
    (">=1.20.0 <1.25.0", (1, 24)), ("<=1.24.x", (1, 24)), ("~1.23.0", (1, 23)), ("1.24.x", (1, 24)),
    (">=1.16.0-0 <1.30.0-0", (1, 29)), ("<1.25.3", (1, 25)), (">=1.21.0-0 <1.28.0-0 || 1.29.x", (1, 29)),
    (">=1.19.0-0", None), ("^1.20", None),
])
def test_highest_minor(constraint: str, minor: tuple[int, int] | None) -> None:
    assert parse_constraint(constraint).highest_minor() == minor


def test_bad_constraints() -> None:
    for text in ("", "abc", ">=", "1.2.3.4"):
        with pytest.raises(ConstraintError):
            parse_constraint(text)


@pytest.mark.parametrize("text, strict", [
    ("1.2.3", True), ("1.2.3-rc.1+build.7", True), ("v1.2.3", False), ("1.2", False), ("01.2.3", False), ("1.2.3-01", False),
])
def test_strict_semver(text: str, strict: bool) -> None:
    assert is_strict_semver(text) is strict


CHART = """apiVersion: v2
name: api
version: 1.0.0
appVersion: "1.0.0"
dependencies:
  - name: redis
    version: "~17.3.0"
    repository: https://charts.example.com/
  - name: crds
    version: 0.1.0
"""


def lock_findings(lock_text: str | None) -> list[Any]:
    lock = parse_chart_lock("api/Chart.lock", lock_text) if lock_text is not None else None
    chart = parse_chart("api", "api/Chart.yaml", CHART, lock, "api/Chart.lock" if lock_text is not None else None)
    return list(chart_lock_present(Project(charts=(chart,)), {}))


def test_lock_in_sync_including_vendored_chart() -> None:
    lock = """dependencies:
- {name: redis, repository: "https://charts.example.com", version: 17.3.9}
- {name: crds, repository: "", version: 0.1.0}
"""
    assert lock_findings(lock) == []


def test_lock_missing_counts_fetched_dependencies() -> None:
    (finding,) = lock_findings(None)
    assert "1 dependency fetched from a repository" in finding.message and finding.location.line == 5


def test_lock_out_of_sync() -> None:
    lock = """dependencies:
- {name: redis, repository: "https://charts.example.org", version: 17.4.0}
"""
    found = lock_findings(lock)
    messages = sorted(f.message for f in found)
    assert len(found) == 3
    assert any("outside the declared constraint '~17.3.0'" in m for m in messages)
    assert any("charts.example.org in Chart.lock" in m for m in messages)
    assert any('"crds", but Chart.lock has no entry' in m for m in messages)


def metadata_findings(chart_yaml: str, with_schema: bool = True) -> list[tuple[str | None, int]]:
    chart = parse_chart("c", "c/Chart.yaml", chart_yaml)
    files = (SourceFile("c/values.schema.json", ArtifactKind.HELM, role="values.schema.json"),) if with_schema else ()
    return [(f.variant, f.location.line) for f in chart_metadata(Project(files=files, charts=(chart,)), {})]


def test_app_version_quoting() -> None:
    base = 'apiVersion: v2\nname: c\nversion: 1.0.0\nkubeVersion: ">=1.29.0-0"\n'
    assert metadata_findings(base + 'appVersion: "1.10"\n') == []
    assert metadata_findings(base + "appVersion: '1.10'\n") == []
    assert metadata_findings(base + "appVersion: !!str 1.10\n") == []
    assert metadata_findings(base + "appVersion: 1.10\n") == [("app-version", 5)]
    assert metadata_findings(base + "appVersion: 1.4.2  # plain\n") == [("app-version", 5)]
    assert metadata_findings(base + "appVersion: \"\"\n") == [("app-version", 1)]
    assert metadata_findings(base) == [("app-version", 1)]


def test_schema_and_platform_range() -> None:
    chart = 'apiVersion: v2\nname: c\nversion: 1.0.0\nappVersion: "1"\n'
    assert metadata_findings(chart, with_schema=False) == [("platform-range", 1), ("schema", 1)]
