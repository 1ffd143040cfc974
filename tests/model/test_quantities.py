"""Kubernetes resource quantities (model/quantities.py), as the API server reads them."""

from __future__ import annotations

import pytest

from medlint.model.quantities import parse_quantity


@pytest.mark.parametrize(
    "text, value",
    [
        ("500m", 0.5),
        ("2", 2.0),
        ("1.5", 1.5),
        (".5", 0.5),
        ("1Ki", 1024.0),
        ("1Gi", 2.0**30),
        ("1G", 1e9),
        ("1e3", 1000.0),
        ("1E3", 1000.0),  # an exponent, not the exa suffix, when digits follow
        ("2E", 2e18),
        (" 64Mi ", 64 * 2.0**20),
        ("+1k", 1000.0),
    ],
)
def test_valid_quantities(text: str, value: float) -> None:
    assert parse_quantity(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "1gi", "Mi", "1 Gi", "one", "1.2.3", "0x10", "1KiB"])
def test_invalid_quantities(text: str) -> None:
    assert parse_quantity(text) is None
