"""Go ``fmt`` emulation: every expectation is the output Go's fmt package produces."""

from __future__ import annotations

import math

import pytest

from medlint.helm.gofmt import (
    format_float,
    format_value,
    quote,
    quote_rune,
    sprint,
    sprintf,
    sprintln,
    type_name,
)


@pytest.mark.parametrize(
    ("fmt", "args", "want"),
    [
        # integers
        ("%d", (42,), "42"),
        ("%5d|", (42,), "   42|"),
        ("%-5d|", (42,), "42   |"),
        ("%05d", (-42,), "-0042"),
        ("%+d", (5,), "+5"),
        ("% d", (5,), " 5"),
        ("%.3d", (7,), "007"),
        ("%.0d", (0,), ""),
        ("%5.0d|", (0,), "     |"),
        ("%x", (255,), "ff"),
        ("%X", (255,), "FF"),
        ("%#x", (255,), "0xff"),
        ("%#X", (255,), "0XFF"),
        ("%x", (-255,), "-ff"),
        ("%#08x", (255,), "0x000000ff"),
        ("%o", (8,), "10"),
        ("%#o", (8,), "010"),
        ("%O", (8,), "0o10"),
        ("%b", (5,), "101"),
        ("%c", (65,), "A"),
        ("%c", (0x1F600,), "\U0001f600"),
        ("%q", (65,), "'A'"),
        ("%q", (39,), "'\\''"),
        ("%U", (0x1F600,), "U+1F600"),
        ("%U", (65,), "U+0041"),
        ("%#U", (65,), "U+0041 'A'"),
        ("%v", (7,), "7"),
        ("%+v", (7,), "7"),
        # strings
        ("%s", ("hi",), "hi"),
        ("%5s|", ("ab",), "   ab|"),
        ("%-5s|", ("ab",), "ab   |"),
        ("%.2s", ("abcdef",), "ab"),
        ("%.1s", ("\u00e9t\u00e9",), "\u00e9"),
        ("%5s|", ("\u00e9",), "    \u00e9|"),
        ("%q", ('a"b',), '"a\\"b"'),
        ("%q", ("\x00\u00e9\U0001f600\n",), '"\\x00\u00e9\U0001f600\\n"'),
        ("%+q", ("\u00e9",), '"\\u00e9"'),
        ("%#q", ("ab",), "`ab`"),
        ("%#q", ("a`b",), '"a`b"'),
        ("%x", ("hi",), "6869"),
        ("%X", ("\xff",), "C3BF"),
        ("% x", ("hi",), "68 69"),
        ("%#x", ("hi",), "0x6869"),
        ("% #x", ("hi",), "0x68 0x69"),
        ("%.1x", ("hi",), "68"),
        ("%v", ("s",), "s"),
        ("%#v", ("a",), '"a"'),
        # booleans
        ("%t", (True,), "true"),
        ("%v", (False,), "false"),
        ("%6t|", (True,), "  true|"),
        # floats
        ("%f", (3.14159,), "3.141590"),
        ("%.2f", (3.14159,), "3.14"),
        ("%05.2f", (3.14159,), "03.14"),
        ("%08.3f", (-3.14159,), "-003.142"),
        ("%+.1f", (2.0,), "+2.0"),
        ("% .1f", (2.0,), " 2.0"),
        ("%6.2f|", (-1.5,), " -1.50|"),
        ("%-8.2f|", (1.5,), "1.50    |"),
        ("%.1f", (0.25,), "0.2"),
        ("%.0f", (2.5,), "2"),
        ("%e", (1234.5678,), "1.234568e+03"),
        ("%E", (1234.5678,), "1.234568E+03"),
        ("%.2e", (0.000123,), "1.23e-04"),
        ("%+.1e", (0.0,), "+0.0e+00"),
        ("%g", (1e6,), "1e+06"),
        ("%g", (100000.0,), "100000"),
        ("%g", (0.0001,), "0.0001"),
        ("%g", (0.00001,), "1e-05"),
        ("%G", (1e-7,), "1E-07"),
        ("%.3g", (3.14159,), "3.14"),
        ("%.2g", (100.0,), "1e+02"),
        ("%.3g", (100.0,), "100"),
        ("%#g", (1.0,), "1.00000"),
        ("%#g", (0.30000000000000004,), "0.30000000000000004"),
        ("%#.0f", (3.0,), "3."),
        ("%#.3g", (1.0,), "1.00"),
        ("%x", (1.0,), "0x1p+00"),
        ("%x", (3.0,), "0x1.8p+01"),
        ("%X", (-0.5,), "-0X1P-01"),
        ("%.1x", (1.96875,), "0x1.0p+01"),
        ("%.1x", (1.9375,), "0x1.fp+00"),
        ("%b", (1.0,), "4503599627370496p-52"),
        ("%v", (3.0,), "3"),
        ("%v", (2.5,), "2.5"),
        ("%.2v", (3.14159,), "3.1"),
        ("%v", (float("inf"),), "+Inf"),
        ("%v", (float("-inf"),), "-Inf"),
        ("%v", (float("nan"),), "NaN"),
        ("%+v", (float("nan"),), "NaN"),
        ("%+f", (float("nan"),), "+NaN"),
        ("%06.1f|", (float("inf"),), "  +Inf|"),
        ("%v", (-0.0,), "-0"),
        ("%F", (1.5,), "1.500000"),
        ("%v", (1 + 2j,), "(1+2i)"),
        ("%.1f", (1.5 - 2j,), "(1.5-2.0i)"),
        # nil
        ("%v", (None,), "<nil>"),
        ("%6v|", (None,), " <nil>|"),
        ("%d", (None,), "%!d(<nil>)"),
        ("%s", (None,), "%!s(<nil>)"),
        ("%T", (None,), "<nil>"),
        # composite values format each element with the verb
        ("%v", ([],), "[]"),
        ("%v", ([1, "a", None, 2.5, True],), "[1 a <nil> 2.5 true]"),
        ("%v", ((1, 2),), "[1 2]"),
        ("%d", ([1, "a"],), "[1 %!d(string=a)]"),
        ("%5v|", ([1, 2],), "[    1     2]|"),
        ("%q", (["a", "b"],), '["a" "b"]'),
        ("%x", ([10, 255],), "[a ff]"),
        ("%v", ({"b": 1, "a": [1, 2]},), "map[a:[1 2] b:1]"),
        ("%v", ({},), "map[]"),
        ("%v", ({"z": {"y": None}},), "map[z:map[y:<nil>]]"),
        ("%d", ({"a": 1},), "map[%!d(string=a):1]"),
        ("%#v", ([1, "a", None],), '[]interface {}{1, "a", interface {}(nil)}'),
        ("%#v", ({"b": 2.0, "a": "x"},), 'map[string]interface {}{"a":"x", "b":2}'),
        ("%+v", ({"a": 1},), "map[a:1]"),
        ("%T", (1.5,), "float64"),
        ("%T", (1,), "int"),
        ("%T", ("s",), "string"),
        ("%T", (True,), "bool"),
        ("%T", ([1],), "[]interface {}"),
        ("%T", ({"a": 1},), "map[string]interface {}"),
        ("%10T|", ("s",), "    string|"),
        # wrong verbs print Go's in-band errors
        ("%d", ("x",), "%!d(string=x)"),
        ("%s", (8080.0,), "%!s(float64=8080)"),
        ("%s", (8080,), "%!s(int=8080)"),
        ("%d", (3.0,), "%!d(float64=3)"),
        ("%d", (True,), "%!d(bool=true)"),
        ("%t", (1,), "%!t(int=1)"),
        ("%z", (3,), "%!z(int=3)"),
        ("%5d", ("x",), "%!d(string=    x)"),
        ("%s", ([1],), "[%!s(int=1)]"),
        ("%p", ("x",), "%!p(string=x)"),
        # argument count errors
        ("%s", (), "%!s(MISSING)"),
        ("%d %d", (1,), "1 %!d(MISSING)"),
        ("%s", ("a", 1, None), "a%!(EXTRA int=1, <nil>)"),
        ("x", ("a",), "x%!(EXTRA string=a)"),
        ("%s", ("a", [1]), "a%!(EXTRA []interface {}=[1])"),
        ("100%", (), "100%!(NOVERB)"),
        ("%!", (), "%!!(MISSING)"),
        ("%d %%", (5,), "5 %"),
        ("%5%|", (), "%|"),
        # argument indexes, star width and precision
        ("%[2]d %[1]d", (1, 2), "2 1"),
        ("%[1]d %[1]x", (255,), "255 ff"),
        ("%[3]d", (1, 2), "%!d(BADINDEX)"),
        ("%[2]d", (1, 2), "2"),
        ("%[x]d", (1,), "%!d(BADINDEX)"),
        ("%*d", (5, 3), "    3"),
        ("%-*d|", (5, 3), "3    |"),
        ("%*d|", (-5, 3), "3    |"),
        ("%.*f", (2, 3.14159), "3.14"),
        ("%*d", ("x", 5), "%!(BADWIDTH)5"),
        ("%.*d", ("x", 5), "%!(BADPREC)5"),
        ("%*d", (10_000_000, 5), "%!(BADWIDTH)5"),
    ],
)
def test_sprintf_matches_go(fmt: str, args: tuple, want: str) -> None:
    assert sprintf(fmt, *args) == want


