"""Execution semantics of Go templates: values, fields, nil handling, scoping, control flow, errors."""

from __future__ import annotations

from typing import Any

import pytest

from medlint.helm.gotemplate import FuncArgError, TemplateExecError, TemplateSet


def render(src: str, data: Any = None, funcs: Any = None, **options: Any) -> str:
    ts = TemplateSet(funcs=funcs, **options)
    ts.parse("t", src)
    return ts.execute("t", data)


def exec_error(src: str, data: Any = None, funcs: Any = None, **options: Any) -> TemplateExecError:
    ts = TemplateSet(funcs=funcs, **options)
    ts.parse("t", src)
    with pytest.raises(TemplateExecError) as info:
        ts.execute("t", data)
    return info.value


# -- printing values ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "want"),
    [
        (None, "<no value>"),
        (3.0, "3"),
        (1000000.0, "1e+06"),
        (0.5, "0.5"),
        (7, "7"),
        (True, "true"),
        ("s", "s"),
        ([1.0, "a", None], "[1 a <nil>]"),
        ({"b": 2, "a": {"c": None}}, "map[a:map[c:<nil>] b:2]"),
    ],
)
def test_print_uses_go_fmt_rules(data: Any, want: str) -> None:
    assert render("{{ . }}", data) == want


def test_text_is_copied_verbatim() -> None:
    assert (
        render("plain: text\n  with {braces} and }} and {", None)
        == "plain: text\n  with {braces} and }} and {"
    )


# -- fields and nil handling ----------------------------------------------------------------------


def test_nested_map_fields() -> None:
    data = {"Values": {"image": {"tag": "1.2", "pullPolicy": None}}}
    assert render("{{ .Values.image.tag }}|{{ .Values.image.pullPolicy }}", data) == "1.2|<no value>"


def test_missing_key_prints_no_value() -> None:
    assert render("[{{ .Values.missing }}]", {"Values": {}}) == "[<no value>]"


def test_field_of_missing_key_errors_like_helm() -> None:
    err = exec_error("line1\n  {{ .Values.a.b }}", {"Values": {}})
    assert str(err) == (
        'template: t:2:12: executing "t" at <.Values.a.b>: nil pointer evaluating interface {}.b'
    )
    assert (err.template_name, err.line, err.column) == ("t", 2, 12)
    assert err.message == "nil pointer evaluating interface {}.b"
    assert err.executing == "t" and err.context == ".Values.a.b"


def test_field_of_null_value_errors() -> None:
    err = exec_error("{{ .a.b }}", {"a": None})
    assert err.message == "nil pointer evaluating interface {}.b"


def test_field_of_invalid_variable_is_silently_nil() -> None:
    # $x holds an invalid value (the pipeline unwraps the nil interface): no error.
    assert render("{{ $x := .missing }}{{ $x.b.c }}", {}) == "<no value>"
    assert render("{{ (.missing).b }}", {}) == "<no value>"


def test_field_of_nil_dot_in_template_call_is_silently_nil() -> None:
    src = '{{ define "d" }}[{{ .x }}]{{ end }}{{ template "d" .missing }}'
    assert render(src, {}) == "[<no value>]"


def test_field_on_nil_range_element_errors() -> None:
    err = exec_error("{{ range . }}{{ .name }}{{ end }}", [None])
    assert str(err) == 'template: t:1:16: executing "t" at <.name>: nil pointer evaluating interface {}.name'


@pytest.mark.parametrize(
    ("src", "data", "message"),
    [
        ("{{ .a.x }}", {"a": 1.5}, "can't evaluate field x in type interface {}"),
        ("{{ range . }}{{ .name }}{{ end }}", ["s"], "can't evaluate field name in type interface {}"),
        ("{{ with .s }}{{ .name }}{{ end }}", {"s": "x"}, "can't evaluate field name in type string"),
        ("{{ .x }}", [1], "can't evaluate field x in type []interface {}"),
        ("{{ .a 1 }}", {"a": 1}, "a is not a method but has arguments"),
        ("{{ 1 2 }}", None, "can't give argument to non-function 1"),
        ("{{ $x := 1 }}{{ $x 2 }}", None, "can't give argument to non-function $x"),
        ("{{ nil }}", None, "nil is not a command"),
        ("{{ 18446744073709551615 }}", None, "18446744073709551615 overflows int"),
        ("{{ .f }}", {"f": len}, "can't print {{.f}} of type func"),
    ],
)
def test_field_and_command_errors(src: str, data: Any, message: str) -> None:
    assert exec_error(src, data).message == message


