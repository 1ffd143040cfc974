"""Sprig conversions (spf13/cast rules) and int64/decimal arithmetic."""

from __future__ import annotations

import pytest

from medlint.helm.functions import FunctionError, sprig_functions

F = sprig_functions()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42", 42),
        ("-7", -7),
        ("08", 0),
        ("010", 8),
        ("0x1F", 31),
        ("0b101", 5),
        ("1_000", 1000),
        ("8.00", 8),
        ("8.5", 0),
        (" 8", 0),
        ("", 0),
        ("abc", 0),
        (3.99, 3),
        (-3.99, -3),
        (True, 1),
        (None, 0),
        ([1], 0),
        ("9223372036854775808", 0),
    ],
)
def test_int_and_int64_follow_cast(value: object, expected: int) -> None:
    assert F["int"](value) == expected
    assert F["int64"](value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.5", 1.5),
        ("1e3", 1000.0),
        (" 1", 0.0),
        ("1_0", 0.0),
        ("0x1p-2", 0.25),
        (2, 2.0),
        (False, 0.0),
        (None, 0.0),
        ("1e400", 0.0),
    ],
)
def test_float64_follows_cast(value: object, expected: float) -> None:
    assert F["float64"](value) == expected


def test_atoi_is_strict_base_ten() -> None:
    assert F["atoi"]("08") == 8
    assert F["atoi"]("-12") == -12
    assert F["atoi"]("0x10") == 0
    assert F["atoi"]("1_0") == 0
    assert F["atoi"]("1.0") == 0


def test_integer_arithmetic_is_int64() -> None:
    assert F["add"](1, 2.9, "3") == 6
    assert F["add1"]("41") == 42
    assert F["sub"](1, 3) == -2
    assert F["mul"](2, 3, 4.5) == 24
    assert F["div"](-7, 2) == -3
    assert F["mod"](-7, 2) == -1
    assert F["add"](9223372036854775807, 1) == -9223372036854775808
    assert F["max"](1, "5", 3.9) == 5
    assert F["min"](1, -2, 3) == -2
    assert F["biggest"](1, 7) == 7
    with pytest.raises(FunctionError, match="integer divide by zero"):
        F["div"](1, 0)
    with pytest.raises(FunctionError, match="integer divide by zero"):
        F["mod"](1, "x")


def test_float_arithmetic_uses_decimal_semantics() -> None:
    assert F["addf"](0.1, 0.2) == 0.3
    assert F["add1f"](1.5) == 2.5
    assert F["subf"](1.5, 0.3) == 1.2
    assert F["mulf"](1.1, 3) == 3.3
    assert F["divf"](1, 3) == 0.3333333333333333
    assert F["divf"](2, 3) == 0.6666666666666667
    assert F["maxf"](1, 2.5, "3.5") == 3.5
    assert F["minf"](1, -2.5) == -2.5
    with pytest.raises(FunctionError, match="division by zero"):
        F["divf"](1, 0)


def test_floor_ceil_round() -> None:
    assert F["floor"]("1.9") == 1.0
    assert F["ceil"](1.1) == 2.0
    assert F["round"](123.555555, 3) == 123.556
    assert F["round"](123.5555, 3, 0.6) == 123.555
    assert F["round"](-2.5, 0) == -3.0
    assert F["round"](2.5, 0) == 3.0


def test_until_until_step_and_seq() -> None:
    assert F["until"](5) == [0, 1, 2, 3, 4]
    assert F["until"](-3) == [0, -1, -2]
    assert F["typeOf"](F["until"](2)) == "[]int"
    assert F["untilStep"](3, 6, 2) == [3, 5]
    assert F["untilStep"](6, 3, 1) == []
    assert F["seq"](5) == "1 2 3 4 5"
    assert F["seq"](-3) == "1 0 -1 -2 -3"
    assert F["seq"](0, 2, 10) == "0 2 4 6 8 10"
    assert F["seq"](10, -2, 0) == "10 8 6 4 2 0"
    assert F["seq"](0, 2, -10) == ""
    assert F["seq"]() == ""
    with pytest.raises(FunctionError, match="expected int; got float64"):
        F["until"](3.0)


def test_to_decimal_reads_octal_modes() -> None:
    assert F["toDecimal"]("0777") == 511
    assert F["toDecimal"](777.0) == 511
    assert F["toDecimal"]("9") == 0
