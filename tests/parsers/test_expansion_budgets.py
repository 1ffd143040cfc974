"""Linear word splitting and the expansion budgets of the Dockerfile, Compose and .env parsers."""

from __future__ import annotations

import itertools
import shlex

import pytest

from medlint.limits import Limits
from medlint.model.budget import ExpansionBudget, ExpansionLimitError
from medlint.model.interpolation import interpolate
from medlint.model.shell import split_words
from medlint.parsers.compose import parse_compose
from medlint.parsers.dockerfile import parse_dockerfile
from medlint.parsers.dotenv import parse_dotenv
from medlint.source import SourceError

SMALL = Limits(max_expanded_value_chars=100, max_expanded_file_chars=300, max_substitution_nesting=3)


def _shlex(text: str) -> object:
    try:
        return shlex.split(text)
    except ValueError as error:
        return str(error)


def _ours(text: str) -> object:
    try:
        return split_words(text)
    except ValueError as error:
        return str(error)


def test_split_words_is_shlex_split() -> None:
    alphabet = " \t\n'\"\\ab"
    for length in range(6):
        for text in map("".join, itertools.product(alphabet, repeat=length)):
            assert _ours(text) == _shlex(text), repr(text)


def test_split_words_on_a_megabyte_word() -> None:
    word = "a" * 1_000_000
    assert split_words(f"echo \"{word}\" '{word}' {word}") == ["echo", word, word, word]


def test_dockerfile_value_budget_names_the_variable() -> None:
    text = "FROM alpine\nARG A=0123456789\nARG B=${A}${A}${A}${A}${A}${A}${A}${A}${A}${A}${A}\n"
    with pytest.raises(SourceError) as error:
        parse_dockerfile("Dockerfile", text, limits=SMALL)
    assert (error.value.line, error.value.column) == (3, 5)
    assert error.value.message.startswith("ARG B: substituting ${A}")
    assert "limits.max_expanded_value_chars" in error.value.message


def test_dockerfile_file_budget() -> None:
    lines = ["FROM alpine", "ENV A=0123456789012345678901234567890123456789"]
    lines += [f"ENV B{n}=$A" for n in range(10)]
    with pytest.raises(SourceError, match="max_expanded_file_chars"):
        parse_dockerfile("Dockerfile", "\n".join(lines) + "\n", limits=SMALL)
    parse_dockerfile("Dockerfile", "\n".join(lines[:4]) + "\n", limits=SMALL)  # under the budget


def test_dockerfile_replacement_is_checked_before_it_is_built() -> None:
    text = "FROM alpine\nARG A=aaaaaaaaaa\nRUN echo ${A//a/0123456789012}\n"
    with pytest.raises(SourceError, match="RUN: substituting"):
        parse_dockerfile("Dockerfile", text, limits=SMALL)


def test_dockerfile_nesting_is_bounded() -> None:
    text = "FROM alpine\nRUN echo ${A:-${A:-${A:-${A:-${A:-x}}}}}\n"
    with pytest.raises(SourceError, match="max_substitution_nesting"):
        parse_dockerfile("Dockerfile", text, limits=SMALL)
    parse_dockerfile("Dockerfile", "FROM alpine\nRUN echo ${A:-${A:-x}}\n", limits=SMALL)


def test_literal_text_costs_nothing() -> None:
    parse_dockerfile("Dockerfile", f'FROM alpine\nLABEL a="{"x" * 1000}"\n', limits=SMALL)


def test_interpolation_budget_and_nesting() -> None:
    with pytest.raises(ExpansionLimitError, match="max_expanded_value_chars"):
        interpolate("${A}" * 20, {"A": "0123456789"}, ExpansionBudget(SMALL))
    assert interpolate("${A:-${B:-x}}", {}, ExpansionBudget(SMALL)).value == "x"
    with pytest.raises(ExpansionLimitError, match="max_substitution_nesting"):
        interpolate("${A:-" * 40 + "x" + "}" * 40, {})


def test_dotenv_budget_names_file_line_and_variable() -> None:
    text = "A=0123456789\nB=${A}${A}${A}${A}${A}${A}${A}${A}${A}${A}${A}\n"
    with pytest.raises(SourceError) as error:
        parse_dotenv(text, ExpansionBudget(SMALL), "app/.env")
    assert error.value.message.startswith("app/.env line 2: variable B: substituting ${A}")


def test_compose_project_shares_one_budget() -> None:
    environment = "".join(f"      - X{n}=${{A}}${{A}}\n" for n in range(6))  # 60 characters each
    compose = "services:\n  web:\n    image: nginx:${A}\n    environment:\n" + environment
    with pytest.raises(SourceError, match="max_expanded_file_chars"):
        parse_compose("compose.yaml", compose, env_file_text="A=" + "x" * 30 + "\n", limits=SMALL)