def test_missingkey_modes() -> None:
    assert render("{{ .a.b }}", {}, missing_key="default") == "<no value>"
    err = exec_error("{{ .a }}", {}, missing_key="error")
    assert err.message == 'map has no entry for key "a"'
    err = exec_error("{{ $x := .a }}", {"b": 1}, missing_key="error")
    assert err.message == 'map has no entry for key "a"'
    with pytest.raises(ValueError):
        TemplateSet(missing_key="bogus")


class Release:
    """A Helm-like object: exported attributes and methods."""

    Name = "rel"
    Namespace = "ns"
    IsInstall = True
    secret = "hidden"

    def Get(self, path: str) -> str:
        if path == "boom":
            raise ValueError("no such file")
        return "content of " + path


class VersionSet(list):
    def Has(self, version: str) -> bool:
        return version in self


class Values(dict):
    def AsMap(self) -> dict:
        return dict(self)


def test_object_fields_and_methods() -> None:
    data = {"Release": Release(), "Capabilities": {"APIVersions": VersionSet(["v1", "apps/v1"])}}
    src = (
        '{{ .Release.Name }}/{{ .Release.Namespace }} {{ .Release.Get "a.txt" }} '
        '{{ .Capabilities.APIVersions.Has "apps/v1" }} {{ .Capabilities.APIVersions.Has "x" }} '
        "{{ if .Release.IsInstall }}install{{ end }}"
    )
    assert render(src, data) == "rel/ns content of a.txt true false install"


def test_method_result_piped_and_as_argument() -> None:
    data = {"Files": Release()}
    assert (
        render('{{ "x" | .Files.Get }}|{{ printf "%s!" (.Files.Get "y") }}', data)
        == "content of x|content of y!"
    )


def test_object_errors() -> None:
    data = {"Release": Release()}
    # Reached through a map, the receiver is an interface value; as dot it has its own type.
    assert (
        exec_error("{{ .Release.secret }}", data).message
        == "can't evaluate field secret in type interface {}"
    )
    assert exec_error("{{ .secret }}", Release()).message == "can't evaluate field secret in type Release"
    assert (
        exec_error("{{ .__class__ }}", Release()).message == "can't evaluate field __class__ in type Release"
    )
    assert exec_error("{{ .Missing }}", Release()).message == "can't evaluate field Missing in type Release"
    assert exec_error('{{ .Release.Get "boom" }}', data).message == "error calling Get: no such file"
    assert exec_error("{{ .Release.Get }}", data).message == "wrong number of args for Get: want 1 got 0"
    assert (
        exec_error('{{ .Release.Name "x" }}', data).message
        == "Name has arguments but cannot be invoked as function"
    )


def test_dict_subclass_methods_take_precedence_over_keys() -> None:
    values = Values({"a": 1, "AsMap": "shadowed", "items": "key"})
    assert render("{{ .V.AsMap }} {{ .V.a }} {{ .V.items }}", {"V": values}) == (
        "map[AsMap:shadowed a:1 items:key] 1 key"
    )


# -- variables and scoping --------------------------------------------------------------------------


def test_dollar_is_the_data_everywhere() -> None:
    assert render("{{ range .l }}{{ $.name }}{{ . }};{{ end }}", {"l": [1, 2], "name": "n"}) == "n1;n2;"


def test_assignment_changes_outer_variable_and_declarations_are_block_scoped() -> None:
    src = "{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $x := 3 }}{{ $x }}{{ end }}{{ $x }}"
    assert render(src) == "32"


def test_range_assignment_updates_outer_variables() -> None:
    src = "{{ $last := 0 }}{{ range . }}{{ $last = . }}{{ end }}{{ $last }}"
    assert render(src, [4, 5, 6]) == "6"
    src = "{{ $i := 0 }}{{ $v := 0 }}{{ range $i, $v = . }}{{ end }}{{ $i }}-{{ $v }}"
    assert render(src, ["a", "b"]) == "1-b"


