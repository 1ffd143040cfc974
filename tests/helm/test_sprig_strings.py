"""Sprig string, case, path and regex functions against Sprig/Go documented results."""

from __future__ import annotations

import pytest

from medlint.helm.functions import FunctionError, sprig_functions
from medlint.helm.functions.reflect import GoStringMap, GoStringSlice
from medlint.helm.functions.strings import translate_go_regex

F = sprig_functions()


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("trim", ("  \t hi \n",), "hi"),
        ("trim", ("\x1chi\x1c",), "\x1chi\x1c"),  # Go's TrimSpace does not treat \x1c as space
        ("trimAll", ("$", "$$5.00$"), "5.00"),
        ("trimSuffix", ("-", "hello-"), "hello"),
        ("trimSuffix", ("-", "hello--"), "hello-"),
        ("trimPrefix", ("-", "-hello"), "hello"),
        ("upper", ("hello ß",), "HELLO ß"),
        ("lower", ("HELLO",), "hello"),
        ("title", ("hello world",), "Hello World"),
        ("title", ("hello_world-x",), "Hello_world-X"),
        ("untitle", ("Hello World",), "hello world"),
        ("swapcase", ("This Is A.Test",), "tHIS iS a.tEST"),
        ("repeat", (3, "ab"), "ababab"),
        ("substr", (0, 5, "hello world"), "hello"),
        ("substr", (-1, 5, "hello world"), "hello"),
        ("substr", (6, -1, "hello world"), "world"),
        ("substr", (6, 100, "hello world"), "world"),
        ("trunc", (5, "hello world"), "hello"),
        ("trunc", (-5, "hello world"), "world"),
        ("trunc", (-50, "hello"), "hello"),
        ("trunc", (63, "short"), "short"),
        ("abbrev", (5, "hello world"), "he..."),
        ("abbrev", (3, "hello world"), "hello world"),
        ("abbrevboth", (5, 10, "1234 5678 9123"), "...5678..."),
        ("initials", ("First Try",), "FT"),
        ("nospace", ("hello w o r l d",), "helloworld"),
        ("wrap", (5, "Hello World"), "Hello\nWorld"),
        ("wrapWith", (5, "\t", "Hello World"), "Hello\tWorld"),
        ("wrapWith", (3, "|", "abcdefg"), "abc|def|g"),
        ("contains", ("cat", "catch"), True),
        ("hasPrefix", ("cat", "catch"), True),
        ("hasSuffix", ("cat", "catch"), False),
        ("quote", ('a"b\n',), '"a\\"b\\n"'),
        ("quote", (None,), ""),
        ("quote", ("a", None, 1.0, True), '"a" "1" "true"'),
        ("quote", ("é\u00a0",), '"é\\u00a0"'),
        ("squote", ("a", None, 2.5), "'a' '2.5'"),
        ("cat", ("hello", None, 1, "world", [1, 2]), "hello 1 world [1 2]"),
        ("indent", (2, "a\nb"), "  a\n  b"),
        ("nindent", (2, "a\n\nb"), "\n  a\n  \n  b"),
        ("replace", (" ", "-", "I Am Henry VIII"), "I-Am-Henry-VIII"),
        ("replace", ("", "-", "ab"), "-a-b-"),
        ("plural", ("one anchovy", "many anchovies", 1), "one anchovy"),
        ("plural", ("one anchovy", "many anchovies", 2), "many anchovies"),
        ("join", ("-", ["a", 1, None, 2.5, True]), "a-1-2.5-true"),
        ("join", (",", "single"), "single"),
        ("join", (",", None), ""),
        ("toString", (1.0,), "1"),
        ("toString", (1e6,), "1e+06"),
        ("toString", (None,), "<nil>"),
        ("toString", (b"bytes",), "bytes"),
        ("toString", ([1, "a"],), "[1 a]"),
        ("toString", ({"b": 1, "a": [2]},), "map[a:[2] b:1]"),
    ],
)
def test_string_functions(name: str, args: tuple, expected: object) -> None:
    assert F[name](*args) == expected


def test_substr_and_trunc_count_bytes() -> None:
    assert F["trunc"](2, "héllo") == "h\ufffd"
    assert F["substr"](0, 3, "héllo") == "hé"


def test_substr_out_of_range_panics_like_go() -> None:
    with pytest.raises(FunctionError, match="slice bounds out of range"):
        F["substr"](3, 1, "hello")


def test_string_parameters_refuse_non_strings_like_go_templates() -> None:
    with pytest.raises(FunctionError, match="wrong type for value; expected string; got float64"):
        F["trimSuffix"]("-", 80.0)
    with pytest.raises(FunctionError, match="invalid value; expected string"):
        F["upper"](None)
    with pytest.raises(FunctionError, match="expected int; got float64"):
        F["indent"](4.0, "x")


def test_split_functions() -> None:
    assert F["split"]("$", "foo$bar$baz") == {"_0": "foo", "_1": "bar", "_2": "baz"}
    assert isinstance(F["split"]("$", "a"), GoStringMap)
    assert F["splitn"]("$", 2, "foo$bar$baz") == {"_0": "foo", "_1": "bar$baz"}
    assert F["splitn"]("$", 0, "foo$bar") == {}
    assert F["splitList"]("$", "foo$bar$baz") == ["foo", "bar", "baz"]
    assert F["splitList"](",", "") == [""]
    assert F["splitList"]("", "abc") == ["a", "b", "c"]
    assert F["typeOf"](F["splitList"](",", "a")) == "[]string"


