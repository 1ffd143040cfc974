"""Lexing and parsing of Go templates: trim markers, comments, literals, definitions, parse errors."""

from __future__ import annotations

from typing import Any

import pytest

from medlint.helm.gotemplate import TemplateParseError, TemplateSet
from medlint.helm.gotemplate.parser import FieldNode, parse_templates


def render(src: str, data: Any = None, funcs: Any = None) -> str:
    ts = TemplateSet(funcs=funcs)
    ts.parse("t", src)
    return ts.execute("t", data)


def parse_error(src: str, funcs: Any = None) -> str:
    ts = TemplateSet(funcs=funcs)
    with pytest.raises(TemplateParseError) as info:
        ts.parse("t", src)
    return str(info.value)


# -- trim markers and comments ---------------------------------------------------------


@pytest.mark.parametrize(
    ("src", "want"),
    [
        ("a  {{- 3 -}}  b", "a3b"),
        ("a \n\t {{- 3 }} \n b", "a3 \n b"),
        ("a {{ 3 -}} \r\n\n b", "a 3b"),
        ("{{3 -}}\n\n x", "3x"),
        ("{{-3}}", "-3"),
        ("x {{-3}}", "x -3"),
        ("x {{- 3}}", "x3"),
        ("a\n{{-\t3\t-}}\nb", "a3b"),
        ("a\n{{-\n3\n-}}\nb", "a3b"),
        ("x {{ 3 }} y", "x 3 y"),
        ("a{{/* comment */}}b", "ab"),
        ("a {{- /* comment */ -}} b", "ab"),
        ("a\n{{- /* multi\nline\ncomment */}}\nb", "a\nb"),
        ("{{ $x := 3 -}} {{ $x }}", "3"),
    ],
)
def test_trim_markers_and_comments(src: str, want: str) -> None:
    assert render(src) == want


def test_trim_marker_requires_adjacent_space() -> None:
    assert parse_error("{{ .a-}}") == "template: t:1: bad character U+002D '-'"


@pytest.mark.parametrize(
    ("src", "want"),
    [
        ("{{/* c */ }}", "template: t:1: comment ends before closing delimiter"),
        ("{{/* c ", "template: t:1: unclosed comment"),
        ("{{ /* c */ }}", 'template: t:1: unexpected "/" in command'),
    ],
)
def test_comment_errors(src: str, want: str) -> None:
    assert parse_error(src) == want


# -- literals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("src", "want"),
    [
        ('{{ "a\\tb\\n\\"q\\"\\\\" }}', 'a\tb\n"q"\\'),
        ('{{ "\\u00e9\\U0001F600\\x41\\101" }}', "\u00e9\U0001f600AA"),
        ("{{ `raw \\n {{ }}` }}", "raw \\n {{ }}"),
        ("{{ `a\r\nb` }}", "a\nb"),
        ("{{ 'a' }} {{ '\\n' }} {{ '\\'' }} {{ '\\x41' }} {{ '\u00e9' }}", "97 10 39 65 233"),
        ("{{ 42 }} {{ -5 }} {{ +7 }}", "42 -5 7"),
        ("{{ 0x1F }} {{ 0X1f }} {{ 0o17 }} {{ 017 }} {{ 0b101 }} {{ 1_000_000 }}", "31 31 15 15 5 1000000"),
        (
            "{{ 1.0 }} {{ 1.5 }} {{ 1e3 }} {{ 2.5e-7 }} {{ .5 }} {{ 0x1p4 }} {{ 1e6 }}",
            "1 1.5 1000 2.5e-07 0.5 16 1e+06",
        ),
        ("{{ 2i }} {{ 1+2i }}", "(0+2i) (1+2i)"),
        ("{{ true }} {{ false }}", "true false"),
        ("{{ print nil }}", "<nil>"),
    ],
)
def test_literals(src: str, want: str) -> None:
    assert render(src) == want


