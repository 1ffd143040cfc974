"""MD401, health checks that can run: the program a health check calls must exist in the image.

`HEALTHCHECK CMD curl -f http://localhost/health` on a `debian:bookworm-slim` image fails every time: the
image has no curl. Docker then marks the container unhealthy for ever, Compose never starts what depends on
it, and a Kubernetes liveness probe restarts a healthy pod in a loop. So the executable of every health
check medlint can see into must exist in the final image:

- a Dockerfile's `HEALTHCHECK`, against its final stage (and the stages it builds FROM);
- a Compose `healthcheck`, against the Dockerfile the service builds, or against its `image:` when the
  image is a known one (the `image-tools` table);
- a Kubernetes exec probe, against the Dockerfile that builds its image (a Compose service's `build:` with
  that `image:` name, or a Dockerfile whose `org.opencontainers.image.title` is the image's name), or a
  known image.

An executable exists when the base image ships it (the `image-tools` table: sourced, dated facts), when a
package manager of the final stage's chain installs a package that provides it, when COPY or ADD puts a
file of that name in (`--from` included), or when a RUN command names it (it is run, downloaded or linked
there). A shell form (`CMD-SHELL`, a `HEALTHCHECK CMD` string, `sh -c`) needs its shell (the `SHELL`
instruction's, else `/bin/sh`), and each command of the string is checked in turn; shell builtins need
nothing. Only what is known to be absent is reported: an unknown base image, an executable the table does
not mention, a folder copied onto the search path or an install script run in the final stage all leave
the answer unknown, and unknown is never a finding.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from medlint.findings import RelatedLocation, Violation
from medlint.model import (
    ContainerRole,
    Dockerfile,
    ImageRef,
    Instruction,
    Location,
    Probe,
    Project,
    Workload,
)
from medlint.model.package_managers import language_install, os_package_command, os_package_name
from medlint.model.shell import (
    command_name,
    reads_script_from_stdin,
    shell_c_script,
    split_shell,
    split_words,
)
from medlint.model.system import TITLE_LABEL

#: Directories of the default search path of Linux images (Docker's default PATH).
DEFAULT_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
#: Builtins of POSIX shells (dash, ash, bash): a command string may use them without any program.
SHELL_BUILTINS = frozenset(
    [
        ":",
        ".",
        "[",
        "alias",
        "bg",
        "break",
        "cd",
        "command",
        "continue",
        "echo",
        "eval",
        "exec",
        "exit",
        "export",
        "false",
        "fc",
        "fg",
        "getopts",
        "hash",
        "jobs",
        "kill",
        "local",
        "printf",
        "pwd",
        "read",
        "readonly",
        "return",
        "set",
        "shift",
        "source",
        "test",
        "times",
        "trap",
        "true",
        "type",
        "ulimit",
        "umask",
        "unalias",
        "unset",
        "wait",
    ]
)
#: Packages whose programs are not named after them, per package name (any manager).
PACKAGE_EXECUTABLES: Mapping[str, tuple[str, ...]] = {
    "busybox": ("sh", "wget", "nc"),
    "busybox-static": ("sh", "wget", "nc"),
    "busybox-extras": ("nc", "telnet"),
    "netcat": ("nc",),
    "netcat-openbsd": ("nc",),
    "netcat-traditional": ("nc",),
    "nmap-ncat": ("nc", "ncat"),
    "ncat": ("nc", "ncat"),
    "postgresql-client": ("psql", "pg_isready"),
    "postgresql": ("psql", "pg_isready"),
    "libpq": ("pg_isready",),
    "redis-tools": ("redis-cli",),
    "redis": ("redis-cli", "redis-server"),
    "redis-server": ("redis-cli", "redis-server"),
    "default-mysql-client": ("mysql", "mysqladmin"),
    "mysql-client": ("mysql", "mysqladmin"),
    "mariadb-client": ("mysql", "mysqladmin", "mariadb", "mariadb-admin"),
    "mongodb-mongosh": ("mongosh",),
    "procps": ("ps", "pgrep", "pkill", "pidof"),
    "procps-ng": ("ps", "pgrep", "pkill", "pidof"),
    "iputils-ping": ("ping",),
    "iputils": ("ping",),
    "python3": ("python3",),
    "python3-minimal": ("python3",),
    "python-is-python3": ("python",),
    "nodejs": ("node", "nodejs"),
    "openjdk": ("java",),
    "bash": ("bash", "sh"),
    "dash": ("dash", "sh"),
    "wget2": ("wget", "wget2"),
}
#: Programs whose run leaves an unknown set of programs behind (install scripts, builds, archives).
_OPAQUE_PROGRAMS = frozenset(
    {
        "make",
        "cmake",
        "ninja",
        "dpkg",
        "rpm",
        "tar",
        "unzip",
        "cpio",
        "7z",
        "bsdtar",
        "install",
        "conda",
        "mamba",
        "micromamba",
        "pipx",
        "uv",
        "brew",
        "nix-env",
        "snap",
        "flatpak",
        "opam",
        "sdk",
        "asdf",
    }
)
_PROBE_KINDS = {"liveness": "livenessProbe", "readiness": "readinessProbe", "startup": "startupProbe"}


def _mentions(word: str, name: str) -> bool:
    """A RUN word that names the program: `curl`, `/usr/bin/curl`, `curl=7.88`, `curl-8.4.0`, `curl@1`."""
    return re.search(rf"(?:^|/){re.escape(name)}(?:$|[=:@]|-\d)", word) is not None


# --------------------------------------------------------------------------------------------------
# The table


def table_row(image: ImageRef, rows: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The first row of the image-tools table that matches the image, or None (unknown image)."""
    if image.unresolved or image.is_stage:
        return None
    name = image.canonical_name
    for row in rows:
        if row.get("verified") is False:
            continue
        if not any(fnmatch.fnmatchcase(name, str(pattern)) for pattern in row.get("images", ())):
            continue
        tags = [str(tag) for tag in row.get("tags", ("*",))]
        if image.tag is None:
            if "*" in tags:
                return row
            continue
        if any(fnmatch.fnmatchcase(image.tag, tag) for tag in tags):
            return row
    return None


