"""Go's view of medlint's Python values: kinds, type names, emptiness, equality.

Sprig decides almost everything by Go reflection (``reflect.Kind``, ``%T``,
``reflect.DeepEqual``), and charts branch on it (``kindIs "map"``,
``typeIs "string"``).  This module answers those questions for the shared value
model (``None`` = nil, ``bool``, ``int``, ``float`` = float64, ``str``, ``list``,
``dict`` = ``map[string]interface {}``), for the few typed containers Sprig
returns (:class:`GoStringSlice`, :class:`GoIntSlice`, :class:`GoStringMap`), and
for objects that declare ``go_type_name`` / ``go_kind`` class attributes.

It also holds the Sprig "defaults" functions (``default``, ``empty``,
``coalesce``, ``ternary``, ``all``, ``any``), which are nothing but emptiness
checks, and :class:`FunctionError`, the exception every template function
raises when Go would return an error or panic.

Argument checks: Go's text/template refuses to pass a float64 to a parameter
declared ``int`` ("wrong type for value; expected int; got float64") and nil to
a ``string`` ("invalid value; expected string").  The ``arg_*`` helpers repeat
those checks so a chart that fails under Helm also fails under medlint.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from medlint.helm import gofmt

__all__ = [
    "FunctionError",
    "GoIntSlice",
    "GoStringMap",
    "GoStringSlice",
    "arg_bool",
    "arg_float",
    "arg_int",
    "arg_map",
    "arg_string",
    "deep_equal",
    "functions",
    "is_empty",
    "kind_of",
    "type_of",
]


class FunctionError(Exception):
    """A template function returned a Go error or panicked.

    Go's text/template turns both into an execution error
    ("error calling NAME: MESSAGE"); the engine adds the location.
    """


class GoStringSlice(list):
    """A Go ``[]string`` (returned by ``splitList``, ``sortAlpha``, ``regexFindAll`` ...)."""

    go_type_name = "[]string"


class GoIntSlice(list):
    """A Go ``[]int`` (returned by ``until`` and ``untilStep``)."""

    go_type_name = "[]int"


class GoStringMap(dict):
    """A Go ``map[string]string`` (returned by ``split`` and ``splitn``)."""

    go_type_name = "map[string]string"


def type_of(value: Any) -> str:
    """Go's ``%T`` of ``value`` (Sprig ``typeOf``).

    Python ``int`` reports ``int`` (a template literal); Go code that produced
    an ``int64`` (``add``, ``int64``) is indistinguishable in this value model.
    """
    explicit = getattr(type(value), "go_type_name", None)
    if isinstance(explicit, str):
        return explicit
    return gofmt.type_name(value)


def kind_of(value: Any) -> str:
    """Go's ``reflect.ValueOf(value).Kind().String()`` (Sprig ``kindOf``)."""
    if value is None:
        return "invalid"
    explicit = getattr(type(value), "go_kind", None)
    if isinstance(explicit, str):
        return explicit
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple, bytes, bytearray)):
        return "slice"
    if isinstance(value, dict):
        return "map"
    return "struct"


def is_slice(value: Any) -> bool:
    """True for values whose Go kind is slice or array (what Sprig's list functions accept)."""
    return kind_of(value) in ("slice", "array")


def is_empty(value: Any) -> bool:
    """Sprig's ``empty``: nil, false, 0, 0.0, and zero-length strings, lists and maps.

    Structs are never empty; pointers are empty only when nil.
    """
    if value is None:
        return True
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value == 0
    if isinstance(value, (str, list, tuple, dict, bytes, bytearray)):
        return len(value) == 0
    return False


def deep_equal(left: Any, right: Any) -> bool:
    """Go's ``reflect.DeepEqual``: equal values of identical Go types.

    So ``1`` (int) and ``1.0`` (float64) differ, as do ``true`` and ``1``.
    """
    if left is None or right is None:
        return left is None and right is None
    if type_of(left) != type_of(right):
        return False
    if isinstance(left, (list, tuple)):
        return len(left) == len(right) and all(deep_equal(a, b) for a, b in zip(left, right))
    if isinstance(left, dict):
        if len(left) != len(right):
            return False
        return all(key in right and deep_equal(val, right[key]) for key, val in left.items())
    if isinstance(left, float) and math.isnan(left):
        return False
    return bool(left == right)


