"""JSON Schema keywords that take regular expressions, evaluated with RE2 instead of Python's ``re``.

A chart's ``values.schema.json`` is untrusted input. jsonschema evaluates ``pattern`` and
``patternProperties`` with Python's backtracking ``re``, so ``"pattern": "^(a+)+$"`` against a long value
never ends. Helm validates schemas with Go's ``regexp`` (RE2 semantics), so RE2 (google-re2) is both the
safe and the faithful engine. :func:`with_re2_patterns` returns a validator class whose keywords that read
patterns (``pattern``, ``patternProperties``, ``additionalProperties``) use RE2. ``unevaluatedProperties``
of a schema that also has ``patternProperties`` is not evaluated (jsonschema would run the patterns on
``re``); the caller says so in a note.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from medlint.helm.functions.strings import GoRegexError, compile_go_regex

__all__ = ["InvalidPattern", "has_pattern_properties", "with_re2_patterns"]


class InvalidPattern(ValueError):
    """A schema pattern Go's regexp (and so Helm) refuses."""


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> Any:
    try:
        return compile_go_regex(pattern)
    except GoRegexError as error:
        raise InvalidPattern(f"invalid pattern {pattern!r}: {error}") from None


def _search(pattern: Any, text: str) -> bool:
    return isinstance(pattern, str) and _compiled(pattern).search(text) is not None


def has_pattern_properties(schema: Any) -> bool:
    """Whether ``patternProperties`` appears anywhere in a schema document."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "patternProperties" in node:
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def with_re2_patterns(validator_class: Any, skip_unevaluated: bool) -> Any:
    """``validator_class`` with the pattern keywords evaluated by RE2 (jsonschema.validators.extend)."""
    from jsonschema import validators
    from jsonschema.exceptions import ValidationError

    def pattern(validator: Any, patrn: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if validator.is_type(instance, "string") and not _search(patrn, instance):
            yield ValidationError(f"{instance!r} does not match {patrn!r}")

    def pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if not validator.is_type(instance, "object"):
            return
        for regex, subschema in patterns.items():
            for key, value in instance.items():
                if _search(regex, key):
                    yield from validator.descend(value, subschema, path=key, schema_path=regex)

    def additional_properties(validator: Any, extra_schema: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if not validator.is_type(instance, "object"):
            return
        properties = schema.get("properties", {})
        patterns = list(schema.get("patternProperties", {}))
        extras = {
            key
            for key in instance
            if key not in properties and not any(_search(regex, key) for regex in patterns)
        }
        if validator.is_type(extra_schema, "object"):
            for extra in extras:
                yield from validator.descend(instance[extra], extra_schema, path=extra)
        elif not extra_schema and extras:
            if patterns:
                verb = "does" if len(extras) == 1 else "do"
                joined = ", ".join(repr(each) for each in sorted(extras))
                listed = ", ".join(repr(each) for each in sorted(patterns))
                yield ValidationError(f"{joined} {verb} not match any of the regexes: {listed}")
            else:
                names = sorted(extras, key=str)
                verb = "was" if len(names) == 1 else "were"
                yield ValidationError(
                    f"Additional properties are not allowed ({', '.join(repr(n) for n in names)} {verb} unexpected)"
                )

    def not_evaluated(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
        return iter(())

    keywords: dict[str, Any] = {
        "pattern": pattern,
        "patternProperties": pattern_properties,
        "additionalProperties": additional_properties,
    }
    if skip_unevaluated and "unevaluatedProperties" in validator_class.VALIDATORS:
        keywords["unevaluatedProperties"] = not_evaluated
    return validators.extend(validator_class, keywords)
