"""Plan, apply, re-lint, roll back: one `medlint fix` run.

1. Lint (the same options as `check`), then plan a fix for each unwaived finding whose rule declares one.
   Unsafe fixes are only kept with `--unsafe-fixes`; the others are counted as available.
2. Edit each file in memory. A YAML edit is proven by yaml_edit (parses, same data plus the fix, no other
   line changed, every comment kept); a Dockerfile edit by medlint's own parser. An edit that cannot be
   proven is not made and the finding is reported as manual.
3. With `--diff`, print the edits and stop: nothing is written.
4. Write the files atomically and lint again. A file that no longer parses, a finding that appears, or a
   finding that the edit did not remove rolls the responsible fixes back (the fixes of the same object
   when the new finding names it, else all fixes of that file) and the run lints again, until the result
   is clean; the files then hold exactly the fixes that were proven on disk.
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from medlint.findings import Finding
from medlint.fix.dockerfile_edit import TextEdit, apply_edits, verify_dockerfile
from medlint.fix.plans import SAFE, UNSAFE, Manual, PlanContext, PlannedFix, Proposal, Site
from medlint.fix.writer import FileChanged, FileText, UnsafePath, write_file
from medlint.fix.yaml_edit import YamlChange, edit_yaml
from medlint.model import ArtifactKind

#: Lint runs after the first write before everything is rolled back (each round drops at least one fix).
MAX_ROUNDS = 4
PARSE_RULES = ("MD001", "MD002", "MD003")


@dataclass(frozen=True)
class FixOptions:
    unsafe: bool = False
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    diff: bool = False


@dataclass
class FixOutcome:
    """What a run did: fixes applied, rolled back or refused; findings left to a person; the files' texts."""

    before: Any  # Report of the first lint
    after: Any  # Report after the fixes (== before with --diff)
    applied: list[PlannedFix] = field(default_factory=list)
    rolled_back: list[tuple[PlannedFix, str]] = field(default_factory=list)
    refused: list[tuple[PlannedFix, str]] = field(default_factory=list)
    manual: list[tuple[Finding, Manual]] = field(default_factory=list)
    unsafe_available: list[PlannedFix] = field(default_factory=list)
    originals: dict[str, FileText] = field(default_factory=dict)
    results: dict[str, str] = field(default_factory=dict)  # path -> final text, for files that changed
    route_of: dict[str, str] = field(
        default_factory=dict
    )  # path -> editor route ("ruamel", "text", "dockerfile")
    lint_runs: int = 1

    @property
    def routes(self) -> Counter[str]:
        """How many of the changed files each editor route produced."""
        return Counter(self.route_of[path] for path in self.results)

    def diff(self) -> str:
        """A unified diff of every changed file, in path order, with secret values masked (module `_masked`):
        the context lines around a fix quote the file, and CI logs are read by many."""
        hidden = _secret_lines(self.before)
        chunks: list[str] = []
        for path in sorted(self.results):
            old = self.originals[path].text.splitlines(keepends=True)
            new = self.results[path].splitlines(keepends=True)
            secret = {old[line - 1] for line in hidden.get(path, ()) if 0 < line <= len(old)}
            old = [_masked(line, line in secret) for line in old]
            new = [_masked(line, line in secret) for line in new]
            chunks.extend(difflib.unified_diff(old, new, f"a/{path}", f"b/{path}"))
        return "".join(
            line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in chunks
        )


_KEYED_LINE = re.compile(
    r"^(?P<key>\s*(?:-\s+)?(?:ENV\s+|ARG\s+)?[\"']?(?P<name>[\w.-]+)[\"']?\s*[:=]\s*)(?P<value>\S.*?)(?P<end>\r?\n?)$"
)


_PLAIN_VALUES = frozenset({"true", "false", "yes", "no", "on", "off", "null", "~", "|", ">", "{}", "[]"})


def _secret_lines(report: Any) -> dict[str, set[int]]:
    """The lines that secret rules (checks `secrets.*`) found a value on, waived ones included, by path."""
    lines: dict[str, set[int]] = {}
    for finding in report.result.findings:
        rule = report.pack.get(finding.rule_id)
        if rule is not None and str(getattr(rule, "check", "")).startswith("secrets."):
            lines.setdefault(finding.location.path, set()).add(finding.location.line)
    return lines


