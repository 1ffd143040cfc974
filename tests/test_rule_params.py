"""Rule parameters are declared once, in the rule file: every parameter a check reads is declared there,
every declared one is read, and every default matches its own declaration."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import jsonschema
import pytest

import medlint.engine as engine
from medlint.api import lint
from medlint.engine import ENGINE_PARAMS
from medlint.rulepack import load_rule_pack
from tests.conftest import REPO_ROOT


class RecordingParams(dict):  # type: ignore[type-arg]
    """The params mapping a check receives, remembering every name the check looks up."""

    def __init__(self, values: dict[str, Any], seen: set[str]) -> None:
        super().__init__(values)
        self._seen = seen

    def __getitem__(self, key: str) -> Any:
        self._seen.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self._seen.add(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self._seen.add(str(key))
        return super().__contains__(key)


@pytest.fixture(scope="module")
def reads() -> dict[str, set[str]]:
    """Parameter names each check function looked up while linting every fixture at class C."""
    seen: dict[str, set[str]] = defaultdict(set)
    original = engine.resolve_check

    def recording_resolve(name: str) -> Callable[..., Iterable[Any]]:
        check = original(name)

        def wrapped(project: Any, params: Any) -> Iterable[Any]:
            return check(project, RecordingParams(dict(params), seen[name]))

        return wrapped

    engine.resolve_check = recording_resolve  # type: ignore[assignment]
    try:
        lint([str(REPO_ROOT / "fixtures"), str(REPO_ROOT / "examples")], cwd=REPO_ROOT, safety_class="C")
    finally:
        engine.resolve_check = original  # type: ignore[assignment]
    return seen


def test_every_parameter_a_check_reads_is_declared(reads: dict[str, set[str]]) -> None:
    undeclared = {
        rule.id: sorted(reads[rule.check] - set(rule.param_schemas) - ENGINE_PARAMS)
        for rule in load_rule_pack().rules
    }
    assert {rule: names for rule, names in undeclared.items() if names} == {}


def test_every_declared_parameter_is_read(reads: dict[str, set[str]]) -> None:
    unread = {rule.id: sorted(set(rule.param_schemas) - reads[rule.check]) for rule in load_rule_pack().rules}
    assert {rule: names for rule, names in unread.items() if names} == {}


def test_every_default_matches_its_declaration() -> None:
    for rule in load_rule_pack().rules:
        for name, spec in rule.param_schemas.items():
            fragment = {key: value for key, value in spec.items() if key not in ("default", "description")}
            jsonschema.Draft7Validator(fragment).validate(spec["default"])
            assert name not in ENGINE_PARAMS, f"{rule.id} declares {name}, which the engine passes itself"
