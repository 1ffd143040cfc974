"""The layers of docs/architecture.md hold, read from the source with `ast` so they stay true as code grows.

Every import counts: module level, inside functions, and type-only ones under `if TYPE_CHECKING:`, since a
type-only import is still a dependency a reader has to follow.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "medlint"

#: What the rule checks may import: the model, what they produce, each other, and the budgets. The rule
#: pack is allowed for its data tables (secret patterns).
CHECK_IMPORTS = ("medlint.model", "medlint.findings", "medlint.checks", "medlint.limits", "medlint.rulepack")
#: Loading: discovery, reading, parsing and rendering. It never depends on checking or reporting.
LOADING = (
    "medlint.loader",
    "medlint.context_files",
    "medlint.compose_groups",
    "medlint.discover",
    "medlint.source",
    "medlint.gitindex",
    "medlint.parsers",
    "medlint.helm",
)
CHECKING_AND_LATER = ("medlint.checks", "medlint.engine", "medlint.api", "medlint.cli", "medlint.report")
#: The model depends on nothing but itself and the budgets; version constraints are answered by the one
#: Masterminds engine, which the Helm renderer also uses (medlint.model.versions asks it).
MODEL_IMPORTS = ("medlint.model", "medlint.limits")
MODEL_EXCEPTIONS = {("medlint.model.versions", "medlint.helm.functions.semver")}
#: Attributes through which a check would read raw YAML instead of the model.
RAW_ATTRIBUTES = {"raw", "body", "tree"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _targets(module: str, path: Path, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            parts = module.split(".")
            if path.name != "__init__.py":
                parts = parts[:-1]
            parts = parts[: len(parts) - (node.level - 1)]
            base = ".".join([*parts, base] if base else parts)
        names = [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names
        ]
    for name in names:
        while name not in MODULES and "." in name:
            name = name.rsplit(".", 1)[0]
        if name in MODULES and name != module:
            yield name


def _imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                graph[module].update(_targets(module, path, node))
    return graph


GRAPH = _imports()


def _in(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def _edges_from(prefixes: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    for module in sorted(GRAPH):
        if _in(module, prefixes):
            for target in sorted(GRAPH[module]):
                yield module, target


def test_checks_read_only_the_model() -> None:
    assert [(m, t) for m, t in _edges_from(("medlint.checks",)) if not _in(t, CHECK_IMPORTS)] == []


def test_checks_never_name_a_parser() -> None:
    """The acceptance test's `grep -rn "medlint.parsers" medlint/checks`, docstrings included."""
    named = [
        str(path) for path in (PACKAGE / "checks").rglob("*.py") if "medlint.parsers" in path.read_text()
    ]
    assert named == []


def test_loading_never_imports_checking_or_reporting() -> None:
    assert [(m, t) for m, t in _edges_from(LOADING) if _in(t, CHECKING_AND_LATER)] == []


def test_the_model_imports_nothing_outside_it() -> None:
    outside = [
        (m, t)
        for m, t in _edges_from(("medlint.model",))
        if not _in(t, MODEL_IMPORTS) and (m, t) not in MODEL_EXCEPTIONS
    ]
    assert outside == []


def test_the_package_has_no_import_cycle() -> None:
    """Tarjan's strongly connected components of the import graph: each must be a single module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in GRAPH[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    assert cycles == []


@pytest.mark.parametrize("path", sorted((PACKAGE / "checks").rglob("*.py")), ids=lambda p: p.name)
def test_checks_do_not_read_raw_trees(path: Path) -> None:
    """No `.raw`, `.body` or `.tree` access in a check: facts come from typed fields or the Node API."""
    found = [
        f"{path.name}:{node.lineno} .{node.attr}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr in RAW_ATTRIBUTES
    ]
    assert found == []


def test_the_scan_sees_imports_at_every_level() -> None:
    """The scan itself: a function-level import and a type-only import both count."""
    source = MODULES["medlint.model.project"].read_text(encoding="utf-8")
    assert "    from medlint.model.core import" in source  # only under TYPE_CHECKING
    assert "            from medlint.model.index import build_index" in source  # inside Project.index
    assert {"medlint.model.core", "medlint.model.index"} <= GRAPH["medlint.model.project"]
