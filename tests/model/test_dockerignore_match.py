"""The .dockerignore matcher against Docker's documented and observed behaviour (moby/patternmatcher)."""

from __future__ import annotations

import pytest

from medlint.model.dockerignore_match import compile_ignore, compile_pattern
from medlint.parsers.dockerignore import read_dockerignore


def excluded(patterns: list[str], path: str) -> bool:
    return compile_ignore(patterns).excludes(path)


@pytest.mark.parametrize(
    "patterns, path, expected",
    [
        (["*.pem"], "key.pem", True),
        (["*.pem"], "certs/key.pem", False),  # anchored at the context root
        (["**/*.pem"], "key.pem", True),  # ** also matches no directory at all
        (["**/*.pem"], "a/b/key.pem", True),
        (["*/*.pem"], "a/key.pem", True),
        (["*/*.pem"], "a/b/key.pem", False),
        (["secrets"], "secrets/db/password", True),  # a matching parent excludes what is below it
        (["secrets/"], "secrets/token", True),
        (["**/secrets/**"], "secrets/token", True),
        (["**/secrets/**"], "app/config/secrets/token", True),
        (["**/secrets/**"], "secretsfile", False),
        ([".git"], ".git/HEAD", True),
        ([".git"], "src/.git/HEAD", False),
        (["**/.git"], "src/.git/HEAD", True),
        (["a/**"], "a/b", True),
        (["a/**"], "a", False),
        (["**"], "anything/at/all", True),
        (["file?.txt"], "file1.txt", True),
        (["file?.txt"], "file10.txt", False),
        (["[a-c].txt"], "b.txt", True),
        (["[a-c].txt"], "d.txt", False),
        (["\\*.txt"], "*.txt", True),
        (["\\*.txt"], "a.txt", False),
        (["/config.json"], "config.json", True),
        ([".env*"], ".env", True),
        ([".env*"], ".env.production", True),
        ([".env*"], "app/.env", False),
        (["a+b(c)"], "a+b(c)", True),  # regexp characters are literal in patterns
        (["$HOME"], "$HOME", True),
    ],
)
def test_single_pattern(patterns: list[str], path: str, expected: bool) -> None:
    assert excluded(patterns, path) is expected


def test_exceptions_apply_in_order_and_the_last_match_wins() -> None:
    assert not excluded(["*.md", "!README.md"], "README.md")
    assert excluded(["*.md", "!README.md"], "CHANGES.md")
    assert excluded(["!README.md", "*.md"], "README.md")
    assert excluded(["*.md", "!README*.md", "README-secret.md"], "README-secret.md")


def test_allowlist_style_keeps_only_what_is_taken_back() -> None:
    patterns = ["*", "!src", "!package.json"]
    assert not excluded(patterns, "src/index.js")
    assert not excluded(patterns, "package.json")
    assert excluded(patterns, ".env")
    assert excluded(patterns, ".git/HEAD")
    assert excluded(patterns, "config/secrets/token")


def test_exception_inside_an_excluded_directory_is_evaluated_on_the_file() -> None:
    patterns = ["secrets", "!secrets/public.pem"]
    assert not excluded(patterns, "secrets/public.pem")
    assert excluded(patterns, "secrets/private.pem")


def test_env_template_exception() -> None:
    patterns = ["**/.env*", "!**/.env.example"]
    assert excluded(patterns, ".env")
    assert excluded(patterns, "api/.env.local")
    assert not excluded(patterns, "api/.env.example")


def test_lines_docker_rejects_or_that_never_match_are_dropped() -> None:
    assert compile_pattern("!") is None
    assert compile_pattern("   ") is None
    assert compile_pattern("[") is None  # malformed class: Docker fails the build; it excludes nothing here
    assert compile_ignore(["[", "*.key"]).excludes("id.key")


def test_patterns_from_the_dockerignore_parser() -> None:
    ignore = read_dockerignore(".dockerignore", "# comment\n./build//\n/.env\n!build/keep.txt\n\n")
    matcher = compile_ignore(ignore.patterns)
    assert matcher.excludes("build/out.o")
    assert not matcher.excludes("build/keep.txt")
    assert matcher.excludes(".env")
    assert not matcher.excludes("src/main.c")
