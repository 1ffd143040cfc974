"""A package's names imported from its submodules on first use (PEP 562), so importing the package is cheap.

The model, the Helm package and the check packages each re-export names whose modules a given run may never
need (a one-Dockerfile pre-commit run needs neither the Kubernetes types nor the manifest checks).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, modules: Mapping[str, str], namespace: dict[str, Any]) -> Callable[[str], Any]:
    """The `__getattr__` of `package`: `name` comes from submodule `modules[name]` (relative to the package),
    imported at the first use and kept in the package's `namespace`, so later lookups skip the function."""

    def attribute(name: str) -> Any:
        module = modules.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    return attribute
