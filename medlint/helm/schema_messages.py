"""Values-schema violations in words that name the key path and the rule, never the value.

`jsonschema` phrases most errors around the offending value (`'hunter2' is too short`), and values files
are where a chart's passwords live. A finding must never print one (principle 6), so each keyword is
described from the schema's side: what the value must be, with the schema's own bound or pattern.
"""

from __future__ import annotations

import json
from typing import Any

#: Keywords whose jsonschema message quotes only property names, never a value.
_NAMES_ONLY = frozenset({"required", "additionalProperties", "unevaluatedProperties", "dependentRequired"})
_JSON_TYPES = {
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
    type(None): "null",
}
_MAX_SHOWN = 200


def _json_type(value: Any) -> str:
    for python_type, name in _JSON_TYPES.items():
        if type(value) is python_type:
            return name
    return "object" if isinstance(value, dict) else "array" if isinstance(value, list) else "value"


def _shown(expected: Any) -> str:
    """A bound, pattern or list from the schema itself (the chart author's, not a value)."""
    text = json.dumps(expected, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN] + "..."


def _types(expected: Any) -> str:
    names = expected if isinstance(expected, list) else [expected]
    return " or ".join(str(name) for name in names)


def describe_schema_error(keyword: str, expected: Any, instance: Any, message: str) -> str:
    """What a value at some key path must be, for one failed schema keyword (no value quoted)."""
    if keyword in _NAMES_ONLY:
        return message
    plural = "" if expected == 1 else "s"
    texts = {
        "type": lambda: f"must be of type {_types(expected)}, not {_json_type(instance)}",
        "minLength": lambda: f"must be at least {expected} character{plural} long",
        "maxLength": lambda: f"must be at most {expected} character{plural} long",
        "pattern": lambda: f"does not match the pattern {_shown(expected)}",
        "format": lambda: f"is not a valid {expected}",
        "enum": lambda: f"must be one of {_shown(expected)}",
        "const": lambda: f"must be {_shown(expected)}",
        "minimum": lambda: f"must be at least {expected}",
        "maximum": lambda: f"must be at most {expected}",
        "exclusiveMinimum": lambda: f"must be greater than {expected}",
        "exclusiveMaximum": lambda: f"must be less than {expected}",
        "multipleOf": lambda: f"must be a multiple of {expected}",
        "minItems": lambda: f"must have at least {expected} item{plural}",
        "maxItems": lambda: f"must have at most {expected} item{plural}",
        "uniqueItems": lambda: "must not contain the same item twice",
        "minProperties": lambda: f"must have at least {expected} propert{'y' if expected == 1 else 'ies'}",
        "maxProperties": lambda: f"must have at most {expected} propert{'y' if expected == 1 else 'ies'}",
        "contains": lambda: "contains no item that matches the schema for its items",
        "anyOf": lambda: "does not match any of the schemas it may match (anyOf)",
        "oneOf": lambda: "must match exactly one of its schemas (oneOf)",
        "allOf": lambda: "does not match all of its schemas (allOf)",
        "not": lambda: "matches a schema it must not match (not)",
        "False": lambda: "is not allowed here (the schema is false)",
        "propertyNames": lambda: "has a property name the schema does not allow",
        "dependencies": lambda: message if isinstance(expected, dict) else "does not meet its dependencies",
    }
    describe = texts.get(keyword)
    return describe() if describe is not None else f"does not meet the schema keyword {keyword!r}"
