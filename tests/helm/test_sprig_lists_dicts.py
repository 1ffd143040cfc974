"""Sprig list and dict functions, including mergo merge semantics and DeepEqual membership."""

from __future__ import annotations

import pytest

from medlint.helm.functions import FunctionError, sprig_functions
from medlint.helm.functions.reflect import GoStringSlice

F = sprig_functions()


def test_list_builders_do_not_modify_their_input() -> None:
    original = [1, 2]
    assert F["append"](original, 3) == [1, 2, 3]
    assert F["push"](original, 3) == [1, 2, 3]
    assert F["prepend"](original, 0) == [0, 1, 2]
    assert F["concat"](original, [3], GoStringSlice(["x"])) == [1, 2, 3, "x"]
    assert original == [1, 2]
    assert F["list"]() == [] and F["tuple"](1, "a") == [1, "a"]


def test_first_last_rest_initial() -> None:
    assert F["first"]([1, 2, 3]) == 1
    assert F["last"]([1, 2, 3]) == 3
    assert F["rest"]([1, 2, 3]) == [2, 3]
    assert F["initial"]([1, 2, 3]) == [1, 2]
    assert F["first"]([]) is None
    assert F["last"]([]) is None
    assert F["rest"]([]) == []
    assert F["first"](F["splitList"](",", "a,b")) == "a"


def test_list_functions_reject_non_lists_with_sprig_messages() -> None:
    with pytest.raises(FunctionError, match="Cannot find first on type string"):
        F["first"]("abc")
    with pytest.raises(FunctionError, match="Cannot push on type map"):
        F["append"]({}, 1)
    with pytest.raises(FunctionError, match="Cannot concat type float64 as list"):
        F["concat"]([1], 2.0)
    with pytest.raises(FunctionError, match="nil pointer"):
        F["first"](None)


def test_uniq_without_has_use_deep_equal() -> None:
    assert F["uniq"]([1, 2, 1, "1", 1.0, [1], [1]]) == [1, 2, "1", 1.0, [1]]
    assert F["without"]([1, 2, 3, 2], 2, 5) == [1, 3]
    assert F["has"](4, [1, 2, 3, 4]) is True
    assert F["has"](80, [80.0]) is False  # int 80 is not float64 80, as in Helm
    assert F["has"](True, [1]) is False
    assert F["has"]("a", None) is False
    assert F["mustHas"]({"a": 1}, [{"a": 1}]) is True


def test_compact_reverse_slice_chunk() -> None:
    assert F["compact"]([1, "", None, 0, False, [], {}, "a", 0.0]) == [1, "a"]
    assert F["reverse"]([1, 2, 3]) == [3, 2, 1]
    assert F["slice"]([1, 2, 3, 4, 5], 1, 3) == [2, 3]
    assert F["slice"]([1, 2, 3, 4, 5], 3) == [4, 5]
    assert F["slice"]([1, 2, 3]) == [1, 2, 3]
    assert F["slice"]([]) is None
    assert isinstance(F["slice"](GoStringSlice(["a", "b"]), 1), GoStringSlice)
    with pytest.raises(FunctionError, match="list should be type of slice or array but string"):
        F["slice"]("abc", 1)
    with pytest.raises(FunctionError):
        F["slice"]([1, 2], 1, 5)
    assert F["chunk"](2, [1, 2, 3, 4, 5]) == [[1, 2], [3, 4], [5]]
    assert F["chunk"](3, []) == []


def test_dict_and_accessors() -> None:
    d = F["dict"]("a", 1, 2, "two", "odd")
    assert d == {"a": 1, "2": "two", "odd": ""}
    assert F["get"](d, "a") == 1
    assert F["get"](d, "missing") == ""
    assert F["hasKey"](d, "2") is True
    assert F["hasKey"](None, "a") is False
    assert F["set"](d, "b", 2) is d and d["b"] == 2
    assert F["unset"](d, "b") is d and "b" not in d
    with pytest.raises(FunctionError, match="nil map"):
        F["set"](None, "a", 1)
    with pytest.raises(FunctionError, match="expected map"):
        F["hasKey"]("str", "a")


def test_keys_values_pick_omit_pluck() -> None:
    d = {"b": 2, "a": 1, "c": 3}
    assert F["keys"](d) == ["a", "b", "c"]
    assert F["keys"](d, {"z": 0}) == ["a", "b", "c", "z"]
    assert F["values"](d) == [1, 2, 3]
    assert F["pick"](d, "a", "x") == {"a": 1}
    assert F["omit"](d, "a") == {"b": 2, "c": 3}
    assert F["pluck"]("name", {"name": "x"}, {"other": 1}, {"name": "y"}) == ["x", "y"]


def test_merge_fills_only_missing_or_empty_and_modifies_dst() -> None:
    dst = {
        "default": "default",
        "overwrite": "me",
        "key": True,
        "empty": "",
        "zero": 0,
        "nested": {"keep": 1, "blank": None},
    }
    src = {
        "overwrite": "overwritten",
        "key": False,
        "empty": "filled",
        "zero": 5,
        "new": "x",
        "nested": {"keep": 2, "blank": "b", "added": 3},
        "nil": None,
    }
    result = F["merge"](dst, src)
    assert result is dst
    assert dst == {
        "default": "default",
        "overwrite": "me",
        "key": True,
        "empty": "filled",
        "zero": 5,
        "new": "x",
        "nested": {"keep": 1, "blank": "b", "added": 3},
    }
    assert "nil" not in dst


def test_merge_overwrite_replaces_even_with_empty_values() -> None:
    dst = {"default": "default", "overwrite": "me", "key": True, "nested": {"a": 1, "b": 2}, "gone": 1}
    src = {"overwrite": "overwritten", "key": False, "nested": {"a": 9}, "gone": None}
    result = F["mergeOverwrite"](dst, src)
    assert result == {
        "default": "default",
        "overwrite": "overwritten",
        "key": False,
        "nested": {"a": 9, "b": 2},
        "gone": None,
    }


def test_merge_replaces_lists_instead_of_merging_them() -> None:
    assert F["merge"]({"l": [1]}, {"l": [2, 3]}) == {"l": [1]}
    assert F["merge"]({"l": []}, {"l": [2, 3]}) == {"l": [2, 3]}
    assert F["mergeOverwrite"]({"l": [1]}, {"l": []}) == {"l": []}


def test_merge_with_several_sources_and_shared_values() -> None:
    shared = {"x": 1}
    dst = F["merge"]({}, {"a": shared}, {"a": {"y": 2}, "b": 1})
    assert dst == {"a": {"x": 1, "y": 2}, "b": 1}
    assert dst["a"] is shared  # Go maps are references: merge does not copy


def test_deep_copy_is_independent() -> None:
    original = {"a": [1, {"b": 2}]}
    copied = F["deepCopy"](original)
    copied["a"][1]["b"] = 3
    assert original["a"][1]["b"] == 2
    assert F["deepCopy"](None) is None


def test_dig() -> None:
    d = {"user": {"role": {"name": "admin"}, "none": None}}
    assert F["dig"]("user", "role", "name", "default", d) == "admin"
    assert F["dig"]("user", "missing", "name", "default", d) == "default"
    assert F["dig"]("user", "none", "default", d) is None
    with pytest.raises(FunctionError, match="interface conversion"):
        F["dig"]("user", "role", "name", "x", "default", d)
    with pytest.raises(FunctionError, match="at least three"):
        F["dig"]("a", {})
