"""The library entry point: lint paths and get a Report. The CLI and the tests both go through here.

Pipeline: discover → parse (rendering Helm charts) → run rules → values-key explanations → fingerprints →
waivers → baseline → Report.
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

from medlint.baseline import BaselineEntry, apply_baseline
from medlint.config import Config
from medlint.discover import discover
from medlint.engine import run_rules
from medlint.fingerprints import add_fingerprints
from medlint.limits import DEFAULT_LIMITS, Limits
from medlint.loader import load_project
from medlint.model import Level
from medlint.report import Report
from medlint.rulepack import RulePack, load_rule_pack, table_versions
from medlint.safety import resolve_safety_class
from medlint.vcs import read_provenance
from medlint.waivers import annotation_waivers, apply_waivers, configured_waivers


def lint(
    paths: list[str],
    cwd: Path | None = None,
    safety_class: str | None = None,
    fail_on: str | None = None,
    rules_dirs: tuple[str, ...] = (),
    excludes: tuple[str, ...] = (),
    pack: RulePack | None = None,
    config: Config | None = None,
    baseline: tuple[BaselineEntry, ...] | None = None,
    today: datetime.date | None = None,
    command_line: tuple[str, ...] = (),
    chart_paths: tuple[str, ...] = (),
    limits: Limits = DEFAULT_LIMITS,
) -> Report:
    """Discover, parse, check, waive, compare with the baseline. Raises DiscoveryError or RulePackError
    for usage problems. ``limits`` bounds the work on untrusted input (medlint.limits)."""
    config = config or Config()
    pack = pack or load_rule_pack(tuple(config.rules_dirs) + tuple(rules_dirs))
    discovery = discover(paths, cwd or Path.cwd(), excludes=tuple(config.exclude) + tuple(excludes))
    base = cwd or Path.cwd()
    project, unrecognised = load_project(
        discovery, tuple((base / path).resolve() for path in chart_paths), limits
    )
    requested_class, requested_from = (
        (safety_class, "--safety-class")
        if safety_class
        else (config.safety_class, f"safety_class in {config.path.name}" if config.path else "")
    )
    decision = resolve_safety_class(project, requested_class, requested_from)
    settings = config.engine_settings(today)
    result = run_rules(project, pack, decision, settings)
    findings = result.findings
    if any(obj.rendered_from for obj in project.k8s_objects):
        from medlint.helm.sourcemap import explain_findings  # only Helm renders carry a source map

        findings = explain_findings(findings)
    findings = add_fingerprints(findings, discovery.root)
    waivers = [
        *project.inline_waivers,
        *annotation_waivers(project.k8s_objects),
        *configured_waivers(config.waivers),
    ]
    effective_today = settings.today or datetime.date.today()
    findings, waiver_notes = apply_waivers(findings, waivers, effective_today)
    baselined, fixed = 0, ()
    if baseline is not None:
        findings, baselined, fixed = apply_baseline(findings, baseline)
    result = dataclasses.replace(result, findings=findings, notifications=result.notifications + waiver_notes)
    return Report(
        result=result,
        pack=pack,
        project=project,
        scanned_paths=tuple(paths),
        unrecognised=tuple(unrecognised),
        fail_on=Level(fail_on or config.fail_on or "error"),
        command_line=command_line,
        root=str(discovery.root),
        config_path=str(config.path) if config.path else None,
        automation_id=config.sarif_automation_id,
        provenance=read_provenance(discovery.root),
        baselined=baselined,
        fixed=fixed,
        table_versions=table_versions(pack),
        evaluation_date=effective_today.isoformat(),
    )
