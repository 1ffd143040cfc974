"""Waivers: auditable, never silent (principle 7; IEC 62304 7.2, ISO 14971 §7 risk-based deviations).

Three sources, one behaviour:
- inline comments: `# medlint: ignore MD201 reason="..." until=2027-06-30 owner=qa@example.com risk=RMF-12`,
  on the line of the object or instruction, or on a line of its own right above it;
- Kubernetes annotations: `medlint.io/ignore.MD201: "reason=...; until=...; owner=...; risk=..."`;
- the configuration file's `waivers:` list, with path globs and an object selector.

A waiver without a reason is rejected and reported. An expired waiver no longer suppresses, and the finding
says so. A waiver that matches nothing is reported. Waived findings stay in every report, marked suppressed.
"""

from __future__ import annotations

import dataclasses
import datetime
import fnmatch
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from medlint.config import ConfiguredWaiver
from medlint.findings import Finding, Notification, Suppression, SuppressionKind
from medlint.model.common import Level
from medlint.model.location import Location
from medlint.model.shell import split_words

if TYPE_CHECKING:
    from medlint.model import Dockerfile, K8sObject

_COMMENT = re.compile(r"#\s*medlint:\s*ignore\b(?P<rest>.*)$")
_RULE_ID = re.compile(r"^[A-Z]{2,8}\d{3,4}$")
ANNOTATION_PREFIX = "medlint.io/ignore."


@dataclass(frozen=True, slots=True)
class Waiver:
    """A parsed waiver from any source. `problem` is set when it is rejected (no reason, bad date)."""

    rules: tuple[str, ...]
    reason: str
    origin: Location
    kind: SuppressionKind  # where it is written (SARIF suppression kind)
    until: str | None = None
    owner: str | None = None
    risk: str | None = None
    problem: str | None = None
    # Scope: a line span in one file, an object subject prefix, or configured globs and selector.
    path: str | None = None
    first_line: int = 0
    last_line: int = 0
    subject_prefix: str | None = None
    path_globs: tuple[str, ...] = ()
    selector: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        return f"waiver for {', '.join(self.rules) or '?'} at {self.origin}"


# --------------------------------------------------------------------------------------------------
# Parsing


def _fields(text: str, separator: str | None) -> dict[str, str]:
    """key=value pairs: whitespace-separated with shell quoting (comments) or `;`-separated (annotations)."""
    if separator is None:
        try:
            parts = split_words(text)
        except ValueError:
            parts = text.split()
    else:
        parts = [part.strip() for part in text.split(separator)]
    fields: dict[str, str] = {}
    for part in parts:
        key, sep, value = part.partition("=")
        if sep:
            fields[key.strip().lower()] = value.strip().strip('"').strip("'")
    return fields


def _problem(fields: dict[str, str], rules: Sequence[str]) -> str | None:
    if not rules:
        return 'names no rule id (write `medlint: ignore MD201 reason="..."`)'
    if not fields.get("reason"):
        return 'has no reason; every waiver needs a justification (reason="...")'
    if fields.get("until"):
        try:
            datetime.date.fromisoformat(fields["until"])
        except ValueError:
            return f"has an invalid until date '{fields['until']}' (use YYYY-MM-DD)"
    return None


def _next_code_line(lines: list[str], index: int) -> int | None:
    for candidate in range(index + 1, len(lines)):
        stripped = lines[candidate].strip()
        if stripped and not stripped.startswith("#"):
            return candidate
    return None


def _yaml_block_end(lines: list[str], start: int) -> int:
    """Last line (0-based) of the YAML block that starts at `start`: deeper-indented lines belong to it."""
    first = lines[start]
    indent = len(first) - len(first.lstrip(" "))
    end = start
    for candidate in range(start + 1, len(lines)):
        text = lines[candidate]
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(text) - len(text.lstrip(" ")) <= indent or stripped == "---":
            break
        end = candidate
    return end


def _instruction_end(dockerfile: Dockerfile | None, line: int) -> int:
    if dockerfile is not None:
        for instruction in (*dockerfile.global_args, *dockerfile.instructions()):
            if instruction.location.line == line:
                return instruction.location.end_line
    return line


