"""The library entry point: lint paths and get a Report. The CLI and the tests both go through here.

Pipeline: discover → parse (rendering Helm charts) → run rules → values-key explanations → fingerprints →
waivers → baseline → Report.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from pathlib import Path

from medlint.baseline import BaselineEntry, match_baseline
from medlint.config import Config
from medlint.discover import discover
from medlint.engine import run_rules
from medlint.findings import Finding
from medlint.fingerprints import add_fingerprints
from medlint.limits import Limits
from medlint.loader import HelmSettings, load_project
from medlint.model import Level
from medlint.reader import FileReader
from medlint.report import Report
from medlint.rulepack import RulePack, load_rule_pack, table_versions
from medlint.safety import resolve_safety_class
from medlint.vcs import read_provenance
from medlint.waivers import annotation_waivers, configured_waivers, evaluate_waivers


@dataclass(frozen=True, slots=True)
class HelmValues:
    """Helm values from the command line: one more values set for every chart being linted."""

    files: tuple[str, ...] = ()  # absolute paths of -f files, merged in order
    set_values: tuple[str, ...] = ()
    set_string_values: tuple[str, ...] = ()
    kube_version: str | None = None
    api_versions: tuple[str, ...] = ()
    namespace: str | None = None  # the release namespace (`helm template --namespace`)


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
    helm: HelmValues | None = None,
    gitignore: bool = True,
    baseline_path: str | None = None,
    limits: Limits | None = None,
    keep_render_sources: bool = False,
) -> Report:
    """Discover, parse, check, waive, compare with the baseline. Raises DiscoveryError or RulePackError
    for usage problems. Every file is read through one bounded reader with `limits` (default: the
    configuration's)."""
    config = config or Config()
    pack = pack or load_rule_pack(tuple(config.rules_dirs) + tuple(rules_dirs))
    discovery = discover(
        paths, cwd or Path.cwd(), excludes=tuple(config.exclude) + tuple(excludes), gitignore=gitignore
    )
    base = cwd or Path.cwd()
    reader = FileReader(discovery.root, limits or config.limits)
    helm = helm or HelmValues(
        kube_version=config.helm_kube_version,
        api_versions=config.helm_api_versions,
        namespace=config.helm_namespace,
    )
    settings_for_charts = HelmSettings(
        command_line_files=helm.files,
        set_values=helm.set_values,
        set_string_values=helm.set_string_values,
        configured=config.helm_values,
        kube_version=helm.kube_version,
        api_versions=helm.api_versions,
        namespace=helm.namespace,
        keep_render_sources=keep_render_sources,
    )
    project, unrecognised = load_project(
        discovery, tuple((base / path).resolve() for path in chart_paths), settings_for_charts, reader
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
    findings = add_fingerprints(findings, discovery.root, reader)
    waivers = [
        *project.inline_waivers,
        *annotation_waivers(project.k8s_objects),
        *configured_waivers(config.waivers),
    ]
    effective_today = settings.today or datetime.date.today()
    waiving = evaluate_waivers(findings, waivers, effective_today)
    findings = waiving.findings
    known: tuple[Finding, ...] = ()
    fixed: tuple[BaselineEntry, ...] = ()
    if baseline is not None:
        findings, known, fixed = match_baseline(findings, baseline)
    findings = tuple(sorted(findings, key=Finding.sort_key))  # total: the same bytes for every hash seed
    result = dataclasses.replace(
        result, findings=findings, notifications=result.notifications + waiving.notifications
    )
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
        provenance=read_provenance(discovery.root, reader.limits),
        baselined=len(known),
        baselined_findings=known,
        fixed=fixed,
        table_versions=table_versions(pack),
        evaluation_date=effective_today.isoformat(),
        waivers=waiving.outcomes,
        baseline_path=baseline_path,
    )
