"""The report layer's safety net: every text a reporter may print, redacted and printable.

The engine and the loader already redact what they create; this pass runs once more over the finished
Report, right before any format is rendered, so a text that reached the report by another road (a waiver
justification, a baseline entry, a file name, provenance read from `.git`) cannot leak a secret either.
Each text passes through `redact` (credentials) and `printable` (bytes of file names that are not UTF-8
shown as `\\xff`). Format-specific escaping (control characters, workflow commands, XML) stays with each
reporter.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from medlint.baseline import BaselineEntry
from medlint.escape import printable
from medlint.findings import Finding, Notification, RelatedLocation, Suppression
from medlint.model.location import Location
from medlint.redact import redact, strip_url_credentials
from medlint.waivers import WaiverOutcome


def clean(text: str) -> str:
    """One text as every format may show it: no credentials, no unencodable characters."""
    return printable(redact(text))


def _optional(text: str | None) -> str | None:
    return None if text is None else clean(text)


def _location(location: Location) -> Location:
    path = clean(location.path)
    return location if path == location.path else dataclasses.replace(location, path=path)


def _suppression(suppression: Suppression | None) -> Suppression | None:
    if suppression is None:
        return None
    return dataclasses.replace(
        suppression,
        justification=clean(suppression.justification),
        location=_location(suppression.location) if suppression.location else None,
        until=_optional(suppression.until),
        owner=_optional(suppression.owner),
        risk=_optional(suppression.risk),
    )


def _finding(finding: Finding) -> Finding:
    """The finding with its texts cleaned; the finding itself when they were clean already (nearly always:
    the engine redacts what checks write), which spares a copy of each of a large scan's findings."""
    location = _location(finding.location)
    message = clean(finding.message)
    subject = clean(finding.subject)
    variant = _optional(finding.variant)
    related = tuple(
        RelatedLocation(_location(item.location), clean(item.message)) for item in finding.related
    )
    suppression = _suppression(finding.suppression)
    if (
        location is finding.location
        and message == finding.message
        and subject == finding.subject
        and variant == finding.variant
        and related == finding.related
        and suppression == finding.suppression
    ):
        return finding
    return dataclasses.replace(
        finding,
        location=location,
        message=message,
        subject=subject,
        variant=variant,
        related=related,
        suppression=suppression,
    )


def _notification(note: Notification) -> Notification:
    return dataclasses.replace(
        note, message=clean(note.message), location=_location(note.location) if note.location else None
    )


def _provenance(provenance: Any) -> Any:
    if provenance is None:
        return None
    uri = provenance.repository_uri
    return dataclasses.replace(
        provenance,
        repository_uri=printable(strip_url_credentials(uri)) if uri else uri,
        revision_id=_optional(provenance.revision_id),
        branch=_optional(provenance.branch),
    )


def _fixed_entry(entry: Any) -> Any:
    if not isinstance(entry, BaselineEntry):
        return entry
    return dataclasses.replace(
        entry,
        path=clean(entry.path),
        subject=clean(entry.subject),
        message=clean(entry.message),
        rule_id=clean(entry.rule_id),
    )


def _waiver_outcome(outcome: Any) -> Any:
    """What one waiver did (medlint.waivers.WaiverOutcome): its texts and the findings it matched."""
    if not isinstance(outcome, WaiverOutcome):
        return outcome
    waiver = outcome.waiver
    return dataclasses.replace(
        outcome,
        waiver=dataclasses.replace(
            waiver,
            reason=clean(waiver.reason),
            owner=_optional(waiver.owner),
            risk=_optional(waiver.risk),
            until=_optional(waiver.until),
            problem=_optional(waiver.problem),
            origin=_location(waiver.origin),
        ),
        suppressed=tuple(_finding(finding) for finding in outcome.suppressed),
        expired_matches=tuple(_finding(finding) for finding in outcome.expired_matches),
    )


def sanitized(report: Any) -> Any:
    """A copy of the Report in which every text is redacted and printable (done once per Report)."""
    if report.sanitized:
        return report
    result = report.result
    decision = result.safety_class
    result = dataclasses.replace(
        result,
        findings=tuple(_finding(finding) for finding in result.findings),
        notifications=tuple(_notification(note) for note in result.notifications),
        safety_class=dataclasses.replace(decision, reason=clean(decision.reason)),
    )
    project = report.project
    files = tuple(
        item if printable(item.path) == item.path else dataclasses.replace(item, path=printable(item.path))
        for item in project.files
    )
    return dataclasses.replace(
        report,
        result=result,
        project=project if files == project.files else dataclasses.replace(project, files=files),
        scanned_paths=tuple(clean(path) for path in report.scanned_paths),
        unrecognised=tuple(clean(name) for name in report.unrecognised),
        command_line=tuple(clean(argument) for argument in report.command_line),
        root=clean(report.root),
        config_path=_optional(report.config_path),
        provenance=_provenance(report.provenance),
        fixed=tuple(_fixed_entry(entry) for entry in report.fixed),
        waivers=tuple(_waiver_outcome(outcome) for outcome in report.waivers),
        baselined_findings=tuple(_finding(finding) for finding in report.baselined_findings),
        baseline_path=_optional(report.baseline_path),
        file_digests={clean(path): digest for path, digest in report.file_digests.items()},
        sanitized=True,
    )
