"""Rendering charts as `helm template` does, limits against hostile charts, the source map, lint renders
and the `medlint render` command."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from medlint.helm.chart import ChartError, load_chart
from medlint.helm.cli_render import render_command
from medlint.helm.lint_renders import ValuesSet, render_chart_for_lint
from medlint.helm.render import (
    RenderBudgetError,
    RenderError,
    RenderOptions,
    format_manifests,
    render_chart,
    split_manifests,
)
from medlint.helm.sourcemap import explain_findings, template_line_map
from medlint.model import K8sObject
from tests.conftest import REPO_ROOT

DATA = Path(__file__).resolve().parent / "data"
EXAMPLE = DATA / "medical-device"


def make_chart(
    root: Path,
    templates: dict[str, str],
    values: str = "",
    extra: dict[str, str] | None = None,
    chart_yaml: str = "apiVersion: v2\nname: app\nversion: 1.0.0\n",
) -> Path:
    files = {
        "Chart.yaml": chart_yaml,
        "values.yaml": values,
        **{f"templates/{k}": v for k, v in templates.items()},
        **(extra or {}),
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def render(root: Path, values: dict | None = None, **options: object) -> str:
    result = render_chart(load_chart(root, root.name), values or {}, RenderOptions(**options))  # type: ignore[arg-type]
    return format_manifests(result.manifests)


def render_error(root: Path, **options: object) -> RenderError:
    with pytest.raises(RenderError) as info:
        render(root, **options)
    return info.value


def cli_runner() -> CliRunner:
    """A runner keeping standard error apart (click 8.1 needs mix_stderr=False; 8.2 always does)."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def sources(text: str) -> list[str]:
    return [line.removeprefix("# Source: ") for line in text.splitlines() if line.startswith("# Source: ")]


# -- rendering ----------------------------------------------------------------------------------------------


def test_manifests_sorted_by_install_order_then_hooks(tmp_path: Path) -> None:
    make_chart(
        tmp_path / "app",
        {
            "a-deploy.yaml": "kind: Deployment\nmetadata:\n  name: web\n",
            "b-svc.yaml": "kind: Service\nmetadata:\n  name: web\n---\nkind: Namespace\nmetadata:\n  name: ns\n",
            "c-crd.yaml": "kind: Widget\nmetadata:\n  name: w\n",
            "d-aaa.yaml": "kind: Gadget\nmetadata:\n  name: g\n",
            "tests/test.yaml": "kind: Pod\nmetadata:\n  name: t\n  annotations:\n    helm.sh/hook: test\n",
            "hook.yaml": "kind: Job\nmetadata:\n  name: j\n  annotations:\n    helm.sh/hook: pre-install,post-upgrade\n",
            "unknown-hook.yaml": "kind: Job\nmetadata:\n  name: old\n  annotations:\n    helm.sh/hook: crd-install\n",
            "NOTES.txt": "Thank you for installing {{ .Chart.Name }}",
            "_partial.yaml": "kind: ConfigMap\n",
            "empty.yaml": "{{- if false }}kind: Secret{{ end }}\n",
        },
    )
    text = render(tmp_path / "app")
    assert sources(text) == [
        "app/templates/b-svc.yaml",
        "app/templates/b-svc.yaml",
        "app/templates/a-deploy.yaml",
        "app/templates/d-aaa.yaml",
        "app/templates/c-crd.yaml",
        "app/templates/tests/test.yaml",
        "app/templates/hook.yaml",
    ]
    assert text.index("kind: Namespace") < text.index("kind: Service")
    assert "Thank you" not in text and "crd-install" not in text


def test_helm_template_output_format(tmp_path: Path) -> None:
    make_chart(tmp_path / "app", {"cm.yaml": "\n\napiVersion: v1\nkind: ConfigMap\n\n\n"})
    assert (
        render(tmp_path / "app") == "---\n# Source: app/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\n"
    )


