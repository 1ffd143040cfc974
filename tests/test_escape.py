"""Escaping: names that are not UTF-8 and control characters are shown, never passed through raw."""

from __future__ import annotations

from medlint.escape import printable, visible


def test_bytes_that_are_not_utf8_are_shown_as_hex() -> None:
    name = b"Dockerfile.\xff".decode("utf-8", "surrogateescape")
    assert printable(name) == "Dockerfile.\\xff"
    assert printable("plain/ü.yaml") == "plain/ü.yaml"


def test_control_characters_and_direction_overrides_are_visible() -> None:
    assert visible("a\n::error::x") == "a\\n::error::x"
    assert visible("\x1b]0;pwned\x07") == "\\x1b]0;pwned\\x07"
    assert visible("x\u202egpj.exe\x9b") == "x\\u202egpj.exe\\x9b"
    assert visible("keep\r\nbreaks\x1b", keep_line_breaks=True) == "keep\r\nbreaks\\x1b"
    assert visible("tab\tü€") == "tab\\tü€"
