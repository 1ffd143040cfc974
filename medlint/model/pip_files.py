"""The requirement and constraint files of a `pip install`, as pip reads them from the build context.

The loader stores the text of each file it could establish (`Dockerfile.context_files`, see
medlint/context_files.py); these functions follow `-r` and `-c` through nested files the way pip does, so
MD104 judges the pins of what is really installed and the SOUP inventory lists the same requirements.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from medlint.model.core import ComposeProject, Dockerfile
from medlint.model.package_managers import (
    MAX_REQUIREMENT_NESTING,
    RequirementEntry,
    parse_requirements,
    requirement_file_key,
    requirement_name,
    requirement_problem,
)


@dataclass
class PipFiles:
    """The requirement and constraint files of one `pip install`, followed through nested `-r`/`-c` lines.

    Files whose text the loader could not establish are `missing` as (key, included-by key or None).
    """

    entries: list[tuple[str, str | None, RequirementEntry]] = field(
        default_factory=list
    )  # (file, top file, entry)
    missing_requirements: list[tuple[str, str | None]] = field(default_factory=list)
    missing_constraints: list[tuple[str, str | None]] = field(default_factory=list)
    constraint_pins: set[str] = field(default_factory=set)
    require_hashes: bool = False


def pip_files(requirements: list[str], constraints: list[str], files: Mapping[str, str]) -> PipFiles:
    """Read the `-r` and `-c` files of a pip install from `Dockerfile.context_files`, as pip would."""
    result = PipFiles()
    seen: set[tuple[str, str]] = set()
    pending: list[tuple[str, str, str | None, int]] = []  # (kind, written or key, including key, depth)
    pending += [("requirement", written, None, 0) for written in requirements]
    pending += [("constraint", written, None, 0) for written in constraints]
    while pending:
        kind, written, including, depth = pending.pop(0)
        key = requirement_file_key(written, including)
        shown = written if including is None else (key or written)
        if (kind, key or written) in seen:
            continue
        seen.add((kind, key or written))
        text = files.get(key) if key is not None and depth <= MAX_REQUIREMENT_NESTING else None
        if key is None or text is None:
            (result.missing_requirements if kind == "requirement" else result.missing_constraints).append(
                (shown, including)
            )
            continue
        parsed = parse_requirements(text)
        if kind == "requirement":
            result.require_hashes = result.require_hashes or parsed.require_hashes
            result.entries.extend((key, including, entry) for entry in parsed.entries)
        else:
            result.constraint_pins.update(
                name
                for entry in parsed.entries
                if not entry.editable
                and (name := requirement_name(entry.spec))
                and requirement_problem(entry.spec) is None
            )
        pending += [("requirement", nested, key, depth + 1) for nested in parsed.requirement_files]
        pending += [("constraint", nested, key, depth + 1) for nested in parsed.constraint_files]
    return result


def build_context_files(
    dockerfile: Dockerfile, compose_projects: Iterable[ComposeProject]
) -> Mapping[str, str]:
    """The requirement files the loader read from the Dockerfile's directory; none when a Compose service builds
    the Dockerfile from another context, where `COPY requirements.txt .` means a different file."""
    directory = posixpath.normpath(posixpath.dirname(dockerfile.path) or ".")
    for compose in compose_projects:
        for service in compose.services:
            if (
                service.dockerfile_path == dockerfile.path
                and service.build_context is not None
                and posixpath.normpath(service.build_context or ".") != directory
            ):
                return {}
    return dockerfile.context_files