def test_number_literal_kinds_follow_go_ideal_constants() -> None:
    funcs = {"kind": lambda v: type(v).__name__}
    assert render(
        "{{ kind 1 }} {{ kind 1.0 }} {{ kind 1e3 }} {{ kind 0x10 }} {{ kind 'a' }}", funcs=funcs
    ) == ("int float float int int")


@pytest.mark.parametrize(
    ("src", "want"),
    [
        ("{{ 08 }}", 'template: t:1: integer overflow: "08"'),
        ("{{ 99999999999999999999 }}", 'template: t:1: integer overflow: "99999999999999999999"'),
        ("{{ 1__0 }}", 'template: t:1: illegal number syntax: "1__0"'),
        ("{{ 3x }}", 'template: t:1: bad number syntax: "3x"'),
        ("{{ 'ab' }}", "template: t:1: malformed character constant: 'ab'"),
        ('{{ "\\q" }}', "template: t:1: invalid syntax"),
        ('{{ "abc }}', "template: t:1: unterminated quoted string"),
        ("{{ `abc }}", "template: t:1: unterminated raw quoted string"),
        ("{{ 'a }}", "template: t:1: unterminated character constant"),
    ],
)
def test_literal_errors(src: str, want: str) -> None:
    assert parse_error(src) == want


# -- parse errors and their line numbers ------------------------------------------------------


@pytest.mark.parametrize(
    ("src", "want"),
    [
        ("{{ nope }}", 'template: t:1: function "nope" not defined'),
        ("a\nb\n{{ if .x }}\n", "template: t:4: unexpected EOF"),
        ("{{ end }}", "template: t:1: unexpected {{end}}"),
        ("{{ else }}", "template: t:1: unexpected {{else}}"),
        ("{{ .a", "template: t:1: unclosed action"),
        ("{{ .a\n\n", "template: t:3: unclosed action started at t:1"),
        ("{{ (.a }}", "template: t:1: unclosed left paren"),
        ("{{ .a) }}", "template: t:1: unexpected right paren"),
        ("{{ \u2603 }}", "template: t:1: unrecognized character in action: U+2603 '\u2603'"),
        ("{{ if }}{{ end }}", "template: t:1: missing value for if"),
        ("{{ }}", "template: t:1: missing value for command"),
        ("{{ 3 | 4 }}", "template: t:1: non executable command in pipeline stage 2"),
        ("{{ .a | . }}", "template: t:1: non executable command in pipeline stage 2"),
        ('{{ "a".b }}', 'template: t:1: unexpected . after term "\\"a\\""'),
        ("{{ $x }}", 'template: t:1: undefined variable "$x"'),
        (
            "\n\n{{ $x := 1 }}{{ if true }}{{ $y := 2 }}{{ end }}{{ $y }}",
            'template: t:3: undefined variable "$y"',
        ),
        ("{{ break }}", "template: t:1: {{break}} outside {{range}}"),
        ("{{ range . }}{{ else }}{{ continue }}{{ end }}", "template: t:1: {{continue}} outside {{range}}"),
        ("{{ range . }}{{ break 1 }}{{ end }}", 'template: t:1: unexpected "1" in {{break}}'),
        ("{{ $a, $b := . }}", "template: t:1: too many declarations in command"),
        ("{{ range $a, $b, $c := . }}{{ end }}", "template: t:1: too many declarations in range"),
        ("{{ range $a, 3 }}{{ end }}", "template: t:1: range can only initialize variables"),
        ("{{ define x }}{{ end }}", 'template: t:1: unexpected "x" in define clause'),
        ('{{ if true }}{{ define "x" }}{{ end }}{{ end }}', "template: t:1: unexpected <define> in command"),
        ("{{ template x }}", 'template: t:1: unexpected "x" in template clause'),
        ("{{ if true }}a{{ else }}b{{ else }}c{{ end }}", "template: t:1: expected end; found {{else}}"),
        ("{{ .a := 3 }}", 'template: t:1: unexpected ":=" in operand'),
        ('{{ "a""b" }}', 'template: t:1: unexpected "\\"b\\"" in operand'),
        (
            '{{ define "x" }}a{{ end }}\n{{ define "x" }}b{{ end }}',
            'template: t:2: template: multiple definition of template "x"',
        ),
    ],
)
def test_parse_errors_match_go(src: str, want: str) -> None:
    assert parse_error(src) == want


