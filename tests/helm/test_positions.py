"""Positions of rendered objects in their templates: exact lines and columns, and how each value was written.

A finding on a rendered value points at the start of the template expression that produced it (its `{{`),
or at the very character of literal template text; never at a column copied from the rendered output. Each
position also says whether an expression wrote it and what that expression read (values, the release,
chart files, the cluster, generated data), which MD212 and MD303 use to tell literal template text from data
filled in at install time.
"""

from __future__ import annotations

from pathlib import Path

from medlint.helm.lint_renders import render_chart_for_lint
from medlint.model import K8sObject, Location, Node, RenderInput
from tests.helm.test_render import REPO_ROOT, make_chart


def _objects(
    tmp_path: Path, templates: dict[str, str], values: str = "", extra: dict[str, str] | None = None
) -> list[K8sObject]:
    chart = make_chart(tmp_path / "app", templates, values, extra=extra)
    objects, problems = render_chart_for_lint(chart, tmp_path)
    assert problems == []
    return objects


def _place(location: Location) -> tuple[int, int]:
    return location.line, location.column


def _written(node: Node) -> tuple[bool, frozenset[RenderInput]]:
    origin = node.location.helm
    assert origin is not None
    return origin.expression, origin.inputs


LABELS = '{{ define "app.labels" }}app: web\ntier: {{ .Values.tier }}{{ end }}'


def test_included_output_points_at_the_include_expression(tmp_path: Path) -> None:
    template = (
        "apiVersion: v1\n"
        "kind: ConfigMap\n"
        "metadata:\n"
        "  name: cm\n"
        '  labels: {{- include "app.labels" . | nindent 4 }}\n'  # line 5: the expression starts at column 11
        "  annotations:\n"
        '{{ include "app.labels" . | indent 4 }}\n'  # line 7, column 1
    )
    (obj,) = _objects(tmp_path, {"cm.yaml": template, "_helpers.tpl": LABELS}, "tier: backend\n")
    labels = obj.document.at("metadata", "labels")
    assert _place(labels.get("app").key_location) == (5, 11)
    assert _place(labels.get("tier").location) == (5, 11)
    annotations = obj.document.at("metadata", "annotations")
    assert _place(annotations.get("tier").key_location) == (7, 1)
    assert obj.labels["tier"].location.column == 11


def test_literal_text_maps_character_for_character(tmp_path: Path) -> None:
    template = (
        "apiVersion: v1\n"
        "kind: ConfigMap\n"
        "metadata:\n"
        "  name: {{ .Values.name }}\n"  # the value is the expression at column 9
        "data:\n"
        '  {{- if true }}  key: "{{ .Values.name }}-x"  other: plain{{ end }}\n'
        "  image: {{ .Values.repo }}:{{ .Values.tag }}\n"
        "  third: value\n"
    )
    template = template.replace("{{- if true }}  key", "{{- if true }}\n  key").replace(
        "  other", "\n  other"
    )
    template = template.replace("plain{{ end }}", "plain\n  {{- end }}")
    (obj,) = _objects(tmp_path, {"cm.yaml": template}, "name: web\nrepo: nginx\ntag: '1.27'\n")
    metadata = obj.document.get("metadata")
    assert _place(metadata.key_location_of("name")) == (4, 3)
    assert _place(metadata.location_of("name")) == (4, 9)
    data = obj.document.get("data")
    assert _place(data.key_location_of("key")) == (7, 3)
    assert _place(data.location_of("key")) == (7, 8)  # the opening quote, literal text
    assert _place(data.location_of("other")) == (8, 10)
    assert data.get("other").location.end_column == 15  # a literal value spans its characters
    assert _place(data.location_of("image")) == (10, 10)
    assert _place(data.key_location_of("third")) == (11, 3)
    assert _place(data.location_of("third")) == (11, 10)


def test_template_calls_point_at_the_call(tmp_path: Path) -> None:
    helpers = '{{ define "app.meta" }}\n  name: cm\n  namespace: {{ .Release.Namespace }}\n{{- end }}'
    template = (
        "apiVersion: v1\n"
        "kind: ConfigMap\n"
        "metadata:\n"
        '  {{- template "app.meta" . }}\n'  # the call: line 4, column 3
        "data:\n"
        "  a: b\n"
    )
    (obj,) = _objects(tmp_path, {"cm.yaml": template, "_helpers.tpl": helpers})
    metadata = obj.document.get("metadata")
    assert _place(metadata.key_location_of("name")) == (4, 3)
    assert _place(metadata.location_of("namespace")) == (4, 3)
    assert _place(obj.document.at("data").key_location_of("a")) == (6, 3)


