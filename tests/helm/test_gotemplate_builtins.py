"""Go's predefined template functions, checked against the values Go documents and produces."""

from __future__ import annotations

from typing import Any

import pytest

from medlint.helm.gotemplate import TemplateExecError, TemplateSet

LIST_FUNCS = {"list": lambda *items: list(items), "dict": lambda *kv: dict(zip(kv[::2], kv[1::2]))}


def render(src: str, data: Any = None) -> str:
    ts = TemplateSet(funcs=LIST_FUNCS)
    ts.parse("t", src)
    return ts.execute("t", data)


def call_error(src: str, data: Any = None) -> str:
    ts = TemplateSet(funcs=LIST_FUNCS)
    ts.parse("t", src)
    with pytest.raises(TemplateExecError) as info:
        ts.execute("t", data)
    return info.value.message


@pytest.mark.parametrize(
    ("src", "want"),
    [
        ('{{ printf "%05.2f" 3.14159 }}', "03.14"),
        ('{{ printf "%q" "a\\"b" }}', '"a\\"b"'),
        ('{{ printf "%v" (list) }}', "[]"),
        ('{{ printf "%v" (list 1 "a" 2.5) }}', "[1 a 2.5]"),
        ('{{ printf "%d-%s" 3 "x" }}', "3-x"),
        ('{{ printf "%d" 3.0 }}', "%!d(float64=3)"),
        ('{{ printf "%s" }}', "%!s(MISSING)"),
        ('{{ printf "x" 1 }}', "x%!(EXTRA int=1)"),
        ('{{ printf "%v" nil }}', "<nil>"),
        ('{{ printf "%T %T %T" 1 1.5 "s" }}', "int float64 string"),
        ('{{ print 1 2 "a" "b" 3 }}', "1 2ab3"),
        ("{{ print nil }}", "<nil>"),
        ("{{ print .missing }}", "<nil>"),
        ('{{ println 1 "a" }}', "1 a\n"),
        ('{{ print (dict "b" 1 "a" 2) }}', "map[a:2 b:1]"),
    ],
)
def test_print_family(src: str, want: str) -> None:
    assert render(src, {}) == want


def test_printf_format_must_be_a_string() -> None:
    assert call_error("{{ printf .n }}", {"n": 3}) == "wrong type for value; expected string; got int"


@pytest.mark.parametrize(
    ("src", "want"),
    [
        ("{{ len .s }}", "5"),
        ("{{ len .u }}", "6"),
        ("{{ len .l }}", "3"),
        ("{{ len .m }}", "2"),
        ("{{ len (list) }}", "0"),
    ],
)
def test_len(src: str, want: str) -> None:
    data = {"s": "hello", "u": "h\u00e9llo", "l": [1, 2, 3], "m": {"a": 1, "b": 2}}
    assert render(src, data) == want


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("{{ len 3 }}", "error calling len: len of type int"),
        ("{{ len 1.5 }}", "error calling len: len of type float64"),
        ("{{ len .missing }}", "error calling len: len of nil pointer"),
        ("{{ len }}", "wrong number of args for len: want 1 got 0"),
    ],
)
def test_len_errors(src: str, message: str) -> None:
    assert call_error(src, {}) == message


@pytest.mark.parametrize(
    ("src", "want"),
    [
        ("{{ index .l 1 }}", "b"),
        ("{{ index .l }}", "[a b c]"),
        ('{{ index .m "k" }}', "v"),
        ('{{ index .m "missing" }}', "<no value>"),
        ('{{ index .n "a" 1 "b" }}', "deep"),
        ('{{ index "abc" 1 }}', "98"),
        ('{{ index .l 0 | printf "%s!" }}', "a!"),
    ],
)
def test_index(src: str, want: str) -> None:
    data = {"l": ["a", "b", "c"], "m": {"k": "v"}, "n": {"a": [0, {"b": "deep"}]}}
    assert render(src, data) == want


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("{{ index .l 5 }}", "error calling index: index out of range: 5"),
        ("{{ index .l -1 }}", "error calling index: index out of range: -1"),
        ("{{ index .l 3 }}", "error calling index: reflect: slice index out of range"),
        ('{{ index .l "x" }}', "error calling index: cannot index slice/array with type string"),
        ("{{ index .l 1.0 }}", "error calling index: cannot index slice/array with type float64"),
        ("{{ index .l nil }}", "error calling index: cannot index slice/array with nil"),
        ("{{ index .m 1 }}", "error calling index: value has type int; should be string"),
        ("{{ index .m nil }}", "error calling index: value is nil; should be of type string"),
        ("{{ index nil 1 }}", "error calling index: index of untyped nil"),
        ('{{ index .m "missing" "x" }}', "error calling index: index of nil pointer"),
        ("{{ index 3 1 }}", "error calling index: can't index item of type int"),
    ],
)
def test_index_errors(src: str, message: str) -> None:
    assert call_error(src, {"l": ["a", "b", "c"], "m": {"k": "v"}}) == message


@pytest.mark.parametrize(
    ("src", "want"),
    [
        ('{{ slice "abcdef" 1 3 }}', "bc"),
        ('{{ slice "abcdef" 2 }}', "cdef"),
        ('{{ slice "abcdef" }}', "abcdef"),
        ("{{ slice .l 1 }}", "[2 3 4]"),
        ("{{ slice .l 1 3 }}", "[2 3]"),
        ("{{ slice .l 0 1 2 }}", "[1]"),
        ("{{ slice .l 4 }}", "[]"),
    ],
)
def test_slice(src: str, want: str) -> None:
    assert render(src, {"l": [1, 2, 3, 4]}) == want


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("{{ slice .l 3 1 }}", "error calling slice: invalid slice index: 3 > 1"),
        ("{{ slice .l 0 3 2 }}", "error calling slice: invalid slice index: 3 > 2"),
        ("{{ slice .l 5 }}", "error calling slice: index out of range: 5"),
        ('{{ slice "abc" 0 1 2 }}', "error calling slice: cannot 3-index slice a string"),
        ("{{ slice .l 0 1 2 3 }}", "error calling slice: too many slice indexes: 4"),
        ("{{ slice nil }}", "error calling slice: slice of untyped nil"),
        ("{{ slice 3 }}", "error calling slice: can't slice item of type int"),
    ],
)
def test_slice_errors(src: str, message: str) -> None:
    assert call_error(src, {"l": [1, 2, 3, 4]}) == message


