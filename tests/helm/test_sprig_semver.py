"""Masterminds/semver v3 constraint checks as Helm charts use them."""

from __future__ import annotations

import pytest

from medlint.helm.functions import FunctionError, sprig_functions

F = sprig_functions()


@pytest.mark.parametrize(
    ("constraint", "version", "expected"),
    [
        (">=1.21-0", "v1.20.0", False),
        (">=1.21-0", "v1.21.0", True),
        (">=1.21-0", "v1.21.5-gke.1302", True),
        (">=1.21", "v1.21.5-gke.1302", False),  # no prerelease in the constraint: prereleases never match
        ("<1.19-0", "v1.18.3-eks-1", True),
        (">=1.16.0-0 <1.22.0-0", "1.20.1", True),
        (">= 1.2, < 3.0.0 || >= 4.2.3", "4.3.0", True),
        (">= 1.2, < 3.0.0 || >= 4.2.3", "3.1.0", False),
        ("1.2 - 1.4.5", "1.4.5", True),
        ("1.2 - 1.4.5", "1.4.6", False),
        ("~1.2.3", "1.2.9", True),
        ("~1.2.3", "1.3.0", False),
        ("~1", "1.9.0", True),
        ("^1.2.3", "1.9.0", True),
        ("^1.2.3", "2.0.0", False),
        ("^0.2.3", "0.2.9", True),
        ("^0.2.3", "0.3.0", False),
        ("^0.0.3", "0.0.4", False),
        ("1.x", "1.9.9", True),
        ("1.x", "2.0.0", False),
        ("*", "1.0.0", True),
        ("*", "1.0.0-alpha", False),
        (">1.1", "1.1.5", False),
        (">1.1", "1.2.0", True),
        ("<=1.2", "1.2.9", True),
        ("!=1.2.x", "1.2.3", False),
        ("!=1.2.3", "1.2.4", True),
        ("=1.2.3", "v1.2.3+meta", True),
        (">1.0.0-beta.2", "1.0.0-beta.11", True),
        (">1.0.0-alpha", "1.0.0-alpha.1", True),
    ],
)
def test_semver_compare(constraint: str, version: str, expected: bool) -> None:
    assert F["semverCompare"](constraint, version) is expected


def test_semver_compare_errors() -> None:
    with pytest.raises(FunctionError, match="Invalid Semantic Version"):
        F["semverCompare"](">=1.0", "not-a-version")
    with pytest.raises(FunctionError, match="improper constraint"):
        F["semverCompare"]("~~1", "1.0.0")


def test_semver_object_methods() -> None:
    version = F["semver"]("v1.2.3-alpha.1+build.5")
    assert (version.Major(), version.Minor(), version.Patch()) == (1, 2, 3)
    assert version.Prerelease() == "alpha.1"
    assert version.Metadata() == "build.5"
    assert version.Original() == "v1.2.3-alpha.1+build.5"
    assert version.String() == "1.2.3-alpha.1+build.5"
    assert F["semver"]("1.2").String() == "1.2.0"
    assert version.Compare(F["semver"]("1.2.3")) == -1
    assert F["typeOf"](version) == "*semver.Version"
    assert F["kindOf"](version) == "ptr"
    with pytest.raises(FunctionError):
        F["semver"]("1.2.3.4")
