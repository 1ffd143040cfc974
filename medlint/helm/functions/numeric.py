"""Sprig's number conversions and arithmetic.

Sprig converts with spf13/cast, not with Python's rules: ``int "08"`` is 0
(base-0 parsing makes ``08`` invalid octal), ``int "0x10"`` is 16,
``int "8.0"`` is 8 (cast trims a zero decimal part), ``int 3.9`` is 3, and
anything unconvertible is 0.  Integer arithmetic is int64 arithmetic: division
truncates toward zero, overflow wraps, dividing by zero is a runtime panic.
The ``*f`` functions go through shopspring/decimal, so ``addf 0.1 0.2`` is
exactly ``0.3``.

Named ``numeric`` so it does not shadow the standard ``math`` module.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Context, Decimal, DivisionByZero, InvalidOperation
from typing import Any

from medlint.helm import gofmt
from medlint.helm.functions.reflect import FunctionError, GoIntSlice, arg_float, arg_int, arg_string

__all__ = [
    "functions",
    "go_parse_float",
    "go_parse_int",
    "to_float64",
    "to_int",
    "to_int64",
    "wrap_int64",
]

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_DIVISION_PRECISION = 16  # shopspring/decimal DivisionPrecision
_EXACT = Context(prec=2000)


def wrap_int64(value: int) -> int:
    """Two's-complement wraparound, as Go's int64 arithmetic does."""
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= (1 << 63) else value


def _underscores_ok(text: str) -> bool:
    """Go's strconv.underscoreOK: underscores only between digits (or after a base prefix)."""
    saw = "^"
    i = 0
    if text[:1] in ("+", "-"):
        text = text[1:]
    hexa = False
    if len(text) >= 2 and text[0] == "0" and text[1].lower() in "box":
        i = 2
        saw = "0"
        hexa = text[1].lower() == "x"
    while i < len(text):
        ch = text[i]
        if (ch.isdigit() and ch.isascii()) or (hexa and ch.lower() in "abcdef"):
            saw = "0"
        elif ch == "_":
            if saw != "0":
                return False
            saw = "_"
        else:
            if saw == "_":
                return False
            saw = "!"
        i += 1
    return saw != "_"


def go_parse_int(text: str, base: int = 0, bits: int = 64) -> int | None:
    """Go's ``strconv.ParseInt(text, base, bits)``; ``None`` where Go returns an error."""
    if not text:
        return None
    body = text
    negative = False
    if body[0] in "+-":
        negative = body[0] == "-"
        body = body[1:]
    if not body:
        return None
    base0 = base == 0
    if base0:
        lowered = body.lower()
        if lowered.startswith("0x"):
            base, body = 16, body[2:]
        elif lowered.startswith("0o"):
            base, body = 8, body[2:]
        elif lowered.startswith("0b"):
            base, body = 2, body[2:]
        elif body.startswith("0") and len(body) > 1:
            base, body = 8, body[1:]
        else:
            base = 10
    if base0 and "_" in text:
        if not _underscores_ok(text):
            return None
        body = body.replace("_", "")
    if not body or not body.isascii() or not body.isalnum():
        return None
    if not base0 and body[:2].lower() == {16: "0x", 8: "0o", 2: "0b"}.get(base):
        return None
    try:
        magnitude = int(body, base)
    except ValueError:
        return None
    value = -magnitude if negative else magnitude
    limit = 1 << (bits - 1)
    if value < -limit or value >= limit:
        return None
    return value


_GO_FLOAT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")  # unambiguous: linear
_GO_HEX_FLOAT = re.compile(r"[+-]?0[xX](?:[0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?)[pP][+-]?\d+")


def go_parse_float(text: str) -> float | None:
    """Go's ``strconv.ParseFloat(text, 64)``; ``None`` on error (including overflow)."""
    unsigned = text[1:] if text[:1] in ("+", "-") else text
    if unsigned.lower() in ("inf", "infinity"):
        return -math.inf if text.startswith("-") else math.inf
    if text.lower() == "nan":
        return math.nan
    if _GO_HEX_FLOAT.fullmatch(text):
        try:
            value = float.fromhex(text.replace("_", ""))
        except ValueError:
            return None
        return value if not math.isinf(value) else None
    if not _GO_FLOAT.fullmatch(text):
        return None
    value = float(text)
    return None if math.isinf(value) else value


def _trim_zero_decimal(text: str) -> str:
    """cast's trimZeroDecimal: ``"12.000"`` becomes ``"12"``; anything else is unchanged."""
    found_zero = False
    for i in range(len(text), 0, -1):
        ch = text[i - 1]
        if ch == ".":
            if found_zero:
                return text[: i - 1]
        elif ch == "0":
            found_zero = True
        else:
            return text
    return text


