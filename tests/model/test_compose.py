"""Compose value semantics: unresolved variables, what they may become, and Compose booleans."""

from __future__ import annotations

import pytest

from medlint.model.compose import compose_bool, is_unresolved, may_resolve_to
from medlint.model.interpolation import InterpolatedText
from medlint.parsers.compose import parse_compose


def test_unresolved_values_that_cannot_become_host_are_not_host() -> None:
    assert may_resolve_to("${MODE}", "host")
    assert may_resolve_to("ho${SUFFIX}", "host")
    assert not may_resolve_to("container:${NAME}", "host")
    assert not may_resolve_to("service:${NAME}", "host")


def test_interpolated_values_keep_unresolved_references_visible() -> None:
    compose = parse_compose("compose.yaml", "services:\n  app:\n    image: x\n    ipc: container:${EXT}\n")
    value = compose.services[0].definition.get("ipc")
    assert isinstance(value.scalar, InterpolatedText) and value.unresolved and is_unresolved(value.scalar)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), ("yes", True), ("On", True), ("0", False), ("n", False), ("maybe", None)],
)
def test_compose_booleans(value: object, expected: bool | None) -> None:
    assert compose_bool(value) is expected
