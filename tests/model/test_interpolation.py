"""Compose interpolation: every form, what is recorded, and errors with their offsets."""

from __future__ import annotations

import pytest

from medlint.model.interpolation import (
    InterpolatedText,
    Interpolation,
    InterpolationError,
    interpolate,
    interpolation_of,
)
from medlint.source import Location

VARIABLES = {"FOO": "first", "EMPTY": "", "PORT": "8080"}


@pytest.mark.parametrize(
    ("template", "value", "resolved"),
    [
        ("$FOO", "first", True),
        ("${FOO}", "first", True),
        ("$FOO-bar", "first-bar", True),  # a bare name ends at the first non-name character
        ("${MISSING}", "${MISSING}", False),  # kept visible, not emptied
        ("$MISSING/x", "$MISSING/x", False),
        ("${EMPTY}", "", True),
        # default when unset or empty
        ("${MISSING:-def}", "def", True),
        ("${EMPTY:-def}", "def", True),
        ("${FOO:-def}", "first", True),
        # default when unset only
        ("${MISSING-def}", "def", True),
        ("${EMPTY-def}", "", True),
        ("${FOO-def}", "first", True),
        # required: an unset value is unresolved, never an error
        ("${MISSING:?set it}", "${MISSING:?set it}", False),
        ("${EMPTY:?set it}", "${EMPTY:?set it}", False),
        ("${FOO:?set it}", "first", True),
        ("${MISSING?set it}", "${MISSING?set it}", False),
        ("${EMPTY?set it}", "", True),
        # alternative value
        ("${FOO:+alt}", "alt", True),
        ("${EMPTY:+alt}", "", True),
        ("${MISSING:+alt}", "", True),
        ("${FOO+alt}", "alt", True),
        ("${EMPTY+alt}", "alt", True),
        ("${MISSING+alt}", "", True),
        # nesting
        ("${MISSING:-${FOO}}", "first", True),
        ("${MISSING:-${OTHER:-x}-${PORT}}", "x-8080", True),
        ("${MISSING:-${OTHER}}", "${MISSING:-${OTHER}}", False),
        ("${FOO:-${OTHER}}", "first", True),  # the unused default does not make the value unknown
        ("${FOO:+${PORT}}", "8080", True),
        ("${MISSING:-/non:-alnum}", "/non:-alnum", True),
        ("${MISSING:-{braces}}", "{braces}", True),
        # escaping and things that are not references
        ("$$FOO", "$FOO", True),
        ("$${FOO}", "${FOO}", True),
        ("echo $(date) $1 $ and $}", "echo $(date) $1 $ and $}", True),
        ("trailing $", "trailing $", True),
        ("image:${FOO}-${MISSING}", "image:first-${MISSING}", False),
    ],
)
def test_each_form_resolves_like_compose_but_keeps_unknowns_visible(
    template: str, value: str, resolved: bool
) -> None:
    result = interpolate(template, VARIABLES)
    assert result.value == value
    assert result.resolved is resolved


def test_references_record_names_operators_defaults_and_offsets() -> None:
    result = interpolate("a ${MISSING:-${FOO}} $PORT ${GONE?needed}", VARIABLES)
    assert [(ref.name, ref.operator, ref.is_set, ref.resolved, ref.offset) for ref in result.references] == [
        ("MISSING", ":-", False, True, 2),
        ("FOO", "", True, True, 13),
        ("PORT", "", True, True, 21),
        ("GONE", "?", False, False, 27),
    ]
    assert result.references[0].default == "first"
    assert result.references[3].argument == "needed" and result.references[3].default is None
    assert result.names == ("MISSING", "FOO", "PORT", "GONE")
    assert result.unresolved_names == ("GONE",)
    assert result.default == "first"


def test_references_of_an_unused_default_are_not_recorded() -> None:
    result = interpolate("${FOO:-${OTHER}}", VARIABLES)
    assert result.names == ("FOO",)


def test_repeated_names_are_listed_once() -> None:
    assert interpolate("$FOO/$FOO/${FOO}", VARIABLES).names == ("FOO",)


def test_text_without_dollar_has_no_references() -> None:
    assert interpolate("plain", VARIABLES) == Interpolation("plain", "plain", ())


@pytest.mark.parametrize(
    ("template", "offset", "message"),
    [
        ("${", 0, "unterminated"),
        ("x ${FOO", 2, "unterminated"),
        ("${FOO:-x", 0, "unterminated"),
        ("ok ${FOO:-${BAR}", 3, "unterminated"),
        ("${}", 0, "variable name"),
        ("${ FOO}", 0, "variable name"),
        ("${1X}", 0, "variable name"),
        ("${FOO }", 0, "expected '}'"),
        ("${FOO!}", 0, "expected '}'"),
        ("${FOO:x}", 0, "expected '}'"),
        ("ok ${FOO:-${!}}", 10, "variable name"),
        ("$$ ${FOO/a/b}", 3, "expected '}'"),
    ],
)
def test_malformed_braces_raise_with_the_offset_of_their_dollar(
    template: str, offset: int, message: str
) -> None:
    with pytest.raises(InterpolationError) as caught:
        interpolate(template, VARIABLES)
    assert caught.value.offset == offset
    assert message in caught.value.message


def test_interpolated_text_is_a_str_with_metadata() -> None:
    record = interpolate("${FOO}", VARIABLES)
    location = Location("compose.yaml", 3, 5)
    text = InterpolatedText(record.value, record, location)
    assert text == "first" and isinstance(text, str)
    assert {text: 1}["first"] == 1
    assert text.location == location and not text.unresolved
    assert interpolation_of(text) is record
    assert interpolation_of("first") is None
    assert interpolation_of(text.upper()) is None  # derived strings are plain
