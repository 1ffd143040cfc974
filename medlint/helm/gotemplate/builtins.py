"""Go's predefined template functions (text/template/funcs.go), for the Python value model.

Functions report failures by raising; the executor turns an exception into
Go's ``error calling NAME: message``.  ``and``, ``or`` and ``call`` need the
evaluator (short-circuiting, callee name) and are special-cased there; the
functions here only serve as identity markers and arity descriptions for them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus

from medlint.helm.gofmt import is_print, sprint, sprintf, sprintln, type_name
from medlint.helm.gotemplate.errors import FuncArgError
from medlint.helm.gotemplate.values import eq, ge, go_len, gt, is_true, le, lt, ne

__all__ = ["BUILTINS", "and_", "arity_of", "call", "call_function", "or_"]


def arity_of(fn: Callable[..., Any]) -> tuple[int, bool]:
    """Return (number of required positional parameters, accepts more) for ``fn``.

    Parameters with defaults count as the variadic tail, since Go functions
    have no optional parameters.  Unknown signatures accept anything.
    """
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return 0, True
    fixed = 0
    variadic = False
    for param in sig.parameters.values():
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            variadic = True
        elif param.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
            if param.default is inspect.Parameter.empty:
                fixed += 1
            else:
                variadic = True
    return fixed, variadic


# -- boolean logic --------------------------------------------------------------


def and_(arg0: Any, *args: Any) -> Any:
    """Marker: the executor implements Go's short-circuit ``and``."""
    value = arg0
    for value in (arg0,) + args:
        if not is_true(value):
            return value
    return value


def or_(arg0: Any, *args: Any) -> Any:
    """Marker: the executor implements Go's short-circuit ``or``."""
    value = arg0
    for value in (arg0,) + args:
        if is_true(value):
            return value
    return value


def not_(arg: Any) -> bool:
    return not is_true(arg)


# -- call -------------------------------------------------------------------------


def call(fn: Any, *args: Any) -> Any:
    """Marker for ``call``; the executor invokes :func:`call_function` with the callee name."""
    return call_function("", fn, *args)


def call_function(name: str, fn: Any, *args: Any) -> Any:
    """Go's ``call``: invoke a function value with the given arguments."""
    if fn is None:
        raise ValueError("call of nil")
    if not callable(fn):
        raise ValueError("non-function %s of type %s" % (name, type_name(fn)))
    fixed, variadic = arity_of(fn)
    if variadic:
        if len(args) < fixed:
            raise ValueError(
                "wrong number of args for %s: got %d want at least %d" % (name, len(args), fixed)
            )
    elif len(args) != fixed:
        raise ValueError("wrong number of args for %s: got %d want %d" % (name, len(args), fixed))
    return fn(*args)


# -- indexing and slicing -----------------------------------------------------------


def _index_arg(index: Any, cap: int) -> int:
    if index is None:
        raise ValueError("cannot index slice/array with nil")
    if isinstance(index, bool) or not isinstance(index, int):
        raise ValueError("cannot index slice/array with type %s" % type_name(index))
    if index < 0 or index > cap:
        raise ValueError("index out of range: %d" % index)
    return index


def index(item: Any, *indexes: Any) -> Any:
    """Go's ``index``: ``index x 1 2`` is ``x[1][2]``; a missing map key gives nil."""
    if item is None:
        raise ValueError("index of untyped nil")
    for idx in indexes:
        if item is None:
            raise ValueError("index of nil pointer")
        if isinstance(item, str):
            data = item.encode("utf-8", "surrogateescape") if not item.isascii() else item
            x = _index_arg(idx, len(data))
            if x == len(data):
                raise ValueError("reflect: string index out of range")
            item = data[x] if isinstance(data, bytes) else ord(data[x])
        elif isinstance(item, (list, tuple, bytes, bytearray)):
            x = _index_arg(idx, len(item))
            if x == len(item):
                raise ValueError("reflect: slice index out of range")
            item = item[x]
        elif isinstance(item, dict):
            if idx is None:
                raise ValueError("value is nil; should be of type string")
            if not isinstance(idx, str):
                raise ValueError("value has type %s; should be string" % type_name(idx))
            item = item.get(idx)
        else:
            raise ValueError("can't index item of type %s" % type_name(item))
    return item