def scan_inline_waivers(
    path: str, text: str, is_dockerfile: bool, dockerfile: Dockerfile | None = None
) -> list[Waiver]:
    """Every `# medlint: ignore` comment of a file, with the line span it applies to."""
    if "medlint:" not in text:
        return []
    lines = text.splitlines()
    found: list[Waiver] = []
    for index, line in enumerate(lines):
        match = _COMMENT.search(line)
        if match is None:
            continue
        words = match.group("rest").split()
        rules: list[str] = []
        for word in words:
            if "=" in word:
                break
            rules.extend(rule for rule in word.split(",") if rule)
        valid_rules = tuple(rule for rule in rules if _RULE_ID.match(rule))
        fields = _fields(match.group("rest"), None)
        own_line = line.strip().startswith("#")
        target = _next_code_line(lines, index) if own_line else index
        problem = _problem(fields, valid_rules)
        if target is None:
            problem = problem or "is followed by nothing it could apply to"
            target = index
        if is_dockerfile:
            last = _instruction_end(dockerfile, target + 1) - 1
        else:
            last = _yaml_block_end(lines, target)
        found.append(
            Waiver(
                rules=valid_rules,
                reason=fields.get("reason", ""),
                origin=Location(path, index + 1, match.start() + 1),
                kind=SuppressionKind.IN_SOURCE,
                until=fields.get("until"),
                owner=fields.get("owner"),
                risk=fields.get("risk"),
                problem=problem,
                path=path,
                first_line=target + 1,
                last_line=max(target, last) + 1,
            )
        )
    return found


def annotation_waivers(objects: Iterable[K8sObject]) -> list[Waiver]:
    """`medlint.io/ignore.<RULE>` annotations: they cover the object and everything in it."""
    found: list[Waiver] = []
    for obj in objects:
        for key, value in obj.annotations.items():
            if not key.startswith(ANNOTATION_PREFIX):
                continue
            rule = key[len(ANNOTATION_PREFIX) :]
            rules = (rule,) if _RULE_ID.match(rule) else ()
            fields = _fields(value.value, ";")
            found.append(
                Waiver(
                    rules=rules,
                    reason=fields.get("reason", ""),
                    origin=value.location,
                    kind=SuppressionKind.IN_SOURCE,
                    until=fields.get("until"),
                    owner=fields.get("owner"),
                    risk=fields.get("risk"),
                    problem=_problem(fields, rules),
                    path=obj.path,
                    subject_prefix=obj.subject,
                )
            )
    return found


def configured_waivers(items: Iterable[ConfiguredWaiver], folder: str = "") -> list[Waiver]:
    """Waivers of the configuration. Their `paths` globs are relative to the configuration's `folder` (given
    relative to the run's root, "" for the root itself), as `systems:` paths are: `paths: [k8s/*.yaml]` in
    `deploy/.medlint.yaml` waives `deploy/k8s/*.yaml` whether medlint runs from `deploy/` or from the root."""
    found: list[Waiver] = []
    for item in items:
        fields = {"reason": item.reason, **({"until": item.until} if item.until else {})}
        found.append(
            Waiver(
                rules=item.rules,
                reason=item.reason,
                origin=Location(item.source, item.line, 1),
                kind=SuppressionKind.EXTERNAL,
                until=item.until,
                owner=item.owner,
                risk=item.risk,
                problem=_problem(fields, item.rules),
                path_globs=tuple(posixpath.join(folder, glob.lstrip("/")) for glob in item.paths),
                selector=tuple(sorted(item.selector.items())),
            )
        )
    return found


# --------------------------------------------------------------------------------------------------
# Matching


def _subject_parts(subject: str) -> dict[str, str]:
    """kind/namespace/name/container from a subject like `Deployment/prod/api/container:web`."""
    parts = subject.split("/")
    info: dict[str, str] = {}
    container = next((part.split(":", 1)[1] for part in parts if part.startswith("container:")), None)
    plain = [part for part in parts if ":" not in part]
    if plain:
        info["kind"] = plain[0]
    if len(plain) >= 3:
        info["namespace"], info["name"] = plain[1], plain[2]
    elif len(plain) == 2:
        info["name"] = plain[1]
    if subject.startswith("compose:") and "/services/" in subject:
        info["kind"], info["name"] = "ComposeService", subject.rsplit("/services/", 1)[1].split("/")[0]
    if container:
        info["container"] = container
    return info


def _matches(waiver: Waiver, finding: Finding) -> bool:
    if finding.rule_id not in waiver.rules:
        return False
    if waiver.subject_prefix is not None:
        return finding.location.path == waiver.path and (
            finding.subject == waiver.subject_prefix
            or finding.subject.startswith(waiver.subject_prefix + "/")
        )
    if waiver.path is not None:
        return (
            finding.location.path == waiver.path
            and waiver.first_line <= finding.location.line <= waiver.last_line
        )
    if waiver.path_globs and not any(
        fnmatch.fnmatch(finding.location.path, glob) for glob in waiver.path_globs
    ):
        return False
    if waiver.selector:
        info = _subject_parts(finding.subject)
        return all(info.get(key) == value for key, value in waiver.selector)
    return True


