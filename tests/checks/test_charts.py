"""MD106 lock consistency, Helm's lock digest and vendored sub-charts, and MD113 details including the
schema-content heuristic."""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from pathlib import Path
from typing import Any

import pytest

from medlint.checks.charts import chart_lock_present, chart_metadata, helm_lock_digests, is_strict_semver
from medlint.discover import discover
from medlint.loader import load_project
from medlint.model import ArtifactKind, Project, SourceFile
from medlint.parsers.helm import (
    archive_chart_yaml,
    parse_chart,
    parse_chart_lock,
    parse_values,
    parse_values_schema,
    read_chart_lock,
)
from medlint.source import SourceError, load_yaml_documents
from tests.conftest import CORPUS


@pytest.mark.parametrize(
    "text, strict",
    [
        ("1.2.3", True),
        ("1.2.3-rc.1+build.7", True),
        ("v1.2.3", False),
        ("1.2", False),
        ("01.2.3", False),
        ("1.2.3-01", False),
    ],
)
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
    chart = parse_chart(
        "api", "api/Chart.yaml", CHART, lock, "api/Chart.lock" if lock_text is not None else None
    )
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
    files = (
        (SourceFile("c/values.schema.json", ArtifactKind.HELM, role="values.schema.json"),)
        if with_schema
        else ()
    )
    return [(f.variant, f.location.line) for f in chart_metadata(Project(files=files, charts=(chart,)), {})]


def test_app_version_quoting() -> None:
    base = 'apiVersion: v2\nname: c\nversion: 1.0.0\nkubeVersion: ">=1.29.0-0"\n'
    assert metadata_findings(base + 'appVersion: "1.10"\n') == []
    assert metadata_findings(base + "appVersion: '1.10'\n") == []
    assert metadata_findings(base + "appVersion: !!str 1.10\n") == []
    assert metadata_findings(base + "appVersion: 1.10\n") == [("app-version", 5)]
    assert metadata_findings(base + "appVersion: 1.4.2  # plain\n") == [("app-version", 5)]
    assert metadata_findings(base + 'appVersion: ""\n') == [("app-version", 1)]
    assert metadata_findings(base) == [("app-version", 1)]


def test_schema_and_platform_range() -> None:
    chart = 'apiVersion: v2\nname: c\nversion: 1.0.0\nappVersion: "1"\n'
    assert metadata_findings(chart, with_schema=False) == [("platform-range", 1), ("schema", 1)]


# --------------------------------------------------------------------------------------------------
# MD106: Helm's Chart.lock digest, vendored sub-charts

CORPUS_HELM = CORPUS / "helm"


def test_lock_digest_reproduces_helms_own_test_vector() -> None:
    # helm internal/resolver TestHashReq: the expected digest for alpine 0.1.0 on both sides
    entry = {"name": "alpine", "version": "0.1.0", "repository": "http://localhost:8879/charts"}
    assert helm_lock_digests([entry], [entry]) == (
        "sha256:fb239e836325c5fa14b29d1540a13b7d3ba13151b67fe719f820e0ef6d66aaaf",
    )
    ranged = dict(entry, version="^0.1.0")
    assert helm_lock_digests([ranged], [entry]) != helm_lock_digests([entry], [entry])


def test_lock_digest_follows_go_json_encoding() -> None:
    declared = [
        {
            "alias": "b",
            "import-values": ["d", {"parent": "p", "child": "c"}],
            "tags": ["t"],
            "enabled": True,
            "condition": "a.enabled",
            "repository": "https://x",
            "version": ">=1.0.0 <2.0.0",
            "name": "a",
            "unknown": "ignored",
        }
    ]
    locked = [{"name": "a", "version": "1.2.3", "repository": "https://x", "condition": "", "enabled": False}]
    # struct field order, omitempty, Go's HTML escaping of < > &, map keys sorted, unknown keys dropped
    expected = (
        '[[{"name":"a","version":"\\u003e=1.0.0 \\u003c2.0.0","repository":"https://x","condition":"a.enabled",'
        '"tags":["t"],"enabled":true,"import-values":["d",{"child":"c","parent":"p"}],"alias":"b"}],'
        '[{"name":"a","version":"1.2.3","repository":"https://x"}]]'
    )
    assert helm_lock_digests(declared, locked) == ("sha256:" + hashlib.sha256(expected.encode()).hexdigest(),)
    # repository has no omitempty; a null is Go's zero value; keys match case-insensitively
    assert helm_lock_digests([{"Name": "a", "repository": None}], []) == (
        "sha256:" + hashlib.sha256(b'[[{"name":"a","repository":""}],[]]').hexdigest(),
    )


