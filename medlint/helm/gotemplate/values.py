"""Go value semantics for the plain-Python value model.

Go values are represented as: ``None`` (nil), ``bool``, ``int`` (int),
``float`` (float64), ``complex`` (complex128), ``str``, ``list``/``tuple``
([]interface {}), ``dict`` (map[string]interface {}) and arbitrary objects
(structs).  Python's ``bool`` is a subclass of ``int``, so every check below
tests ``bool`` first.

These helpers implement the rules ``text/template`` applies to such values:
truth (``if``/``with``/``and``/``or``/``not``), the comparison functions
(``eq``, ``lt``, ...) with Go's strict kind checks, and ``len``.
"""

from __future__ import annotations

from typing import Any

from medlint.helm.gofmt import sprintf, type_name

__all__ = [
    "ComparisonError",
    "eq",
    "ge",
    "go_len",
    "gt",
    "is_true",
    "le",
    "lt",
    "ne",
    "type_name",
]

# Basic kinds as in text/template/funcs.go.
_INVALID, _BOOL, _COMPLEX, _INT, _FLOAT, _STRING = range(6)


class ComparisonError(ValueError):
    """A comparison Go refuses to make (``incompatible types for comparison`` ...)."""


def is_true(value: Any) -> bool:
    """Go's ``template.IsTrue``: zero values, nil and empty collections are false."""
    if value is None:
        return False
    if isinstance(value, (bool, int, float, complex)):
        return value != 0
    if isinstance(value, (str, list, tuple, dict, bytes, bytearray)):
        return len(value) > 0
    return True  # non-nil structs, pointers, functions


def _basic_kind(value: Any) -> int:
    if isinstance(value, bool):
        return _BOOL
    if isinstance(value, int):
        return _INT
    if isinstance(value, float):
        return _FLOAT
    if isinstance(value, str):
        return _STRING
    if isinstance(value, complex):
        return _COMPLEX
    return _INVALID


def _reflect_kind(value: Any) -> str:
    """Coarse reflect.Kind used by Go's canCompare for non-basic values."""
    if value is None:
        return "invalid"
    if isinstance(value, (list, tuple)):
        return "slice"
    if isinstance(value, dict):
        return "map"
    if callable(value):
        return "func"
    return "struct:" + type(value).__qualname__


def _comparable(value: Any) -> bool:
    return not isinstance(value, (list, tuple, dict)) and not callable(value)


def eq(arg1: Any, *others: Any) -> bool:
    """Go's ``eq``: true if ``arg1`` equals any of ``others``; kinds must match."""
    if not others:
        raise ComparisonError("missing argument for comparison")
    k1 = _basic_kind(arg1)
    for arg in others:
        k2 = _basic_kind(arg)
        truth = False
        if k1 != k2:
            if arg1 is not None and arg is not None:
                raise ComparisonError(
                    "incompatible types for comparison: %s and %s" % (type_name(arg1), type_name(arg))
                )
        elif k1 != _INVALID:
            truth = arg1 == arg
        else:
            kind1, kind2 = _reflect_kind(arg1), _reflect_kind(arg)
            if kind1 != kind2 and kind1 != "invalid" and kind2 != "invalid":
                raise ComparisonError(
                    sprintf(
                        "non-comparable types %s: %v, %s: %v",
                        arg1,
                        type_name(arg1),
                        type_name(arg),
                        arg,
                    )
                )
            if arg1 is None or arg is None:
                truth = arg1 is None and arg is None
            else:
                if not _comparable(arg):
                    raise ComparisonError(sprintf("non-comparable type %s: %v", arg, type_name(arg)))
                truth = arg1 == arg
        if truth:
            return True
    return False


def ne(arg1: Any, arg2: Any) -> bool:
    """Go's ``ne``: the inverse of ``eq`` with exactly two arguments."""
    return not eq(arg1, arg2)


def lt(arg1: Any, arg2: Any) -> bool:
    """Go's ``lt``: only ints, floats and strings of the same kind can be ordered."""
    k1 = _basic_kind(arg1)
    if k1 == _INVALID:
        raise ComparisonError("invalid type for comparison")
    k2 = _basic_kind(arg2)
    if k2 == _INVALID:
        raise ComparisonError("invalid type for comparison")
    if k1 != k2:
        raise ComparisonError(
            "incompatible types for comparison: %s and %s" % (type_name(arg1), type_name(arg2))
        )
    if k1 in (_BOOL, _COMPLEX):
        raise ComparisonError("invalid type for comparison")
    if k1 == _STRING:
        # Go compares strings bytewise; UTF-8 preserves code point order.
        return arg1 < arg2
    return arg1 < arg2


def le(arg1: Any, arg2: Any) -> bool:
    """Go's ``le``: ``lt`` or ``eq``."""
    return lt(arg1, arg2) or eq(arg1, arg2)


def gt(arg1: Any, arg2: Any) -> bool:
    """Go's ``gt``: not ``le``."""
    return not le(arg1, arg2)


def ge(arg1: Any, arg2: Any) -> bool:
    """Go's ``ge``: not ``lt``."""
    return not lt(arg1, arg2)


def go_len(value: Any) -> int:
    """Go's ``len``: strings count UTF-8 bytes; non-collections are an error."""
    if value is None:
        raise ValueError("len of nil pointer")
    if isinstance(value, str):
        return len(value) if value.isascii() else len(value.encode("utf-8", "surrogateescape"))
    if isinstance(value, (list, tuple, dict, bytes, bytearray)):
        return len(value)
    if hasattr(value, "__len__") and not isinstance(value, (int, float, bool)):
        return len(value)
    raise ValueError("len of type %s" % type_name(value))