def _expired(waiver: Waiver, today: datetime.date) -> bool:
    return waiver.until is not None and datetime.date.fromisoformat(waiver.until) < today


def _with_expiry_note(finding: Finding, waiver: Waiver) -> Finding:
    message = finding.message.rstrip(".")
    return dataclasses.replace(
        finding, message=f"{message} (its waiver at {waiver.origin} expired on {waiver.until})."
    )


@dataclass(frozen=True, slots=True)
class WaiverOutcome:
    """What one waiver did in a run, for the audit evidence: which findings it suppresses, and whether it is
    rejected (no reason, bad date), expired (no longer suppresses) or unused (matches no finding)."""

    waiver: Waiver
    suppressed: tuple[Finding, ...] = ()
    #: Findings it matches but no longer suppresses because it expired.
    expired_matches: tuple[Finding, ...] = ()
    expired: bool = False
    unused: bool = False

    @property
    def status(self) -> str:
        """One word for the evidence report: rejected, expired, unused or active."""
        if self.waiver.problem:
            return "rejected"
        if self.expired:
            return "expired"
        return "unused" if self.unused else "active"


@dataclass(frozen=True, slots=True)
class WaiverEvaluation:
    findings: tuple[Finding, ...]
    notifications: tuple[Notification, ...]
    outcomes: tuple[WaiverOutcome, ...]


def apply_waivers(
    findings: Sequence[Finding], waivers: Sequence[Waiver], today: datetime.date
) -> tuple[tuple[Finding, ...], tuple[Notification, ...]]:
    """Suppress what valid waivers cover; report rejected, expired-only and unused waivers."""
    evaluation = evaluate_waivers(findings, waivers, today)
    return evaluation.findings, evaluation.notifications


def evaluate_waivers(
    findings: Sequence[Finding], waivers: Sequence[Waiver], today: datetime.date
) -> WaiverEvaluation:
    """apply_waivers, also telling what each waiver did (the evidence report lists every waiver)."""
    notes: list[Notification] = []
    active = []
    for waiver in waivers:
        if waiver.problem:
            notes.append(
                Notification(
                    Level.WARNING, f"{waiver.describe()} is rejected: it {waiver.problem}", waiver.origin
                )
            )
        else:
            active.append(waiver)
    used: set[int] = set()
    suppressed_by: dict[int, list[Finding]] = {}
    expired_by: dict[int, list[Finding]] = {}
    result: list[Finding] = []
    for finding in findings:
        matching = [(index, waiver) for index, waiver in enumerate(active) if _matches(waiver, finding)]
        used.update(index for index, _ in matching)
        valid = [(index, waiver) for index, waiver in matching if not _expired(waiver, today)]
        if valid:
            index, waiver = valid[0]
            justification = waiver.reason + (f" [risk: {waiver.risk}]" if waiver.risk else "")
            waived = dataclasses.replace(
                finding,
                suppression=Suppression(
                    kind=waiver.kind,
                    justification=justification,
                    location=waiver.origin,
                    until=waiver.until,
                    owner=waiver.owner,
                    risk=waiver.risk,
                ),
            )
            suppressed_by.setdefault(index, []).append(waived)
            result.append(waived)
        elif matching:
            noted = _with_expiry_note(finding, matching[0][1])
            for index, _ in matching:
                expired_by.setdefault(index, []).append(noted)
            result.append(noted)
        else:
            result.append(finding)
    for index, waiver in enumerate(active):
        if index not in used:
            notes.append(
                Notification(
                    Level.WARNING,
                    f"{waiver.describe()} matches no finding; remove it or fix its scope",
                    waiver.origin,
                )
            )
    outcomes: list[WaiverOutcome] = []
    index_of = {id(waiver): index for index, waiver in enumerate(active)}
    for waiver in waivers:
        position = index_of.get(id(waiver))
        if position is None:  # rejected: it never took part in matching
            outcomes.append(WaiverOutcome(waiver))
            continue
        outcomes.append(
            WaiverOutcome(
                waiver,
                suppressed=tuple(suppressed_by.get(position, ())),
                expired_matches=tuple(expired_by.get(position, ())),
                expired=_expired(waiver, today),
                unused=position not in used,
            )
        )
    return WaiverEvaluation(tuple(result), tuple(notes), tuple(outcomes))
