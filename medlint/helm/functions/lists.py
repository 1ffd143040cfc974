"""Sprig's list functions (list.go).

Every function accepts any Go slice or array (``list``, ``[]string`` from
``splitList``, ``[]int`` from ``until`` ...) and returns a new
``[]interface {}``; the input is never modified.  Membership (``has``,
``without``, ``uniq``) uses ``reflect.DeepEqual``, so ``has 80 .Values.ports``
is false when the ports came from values (float64 80 is not int 80) - exactly
as in Helm.  The non-``must`` variants panic in Go and the ``must`` variants
return an error; both become :class:`FunctionError` here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from medlint.helm.functions.numeric import to_int
from medlint.helm.functions.reflect import (
    FunctionError,
    arg_int,
    deep_equal,
    is_empty,
    is_slice,
    kind_of,
    nil_kind_panic,
)

__all__ = ["functions"]


def _items(value: Any, action: str) -> list[Any]:
    """The elements of a Go slice/array, or Sprig's "Cannot <action> on type <kind>" error."""
    if value is None:
        raise nil_kind_panic()
    if not is_slice(value):
        raise FunctionError(f"Cannot {action} on type {kind_of(value)}")
    return list(value)


def list_(*values: Any) -> list[Any]:
    """``list A B ...`` (also ``tuple``)."""
    return list(values)


def push(values: Any, item: Any) -> list[Any]:
    """``append LIST V`` (also ``push``): a new list with V at the end."""
    return _items(values, "push") + [item]


def prepend(values: Any, item: Any) -> list[Any]:
    """``prepend LIST V``."""
    return [item] + _items(values, "prepend")


def first(values: Any) -> Any:
    """``first LIST``: nil for an empty list."""
    items = _items(values, "find first")
    return items[0] if items else None


def last(values: Any) -> Any:
    """``last LIST``: nil for an empty list."""
    items = _items(values, "find last")
    return items[-1] if items else None


def rest(values: Any) -> list[Any]:
    """``rest LIST``: all but the first element."""
    return _items(values, "find rest")[1:]


def initial(values: Any) -> list[Any]:
    """``initial LIST``: all but the last element."""
    return _items(values, "find initial")[:-1]


def reverse(values: Any) -> list[Any]:
    """``reverse LIST``."""
    return _items(values, "find reverse")[::-1]


def compact(values: Any) -> list[Any]:
    """``compact LIST``: drop empty elements (see ``empty``)."""
    return [v for v in _items(values, "compact") if not is_empty(v)]


def uniq(values: Any) -> list[Any]:
    """``uniq LIST``: first occurrence of each distinct (DeepEqual) element."""
    result: list[Any] = []
    for item in _items(values, "find uniq"):
        if not any(deep_equal(item, seen) for seen in result):
            result.append(item)
    return result


def without(values: Any, *omit: Any) -> list[Any]:
    """``without LIST A B ...``: the list minus the given elements."""
    return [v for v in _items(values, "find without") if not any(deep_equal(v, o) for o in omit)]


def has(needle: Any, haystack: Any) -> bool:
    """``has V LIST``: DeepEqual membership; a nil list has nothing."""
    if haystack is None:
        return False
    return any(deep_equal(needle, item) for item in _items(haystack, "find has"))


def slice_(values: Any, *indices: Any) -> Any:
    """``slice LIST [START [END]]``: nil for an empty list; bad bounds panic as in Go."""
    if values is None:
        raise nil_kind_panic()
    if not is_slice(values):
        raise FunctionError(f"list should be type of slice or array but {kind_of(values)}")
    items = list(values)
    if not items:
        return None
    start = to_int(indices[0]) if indices else 0
    end = to_int(indices[1]) if len(indices) >= 2 else len(items)
    if not 0 <= start <= end <= len(items):
        raise FunctionError("reflect: slice index out of range")
    result = items[start:end]
    return type(values)(result) if isinstance(values, list) and type(values) is not list else result


def concat(*lists: Any) -> list[Any]:
    """``concat LIST LIST ...``."""
    result: list[Any] = []
    for value in lists:
        if value is None:
            raise nil_kind_panic()
        if not is_slice(value):
            raise FunctionError(f"Cannot concat type {kind_of(value)} as list")
        result.extend(value)
    return result


def chunk(size: Any, values: Any) -> list[list[Any]]:
    """``chunk SIZE LIST``: consecutive pieces of SIZE elements (the last may be shorter)."""
    width = arg_int(size)
    items = _items(values, "chunk")
    if width <= 0:
        raise FunctionError(
            "runtime error: integer divide by zero"
            if width == 0
            else "runtime error: makeslice: len out of range"
        )
    count = int(math.floor((len(items) - 1) / width) + 1)
    return [items[i * width : (i + 1) * width] for i in range(count)]


def functions() -> dict[str, Callable[..., Any]]:
    """The Sprig list functions and their must* variants."""
    table: dict[str, Callable[..., Any]] = {
        "list": list_,
        "tuple": list_,
        "append": push,
        "push": push,
        "prepend": prepend,
        "first": first,
        "last": last,
        "rest": rest,
        "initial": initial,
        "reverse": reverse,
        "compact": compact,
        "uniq": uniq,
        "without": without,
        "has": has,
        "slice": slice_,
        "concat": concat,
        "chunk": chunk,
    }
    # The must* variants return Go's error where the plain ones panic; both are
    # a FunctionError here, so they share the implementation.
    for name in (
        "append",
        "push",
        "prepend",
        "first",
        "last",
        "rest",
        "initial",
        "reverse",
        "compact",
        "uniq",
        "without",
        "has",
        "slice",
        "chunk",
    ):
        table["must" + name[0].upper() + name[1:]] = table[name]
    return table
