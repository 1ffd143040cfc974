"""Resource limits against hostile templates, output position tracing, and rendering speed."""

from __future__ import annotations

from typing import Any

import pytest

from medlint.helm.gotemplate import Limits, TemplateLimitError, TemplateSet, TraceEntry, line_origins


def limit_error(src: str, limits: Limits, data: Any = None, funcs: Any = None) -> TemplateLimitError:
    ts = TemplateSet(funcs=funcs, limits=limits)
    ts.parse("t", src)
    with pytest.raises(TemplateLimitError) as info:
        ts.execute("t", data)
    return info.value


# -- limits -------------------------------------------------------------------------------------


def test_limits_defaults() -> None:
    limits = Limits()
    assert limits.max_depth == 1000
    assert limits.max_steps == 5_000_000
    assert limits.max_output == 64 * 1024 * 1024
    with pytest.raises(AttributeError):
        limits.max_depth = 1  # type: ignore[misc]


def test_template_recursion_stops_at_max_depth() -> None:
    err = limit_error(
        '{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}', Limits(max_depth=50)
    )
    assert (
        str(err)
        == 'template: t:1:28: executing "r" at <{{template "r" .}}>: exceeded maximum template depth (50)'
    )


def test_unbounded_template_recursion_is_a_limit_error() -> None:
    err = limit_error('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}', Limits())
    assert "exceeded maximum template depth" in str(err)


def test_include_recursion_shares_depth_across_nested_executions() -> None:
    ts = TemplateSet(limits=Limits(max_depth=30))
    ts.add_funcs({"include": lambda name, data: ts.execute(name, data)})
    ts.parse("h.tpl", '{{ define "rec" }}x{{ include "rec" . }}{{ end }}')
    ts.parse("m.yaml", '{{ include "rec" . }}')
    with pytest.raises(TemplateLimitError) as info:
        ts.execute("m.yaml", {})
    # Not wrapped thirty times in "error calling include": the limit error passes through.
    assert str(info.value) == "template: h.tpl: exceeded maximum template depth (30)"
    # The set is usable again afterwards: the run state was reset.
    ts.parse("ok", "fine")
    assert ts.execute("ok") == "fine"


def test_unbounded_include_recursion_is_a_limit_error() -> None:
    ts = TemplateSet()
    ts.add_funcs({"include": lambda name, data: ts.execute(name, data)})
    ts.parse("h.tpl", '{{ define "rec" }}{{ include "rec" . }}{{ end }}')
    with pytest.raises(TemplateLimitError, match="exceeded maximum template depth"):
        ts.execute("rec", {})


def test_huge_range_over_int_stops_without_allocating() -> None:
    err = limit_error(
        "{{ range 100000000 }}{{ . }}{{ end }}", Limits(max_steps=200_000, max_range_iterations=10**9)
    )
    assert err.message == "exceeded maximum number of evaluation steps (200000)"
    err = limit_error("{{ range 100000000 }}{{ end }}", Limits(max_range_iterations=50_000))
    assert err.message == "exceeded maximum range iterations (50000)"


def test_steps_are_shared_with_nested_executions() -> None:
    ts = TemplateSet(limits=Limits(max_steps=5_000))
    ts.add_funcs({"include": lambda name, data: ts.execute(name, data)})
    ts.parse("h.tpl", '{{ define "body" }}{{ range 100 }}.{{ end }}{{ end }}')
    ts.parse("m.yaml", '{{ range 1000 }}{{ include "body" . }}{{ end }}')
    with pytest.raises(TemplateLimitError, match=r"exceeded maximum number of evaluation steps \(5000\)"):
        ts.execute("m.yaml")


def test_nested_ranges_hit_step_limit() -> None:
    src = "{{ range 1000 }}{{ range 1000 }}{{ range 1000 }}x{{ end }}{{ end }}{{ end }}"
    err = limit_error(src, Limits(max_steps=100_000))
    assert "evaluation steps" in err.message


