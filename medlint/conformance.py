"""A quick yes to "does this data satisfy this JSON schema?", so that valid input never imports jsonschema.

Importing jsonschema costs about 50 ms, a third of a pre-commit run on one file, and nearly every
configuration file is valid. `surely_valid` answers True only when it is certain: it knows the Draft 7 keywords
medlint's own schemas use (`type`, `properties`, `additionalProperties`, `required`, `minProperties`,
`propertyNames`, `items`, `minItems`, `maxItems`, `uniqueItems`, `minLength`, `maxLength`, `pattern`,
`anyOf`, `$ref` to `#/definitions/...`, `enum`, `const`, `minimum`, `maximum`) and says False for anything else (another keyword, a value JSON does not have, a
float where an integer is asked). False means only "ask jsonschema", which then gives the error messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

#: Keywords that only annotate: they never make data invalid.
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$comment", "title", "description", "message", "default", "examples", "definitions"}
)
_KNOWN = _ANNOTATIONS | {
    "type",
    "properties",
    "additionalProperties",
    "required",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minLength",
    "maxLength",
    "minProperties",
    "pattern",
    "anyOf",
    "propertyNames",
    "$ref",
    "enum",
    "const",
    "minimum",
    "maximum",
}


class _Unknown(Exception):
    """The schema or the data is outside what this check knows: let jsonschema decide."""


def surely_valid(schema: Mapping[str, Any], data: Any) -> bool:
    """True when `data` certainly satisfies `schema` (Draft 7); False when it may not."""
    try:
        return _valid(schema, data, schema)
    except (_Unknown, re.error, RecursionError):
        return False


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise _Unknown("a key that is not a string")
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    raise _Unknown(f"a value of type {type(value).__name__}")  # floats too: integer or number is subtle


def _valid(schema: Any, data: Any, root: Mapping[str, Any]) -> bool:
    if schema is True or schema == {}:
        return True
    if not isinstance(schema, Mapping):
        raise _Unknown("a schema that is not an object")
    if not set(schema) <= _KNOWN:
        raise _Unknown(f"keywords {sorted(set(schema) - _KNOWN)}")
    if "$ref" in schema:  # Draft 7: the other keywords beside $ref are ignored
        return _valid(_resolve(schema["$ref"], root), data, root)
    kind = _json_type(data)
    expected = schema.get("type")
    if expected is not None:
        allowed = {expected} if isinstance(expected, str) else set(expected)
        if kind not in allowed and not (kind == "integer" and "number" in allowed):
            return False
    if "enum" in schema and not any(_same(data, option) for option in schema["enum"]):
        return False
    if "const" in schema and not _same(data, schema["const"]):
        return False
    if "anyOf" in schema and not any(_valid(option, data, root) for option in schema["anyOf"]):
        return False
    if kind == "string":
        if len(data) < schema.get("minLength", 0) or len(data) > schema.get("maxLength", len(data)):
            return False
        if "pattern" in schema and re.search(schema["pattern"], data) is None:
            return False
    elif kind == "integer":
        if "minimum" in schema and data < schema["minimum"]:
            return False
        if "maximum" in schema and data > schema["maximum"]:
            return False
    elif kind == "array":
        if len(data) < schema.get("minItems", 0) or len(data) > schema.get("maxItems", len(data)):
            return False
        if schema.get("uniqueItems") is True and not _unique(data):
            return False
        items = schema.get("items")
        if isinstance(items, list):
            raise _Unknown("tuple validation")
        if items is not None and not all(_valid(items, item, root) for item in data):
            return False
    elif kind == "object":
        return _valid_object(schema, data, root)
    return True


def _valid_object(schema: Mapping[str, Any], data: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
    if any(key not in data for key in schema.get("required", ())) or len(data) < schema.get(
        "minProperties", 0
    ):
        return False
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    names = schema.get("propertyNames")
    for key, value in data.items():
        if names is not None and not _valid(names, key, root):
            return False
        if key in properties:
            if not _valid(properties[key], value, root):
                return False
        elif extra is False or (extra is not True and not _valid(extra, value, root)):
            return False
    return True


def _unique(items: Any) -> bool:
    """No two equal items, for strings, integers, booleans and null (anything else: jsonschema decides)."""
    seen: set[tuple[str, Any]] = set()
    for item in items:
        kind = _json_type(item)
        if kind in ("object", "array"):
            raise _Unknown("uniqueItems over structures")
        if (kind, item) in seen:
            return False
        seen.add((kind, item))
    return True


def _resolve(reference: Any, root: Mapping[str, Any]) -> Any:
    prefix = "#/definitions/"
    if not isinstance(reference, str) or not reference.startswith(prefix) or "~" in reference:
        raise _Unknown(f"a reference {reference!r}")
    definitions = root.get("definitions", {})
    name = reference[len(prefix) :]
    if name not in definitions:
        raise _Unknown(f"an unknown definition {name!r}")
    return definitions[name]


def _same(value: Any, option: Any) -> bool:
    """JSON equality for the scalars enum and const list (true is not 1)."""
    for kind in (bool, str, int):
        if isinstance(value, kind) or isinstance(option, kind):
            return isinstance(value, kind) and isinstance(option, kind) and value == option
    if value is None or option is None:
        return value is option
    raise _Unknown("enum values that are not strings, integers, booleans or null")