# ---------------------------------------------------------------------------
# Go template argument checks
# ---------------------------------------------------------------------------


def _wrong_type(expected: str, value: Any) -> FunctionError:
    if value is None:
        return FunctionError(f"invalid value; expected {expected}")
    return FunctionError(f"wrong type for value; expected {expected}; got {type_of(value)}")


def arg_string(value: Any) -> str:
    """A Go ``string`` parameter: only strings are accepted."""
    if isinstance(value, str):
        return value
    raise _wrong_type("string", value)


def arg_int(value: Any) -> int:
    """A Go ``int`` parameter: integers only (a float64 from .Values is refused, as in Helm)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise _wrong_type("int", value)


def arg_float(value: Any) -> float:
    """A Go ``float64`` parameter; integers are accepted because template literals convert."""
    if isinstance(value, float):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    raise _wrong_type("float64", value)


def arg_bool(value: Any) -> bool:
    """A Go ``bool`` parameter."""
    if isinstance(value, bool):
        return value
    raise _wrong_type("bool", value)


def arg_map(value: Any, *, allow_nil: bool = True) -> dict | None:
    """A Go ``map[string]interface {}`` parameter.

    nil is a valid (nil) map in Go, returned as ``None`` so callers can decide
    between "reads as empty" and Go's "assignment to entry in nil map" panic.
    """
    if value is None and allow_nil:
        return None
    if isinstance(value, dict) and type_of(value) == "map[string]interface {}":
        return value
    raise _wrong_type("map[string]interface {}", value)


def nil_kind_panic() -> FunctionError:
    """What Sprig's ``reflect.TypeOf(nil).Kind()`` does: a nil pointer panic."""
    return FunctionError("runtime error: invalid memory address or nil pointer dereference")


# ---------------------------------------------------------------------------
# Sprig functions: defaults and reflection
# ---------------------------------------------------------------------------


def default(default_value: Any, *given: Any) -> Any:
    """``default D V``: V unless it is missing or empty (see :func:`is_empty`)."""
    if not given or is_empty(given[0]):
        return default_value
    return given[0]


def empty(value: Any) -> bool:
    """``empty V``."""
    return is_empty(value)


def coalesce(*values: Any) -> Any:
    """``coalesce A B ...``: the first non-empty value, else nil."""
    for value in values:
        if not is_empty(value):
            return value
    return None


def all_(*values: Any) -> bool:
    """``all A B ...``: true when no value is empty (true for no values)."""
    return all(not is_empty(v) for v in values)


def any_(*values: Any) -> bool:
    """``any A B ...``: true when some value is non-empty."""
    return any(not is_empty(v) for v in values)


def ternary(if_true: Any, if_false: Any, condition: Any) -> Any:
    """``ternary T F COND`` (COND must be a bool, as in Go)."""
    return if_true if arg_bool(condition) else if_false


def type_is(target: Any, value: Any) -> bool:
    """``typeIs "string" V``."""
    return arg_string(target) == type_of(value)


def type_is_like(target: Any, value: Any) -> bool:
    """``typeIsLike "T" V``: matches T or *T."""
    name = arg_string(target)
    actual = type_of(value)
    return actual == name or actual == "*" + name


def kind_is(target: Any, value: Any) -> bool:
    """``kindIs "map" V``."""
    return arg_string(target) == kind_of(value)


def functions() -> dict[str, Callable[..., Any]]:
    """The Sprig defaults and reflection functions."""
    return {
        "default": default,
        "empty": empty,
        "coalesce": coalesce,
        "all": all_,
        "any": any_,
        "ternary": ternary,
        "typeOf": type_of,
        "typeIs": type_is,
        "typeIsLike": type_is_like,
        "kindOf": kind_of,
        "kindIs": kind_is,
        "deepEqual": deep_equal,
    }