# --------------------------------------------------------------------------------------------------
# What a final image contains


@dataclass
class ImageContents:
    """What medlint can tell about the programs of one image: the base's table row and the final stage's
    chain (packages installed and removed, files copied in, programs named by RUN commands)."""

    base: ImageRef | None
    row: Mapping[str, Any] | None
    base_location: Location | None = None
    origin: str = ""  # for messages: "the final stage of app/Dockerfile", "image redis:7"
    installed: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    copied: set[str] = field(default_factory=set)
    copied_patterns: list[str] = field(default_factory=list)  # wildcard sources copied onto the search path
    mentioned_words: list[str] = field(default_factory=list)
    opaque: str | None = None  # why any program may be there (an install script, a folder on PATH)
    path_dirs: set[str] = field(default_factory=lambda: set(DEFAULT_PATH))
    shell: tuple[str, ...] = ("/bin/sh", "-c")

    def absent(self, program: str) -> str | None:
        """Why `program` is known not to be in the image; None when it is there or unknown."""
        name = program
        if "/" in program:
            folder, name = posixpath.split(posixpath.normpath(program))
            if folder not in DEFAULT_PATH:
                return None  # a program of the application's own folder: unknown
        if not name or "$" in name or "{" in name:
            return None
        if name in self.copied or any(_mentions(word, name) for word in self.mentioned_words):
            return None
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in self.copied_patterns):
            return None
        if name in self.installed and name not in self.removed:
            return None
        if self.opaque is not None and name not in self.removed:
            return None
        if name in self.removed:
            return f"the final stage removes the package that provides {name}"
        if self.row is None:
            return None
        has = {str(item) for item in self.row.get("has", ())}
        lacks = {str(item) for item in self.row.get("lacks", ())}
        if name in has:
            return None
        if name in lacks or self.row.get("only"):
            shown = "the image" if self.base_location is None or self.base is None else self.base.written
            tail = (
                ""
                if self.base_location is None
                else " and no instruction of the final stage installs or copies it"
            )
            return f'{shown} ships none (image-tools row "{self.row.get("id")}"){tail}'
        return None


