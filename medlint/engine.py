"""The rule engine: run each enabled rule's check over the project and attribute levels.

Checks are pure functions `check(project, params) -> Iterable[Violation]`, named in the rule file as
`module.function` under `medlint.checks`. An exception in one check becomes a tool notification and the
run goes on: one bug must not hide the findings of every other rule.
"""

from __future__ import annotations

import datetime
import functools
import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from medlint.findings import Finding, Notification, RelatedLocation, Violation
from medlint.model import ArtifactKind, Level, Project
from medlint.redact import internal_error_text, redact
from medlint.rulepack import Rule, RulePack
from medlint.safety import SafetyClassDecision

CheckFunction = Callable[[Project, Mapping[str, Any]], Iterable[Violation]]


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """What the configuration decides about rules: selection, levels and parameters."""

    enabled: frozenset[str] = frozenset()  # empty: all rules
    disabled: frozenset[str] = frozenset()
    level_overrides: Mapping[str, str] = field(default_factory=dict)  # rule id -> level or "off"
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # rule id -> parameter overrides
    today: datetime.date | None = None  # for date-dependent rules (end of support); None means today
    #: `--release-manifest`: image reference -> digest of the release (MD903); None when not given.
    release_manifest: Mapping[str, str] | None = None


#: Parameters the engine itself passes to every check; rule files never declare them.
ENGINE_PARAMS = frozenset({"today", "tables", "safety_class", "release_manifest"})


@dataclass(frozen=True, slots=True)
class RunResult:
    findings: tuple[Finding, ...]
    notifications: tuple[Notification, ...]
    safety_class: SafetyClassDecision
    rules_run: tuple[str, ...]
    #: Turned off by the configuration or the command line (`disable`, `enable`, `--select`, level `off`).
    rules_disabled: tuple[str, ...]
    #: Off at this safety class by the rule's own levels.
    rules_off: tuple[str, ...] = ()


class CheckNotFound(Exception):
    """A rule names a check function that does not exist."""


def artifact_kinds(project: Project) -> set[ArtifactKind]:
    """The artifact kinds a project holds, so rules about absent kinds need not even be imported."""
    kinds = {item.kind for item in project.files} | {problem.kind for problem in project.problems}
    if any(obj.rendered_from for obj in project.k8s_objects):
        kinds.add(ArtifactKind.HELM)
    return kinds


def resolve_check(name: str) -> CheckFunction:
    module_name, _, function_name = name.partition(".")
    try:
        module = importlib.import_module(f"medlint.checks.{module_name}")
    except ModuleNotFoundError as error:
        raise CheckNotFound(f"check module 'medlint.checks.{module_name}' does not exist") from error
    function = getattr(module, function_name, None)
    if not callable(function):
        raise CheckNotFound(f"check function '{name}' does not exist in medlint.checks.{module_name}")
    return function


def _is_selected(rule: Rule, settings: EngineSettings) -> bool:
    if rule.id in settings.disabled:
        return False
    return not settings.enabled or rule.id in settings.enabled


def _finding(rule: Rule, violation: Violation, level: Level) -> Finding:
    """A Finding from a Violation; every text passes through `redact`, whatever the check wrote."""
    message = redact(violation.message)
    message = message if message.endswith(".") else message + "."
    related = tuple(
        item if redact(item.message) == item.message else RelatedLocation(item.location, redact(item.message))
        for item in violation.related
    )
    return Finding(
        rule_id=rule.id,
        level=level,
        location=violation.location,
        message=message,
        subject=redact(violation.subject),
        artifact=violation.artifact,
        variant=violation.variant,
        related=related,
    )


@dataclass(frozen=True, slots=True)
class _Evaluation:
    """One rule to evaluate: its index in the pack, the rule, its parameters and its level override."""

    index: int
    rule: Rule
    params: Mapping[str, Any]
    override: str | None


@dataclass(frozen=True, slots=True)
class _Attribution:
    """What gives a violation its level: the system's class, and the items with a class of their own."""

    safety_class: str
    decision: SafetyClassDecision
    item_classes: frozenset[str | None]

    def level(self, rule: Rule, violation: Violation, override: str | None) -> Level | None:
        if override:
            return Level(override)
        level_class = self.safety_class
        resolution = self.decision.resolution
        if self.item_classes and resolution is not None:
            level_class = (
                resolution.item_class(violation.location.path, violation.subject) or self.safety_class
            )
        return rule.level_for(level_class, violation.artifact, violation.variant)


