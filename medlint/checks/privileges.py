"""Privilege: MD201 run-as-non-root, MD202 no-privilege-escalation, MD203 no-privileged,
MD204 capabilities-dropped, MD205 read-only-root-filesystem.

The helpers in the second half (workload iteration, pod spec access, Compose options and mounts, the Pod
Security Standards table) are shared with `isolation.py` and `admission.py`, so every MD2xx check reads raw
manifests and Compose trees the same way.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from medlint.findings import RelatedLocation, Violation
from medlint.model import ArtifactKind, ComposeProject, Container, Project, Workload
from medlint.model.compose_positions import compose_key_location, compose_value_location
from medlint.model.interpolation import interpolation_of
from medlint.model.kubernetes import POD_SPEC_PATHS, get_path
from medlint.source import Location, YamlMap, key_location, value_location

ROOT_NAMES = ("root", "0")


def is_root_user(user: str) -> bool:
    """`root`, `0`, `0:<gid>` and `root:<group>` all run as UID 0 (catalog decision: any 0:<gid> is root)."""
    name = user.strip().split(":", 1)[0]
    return name in ROOT_NAMES


def _image_known_non_root(image: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(image, pattern) for pattern in patterns)


def dockerfile_runs_as_root(workload: Workload, nonroot_images: list[str]) -> tuple[bool, str, Any]:
    """(root?, reason, location) for a Dockerfile's final image; shared by the Compose condition."""
    container = workload.containers[0]
    user = container.security.run_as_user
    if user is None:
        base = container.image.written if container.image else ""
        if container.image is not None and _image_known_non_root(base, nonroot_images):
            return False, "", None
        return True, "has no USER instruction, so it runs as root", container.security.anchor
    if is_root_user(str(user.value)):
        return True, f"switches to USER {user.value}", user.location
    return False, "", None


def _dockerfile_condition(workload: Workload, nonroot: list[str]) -> Iterator[Violation]:
    container = workload.containers[0]
    user = container.security.run_as_user
    if user is not None and "$" in str(user.value):
        yield Violation(
            user.location,
            f"the final stage of {workload.path} sets USER {user.value}, which cannot be resolved",
            workload.subject,
            workload.artifact,
            variant="unresolved",
        )
        return
    root, reason, location = dockerfile_runs_as_root(workload, nonroot)
    if root:
        yield Violation(
            location, f"the final stage of {workload.path} {reason}", workload.subject, workload.artifact
        )


def _compose_condition(project: Project, workload: Workload, nonroot: list[str]) -> Iterator[Violation]:
    container = workload.containers[0]
    service = next((s for c in project.compose_projects for s in c.services if s.workload is workload), None)
    user = container.security.run_as_user
    if user is not None:
        text = str(user.value)
        if "${" in text or "$" in text:
            yield Violation(
                user.location,
                f'service "{workload.name}" sets user: {text}, which cannot be resolved',
                workload.subject,
                workload.artifact,
                variant="unresolved",
            )
        elif is_root_user(text):
            yield Violation(
                user.location,
                f'service "{workload.name}" runs as root (user: {text})',
                workload.subject,
                workload.artifact,
                variant="explicit-root",
            )
        return
    dockerfile_workload = None
    if service is not None and service.dockerfile_path is not None:
        dockerfile_workload = next(
            (
                w
                for w in project.workloads
                if w.artifact is ArtifactKind.DOCKERFILE and w.path == service.dockerfile_path
            ),
            None,
        )
    if dockerfile_workload is not None:
        root, reason, location = dockerfile_runs_as_root(dockerfile_workload, nonroot)
        if root:
            yield Violation(
                workload.location,
                f'service "{workload.name}" sets no user: and its Dockerfile {dockerfile_workload.path} {reason}',
                workload.subject,
                workload.artifact,
                variant="root-dockerfile",
                related=(RelatedLocation(location, "the Dockerfile's final stage runs as root"),),
            )
        return
    image = container.image.written if container.image else "its image"
    if container.image is not None and _image_known_non_root(container.image.written, nonroot):
        return
    yield Violation(
        workload.location,
        f'service "{workload.name}" sets no user:, so it runs as the default user of {image}, which is root unless the image says otherwise',
        workload.subject,
        workload.artifact,
        variant="external-image",
    )