def test_built_in_objects(tmp_path: Path) -> None:
    make_chart(
        tmp_path / "app",
        {
            "cm.yaml": (
                "kind: ConfigMap\ndata:\n"
                "  release: {{ .Release.Name }}/{{ .Release.Namespace }}/{{ .Release.Revision }}/{{ .Release.IsInstall }}\n"
                "  chart: {{ .Chart.Name }}-{{ .Chart.Version }}-{{ .Chart.AppVersion }}-{{ .Chart.IsRoot }}\n"
                "  template: {{ .Template.Name }} in {{ .Template.BasePath }}\n"
                '  kube: {{ .Capabilities.KubeVersion.Version }} {{ .Capabilities.APIVersions.Has "apps/v1" }}\n'
                '  types: {{ printf "%T %T %v" .Release.Revision .Values.port .Values.port }}\n'
                "  big: {{ .Values.big }}\n"
                '  file: {{ .Files.Get "files/a.txt" | trim }}{{ .Files.Get "../Chart.yaml" }}\n'
            )
        },
        values="port: 80\nbig: 1000000\n",
        extra={"files/a.txt": "A\n"},
        chart_yaml="apiVersion: v2\nname: app\nversion: 1.2.3\nappVersion: '9'\n",
    )
    text = render(tmp_path / "app")
    assert "release: release-name/default/1/true" in text
    assert "chart: app-1.2.3-9-true" in text
    assert "template: app/templates/cm.yaml in app/templates" in text
    assert "kube: v1.31.0 true" in text
    assert "types: int float64 80" in text
    assert "big: 1e+06" in text  # float64, as Helm prints it
    assert "file: A\n" in text


def test_kube_and_api_versions(tmp_path: Path) -> None:
    make_chart(
        tmp_path / "app",
        {
            "cm.yaml": (
                "kind: ConfigMap\ndata:\n  v: {{ .Capabilities.KubeVersion.Minor }}\n"
                '  has: {{ .Capabilities.APIVersions.Has "example.com/v1" }}\n'
            )
        },
    )
    text = render(tmp_path / "app", kube_version="1.16", api_versions=("example.com/v1",))
    assert "v: 16" in text and "has: true" in text


def test_kube_version_constraint(tmp_path: Path) -> None:
    make_chart(
        tmp_path / "app",
        {},
        chart_yaml="apiVersion: v2\nname: app\nversion: 1.0.0\nkubeVersion: '>=1.25.0-0'\n",
    )
    assert render(tmp_path / "app") == "\n"
    assert render_error(tmp_path / "app", kube_version="1.20.0").message == (
        "chart requires kubeVersion: >=1.25.0-0 which is incompatible with Kubernetes v1.20.0"
    )


def test_values_and_set_reach_templates(tmp_path: Path) -> None:
    make_chart(
        tmp_path / "app",
        {"cm.yaml": "kind: ConfigMap\ndata:\n  a: {{ .Values.a }}\n  b: {{ .Values.b }}\n"},
        values="a: from-chart\nb: 1\n",
    )
    assert "a: override" in render(tmp_path / "app", {"a": "override"})


def test_library_subchart_defines_are_usable_but_not_rendered(tmp_path: Path) -> None:
    make_chart(
        tmp_path / "app",
        {"cm.yaml": 'kind: ConfigMap\ndata:\n  x: {{ include "lib.x" . }}\n'},
        extra={
            "charts/lib/Chart.yaml": "apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n",
            "charts/lib/templates/_x.tpl": '{{ define "lib.x" }}from-lib{{ end }}',
            "charts/lib/templates/cm.yaml": "kind: ConfigMap\nmetadata:\n  name: never\n",
        },
    )
    text = render(tmp_path / "app")
    assert "x: from-lib" in text and "never" not in text


def test_parent_define_wins_over_subchart_define(tmp_path: Path) -> None:
    make_chart(
        tmp_path / "app",
        {
            "_h.tpl": '{{ define "name" }}parent{{ end }}',
            "cm.yaml": 'kind: ConfigMap\ndata:\n  n: {{ include "name" . }}\n',
        },
        extra={
            "charts/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
            "charts/sub/templates/_h.tpl": '{{ define "name" }}child{{ end }}',
        },
    )
    assert "n: parent" in render(tmp_path / "app")


def test_subchart_values_scope_and_globals(tmp_path: Path) -> None:
    make_chart(
        tmp_path / "app",
        {},
        values="global:\n  env: prod\nsub:\n  port: 8080\n",
        extra={
            "charts/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
            "charts/sub/values.yaml": "port: 80\nname: sub-default\n",
            "charts/sub/templates/cm.yaml": "kind: ConfigMap\ndata:\n  v: {{ .Values.port }}-{{ .Values.name }}-{{ .Values.global.env }}\n",
        },
    )
    assert "v: 8080-sub-default-prod" in render(tmp_path / "app")


