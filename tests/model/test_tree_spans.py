"""The packed span storage of YamlMap and YamlList: what goes in comes out, absent parts stay absent, and a
number too large (or negative) for its field is clamped without touching the other numbers."""

from __future__ import annotations

import copy
import pickle

import pytest

from medlint.model.compose_positions import SourcedList, SourcedMap
from medlint.model.location import Location
from medlint.model.tree import MAX_SPAN_NUMBER, Node, YamlList, YamlMap
from medlint.parallel import _model_pickler, _unpickled
from medlint.source import load_yaml_documents

HUGE = MAX_SPAN_NUMBER + 1


def test_a_key_and_its_value_round_trip_and_replace() -> None:
    mapping = YamlMap()
    mapping["image"] = "app"
    mapping.set_spans("image", (3, 5, 3, 10), (3, 12, 3, 15))
    assert mapping.key_span("image") == (3, 5, 3, 10)
    assert mapping.value_span("image") == (3, 12, 3, 15)
    assert mapping.spans("image") == ((3, 5, 3, 10), (3, 12, 3, 15))
    mapping.set_spans("image", (7, 1, 7, 6), (8, 3, 12, 1))
    assert mapping.spans("image") == ((7, 1, 7, 6), (8, 3, 12, 1))
    assert mapping.key_location("f.yaml", "image") == Location("f.yaml", 7, 1, 7, 6)
    assert mapping.value_location("f.yaml", "image") == Location("f.yaml", 8, 3, 12, 1)


def test_either_half_may_be_absent() -> None:
    mapping = YamlMap()
    mapping.line, mapping.column = 2, 4
    mapping.set_spans("key-only", (5, 1, 5, 9), None)
    mapping.set_spans("value-only", None, (6, 3, 6, 8))
    assert mapping.spans("key-only") == ((5, 1, 5, 9), None)
    assert mapping.spans("value-only") == (None, (6, 3, 6, 8))
    assert mapping.spans("unknown") == (None, None)
    # An absent half falls back to the mapping itself, as an absent key does.
    assert mapping.value_location("f.yaml", "key-only") == Location("f.yaml", 2, 4)
    assert mapping.key_location("f.yaml", "value-only") == Location("f.yaml", 2, 4)
    assert mapping.span_items() == [("key-only", (5, 1, 5, 9), None), ("value-only", None, (6, 3, 6, 8))]
    mapping.set_spans("key-only", None, None)
    mapping.drop_spans("value-only")
    mapping.drop_spans("never-there")
    assert mapping.span_items() == []


def test_the_largest_numbers_a_field_holds_round_trip() -> None:
    mapping = YamlMap()
    top = MAX_SPAN_NUMBER
    mapping.set_spans("k", (top, top - 1, top - 2, top - 3), (top - 4, top - 5, top - 6, top))
    assert mapping.spans("k") == ((top, top - 1, top - 2, top - 3), (top - 4, top - 5, top - 6, top))
    # A 20 MiB file (the default max_file_bytes) cannot reach the field's bound.
    assert MAX_SPAN_NUMBER > 21 * 1024 * 1024


@pytest.mark.parametrize("position", range(8))
def test_a_number_beyond_its_field_is_clamped_and_leaves_the_others_alone(position: int) -> None:
    numbers = [11, 12, 13, 14, 15, 16, 17, 18]
    numbers[position] = HUGE * 3 + 5  # would spill into the next field if it were not clamped
    mapping = YamlMap()
    mapping.set_spans("k", tuple(numbers[:4]), tuple(numbers[4:]))
    expected = [11, 12, 13, 14, 15, 16, 17, 18]
    expected[position] = MAX_SPAN_NUMBER
    assert mapping.spans("k") == (tuple(expected[:4]), tuple(expected[4:]))
    assert mapping.span_items() == [("k", tuple(expected[:4]), tuple(expected[4:]))]


def test_a_negative_number_is_clamped_to_zero_and_leaves_the_others_alone() -> None:
    mapping = YamlMap()
    mapping.set_spans("k", (-1, 2, 3, 4), (5, -(2**40), 7, 8))
    assert mapping.spans("k") == ((0, 2, 3, 4), (5, 0, 7, 8))


def test_copying_spans_between_maps_keeps_absent_halves_and_drops_missing_keys() -> None:
    source, target = YamlMap(), YamlMap()
    source.set_spans("a", (1, 1, 1, 2), None)
    target.set_spans("b", (9, 9, 9, 9), (9, 9, 9, 9))
    assert target.copy_spans("a", source)
    assert target.spans("a") == ((1, 1, 1, 2), None)
    assert not target.copy_spans("b", source)  # source has no spans for "b": target forgets its own
    assert target.spans("b") == (None, None)