def slice_(item: Any, *indexes: Any) -> Any:
    """Go's ``slice``: ``slice x 1 2`` is ``x[1:2]``; strings are sliced by bytes."""
    if item is None:
        raise ValueError("slice of untyped nil")
    if len(indexes) > 3:
        raise ValueError("too many slice indexes: %d" % len(indexes))
    data: Any
    if isinstance(item, str):
        if len(indexes) == 3:
            raise ValueError("cannot 3-index slice a string")
        data = item if item.isascii() else item.encode("utf-8", "surrogateescape")
    elif isinstance(item, (list, tuple)):
        data = item
    else:
        raise ValueError("can't slice item of type %s" % type_name(item))
    cap = len(data)
    idx = [0, len(data), cap]
    for i, value in enumerate(indexes):
        idx[i] = _index_arg(value, cap)
    if idx[0] > idx[1]:
        raise ValueError("invalid slice index: %d > %d" % (idx[0], idx[1]))
    if len(indexes) == 3 and idx[1] > idx[2]:
        raise ValueError("invalid slice index: %d > %d" % (idx[1], idx[2]))
    result = data[idx[0] : idx[1]]
    if isinstance(result, bytes):
        return result.decode("utf-8", "replace")
    if isinstance(result, tuple):
        return list(result)
    return result


# -- printing and escaping ------------------------------------------------------------


def _eval_args(args: tuple) -> str:
    """Go's evalArgs: like fmt.Sprint, but nil prints as ``<no value>``."""
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return sprint(*("<no value>" if a is None else a for a in args))


_HTML_ESCAPES = {
    "\0": "\ufffd",
    '"': "&#34;",
    "'": "&#39;",
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
}


def html_escape(text: str) -> str:
    """Go's ``template.HTMLEscapeString``."""
    if not any(c in text for c in "'\"&<>\0"):
        return text
    return "".join(_HTML_ESCAPES.get(c, c) for c in text)


def html(*args: Any) -> str:
    return html_escape(_eval_args(args))


_JS_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "<": "\\u003C",
    ">": "\\u003E",
    "&": "\\u0026",
    "=": "\\u003D",
}


def js_escape(text: str) -> str:
    """Go's ``template.JSEscapeString``."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _JS_ESCAPES:
            out.append(_JS_ESCAPES[ch])
        elif code < 0x20:
            out.append("\\u00%02X" % code)
        elif code < 0x80:
            out.append(ch)
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\uFFFD")
        elif is_print(ch):
            out.append(ch)
        else:
            out.append("\\u%04X" % code)
    return "".join(out)


def js(*args: Any) -> str:
    return js_escape(_eval_args(args))


def urlquery(*args: Any) -> str:
    """Go's ``url.QueryEscape`` of the printed arguments."""
    return quote_plus(_eval_args(args), safe="", encoding="utf-8", errors="surrogateescape")


def length(item: Any) -> int:
    return go_len(item)


def printf(format: Any, *args: Any) -> str:
    if not isinstance(format, str):
        got = "interface {}" if format is None else type_name(format)
        raise FuncArgError("wrong type for value; expected string; got %s" % got)
    return sprintf(format, *args)


BUILTINS: dict[str, Callable[..., Any]] = {
    "and": and_,
    "call": call,
    "html": html,
    "index": index,
    "slice": slice_,
    "js": js,
    "len": length,
    "not": not_,
    "or": or_,
    "print": sprint,
    "printf": printf,
    "println": sprintln,
    "urlquery": urlquery,
    "eq": eq,
    "ge": ge,
    "gt": gt,
    "le": le,
    "lt": lt,
    "ne": ne,
}