def test_sort_alpha_and_to_strings() -> None:
    assert F["sortAlpha"](["b", "B", 3, "a", None]) == ["3", "B", "a", "b"]
    assert F["sortAlpha"]("x") == ["x"]
    assert F["sortAlpha"](None) == ["<nil>"]
    assert isinstance(F["toStrings"]([1, 2]), GoStringSlice)
    assert F["toStrings"]([1, None, "a"]) == ["1", "a"]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("camelcase", "http_server", "HttpServer"),
        ("camelcase", "_complex__case_", "_Complex_Case_"),
        ("camelcase", "some words", "SomeWords"),
        ("snakecase", "FirstName", "first_name"),
        ("snakecase", "HTTPServer", "http_server"),
        ("snakecase", "NoHTTPS", "no_https"),
        ("snakecase", "GO_PATH", "go_path"),
        ("snakecase", "GO PATH", "go_path"),
        ("snakecase", "http2xx", "http_2xx"),
        ("snakecase", "HTTP20xOK", "http_20x_ok"),
        ("snakecase", "Duration2m3s", "duration_2m3s"),
        ("snakecase", "Bld4Floor3rd", "bld4_floor_3rd"),
        ("kebabcase", "FirstName", "first-name"),
        ("kebabcase", "GO-PATH", "go-path"),
    ],
)
def test_case_conversion_matches_xstrings(name: str, text: str, expected: str) -> None:
    assert F[name](text) == expected


def test_path_functions() -> None:
    assert F["base"]("/a/b/c.txt") == "c.txt"
    assert F["base"]("/a/b/") == "b"
    assert F["base"]("") == "."
    assert F["dir"]("/a/b/c") == "/a/b"
    assert F["dir"]("c") == "."
    assert F["clean"]("a//b/../c/.") == "a/c"
    assert F["ext"]("x.tar.gz") == ".gz"
    assert F["ext"]("dir.d/file") == ""
    assert F["isAbs"]("/x") is True


# ---------------------------------------------------------------------------
# Regular expressions (Go RE2 semantics)
# ---------------------------------------------------------------------------


def test_regex_match_and_find() -> None:
    assert F["regexMatch"]("^Stack", "Stackoverflow") is True
    assert F["regexMatch"]("[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}", "test@acme.com") is True
    assert F["regexMatch"]("(", "x") is False
    assert F["regexFind"]("[a-zA-Z][1-9]", "abcd1234") == "d1"
    assert F["regexFindAll"]("[2,4,6,8]", "123456789", -1) == ["2", "4", "6", "8"]
    assert F["regexFindAll"]("[2,4,6,8]", "123456789", 2) == ["2", "4"]
    assert F["regexFindAll"]("x", "abc", -1) == []
    assert F["regexFindAll"]("a*", "baaab", -1) == ["", "aaa", ""]


def test_regex_dollar_means_end_of_text_not_before_final_newline() -> None:
    assert F["regexMatch"]("abc$", "abc\n") is False
    assert F["regexMatch"]("(?m)^abc$", "x\nabc\ny") is True


def test_regex_perl_classes_are_ascii_only() -> None:
    assert F["regexMatch"]("^\\d+$", "١٢") is False
    assert F["regexMatch"]("^\\w+$", "héllo") is False
    assert F["regexMatch"]("\\bfoo\\b", "a foo b") is True
    assert F["regexMatch"]("[[:upper:]]", "aBc") is True


def test_regex_mid_pattern_flags_are_scoped() -> None:
    assert F["regexMatch"]("a(?i)b", "aB") is True
    assert F["regexMatch"]("a(?i)b", "AB") is False
    assert translate_go_regex("(?i)foo") == "(?i-ms:foo)"


def test_regex_replace_all_expands_go_templates() -> None:
    assert F["regexReplaceAll"]("a(x*)b", "-ab-axxb-", "${1}W") == "-W-xxW-"
    assert F["regexReplaceAll"]("a(x*)b", "-ab-axxb-", "$1W") == "---"
    assert F["regexReplaceAll"]("a(x*)b", "-ab-axxb-", "$1") == "--xx-"
    assert (
        F["regexReplaceAll"]("(?P<first>\\w+) (?P<last>\\w+)", "John Smith", "${last}, $first")
        == "Smith, John"
    )
    assert F["regexReplaceAll"]("a", "a", "$$") == "$"
    assert F["regexReplaceAll"]("x*", "abxd", "-") == "-a-b-d-"


def test_regex_replace_all_literal_and_split() -> None:
    assert F["regexReplaceAllLiteral"]("a(x*)b", "-ab-axxb-", "${1}") == "-${1}-${1}-"
    assert F["regexSplit"]("a*", "abaabaccadaaae", 5) == ["", "b", "b", "c", "cadaaae"]
    assert F["regexSplit"]("z+", "pizza", -1) == ["pi", "a"]
    assert F["regexSplit"]("z+", "pizza", 0) == []
    assert F["regexSplit"]("z+", "pizza", 1) == ["pizza"]
    assert F["regexQuoteMeta"]("1.5-2.0?") == "1\\.5-2\\.0\\?"


@pytest.mark.parametrize("pattern", ["a**", "(?=x)", "\\1", "(", "x{1001}", "(?<=a)b"])
def test_regex_constructs_re2_rejects_are_errors(pattern: str) -> None:
    with pytest.raises(FunctionError, match="error parsing regexp"):
        F["regexFind"](pattern, "x")
    with pytest.raises(FunctionError, match="error parsing regexp"):
        F["mustRegexReplaceAllLiteral"](pattern, "x", "y")


def test_must_regex_variants() -> None:
    assert F["mustRegexFind"]("b+", "abbc") == "bb"
    assert F["mustRegexMatch"]("b", "abc") is True
    with pytest.raises(FunctionError):
        F["mustRegexMatch"]("(", "x")
