"""The end-of-support table (`rules/data/end-of-support.yaml`) read as data: which release cycle an image
reference or a chart dependency belongs to, and when its support ends.

MD114 reports what has passed its end of support; the SOUP inventory (`medlint sbom`) records the same date
and the level of support that follows from it, so both read the table through these functions. A row with
`verified: false` or without a date is inactive. Nothing here knows the date of the run.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from medlint.model.images import ImageRef

_LEADING_VERSION = re.compile(r"^v?(\d+(?:\.\d+)*)(?=$|[-_+])")
_TAG_DELIMITERS = "-_."


def tag_version(tag: str | None) -> tuple[int, ...] | None:
    """The release version a tag names: `16-alpine` -> (16,), `3.8.18-slim` -> (3, 8, 18); None for `latest`."""
    if not tag:
        return None
    match = _LEADING_VERSION.match(tag)
    if match is None:
        return None
    return tuple(int(part) for part in match.group(1).split("."))


def cycle_matches(cycle: str, version: tuple[int, ...] | None) -> bool:
    """Whether a version belongs to a release cycle, segment by segment (3.8 matches 3.8.18, not 3.80 or 3)."""
    if version is None:
        return False
    try:
        wanted = tuple(int(part) for part in cycle.split("."))
    except ValueError:
        return False
    return len(version) >= len(wanted) and version[: len(wanted)] == wanted


def tag_has_marker(tag: str | None, marker: str) -> bool:
    """Whether `marker` appears in the tag as a whole word (`bullseye` in `16-bullseye-slim`)."""
    if not tag or not marker:
        return False
    tag, marker = tag.lower(), marker.lower()
    start = tag.find(marker)
    while start >= 0:
        end = start + len(marker)
        before_ok = start == 0 or tag[start - 1] in _TAG_DELIMITERS
        after_ok = end == len(tag) or tag[end] in _TAG_DELIMITERS
        if before_ok and after_ok:
            return True
        start = tag.find(marker, start + 1)
    return False


def end_date(value: Any) -> datetime.date | None:
    """A table date: `YYYY-MM-DD`, or `YYYY-MM` read as the last day of that month; None when absent."""
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}", text):
        year, month = int(text[:4]), int(text[5:7])
        import calendar  # only for a month-precision end-of-support date

        return datetime.date(year, month, calendar.monthrange(year, month)[1])
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class SupportEntry:
    """One active row of the end-of-support table."""

    id: str
    product: str
    cycle: str
    end_of_support: datetime.date
    support_ending: str
    repositories: tuple[str, ...]
    codenames: tuple[str, ...]
    tag_markers: tuple[str, ...]
    any_tag: bool
    charts: tuple[tuple[str, str], ...]
    ingress_classes: tuple[str, ...]
    ingress_annotation_prefixes: tuple[str, ...]
    source: str = ""  # where the date comes from (URL and notes), for the SBOM's provenance property

    @property
    def label(self) -> str:
        return self.product if self.cycle == "all" else f"{self.product} {self.cycle}"


def strings(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def support_entries(table: Mapping[str, Any]) -> list[SupportEntry]:
    """The active rows: verified and dated."""
    entries = []
    for row in table.get("rows", []):
        date = end_date(row.get("end_of_support"))
        if row.get("verified") is False or date is None:
            continue
        match = row.get("match") or {}
        charts = tuple(
            (str(chart.get("name", "")), normal_url(str(chart.get("repository", ""))))
            for chart in match.get("charts", [])
            if isinstance(chart, Mapping)
        )
        entries.append(
            SupportEntry(
                id=str(row.get("id", "")),
                product=str(row.get("product", "")),
                cycle=str(row.get("cycle", "")),
                end_of_support=date,
                support_ending=str(row.get("support_ending", "end of support")),
                repositories=tuple(name.lower() for name in strings(match.get("repositories"))),
                codenames=strings(match.get("codenames")),
                tag_markers=strings(match.get("tag_markers")),
                any_tag=bool(match.get("any_tag")),
                charts=charts,
                ingress_classes=strings(match.get("ingress_classes")),
                ingress_annotation_prefixes=strings(match.get("ingress_annotation_prefixes")),
                source=str(row.get("source") or ""),
            )
        )
    return entries


def normal_url(url: str) -> str:
    return url.strip().rstrip("/").lower()


def normalised_repository(image: ImageRef, mirror_prefixes: Iterable[str] = ()) -> str:
    """The image name as the table writes it: Docker Hub short names, mirror prefixes removed."""
    name = image.name.lower()
    for prefix in mirror_prefixes:
        prefix = prefix.lower().rstrip("/") + "/"
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    return name[len("library/") :] if name.startswith("library/") else name


def matching_entries(
    image: ImageRef, entries: list[SupportEntry], mirror_prefixes: Iterable[str] = ()
) -> list[SupportEntry]:
    """Every table entry an image reference matches (`node:16-bullseye` matches Node.js 16 and Debian 11)."""
    repository = normalised_repository(image, mirror_prefixes)
    version = tag_version(image.tag)
    found = []
    for entry in entries:
        by_repository = repository in entry.repositories and (
            entry.any_tag
            or cycle_matches(entry.cycle, version)
            or any(tag_has_marker(image.tag, codename) for codename in entry.codenames)
        )
        by_marker = any(tag_has_marker(image.tag, marker) for marker in entry.tag_markers)
        if by_repository or by_marker:
            found.append(entry)
    return found


def chart_entries(name: str, repository: str | None, entries: list[SupportEntry]) -> list[SupportEntry]:
    """Every table entry a Helm chart dependency matches, by name and repository URL."""
    wanted = (name, normal_url(repository or ""))
    return [entry for entry in entries if wanted in entry.charts]