def _kubernetes_container(workload: Workload, container: Container) -> Iterator[Violation]:
    security = container.security
    who = f'container "{container.name}" of {workload.subject}'
    subject = f"{workload.subject}/container:{container.name}"
    user = security.run_as_user
    if user is not None and user.value == 0:
        yield Violation(
            user.location,
            f"{who} runs as UID 0 (runAsUser: 0 at {user.origin} level)",
            subject,
            workload.artifact,
            variant="explicit-root",
        )
    non_root = security.run_as_non_root
    if non_root is None or non_root.value is not True:
        if non_root is not None:
            reason = f"runAsNonRoot is {non_root.value} at {non_root.origin} level"
            location = non_root.location
        elif not security.declared:
            reason = "no securityContext at pod or container level"
            location = container.location
        else:
            reason = "runAsNonRoot: true is set neither at pod level nor on the container"
            location = security.anchor
        yield Violation(location, f"{who} may run as root: {reason}", subject, workload.artifact)
    for setting, what in ((security.run_as_group, "runAsGroup"), (security.fs_group, "fsGroup")):
        if setting is not None and setting.value == 0:
            yield Violation(
                setting.location,
                f"{who} uses the root group ({what}: 0)",
                subject,
                workload.artifact,
                variant="root-group",
            )
    groups = security.supplemental_groups
    if groups is not None and 0 in groups.value:
        yield Violation(
            groups.location,
            f"{who} adds the root group (supplementalGroups contains 0)",
            subject,
            workload.artifact,
            variant="root-group",
        )