def test_lock_digest_helm2_hash_for_v1_charts_and_unverifiable_values() -> None:
    entry = {"name": "a", "version": "1.0.0", "repository": "https://x"}
    digests = helm_lock_digests([entry], [entry], "v1")
    assert digests is not None and len(digests) == 2
    assert (
        digests[1]
        == "sha256:"
        + hashlib.sha256(
            b'{"dependencies":[{"name":"a","version":"1.0.0","repository":"https://x"}]}'
        ).hexdigest()
    )
    assert helm_lock_digests([dict(entry, version=1.1)], [entry]) is None  # Go would format the float itself
    assert helm_lock_digests([dict(entry, **{"export-values": ["x"]})], [entry]) is None
    assert helm_lock_digests(["not a mapping"], [entry]) is None


def _consistent_corpus_locks() -> list[Path]:
    locks = []
    for lock in sorted(CORPUS_HELM.rglob("Chart.lock")):
        chart_text = (lock.parent / "Chart.yaml").read_text(encoding="utf-8")
        parsed = read_chart_lock("Chart.lock", lock.read_text(encoding="utf-8"))
        chart = parse_chart("c", "Chart.yaml", chart_text, parsed.entries, "Chart.lock")
        if chart.dependencies and not list(chart_lock_present(Project(charts=(chart,)), {})):
            locks.append(lock)  # Chart.yaml and Chart.lock agree on names, repositories and versions
    return locks


@pytest.mark.skipif(not CORPUS_HELM.is_dir(), reason="../shared/corpus/helm is not present")
def test_lock_digest_equals_every_digest_helm_recorded_in_the_corpus() -> None:
    locks = _consistent_corpus_locks()
    assert len(locks) >= 20
    for lock in locks:
        chart = load_yaml_documents((lock.parent / "Chart.yaml").read_text(encoding="utf-8"))[0].value
        recorded = load_yaml_documents(lock.read_text(encoding="utf-8"))[0].value
        digests = helm_lock_digests(chart["dependencies"], recorded["dependencies"], chart.get("apiVersion"))
        assert digests is not None and recorded["digest"] in digests, lock