def _masked(line: str, secret: bool) -> str:
    """A line of a file as the diff may show it: the value of a secret-like key (or of a line a secret rule
    flagged) as `***`, URL credentials and secret query parameters masked. The same line always gives the
    same text, so unchanged lines stay context."""
    from medlint.redact import MASK, is_secret_key, redact

    match = _KEYED_LINE.match(line)
    value = match.group("value").strip().strip("\"'").lower() if match else ""
    plain = value in _PLAIN_VALUES or value.isdigit()  # automountServiceAccountToken: false hides nothing
    if match and (secret or is_secret_key(match.group("name"))) and not plain:
        return f"{match.group('key')}{MASK}{match.group('end')}"
    if secret:
        ending = line[len(line.rstrip("\r\n")) :]
        return f"{line[: len(line) - len(line.lstrip())]}{MASK}{ending}"
    return redact(line)


def _selected(rule_id: str, options: FixOptions) -> bool:
    def matches(patterns: Iterable[str]) -> bool:
        return any(rule_id.upper().startswith(pattern.upper()) for pattern in patterns)

    return (not options.select or matches(options.select)) and not matches(options.ignore)


def plan_fixes(report: Any, ctx: PlanContext, options: FixOptions, outcome: FixOutcome) -> list[PlannedFix]:
    """A fix (or a manual note) for each unwaived finding whose rule declares a fix."""
    from medlint.fix.registry import planner_for

    planned: list[PlannedFix] = []
    for finding in sorted(report.result.findings, key=lambda item: item.sort_key()):
        if finding.suppressed or finding.artifact is None or not _selected(finding.rule_id, options):
            continue
        rule = report.pack.get(finding.rule_id)
        declared = getattr(rule, "fix", None) or {}
        planner = planner_for(rule.check, finding.artifact.value) if rule is not None and declared else None
        if planner is None:
            continue
        try:
            result, fixes = _plan_one(finding, planner, ctx)
        except UnsafePath as error:
            result, fixes = Manual(str(error)), []
        except Exception as error:  # a bug in one planner must not stop the run (principle 4)
            result, fixes = (
                Manual(f"internal error while planning the fix ({type(error).__name__}: {error})"),
                [],
            )
        if isinstance(result, Manual):
            outcome.manual.append((finding, result))
            continue
        if result is None:
            continue
        if result.applicability not in declared:
            continue  # the rule file does not declare this kind of fix
        if result.applicability == UNSAFE and not options.unsafe:
            outcome.unsafe_available.extend(fixes)
            continue
        planned.extend(fixes)
    return planned


def _plan_one(
    finding: Finding, planner: Any, ctx: PlanContext
) -> tuple[Proposal | Manual | None, list[PlannedFix]]:
    """The planner's answer for one finding, and the fixes bound to the files they edit."""
    from medlint.fix.helm import helm_origin, helm_site, to_values

    if finding.artifact is ArtifactKind.HELM:
        if helm_origin(finding) is None:
            return Manual("this chart finding is not on a rendered object; change the chart by hand"), []
        located = helm_site(finding, ctx)
        if isinstance(located, Manual):
            return located, []
        site, record, origin = located
        result = planner(finding, site, ctx)
        if not isinstance(result, Proposal):
            return result, []
        fixes = to_values(finding, result, site, record, origin)
        if isinstance(fixes, Manual):
            return fixes, []
        return result, fixes
    if finding.artifact is ArtifactKind.DOCKERFILE:
        result = planner(finding, None, ctx)
        fixes = (
            [
                PlannedFix(
                    finding,
                    result.applicability,
                    result.description,
                    finding.location.path,
                    edits=result.edits,
                )
            ]
            if isinstance(result, Proposal)
            else []
        )
        return result, fixes
    yfile = ctx.yaml(finding.location.path)
    if yfile is None:
        return Manual("the file cannot be read or parsed for editing"), []
    path = yfile.locate(finding.location.line, finding.location.column)
    if path is None:
        return Manual("the finding's position is not found in the file"), []
    result = planner(finding, Site(yfile, path), ctx)
    fixes = (
        [
            PlannedFix(
                finding,
                result.applicability,
                result.description,
                finding.location.path,
                changes=result.changes,
            )
        ]
        if isinstance(result, Proposal)
        else []
    )
    return result, fixes


# --------------------------------------------------------------------------------------------------
# Editing in memory


def _edit_file(path: str, text: str, fixes: list[PlannedFix]) -> tuple[str | None, str, dict[int, str]]:
    """The new text for a file with these fixes, the YAML route, and the fixes (by index) refused, with why."""
    refused: dict[int, str] = {}
    if any(fix.edits for fix in fixes):
        return _edit_dockerfile(path, text, fixes)
    active = list(range(len(fixes)))
    while True:
        changes: list[YamlChange] = []
        owner: list[int] = []
        for index in active:
            for change in fixes[index].changes:
                changes.append(change)
                owner.append(index)
        result = edit_yaml(text, changes)
        newly = {owner[position]: reason for position, reason in result.refused.items()}
        if not newly:
            return result.text, result.route, refused
        refused.update(newly)
        active = [index for index in active if index not in newly]
        if not active:
            return None, "", refused


