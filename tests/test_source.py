"""Tests for medlint/source.py: positions, safe loading and input errors that become findings."""

from __future__ import annotations

import pytest

from medlint.source import (
    Location,
    SourceError,
    TaggedValue,
    decode_text,
    key_location,
    load_yaml_documents,
    value_location,
)


def test_positions_of_keys_values_and_items_are_one_based() -> None:
    documents = load_yaml_documents("a: 1\nb:\n  - x\n  - {c: d}\n")
    root = documents[0].value
    assert key_location("f.yaml", root, "b") == Location("f.yaml", 2, 1, 2, 2)
    items = root["b"]
    assert value_location("f.yaml", items, 1).line == 4
    assert value_location("f.yaml", items, 1).column == 5
    # A missing key points at the mapping that should hold it.
    assert key_location("f.yaml", root, "missing") == Location("f.yaml", 1, 1)


def test_multi_document_stream_keeps_empty_documents_out_of_the_way() -> None:
    documents = load_yaml_documents("---\na: 1\n---\n---\nb: 2\n")
    values = [doc.value for doc in documents]
    assert values == [{"a": 1}, None, {"b": 2}]
    assert documents[2].line == 5


def test_merge_keys_apply_and_explicit_keys_win() -> None:
    text = "base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n"
    derived = load_yaml_documents(text)[0].value["derived"]
    assert derived == {"x": 1, "y": 3}
    assert derived.key_span("y")[0] == 4


def test_duplicate_keys_are_a_parse_error_with_line() -> None:
    with pytest.raises(SourceError) as caught:
        load_yaml_documents("a: 1\nb: 2\na: 3\n")
    assert caught.value.line == 3
    assert "duplicate key 'a'" in caught.value.message


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    with pytest.raises(SourceError) as caught:
        load_yaml_documents("\n".join(lines) + "\n")
    assert "alias bomb" in caught.value.message


def test_syntax_error_reports_line_and_column() -> None:
    with pytest.raises(SourceError) as caught:
        load_yaml_documents("a: [1, 2\nb: 3\n")
    assert caught.value.message.startswith("YAML syntax error")
    assert caught.value.line == 2


def test_python_tags_are_never_instantiated() -> None:
    documents = load_yaml_documents("a: !!python/object/apply:os.system ['echo hi']\n")
    # An unsafe standard tag on a sequence is read as plain data; nothing is executed.
    assert documents[0].value["a"] == ["echo hi"]


def test_custom_tags_kept_only_when_requested() -> None:
    text = "a: !reset []\nb: !override {x: 1}\nc: !custom value\n"
    value = load_yaml_documents(text, keep_tags=frozenset({"!reset", "!override"}))[0].value
    assert value["a"] == TaggedValue("!reset", [])
    assert value["b"] == TaggedValue("!override", {"x": 1})
    assert value["c"] == "value"


def test_timestamps_stay_strings_as_in_go_yaml() -> None:
    assert load_yaml_documents("date: 2024-01-15\n")[0].value["date"] == "2024-01-15"


@pytest.mark.parametrize(
    "data, expected_message, expected_line",
    [
        (b"FROM x\n\x00\x01binary", "binary content", 2),
        (b"a: 1\nb: \xff\xfe\n", "invalid UTF-8", 2),
    ],
)
def test_decode_rejects_binary_and_invalid_utf8(
    data: bytes, expected_message: str, expected_line: int
) -> None:
    with pytest.raises(SourceError) as caught:
        decode_text(data)
    assert expected_message in caught.value.message
    assert caught.value.line == expected_line


def test_decode_accepts_utf8_bom() -> None:
    assert decode_text("\ufeffFROM x\n".encode("utf-8")) == "FROM x\n"


def test_location_never_ends_before_it_starts() -> None:
    location = Location("f", 5, 7, 2, 1)
    assert (location.end_line, location.end_column) == (5, 7)
