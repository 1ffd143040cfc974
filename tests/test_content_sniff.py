"""YAML and JSON files whose name does not tell their kind are judged by their parsed content.

A manifest is an object with `apiVersion` and `kind` in any style (block, flow, JSON, kind first, one line, a
JSON stream, a `List`); a Compose file has top-level `services`. A file named on the command line is always
analysed or reported; JSON files of other tools found by a directory scan (package.json) stay quiet.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from medlint.api import lint
from medlint.model import ArtifactKind

POD_JSON = '{"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "image": "nginx:1.27"}]}}'


def _lint(root: Path, *paths: str) -> tuple[dict[str, ArtifactKind], list[str], list[tuple[str, str]]]:
    report = lint(list(paths) or ["."], cwd=root, safety_class="C")
    analysed = {item.path: item.kind for item in report.project.files}
    parse_errors = [(f.location.path, f.message) for f in report.result.findings if f.rule_id == "MD001"]
    return analysed, list(report.unrecognised), parse_errors


@pytest.mark.parametrize(
    "name, text",
    [
        ("pod.json", POD_JSON),
        ("pod.json", POD_JSON.replace(", ", ",\n  ")),
        ("pods.json", POD_JSON + "\n" + POD_JSON.replace('"p"', '"q"')),
        (
            "pod.yaml",
            "{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: a, image: x}]}}",
        ),
        ("pod.yml", "---\n{kind: Pod, apiVersion: v1, metadata: {name: p}}\n"),
        ("list.json", '{"apiVersion": "v1", "kind": "List", "items": [' + POD_JSON + "]}"),
        ("quoted.yaml", '"apiVersion": v1\n"kind": Pod\nmetadata: {name: p}\n'),
        ("indented.yaml", "# a comment first\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n"),
    ],
)
def test_manifests_in_any_style_are_read_from_a_directory_scan(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    analysed, unrecognised, errors = _lint(tmp_path)
    assert analysed == {name: ArtifactKind.KUBERNETES} and unrecognised == [] and errors == []


def test_json_files_of_other_tools_stay_quiet_in_a_directory_scan(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(
        '{"name": "web", "version": "1.0.0", "kind": "app"}', encoding="utf-8"
    )
    (tmp_path / "tsconfig.json").write_text('{"compilerOptions": {"strict": true}}', encoding="utf-8")
    (tmp_path / "schema.json").write_text(
        '{"properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"}}}', encoding="utf-8"
    )
    (tmp_path / "broken.json").write_text('{"name": "web",', encoding="utf-8")
    (tmp_path / "notes.yaml").write_text("title: not an artifact\n", encoding="utf-8")
    analysed, unrecognised, errors = _lint(tmp_path)
    assert analysed == {} and errors == []
    assert unrecognised == ["notes.yaml"]  # other YAML is listed, as before


def test_a_named_file_is_always_analysed_or_reported(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "web"}', encoding="utf-8")
    (tmp_path / "broken.json").write_text('{"name": "web",', encoding="utf-8")
    (tmp_path / "pod.json").write_text(POD_JSON, encoding="utf-8")
    analysed, unrecognised, errors = _lint(tmp_path, "package.json", "broken.json", "pod.json")
    assert analysed == {"pod.json": ArtifactKind.KUBERNETES, "broken.json": ArtifactKind.KUBERNETES}
    assert unrecognised == ["package.json"]
    assert errors == [
        (
            "broken.json",
            "broken.json could not be parsed: JSON syntax error: the text ends before the value is complete.",
        )
    ]


def test_a_broken_manifest_is_a_parse_error_in_any_style(tmp_path: Path) -> None:
    (tmp_path / "deploy.json").write_text(
        '{"apiVersion": "apps/v1", "kind": "Deployment",,}', encoding="utf-8"
    )
    (tmp_path / "flow.yaml").write_text("{apiVersion: v1, kind: Pod, metadata: {name: [}\n", encoding="utf-8")
    (tmp_path / "array.json").write_text("[" + POD_JSON + "]", encoding="utf-8")
    _, unrecognised, errors = _lint(tmp_path)
    assert unrecognised == []
    assert sorted(path for path, _ in errors) == ["array.json", "deploy.json", "flow.yaml"]
    assert any("wrap them in a List" in message for _, message in errors)


def test_compose_files_are_recognised_by_content_in_any_style(tmp_path: Path) -> None:
    (tmp_path / "stack.yaml").write_text("services:\n  web:\n    image: nginx:1.27\n", encoding="utf-8")
    (tmp_path / "stack.json").write_text('{"services": {"db": {"image": "postgres:16.4"}}}', encoding="utf-8")
    analysed, unrecognised, errors = _lint(tmp_path)
    assert analysed == {"stack.yaml": ArtifactKind.COMPOSE, "stack.json": ArtifactKind.COMPOSE}
    assert unrecognised == [] and errors == []