def _evaluate(attribution: _Attribution, project: Project, evaluation: _Evaluation) -> list[Finding] | str:
    """One rule's findings on the project, or the text of the error its check raised. A pure function of
    its arguments, so it may run in another process."""
    rule = evaluation.rule
    try:
        check = resolve_check(rule.check)
        violations = list(check(project, evaluation.params))
    except Exception as error:
        return internal_error_text(error)
    findings = []
    for violation in violations:
        if violation.artifact not in rule.applies_to:
            continue
        level = attribution.level(rule, violation, evaluation.override)
        if level is not None:
            findings.append(_finding(rule, violation, level))
    return findings


def _evaluate_all(
    attribution: _Attribution, project: Project, evaluations: list[_Evaluation], jobs: int
) -> dict[int, list[Finding] | str]:
    """Every evaluation's outcome by rule index. With `jobs` > 1 the rules are shared out among processes
    (medlint.parallel.run_shared: the children share the loaded project, nothing of it is copied); the
    outcomes are the same either way, and are used in the pack's order."""
    evaluate = functools.partial(_evaluate, attribution)
    if jobs <= 1:
        outcomes = [evaluate(project, evaluation) for evaluation in evaluations]
    else:
        from medlint.parallel import run_shared

        outcomes = run_shared(evaluate, project, evaluations, jobs)
    return {evaluation.index: outcome for evaluation, outcome in zip(evaluations, outcomes)}


def run_rules(
    project: Project,
    pack: RulePack,
    decision: SafetyClassDecision,
    settings: EngineSettings = EngineSettings(),
    jobs: int = 1,
) -> RunResult:
    """Run every enabled rule's check over the project; `jobs` processes share the rules (the result is the
    same for every value)."""
    findings: list[Finding] = []
    notifications: list[Notification] = []
    run: list[str] = []
    disabled: list[str] = []
    off: list[str] = []
    safety_class = decision.value
    present = artifact_kinds(project)
    resolution = decision.resolution
    # Items whose justified deviation gives them their own class (catalog 5.1): a rule runs when it is on
    # for the system class or for any of theirs.
    item_classes = (
        {declaration.valid_iec for declaration, justified in resolution.deviations if justified}
        if resolution is not None
        else set()
    )
    classes = [safety_class, *sorted(c for c in item_classes if c and c != safety_class)]
    attribution = _Attribution(safety_class, decision, frozenset(item_classes))
    evaluations: list[_Evaluation] = []
    planned: list[int] = []  # the rules whose check is called, in the pack's order
    unusable: dict[int, list[Finding] | str] = {}  # rules whose data table is broken: the error's text
    for index, rule in enumerate(pack.rules):
        override = settings.level_overrides.get(rule.id)
        if not _is_selected(rule, settings) or override == "off":
            disabled.append(rule.id)
            continue
        if override is None and all(rule.max_level(value) is None for value in classes):
            off.append(rule.id)
            continue
        run.append(rule.id)
        if not present.intersection(rule.applies_to):
            continue  # nothing it applies to was scanned: it ran, vacuously, without importing its check
        params: dict[str, Any] = {**rule.params, **settings.params.get(rule.id, {})}
        params["today"] = settings.today or datetime.date.today()
        if settings.release_manifest is not None:
            params["release_manifest"] = settings.release_manifest
        if decision.explicit:
            params["safety_class"] = safety_class
        planned.append(index)
        try:
            if rule.tables:
                params["tables"] = {name: pack.table(name) for name in rule.tables}
        except Exception as error:
            unusable[index] = internal_error_text(error)
            continue
        evaluations.append(_Evaluation(index, rule, params, override))
    outcomes = {**_evaluate_all(attribution, project, evaluations, jobs), **unusable}
    for index in planned:
        rule = pack.rules[index]
        outcome = outcomes[index]
        if isinstance(outcome, str):
            notifications.append(
                Notification(
                    Level.ERROR,
                    f"internal error in check {rule.check} of rule {rule.id}: {outcome}; "
                    "this rule's results are incomplete, the other rules ran",
                    rule_id=rule.id,
                )
            )
            continue
        findings.extend(outcome)
    unique = sorted(set(findings), key=Finding.sort_key)
    return RunResult(
        findings=tuple(unique),
        notifications=tuple(notifications),
        safety_class=decision,
        rules_run=tuple(run),
        rules_disabled=tuple(disabled),
        rules_off=tuple(off),
    )
