"""What checks produce (`Violation`) and what the engine reports (`Finding`).

A check does not know its rule id or level: one check function can serve several rules, and the level
depends on the safety class and the configuration. The engine turns each Violation into a Finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from medlint.model import ArtifactKind, Level
from medlint.source import Location


@dataclass(frozen=True, slots=True)
class RelatedLocation:
    """A second place that explains a finding (a values key, the Dockerfile behind a Compose service)."""

    location: Location
    message: str


@dataclass(frozen=True, slots=True)
class Violation:
    """One violated condition, as a check reports it.

    `subject` identifies the offending object independent of line numbers ("Deployment/prod/app/container:web"),
    `variant` names a sub-condition whose level the rule file may set apart (for example "explicit-root").
    Messages never quote a secret value.
    """

    location: Location
    message: str
    subject: str
    artifact: ArtifactKind
    variant: str | None = None
    related: tuple[RelatedLocation, ...] = ()


@dataclass(frozen=True, slots=True)
class Suppression:
    """Why a finding is waived. Waived findings stay in every report, marked suppressed (principle 7).

    kind: "inSource" (a comment or annotation in the artifact) or "external" (the configuration file).
    status: "accepted" while valid; an expired waiver no longer suppresses and is not attached.
    """

    kind: str
    justification: str
    location: Location | None = None
    until: str | None = None
    owner: str | None = None
    risk: str | None = None
    status: str = "accepted"


@dataclass(frozen=True, slots=True)
class Finding:
    """A violation attributed to a rule, with the level that applies to the effective safety class."""

    rule_id: str
    level: Level
    location: Location
    message: str
    subject: str
    artifact: ArtifactKind | None
    variant: str | None = None
    related: tuple[RelatedLocation, ...] = ()
    suppression: Suppression | None = None
    #: ("medlintLogical/v1", hash) and ("primaryLocationLineHash", "hex:n"); set after the checks ran.
    fingerprints: tuple[tuple[str, str], ...] = ()
    #: "new" or "unchanged" when a baseline was given, else None.
    baseline_state: str | None = None

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None

    def fingerprint(self, name: str) -> str | None:
        return next((value for key, value in self.fingerprints if key == name), None)

    def sort_key(self) -> tuple[Any, ...]:
        """A total order: position, rule and message first (how reports read), then every other field, so
        two findings that differ in anything a report shows never tie (the values set of a Helm render is
        in the subject). Sorting with it never depends on the hash seed or on the order checks ran in."""
        location = self.location
        return (
            location.path,
            location.line,
            location.column,
            self.rule_id,
            self.message,
            location.end_line,
            location.end_column,
            self.subject,
            self.variant or "",
            self.level.value,
            self.artifact.value if self.artifact else "",
            tuple((_location_key(item.location), item.message) for item in self.related),
            _suppression_key(self.suppression),
            self.fingerprints,
            self.baseline_state or "",
        )


def _location_key(location: Location | None) -> tuple[str, int, int, int, int]:
    if location is None:
        return ("", 0, 0, 0, 0)
    return (location.path, location.line, location.column, location.end_line, location.end_column)


def _suppression_key(suppression: Suppression | None) -> tuple[Any, ...]:
    if suppression is None:
        return ()
    return (
        suppression.kind,
        suppression.justification,
        _location_key(suppression.location),
        suppression.until or "",
        suppression.owner or "",
        suppression.risk or "",
        suppression.status,
    )


@dataclass(frozen=True, slots=True)
class Notification:
    """A tool-level event (internal error in a check, unrecognised file) that is not a rule finding."""

    level: Level
    message: str
    location: Location | None = None
    rule_id: str | None = None
