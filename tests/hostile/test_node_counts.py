"""Many small values in one file: a 19 MB manifest of `{},` made the parsers build millions of nodes
(JSON: over 120 s and 7 GB; YAML: 28 s and 3 GB), and a finding at the end of 19 million empty lines made the
GitHub line hash hold every line (24 s, 5 GB). Both must end in seconds under the harness's 1 GB cap."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile.cases import TODAY
from tests.hostile.harness import assert_kept_promises, run_medlint

EMPTY_OBJECTS = (19 * 1024 * 1024) // 3


@pytest.mark.parametrize(
    "name, text",
    [
        ("items.json", '{"apiVersion":"v1","kind":"List","items":[' + "{}," * EMPTY_OBJECTS + "{}]}"),
        ("items.yaml", "apiVersion: v1\nkind: List\nitems: [" + "{}," * EMPTY_OBJECTS + "{}]\n"),
    ],
)
def test_millions_of_values_in_one_manifest_are_refused_before_they_are_built(
    tmp_path: Path, name: str, text: str
) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    run = run_medlint(
        ["check", name, "--no-context", "--today", TODAY], tmp_path, report_dir=tmp_path / "out"
    )
    assert_kept_promises(run)
    findings = json.loads(run.outputs["json"])["findings"]
    assert [f["rule_id"] for f in findings if f["location"]["path"] == name] == ["MD001"]
    assert "more than 500,000 YAML/JSON values in one file" in findings[0]["message"]


def test_a_finding_after_millions_of_lines_is_reported_without_a_line_hash(tmp_path: Path) -> None:
    pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n    - name: c\n      image: nginx\n"
    (tmp_path / "pod.yaml").write_text("\n" * (19 * 1024 * 1024) + pod, encoding="utf-8")
    run = run_medlint(
        ["check", "pod.yaml", "--no-context", "--today", TODAY], tmp_path, report_dir=tmp_path / "out"
    )
    assert_kept_promises(run)
    sarif = json.loads(run.outputs["sarif"])
    results = sarif["runs"][0]["results"]
    assert results and all("primaryLocationLineHash" not in r.get("partialFingerprints", {}) for r in results)


def test_a_json_manifest_of_millions_of_empty_lines_is_read_without_a_list_of_line_starts(
    tmp_path: Path,
) -> None:
    """The JSON reader kept every line start (a 19 MB file of newlines took 1 GB); positions are now counted
    on demand (medlint/line_index.py). This checks the promises end to end; the memory bound itself is held by
    tests/parsers/test_kubernetes_json.py, since this file stays just under the harness's cap either way."""
    text = (
        '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}'
        + "\n" * (19 * 1024 * 1024)
        + "}"
    )
    (tmp_path / "cm.json").write_text(text, encoding="utf-8")
    run = run_medlint(
        ["check", "cm.json", "--no-context", "--today", TODAY], tmp_path, report_dir=tmp_path / "out"
    )
    assert_kept_promises(run)
    findings = json.loads(run.outputs["json"])["findings"]
    assert findings and not [f for f in findings if f["rule_id"] == "MD001"]