def test_variables_declared_in_if_pipeline_visible_in_both_branches() -> None:
    src = "{{ if $x := .a }}yes {{ $x }}{{ else }}no {{ $x }}{{ end }}"
    assert render(src, {"a": 0}) == "no 0"
    assert render(src, {"a": 5}) == "yes 5"


def test_range_variables_reset_each_iteration() -> None:
    src = "{{ range . }}{{ $seen := . }}{{ $seen }}{{ end }}"
    assert render(src, [1, 2]) == "12"


def test_range_else_sees_declared_variable() -> None:
    assert render("{{ range $x := . }}{{ else }}{{ len $x }}{{ end }}", []) == "0"


def test_template_call_does_not_inherit_variables_but_keeps_pipeline_declarations() -> None:
    ts = TemplateSet()
    ts.parse("t", '{{ define "d" }}{{ $ }}{{ end }}{{ template "d" $y := 5 }}{{ $y }}')
    assert ts.execute("t") == "55"


def test_assign_to_undeclared_variable_is_exec_error() -> None:
    assert exec_error("{{ $z = 1 }}").message == "undefined variable: $z"


# -- if / with / range ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "truthy"),
    [
        (None, False),
        (False, False),
        (True, True),
        (0, False),
        (-1, True),
        (0.0, False),
        (0.1, True),
        ("", False),
        ("0", True),
        ([], False),
        ([0], True),
        ({}, False),
        ({"a": None}, True),
        (Release(), True),
    ],
)
def test_truthiness(value: Any, truthy: bool) -> None:
    assert render("{{ if .v }}T{{ else }}F{{ end }}", {"v": value}) == ("T" if truthy else "F")


def test_if_else_if_chain() -> None:
    src = "{{ if eq .n 1 }}one{{ else if eq .n 2 }}two{{ else if eq .n 3 }}three{{ else }}many{{ end }}"
    assert [render(src, {"n": n}) for n in (1, 2, 3, 4)] == ["one", "two", "three", "many"]


def test_with_sets_dot_and_else_with_chain() -> None:
    src = "{{ with .a }}A={{ . }}{{ else with .b }}B={{ . }}{{ else }}none:{{ .c }}{{ end }}"
    assert render(src, {"a": 1, "b": 2, "c": 3}) == "A=1"
    assert render(src, {"a": 0, "b": 2, "c": 3}) == "B=2"
    assert render(src, {"a": 0, "b": "", "c": 3}) == "none:3"


def test_range_over_list_map_and_ints() -> None:
    assert render("{{ range $i, $e := . }}{{ $i }}={{ $e }};{{ end }}", ["a", "b"]) == "0=a;1=b;"
    assert (
        render("{{ range $k, $v := . }}{{ $k }}={{ $v }};{{ end }}", {"b": 1, "a": 2, "C": 3})
        == "C=3;a=2;b=1;"
    )
    assert render("{{ range . }}{{ . }}{{ end }}", {"z": 1, "y": 2}) == "21"
    assert render("{{ range 4 }}{{ . }}{{ end }}") == "0123"
    assert render("{{ range $i := 3 }}<{{ $i }}>{{ end }}") == "<0><1><2>"
    assert render("{{ range $e := . }}{{ $e }}{{ end }}", [7, 8]) == "78"


@pytest.mark.parametrize("empty", [None, [], {}, 0, -3])
def test_range_else_on_empty(empty: Any) -> None:
    assert render("{{ range .x }}item{{ else }}empty{{ end }}", {"x": empty}) == "empty"


@pytest.mark.parametrize(
    ("src", "data", "message"),
    [
        ('{{ range "abc" }}{{ end }}', None, "range can't iterate over abc"),
        ("{{ range .b }}{{ end }}", {"b": True}, "range can't iterate over true"),
        ("{{ range .f }}{{ end }}", {"f": 2.0}, "range can't iterate over 2"),
        ("{{ range $i, $e := 3 }}{{ end }}", None, "can't use 3 to iterate over more than one variable"),
    ],
)
def test_range_errors(src: str, data: Any, message: str) -> None:
    assert exec_error(src, data).message == message