def _copy_arguments(instruction: Instruction) -> list[str]:
    if instruction.json_arguments is not None:
        return list(instruction.json_arguments)
    try:
        return split_words(instruction.resolved or instruction.arguments)
    except ValueError:
        return (instruction.resolved or instruction.arguments).split()


def _on_path(destination: str, path_dirs: Iterable[str]) -> bool:
    """A destination folder that is, or holds, a folder of the search path."""
    folder = posixpath.normpath(destination) if destination.startswith("/") else ""
    if not folder:
        return True  # relative to WORKDIR: where that is, is not followed here
    return any(entry == folder or entry.startswith(folder.rstrip("/") + "/") for entry in path_dirs)


def _copy(contents: ImageContents, instruction: Instruction, path_dirs: set[str]) -> None:
    words = _copy_arguments(instruction)
    if len(words) < 2:
        return
    *sources, destination = words
    if not destination.endswith("/") and len(sources) == 1:
        contents.copied.add(posixpath.basename(destination))
    for source in sources:
        trimmed = source.rstrip("/")
        base = posixpath.basename(trimmed.split("?", 1)[0]) if trimmed else ""
        if base:
            contents.copied.add(base)
        if any(char in base for char in "*?["):
            if _on_path(destination, path_dirs):
                contents.copied_patterns.append(base)
            continue
        whole_folder = (
            source.endswith("/")
            or trimmed in ("", ".", "/")
            or base in ("bin", "sbin", ".")
            or trimmed.endswith("/.")
            or (
                instruction.keyword == "ADD"
                and re.search(r"\.(tar|tgz|tbz2?|txz|tar\.\w+)$", base) is not None
            )
        )
        if whole_folder and _on_path(destination, path_dirs):
            line = instruction.location.line
            contents.opaque = contents.opaque or f"{instruction.keyword} at line {line} brings in a folder"


def _run(contents: ImageContents, instruction: Instruction) -> None:
    for command in instruction.commands:
        words = list(command.words)
        if not words:
            continue
        contents.mentioned_words.extend(words)
        packages = os_package_command(words)
        if packages is not None:
            if packages.from_stdin:
                contents.opaque = (
                    contents.opaque or f"RUN at line {command.line} installs packages from a list"
                )
            for spec in packages.packages:
                if spec.startswith("$") or spec.endswith((".deb", ".rpm", ".apk")):
                    contents.opaque = contents.opaque or f"RUN at line {command.line} installs a package file"
                    continue
                name = os_package_name(packages.manager, spec)
                provided = PACKAGE_EXECUTABLES.get(name, (name,))
                target = contents.installed if packages.action == "install" else contents.removed
                target.update(provided)
                if packages.action == "install":
                    contents.removed.difference_update(provided)
            continue
        if language_install(words) is not None:
            continue  # console scripts are named after their packages: the words already mention them
        program, index = command_name(words)
        written = words[index] if index < len(words) else ""
        script = written.startswith("./") or written.endswith(".sh")
        if program in _OPAQUE_PROGRAMS or script or reads_script_from_stdin(words):
            contents.opaque = contents.opaque or f"RUN at line {command.line} runs {written or program}"
        elif program in ("sh", "bash", "ash", "dash", "zsh", "ksh") and shell_c_script(words) is None:
            contents.opaque = contents.opaque or f"RUN at line {command.line} runs a script"


