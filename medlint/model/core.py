"""The common model: workloads (a Kubernetes workload, a Compose service, a Dockerfile's final image) with
their containers, Dockerfiles, Compose projects and Helm charts.

Parsers turn text into these frozen objects; checks read only these. Every value a rule reports on is a
`Located` value, so a finding can point at the exact key or instruction. Inheritance is resolved once here
(the container's effective security settings already combine pod and container level), so checks stay short.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from medlint.model.common import (
    ArtifactKind,
    Labels,
    Located,
    NamespaceSource,
    Setting,
    TextEnum,
    namespace_description,
)
from medlint.model.location import Location
from medlint.model.tree import ABSENT, Node

if TYPE_CHECKING:
    from medlint.model.compose import (
        BuildContextReference,
        ComposeMount,
        PublishedPort,
        SecurityOption,
        ServiceDependency,
    )
    from medlint.model.images import ImageRef
    from medlint.model.kubernetes import ContainerPort, PodSpec, VolumeMount

# --------------------------------------------------------------------------------------------------
# Containers and workloads


class ContainerRole(TextEnum):
    """What a container is in its workload."""

    CONTAINER = "container"  # a Kubernetes app container
    INIT = "init"  # an init container that runs to completion first
    SIDECAR = "sidecar"  # an init container with restartPolicy Always, running beside the app
    EPHEMERAL = "ephemeral"  # a debug container added to a running pod
    SERVICE = "service"  # a Compose service
    IMAGE = "image"  # the final stage of a Dockerfile


class EnvSource(TextEnum):
    """Where an environment variable's value comes from."""

    LITERAL = "literal"  # written in the artifact
    SECRET = "secret"  # Kubernetes secretKeyRef
    CONFIGMAP = "configmap"  # configMapKeyRef
    FIELD = "field"  # fieldRef (downward API)
    RESOURCE = "resource"  # resourceFieldRef
    INTERPOLATED = "interpolated"  # Compose `${VAR}` from the host (or `.env`)
    UNSET = "unset"  # Compose `KEY` alone, with no value known here
    UNKNOWN = "unknown"  # a valueFrom medlint does not know


@dataclass(frozen=True, slots=True)
class SecurityContext:
    """Effective security settings of one container, resolved from container and pod (container wins).

    A field is None when neither level sets it. `declared` tells whether any security context exists at all,
    and `anchor` is where a missing setting belongs (the container, or its securityContext key).
    """

    anchor: Location
    declared: bool = False
    run_as_non_root: Setting[bool] | None = None
    run_as_user: Setting[Any] | None = None
    run_as_group: Setting[Any] | None = None
    privileged: Setting[bool] | None = None
    allow_privilege_escalation: Setting[bool] | None = None
    read_only_root_filesystem: Setting[bool] | None = None
    capabilities_add: Setting[tuple[str, ...]] | None = None
    capabilities_drop: Setting[tuple[str, ...]] | None = None
    seccomp_profile: Setting[str] | None = None
    fs_group: Setting[Any] | None = None
    supplemental_groups: Setting[tuple[Any, ...]] | None = None
    security_options: tuple[SecurityOption, ...] = ()  # Compose security_opt