def test_output_limit() -> None:
    src = "{{ range 1000 }}{{ range 1000 }}0123456789{{ end }}{{ end }}"
    err = limit_error(src, Limits(max_output=100_000))
    assert err.message == "exceeded maximum output size (100000)"
    err = limit_error("{{ .big }}{{ .big }}", Limits(max_output=15), data={"big": "x" * 10})
    assert err.message == "exceeded maximum output size (15)"


def test_limits_do_not_affect_normal_templates() -> None:
    ts = TemplateSet(limits=Limits(max_steps=1_000, max_output=1_000, max_depth=5))
    ts.parse(
        "t",
        '{{ define "a" }}{{ template "b" . }}{{ end }}{{ define "b" }}{{ . }}{{ end }}{{ template "a" 1 }}',
    )
    assert ts.execute("t") == "1"
    assert ts.execute("t") == "1"  # counters are per execution


# -- output position tracing ----------------------------------------------------------------------------


def test_trace_records_source_positions_of_output() -> None:
    ts = TemplateSet()
    src = "a: 1\nb: {{ .x }}\n{{- if true }}\nc: |\n  {{ .y }}\n{{- end }}\n"
    ts.parse("f.yaml", src)
    trace: list[TraceEntry] = []
    out = ts.execute("f.yaml", {"x": "X", "y": "l1\nl2"}, trace=trace)
    assert out == "a: 1\nb: X\nc: |\n  l1\nl2\n"
    assert trace == [
        TraceEntry(0, "f.yaml", 1, True, 1),
        TraceEntry(8, "f.yaml", 2, False, 4),  # the action's `{{` on line 2; a field, no variable or dot
        TraceEntry(9, "f.yaml", 3, True, 15),  # the text after `{{- if true }}`
        TraceEntry(17, "f.yaml", 5, False, 3),
        TraceEntry(22, "f.yaml", 6, True, 11),
    ]
    assert line_origins(out, trace) == [
        ("f.yaml", 1),
        ("f.yaml", 2),
        ("f.yaml", 4),
        ("f.yaml", 5),
        ("f.yaml", 5),
        ("f.yaml", 7),
    ]


def test_trace_follows_template_calls_into_other_files() -> None:
    ts = TemplateSet()
    ts.parse("_helpers.tpl", '{{ define "labels" }}\napp: x\ntier: {{ .t }}\n{{- end }}')
    ts.parse("dep.yaml", 'kind: Deployment\nlabels:\n{{- template "labels" . }}\nend: 1\n')
    trace: list[TraceEntry] = []
    out = ts.execute("dep.yaml", {"t": "web"}, trace=trace)
    assert out == "kind: Deployment\nlabels:\napp: x\ntier: web\nend: 1\n"
    assert line_origins(out, trace)[:5] == [
        ("dep.yaml", 1),
        ("dep.yaml", 2),
        ("_helpers.tpl", 2),
        ("_helpers.tpl", 3),
        ("dep.yaml", 4),
    ]


def test_trace_entries_of_other_files_carry_the_template_call_site() -> None:
    ts = TemplateSet()
    ts.parse("_helpers.tpl", '{{ define "labels" }}\napp: x\ntier: {{ .t }}\n{{- end }}')
    ts.parse(
        "dep.yaml", 'kind: Deployment\nlabels:\n  {{- template "labels" . }}\nend: {{ "x" | printf "%s" }}\n'
    )
    trace: list[TraceEntry] = []
    out = ts.execute("dep.yaml", {"t": "web"}, trace=trace)
    assert out == "kind: Deployment\nlabels:\napp: x\ntier: web\nend: x\n"
    assert trace == [
        TraceEntry(0, "dep.yaml", 1, True, 1),
        TraceEntry(24, "_helpers.tpl", 1, True, 22, False, (3, 3)),
        TraceEntry(38, "_helpers.tpl", 3, False, 7, False, (3, 3)),
        TraceEntry(41, "dep.yaml", 3, True, 29),
        TraceEntry(47, "dep.yaml", 4, False, 6, False),  # constants only: reads no data
        TraceEntry(48, "dep.yaml", 4, True, 29),
    ]


