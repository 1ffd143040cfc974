"""The library entry point: lint paths and get a Report. The CLI and the tests both go through here."""

from __future__ import annotations

from pathlib import Path

from medlint.discover import discover
from medlint.engine import EngineSettings, run_rules
from medlint.loader import load_project
from medlint.model import Level
from medlint.report import Report
from medlint.rulepack import RulePack, load_rule_pack
from medlint.safety import resolve_safety_class


def lint(
    paths: list[str],
    cwd: Path | None = None,
    safety_class: str | None = None,
    fail_on: str = "error",
    rules_dirs: tuple[str, ...] = (),
    excludes: tuple[str, ...] = (),
    pack: RulePack | None = None,
    settings: EngineSettings = EngineSettings(),
    command_line: tuple[str, ...] = (),
) -> Report:
    """Discover, parse, check. Raises DiscoveryError or RulePackError for usage problems."""
    pack = pack or load_rule_pack(rules_dirs)
    discovery = discover(paths, cwd or Path.cwd(), excludes=excludes)
    project, unrecognised = load_project(discovery)
    decision = resolve_safety_class(project, safety_class)
    result = run_rules(project, pack, decision, settings)
    return Report(
        result=result,
        pack=pack,
        project=project,
        scanned_paths=tuple(paths),
        unrecognised=tuple(unrecognised),
        fail_on=Level(fail_on),
        command_line=command_line,
    )