def _tgz(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return gzip.compress(raw.getvalue(), mtime=0)


def _file(name: str, text: str) -> tuple[tarfile.TarInfo, bytes]:
    return tarfile.TarInfo(name), text.encode()


def _link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, None


def test_archive_chart_yaml_skips_unsafe_members_and_links() -> None:
    data = _tgz(
        [
            _file("/etc/Chart.yaml", "name: absolute"),
            _file("../Chart.yaml", "name: parent"),
            _file("redis/../Chart.yaml", "name: dotdot"),
            _link("redis/Chart.yaml", "/etc/passwd"),
            _link("redis/Chart.yaml", "redis/values.yaml", tarfile.LNKTYPE),
            _file("redis/charts/common/Chart.yaml", "name: common"),
            _file("redis/Chart.yaml", "apiVersion: v2\nname: redis\nversion: 17.3.4\n"),
        ]
    )
    assert "version: 17.3.4" in archive_chart_yaml(data)


def test_archive_chart_yaml_refuses_damaged_and_empty_archives() -> None:
    for data, reason in (
        (b"not an archive", "not a gzip-compressed tar archive"),
        (_tgz([_file("redis/values.yaml", "a: 1")]), "no <chart>/Chart.yaml"),
        (_tgz([_file("redis/Chart.yaml", "name: redis\n")])[:40], ""),
    ):
        with pytest.raises(SourceError) as error:
            archive_chart_yaml(data)
        assert reason in error.value.message


def test_archive_chart_yaml_stops_after_the_member_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    import medlint.parsers.helm as helm_parser

    monkeypatch.setattr(helm_parser, "ARCHIVE_MAX_MEMBERS", 3)
    data = _tgz(
        [_file(f"redis/templates/t{index}.yaml", "") for index in range(5)]
        + [_file("redis/Chart.yaml", "name: redis")]
    )
    with pytest.raises(SourceError) as error:
        archive_chart_yaml(data)
    assert "within the first 3 members" in error.value.message


VENDORING_CHART = """apiVersion: v2
name: api
version: 1.0.0
dependencies:
  - name: redis
    version: "17.3.4"
    repository: https://charts.example.com
"""


def _vendoring_project(tmp_path: Path, archives: dict[str, bytes], lock: str | None) -> list[Any]:
    chart = tmp_path / "api"
    (chart / "charts").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(VENDORING_CHART)
    if lock is not None:
        (chart / "Chart.lock").write_text(lock)
    for name, data in archives.items():
        (chart / "charts" / name).write_bytes(data)
    project, _ = load_project(discover([str(chart)], cwd=tmp_path))
    return list(chart_lock_present(project, {}))


LOCK = "dependencies:\n- name: redis\n  repository: https://charts.example.com\n  version: 17.3.4\n"


def test_vendored_archives_against_the_lock(tmp_path: Path) -> None:
    good = _tgz([_file("redis/Chart.yaml", "apiVersion: v2\nname: redis\nversion: 17.3.4\n")])
    stale = _tgz([_file("redis/Chart.yaml", "apiVersion: v2\nname: redis\nversion: 17.3.2\n")])
    assert _vendoring_project(tmp_path / "a", {"redis-17.3.4.tgz": good}, LOCK) == []
    (found,) = _vendoring_project(tmp_path / "b", {"redis-17.3.4.tgz": good, "redis-17.3.2.tgz": stale}, LOCK)
    assert (found.location.path, found.location.line) == ("api/Chart.lock", 2)
    assert (
        "redis 17.3.4, but the vendored archive charts/redis-17.3.2.tgz holds version 17.3.2" in found.message
    )
    assert found.related[0].location.path == "api/charts/redis-17.3.2.tgz"
    (damaged,) = _vendoring_project(tmp_path / "c", {"redis-17.3.4.tgz": good[:30]}, LOCK)
    assert (damaged.location.path, damaged.location.line) == ("api/charts/redis-17.3.4.tgz", 1)
    assert "cannot be read" in damaged.message
    # without a Chart.lock only the missing lock is reported
    (missing,) = _vendoring_project(tmp_path / "d", {"redis-17.3.4.tgz": stale}, None)
    assert "has no Chart.lock" in missing.message


def test_lock_digest_mismatch_is_located_at_the_digest() -> None:
    lock_text = LOCK + "digest: sha256:0000\n"
    parsed = read_chart_lock("api/Chart.lock", lock_text)
    chart = parse_chart(
        "api",
        "api/Chart.yaml",
        VENDORING_CHART,
        parsed.entries,
        "api/Chart.lock",
        lock_anchor=parsed.anchor,
        lock_digest=parsed.digest,
    )
    (found,) = chart_lock_present(Project(charts=(chart,)), {})
    assert (found.location.line, found.subject) == (5, "chart:api/lock-digest")
    raw_chart = load_yaml_documents(VENDORING_CHART)[0].value
    good_digest = helm_lock_digests(
        raw_chart["dependencies"], [entry.definition.plain() for entry in parsed.entries]
    )
    assert good_digest is not None
    parsed = read_chart_lock("api/Chart.lock", LOCK + f"digest: {good_digest[0]}\n")
    chart = parse_chart(
        "api", "api/Chart.yaml", VENDORING_CHART, parsed.entries, "api/Chart.lock", lock_digest=parsed.digest
    )
    assert list(chart_lock_present(Project(charts=(chart,)), {})) == []


# --------------------------------------------------------------------------------------------------
# MD113 schema content

SCHEMA_CHART = 'apiVersion: v2\nname: c\nversion: 1.0.0\nappVersion: "1"\nkubeVersion: ">=1.29.0-0"\n'


def schema_findings(
    values: str, schema: str, params: dict[str, Any] | None = None
) -> list[tuple[str, int, str]]:
    chart = parse_chart(
        "c",
        "c/Chart.yaml",
        SCHEMA_CHART,
        values_files=(parse_values("c/values.yaml", values),),
        values_schema=parse_values_schema(schema),
        values_schema_path="c/values.schema.json",
    )
    files = (SourceFile("c/values.schema.json", ArtifactKind.HELM, role="values.schema.json"),)
    return [
        (f.subject.rsplit(":", 1)[-1], f.location.line, f.message)
        for f in chart_metadata(Project(files=files, charts=(chart,)), params or {})
        if f.variant == "schema-content"
    ]


def test_schema_content_reports_each_unconstrained_value_at_its_property() -> None:
    values = (
        "replicaCount: 1\nresources: {}\ningress:\n  tls: []\ntls:\n  enabled: false\nimage:\n  tag: '1.0'\n"
    )
    schema = """{
  "type": "object",
  "required": ["resources"],
  "properties": {
    "replicaCount": {"type": "integer", "minimum": 0},
    "resources": {"type": "object"},
    "ingress": {"type": "object", "properties": {"tls": {"type": "array"}}},
    "image": {"type": "object", "properties": {"tag": {"type": "string"}}}
  }
}"""
    found = schema_findings(values, schema)
    assert [(path, line) for path, line, _ in found] == [
        ("replicaCount", 5),
        ("resources", 6),
        ("ingress.tls", 7),
        ("tls.enabled", 1),
        ("image", 8),
    ]
    messages = {path: message for path, _, message in found}
    assert "allows replicaCount below 1 (minimum 0)" in messages["replicaCount"]
    assert '"required": ["limits"]' in messages["resources"]
    assert '"minItems": 1' in messages["ingress.tls"] and '"const": true' in messages["tls.enabled"]
    assert "sha256" in messages["image"]


def test_schema_content_passes_constrained_values_and_skips_absent_keys() -> None:
    values = "replicaCount: 2\nresources:\n  limits: {}\ningress:\n  tls: false\nimage:\n  tag: ''\n"
    schema = """{
  "definitions": {"tag": {"type": "string", "pattern": "^[^@]+@sha256:[a-f0-9]{64}$"}},
  "properties": {
    "replicaCount": {"type": "integer", "exclusiveMinimum": 0},
    "resources": {"allOf": [{"required": ["limits"]}]},
    "ingress": {"properties": {"tls": {"enum": [true]}}},
    "image": {"properties": {"tag": {"$ref": "#/definitions/tag"}}}
  }
}"""
    assert schema_findings(values, schema) == []
    assert schema_findings("service: {port: 80}\n", '{"properties": {}}') == []


def test_schema_content_params_and_json_without_positions() -> None:
    params = {"schema_content": {"/server/replicaCount": "minimum 2", "image": "no-such-requirement"}}
    found = schema_findings(
        "server:\n  replicaCount: 1\n",
        '{"properties": {"server": {"properties": {\n"replicaCount": {"minimum": 1}}}}}',
        params,
    )
    assert [(path, line) for path, line, _ in found] == [("/server/replicaCount", 2)]
    assert "below 2 (minimum 1)" in found[0][2]
    # 1e3 reads as a string in YAML 1.1, so the schema is kept as plain JSON: the finding falls back to line 1
    found = schema_findings("replicaCount: 1\n", '{\n"properties": {\n"replicaCount": {"maximum": 1e3}}}')
    assert [(path, line) for path, line, _ in found] == [("replicaCount", 1)]


def test_schema_content_default_is_the_rule_files_parameter() -> None:
    from medlint.checks.charts import DEFAULT_SCHEMA_CONTENT
    from medlint.rulepack import load_rule_pack

    rule = next(rule for rule in load_rule_pack().rules if rule.id == "MD113")
    assert dict(rule.params["schema_content"]) == dict(DEFAULT_SCHEMA_CONTENT)
