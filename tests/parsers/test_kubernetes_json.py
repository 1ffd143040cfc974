"""Kubernetes manifests in JSON and flow-style YAML read like their block-YAML twins.

Each twin is generated from the block YAML (pretty-printed JSON, one-line JSON with `kind` first, flow-style
YAML, a JSON stream), linted on its own, and must give the same findings: same rule, level, message,
subject and variant, each pointing at the same key (or the same object) of its own text.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from medlint.api import lint
from medlint.json_source import load_json_documents
from medlint.parsers.kubernetes import load_manifest_documents, parse_manifest
from medlint.source import SourceError, YamlList, YamlMap, load_yaml_documents

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: clinic
  labels:
    app.kubernetes.io/name: api
    app.kubernetes.io/version: "1.4.2"
spec:
  replicas: 2
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      securityContext:
        runAsNonRoot: true
      initContainers:
        - name: migrate
          image: registry.example.com/migrate:latest
      containers:
        - name: app
          image: registry.example.com/api:1.4.2
          env:
            - name: DB_PASSWORD
              value: hunter2-not-a-real-one
          securityContext:
            privileged: true
            allowPrivilegeEscalation: true
          ports:
            - containerPort: 8080
              hostPort: 8080
"""

SERVICE_AND_CRONJOB = """
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  type: NodePort
  selector:
    app: api
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
  namespace: default
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          hostNetwork: true
          restartPolicy: OnFailure
          containers:
            - name: dump
              image: postgres
              command: ["pg_dump", "--host", "db"]
"""

LIST = """
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata:
      name: debug
    spec:
      containers:
        - name: shell
          image: busybox:1.36
          securityContext:
            capabilities:
              add: [NET_ADMIN, SYS_ADMIN]
  - apiVersion: v1
    kind: Secret
    metadata:
      name: creds
    stringData:
      password: s3cr3t-value-for-test
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: everything
    rules:
      - apiGroups: ["*"]
        resources: ["*"]
        verbs: ["*"]
"""


def _pretty_json(documents: list[Any]) -> str:
    return "\n".join(json.dumps(document, indent=2) for document in documents) + "\n"


def _one_line_kind_first(documents: list[Any]) -> str:
    def kind_first(document: Any) -> Any:
        return {"kind": document["kind"], **{k: v for k, v in document.items() if k != "kind"}}

    return "".join(json.dumps(kind_first(document), separators=(",", ":")) for document in documents)


def _tab_indented_json(documents: list[Any]) -> str:
    return "\n".join(json.dumps(document, indent="\t") for document in documents)


def _flow_yaml(documents: list[Any]) -> str:
    return yaml.safe_dump_all(documents, default_flow_style=True, sort_keys=False, width=100)


def _one_line_flow_yaml(documents: list[Any]) -> str:
    return yaml.safe_dump_all(documents, default_flow_style=True, sort_keys=False, width=100_000)


TWINS: dict[str, tuple[Callable[[list[Any]], str], str]] = {
    "pretty-json": (_pretty_json, "app.json"),
    "one-line-kind-first-json": (_one_line_kind_first, "app.json"),
    "tab-indented-json-as-yaml-name": (_tab_indented_json, "app.yaml"),
    "flow-yaml": (_flow_yaml, "app.yaml"),
    "one-line-flow-yaml": (_one_line_flow_yaml, "app.yml"),
}
MANIFESTS = {"deployment": DEPLOYMENT, "service-and-cronjob": SERVICE_AND_CRONJOB, "list": LIST}


def _places(value: Any, path: str, places: dict[tuple[int, int], set[str]]) -> None:
    """What each position of a parsed document is: an object, a key, a value or a list item, by tree path.

    In block YAML a mapping starts where its first key does, so one position can be several things."""
    if isinstance(value, YamlMap):
        places.setdefault((value.line, value.column), set()).add(f"object {path}")
        for key, item in value.items():
            places.setdefault(value.key_span(key)[:2], set()).add(f"key {path}/{key}")
            places.setdefault(value.value_span(key)[:2], set()).add(f"value {path}/{key}")
            _places(item, f"{path}/{key}", places)
    elif isinstance(value, YamlList):
        places.setdefault((value.line, value.column), set()).add(f"list {path}")
        for index, item in enumerate(value):
            places.setdefault(value.item_span(index)[:2], set()).add(f"value {path}/{index}")
            _places(item, f"{path}/{index}", places)


def _findings(directory: Path, name: str) -> dict[tuple[Any, ...], list[set[str]]]:
    """Findings by (rule, level, message, subject, variant), each with what its location points at."""
    report = lint([str(directory)], cwd=directory, safety_class="C")
    places: dict[tuple[int, int], set[str]] = {}
    for document in load_manifest_documents(name, (directory / name).read_text(encoding="utf-8")):
        _places(document.value, f"doc{document.index}", places)
    assert {item.path for item in report.project.files if item.analysed} == {name}
    found: dict[tuple[Any, ...], list[set[str]]] = {}
    for finding in report.result.findings:
        location = finding.location
        assert location.path == name
        key = (finding.rule_id, str(finding.level), finding.message, finding.subject, finding.variant)
        found.setdefault(key, []).append(places.get((location.line, location.column), {"<nothing>"}))
    return found


def _same_places(block: list[set[str]], twin: list[set[str]]) -> bool:
    """Each twin finding points at something one block finding (not yet matched) points at."""
    remaining = list(block)
    for places in twin:
        match = next((index for index, candidate in enumerate(remaining) if candidate & places), None)
        if match is None:
            return False
        remaining.pop(match)
    return not remaining


