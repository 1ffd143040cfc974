"""The source map's line matching: the subtree index finds exactly what walking the read subtree finds."""

from __future__ import annotations

import random

import pytest

from medlint.helm.sourcemap import _subtree_matches, _SubtreeIndex

KEYS = ("a", "b", "image", "tag", "1", "true")
SCALARS = ("a", "nginx", "1.25", "true", 1, True, None, "", "image")


def _tree(rng: random.Random, depth: int) -> object:
    if depth == 0 or rng.random() < 0.3:
        return rng.choice(SCALARS)
    if rng.random() < 0.6:
        return {
            rng.choice(KEYS) + str(rng.randint(0, 1)) * rng.randint(0, 1): _tree(rng, depth - 1)
            for _ in range(rng.randint(0, 4))
        }
    return [_tree(rng, depth - 1) for _ in range(rng.randint(0, 4))]


@pytest.mark.parametrize("seed", range(40))
def test_index_matches_the_walk(seed: int) -> None:
    rng = random.Random(seed)
    tree = {"image": _tree(rng, 4), "a": {"a": _tree(rng, 3)}, "b": [_tree(rng, 3), {"b": 1}]}
    index = _SubtreeIndex.build(tree)
    assert index is not None
    for key in (None, "a", "b", "image", "tag", "a1", "true"):
        for line_value in (None, "nginx", "1.25", "true", "1", ""):
            line = f"  {key}: {line_value}" if key else f"  - {line_value}"
            walked = _subtree_matches(tree, ("root",), key, line_value, line)
            indexed = [("root",) + path for path in index.matches(key, line_value, line)]
            assert indexed == walked


def test_large_subtrees_are_left_to_the_walk_and_its_budget() -> None:
    assert _SubtreeIndex.build({str(n): n for n in range(6000)}) is None
