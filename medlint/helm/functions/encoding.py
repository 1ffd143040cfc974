"""Sprig's base64 and base32 functions (standard alphabets, padded).

Decoding never fails in Sprig: an invalid input *returns Go's error text*
(``illegal base64 data at input byte 4``) as the decoded string, so a chart
that b64-decodes garbage renders that sentence.  Go's decoders skip ``\\r`` and
``\\n`` and insist on correct padding; both are reproduced here.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any

from medlint.helm.functions.reflect import arg_string

__all__ = ["functions", "go_b64decode"]

_B64_CHARS = re.compile(r"[A-Za-z0-9+/=]")
_B32_CHARS = re.compile(r"[A-Z2-7=]")


def _illegal_offset(text: str, alphabet: re.Pattern[str], quantum: int) -> int:
    """Best-effort position Go reports for malformed input (first bad character or padding)."""
    cleaned_index = 0
    for ch in text:
        if ch in "\r\n":
            continue
        if not alphabet.fullmatch(ch):
            return cleaned_index
        cleaned_index += 1
    stripped = text.replace("\r", "").replace("\n", "")
    if "=" in stripped:
        return stripped.index("=")
    return len(stripped) - len(stripped) % quantum if len(stripped) % quantum else len(stripped)


def go_b64decode(text: str) -> bytes | None:
    """Go's ``base64.StdEncoding.DecodeString``; ``None`` where Go reports an error."""
    stripped = text.replace("\r", "").replace("\n", "")
    if len(stripped) % 4:
        return None
    try:
        return base64.b64decode(stripped, validate=True)
    except (binascii.Error, ValueError):
        return None


def b64enc(text: Any) -> str:
    """``b64enc S``."""
    return base64.b64encode(arg_string(text).encode()).decode("ascii")


def b64dec(text: Any) -> str:
    """``b64dec S``: the decoded text, or Go's error message."""
    value = arg_string(text)
    decoded = go_b64decode(value)
    if decoded is None:
        return f"illegal base64 data at input byte {_illegal_offset(value, _B64_CHARS, 4)}"
    return decoded.decode("utf-8", "replace")


def b32enc(text: Any) -> str:
    """``b32enc S``."""
    return base64.b32encode(arg_string(text).encode()).decode("ascii")


def b32dec(text: Any) -> str:
    """``b32dec S``: the decoded text, or Go's error message."""
    value = arg_string(text)
    stripped = value.replace("\r", "").replace("\n", "")
    try:
        if len(stripped) % 8 or not all(_B32_CHARS.fullmatch(c) for c in stripped):
            raise ValueError
        decoded = base64.b32decode(stripped)
    except (binascii.Error, ValueError):
        return f"illegal base32 data at input byte {_illegal_offset(value, _B32_CHARS, 8)}"
    return decoded.decode("utf-8", "replace")


def functions() -> dict[str, Callable[..., Any]]:
    """The Sprig encoding functions."""
    return {"b64enc": b64enc, "b64dec": b64dec, "b32enc": b32enc, "b32dec": b32dec}
