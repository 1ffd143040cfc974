"""`medlint sbom`: the SOUP inventory of each system written as an SBOM (declared in `medlint.cli`).

The command reads the artifacts exactly as `check` does (same options, configuration, systems and classes;
no rule runs), builds each system's inventory (medlint.sbom.inventory), merges it with the SBOM kept in the
repository when asked (medlint.sbom.merge) and writes it with the format's library (medlint.sbom.cyclonedx,
medlint.sbom.spdx). Problems the user can fix are `ValueError`s, which the command turns into exit code 2.
"""

from __future__ import annotations

import datetime
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from medlint.report import Report
    from medlint.sbom.inventory import Inventory
    from medlint.systems import SystemRun

__all__ = ["SbomRequest", "sbom_timestamp", "write_sboms"]

_KIND_WORDS = {
    "built-image": "built image",
    "image": "image",
    "chart": "chart",
    "os-package": "OS package",
    "language-package": "language package",
}


@dataclass(frozen=True, slots=True)
class SbomRequest:
    output_path: str | None = None
    output_format: str | None = None
    merge_path: str | None = None
    serial: str | None = None
    system_name: str | None = None
    today: datetime.date | None = None
    max_sbom_bytes: int | None = None


def format_for(path: str | None) -> str:
    """The SBOM format a file name asks for: .xml CycloneDX XML, .spdx.json / .spdx SPDX, else CycloneDX JSON."""
    lower = (path or "").lower()
    if lower.endswith(".xml"):
        return "cyclonedx-xml"
    if lower.endswith((".spdx.json", ".spdx")):
        return "spdx-json"
    return "cyclonedx-json"


def sbom_timestamp(today: datetime.date | None, evaluation_date: str) -> datetime.datetime:
    """--today at midnight UTC, else SOURCE_DATE_EPOCH (reproducible builds), else the run's date at midnight."""
    if today is not None:
        return datetime.datetime.combine(today, datetime.time(), datetime.timezone.utc)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise ValueError(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970-01-01 UTC"
            ) from None
    date = datetime.date.fromisoformat(evaluation_date)
    return datetime.datetime.combine(date, datetime.time(), datetime.timezone.utc)


def _serial(text: str | None) -> uuid.UUID | None:
    if text is None:
        return None
    try:
        return uuid.UUID(text.strip().removeprefix("urn:uuid:"))
    except ValueError:
        raise ValueError(f"--serial {text!r} is not a UUID (urn:uuid:<8-4-4-4-12 hex digits>)") from None


def _chosen(runs: Sequence[SystemRun], request: SbomRequest) -> list[SystemRun]:
    names = ", ".join(run.system.name for run in runs)
    if request.system_name is not None:
        chosen = [run for run in runs if run.system.name == request.system_name]
        if not chosen:
            raise ValueError(
                f"--system {request.system_name!r} names no system of this run (systems: {names})"
            )
        return chosen
    if len(runs) > 1 and (request.output_path is None or "{system}" not in request.output_path):
        raise ValueError(
            f"this run has {len(runs)} systems ({names}); choose one with --system NAME, or write each to its "
            "own file with -o FILE holding {system}"
        )
    return list(runs)


def _counts(inventory: Inventory) -> str:
    counts: dict[str, int] = {}
    for component in inventory.components:
        counts[str(component.kind)] = counts.get(str(component.kind), 0) + 1
    parts = [
        f"{count} {_KIND_WORDS.get(kind, kind)}{'s' if count != 1 else ''}" for kind, count in counts.items()
    ]
    return f"{len(inventory.components)} components ({', '.join(parts)})" if parts else "0 components"


def render_sbom(
    inventory: Inventory, output_format: str, timestamp: datetime.datetime, serial: uuid.UUID | None
) -> str:
    """The inventory in one of the SBOM formats."""
    from medlint import __version__

    if output_format == "spdx-json":
        from medlint.sbom.spdx import write_spdx

        return write_spdx(inventory, timestamp=timestamp, tool_version=__version__, serial=serial)
    from medlint.sbom.cyclonedx import write_cyclonedx

    return write_cyclonedx(
        inventory,
        xml=output_format == "cyclonedx-xml",
        timestamp=timestamp,
        tool_version=__version__,
        serial=serial,
    )


def write_sboms(report: Report, request: SbomRequest) -> None:
    """Build, merge and write the SBOM of each chosen system (standard output, or the -o file)."""
    from medlint.limits import DEFAULT_LIMITS
    from medlint.sbom import SbomError
    from medlint.sbom.inventory import build_inventory
    from medlint.sbom.merge import merge_inventory
    from medlint.sbom.read import read_sbom
    from medlint.systems import project_for

    runs = _chosen(report.systems, request)
    output_format = request.output_format or format_for(request.output_path)
    timestamp = sbom_timestamp(request.today, report.evaluation_date)
    serial = _serial(request.serial)
    today = datetime.date.fromisoformat(report.evaluation_date)
    table = report.pack.table("end-of-support")
    old = None
    if request.merge_path is not None:
        try:
            old = read_sbom(
                Path(request.merge_path),
                request.merge_path,
                request.max_sbom_bytes or DEFAULT_LIMITS.max_sbom_bytes,
            )
        except SbomError as error:
            raise ValueError(f"--merge: {error}") from None
    for run in runs:
        project = project_for(report.project, run.system)
        inventory = build_inventory(project, safety_class=run.decision.value, table=table, today=today)
        notes: list[str] = []
        if old is not None and request.merge_path is not None:
            inventory, summary = merge_inventory(inventory, [old])
            notes = summary.lines(request.merge_path)
        text = render_sbom(inventory, output_format, timestamp, serial)
        what = f"SBOM of {run.system.label} (class {inventory.safety_class}): {_counts(inventory)}"
        if request.output_path is None:
            click.echo(text, nl=False)
            for line in [*notes, what]:
                click.echo(line, err=True)
            continue
        target = Path(request.output_path.replace("{system}", run.system.name))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        except OSError as error:
            raise ValueError(f"cannot write {target}: {error.strerror or error}") from None
        for line in [*notes, f"{what}, written to {target} ({output_format})."]:
            click.echo(line, err=True)