def _edit_dockerfile(path: str, text: str, fixes: list[PlannedFix]) -> tuple[str | None, str, dict[int, str]]:
    refused: dict[int, str] = {}
    accepted: list[int] = []

    def attempt(indexes: list[int]) -> tuple[str, str | None]:
        edits: list[TextEdit] = [edit for index in indexes for edit in fixes[index].edits]
        try:
            new_text = apply_edits(text, edits)
        except ValueError as error:
            return text, str(error)
        return new_text, verify_dockerfile(path, text, new_text, edits)

    new_text, problem = attempt(list(range(len(fixes))))
    if problem is None:
        return new_text, "dockerfile", refused
    for index in range(len(fixes)):
        _candidate, problem = attempt([*accepted, index])
        if problem is None:
            accepted.append(index)
        else:
            refused[index] = problem
    if not accepted:
        return None, "", refused
    new_text, _ = attempt(accepted)
    return new_text, "dockerfile", refused


# --------------------------------------------------------------------------------------------------
# The run


def _key(finding: Finding) -> tuple[str, str, str, str]:
    return (finding.rule_id, finding.location.path, finding.subject, finding.variant or "")


def _counts(report: Any) -> Counter[tuple[str, str, str, str]]:
    return Counter(_key(finding) for finding in report.result.findings if not finding.suppressed)


def run_fix(
    lint: Callable[[], Any],
    options: FixOptions,
    params_from: Callable[[], Mapping[str, Mapping[str, Any]]] | None = None,
) -> FixOutcome:
    """One fix run. `lint` lints the project with the user's options and returns a Report; `params_from`
    gives the configuration's rule parameter overrides (read after the first lint found the configuration)."""
    report = lint()
    root = Path(report.root)
    outcome = FixOutcome(before=report, after=report)
    ctx = PlanContext(report, root, params_from() if params_from is not None else None)
    planned = plan_fixes(report, ctx, options, outcome)
    by_file: dict[str, list[PlannedFix]] = {}
    for fix in planned:
        by_file.setdefault(fix.path, []).append(fix)
    accepted: dict[str, list[PlannedFix]] = {}
    for path, fixes in sorted(by_file.items()):
        try:
            original = ctx.file(path)
        except UnsafePath as error:
            outcome.refused.extend((fix, str(error)) for fix in fixes)
            continue
        outcome.originals[path] = original
        try:
            new_text, route, refused = _edit_file(path, original.text, fixes)
        except Exception as error:  # an editor bug leaves the file alone and says so
            reason = f"internal error while editing ({type(error).__name__}: {error})"
            new_text, route, refused = None, "", dict.fromkeys(range(len(fixes)), reason)
        outcome.refused.extend((fixes[index], reason) for index, reason in sorted(refused.items()))
        kept = [fix for index, fix in enumerate(fixes) if index not in refused]
        if new_text is not None and new_text != original.text and kept:
            accepted[path] = kept
            outcome.results[path] = new_text
            outcome.route_of[path] = route
    if options.diff or not accepted:
        outcome.applied = [fix for fixes in accepted.values() for fix in fixes]
        return outcome
    return _write_and_verify(lint, root, outcome, accepted)


def _write_and_verify(
    lint: Callable[[], Any], root: Path, outcome: FixOutcome, accepted: dict[str, list[PlannedFix]]
) -> FixOutcome:
    on_disk = {path: outcome.originals[path].text for path in accepted}
    before_counts = _counts(outcome.before)

    def sync() -> None:
        """Make every touched file hold its wanted text: the accepted fixes, else the original. A file that
        someone else changed meanwhile is left alone, and its fixes are reported as not applied."""
        for path, text in list(on_disk.items()):
            wanted = outcome.results.get(path, outcome.originals[path].text)
            if text != wanted:
                try:
                    write_file(root, path, FileText(wanted, outcome.originals[path].bom), expected=text)
                except FileChanged as error:
                    del on_disk[path]
                    outcome.results.pop(path, None)
                    outcome.refused.extend((fix, str(error)) for fix in accepted.pop(path, []))
                    continue
                on_disk[path] = wanted

    try:
        for _round in range(MAX_ROUNDS):
            sync()
            outcome.after = lint()
            outcome.lint_runs += 1
            bad = _judge(root, before_counts, outcome.after, accepted)
            if not bad:
                outcome.applied = [fix for fixes in accepted.values() for fix in fixes]
                return outcome
            _drop(outcome, accepted, bad)
        for fixes in accepted.values():
            outcome.rolled_back.extend((fix, "the result could not be proven clean") for fix in fixes)
        accepted.clear()
        outcome.results.clear()
        sync()
        outcome.after = lint()
        outcome.lint_runs += 1
        return outcome
    except BaseException:
        outcome.results.clear()
        with contextlib.suppress(Exception):  # the original error is the one to report
            sync()  # put the originals back before the error surfaces
        raise