@dataclass(frozen=True, slots=True)
class Probe:
    """A liveness/readiness/startup probe, or a Docker/Compose HEALTHCHECK (kind "healthcheck")."""

    kind: str
    location: Location
    disabled: bool = False
    command: tuple[str, ...] = ()
    initial_delay_seconds: float | None = None
    period_seconds: float | None = None
    timeout_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class Resources:
    """Requests and limits by resource name ("cpu", "memory", "pids", "ephemeral-storage")."""

    anchor: Location
    requests: Mapping[str, Located[str]] = field(default_factory=dict)
    limits: Mapping[str, Located[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EnvVar:
    """One environment variable. `value` is a literal; `source` says where a non-literal comes from.

    source: "literal", "secret" (secretKeyRef), "configmap", "field", "resource", "interpolated" (Compose
    `${VAR}` from the host), "unset". `default` holds a Compose `${VAR:-default}` literal.
    """

    name: str
    location: Location
    value: str | None = None
    source: EnvSource = EnvSource.LITERAL
    secret_name: str | None = None
    secret_key: str | None = None
    default: str | None = None
    interpolated_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Container:
    """A container: a Kubernetes (init/ephemeral) container, a Compose service, or a Dockerfile's image.

    role: "container", "init", "ephemeral", "sidecar" (init with restartPolicy Always), "service" (Compose),
    "image" (the final stage of a Dockerfile).
    """

    name: str
    role: ContainerRole
    location: Location
    image: ImageRef | None
    security: SecurityContext
    resources: Resources | None = None
    probes: tuple[Probe, ...] = ()
    env: tuple[EnvVar, ...] = ()
    env_from_secrets: tuple[Located[str], ...] = ()
    command: tuple[Located[str], ...] = ()
    args: tuple[Located[str], ...] = ()
    #: Kubernetes: the container as written, for fields without a typed view; Compose: the service.
    definition: Node = ABSENT
    ports: tuple[ContainerPort, ...] = ()  # Kubernetes `ports`
    volume_mounts: tuple[VolumeMount, ...] = ()  # Kubernetes `volumeMounts` with a name and a path

    def probe(self, kind: str) -> Probe | None:
        return next((probe for probe in self.probes if probe.kind == kind), None)


@dataclass(frozen=True, slots=True)
class Workload:
    """Something that runs: a Kubernetes workload, a Compose service, or a Dockerfile's final image.

    `kind` is the Kubernetes kind, "ComposeService" or "Image". `subject` is a stable, line-independent
    identity ("Deployment/production/app") used in messages and fingerprints.
    """

    kind: str
    name: str
    artifact: ArtifactKind
    path: str
    location: Location
    subject: str
    containers: tuple[Container, ...]
    namespace: str | None = None
    labels: Labels = field(default_factory=dict)
    labels_anchor: Location | None = None
    pod_labels: Labels | None = None
    pod_labels_anchor: Location | None = None
    replicas: Located[Any] | None = None
    #: Kubernetes: the workload object as written; Compose: the service definition; absent for images.
    definition: Node = ABSENT
    pod: PodSpec | None = None  # Kubernetes: the pod spec
    #: Where `namespace` comes from (as on K8sObject); derived from `namespace` when not given.
    namespace_source: NamespaceSource = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.namespace_source is None:
            source = NamespaceSource.WRITTEN if self.namespace else NamespaceSource.UNSET
            object.__setattr__(self, "namespace_source", source)

    @property
    def namespace_or_default(self) -> str:
        """The namespace the workload lands in when applied as written (`default` when none is set)."""
        return self.namespace or "default"

    @property
    def namespace_description(self) -> str:
        """`namespace "prod"`, or `the release namespace` of a chart rendered without one, for messages."""
        return namespace_description(self.namespace, self.namespace_source)

    @property
    def is_kubernetes(self) -> bool:
        """A Kubernetes workload, written as a manifest or rendered from a Helm chart."""
        return self.artifact in (ArtifactKind.KUBERNETES, ArtifactKind.HELM)

    def all_containers(self) -> Iterator[Container]:
        return iter(self.containers)


# --------------------------------------------------------------------------------------------------
# Dockerfiles


@dataclass(frozen=True, slots=True)
class ShellCommand:
    """One simple command of a RUN (split at `&&`, `||`, `;`, `|`), as words after quote removal."""

    words: tuple[str, ...]
    line: int
    operator_before: str = ""  # the operator joining it to the previous command ("&&", "|", ...)


@dataclass(frozen=True, slots=True)
class Heredoc:
    """A heredoc attached to an instruction (`RUN <<EOF ... EOF`): its delimiter and content."""

    delimiter: str
    content: str
    line: int


@dataclass(frozen=True, slots=True)
class Instruction:
    """One Dockerfile instruction after continuation and comment handling.

    `arguments` is the text after the keyword and flags; `json_arguments` is set for exec form.
    `resolved` has `ARG`/`ENV` references substituted from their defaults where known.
    """

    keyword: str
    location: Location
    arguments: str
    flags: Mapping[str, str] = field(default_factory=dict)
    json_arguments: tuple[str, ...] | None = None
    heredocs: tuple[Heredoc, ...] = ()
    commands: tuple[ShellCommand, ...] = ()
    resolved: str = ""
    unresolved_variables: tuple[str, ...] = ()
    stage_index: int = -1
    #: ENV, LABEL and ARG: each key with its value (resolved where known; None for `ARG NAME` without
    #: default) located at the key itself, so a finding can point at one label of a multi-line LABEL.
    pairs: tuple[tuple[str, Located[str | None]], ...] = ()


@dataclass(frozen=True, slots=True)
class Stage:
    """A build stage: its FROM image, its optional alias and its instructions."""

    index: int
    name: str | None
    base: ImageRef
    from_instruction: Instruction
    instructions: tuple[Instruction, ...]
    parent_stage: int | None = None  # set when FROM names an earlier stage


@dataclass(frozen=True, slots=True)
class DockerIgnore:
    path: str
    patterns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Dockerfile:
    """A parsed Dockerfile. The final stage is the last one."""

    path: str
    stages: tuple[Stage, ...]
    directives: Mapping[str, Located[str]] = field(default_factory=dict)
    global_args: tuple[Instruction, ...] = ()
    ignore_file: DockerIgnore | None = None
    #: Requirement and constraint files that `pip install -r/-c` read from the build context, by the path as
    #: written (normalised; nested files relative to the file including them) -> text. Filled by the loader
    #: only where the file behind the path is known (`medlint/context_files.py`); absent means unknown.
    context_files: Mapping[str, str] = field(default_factory=dict)

    @property
    def final_stage(self) -> Stage:
        return self.stages[-1]

    def final_chain(self) -> list[Stage]:
        """The final stage and the earlier stages it builds FROM, final stage first."""
        chain = [self.final_stage]
        while chain[-1].parent_stage is not None and len(chain) <= len(self.stages):
            chain.append(self.stages[chain[-1].parent_stage])
        return chain

    def instructions(self) -> Iterator[Instruction]:
        for stage in self.stages:
            yield from stage.instructions


# --------------------------------------------------------------------------------------------------
# Helm


@dataclass(frozen=True, slots=True)
class ChartDependency:
    name: str
    location: Location
    version: Located[str] | None
    repository: Located[str] | None
    condition: str | None = None
    alias: str | None = None


@dataclass(frozen=True, slots=True)
class LockedDependency:
    name: str
    version: str
    repository: str | None
    location: Location
    definition: Node = ABSENT  # the entry's mapping as written in Chart.lock (for Helm's lock digest)


@dataclass(frozen=True, slots=True)
class VendoredChart:
    """A sub-chart copied into the chart's `charts/` folder: a `.tgz` archive or an unpacked directory.

    `path` is the archive, or the sub-chart directory's Chart.yaml; `location` is that file, line 1.
    `problem` says why the archive or Chart.yaml could not be read (then `name`/`version` may be empty).
    """

    name: str
    version: str | None
    path: str
    location: Location
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class ValuesFile:
    path: str
    values: Node  # the values file as written


@dataclass(frozen=True, slots=True)
class Chart:
    """A Helm chart directory: its Chart.yaml, Chart.lock and values files."""

    directory: str
    path: str  # Chart.yaml
    location: Location
    api_version: Located[str] | None
    name: Located[str] | None
    version: Located[str] | None
    app_version: Located[str] | None
    chart_type: Located[str] | None
    dependencies: tuple[ChartDependency, ...] = ()
    dependencies_anchor: Location | None = None
    annotations: Labels = field(default_factory=dict)
    annotations_anchor: Location | None = None
    lock: tuple[LockedDependency, ...] | None = None
    lock_path: str | None = None
    lock_anchor: Location | None = None  # the `dependencies` key of Chart.lock (or its first line)
    lock_digest: Located[str] | None = None  # the `digest:` Helm recorded in Chart.lock
    values_files: tuple[ValuesFile, ...] = ()
    vendored_charts: tuple[VendoredChart, ...] = ()
    #: The parsed values.schema.json (with key positions when the JSON also reads as YAML).
    values_schema: Node = ABSENT
    values_schema_path: str | None = None
    definition: Node = ABSENT  # Chart.yaml as written


# --------------------------------------------------------------------------------------------------
# Compose


@dataclass(frozen=True, slots=True)
class ComposeService:
    """A Compose service after interpolation and `extends`; its runtime view is `workload`."""

    name: str
    location: Location
    workload: Workload
    build_context: str | None = None  # repository-relative directory
    dockerfile_path: str | None = None  # repository-relative Dockerfile of `build:`
    user: Located[str] | None = None
    #: The service after interpolation and merging, for scalar options without a typed field.
    definition: Node = ABSENT
    mounts: tuple[ComposeMount, ...] = ()
    ports: tuple[PublishedPort, ...] = ()
    depends_on: tuple[ServiceDependency, ...] = ()
    build_contexts: tuple[BuildContextReference, ...] = ()

    @property
    def has_build(self) -> bool:
        """The service builds its image (`build:`), so its `image:` names the result, not a source."""
        return "build" in self.definition


@dataclass(frozen=True, slots=True)
class ComposeProject:
    """A Compose project: one file, or several merged in order as `docker compose -f a -f b` does (a base
    and its override or environment overlay). `path` is the first file, which names the project."""

    path: str
    services: tuple[ComposeService, ...]
    #: Top-level `secrets`, `configs`, `volumes` and `networks`, as written.
    top_level: Mapping[str, Any] = field(default_factory=dict)
    definition: Node = ABSENT  # the whole project after interpolation and merging
    files: tuple[str, ...] = ()  # every file merged, in order (the first is `path`)
    #: An overlay (it uses names it does not define) whose base Compose file could not be found.
    base_missing: bool = False

    def declared(self, section: str) -> set[str]:
        """The names a top-level section declares (`volumes`, `networks`...)."""
        node = self.definition.get(section)
        return {str(name) for name in node} if node.is_map else set()
