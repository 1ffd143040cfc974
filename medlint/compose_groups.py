"""Which Compose files form one project, as `docker compose` would merge them.

`docker compose` without `-f` reads the first default file of a folder (compose.yaml, compose.yml,
docker-compose.yml, docker-compose.yaml) and merges the first override file beside it
(compose.override.yml, compose.override.yaml, docker-compose.override.yml, docker-compose.override.yaml); the
other files are used with `-f`: `docker compose -f compose.yaml -f compose.prod.yaml`. medlint groups files
the same way:
- the configuration's `compose.projects` first (lists of files merged in order);
- in each folder, the default file merged with its override;
- any other Compose file that is complete on its own (every service has an image or a build, every name it
  uses is defined) is a project of its own. One that is not is an overlay of the file its services extend in
  the same folder, or of the folder's default file, when it belongs to that base: it redefines one of the
  base's services, or the base defines a name it lacks. Without a base, a file named as an overlay
  (`compose.override.yaml`, `compose.<env>.yaml`, `docker-compose.<env>.yml`) stays alone, marked so that
  MD002 reports the missing base once instead of every name the base would define; any other incomplete
  file is a project of its own whose undefined names MD002 reports one by one.
Pure decisions over callbacks, so the loader supplies what is on disk and what a file says.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

DEFAULT_FILE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
DEFAULT_OVERRIDE_NAMES = (
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
)


@dataclass(frozen=True, slots=True)
class ComposeGroup:
    """Repository-relative files merged in order into one project; `base_missing` for an overlay alone."""

    files: tuple[str, ...]
    base_missing: bool = False


def _first(directory: str, names: Sequence[str], exists: Callable[[str], bool]) -> str | None:
    return next(
        (path for name in names if exists(path := posixpath.join(directory, name) if directory else name)),
        None,
    )


_OVERLAY_NAME = re.compile(r"(?:docker-)?compose\.[^./]+\.ya?ml|.+\.override\.ya?ml", re.IGNORECASE)


def is_overlay_name(path: str) -> bool:
    """Named as an overlay by Compose's conventions: `compose.prod.yaml`, `docker-compose.test.yml`, or an
    override file."""
    return _OVERLAY_NAME.fullmatch(posixpath.basename(path)) is not None


def group_compose_files(
    candidates: Iterable[str],
    configured: Iterable[Sequence[str]],
    exists: Callable[[str], bool],
    incomplete: Callable[[str], bool],
    extended: Callable[[str], list[str]],
    belongs_to: Callable[[str, str], bool],
) -> list[ComposeGroup]:
    """The projects the scanned Compose files (`candidates`) belong to.

    `exists(path)`: a regular file is there; `incomplete(path)`: linted alone the file uses names it does
    not define; `extended(path)`: the files its services extend; `belongs_to(overlay, base)`: the overlay
    redefines a service of the base, or the base defines a name the overlay lacks.
    """
    candidates = list(candidates)
    wanted = set(candidates)
    groups: list[ComposeGroup] = []
    claimed: set[str] = set()
    for files in configured:
        files = tuple(files)
        if files and wanted.intersection(files):
            groups.append(ComposeGroup(files))
            claimed.update(files)
    folders: dict[str, list[str]] = {}
    for path in candidates:
        if path not in claimed:
            folders.setdefault(posixpath.dirname(path), []).append(path)
    for directory, names in folders.items():
        base = _first(directory, DEFAULT_FILE_NAMES, exists)
        override = _first(directory, DEFAULT_OVERRIDE_NAMES, exists)
        if base in names or override in names:
            if base is not None:
                groups.append(ComposeGroup(tuple(path for path in (base, override) if path is not None)))
            elif override is not None:
                groups.append(ComposeGroup((override,), base_missing=incomplete(override)))
        for path in names:
            if path in (base, override):
                continue
            if posixpath.basename(path) in DEFAULT_FILE_NAMES or not incomplete(path):
                groups.append(ComposeGroup((path,)))
                continue
            extended_here = [
                other
                for other in extended(path)
                if other != path and posixpath.dirname(other) == directory and exists(other)
            ]
            chosen = extended_here[0] if extended_here else base
            if chosen is not None and chosen != path and belongs_to(path, chosen):
                groups.append(ComposeGroup((chosen, path)))
            else:
                groups.append(ComposeGroup((path,), base_missing=chosen is None and is_overlay_name(path)))
    return groups