def test_every_piece_of_text_gets_its_own_entry() -> None:
    ts = TemplateSet()
    ts.parse("t", "{{ range .items }}- {{ . }}\n{{ end }}{{ range .items }}x{{ end }}")
    trace: list[TraceEntry] = []
    out = ts.execute("t", {"items": [1, 2]}, trace=trace)
    assert out == "- 1\n- 2\nxx"
    assert [(entry.offset, entry.verbatim, entry.column) for entry in trace] == [
        (0, True, 19),
        (2, False, 21),
        (3, True, 28),
        (4, True, 19),
        (6, False, 21),
        (7, True, 28),
        (8, True, 28),  # line 2
        (9, True, 28),  # the same text again: a new entry, so offsets within it stay exact
    ]


def test_actions_reading_variables_or_dot_are_marked() -> None:
    ts = TemplateSet(funcs={"include": lambda name, data: "i", "upper": str.upper})
    ts.parse(
        "t",
        '{{ $v := "x" }}{{ $v }}|{{ . }}|{{ .a }}|{{ $.a }}|{{ "c" | upper }}|{{ include "n" . }}|{{ include "n" $v }}',
    )
    trace: list[TraceEntry] = []
    ts.execute("t", {"a": "A"}, trace=trace)
    assert [entry.data for entry in trace if not entry.verbatim] == [
        True,
        True,
        False,
        False,
        False,
        False,
        True,
    ]


def test_no_trace_by_default() -> None:
    ts = TemplateSet()
    ts.parse("t", "x{{ 1 }}")
    assert ts.execute("t") == "x1"


# -- speed ---------------------------------------------------------------------------------------------------------

CHART_BLOCK = """
{{- if .Values.enabled }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "chart.name" . }}-NUM
  labels:
{{ include "chart.labels" . | indent 4 }}
data:
  {{- range $k, $v := .Values.data }}
  {{ $k }}: {{ $v | quote }}
  {{- end }}
  {{- with .Values.extra }}
  extra: {{ .foo | default "none" }}
  {{- end }}
  replicas: {{ .Values.replicas }}
  {{- if and .Values.a (not .Values.b) (eq .Values.mode "x") }}
  mode: {{ printf "%s-%d" .Values.mode 3 }}
  {{- end }}
{{- end }}
"""

HELPERS = """
{{- define "chart.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 -}}
{{- end }}
{{- define "chart.labels" -}}
app.kubernetes.io/name: {{ include "chart.name" . }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}
"""


def test_renders_thousands_of_template_lines_quickly() -> None:
    funcs = {
        "default": lambda dflt, value=None: value if value else dflt,
        "trunc": lambda n, s: s[:n],
        "indent": lambda n, s: "\n".join(" " * n + line for line in s.split("\n")),
        "quote": lambda *a: " ".join('"%s"' % x for x in a),
    }
    ts = TemplateSet(funcs=funcs)
    ts.add_funcs({"include": lambda name, data: ts.execute(name, data)})
    main = "".join(CHART_BLOCK.replace("NUM", str(i)) for i in range(150))
    assert main.count("\n") >= 3000
    data = {
        "Chart": {"Name": "mychart", "Version": "1.0.0"},
        "Values": {
            "enabled": True,
            "nameOverride": "",
            "data": {"k%d" % i: "v%d" % i for i in range(5)},
            "extra": {"foo": "bar"},
            "replicas": 3.0,
            "a": True,
            "b": False,
            "mode": "x",
        },
    }
    ts.parse("_helpers.tpl", HELPERS)
    ts.parse("main.yaml", main)
    out = ts.execute("main.yaml", data)
    assert out.count("kind: ConfigMap") == 150
    assert '  k4: "v4"\n  extra: bar\n  replicas: 3\n  mode: x-3' in out
    assert "    app.kubernetes.io/name: mychart\n" in out
    # Speed is measured by benchmarks/bench_helm.py, never asserted in tests.