def test_break_and_continue() -> None:
    src = "{{ range . }}{{ if eq . 3 }}{{ break }}{{ end }}{{ if eq . 1 }}{{ continue }}{{ end }}{{ . }}{{ end }}"
    assert render(src, [0, 1, 2, 3, 4]) == "02"
    nested = "{{ range .o }}[{{ range $.i }}{{ if eq . 1 }}{{ break }}{{ end }}{{ . }}{{ end }}]{{ end }}"
    assert render(nested, {"o": [1, 2], "i": [0, 1, 2]}) == "[0][0]"
    assert render("{{ range . }}{{ break }}{{ else }}E{{ end }}", [1]) == ""
    assert render("{{ range 1000000 }}{{ if eq . 2 }}{{ break }}{{ end }}{{ . }}{{ end }}") == "01"


def test_range_does_not_mutate_data() -> None:
    data = {"m": {"b": [1], "a": [2]}}
    render("{{ range $k, $v := .m }}{{ $v }}{{ end }}", data)
    assert list(data["m"]) == ["b", "a"]


# -- templates -------------------------------------------------------------------------------------------


def test_template_and_block() -> None:
    src = (
        '{{ define "greet" }}Hello {{ .name }}{{ end }}'
        '{{ template "greet" .p }}; {{ block "b" .p.name }}block:{{ . }}{{ end }}; {{ template "none-dot" }}'
        '{{ define "none-dot" }}[{{ . }}]{{ end }}'
    )
    assert render(src, {"p": {"name": "Bob"}}) == "Hello Bob; block:Bob; [<no value>]"


def test_template_lookup_is_dynamic_across_parse_calls() -> None:
    ts = TemplateSet()
    ts.parse("main", '{{ template "late" . }}')
    ts.parse("helpers", '{{ define "late" }}late:{{ . }}{{ end }}')
    assert ts.execute("main", 1) == "late:1"


def test_undefined_template_errors() -> None:
    err = exec_error('x{{ template "nope" }}')
    assert str(err) == 'template: t:1:13: executing "t" at <{{template "nope"}}>: template "nope" not defined'
    ts = TemplateSet()
    with pytest.raises(TemplateExecError) as info:
        ts.execute("nope")
    assert str(info.value) == 'template: no template "nope" associated with template "gotpl"'


def test_errors_inside_define_name_the_file_and_the_template() -> None:
    ts = TemplateSet()
    ts.parse("chart/templates/_helpers.tpl", '\n{{ define "lbl" }}\n  {{ .x.y }}\n{{ end }}')
    ts.parse("chart/templates/cm.yaml", '{{ template "lbl" . }}')
    with pytest.raises(TemplateExecError) as info:
        ts.execute("chart/templates/cm.yaml", {})
    assert str(info.value) == (
        'template: chart/templates/_helpers.tpl:3:7: executing "lbl" at <.x.y>: '
        "nil pointer evaluating interface {}.y"
    )


def test_error_column_counts_bytes_like_go() -> None:
    err = exec_error("\u00e9\u00e9{{ .a.b }}", {})
    assert err.column == 9  # two 2-byte characters, then "{{ .a" before ".b"


# -- pipelines and functions -----------------------------------------------------------------------------------


def test_pipeline_value_is_last_argument() -> None:
    funcs = {"join": lambda sep, *parts: sep.join(parts)}
    assert render('{{ "c" | join "-" "a" "b" }}', funcs=funcs) == "a-b-c"
    assert render('{{ .a | printf "%s-%s" "x" }}', {"a": "A"}) == "x-A"
    assert render('{{ (.a).b }} {{ (index . "a").b }}', {"a": {"b": 5}}) == "5 5"