def _drop(outcome: FixOutcome, accepted: dict[str, list[PlannedFix]], bad: dict[int, str]) -> None:
    """Remove the bad fixes and recompute the affected files' texts from their originals."""
    for path in list(accepted):
        fixes = accepted[path]
        dropped = [(fix, bad[id(fix)]) for fix in fixes if id(fix) in bad]
        if not dropped:
            continue
        outcome.rolled_back.extend(dropped)
        kept = [fix for fix in fixes if id(fix) not in bad]
        text = outcome.originals[path].text
        new_text, route, refused = _edit_file(path, text, kept) if kept else (None, "", {})
        outcome.rolled_back.extend(
            (kept[index], f"rolled back with the file: {reason}") for index, reason in refused.items()
        )
        kept = [fix for index, fix in enumerate(kept) if index not in refused]
        if kept and new_text is not None and new_text != text:
            accepted[path] = kept
            outcome.results[path] = new_text
            outcome.route_of[path] = route
        else:
            del accepted[path]
            outcome.results.pop(path, None)


def _chart_directory(root: Path, path: str) -> str | None:
    """The chart directory a values file belongs to (the nearest ancestor with a Chart.yaml)."""
    current = PurePosixPath(path).parent
    while True:
        if (root / current / "Chart.yaml").is_file():
            return current.as_posix()
        if current == current.parent or not current.parts:
            return None
        current = current.parent


def _judge(
    root: Path,
    before_counts: Counter[tuple[str, str, str, str]],
    after: Any,
    accepted: dict[str, list[PlannedFix]],
) -> dict[int, str]:
    """Fixes to roll back (by id), with the reason: new findings or parse problems, or findings not removed."""
    after_counts = _counts(after)
    bad: dict[int, str] = {}
    owners: dict[str, list[PlannedFix]] = {}
    for path, fixes in accepted.items():
        owners.setdefault(path, []).extend(fixes)
        chart = (
            _chart_directory(root, path) if fixes and fixes[0].finding.artifact is ArtifactKind.HELM else None
        )
        if chart is not None:
            owners.setdefault(chart + "/", []).extend(fixes)
    grown = [key for key, count in after_counts.items() if count > before_counts.get(key, 0)]
    for key in grown:
        rule_id, path, subject, _variant = key
        owning: list[PlannedFix] | None = owners.get(path) or next(
            (group for prefix, group in owners.items() if prefix.endswith("/") and path.startswith(prefix)),
            None,
        )
        if owning is None:
            owning = [fix for group in accepted.values() for fix in group]
            reason = f"a new {rule_id} finding appeared in {path}"
        elif rule_id in PARSE_RULES:
            reason = f"the file would no longer be read ({rule_id})"
        else:
            reason = f"a new {rule_id} finding would appear"
        same_object = [
            fix for fix in owning if rule_id not in PARSE_RULES and _same_object(fix.finding.subject, subject)
        ]
        same_rule = [fix for fix in same_object if fix.finding.rule_id == rule_id]
        for fix in same_rule or same_object or owning:
            bad.setdefault(id(fix), reason)
    targets: dict[tuple[str, str, str, str], list[PlannedFix]] = {}
    for fixes in accepted.values():
        for fix in fixes:
            targets.setdefault(_key(fix.finding), []).append(fix)
    for key, fixes in targets.items():
        wanted = len({id(fix.finding) for fix in fixes})
        if before_counts.get(key, 0) - after_counts.get(key, 0) < wanted:
            for fix in fixes:
                bad.setdefault(id(fix), "the finding remains after the edit")
    return bad


def _same_object(fixed: str, new: str) -> bool:
    return new == fixed or new.startswith(fixed + "/") or fixed.startswith(new + "/")


__all__ = ["SAFE", "UNSAFE", "FixOptions", "FixOutcome", "run_fix"]