def test_parse_error_attributes() -> None:
    ts = TemplateSet()
    with pytest.raises(TemplateParseError) as info:
        ts.parse("chart/templates/a.yaml", "ok\n{{ bad }}")
    err = info.value
    assert (err.template_name, err.line, err.column) == ("chart/templates/a.yaml", 2, None)
    assert err.message == 'function "bad" not defined'


def test_break_and_continue_are_identifiers_when_functions_exist() -> None:
    assert render("{{ break }}", funcs={"break": lambda: "B"}) == "B"


def test_unknown_function_checked_even_in_untaken_branch() -> None:
    assert parse_error("{{ if false }}{{ nope 1 }}{{ end }}") == 'template: t:1: function "nope" not defined'


def test_newlines_inside_actions_are_spaces() -> None:
    assert render('{{ printf\n  "%s-%s"\n  "a"\n  "b" }}') == "a-b"


# -- AST details ---------------------------------------------------------------------------------


def test_field_chain_position_is_that_of_the_second_field_like_go() -> None:
    trees = parse_templates("t", "{{ .a.b }}", lambda name: False)
    action = trees["t"].root.nodes[0]
    field = action.pipe.cmds[0].args[0]  # type: ignore[attr-defined]
    assert isinstance(field, FieldNode)
    assert field.ident == ("a", "b")
    assert field.pos == 5 and field.line == 1


def test_ast_nodes_are_immutable() -> None:
    trees = parse_templates("t", "x{{ .a }}", lambda name: False)
    node = trees["t"].root.nodes[0]
    with pytest.raises(AttributeError):
        node.text = "y"  # type: ignore[misc]


# -- template definitions -------------------------------------------------------------------------


def test_parse_registers_body_and_defines() -> None:
    ts = TemplateSet()
    names = ts.parse("file.tpl", '{{ define "a" }}A{{ end }}{{ block "b" . }}B{{ end }}body')
    assert sorted(names) == ["a", "b", "file.tpl"]
    assert ts.template_names() == ["a", "b", "file.tpl"]
    assert ts.execute("file.tpl") == "Bbody"
    assert ts.execute("a") == "A"


def test_later_parse_overrides_define_but_empty_define_does_not() -> None:
    ts = TemplateSet()
    ts.parse("one.tpl", '{{ define "x" }}first{{ end }}')
    ts.parse("two.tpl", '{{ define "x" }}second{{ end }}')
    assert ts.execute("x") == "second"
    ts.parse("three.tpl", '{{ define "x" }}  \n {{/* nothing */}}{{ end }}')
    assert ts.execute("x") == "second"
    ts.parse("main", '{{ template "x" }}')
    assert ts.execute("main") == "second"


def test_empty_define_may_be_replaced_in_same_text() -> None:
    ts = TemplateSet()
    ts.parse("t", '{{ define "x" }} {{ end }}{{ define "x" }}full{{ end }}{{ template "x" }}')
    assert ts.execute("t") == "full"


def test_failed_parse_adds_nothing() -> None:
    ts = TemplateSet()
    with pytest.raises(TemplateParseError):
        ts.parse("bad", '{{ define "ok" }}x{{ end }}{{ if }}')
    assert "ok" not in ts and "bad" not in ts


def test_deep_nesting_is_a_parse_error_not_a_crash() -> None:
    deep = "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}"
    assert parse_error(deep) == "template: t:1: max expression depth exceeded"
    nested_ifs = "{{ if true }}" * 5000
    assert parse_error(nested_ifs) == "template: t:1: max expression depth exceeded"
    ok = "{{ if true }}" * 50 + "x" + "{{ end }}" * 50
    assert render(ok) == "x"
