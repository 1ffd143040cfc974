"""Label values and provenance labels: MD111 (regulatory label values and Kubernetes label syntax), MD112
(OCI provenance annotations).

MD110 asks that the identification labels exist; these checks ask that they say something valid. A wrong
safety class silently selects a weaker profile (IEC 62304 4.3), and a label the API server rejects never
reaches the cluster. The OCI annotations link an image to its source revision and base image for the SBOM.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from medlint.findings import Violation
from medlint.model import ArtifactKind, Located, Location, Node, Project, Workload

if TYPE_CHECKING:
    from medlint.model import K8sObject

_PLACEHOLDER = re.compile(r"\$(?:\{[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*)")
_DEFAULT_SEMVER = (
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)

# Kubernetes label syntax (k8s.io/apimachinery/pkg/util/validation)
_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
NAME_MAX = 63
PREFIX_MAX = 253
LABEL_VALUE_MAX = 63
ANNOTATIONS_MAX_BYTES = 256 * 1024

#: Where a Kubernetes object nests metadata that becomes another object's labels (pods, jobs, claims).
_NESTED_METADATA = (
    ("spec", "template", "metadata"),
    ("spec", "jobTemplate", "metadata"),
    ("spec", "jobTemplate", "spec", "template", "metadata"),
)


def qualified_name_problem(key: str) -> str | None:
    """Why a label or annotation key is not `[prefix/]name` per Kubernetes, or None when it is valid."""
    prefix, slash, name = key.rpartition("/")
    if slash and "/" in prefix:
        return "a key holds at most one '/'"
    if slash and not prefix:
        return "the prefix before '/' is empty"
    if slash and len(prefix) > PREFIX_MAX:
        return f"the prefix is longer than {PREFIX_MAX} characters"
    if slash and not _DNS_SUBDOMAIN.match(prefix):
        return "the prefix must be a lower-case DNS subdomain (letters, digits, '-', '.')"
    if not name:
        return "the name part is empty"
    if len(name) > NAME_MAX:
        return f"the name part is longer than {NAME_MAX} characters"
    if not _NAME.match(name):
        return "the name part must start and end with a letter or digit and contain only letters, digits, '-', '_' and '.'"
    return None


def label_value_problem(value: str) -> str | None:
    """Why a string is not a valid Kubernetes label value, or None."""
    if len(value) > LABEL_VALUE_MAX:
        return f"label values are at most {LABEL_VALUE_MAX} characters (this one has {len(value)})"
    if not _LABEL_VALUE.match(value):
        hint = (
            "; carry SemVer build metadata (+...) in the build-id label or an annotation"
            if "+" in value
            else ""
        )
        return f"label values may contain only letters, digits, '-', '_' and '.', and start and end with a letter or digit{hint}"
    return None


def _shown(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 3] + "..."


@dataclass(frozen=True, slots=True)
class ValueRules:
    """The value rules of MD111 for the regulatory keys (all configurable)."""

    class_keys: frozenset[str]
    fda_keys: frozenset[str]
    version_keys: frozenset[str]
    build_keys: frozenset[str]
    semver: re.Pattern[str]

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> ValueRules:
        def keys(name: str, default: list[str]) -> frozenset[str]:
            return frozenset(str(key) for key in params.get(name, default))

        return cls(
            class_keys=keys("iec62304_class_keys", ["regulatory.iec62304.class"]),
            fda_keys=keys("fda_class_keys", ["regulatory.fda.class"]),
            version_keys=keys(
                "version_keys", ["org.opencontainers.image.version", "app.kubernetes.io/version"]
            ),
            build_keys=keys("build_id_keys", ["regulatory.build"]),
            semver=re.compile(str(params.get("semver_regex") or _DEFAULT_SEMVER)),
        )

    def governs(self, key: str) -> bool:
        return (
            key in self.class_keys
            or key in self.fda_keys
            or key in self.version_keys
            or key in self.build_keys
        )

    def problem(self, key: str, value: str) -> str | None:
        """Why the value of a regulatory key is invalid, or None (also for keys without a rule)."""
        if key in self.class_keys and value not in ("A", "B", "C"):
            return f"'{_shown(value)}' is not an IEC 62304 safety class; use exactly A, B or C"
        if key in self.fda_keys and value not in ("I", "II", "III"):
            return f"'{_shown(value)}' is not an FDA device class (21 CFR 860); use exactly I, II or III"
        if key in self.version_keys and not self.semver.match(value):
            return f"'{_shown(value)}' is not a SemVer 2 version (MAJOR.MINOR.PATCH[-pre])"
        if key in self.build_keys and not value.strip():
            return "the build id is empty"
        return None


def _unresolved(value: str) -> bool:
    return bool(_PLACEHOLDER.search(value))


# --------------------------------------------------------------------------------------------------
# MD111 on Dockerfiles, Compose services and chart annotations (value rules only)


def _value_violations(
    labels: Mapping[str, Located[str]],
    rules: ValueRules,
    what: str,
    subject: str,
    artifact: ArtifactKind,
    unresolved_keys: frozenset[str] | None = None,
    noun: str = "label",
) -> Iterator[Violation]:
    for key, located in labels.items():
        if not rules.governs(key):
            continue
        is_unresolved = key in unresolved_keys if unresolved_keys is not None else _unresolved(located.value)
        if is_unresolved:
            yield Violation(
                located.location,
                f"{what} sets {key} from an unresolved variable ('{_shown(located.value)}'), so its value cannot be checked",
                f"{subject}/label:{key}",
                artifact,
                variant="unresolved",
            )
            continue
        problem = rules.problem(key, located.value)
        if problem is not None:
            yield Violation(
                located.location, f"{what}: {noun} {key}: {problem}", f"{subject}/{noun}:{key}", artifact
            )


def _compose_unresolved_keys(workload: Workload) -> frozenset[str]:
    """Labels whose Compose interpolation could not be resolved (unset variable without default)."""
    labels = workload.definition.get("labels")
    if labels.is_map:
        return frozenset(str(key) for key, value in labels.items() if value.unresolved)
    return frozenset(str(item.plain()).partition("=")[0] for item in labels.elements() if item.unresolved)


def _workload_violations(project: Project, rules: ValueRules) -> Iterator[Violation]:
    for workload in project.workloads:
        if workload.artifact is ArtifactKind.DOCKERFILE:
            yield from _value_violations(
                workload.labels,
                rules,
                f"the final stage of {workload.path}",
                workload.subject,
                workload.artifact,
            )
        elif workload.artifact is ArtifactKind.COMPOSE:
            yield from _value_violations(
                workload.labels,
                rules,
                f'service "{workload.name}"',
                workload.subject,
                workload.artifact,
                _compose_unresolved_keys(workload),
            )


def _chart_violations(project: Project, rules: ValueRules) -> Iterator[Violation]:
    for chart in project.charts:
        name = chart.name.value if chart.name else chart.directory
        yield from _value_violations(
            chart.annotations,
            rules,
            f'Chart.yaml of chart "{name}"',
            f"chart:{chart.directory or '.'}",
            ArtifactKind.HELM,
            frozenset(),
            noun="annotation",
        )


# --------------------------------------------------------------------------------------------------
# MD111 on Kubernetes objects (syntax and value rules, labels and annotations)


@dataclass(frozen=True, slots=True)
class _Block:
    """One metadata mapping of an object: its own, or a nested template's."""

    name: str  # "metadata", "pod template", ...
    node: Node