def test_function_wrong_arity_messages() -> None:
    funcs = {"two": lambda a, b: a, "atleast": lambda a, *rest: a}
    assert exec_error("{{ two 1 }}", funcs=funcs).message == "wrong number of args for two: want 2 got 1"
    assert (
        exec_error('{{ "x" | two 1 2 }}', funcs=funcs).message == "wrong number of args for two: want 2 got 3"
    )
    assert (
        exec_error("{{ atleast }}", funcs=funcs).message
        == "wrong number of args for atleast: want at least 1 got 0"
    )
    # A function used as an argument is called with no arguments.
    assert (
        exec_error("{{ print (two) }}", funcs=funcs).message == "wrong number of args for two: want 2 got 0"
    )
    assert exec_error("{{ print two }}", funcs=funcs).message == "wrong number of args for two: want 2 got 0"


def test_function_exceptions_become_error_calling() -> None:
    def fail(msg: str) -> str:
        raise RuntimeError(msg)

    def needs_string(value: Any) -> str:
        raise FuncArgError("wrong type for value; expected string; got int")

    err = exec_error('a\n{{ fail "boom" }}', funcs={"fail": fail})
    assert str(err) == 'template: t:2:3: executing "t" at <fail "boom">: error calling fail: boom'
    err = exec_error("{{ needs_string 1 }}", funcs={"needs_string": needs_string})
    assert err.message == "wrong type for value; expected string; got int"


def test_caller_functions_override_builtins() -> None:
    assert render('{{ len "abc" }}', funcs={"len": lambda s: "custom"}) == "custom"
    # A user "and" is an ordinary function: no short-circuit, all args evaluated.
    calls: list[int] = []
    funcs = {"and": lambda *a: a[-1], "mark": lambda n: calls.append(n) or n}
    assert render("{{ and 0 (mark 1) }}", funcs=funcs) == "1"
    assert calls == [1]


def test_and_or_short_circuit_and_return_deciding_operand() -> None:
    called: list[str] = []

    def boom() -> str:
        called.append("boom")
        raise RuntimeError("evaluated")

    funcs = {"boom": boom}
    assert render("{{ and 0 (boom) }}|{{ or 1 (boom) }}", funcs=funcs) == "0|1"
    assert called == []
    assert render('{{ and 1 "x" 2 }}|{{ or 0 "" }}|{{ or 0 3 }}|{{ and 1 "" 3 }}') == "2||3|"
    assert render("{{ 0 | and 1 }}|{{ 5 | or 0 }}|{{ 0 | or 0 }}") == "0|5|0"
    assert render("{{ and .a.b }}", {"a": {"b": [1]}}) == "[1]"


def test_closures_reach_the_template_set_for_include_and_tpl() -> None:
    ts = TemplateSet()

    def include(name: str, data: Any) -> str:
        return ts.execute(name, data)

    def tpl(text: str, data: Any) -> str:
        scratch = ts.clone()
        scratch.parse("tpl-string", text)
        return scratch.execute("tpl-string", data)

    ts.add_funcs({"include": include, "tpl": tpl, "upper": str.upper})
    ts.parse("_helpers.tpl", '{{ define "name" }}{{ .Release.Name }}-app{{ end }}')
    ts.parse(
        "cm.yaml",
        'name: {{ include "name" . | upper }}\n'
        "tpl: {{ tpl .Values.text . }}\n"
        'inner: {{ tpl "{{ define \\"x\\" }}X{{ end }}{{ template \\"x\\" }}" . }}',
    )
    data = {"Release": {"Name": "rel"}, "Values": {"text": '{{ .Release.Name }} via {{ include "name" . }}'}}
    assert ts.execute("cm.yaml", data) == "name: REL-APP\ntpl: rel via rel-app\ninner: X"
    assert "x" not in ts and "tpl-string" not in ts  # tpl parsed into a clone


def test_include_errors_nest_like_helm() -> None:
    ts = TemplateSet()
    ts.add_funcs({"include": lambda name, data: ts.execute(name, data)})
    ts.parse("h.tpl", '{{ define "bad" }}{{ .a.b }}{{ end }}')
    ts.parse("m.yaml", '{{ include "bad" . }}')
    with pytest.raises(TemplateExecError) as info:
        ts.execute("m.yaml", {})
    assert str(info.value) == (
        'template: m.yaml:1:3: executing "m.yaml" at <include "bad" .>: error calling include: '
        'template: h.tpl:1:23: executing "bad" at <.a.b>: nil pointer evaluating interface {}.b'
    )
