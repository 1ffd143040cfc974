"""Escaping text for each output format, so no name or message can forge output.

A file or object name may hold a newline, a terminal escape sequence or bytes that are not UTF-8. Printed
as they are, a newline followed by `::error::` becomes a GitHub workflow command, and `\\x1b]...` rewrites a
terminal. Each format escapes in its own way:

- every format: bytes of a file name that are not UTF-8 (Python keeps them as lone surrogates) are shown as
  `\\xff`, so a name like `Dockerfile.\\xff` never makes an encoder fail (`printable`);
- text, JUnit and GitHub: control characters and Unicode direction overrides inside a field are shown
  visibly (`\\x1b`, `\\n`, `\\u202e`), so a field never spans two lines or reaches the terminal raw
  (`visible`);
- GitHub workflow commands additionally escape `%`, CR and LF (and `:`/`,` in properties), in
  `medlint.report.github`;
- JSON and SARIF escape control characters themselves (`json.dumps`); JUnit XML replaces what XML 1.0 forbids.
"""

from __future__ import annotations

import re

#: C0 and C1 controls, DEL, line and paragraph separators, and the Unicode direction controls ("Trojan
#: source": U+202A-U+202E, U+2066-U+2069, U+200E/U+200F, U+061C), plus lone surrogates.
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_SURROGATES = re.compile("[\ud800-\udfff]")


def _surrogate(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape): show the byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with bytes that are not UTF-8 shown as `\\xff` (lone surrogates are not encodable)."""
    if not _SURROGATES.search(text):
        return text
    return _SURROGATES.sub(lambda match: _surrogate(match.group()), text)


def _visible(char: str) -> str:
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return _surrogate(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, keep_line_breaks: bool = False) -> str:
    """One field on one line: control characters and direction overrides shown as escapes.

    `keep_line_breaks` leaves CR and LF for a format that escapes them itself (GitHub's `%0A`)."""
    if not _INVISIBLE.search(text):
        return text
    if keep_line_breaks:
        return _INVISIBLE.sub(lambda m: m.group() if m.group() in "\r\n" else _visible(m.group()), text)
    return _INVISIBLE.sub(lambda match: _visible(match.group()), text)
