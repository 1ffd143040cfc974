"""Go durations (`30s`, `1m30s`, `500ms`, `-1h`), as Docker, Compose and Kubernetes read them.

Docker's HEALTHCHECK flags, Compose's healthcheck and `@every` schedules and Kubernetes' metav1.Duration all
go through Go's time.ParseDuration, so one reader serves them all: an optional sign, then one or more
number-and-unit parts (`ns`, `us`, `µs`, `μs`, `ms`, `s`, `m`, `h`); `0` alone needs no unit.
"""

from __future__ import annotations

import re
from typing import Any

_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_go_duration(text: str) -> float | None:
    """A Go duration in seconds; None when `text` is not one (a bare number other than 0 has no unit)."""
    sign = 1.0
    if text[:1] in ("+", "-"):
        sign = -1.0 if text[0] == "-" else 1.0
        text = text[1:]
    if text == "0":
        return 0.0
    total, position = 0.0, 0
    while position < len(text):  # each part where the last ended: one pass, never a search per start
        match = _PART.match(text, position)
        if match is None:
            return None
        total += float(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    return sign * total if position == len(text) and position > 0 else None


def duration_seconds(value: Any) -> float | None:
    """A YAML value written as a duration string (surrounding blanks ignored); None for anything else."""
    if not isinstance(value, str) or not value.strip():
        return None
    return parse_go_duration(value.strip())