@pytest.mark.parametrize(
    ("src", "want"),
    [
        (
            '{{ not true }} {{ not 0 }} {{ not "" }} {{ not (list 1) }} {{ not .missing }}',
            "false true true false true",
        ),
        ('{{ eq 1 1 }} {{ eq 1 2 }} {{ eq 1 2 3 1 }} {{ eq "a" "b" "a" }}', "true false true true"),
        (
            "{{ eq 1.5 1.5 }} {{ eq true true }} {{ eq nil nil }} {{ eq .missing nil }} {{ eq .n nil }}",
            "true true true true false",
        ),
        ("{{ eq .missing 1 }} {{ eq .n .n }}", "false true"),
        ('{{ ne 1 2 }} {{ ne "a" "a" }} {{ ne nil 1 }}', "true false true"),
        (
            '{{ lt 1 2 }} {{ lt 2 1 }} {{ lt 1.5 2.5 }} {{ lt "a" "b" }} {{ lt "B" "a" }}',
            "true false true true true",
        ),
        (
            "{{ le 2 2 }} {{ le 3 2 }} {{ gt 2 1 }} {{ gt 1 1 }} {{ ge 1 1 }} {{ ge 0 1 }}",
            "true false true false true false",
        ),
        ('{{ lt -1 0 }} {{ gt "b" "a" }}', "true true"),
    ],
)
def test_logic_and_comparisons(src: str, want: str) -> None:
    assert render(src, {"n": 3}) == want


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("{{ eq 1 1.0 }}", "error calling eq: incompatible types for comparison: int and float64"),
        ("{{ eq .f 3 }}", "error calling eq: incompatible types for comparison: float64 and int"),
        ('{{ eq 1 "1" }}', "error calling eq: incompatible types for comparison: int and string"),
        ("{{ eq 1 }}", "error calling eq: missing argument for comparison"),
        ("{{ eq 1 2 .f }}", "error calling eq: incompatible types for comparison: int and float64"),
        ("{{ eq (list 1) (list 1) }}", "error calling eq: non-comparable type [%!s(int=1)]: []interface {}"),
        (
            "{{ eq (list) (dict) }}",
            "error calling eq: non-comparable types []: []interface {}, map[string]interface {}: map[]",
        ),
        ("{{ lt 1 2.0 }}", "error calling lt: incompatible types for comparison: int and float64"),
        ("{{ lt nil 1 }}", "error calling lt: invalid type for comparison"),
        ("{{ lt true false }}", "error calling lt: invalid type for comparison"),
        ("{{ lt (list) 1 }}", "error calling lt: invalid type for comparison"),
        ('{{ gt 1 "a" }}', "error calling gt: incompatible types for comparison: int and string"),
        ("{{ ne 1 }}", "wrong number of args for ne: want 2 got 1"),
        ("{{ not }}", "wrong number of args for not: want 1 got 0"),
        ("{{ and }}", "wrong number of args for and: want at least 1 got 0"),
    ],
)
def test_comparison_errors(src: str, message: str) -> None:
    assert call_error(src, {"f": 3.0}) == message


def test_eq_stops_at_first_match_before_incompatible_operand() -> None:
    assert render('{{ eq 1 1 "x" }}') == "true"


@pytest.mark.parametrize(
    ("src", "want"),
    [
        ('{{ html "<a href=\'x\'>&\\"" }}', "&lt;a href=&#39;x&#39;&gt;&amp;&#34;"),
        ('{{ html "a\\x00b" }}', "a\ufffdb"),
        ('{{ html 1 2 "<" }}', "1 2&lt;"),
        ("{{ html .missing }}", "&lt;no value&gt;"),
        ('{{ js "a\'b\\"c" }}', "a\\'b\\\"c"),
        ('{{ js "<>&=\\\\" }}', "\\u003C\\u003E\\u0026\\u003D\\\\"),
        ('{{ js "line\\nnext\\t" }}', "line\\u000Anext\\u0009"),
        ('{{ js "caf\u00e9 \u2028" }}', "caf\u00e9 \\u2028"),
        ('{{ urlquery "a b&c=d/\u00e9~_-." }}', "a+b%26c%3Dd%2F%C3%A9~_-."),
        ('{{ urlquery "x" 1 }}', "x1"),
        ("{{ urlquery .missing }}", "%3Cno+value%3E"),
    ],
)
def test_escapers(src: str, want: str) -> None:
    assert render(src, {}) == want


def test_call() -> None:
    data = {"add": lambda a, b: a + b, "n": 3, "fail": lambda: 1 / 0}
    assert render("{{ call .add 1 2 }}", data) == "3"
    assert (
        call_error("{{ call .add 1 }}", data)
        == "error calling call: wrong number of args for .add: got 1 want 2"
    )
    assert call_error("{{ call .n }}", data) == "error calling call: non-function .n of type int"
    assert call_error("{{ call .missing }}", data) == "error calling call: call of nil"
    assert call_error("{{ call .fail }}", data) == "error calling call: division by zero"