def run_as_non_root(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD201: the final image, each Compose service and each Kubernetes container must not run as root."""
    table = params.get("tables", {}).get("nonroot-images", {})
    nonroot = [str(row["pattern"]) for row in table.get("rows", ())] + list(params.get("nonroot_images", []))
    for workload in project.workloads:
        if workload.artifact is ArtifactKind.DOCKERFILE:
            yield from _dockerfile_condition(workload, nonroot)
        elif workload.artifact is ArtifactKind.COMPOSE:
            yield from _compose_condition(project, workload, nonroot)
        else:
            # A group-0 finding is reported once per pod-level setting, not once per container.
            seen_pod_group: set[tuple[int, int]] = set()
            for container in workload.containers:
                for violation in _kubernetes_container(workload, container):
                    key = (violation.location.line, violation.location.column)
                    if violation.variant == "root-group" or (
                        violation.variant == "explicit-root"
                        and container.security.run_as_user
                        and container.security.run_as_user.origin == "pod"
                    ):
                        if key in seen_pod_group:
                            continue
                        seen_pod_group.add(key)
                    yield violation


# --------------------------------------------------------------------------------------------------
# Shared helpers for MD202-MD215: who runs where, and how to read raw manifests and Compose trees

KUBERNETES_ARTIFACTS = (ArtifactKind.KUBERNETES, ArtifactKind.HELM)
ROLE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "container": "container",
        "init": "init container",
        "sidecar": "sidecar container",
        "ephemeral": "ephemeral container",
    }
)
TRUE_WORDS = ("1", "t", "true")  # Docker parses security options with Go's strconv.ParseBool
EMPTY: Mapping[str, Any] = MappingProxyType({})


def kubernetes_workloads(project: Project) -> Iterator[Workload]:
    """Kubernetes workloads, raw or rendered from a Helm chart (artifact HELM)."""
    return (workload for workload in project.workloads if workload.artifact in KUBERNETES_ARTIFACTS)


def compose_workloads(project: Project) -> Iterator[Workload]:
    return (workload for workload in project.workloads if workload.artifact is ArtifactKind.COMPOSE)


def describe_container(workload: Workload, container: Container) -> str:
    """`container "app" of Deployment/prod/api`; init, sidecar and ephemeral containers say so."""
    return f'{ROLE_NAMES.get(container.role, "container")} "{container.name}" of {workload.subject}'


def container_subject(workload: Workload, container: Container) -> str:
    return f"{workload.subject}/container:{container.name}"


def describe_service(workload: Workload) -> str:
    return f'service "{workload.name}" in {workload.path}'


def mapping(node: Any, key: str) -> YamlMap | None:
    """`node[key]` when it is a mapping, else None (absent keys and wrong types alike)."""
    value = node.get(key) if isinstance(node, dict) else None
    return value if isinstance(value, YamlMap) else None


def fields_of(node: Any, key: str) -> Mapping[str, Any]:
    """`node[key]` when it is a mapping, else an empty mapping: for reading optional nested fields."""
    return mapping(node, key) or EMPTY


def as_items(value: Any) -> list[Any]:
    """A YAML list as a list; a scalar as a one-item list; None as an empty list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def pod_spec(workload: Workload) -> YamlMap | None:
    """The raw pod spec of a Kubernetes workload (template spec, CronJob job template spec, Pod spec)."""
    path = POD_SPEC_PATHS.get(workload.kind)
    node = get_path(workload.raw, path) if path else None
    return node if isinstance(node, YamlMap) else None


def pod_spec_location(workload: Workload) -> Location:
    """The `spec:` key that holds the pod spec: where a missing pod-level field belongs."""
    path = POD_SPEC_PATHS.get(workload.kind)
    if not path:
        return workload.location
    parent = get_path(workload.raw, path[:-1]) if len(path) > 1 else workload.raw
    return key_location(workload.path, parent, path[-1])


def pod_metadata(workload: Workload) -> YamlMap | None:
    """The metadata that pod-level annotations live in: the template's, or the Pod's own."""
    path = POD_SPEC_PATHS.get(workload.kind)
    if not path:
        return None
    owner = get_path(workload.raw, path[:-1]) if len(path) > 1 else workload.raw
    return mapping(owner, "metadata")


def is_windows_pod(workload: Workload) -> bool:
    """`spec.os.name: windows`: the API forbids the Linux-only securityContext fields on such pods."""
    spec = pod_spec(workload)
    return str(fields_of(spec, "os").get("name", "")).lower() == "windows"


def container_security_context(container: Container) -> YamlMap | None:
    return mapping(container.raw, "securityContext")


def yaml_text(value: Any) -> str:
    """A value as YAML writes it, for messages: booleans lower-case, None as null."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def is_unresolved(value: Any) -> bool:
    """A Compose value with a variable that `.env` does not define and no default (catalog 3.3: W)."""
    record = interpolation_of(value)
    return record is not None and not record.resolved


_REFERENCE = re.compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")


def may_resolve_to(value: Any, candidate: str) -> bool:
    """Whether a Compose value with unresolved variables could become `candidate` once they are set.

    `container:${NAME}` can never be `host`; `${MODE}` or `ho${X}` can.
    """
    literals = _REFERENCE.split(str(value))  # resolved parts are substituted, unresolved ones kept as written
    pattern = ".*".join(re.escape(literal) for literal in literals)
    return re.fullmatch(pattern, candidate, flags=re.IGNORECASE | re.DOTALL) is not None


def normalise_capability(name: Any) -> str:
    """Capability names compare case-insensitively and without `CAP_` (Docker accepts both spellings)."""
    text = str(name).strip().upper()
    return text[4:] if text.startswith("CAP_") else text


def split_security_option(option: str) -> tuple[str, str | None]:
    """`seccomp:unconfined` and `seccomp=unconfined` both give ("seccomp", "unconfined"); bare names give None."""
    separators = [index for index in (option.find(":"), option.find("=")) if index >= 0]
    if not separators:
        return option.strip().lower(), None
    split_at = min(separators)
    return option[:split_at].strip().lower(), option[split_at + 1 :].strip()


@dataclass(frozen=True, slots=True)
class SecurityOption:
    """One Compose `security_opt` entry, split into name and value, with its place and resolution."""

    text: str
    name: str
    value: str | None
    location: Location
    unresolved: bool


def compose_security_options(workload: Workload) -> list[SecurityOption]:
    raw = workload.raw if isinstance(workload.raw, dict) else {}
    items = raw.get("security_opt")
    options = []
    for index, item in enumerate(as_items(items)):
        text = "" if item is None else str(item)
        name, value = split_security_option(text)
        location = (
            compose_value_location(items, index)
            if isinstance(items, list)
            else compose_value_location(raw, "security_opt")
        )
        options.append(SecurityOption(text, name, value, location, is_unresolved(item)))
    return options


def compose_key_or_service(workload: Workload, key: str) -> Location:
    """The Compose key when the service writes it, else the service itself."""
    raw = workload.raw
    return compose_key_location(raw, key) if isinstance(raw, dict) and key in raw else workload.location


def compose_bool(value: Any) -> bool | None:
    """A Compose boolean (`true`, "yes", "on", "1" ...); None when it is neither (or unresolved)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1", "y"):
        return True
    if text in ("false", "no", "off", "0", "n"):
        return False
    return None


# --------------------------------------------------------------------------------------------------
# Compose mounts (MD205, MD207)


@dataclass(frozen=True, slots=True)
class ComposeMount:
    """One entry of a service's `volumes:`, in short or long syntax.

    kind: "bind" (a host path, or a `local` named volume with `o: bind`), "volume", "tmpfs", or another
    Compose mount type. `source` is the host path or volume name as written after interpolation.
    """

    kind: str
    source: str
    target: str
    read_only: bool
    location: Location
    unresolved: bool = False
    via_volume: str | None = None


def _split_short_volume(text: str) -> list[str]:
    """Split `src:dst[:mode]` at colons outside `${...}` and after a Windows drive letter."""
    parts: list[str] = []
    current, depth = "", 0
    for index, char in enumerate(text):
        if char == "{" and text[index - 1 : index] == "$":
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        if char == ":" and depth == 0 and not (len(current) == 1 and current.isalpha() and not parts):
            parts.append(current)
            current = ""
            continue
        current += char
    parts.append(current)
    return parts


def is_host_path(source: str) -> bool:
    """Short-syntax sources that are host paths: absolute, relative, home, a variable, or a drive."""
    return source.startswith(("/", ".", "~", "$", "\\")) or (
        len(source) > 1 and source[1] == ":" and source[0].isalpha()
    )


def _bind_device(volume: Any) -> str | None:
    """The host directory of a top-level `local` volume with `driver_opts: {o: bind, device: ...}`."""
    if not isinstance(volume, dict) or str(volume.get("driver") or "local") != "local":
        return None
    options = fields_of(volume, "driver_opts")
    flags = [flag.strip() for flag in str(options.get("o") or "").split(",")]
    device = options.get("device")
    return str(device) if device and ("bind" in flags or "rbind" in flags) else None


def _short_mount(item: Any, location: Location, volumes: Mapping[str, Any]) -> ComposeMount:
    parts = _split_short_volume(str(item))
    if len(parts) == 1:
        return ComposeMount("volume", "", parts[0], False, location)
    source, target = parts[0], parts[1]
    read_only = "ro" in (parts[2].split(",") if len(parts) > 2 else [])
    if is_host_path(source):
        return ComposeMount("bind", source, target, read_only, location, is_unresolved(item))
    device = _bind_device(volumes.get(source))
    if device is not None:
        return ComposeMount("bind", device, target, read_only, location, via_volume=source)
    return ComposeMount("volume", source, target, read_only, location)


def _long_mount(item: Mapping[str, Any], location: Location, volumes: Mapping[str, Any]) -> ComposeMount:
    kind = str(item.get("type") or "volume")
    source = "" if item.get("source") is None else str(item.get("source"))
    read_only = compose_bool(item.get("read_only")) is True
    target = str(item.get("target") or "")
    if kind == "volume" and source:
        device = _bind_device(volumes.get(source))
        if device is not None:
            return ComposeMount("bind", device, target, read_only, location, via_volume=source)
    return ComposeMount(kind, source, target, read_only, location, is_unresolved(item.get("source")))


def compose_mounts(workload: Workload, compose: ComposeProject | None) -> list[ComposeMount]:
    """Every `volumes:` entry of a Compose service; named volumes resolve against the top-level ones."""
    raw = workload.raw if isinstance(workload.raw, dict) else {}
    items = raw.get("volumes")
    top_level = compose.top_level.get("volumes") if compose is not None else None
    volumes = top_level if isinstance(top_level, dict) else {}
    mounts = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        location = compose_value_location(items, index)
        if isinstance(item, dict):
            mounts.append(_long_mount(item, location, volumes))
        elif item is not None:
            mounts.append(_short_mount(item, location, volumes))
    return mounts


def compose_project_of(project: Project, workload: Workload) -> ComposeProject | None:
    return next(
        (
            compose
            for compose in project.compose_projects
            if any(service.workload is workload for service in compose.services)
        ),
        None,
    )


def normalise_host_path(path: str) -> str:
    """`//var/run/../run/docker.sock/` -> `/run/docker.sock`: one canonical form, `/var/run` spelled `/run`.

    Relative and home paths are returned unchanged: they never name a system directory on their own.
    """
    text = path.strip()
    if not text.startswith("/"):
        return text
    normalised = posixpath.normpath("/" + text.lstrip("/"))
    if normalised == "/var/run" or normalised.startswith("/var/run/"):
        normalised = "/run" + normalised[len("/var/run") :]
    return normalised


# --------------------------------------------------------------------------------------------------
# Pod Security Standards table (rules/data/pod-security-standards.yaml)


def parse_policy_version(text: Any) -> tuple[int, int] | None:
    """`v1.30`, `1.30` -> (1, 30); `latest` and anything else -> None."""
    parts = str(text).strip().lstrip("v").split(".")
    if len(parts) < 2 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    return int(parts[0]), int(parts[1])


@dataclass(frozen=True, slots=True)
class PodSecurityStandards:
    """The PSS allow-lists in force at one policy version, read from the data table."""

    version: tuple[int, int]
    values: Mapping[str, frozenset[str]]

    def allowed(self, field: str) -> frozenset[str]:
        return self.values.get(field, frozenset())

    def allows(self, field: str, value: str) -> bool:
        """Exact match, or a prefix pattern ending in `*` (`localhost/*`)."""
        return any(
            value == entry or (entry.endswith("*") and value.startswith(entry[:-1]))
            for entry in self.allowed(field)
        )

    def has_feature(self, name: str) -> bool:
        return name in self.allowed("policy-feature")

    @property
    def version_text(self) -> str:
        return f"v{self.version[0]}.{self.version[1]}"


def load_standards(params: Mapping[str, Any]) -> PodSecurityStandards:
    """The table rows active at `params["policy_version"]` (`latest` = the newest verified row)."""
    rows = [
        row
        for row in params["tables"]["pod-security-standards"]["rows"]
        if row.get("verified", True) is not False
    ]
    dated = [(parse_policy_version(row["since"]) or (1, 0), row) for row in rows]
    version = parse_policy_version(params.get("policy_version", "latest")) or max(since for since, _ in dated)
    values: dict[str, set[str]] = {}
    for since, row in dated:
        if since <= version:
            values.setdefault(str(row["field"]), set()).add(str(row["value"]))
    return PodSecurityStandards(version, {field: frozenset(found) for field, found in values.items()})


# --------------------------------------------------------------------------------------------------
# MD202 no-privilege-escalation


def _enables_no_new_privileges(option: SecurityOption) -> bool:
    if option.name != "no-new-privileges" or option.unresolved:
        return False
    return option.value is None or option.value.strip().lower() in TRUE_WORDS


def _compose_no_new_privileges(workload: Workload) -> Iterator[Violation]:
    options = compose_security_options(workload)
    if any(_enables_no_new_privileges(option) for option in options):
        return
    who = describe_service(workload)
    named = [option for option in options if option.name == "no-new-privileges"]
    if named:
        option = named[-1]
        reason = "which cannot be resolved" if option.unresolved else "which leaves it off"
        yield Violation(
            option.location,
            f'{who} sets security_opt "{option.text}", {reason}; use no-new-privileges:true',
            workload.subject,
            workload.artifact,
            variant="compose",
        )
        return
    yield Violation(
        compose_key_or_service(workload, "security_opt"),
        f"{who} does not set security_opt no-new-privileges:true, so setuid binaries can gain privileges",
        workload.subject,
        workload.artifact,
        variant="compose",
    )


def implied_escalation(container: Container) -> str | None:
    """Why escalation is allowed whatever allowPrivilegeEscalation says: privileged, or CAP_SYS_ADMIN added."""
    security = container.security
    if security.privileged is not None and security.privileged.value is True:
        return "privileged: true"
    added = security.capabilities_add.value if security.capabilities_add else ()
    if "SYS_ADMIN" in {normalise_capability(name) for name in added}:
        return "the added SYS_ADMIN capability"
    return None


def _kubernetes_escalation(workload: Workload, container: Container) -> Iterator[Violation]:
    setting = container.security.allow_privilege_escalation
    who, subject = describe_container(workload, container), container_subject(workload, container)
    implied = implied_escalation(container)
    if setting is not None and setting.value is True:
        yield Violation(
            setting.location,
            f"{who} sets allowPrivilegeEscalation: true",
            subject,
            workload.artifact,
            variant="explicit-true",
        )
    elif setting is not None and setting.value is False:
        if implied:
            yield Violation(
                setting.location,
                f"{who} sets allowPrivilegeEscalation: false, but {implied} allows escalation "
                "anyway (the API rejects this combination)",
                subject,
                workload.artifact,
            )
    else:
        location = setting.location if setting is not None else container.security.anchor
        reason = (
            f'sets allowPrivilegeEscalation: "{yaml_text(setting.value)}", which is not the boolean false'
            if setting is not None
            else "does not set allowPrivilegeEscalation: false"
        )
        extra = f"; {implied} allows escalation in any case" if implied else ""
        yield Violation(location, f"{who} {reason}{extra}", subject, workload.artifact)


def no_privilege_escalation(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD202: Compose services need no-new-privileges; every Kubernetes container allowPrivilegeEscalation: false."""
    for workload in compose_workloads(project):
        yield from _compose_no_new_privileges(workload)
    for workload in kubernetes_workloads(project):
        if is_windows_pod(workload):
            continue  # the API forbids the field on Windows pods (PSS exempts them from policy 1.25)
        for container in workload.containers:
            yield from _kubernetes_escalation(workload, container)


# --------------------------------------------------------------------------------------------------
# MD203 no-privileged


def _compose_privileged(workload: Workload) -> Iterator[Violation]:
    raw = workload.raw if isinstance(workload.raw, dict) else {}
    if "privileged" not in raw:
        return
    value = raw["privileged"]
    location = compose_value_location(raw, "privileged")
    who = describe_service(workload)
    if is_unresolved(value):
        yield Violation(
            location,
            f'{who} sets privileged: "{value}", which cannot be resolved',
            workload.subject,
            workload.artifact,
            variant="unresolved",
        )
    elif compose_bool(value) is True:
        yield Violation(
            location,
            f"{who} runs privileged (privileged: {yaml_text(value)})",
            workload.subject,
            workload.artifact,
        )


def no_privileged(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD203: no privileged Compose service and no privileged Kubernetes container of any kind."""
    for workload in compose_workloads(project):
        yield from _compose_privileged(workload)
    for workload in kubernetes_workloads(project):
        for container in workload.containers:
            setting = container.security.privileged
            if setting is not None and setting.value is True:
                yield Violation(
                    setting.location,
                    f"{describe_container(workload, container)} runs privileged (privileged: true)",
                    container_subject(workload, container),
                    workload.artifact,
                )


# --------------------------------------------------------------------------------------------------
# MD204 capabilities-dropped


def _compose_capabilities(
    workload: Workload, allowlist: set[str], forbidden: set[str]
) -> Iterator[Violation]:
    raw = workload.raw if isinstance(workload.raw, dict) else {}
    who = describe_service(workload)
    dropped = {
        normalise_capability(name) for name in as_items(raw.get("cap_drop")) if not is_unresolved(name)
    }
    if "ALL" not in dropped:
        listed = f" (cap_drop: [{', '.join(sorted(dropped))}])" if dropped else ""
        yield Violation(
            compose_key_or_service(workload, "cap_drop"),
            f"{who} does not drop all capabilities{listed}; add cap_drop: [ALL]",
            workload.subject,
            workload.artifact,
            variant="compose-drop",
        )
    added = raw.get("cap_add")
    for index, item in enumerate(as_items(added)):
        name = normalise_capability(item)
        location = (
            compose_value_location(added, index)
            if isinstance(added, list)
            else compose_value_location(raw, "cap_add")
        )
        if is_unresolved(item):
            yield Violation(
                location,
                f'{who} adds capability "{item}", which cannot be resolved',
                workload.subject,
                workload.artifact,
                variant="compose-add",
            )
        elif name in forbidden:
            yield Violation(
                location,
                f'{who} adds capability "{item}"',
                workload.subject,
                workload.artifact,
                variant="compose-forbidden-add",
            )
        elif name not in allowlist:
            yield Violation(
                location,
                f'{who} adds capability "{item}", beyond the allowlist ({", ".join(sorted(allowlist))})',
                workload.subject,
                workload.artifact,
                variant="compose-add",
            )


def _capabilities_anchor(workload: Workload, container: Container, key: str) -> Location:
    """The `drop`/`add` key, else the `capabilities` key, else the securityContext or container."""
    context = container_security_context(container)
    capabilities = mapping(context, "capabilities")
    if capabilities is not None and key in capabilities:
        return key_location(workload.path, capabilities, key)
    if context is not None and "capabilities" in context:
        return key_location(workload.path, context, "capabilities")
    return container.security.anchor


def _kubernetes_capabilities(
    workload: Workload, container: Container, standards: PodSecurityStandards
) -> Iterator[Violation]:
    who, subject = describe_container(workload, container), container_subject(workload, container)
    capabilities = fields_of(container_security_context(container), "capabilities")
    drop = capabilities.get("drop")
    dropped = {normalise_capability(name) for name in as_items(drop)}
    if "ALL" not in dropped:
        reason = (
            f"drops only [{', '.join(str(name) for name in as_items(drop))}]"
            if dropped
            else "does not drop capabilities"
        )
        yield Violation(
            _capabilities_anchor(workload, container, "drop"),
            f"{who} {reason}; set capabilities.drop: [ALL]",
            subject,
            workload.artifact,
        )
    baseline = standards.allowed("baseline-capability")
    restricted = standards.allowed("restricted-capability")
    added = capabilities.get("add")
    for index, item in enumerate(as_items(added)):
        name = normalise_capability(item)
        location = (
            value_location(workload.path, added, index)
            if isinstance(added, list)
            else _capabilities_anchor(workload, container, "add")
        )
        if name not in baseline or name == "NET_RAW":
            yield Violation(
                location,
                f'{who} adds capability "{item}", outside the Pod Security Standards Baseline set',
                subject,
                workload.artifact,
                variant="baseline-add",
            )
        elif name not in restricted:
            yield Violation(
                location,
                f'{who} adds capability "{item}"; Restricted allows adding only {", ".join(sorted(restricted))}',
                subject,
                workload.artifact,
            )


def capabilities_dropped(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD204: drop ALL capabilities and add only what the allowlist (Compose) or PSS (Kubernetes) permits."""
    allowlist = {
        normalise_capability(name) for name in params.get("compose_add_allowlist", ["NET_BIND_SERVICE"])
    }
    forbidden = {
        normalise_capability(name)
        for name in params.get("compose_forbidden_add", ["SYS_ADMIN", "NET_ADMIN", "ALL"])
    }
    for workload in compose_workloads(project):
        yield from _compose_capabilities(workload, allowlist, forbidden)
    standards = load_standards(params)
    for workload in kubernetes_workloads(project):
        if is_windows_pod(workload):
            continue  # capabilities are Linux-only; the API rejects them on Windows pods
        for container in workload.containers:
            yield from _kubernetes_capabilities(workload, container, standards)


# --------------------------------------------------------------------------------------------------
# MD205 read-only-root-filesystem


def _compose_read_only(project: Project, workload: Workload) -> Iterator[Violation]:
    raw = workload.raw if isinstance(workload.raw, dict) else {}
    who = describe_service(workload)
    value = raw.get("read_only")
    if "read_only" in raw and is_unresolved(value):
        yield Violation(
            compose_value_location(raw, "read_only"),
            f'{who} sets read_only: "{value}", which cannot be resolved',
            workload.subject,
            workload.artifact,
            variant="unresolved",
        )
        return
    if compose_bool(value) is not True:
        reason = f"sets read_only: {value}" if "read_only" in raw else "does not set read_only: true"
        location = compose_value_location(raw, "read_only") if "read_only" in raw else workload.location
        yield Violation(
            location,
            f"{who} {reason}, so its root file system is writable",
            workload.subject,
            workload.artifact,
        )
        return
    for mount in compose_mounts(workload, compose_project_of(project, workload)):
        if mount.kind == "bind" and not mount.read_only:
            via = f' (named volume "{mount.via_volume}" binds it)' if mount.via_volume else ""
            yield Violation(
                mount.location,
                f'{who} has read_only: true but bind-mounts host path "{mount.source}"{via} writable; '
                "mount it read-only (:ro) and use tmpfs mounts or named volumes for writable paths",
                workload.subject,
                workload.artifact,
            )


def _kubernetes_read_only(workload: Workload, container: Container) -> Iterator[Violation]:
    setting = container.security.read_only_root_filesystem
    if setting is not None and setting.value is True:
        return
    who, subject = describe_container(workload, container), container_subject(workload, container)
    if setting is not None:
        yield Violation(
            setting.location,
            f"{who} sets readOnlyRootFilesystem: {yaml_text(setting.value)}",
            subject,
            workload.artifact,
        )
    else:
        yield Violation(
            container.security.anchor,
            f"{who} does not set readOnlyRootFilesystem: true",
            subject,
            workload.artifact,
        )


def read_only_root_filesystem(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD205: Compose `read_only: true` without writable bind mounts; readOnlyRootFilesystem on every container."""
    for workload in compose_workloads(project):
        yield from _compose_read_only(project, workload)
    exempt_init = bool(params.get("exempt_init_containers", False))
    for workload in kubernetes_workloads(project):
        if is_windows_pod(workload):
            continue  # the API rejects readOnlyRootFilesystem on Windows pods
        for container in workload.containers:
            if not (exempt_init and container.role == "init"):
                yield from _kubernetes_read_only(workload, container)
