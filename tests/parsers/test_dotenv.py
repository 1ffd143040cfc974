""".env files in the Compose dotenv dialect: every form, later definitions, unterminated quotes."""

from __future__ import annotations

from medlint.parsers.dotenv import parse_dotenv


def test_dotenv_forms() -> None:
    text = "\n".join(
        [
            "# a comment",
            "",
            "PLAIN=value",
            "export EXPORTED=yes",
            "SPACED = around ",
            "INLINE=kept # dropped",
            "HASH=a#b",
            "SINGLE='lit ${PLAIN} # not a comment'",
            'DOUBLE="tab\\tnew\\nline ${PLAIN} \\$HOME"',
            'MULTI="first',
            'second"',
            "EMPTY=",
            "REFERENCE=${PLAIN}-$EXPORTED",
            "DEFAULTED=${NOPE:-fallback}",
            "FROM_HOST",
            "UNKNOWN=${HOME}/x",
            "not a line at all",
        ]
    )
    assert parse_dotenv(text) == {
        "PLAIN": "value",
        "EXPORTED": "yes",
        "SPACED": "around",
        "INLINE": "kept",
        "HASH": "a#b",
        "SINGLE": "lit ${PLAIN} # not a comment",
        "DOUBLE": "tab\tnew\nline value $HOME",
        "MULTI": "first\nsecond",
        "EMPTY": "",
        "REFERENCE": "value-yes",
        "DEFAULTED": "fallback",
    }


def test_dotenv_later_definitions_win_and_unknown_ones_unset_earlier_values() -> None:
    assert parse_dotenv("A=1\nA=2\nB=x\nB=${NOWHERE}") == {"A": "2"}


def test_dotenv_unterminated_quote_is_skipped() -> None:
    assert parse_dotenv('A="open\nB=2') == {}
    assert parse_dotenv(None) == {}
