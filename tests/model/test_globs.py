"""medlint.model.globs: Go's filepath.Match, Docker ignore patterns, gobwas globs and shell patterns, matched
without backtracking."""

from __future__ import annotations

import fnmatch
import itertools

import pytest

from medlint.model.globs import BadPattern, docker_glob, go_match, gobwas_glob, shell_glob

# Cases from Go's path/filepath match tests (semantics, not code).
GO_CASES = [
    ("abc", "abc", True),
    ("*", "abc", True),
    ("*c", "abc", True),
    ("a*", "a", True),
    ("a*", "abc", True),
    ("a*", "ab/c", False),
    ("a*/b", "abc/b", True),
    ("a*/b", "a/c/b", False),
    ("a*b*c*d*e*/f", "axbxcxdxe/f", True),
    ("a*b*c*d*e*/f", "axbxcxdxexxx/f", True),
    ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", False),
    ("a*b?c*x", "abxbbxdbxebxczzx", True),
    ("a*b?c*x", "abxbbxdbxebxczzy", False),
    ("ab[c]", "abc", True),
    ("ab[b-d]", "abc", True),
    ("ab[e-g]", "abc", False),
    ("ab[^c]", "abc", False),
    ("ab[^e-g]", "abc", True),
    ("a\\*b", "a*b", True),
    ("a\\*b", "ab", False),
    ("a?b", "a☺b", True),
    ("a[^a]b", "a☺b", True),
    ("a???b", "a☺b", False),
    ("[a-ζ]*", "α", True),
    ("*[a-ζ]", "A", False),
    ("a?b", "a/b", False),
    ("a*b", "a/b", False),
    ("[\\]a]", "]", True),
    ("[\\-]", "-", True),
    ("[x\\-]", "-", True),
    ("[x\\-]", "z", False),
    ("*x", "xxx", True),
]


@pytest.mark.parametrize("pattern, name, expected", GO_CASES)
def test_go_match(pattern: str, name: str, expected: bool) -> None:
    assert go_match(pattern, name) is expected


@pytest.mark.parametrize(
    "pattern", ["[]a]", "[-]", "[x-]", "[-x]", "\\", "[a-b-c]", "[", "[^", "[^bc", "a[", "*[x"]
)
def test_go_match_refuses_malformed_patterns_even_without_a_match(pattern: str) -> None:
    with pytest.raises(BadPattern):
        go_match(pattern, "zzz")


@pytest.mark.parametrize(
    "pattern, path, expected",
    [
        ("*.pem", "key.pem", True),
        ("*.pem", "certs/key.pem", False),
        ("**/*.pem", "certs/deep/key.pem", True),
        ("**/*.pem", "key.pem", True),
        ("secrets/**/x", "secrets/x", True),
        ("secrets/**/x", "secrets/a/b/x", True),
        ("a?c", "a/c", False),
        ("[a-c]x", "bx", True),
        ("[^a-c]x", "dx", True),
        ("\\*x", "*x", True),
        ("dir/**", "dir/a/b", True),
    ],
)
def test_docker_glob(pattern: str, path: str, expected: bool) -> None:
    assert docker_glob(pattern).matches(path) is expected


@pytest.mark.parametrize(
    "pattern, path, expected",
    [
        ("*.yaml", "a.yaml", True),
        ("*.yaml", "d/a.yaml", False),
        ("**.yaml", "d/a.yaml", True),
        ("files/{a,b}.txt", "files/b.txt", True),
        ("files/{a,b}.txt", "files/c.txt", False),
        ("[!a]x", "bx", True),
        ("[!a]x", "/x", False),
        ("?", "/", False),
    ],
)
def test_gobwas_glob(pattern: str, path: str, expected: bool) -> None:
    assert gobwas_glob(pattern).matches(path) is expected


def test_shell_glob_agrees_with_fnmatch_on_small_cases() -> None:
    alphabet = "ab*?."
    for length in range(4):
        for pattern in map("".join, itertools.product(alphabet, repeat=length)):
            glob = shell_glob(pattern)
            for name in map("".join, itertools.product("ab.", repeat=3)):
                assert glob.matches(name) is fnmatch.fnmatchcase(name, pattern), (pattern, name)


def test_prefix_ends_and_reversed_patterns() -> None:
    assert shell_glob("a*").prefix_ends("abab") == [1, 2, 3, 4]
    # Suffixes of "abab" that match "a*": the reversed pattern read over the reversed text.
    assert shell_glob("a*", reverse=True).prefix_ends("abab"[::-1]) == [2, 4]


def test_backtracking_patterns_are_answered() -> None:
    # A backtracking matcher takes hours on these; an automaton answers in a pass.
    name = "a" * 5000
    assert not docker_glob("*a*a*a*a*a*a*a*a*a*a*a*a*c").matches(name)
    assert not gobwas_glob("**a**a**a**a**a**a**a**a**a**a**a**a**c").matches(name)
    assert not go_match("*a*a*a*a*a*a*a*a*a*a*a*a*c", name)
    assert shell_glob("*a*a*a*a*a*a*c").prefix_ends(name) == []


def test_many_state_sets_restart_the_cache() -> None:
    glob = docker_glob("*a?????????b")
    glob.MAX_CACHED_STATES = 8
    assert glob.matches("xa" + "y" * 9 + "b")
    assert not glob.matches("a" * 300)