def test_positions_after_a_removed_no_value_stay_exact(tmp_path: Path) -> None:
    template = (
        "apiVersion: v1\n"
        "kind: ConfigMap\n"
        "metadata:\n"
        "  name: cm\n"
        "data:\n"
        "  gone: x{{ .Values.missing }}{{ .Values.missing }}{{ .Values.missing }}\n"
        "  next: {{ .Values.here }}\n"
    )
    (obj,) = _objects(tmp_path, {"cm.yaml": template}, "here: yes-here\n")
    data = obj.document.get("data")
    assert data.get("gone").text == "x"
    assert _place(data.key_location_of("next")) == (7, 3)
    assert _place(data.location_of("next")) == (7, 9)


def test_each_value_says_how_it_was_written(tmp_path: Path) -> None:
    template = (
        "apiVersion: v1\n"
        "kind: Secret\n"
        "metadata:\n"
        "  name: s\n"
        "  namespace: {{ .Release.Namespace }}\n"
        "stringData:\n"
        "  literal: hunter2\n"
        '  constant: {{ "hunter2" | upper }}\n'
        "  values: {{ .Values.password }}\n"
        '  quoted: "{{ .Values.password }}"\n'
        "  generated: {{ randAlphaNum 12 }}\n"
        '  cluster: {{ (lookup "v1" "Secret" "ns" "s").data | default "none" }}\n'
        '  certificate: {{ (genCA "ca" 365).Cert | b64enc | trunc 8 }}\n'
        '  file: {{ .Files.Get "files/key.txt" | trim }}\n'
        "  {{- $password := .Values.password }}\n"
        "  variable: {{ $password }}\n"
        '  helper: {{ include "app.literal" . }}\n'
        '  default: {{ .Values.empty | default "fallback" }}\n'
        "  {{- range .Values.items }}\n"
        "  range: {{ . }}\n"
        "  {{- end }}\n"
    )
    helpers = '{{ define "app.literal" }}fixed{{ end }}'
    (obj,) = _objects(
        tmp_path,
        {"secret.yaml": template, "_helpers.tpl": helpers},
        "password: from-values\nempty: ''\nitems: [one]\n",
        {"files/key.txt": "file-content"},
    )
    data = obj.document.get("stringData")
    expected = {
        "literal": (False, frozenset()),
        "constant": (True, frozenset()),
        "values": (True, frozenset({RenderInput.VALUES})),
        "quoted": (True, frozenset({RenderInput.VALUES})),
        "generated": (True, frozenset({RenderInput.GENERATED})),
        "cluster": (True, frozenset({RenderInput.CLUSTER})),
        "certificate": (True, frozenset({RenderInput.GENERATED})),
        "file": (True, frozenset({RenderInput.FILES})),
        "variable": (True, frozenset({RenderInput.DATA})),
        "helper": (True, frozenset()),  # the helper writes a constant: dot passed as its scope reads nothing
        "default": (True, frozenset()),  # an empty value gives nothing: the template's own default is written
        "range": (True, frozenset({RenderInput.DATA})),  # dot holds an item read before
    }
    assert {key: _written(data.get(key)) for key in expected} == expected
    literal = {key for key in expected if data.get(key).location.helm.literal}  # type: ignore[union-attr]
    assert literal == {"literal", "constant", "file", "helper", "default"}
    assert _written(obj.document.at("metadata", "namespace")) == (True, frozenset({RenderInput.RELEASE}))
    assert _written(obj.document.at("metadata", "name")) == (False, frozenset())


def test_a_finding_on_an_included_label_points_at_the_include() -> None:
    from medlint.api import lint

    case = REPO_ROOT / "fixtures" / "MD111" / "fail" / "chart-included-labels"
    report = lint([str(case)], cwd=REPO_ROOT, safety_class="C")
    (finding,) = [f for f in report.result.findings if f.rule_id == "MD111"]
    assert finding.location.path.endswith("templates/configmap.yaml")
    assert (finding.location.line, finding.location.column) == (5, 11)  # `{{- include ...`, not column 5