def _float_to_int64(value: float) -> int:
    """Go's int64(f): truncation; NaN and out-of-range give math.MinInt64 (amd64 behaviour)."""
    if math.isnan(value) or math.isinf(value) or not _INT64_MIN <= value < 2.0**63:
        return _INT64_MIN
    return int(value)


def to_int64(value: Any) -> int:
    """Sprig ``int64`` / cast.ToInt64: best-effort conversion, 0 when impossible."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return wrap_int64(value)
    if isinstance(value, float):
        return _float_to_int64(value)
    if isinstance(value, str):
        parsed = go_parse_int(_trim_zero_decimal(value))
        return parsed if parsed is not None else 0
    return 0


def to_int(value: Any) -> int:
    """Sprig ``int`` / cast.ToInt (Go int is 64-bit on every platform Helm ships for)."""
    return to_int64(value)


def to_float64(value: Any) -> float:
    """Sprig ``float64`` / cast.ToFloat64: best-effort conversion, 0 when impossible."""
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        parsed = go_parse_float(value)
        return parsed if parsed is not None else 0.0
    return 0.0


def atoi(text: Any) -> int:
    """Sprig ``atoi``: strconv.Atoi (base 10, no prefixes or underscores); errors give 0."""
    parsed = go_parse_int(arg_string(text), 10)
    return parsed if parsed is not None else 0


# ---------------------------------------------------------------------------
# Integer arithmetic (int64)
# ---------------------------------------------------------------------------


def _trunc_div(a: int, b: int) -> int:
    if b == 0:
        raise FunctionError("runtime error: integer divide by zero")
    quotient = abs(a) // abs(b)
    return wrap_int64(quotient if (a >= 0) == (b >= 0) else -quotient)


def _trunc_mod(a: int, b: int) -> int:
    if b == 0:
        raise FunctionError("runtime error: integer divide by zero")
    return wrap_int64(a - b * _trunc_div(a, b))


def add(*values: Any) -> int:
    """``add A B ...``."""
    total = 0
    for value in values:
        total = wrap_int64(total + to_int64(value))
    return total


def add1(value: Any) -> int:
    """``add1 A``."""
    return wrap_int64(to_int64(value) + 1)


def sub(a: Any, b: Any) -> int:
    """``sub A B``."""
    return wrap_int64(to_int64(a) - to_int64(b))


def div(a: Any, b: Any) -> int:
    """``div A B``: integer division truncating toward zero."""
    return _trunc_div(to_int64(a), to_int64(b))


def mod(a: Any, b: Any) -> int:
    """``mod A B``: remainder with the sign of A."""
    return _trunc_mod(to_int64(a), to_int64(b))


def mul(a: Any, *rest: Any) -> int:
    """``mul A B ...``."""
    total = to_int64(a)
    for value in rest:
        total = wrap_int64(total * to_int64(value))
    return total


def max_(a: Any, *rest: Any) -> int:
    """``max A B ...`` (also ``biggest``), in int64."""
    best = to_int64(a)
    for value in rest:
        best = max(best, to_int64(value))
    return best


def min_(a: Any, *rest: Any) -> int:
    """``min A B ...``, in int64."""
    best = to_int64(a)
    for value in rest:
        best = min(best, to_int64(value))
    return best


def _go_max(a: float, b: float) -> float:
    if (math.isinf(a) and a > 0) or (math.isinf(b) and b > 0):
        return math.inf
    if math.isnan(a) or math.isnan(b):
        return math.nan
    if a == 0 and b == 0:
        return b if math.copysign(1, a) < 0 else a
    return a if a > b else b


def _go_min(a: float, b: float) -> float:
    if (math.isinf(a) and a < 0) or (math.isinf(b) and b < 0):
        return -math.inf
    if math.isnan(a) or math.isnan(b):
        return math.nan
    if a == 0 and b == 0:
        return a if math.copysign(1, a) < 0 else b
    return a if a < b else b


def maxf(a: Any, *rest: Any) -> float:
    """``maxf A B ...`` with math.Max semantics."""
    best = to_float64(a)
    for value in rest:
        best = _go_max(best, to_float64(value))
    return best


def minf(a: Any, *rest: Any) -> float:
    """``minf A B ...`` with math.Min semantics."""
    best = to_float64(a)
    for value in rest:
        best = _go_min(best, to_float64(value))
    return best


def floor(value: Any) -> float:
    """``floor A`` (float64 result)."""
    number = to_float64(value)
    return number if math.isinf(number) or math.isnan(number) else float(math.floor(number))


def ceil(value: Any) -> float:
    """``ceil A`` (float64 result)."""
    number = to_float64(value)
    return number if math.isinf(number) or math.isnan(number) else float(math.ceil(number))


def round_(value: Any, places: Any, *round_on: Any) -> float:
    """``round A PLACES [ROUND_ON]``: Sprig's own rounding (fraction >= ROUND_ON rounds up)."""
    threshold = arg_float(round_on[0]) if round_on else 0.5
    number = to_float64(value)
    power = math.pow(10, float(arg_int(places)))
    digit = power * number
    if math.isinf(digit) or math.isnan(digit):
        return digit / power
    fraction = math.modf(digit)[0]
    rounded = math.ceil(digit) if fraction >= threshold else math.floor(digit)
    return rounded / power