@pytest.mark.parametrize("manifest", sorted(MANIFESTS))
@pytest.mark.parametrize("twin", sorted(TWINS))
def test_json_and_flow_twins_give_the_same_findings(tmp_path: Path, manifest: str, twin: str) -> None:
    block = textwrap.dedent(MANIFESTS[manifest]).lstrip()
    documents = [document for document in yaml.safe_load_all(block) if document is not None]
    write, name = TWINS[twin]
    # Both in a folder of the same name: messages name the system after its folder.
    block_dir, twin_dir = tmp_path / "block" / "app", tmp_path / "twin" / "app"
    for directory, text in ((block_dir, block), (twin_dir, write(documents))):
        directory.mkdir(parents=True)
        (directory / name).write_text(text, encoding="utf-8")
    expected = _findings(block_dir, name)
    assert sum(map(len, expected.values())) >= 8, "the block YAML must give findings to compare"
    found = _findings(twin_dir, name)
    assert sorted(found) == sorted(expected)
    for key, places in found.items():
        assert _same_places(expected[key], places), (key, expected[key], places)


def test_json_positions_are_those_of_the_keys() -> None:
    text = '{\n  "apiVersion": "v1",\n\t"kind": "Pod", "metadata": {"name": "p"},\n  "spec": {}\n}\n'
    (document,) = load_json_documents(text)
    body = document.value
    assert (body.line, body.column) == (1, 1)
    assert body.key_span("apiVersion") == (2, 3, 2, 15)
    assert body.key_span("kind") == (3, 2, 3, 8)
    assert body.value_span("kind") == (3, 10, 3, 15)
    assert body.key_span("metadata") == (3, 17, 3, 27)
    assert body["metadata"].key_span("name") == (3, 30, 3, 36)
    assert (body["spec"].line, body["spec"].column) == (4, 11)


def test_json_numbers_and_strings_follow_json_not_yaml() -> None:
    (document,) = load_json_documents(
        '{"a": 1e3, "b": 10, "c": -0.5, "d": "\\ud83d\\ude00", "e": "yes", "f": null}'
    )
    assert document.value == {"a": 1000.0, "b": 10, "c": -0.5, "d": "\U0001f600", "e": "yes", "f": None}
    assert isinstance(document.value["b"], int)


def test_a_json_stream_is_one_document_per_value() -> None:
    text = '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}}\n\n{"apiVersion": "v1",\n "kind": "Pod", "metadata": {"name": "b"}}'
    objects = parse_manifest("pods.json", text)
    assert [(obj.name, obj.location.line, obj.document_index) for obj in objects] == [
        ("a", 1, 0),
        ("b", 3, 1),
    ]


@pytest.mark.parametrize(
    "text, message, line, column",
    [
        ('{"kind": "Pod",\n "apiVersion": "v1",}', "expected a key in double quotes", 2, 21),
        ('{"kind": "Pod"\n "apiVersion": "v1"}', "expected ',' or '}' after a member", 2, 2),
        ('{"kind": "Pod", "kind": "Service"}', "duplicate key 'kind'", 1, 17),
        ('{"kind": NaN}', "expected a value, found 'N'", 1, 10),
        ('{"kind": "Pod', "unterminated string", 1, 10),
        ("[" * 300 + "]" * 300, "nesting deeper than 256 levels", 1, 257),
    ],
)
def test_json_errors_name_the_place(text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(SourceError) as raised:
        parse_manifest("bad.json", text)
    assert message in raised.value.message
    assert (raised.value.line, raised.value.column) == (line, column)


def test_flow_yaml_that_is_not_json_is_read_as_yaml() -> None:
    objects = parse_manifest("flow.yaml", "{apiVersion: v1, kind: Pod, metadata: {name: flow}}\n")
    assert [(obj.kind, obj.name) for obj in objects] == [("Pod", "flow")]


def test_a_json_file_with_flow_yaml_content_is_a_json_error() -> None:
    """kubectl reads text starting with `{` as JSON; a `.json` file is meant to be JSON."""
    with pytest.raises(SourceError) as raised:
        parse_manifest("flow.json", "{apiVersion: v1, kind: Pod}")
    assert raised.value.message.startswith("JSON syntax error")


def test_a_json_array_of_objects_is_reported_not_guessed() -> None:
    """kubectl emits a List for several objects and reads a stream of objects; a bare array it rejects."""
    with pytest.raises(SourceError) as raised:
        parse_manifest("all.json", '[{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}}]')
    assert "wrap them in a List" in raised.value.message


def test_yaml_documents_are_unchanged() -> None:
    text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n"
    assert load_manifest_documents("p.yaml", text)[0].value == load_yaml_documents(text)[0].value


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(st.lists(_JSON_VALUES, min_size=1, max_size=3), st.sampled_from([None, 2, "\t"]))
def test_json_reads_as_pythons_json_reads_it(values: list[Any], indent: Any) -> None:
    """Any JSON text (or stream of values) reads to exactly what Python's json module makes of it."""
    text = "\n".join(json.dumps(value, indent=indent) for value in values)
    assert [document.value for document in load_json_documents(text)] == values


def test_positions_are_counted_without_a_list_of_every_line_start() -> None:
    """Memory stays proportional to the values, not to the lines: two million empty lines used to cost a list
    of two million line starts (about 70 MB; a 19 MB file, 1 GB). The bound here is structural, not a
    benchmark: a per-line list cannot fit in it."""
    import tracemalloc

    from medlint.json_source import load_json_documents

    text = '{"kind": "ConfigMap",' + "\n" * 2_000_000 + '"metadata": {"name": "x"}}'
    tracemalloc.start()
    try:
        [document] = load_json_documents(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert document.value["metadata"].line == 2_000_001
    assert peak < 16 * 1024 * 1024, f"{peak:,} bytes"