def _metadata_blocks(document: Node) -> Iterator[_Block]:
    metadata = document.get("metadata")
    if metadata.is_map:
        yield _Block("metadata", metadata)
    for path in _NESTED_METADATA:
        node = document.at(*path)
        if node.is_map:
            yield _Block(".".join(path[:-1]), node)
    for index, claim in enumerate(document.at("spec", "volumeClaimTemplates").elements()):
        if claim.is_map and claim.get("metadata").is_map:
            yield _Block(f"spec.volumeClaimTemplates[{index}]", claim.get("metadata"))


def _type_problem(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return None
    kind = (
        "boolean"
        if isinstance(value, bool)
        else "number"
        if isinstance(value, (int, float))
        else type(value).__name__
    )
    return f"the value is a YAML {kind}, not a string, and the API server rejects it; quote it"


@dataclass(frozen=True, slots=True)
class _ObjectContext:
    obj: K8sObject
    block: _Block
    artifact: ArtifactKind
    rules: ValueRules

    def where(self) -> str:
        return (
            self.obj.subject if self.block.name == "metadata" else f"{self.block.name} of {self.obj.subject}"
        )

    def violation(
        self, location: Location, message: str, key: str, table: str, variant: str | None = None
    ) -> Violation:
        subject = f"{self.obj.subject}/{self.block.name}/{table}:{key}"
        return Violation(location, message, subject, self.artifact, variant=variant)


def _entry_problems(context: _ObjectContext, table: str, mapping: Node, key: Any) -> Iterator[Violation]:
    """The problems of one label or annotation, as at most one violation."""
    entry = mapping.get(key)
    value, name = entry.plain(), str(key)
    noun = "label" if table == "labels" else "annotation"
    problems = []
    key_problem = qualified_name_problem(name if table == "labels" else name.lower())
    if key_problem:
        problems.append(f"the key is invalid: {key_problem}")
    type_problem = _type_problem(value)
    text = "" if value is None else str(value)
    if type_problem:
        problems.append(type_problem)
    elif _unresolved(text) and (table == "labels" or context.rules.governs(name)):
        yield context.violation(
            entry.location,
            f"{noun} {name} of {context.where()} comes from an unresolved variable ('{_shown(text)}'), so it cannot be checked",
            name,
            table,
            variant="unresolved",
        )
        return
    elif table == "labels" and (value_problem := label_value_problem(text)):
        problems.append(f"'{_shown(text)}' is invalid: {value_problem}")
    rule_problem = context.rules.problem(name, text) if not type_problem else None
    if rule_problem:
        problems.append(rule_problem)
    if problems:
        location = entry.key_location if key_problem else entry.location
        yield context.violation(
            location, f"{noun} {name} of {context.where()}: {'; '.join(problems)}", name, table
        )


def _annotations_size_problem(context: _ObjectContext, annotations: Node) -> Violation | None:
    size = sum(
        len(str(key).encode()) + len(("" if value.plain() is None else str(value.plain())).encode())
        for key, value in annotations.items()
    )
    if size <= ANNOTATIONS_MAX_BYTES:
        return None
    location = context.block.node.key_location_of("annotations")
    return context.violation(
        location,
        f"the annotations of {context.where()} total {size} bytes; the API server accepts at most 256 KiB",
        "(all)",
        "annotations",
    )


def _object_violations(obj: K8sObject, rules: ValueRules) -> Iterator[Violation]:
    artifact = obj.artifact
    for block in _metadata_blocks(obj.document):
        context = _ObjectContext(obj, block, artifact, rules)
        for table in ("labels", "annotations"):
            mapping = block.node.get(table)
            if not mapping.is_map:
                continue  # absent, or not a mapping (MD002 reports that)
            for key in mapping:
                yield from _entry_problems(context, table, mapping, key)
            if table == "annotations" and (too_big := _annotations_size_problem(context, mapping)):
                yield too_big


def regulatory_label_values_valid(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD111: regulatory label values are valid (class, FDA class, SemVer, build id), and Kubernetes labels
    and annotations follow the Kubernetes syntax."""
    rules = ValueRules.from_params(params)
    yield from _workload_violations(project, rules)
    yield from _chart_violations(project, rules)
    for obj in project.k8s_objects:
        if obj.api_version and obj.kind and obj.document.is_map:
            yield from _object_violations(obj, rules)


# --------------------------------------------------------------------------------------------------
# MD112 oci-provenance-labels


def oci_provenance_labels(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD112: the final stage of each Dockerfile declares the OCI provenance annotations."""
    if str(params.get("mode", "dockerfile")) == "ci":
        return  # the pipeline injects the labels; the built image or its SBOM is inspected instead
    reported_elsewhere = {str(key) for key in params.get("reported_by_md110", [])}
    required = [str(key) for key in params.get("oci_labels", []) if str(key) not in reported_elsewhere]
    for workload in project.workloads:
        if workload.artifact is not ArtifactKind.DOCKERFILE:
            continue
        missing = [key for key in required if key not in workload.labels]
        if missing:
            noun = "label" if len(missing) == 1 else "labels"
            yield Violation(
                workload.labels_anchor or workload.location,
                f"the final stage of {workload.path} lacks the OCI provenance {noun} {', '.join(missing)}",
                workload.subject,
                workload.artifact,
            )
