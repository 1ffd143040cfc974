"""Kubernetes resource quantities (`500m`, `1Gi`, `1G`, `1e3`) as numbers, so limits compare with requests."""

from __future__ import annotations

import re

_SUFFIXES = {
    "": 1,
    "m": 1e-3,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "E": 1e18,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "Ei": 2**60,
}
# `\d+(?:\.\d*)?`, not `\d+\.?\d*`: one way to split the digits, so a long number fails in linear time.
_QUANTITY = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$")


def parse_quantity(text: str) -> float | None:
    """The quantity's value in base units; None when it is not a valid quantity."""
    match = _QUANTITY.match(str(text).strip())
    if not match:
        return None
    return float(match.group(1)) * _SUFFIXES[match.group(2) or ""]
