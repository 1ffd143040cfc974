"""Sprig's dictionary functions (dict.go) with mergo's merge rules.

``merge`` and ``mergeOverwrite`` modify their first argument in place and
return it, as Sprig does through ``mergo.Merge(&dst, src)``.  The rules, read
from mergo's ``deepMerge`` for ``map[string]interface {}``:

* nested maps are merged recursively (both functions);
* ``merge`` fills only keys that are missing or *empty* in dst (nil, false, 0,
  "", empty list or map) and skips nil values in src;
* ``mergeOverwrite`` replaces every key present in src, even with an empty
  value (``key: false`` wins) and with nil;
* lists are never merged element-wise: they are replaced like scalars;
* values copied from src are shared, not copied (``deepCopy`` first if that
  matters), exactly like Go maps.

Map order: Go iterates maps randomly, so ``keys`` and ``values`` have no order
in Helm; here they come in sorted key order, which is deterministic (charts
that need an order call ``sortAlpha`` anyway).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, TypeGuard

from medlint.helm.functions.reflect import (
    FunctionError,
    arg_map,
    arg_string,
    is_empty,
    kind_of,
    type_of,
)
from medlint.helm.functions.strings import strval

__all__ = ["functions", "merge_maps"]


def _read_map(value: Any) -> dict:
    """A map argument that is only read: nil reads as empty."""
    mapping = arg_map(value)
    return {} if mapping is None else mapping


def dict_(*pairs: Any) -> dict:
    """``dict K V K V ...``: keys through toString; a missing last value is ``""``."""
    result: dict[str, Any] = {}
    for i in range(0, len(pairs), 2):
        key = strval(pairs[i])
        result[key] = pairs[i + 1] if i + 1 < len(pairs) else ""
    return result


def get(mapping: Any, key: Any) -> Any:
    """``get DICT KEY``: the value, or ``""`` when absent."""
    return _read_map(mapping).get(arg_string(key), "")


def set_(mapping: Any, key: Any, value: Any) -> dict:
    """``set DICT KEY V``: modifies and returns DICT."""
    target = arg_map(mapping)
    name = arg_string(key)
    if target is None:
        raise FunctionError("assignment to entry in nil map")
    target[name] = value
    return target


def unset(mapping: Any, key: Any) -> dict:
    """``unset DICT KEY``: modifies and returns DICT."""
    target = arg_map(mapping)
    name = arg_string(key)
    if target is None:
        return {}
    target.pop(name, None)
    return target


def has_key(mapping: Any, key: Any) -> bool:
    """``hasKey DICT KEY``."""
    return arg_string(key) in _read_map(mapping)


def pluck(key: Any, *mappings: Any) -> list[Any]:
    """``pluck KEY D1 D2 ...``: the KEY values of the dicts that have it."""
    name = arg_string(key)
    return [m[name] for m in map(_read_map, mappings) if name in m]


def keys(*mappings: Any) -> list[str]:
    """``keys D1 D2 ...``: all keys (sorted per dict; Go's order is random)."""
    result: list[str] = []
    for mapping in map(_read_map, mappings):
        result.extend(sorted(mapping))
    return result


def values(mapping: Any) -> list[Any]:
    """``values DICT``: the values, in sorted key order (Go's order is random)."""
    source = _read_map(mapping)
    return [source[k] for k in sorted(source)]


def pick(mapping: Any, *names: Any) -> dict:
    """``pick DICT K1 K2 ...``: a new dict with only those keys."""
    source = _read_map(mapping)
    return {n: source[n] for n in map(arg_string, names) if n in source}


def omit(mapping: Any, *names: Any) -> dict:
    """``omit DICT K1 K2 ...``: a new dict without those keys."""
    drop = set(map(arg_string, names))
    return {k: v for k, v in _read_map(mapping).items() if k not in drop}


def _is_plain_map(value: Any) -> TypeGuard[dict[Any, Any]]:
    return isinstance(value, dict) and kind_of(value) == "map"


def merge_maps(dst: dict, src: dict, overwrite: bool) -> None:
    """mergo's deepMerge of two ``map[string]interface {}`` values (dst modified in place)."""
    for key, src_value in src.items():
        present = key in dst
        dst_value = dst.get(key)
        if src_value is None:
            if overwrite:
                dst[key] = None
            continue
        if _is_plain_map(src_value):
            if present and _is_plain_map(dst_value):
                merge_maps(dst_value, src_value, overwrite)
                if not is_empty(dst_value):
                    continue
        elif isinstance(src_value, (list, tuple)) and present and not is_empty(dst_value) and not overwrite:
            continue
        if overwrite or not present or is_empty(dst_value):
            dst[key] = src_value


def _merge(overwrite: bool) -> Callable[..., Any]:
    def merge(dst: Any, *sources: Any) -> dict:
        target = arg_map(dst)
        if target is None:
            target = {}
        for source in sources:
            src = arg_map(source)
            if src is not None:
                merge_maps(target, src, overwrite)
        return target

    merge.__doc__ = (
        "``mergeOverwrite DST SRC ...``: deep merge, src values win."
        if overwrite
        else "``merge DST SRC ...``: deep merge, dst values win unless empty."
    )
    return merge


def deep_copy(value: Any) -> Any:
    """``deepCopy V``: an independent copy of maps and lists (copystructure.Copy)."""
    return copy.deepcopy(value)


def dig(*args: Any) -> Any:
    """``dig K1 K2 ... DEFAULT DICT``: walk nested maps, DEFAULT when a key is missing."""
    if len(args) < 3:
        raise FunctionError("dig needs at least three arguments")
    mapping = args[-1]
    default = args[-2]
    path = args[:-2]
    if not _is_plain_map(mapping):
        raise FunctionError(
            f"interface conversion: interface {{}} is {type_of(mapping)}, not map[string]interface {{}}"
        )
    for key in path:
        if not isinstance(key, str):
            raise FunctionError(f"interface conversion: interface {{}} is {type_of(key)}, not string")
    current: Any = mapping
    for index, key in enumerate(path):
        if key not in current:
            return default
        current = current[key]
        if index == len(path) - 1:
            return current
        if not _is_plain_map(current):
            raise FunctionError(
                f"interface conversion: interface {{}} is {type_of(current)}, not map[string]interface {{}}"
            )
    return current


def functions() -> dict[str, Callable[..., Any]]:
    """The Sprig dict functions."""
    merge = _merge(overwrite=False)
    merge_overwrite = _merge(overwrite=True)
    return {
        "dict": dict_,
        "get": get,
        "set": set_,
        "unset": unset,
        "hasKey": has_key,
        "pluck": pluck,
        "keys": keys,
        "values": values,
        "pick": pick,
        "omit": omit,
        "merge": merge,
        "mustMerge": merge,
        "mergeOverwrite": merge_overwrite,
        "mustMergeOverwrite": merge_overwrite,
        "deepCopy": deep_copy,
        "mustDeepCopy": deep_copy,
        "dig": dig,
    }
