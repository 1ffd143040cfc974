"""Package names imported from their submodules on first use (medlint.model.lazy_exports)."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from medlint.model.lazy_exports import lazy_exports


def test_a_name_comes_from_its_submodule_at_first_use_and_is_kept() -> None:
    namespace: dict[str, Any] = {}
    attribute = lazy_exports("medlint.model", {"Node": "tree"}, namespace)
    from medlint.model.tree import Node

    assert attribute("Node") is Node
    assert namespace == {"Node": Node}  # the package's later lookups find it without the function


def test_an_unknown_name_is_an_attribute_error_naming_the_package() -> None:
    attribute = lazy_exports("medlint.checks.data", {}, {})
    with pytest.raises(AttributeError, match="'medlint.checks.data' has no attribute 'nothing'"):
        attribute("nothing")


def test_the_check_packages_import_a_rule_module_only_when_its_check_is_asked_for() -> None:
    import medlint.checks.secrets as secrets

    check = secrets.secret_in_image
    assert check.__module__ == "medlint.checks.secrets.image"
    assert "medlint.checks.secrets.image" in sys.modules