def test_tpl_include_and_empty_tpl(tmp_path: Path) -> None:
    make_chart(
        tmp_path / "app",
        {
            "_h.tpl": '{{ define "greet" }}hello {{ .Values.who }}{{ end }}',
            "cm.yaml": (
                'kind: ConfigMap\ndata:\n  a: {{ tpl .Values.text . }}\n  b: "{{ tpl .Values.empty . }}"\n'
                '  c: {{ include "greet" . | upper }}\n'
            ),
        },
        values='who: world\ntext: "{{ include \\"greet\\" . }} via {{ tpl .Values.empty . }}tpl"\nempty: ""\n',
    )
    text = render(tmp_path / "app")
    assert "a: hello world via tpl" in text and 'b: ""' in text and "c: HELLO WORLD" in text


def test_a_template_may_replace_values_for_the_templates_after_it(tmp_path: Path) -> None:
    """Istio's charts merge their profile into $.Values in zzz_profile.yaml, which Helm executes first."""
    make_chart(
        tmp_path / "app",
        {
            "zzz_profile.yaml": '{{- $_ := set $ "Values" (merge (dict "extra" "merged") $.Values) }}',
            "cm.yaml": "kind: ConfigMap\ndata:\n  x: {{ .Values.extra }}\n",
        },
    )
    assert "x: merged" in render(tmp_path / "app")


# -- errors as Helm words them -----------------------------------------------------------------------------


def test_fail_and_required(tmp_path: Path) -> None:
    make_chart(tmp_path / "app", {"cm.yaml": 'a: {{ required "a is required" .Values.a }}\n'})
    assert (
        render_error(tmp_path / "app").message
        == "execution error at (app/templates/cm.yaml:1:6): a is required"
    )


def test_parse_error(tmp_path: Path) -> None:
    make_chart(tmp_path / "app", {"cm.yaml": "a: b\nc: {{ .Values.x | nosuchfunc }}\n"})
    error = render_error(tmp_path / "app")
    assert error.message == 'parse error at (app/templates/cm.yaml:2): function "nosuchfunc" not defined'
    assert error.source_path == "app/templates/cm.yaml" and error.line == 2


def test_exec_error_is_gos_text(tmp_path: Path) -> None:
    make_chart(tmp_path / "app", {"cm.yaml": "a: {{ .Values.missing.deep }}\n"})
    assert render_error(tmp_path / "app").message == (
        'template: app/templates/cm.yaml:1:13: executing "app/templates/cm.yaml" at <.Values.missing.deep>: '
        "nil pointer evaluating interface {}.deep"
    )


def test_invalid_yaml_output(tmp_path: Path) -> None:
    make_chart(tmp_path / "app", {"pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\ninvalid\n"})
    error = render_error(tmp_path / "app")
    assert error.message == (
        "YAML parse error on app/templates/pod.yaml: error converting YAML to JSON: "
        "yaml: line 6: could not find expected ':'"
    )  # go-yaml counts one line more here


def test_keep_going_renders_the_other_templates(tmp_path: Path) -> None:
    make_chart(
        tmp_path / "app",
        {"bad.yaml": '{{ fail "no" }}', "bad2.yaml": "a: b\n- c\n", "good.yaml": "kind: ConfigMap\n"},
    )
    result = render_chart(load_chart(tmp_path / "app", "app"), {}, RenderOptions(keep_going=True))
    assert [m.template.name for m in result.manifests] == ["app/templates/good.yaml"]
    assert sorted(error.template or "" for error in result.errors) == [
        "app/templates/bad.yaml",
        "app/templates/bad2.yaml",
    ]


def test_values_schema_is_checked(tmp_path: Path) -> None:
    schema = '{"type": "object", "properties": {"replicas": {"type": "integer", "minimum": 1}}}'
    make_chart(tmp_path / "app", {}, values="replicas: 2\n", extra={"values.schema.json": schema})
    assert render(tmp_path / "app") == "\n"
    error = render_error(tmp_path / "app", values={"replicas": 0})
    assert error.message.startswith(
        "values don't meet the specifications of the schema(s) in the following chart(s):\n"
        "app:\n- replicas: must be at least 1"
    )
    assert "0" not in error.message.split("replicas:")[1]  # the key and the bound, never the value


