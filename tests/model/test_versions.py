"""Version constraints as Helm reads them, answered by Helm's own engine (medlint.helm.functions.semver)."""

from __future__ import annotations

import pytest

from medlint.model.versions import ConstraintError, highest_minor, is_version, satisfies


@pytest.mark.parametrize(
    "constraint, version, allowed",
    [
        ("~1.2.3", "1.2.9", True),
        ("~1.2.3", "1.3.0", False),
        ("~1", "1.9.0", True),
        ("^1.2", "1.9.0", True),
        ("^1.2", "2.0.0", False),
        ("^0.2.3", "0.2.9", True),
        ("^0.2.3", "0.3.0", False),
        ("11.x.x", "11.9.13", True),
        ("11.x.x", "12.0.0", False),
        ("1.2", "1.2.7", True),
        (">=1.2.0 <2.0.0", "1.5.0", True),
        (">=1.2.0, <2.0.0", "2.0.0", False),
        (">= 1.2, < 1.4", "1.3.1", True),
        ("1.2 - 1.4.5", "1.4.5", True),
        ("1.2 - 1.4.5", "1.4.6", False),
        ("*", "3.4.5", True),
        ("1.2.3", "1.2.3", True),
        ("1.2.3", "1.2.4", False),
        ("v1.2.3", "1.2.3", True),
        ("!=1.2.x", "1.2.5", False),
        ("!=1.2.x", "1.3.0", True),
        ("1.x || 3.1.x", "3.1.2", True),
        ("1.x || 3.1.x", "2.0.0", False),
        (">1.2", "1.2.9", False),
        (">1.2", "1.3.0", True),
        ("<=1.2", "1.2.9", True),
        ("<=1.2", "1.3.0", False),
        ("~1.2.3", "1.2.4-beta.1", False),
        (">=1.2.3-0", "1.2.4-beta.1", True),
    ],
)
def test_constraints(constraint: str, version: str, allowed: bool) -> None:
    assert satisfies(constraint, version) is allowed


@pytest.mark.parametrize(
    "constraint, minor",
    [
        (">=1.20.0 <1.25.0", (1, 24)),
        ("<=1.24.x", (1, 24)),
        ("~1.23.0", (1, 23)),
        ("1.24.x", (1, 24)),
        (">=1.16.0-0 <1.30.0-0", (1, 29)),
        ("<1.25.3", (1, 25)),
        (">=1.21.0-0 <1.28.0-0 || 1.29.x", (1, 29)),
        (">=1.19.0-0", None),
        ("^1.20", None),
    ],
)
def test_highest_minor(constraint: str, minor: tuple[int, int] | None) -> None:
    assert highest_minor(constraint) == minor


def test_bad_constraints() -> None:
    for text in ("", "abc", ">=", "1.2.3.4"):
        with pytest.raises(ConstraintError):
            highest_minor(text)


def test_versions_are_read_as_helm_coerces_them() -> None:
    assert is_version("v1.2") and is_version("1.2.3-rc.1") and not is_version("latest")
    with pytest.raises(ConstraintError):
        satisfies(">= x.y", "1.0.0")