def dockerfile_contents(dockerfile: Dockerfile, rows: Sequence[Mapping[str, Any]]) -> ImageContents:
    """What the final image of a Dockerfile contains, as far as the table and its chain tell."""
    chain = list(reversed(dockerfile.final_chain()))  # root stage first
    base = chain[0].base
    contents = ImageContents(
        None if base.is_stage else base,
        table_row(base, rows) if not base.is_stage else None,
        chain[0].from_instruction.location,
        "the final image",
    )
    if base.is_scratch:
        contents.row = {"id": "scratch", "only": True, "has": []}
    path_dirs = set(DEFAULT_PATH)
    for stage in chain:
        for instruction in stage.instructions:
            if instruction.keyword == "ENV":
                for key, located in instruction.pairs:
                    if key == "PATH" and located.value:
                        path_dirs.update(part for part in located.value.split(":") if part.startswith("/"))
            elif instruction.keyword == "SHELL" and instruction.json_arguments:
                contents.shell = tuple(instruction.json_arguments)
    contents.path_dirs = path_dirs
    for stage in chain:
        for instruction in stage.instructions:
            if instruction.keyword in ("COPY", "ADD"):
                _copy(contents, instruction, path_dirs)
            elif instruction.keyword == "RUN":
                _run(contents, instruction)
    return contents


def image_contents(image: ImageRef, rows: Sequence[Mapping[str, Any]]) -> ImageContents | None:
    """What a known image (not built here) contains; None when the table does not know it."""
    row = table_row(image, rows)
    if row is None:
        return None
    return ImageContents(image, row, None, f"image {image.written}")


def _origin_for(contents: ImageContents, dockerfile: Dockerfile) -> ImageContents:
    """The same contents, named as the image a Compose service or a pod runs (built by `dockerfile`)."""
    return ImageContents(**{**contents.__dict__, "origin": f"its image (built by {dockerfile.path})"})


# --------------------------------------------------------------------------------------------------
# The programs a health check runs


@dataclass(frozen=True, slots=True)
class Needed:
    program: str
    why: str  # "runs", "needs the shell"


def _shell_programs(script: str) -> Iterator[Needed]:
    for command in split_shell(script):
        if not command.words:
            continue
        program, index = command_name(command.words)
        if index >= len(command.words):
            continue
        written = command.words[index]
        if not program or program in SHELL_BUILTINS or "$" in written or "`" in written or "=" in written:
            continue
        yield Needed(written, "runs")


def _argv_programs(argv: Sequence[str]) -> Iterator[Needed]:
    if not argv or not argv[0] or "$" in argv[0]:
        return
    yield Needed(argv[0], "runs")
    script = shell_c_script(list(argv))
    if script is not None:
        yield from _shell_programs(script)


def needed_programs(probe: Probe, shell: Sequence[str]) -> list[Needed]:
    """The programs a Docker/Compose health check or a Kubernetes exec probe runs, the shell first."""
    command = list(probe.command)
    if not command or probe.disabled:
        return []
    if probe.kind != "healthcheck":
        return list(_argv_programs(command))
    head, rest = command[0], command[1:]
    if head == "CMD":
        return list(_argv_programs(rest))
    if head == "CMD-SHELL" and rest:
        needed = [Needed(shell[0], "needs the shell")] if shell else []
        return needed + list(_shell_programs(" ".join(rest)))
    return []


# --------------------------------------------------------------------------------------------------
# The check


def _finding_text(needed: Needed, reason: str, contents: ImageContents) -> str:
    name = posixpath.basename(needed.program)
    what = f"needs the shell {needed.program}" if needed.why != "runs" else f'runs "{needed.program}"'
    return f"{what}, but {contents.origin} has no {name}: {reason}"


def _violations(
    workload: Workload,
    probe: Probe,
    contents: ImageContents,
    who: str,
    subject: str,
) -> Iterator[Violation]:
    related = (
        (RelatedLocation(contents.base_location, f"the image is built FROM {contents.base.written}"),)
        if contents.base_location is not None and contents.base is not None
        else ()
    )
    reported: set[str] = set()
    for needed in needed_programs(probe, contents.shell):
        reason = contents.absent(needed.program)
        if reason is None or needed.program in reported:
            continue
        reported.add(needed.program)
        yield Violation(
            probe.location,
            f"{who} {_finding_text(needed, reason, contents)}, so the check can never pass",
            f"{subject}/runs:{posixpath.basename(needed.program)}",
            workload.artifact,
            related=related,
        )