def test_values_schema_with_remote_reference_is_skipped_not_fetched(tmp_path: Path) -> None:
    schema = '{"properties": {"x": {"$ref": "https://example.com/schema.json"}}}'
    make_chart(tmp_path / "app", {}, values="x: 1\n", extra={"values.schema.json": schema})
    result = render_chart(load_chart(tmp_path / "app", "app"), {}, RenderOptions())
    assert any("values.schema.json not checked" in warning for warning in result.warnings)


def test_library_chart_is_not_installable(tmp_path: Path) -> None:
    make_chart(tmp_path / "lib", {}, chart_yaml="apiVersion: v2\nname: lib\nversion: 1.0.0\ntype: library\n")
    with pytest.raises(ChartError, match="library charts are not installable"):
        render(tmp_path / "lib")


# -- hostile charts ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "template, message",
    [
        (
            '{{ define "a" }}{{ include "a" . }}{{ end }}{{ include "a" . }}',
            "exceeded maximum template depth",
        ),
        (
            '{{ define "a" }}{{ tpl "{{ include \\"a\\" . }}" . }}{{ end }}{{ include "a" . }}',
            "exceeded maximum template depth",
        ),
        (
            "{{ range until 100000000 }}x{{ end }}",
            "error calling until: the result would have 100,000,000 items",
        ),
        ("{{ range 100000000 }}x{{ end }}", "render budget exceeded: evaluation steps per chart"),
        ('{{ repeat 100000000 "x" }}', "error calling repeat: the result would have 100,000,000 characters"),
        (
            '{{ $s := "xx" }}{{ range until 64 }}{{ $s = print $s $s }}{{ end }}',
            "error calling print: the result has",
        ),
        ('{{ printf "%0999999999d" 1 }}', "error calling printf"),
        ("{{ $l := list 1 }}{{ range until 64 }}{{ $l = concat $l $l }}{{ end }}", "error calling concat"),
        (
            "{{ range until 1000 }}{{ range until 1000 }}{{ range until 1000 }}x{{ end }}{{ end }}{{ end }}",
            "render budget exceeded",
        ),
    ],
)
def test_hostile_templates_stop_quickly_with_an_error(tmp_path: Path, template: str, message: str) -> None:
    make_chart(tmp_path / "app", {"x.yaml": template})
    error = render_error(tmp_path / "app")  # a limit, not a hang or memory exhaustion, ends the render
    assert message in error.message


def test_catastrophic_regex_is_linear_on_re2(tmp_path: Path) -> None:
    # Python's re would backtrack for hours; RE2 (Go's semantics) answers at once.
    make_chart(
        tmp_path / "app",
        {"x.yaml": 'a: "{{ regexMatch "(a+)+$" (printf "%sb" (repeat 50000 "a")) }}"\n'},
    )
    assert 'a: "false"' in render(tmp_path / "app")


def test_yaml_alias_bomb_in_from_yaml_is_refused(tmp_path: Path) -> None:
    bomb = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    bomb += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    make_chart(
        tmp_path / "app",
        {"x.yaml": '{{ $x := fromYaml (.Files.Get "bomb.yaml") }}'},
        extra={"bomb.yaml": "\n".join(bomb) + "\n"},
    )
    assert "alias bomb" in render_error(tmp_path / "app").message


def test_render_deadline_abandons_the_render(tmp_path: Path) -> None:
    make_chart(
        tmp_path / "app", {f"t{i}.yaml": '{{ range until 20000 }}{{ lower "X" }}{{ end }}' for i in range(5)}
    )
    with pytest.raises(RenderBudgetError, match="render budget exceeded: seconds per chart"):
        render_chart(
            load_chart(tmp_path / "app", "app"), {}, RenderOptions(max_seconds=0.01, keep_going=True)
        )