def test_list_item_spans_round_trip() -> None:
    items = YamlList()
    items.extend(["a", "b", "c"])
    for span in [(1, 3, 1, 4), (2, 3, 2, 4), (3, 3, 5, 1)]:
        items.append_item_span(span)
    assert [items.item_span(index) for index in range(3)] == [(1, 3, 1, 4), (2, 3, 2, 4), (3, 3, 5, 1)]
    assert items.item_spans() == [(1, 3, 1, 4), (2, 3, 2, 4), (3, 3, 5, 1)]
    items.set_item_span(1, (20, 1, 20, 9))
    assert items.item_spans() == [(1, 3, 1, 4), (20, 1, 20, 9), (3, 3, 5, 1)]
    assert items.item_span(3) is None and items.item_span(-1) is None
    assert items.value_location("f.yaml", 1) == Location("f.yaml", 20, 1, 20, 9)
    assert items.value_location("f.yaml", 3) == items.location("f.yaml")
    with pytest.raises(IndexError):
        items.set_item_span(3, (1, 1, 1, 1))
    items.set_item_spans([(4, 4, 4, 4), (5, 5, 5, 5), (6, 6, 6, 6)])
    assert items.item_spans() == [(4, 4, 4, 4), (5, 5, 5, 5), (6, 6, 6, 6)]


def test_list_item_numbers_beyond_their_field_are_clamped_alone() -> None:
    items = YamlList()
    items.append_item_span((HUGE, 2, 3, HUGE * 2))
    items.append_item_span((1, -5, 1, 6))
    items.set_item_spans([*items.item_spans(), (7, 8, HUGE, 9)])
    assert items.item_spans() == [
        (MAX_SPAN_NUMBER, 2, 3, MAX_SPAN_NUMBER),
        (1, 0, 1, 6),
        (7, 8, MAX_SPAN_NUMBER, 9),
    ]
    items.set_item_span(1, (HUGE, 1, 1, 1))
    assert items.item_spans()[1:] == [(MAX_SPAN_NUMBER, 1, 1, 1), (7, 8, MAX_SPAN_NUMBER, 9)]


def test_loaded_trees_keep_their_spans_through_pickling_and_copying() -> None:
    text = "a:\n  - x\n  - {b: 1}\nc: d\n"
    tree = load_yaml_documents(text)[0].value
    tree.origins = {"a": None}
    for copied in (
        pickle.loads(pickle.dumps(tree, protocol=pickle.HIGHEST_PROTOCOL)),
        _through_workers_pickler(tree),
        copy.deepcopy(tree),
    ):
        assert copied == tree and type(copied) is YamlMap and copied.origins == {"a": None}
        assert copied.span_items() == tree.span_items()
        assert copied.spans("c") == ((4, 1, 4, 2), (4, 4, 4, 5))
        assert copied["a"].item_spans() == [(2, 5, 2, 6), (3, 5, 3, 11)]
        assert copied["a"][1].spans("b") == ((3, 6, 3, 7), (3, 9, 3, 10))
        assert Node.root(copied, "f.yaml").at("a", 1, "b").location == Location("f.yaml", 3, 9, 3, 10)


def test_pickling_keeps_tags_origins_and_shared_subtrees() -> None:
    """An alias makes one subtree appear twice: it comes back once, under both keys, as the model built it."""
    tree = load_yaml_documents("base: &b {x: 1}\nuse: *b\nlist: !custom [1, 2]\n")[0].value
    tree["base"].node_origin = tree.node_origin
    copied = _through_workers_pickler(tree)
    assert copied["base"] is copied["use"]
    assert copied["list"].tag == tree["list"].tag and copied["list"] == [1, 2]
    assert copied["list"].item_spans() == tree["list"].item_spans()
    assert (copied.line, copied.column) == (tree.line, tree.column)


def test_sourced_trees_keep_their_files_and_spans_through_pickling() -> None:
    service = SourcedMap("compose.yaml")
    service["image"] = "app"
    service.set_spans("image", (3, 5, 3, 10), (3, 12, 3, 15))
    service.key_paths["image"] = "base.yaml"
    ports = SourcedList("compose.yaml")
    ports.append("80:80")
    ports.append_item_span((6, 7, 6, 14))
    ports.item_paths.append("override.yaml")
    service["ports"] = ports
    copied = _through_workers_pickler(service)
    assert copied.value_location("", "image") == Location("base.yaml", 3, 12, 3, 15)
    assert copied["ports"].value_location("", 0) == Location("override.yaml", 6, 7, 6, 14)


def _through_workers_pickler(value: object) -> object:
    """A value as `--jobs` moves it from a worker to the main process."""
    import io

    buffer = io.BytesIO()
    _model_pickler(buffer).dump(value)
    return _unpickled(buffer.getvalue())