def _dockerfiles_by_image(project: Project) -> dict[str, Dockerfile]:
    """Dockerfiles by the canonical name of the image they build: a Compose service's `build:` with its
    `image:`, or a final stage titled like the image's last path segment (only when one Dockerfile is)."""
    found: dict[str, Dockerfile] = {}
    for compose in project.compose_projects:
        for service in compose.services:
            dockerfile = project.dockerfile(service.dockerfile_path)
            image = service.workload.containers[0].image if service.workload.containers else None
            if dockerfile is not None and service.has_build and image is not None and not image.unresolved:
                found.setdefault(image.canonical_name, dockerfile)
    return found


def _titled(project: Project) -> dict[str, list[Dockerfile]]:
    titled: dict[str, list[Dockerfile]] = {}
    for workload in project.index.image_workloads:
        title = workload.labels.get(TITLE_LABEL)
        dockerfile = project.dockerfile(workload.path)
        if title is not None and title.value and "$" not in title.value and dockerfile is not None:
            titled.setdefault(title.value.strip().lower(), []).append(dockerfile)
    return titled


def runnable_health_checks(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD401 (health checks that can run): see the module docstring."""
    rows = list((params.get("tables") or {}).get("image-tools", {}).get("rows", ()))
    built: dict[str, ImageContents] = {}

    def of_dockerfile(dockerfile: Dockerfile) -> ImageContents:
        if dockerfile.path not in built:
            built[dockerfile.path] = dockerfile_contents(dockerfile, rows)
        return built[dockerfile.path]

    for workload in project.index.image_workloads:
        dockerfile = project.dockerfile(workload.path)
        probe = workload.containers[0].probe("healthcheck") if workload.containers else None
        if dockerfile is None or probe is None:
            continue
        yield from _violations(workload, probe, of_dockerfile(dockerfile), "HEALTHCHECK", workload.subject)
    for workload in project.index.compose_workloads:
        probe = workload.containers[0].probe("healthcheck") if workload.containers else None
        if probe is None or probe.disabled:
            continue
        service = project.index.compose_service(workload)
        contents: ImageContents | None = None
        if service is not None and service.has_build:
            dockerfile = project.dockerfile(service.dockerfile_path)
            contents = _origin_for(of_dockerfile(dockerfile), dockerfile) if dockerfile is not None else None
        elif workload.containers[0].image is not None:
            contents = image_contents(workload.containers[0].image, rows)
        if contents is not None:
            yield from _violations(
                workload, probe, contents, f'the healthcheck of service "{workload.name}"', workload.subject
            )
    by_image = _dockerfiles_by_image(project)
    titled = _titled(project)
    for workload in project.index.kubernetes_workloads:
        for container in workload.containers:
            if (
                container.role not in (ContainerRole.CONTAINER, ContainerRole.SIDECAR)
                or container.image is None
            ):
                continue
            probes = [probe for probe in container.probes if probe.command]
            if not probes:
                continue
            image = container.image
            dockerfile = by_image.get(image.canonical_name)
            if dockerfile is None and not image.unresolved:
                candidates = titled.get(image.repository.rsplit("/", 1)[-1].lower(), [])
                dockerfile = candidates[0] if len(candidates) == 1 else None
            contents = (
                _origin_for(of_dockerfile(dockerfile), dockerfile)
                if dockerfile is not None
                else image_contents(image, rows)
            )
            if contents is None:
                continue
            for probe in probes:
                yield from _violations(
                    workload,
                    probe,
                    contents,
                    f'the {_PROBE_KINDS.get(probe.kind, probe.kind)} of container "{container.name}" of '
                    f"{workload.subject}",
                    f"{workload.subject}/container:{container.name}/{probe.kind}",
                )