def test_files_cannot_reach_outside_the_chart(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("TOP SECRET")
    chart = make_chart(
        tmp_path / "app",
        {
            "cm.yaml": (
                'a: "{{ .Files.Get "../secret.txt" }}{{ .Files.Get "/etc/passwd" }}{{ .Files.Get "files/link.txt" }}"\n'
                'b: {{ len (.Files.Glob "**") }}\n'
            )
        },
        extra={"files/ok.txt": "ok"},
    )
    os.symlink(tmp_path / "secret.txt", chart / "files" / "link.txt")
    text = render(chart)
    assert 'a: ""' in text and "b: 1" in text and "SECRET" not in text


# -- the manifest splitter -----------------------------------------------------------------------------------------


def test_split_manifests_keeps_offsets() -> None:
    text = "\n---\na: 1\n---   \n\nb: 2\n--- # c\nc: 3\n"
    documents = split_manifests(text)
    assert [content for _, content in documents] == ["a: 1", "b: 2", "# c\nc: 3"]
    assert all(text[offset : offset + len(content)] == content for offset, content in documents)


# -- source map -----------------------------------------------------------------------------------------------------


def test_template_line_map_attributes_included_text_to_the_include_line(tmp_path: Path) -> None:
    chart = make_chart(
        tmp_path / "app",
        {
            "_h.tpl": '{{ define "labels" }}\na: 1\nb: 2\n{{- end }}',
            "cm.yaml": (
                'kind: ConfigMap\nmetadata:\n  labels:\n    {{- include "labels" . | nindent 4 }}\n'
                '{{ template "labels" . }}\nend: {{ .Values.x }}\n'
            ),
        },
    )
    result = render_chart(load_chart(chart, "app"), {}, RenderOptions())
    rendered = result.templates["app/templates/cm.yaml"]
    lines = template_line_map(rendered.text, rendered.trace, rendered.name)
    by_text = dict(zip(rendered.text.split("\n"), lines))
    assert by_text["kind: ConfigMap"] == 1 and by_text["    a: 1"] == 4 and by_text["    b: 2"] == 4
    assert by_text["a: 1"] == 5 and by_text["end: "] == 6


def test_lint_objects_point_at_template_lines_with_the_values_set(tmp_path: Path) -> None:
    objects, problems = render_chart_for_lint(EXAMPLE, REPO_ROOT)
    assert {obj.path for obj in objects} == {"tests/helm/data/medical-device/templates/deployment.yaml"}
    assert sorted(obj.subject for obj in objects) == [
        "Deployment/release-name-medical-device [values-prod.yaml]",
        "Deployment/release-name-medical-device [values.yaml]",
    ]
    assert all(
        isinstance(obj, K8sObject) and obj.rendered_from == "tests/helm/data/medical-device"
        for obj in objects
    )
    deployment = objects[0]
    container = deployment.document.tree["spec"]["template"]["spec"]["containers"][0]
    assert container.key_span("securityContext")[0] == 32
    assert container["securityContext"].key_span("readOnlyRootFilesystem")[0] == 33
    assert container.key_span("image")[0] == 34
    assert deployment.labels["helm.sh/chart"].location.line == 6
    assert deployment.location.line == 1
    messages = sorted(problem.message for problem in problems)
    assert [problem.rule_id for problem in problems] == ["MD003", "MD003"]
    assert 'dependency "postgresql" 11.x.x' in messages[0] and "`helm dependency build`" in messages[0]
    assert sorted(problem.location.line for problem in problems) == [15, 19]


def test_findings_on_rendered_objects_point_at_templates_and_values_keys() -> None:
    from medlint.engine import run_rules
    from medlint.model import Project
    from medlint.parsers.kubernetes import workload_from_object
    from medlint.rulepack import load_rule_pack
    from medlint.safety import resolve_safety_class

    objects, problems = render_chart_for_lint(EXAMPLE, REPO_ROOT)
    workloads = [workload for obj in objects if (workload := workload_from_object(obj)) is not None]
    project = Project(k8s_objects=tuple(objects), workloads=tuple(workloads), problems=tuple(problems))
    findings = explain_findings(
        run_rules(project, load_rule_pack(), resolve_safety_class(project, "C")).findings
    )
    assert all(not f.location.path.endswith(".txt") and "/tmp" not in f.location.path for f in findings)
    root_user = [f for f in findings if f.rule_id == "MD201"]
    assert len(root_user) == 1 and "[values-prod.yaml]" in root_user[0].subject
    assert (root_user[0].location.path, root_user[0].location.line) == (
        "tests/helm/data/medical-device/templates/deployment.yaml",
        33,
    )
    origin = root_user[0].location.helm
    assert origin is not None and (origin.template, origin.line, origin.values_set) == (
        "tests/helm/data/medical-device/templates/deployment.yaml",
        33,
        "values-prod.yaml",
    )
    assert [(key.location.path, key.location.line, key.key) for key in origin.values_keys] == [
        ("tests/helm/data/medical-device/values-prod.yaml", 13, "securityContext.runAsUser")
    ]
    related = [(r.location.path, r.location.line, r.message) for r in root_user[0].related]
    assert related == [
        (
            "tests/helm/data/medical-device/values-prod.yaml",
            13,
            "values-prod.yaml: securityContext.runAsUser (values set values-prod.yaml)",
        )
    ]
    digest = [
        f for f in findings if f.rule_id == "MD102" and "[values.yaml]" in f.subject and f.location.line == 34
    ]
    assert digest and {r.message.split(" (")[0] for r in digest[0].related} == {
        "values.yaml: image.repository",
        "values.yaml: image.tag",
    }


def test_lint_reports_render_errors_at_the_template_line(tmp_path: Path) -> None:
    chart = make_chart(
        tmp_path / "app",
        {
            "ok.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n",
            "bad.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\n{{ .Values.junk }}\n",
            "fail.yaml": '\n\n{{ fail "please set x" }}\n',
        },
        values="name: p\njunk: oops\n",
    )
    objects, problems = render_chart_for_lint(chart, tmp_path)
    assert [obj.name for obj in objects] == ["ok"]
    found = sorted((p.location.path, p.location.line, p.message) for p in problems)
    assert (
        found[0][:2] == ("app/templates/bad.yaml", 5)
        and "YAML parse error on app/templates/bad.yaml" in found[0][2]
    )
    assert found[1][:2] == ("app/templates/fail.yaml", 3)
    assert found[1][2] == (
        "chart app cannot be rendered with values.yaml: execution error at "
        "(app/templates/fail.yaml:3:3): please set x"
    )


def test_lint_reports_invalid_charts_and_values_files(tmp_path: Path) -> None:
    bad_type = make_chart(
        tmp_path / "bad", {}, chart_yaml="apiVersion: v2\nname: bad\nversion: 1.0.0\ntype: foobar\n"
    )
    _, problems = render_chart_for_lint(bad_type, tmp_path)
    assert [(p.rule_id, p.location.path, p.location.line) for p in problems] == [
        ("MD003", "bad/Chart.yaml", 4)
    ]
    assert "validation: chart.metadata.type must be application or library" in problems[0].message
    chart = make_chart(tmp_path / "app", {}, extra={"values-prod.yaml": "a: 1\nb: [\n"})
    _objects, problems = render_chart_for_lint(chart, tmp_path)
    assert [(p.location.path, p.location.line, p.message.split(": ")[0]) for p in problems] == [
        ("app/values-prod.yaml", 3, "chart app cannot be rendered with values-prod.yaml")
    ]


def test_library_chart_is_parsed_not_rendered(tmp_path: Path) -> None:
    ok = make_chart(
        tmp_path / "lib",
        {"_x.tpl": '{{ define "x" }}{{ end }}'},
        chart_yaml="apiVersion: v2\nname: lib\nversion: 1.0.0\ntype: library\n",
    )
    assert render_chart_for_lint(ok, tmp_path) == ([], [])
    (ok / "templates" / "_y.tpl").write_text('{{ define "y" }}{{ .Values.x ')
    _, problems = render_chart_for_lint(ok, tmp_path)
    assert problems and problems[0].location.path == "lib/templates/_y.tpl"


def test_disabled_missing_dependency_is_not_reported(tmp_path: Path) -> None:
    chart = make_chart(
        tmp_path / "app",
        {},
        values="db:\n  enabled: false\n",
        chart_yaml=(
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n"
            "- name: db\n  version: 1.0.0\n  repository: https://example.com\n  condition: db.enabled\n"
        ),
    )
    assert render_chart_for_lint(chart, tmp_path, values_sets=[ValuesSet("values.yaml")]) == ([], [])
    _, problems = render_chart_for_lint(
        chart, tmp_path, values_sets=[ValuesSet("on", (), ("db.enabled=true",))]
    )
    assert len(problems) == 1 and "(values sets: on)" in problems[0].message


# -- medlint render ---------------------------------------------------------------------------------------------------


def test_render_command(tmp_path: Path) -> None:
    chart = make_chart(
        tmp_path / "app",
        {
            "cm.yaml": (
                "kind: ConfigMap\ndata:\n  a: {{ .Values.a }}\n  b: {{ .Values.b }}\n"
                '  api: {{ .Capabilities.APIVersions.Has "x/v1" }}{{ .Capabilities.APIVersions.Has "y/v1" }}\n'
            )
        },
        values="a: 1\nb: 1\n",
    )
    (tmp_path / "over.yaml").write_text("a: 2\n")
    runner = cli_runner()
    result = runner.invoke(
        render_command,
        [str(chart), "-f", str(tmp_path / "over.yaml"), "--set", "b=3", "--api-versions", "x/v1,y/v1"],
    )
    assert result.exit_code == 0, result.output
    assert (
        result.output
        == "---\n# Source: app/templates/cm.yaml\nkind: ConfigMap\ndata:\n  a: 2\n  b: 3\n  api: truetrue\n"
    )


def test_render_command_errors(tmp_path: Path) -> None:
    chart = make_chart(tmp_path / "app", {"x.yaml": '{{ fail "boom" }}', "ok.yaml": "kind: ConfigMap\n"})
    result = cli_runner().invoke(render_command, [str(chart)])
    assert result.exit_code == 1
    assert "# Source: app/templates/ok.yaml" in result.stdout
    assert "Error: execution error at (app/templates/x.yaml:1:3): boom" in result.stderr
    bad = make_chart(
        tmp_path / "bad", {}, chart_yaml="apiVersion: v2\nname: bad\nversion: 1.0.0\ntype: foobar\n"
    )
    result = cli_runner().invoke(render_command, [str(bad)])
    assert (
        result.exit_code == 1
        and result.stderr == "Error: validation: chart.metadata.type must be application or library\n"
    )
    assert cli_runner().invoke(render_command, [str(chart), "--set", "broken"]).exit_code == 1
    assert cli_runner().invoke(render_command, [str(tmp_path / "absent")]).exit_code == 2


def test_render_command_example_with_missing_dependencies() -> None:
    result = cli_runner().invoke(render_command, [str(EXAMPLE), "-f", str(EXAMPLE / "values-prod.yaml")])
    assert result.exit_code == 1
    assert "runAsUser: 0" in result.stdout
    assert "missing in charts/ directory: postgresql, redis" in result.stderr


def test_errors_in_helper_files_are_reported_there(tmp_path: Path) -> None:
    chart = make_chart(
        tmp_path / "app",
        {
            "_helpers.tpl": '{{ define "broken" }}\n\n{{ .Values.a.b.c }}{{ end }}',
            "cm.yaml": 'kind: ConfigMap\n{{ template "broken" . }}\n',
            "tpl.yaml": 'kind: ConfigMap\n{{ tpl "{{ .Values.x.y.z }}" . }}\n',
        },
    )
    _, problems = render_chart_for_lint(chart, tmp_path)
    assert sorted((p.location.path, p.location.line) for p in problems) == [
        ("app/templates/_helpers.tpl", 3),
        ("app/templates/tpl.yaml", 2),
    ]


def test_a_lint_render_leaves_no_reference_cycles_for_the_collector() -> None:
    """Cycles wait for the (slowed-down) cyclic collector with all they hold: a render's parsed templates
    (include and tpl refer to their template set) and its source positions must be freed by reference
    counting as soon as the render is over."""
    import gc

    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        objects, _problems = render_chart_for_lint(EXAMPLE, REPO_ROOT)
        assert objects
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        left = {type(item).__name__ for item in gc.garbage}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()
    # The template set itself may wait (it is emptied); what it held, and the positions, may not.
    assert not left & {"Tree", "CommandNode", "TextNode", "TemplatePositions", "YamlMap", "RenderedTemplate"}