@pytest.mark.parametrize(
    ("value", "want"),
    [
        (None, "<nil>"),
        (True, "true"),
        (False, "false"),
        (3, "3"),
        (-7, "-7"),
        (3.0, "3"),
        (0.5, "0.5"),
        (1000000.0, "1e+06"),
        (123456.0, "123456"),
        (1234567.0, "1.234567e+06"),
        (123456789.0, "1.23456789e+08"),
        (1e21, "1e+21"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (0.1 + 0.2, "0.30000000000000004"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (0.0, "0"),
        ("text", "text"),
        (["a", "b", "c"], "[a b c]"),
        ([["x"], []], "[[x] []]"),
        ({"k2": "v2", "k1": "v1"}, "map[k1:v1 k2:v2]"),
        ({"b": [1.0, 2.5], "a": {"x": None}}, "map[a:map[x:<nil>] b:[1 2.5]]"),
        ({"B": 1, "a": 2, "A": 3}, "map[A:3 B:1 a:2]"),
        (b"ab", "[97 98]"),
    ],
)
def test_format_value_is_go_percent_v(value: object, want: str) -> None:
    assert format_value(value) == want
    assert sprintf("%v", value) == want


def test_format_value_uses_string_method_of_objects() -> None:
    class KubeVersion:
        def String(self) -> str:
            return "v1.29.0"

    class Plain:
        def __str__(self) -> str:
            return "plain"

    assert format_value(KubeVersion()) == "v1.29.0"
    assert sprintf("%s|%q", KubeVersion(), Plain()) == 'v1.29.0|"plain"'
    assert sprintf("%d", Plain()) == "%!d(Plain=plain)"


def test_sprint_adds_spaces_only_between_non_string_operands() -> None:
    assert sprint("a", 1, 2, "b", "c", 3.0, None, None) == "a1 2bc3 <nil> <nil>"
    assert sprint(1, 2) == "1 2"
    assert sprint("a", "b") == "ab"
    assert sprint() == ""
    assert sprint([1], {"a": 1}) == "[1] map[a:1]"


def test_sprintln_always_separates_and_ends_with_newline() -> None:
    assert sprintln("a", 1, "b") == "a 1 b\n"
    assert sprintln() == "\n"
    assert sprintln(None, 2.0) == "<nil> 2\n"


def test_type_name_and_quoting_helpers() -> None:
    assert type_name(1) == "int"
    assert type_name(True) == "bool"
    assert type_name(1j) == "complex128"
    assert quote("tab\there\u2028") == '"tab\\there\\u2028"'
    assert quote("\U000e0001") == '"\\U000e0001"'
    assert quote("\u00e9", ascii_only=True) == '"\\u00e9"'
    assert quote_rune(ord("\n")) == "'\\n'"
    assert quote_rune(-1) == "'\ufffd'"
    assert quote_rune(ord('"')) == "'\"'"


def test_format_float_shortest_and_fixed() -> None:
    assert format_float(1.0, "e", -1) == "1e+00"
    assert format_float(1234.5, "f", -1) == "1234.5"
    assert format_float(1e23, "g", -1) == "1e+23"
    assert format_float(2.5, "f", 0) == "2"
    assert format_float(-0.0, "g", -1) == "-0"
    assert format_float(math.pi, "g", 4) == "3.142"
