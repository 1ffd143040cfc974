"""The fast indented JSON writer must write exactly what `json.dumps(indent=2, ensure_ascii=False)` does."""

from __future__ import annotations

import json

import pytest

from medlint.report.jsonout import dump, dumps

CASES = [
    {},
    [],
    "plain",
    {"nested": {"empty map": {}, "empty list": [], "list": [1, [2, [3, {}]], {"a": None}]}},
    {"escapes": 'quote " backslash \\ tab \t newline \n nul \x00 line sep \u2028 é 漢 😀'},
    {"numbers": [0, -1, 2**70, 1.5, -0.0, 1e300, 1e-7, float("inf"), float("-inf")]},
    {"booleans": [True, False, None]},
    {7: "int key", 2.5: "float key", True: "bool key", None: "null key", "": "empty key"},
    ("a", ("tuple", "nested")),
    {"long list": list(range(10_000))},  # more parts than one batch of the writer
]


@pytest.mark.parametrize("value", CASES, ids=range(len(CASES)))
def test_same_text_as_the_standard_library(value: object) -> None:
    assert dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_not_a_number_is_written_as_the_standard_library_does() -> None:
    assert dumps([float("nan")]) == json.dumps([float("nan")], indent=2)


def test_other_types_are_refused() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps({"set": {1, 2}})
    with pytest.raises(TypeError, match="keys must be"):
        dumps({("tuple",): 1})


def test_iterators_are_written_as_lists() -> None:
    value = {"findings": iter([{"a": 1}, {"b": [2]}]), "none": iter([]), "nested": iter([iter([1])])}
    expected = {"findings": [{"a": 1}, {"b": [2]}], "none": [], "nested": [[1]]}
    assert dumps(value) == json.dumps(expected, indent=2, ensure_ascii=False)


def test_dump_hands_the_same_text_over_in_pieces() -> None:
    value = {"long list": [{"index": index, "text": "x" * (index % 7)} for index in range(5_000)]}
    pieces: list[str] = []
    dump(value, pieces.append)
    assert len(pieces) > 1
    assert "".join(pieces) == json.dumps(value, indent=2, ensure_ascii=False)