# ---------------------------------------------------------------------------
# Float arithmetic through shopspring/decimal
# ---------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal:
    number = to_float64(value)
    if math.isnan(number) or math.isinf(number):
        raise FunctionError(f"Cannot create a Decimal from {gofmt.format_value(number)}")
    return Decimal(repr(number))


def _decimal_op(first: Any, rest: tuple, operation: str) -> float:
    result = _decimal(first)
    for value in rest:
        other = _decimal(value)
        if operation == "add":
            result = _EXACT.add(result, other)
        elif operation == "sub":
            result = _EXACT.subtract(result, other)
        elif operation == "mul":
            result = _EXACT.multiply(result, other)
        else:
            if other == 0:
                raise FunctionError("decimal division by zero")
            try:
                quotient = _EXACT.divide(result, other)
            except (DivisionByZero, InvalidOperation) as exc:  # pragma: no cover - guarded above
                raise FunctionError("decimal division by zero") from exc
            step = Decimal(1).scaleb(-_DIVISION_PRECISION)
            result = quotient.quantize(step, rounding=ROUND_HALF_UP, context=_EXACT)
    return float(result)


def addf(*values: Any) -> float:
    """``addf A B ...``."""
    return _decimal_op(0.0, values, "add")


def add1f(value: Any) -> float:
    """``add1f A``."""
    return _decimal_op(value, (1,), "add")


def subf(first: Any, *rest: Any) -> float:
    """``subf A B ...``."""
    return _decimal_op(first, rest, "sub")


def mulf(first: Any, *rest: Any) -> float:
    """``mulf A B ...``."""
    return _decimal_op(first, rest, "mul")


def divf(first: Any, *rest: Any) -> float:
    """``divf A B ...`` (quotients rounded to 16 decimal places, as shopspring/decimal does)."""
    return _decimal_op(first, rest, "div")


# ---------------------------------------------------------------------------
# Sequences
# ---------------------------------------------------------------------------


def _until_step(start: int, stop: int, step: int) -> list[int]:
    if stop < start:
        if step >= 0:
            return []
        return list(range(start, stop, step))
    if step <= 0:
        return []
    return list(range(start, stop, step))


def until(count: Any) -> GoIntSlice:
    """``until N``: ``[0 1 ... N-1]`` (counts down for negative N)."""
    number = arg_int(count)
    return GoIntSlice(_until_step(0, number, -1 if number < 0 else 1))


def until_step(start: Any, stop: Any, step: Any) -> GoIntSlice:
    """``untilStep START STOP STEP``."""
    return GoIntSlice(_until_step(arg_int(start), arg_int(stop), arg_int(step)))


def seq(*params: Any) -> str:
    """``seq [START [STEP]] END``: like the Unix ``seq``, as a space-separated string."""
    numbers = [arg_int(p) for p in params]
    if len(numbers) == 1:
        start, end, increment = 1, numbers[0], 1
        if end < start:
            increment = -1
        values = _until_step(start, end + increment, increment)
    elif len(numbers) == 2:
        start, end = numbers
        step = -1 if end < start else 1
        values = _until_step(start, end + step, step)
    elif len(numbers) == 3:
        start, step, end = numbers
        increment = 1
        if end < start:
            increment = -1
            if step > 0:
                return ""
        values = _until_step(start, end + increment, step)
    else:
        return ""
    return " ".join(str(v) for v in values)


def to_decimal(value: Any) -> int:
    """``toDecimal "0777"``: an octal (Unix mode) string to its decimal value; 0 on error."""
    parsed = go_parse_int(gofmt.sprint(value), 8)
    return parsed if parsed is not None else 0


def functions() -> dict[str, Callable[..., Any]]:
    """The Sprig conversion and math functions."""
    return {
        "atoi": atoi,
        "int": to_int,
        "int64": to_int64,
        "float64": to_float64,
        "toDecimal": to_decimal,
        "add": add,
        "add1": add1,
        "sub": sub,
        "div": div,
        "mod": mod,
        "mul": mul,
        "max": max_,
        "biggest": max_,
        "min": min_,
        "maxf": maxf,
        "minf": minf,
        "floor": floor,
        "ceil": ceil,
        "round": round_,
        "addf": addf,
        "add1f": add1f,
        "subf": subf,
        "mulf": mulf,
        "divf": divf,
        "until": until,
        "untilStep": until_step,
        "seq": seq,
    }
