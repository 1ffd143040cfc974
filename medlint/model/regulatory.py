"""Regulatory declarations: the IEC 62304 and FDA classes each item declares, and the one class that follows.

An *item* is something an artifact ships and labels on its own: a Dockerfile's image, a Compose service, a
Kubernetes workload (its metadata and its pod template each carry labels), a Helm chart (its `Chart.yaml`
annotations). Each may declare `regulatory.iec62304.class`, `regulatory.fda.class` and, for a class that
deviates from its system's, `regulatory.iec62304.rmf-ref` (the risk-management-file entry that justifies it).

`resolve_classes` is the one resolution of the safety class (catalog 5.1), used by the engine to choose
levels (medlint.safety), by MD902 to report disagreements, and for per-item levels:
- the system class is the configured one when the configuration or command line sets it, else the highest
  class any item declares, else C (IEC 62304 4.3: Class C until a class is assigned);
- an item declaring a lower class than its system's is a justified deviation only with a non-empty rmf-ref;
  its findings then take its own class's levels; without one, MD902 reports it;
- an item declaring a higher class than the configured one is always a disagreement (a part cannot be
  classified above the system it belongs to).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from medlint.model.common import ArtifactKind, Labels, Located
from medlint.model.core import Chart, Workload
from medlint.model.location import Location

IEC_CLASS = "regulatory.iec62304.class"
FDA_CLASS = "regulatory.fda.class"
RMF_REF = "regulatory.iec62304.rmf-ref"
CLASS_ORDER = {"A": 1, "B": 2, "C": 3}
FDA_ORDER = {"I": 1, "II": 2, "III": 3}


@dataclass(frozen=True, slots=True)
class ItemDeclaration:
    """The classes one label set of an item declares.

    `subject` is the item ("Dockerfile:app/Dockerfile", "Deployment/prod/api", "Chart:charts/pump"); `scope`
    says which findings belong to the item: "file" (every finding in `path`, or under it for a chart
    directory) or "subject" (findings in `path` whose subject is the item's or starts with it).
    """

    subject: str
    path: str
    artifact: ArtifactKind
    anchor: Location  # where the labels are (or belong)
    iec_class: Located[str] | None = None
    fda_class: Located[str] | None = None
    rmf_ref: Located[str] | None = None
    scope: str = "subject"
    where: str = "labels"  # "labels", "pod template labels", "annotations"

    @property
    def valid_iec(self) -> str | None:
        value = self.iec_class.value if self.iec_class is not None else None
        return value if value in CLASS_ORDER else None

    @property
    def valid_fda(self) -> str | None:
        value = self.fda_class.value if self.fda_class is not None else None
        return value if value in FDA_ORDER else None

    @property
    def justified(self) -> bool:
        """A non-empty rmf-ref justifies a deviating IEC 62304 class."""
        return self.rmf_ref is not None and bool(self.rmf_ref.value.strip())

    def holds(self, path: str, subject: str) -> bool:
        """Whether a finding at `path` about `subject` belongs to this item."""
        if self.scope == "file":
            return path == self.path or path.startswith(self.path.rstrip("/") + "/")
        return path == self.path and (subject == self.subject or subject.startswith(self.subject + "/"))


def _declaration(
    subject: str,
    path: str,
    artifact: ArtifactKind,
    anchor: Location,
    labels: Labels,
    extra: Labels | None = None,
    scope: str = "subject",
    where: str = "labels",
) -> ItemDeclaration | None:
    def find(key: str) -> Located[str] | None:
        found = labels.get(key)
        if found is None and extra is not None:
            found = extra.get(key)
        return found

    iec, fda, rmf = find(IEC_CLASS), find(FDA_CLASS), find(RMF_REF)
    if iec is None and fda is None:
        return None
    return ItemDeclaration(subject, path, artifact, anchor, iec, fda, rmf, scope, where)


def _annotations_of(workload: Workload, pod: bool) -> Labels:
    """The annotations beside a workload's labels (an rmf-ref is free text, so it is often an annotation)."""
    definition = workload.definition
    if not definition.is_map:
        return {}
    if pod and workload.pod is not None:
        metadata = workload.pod.metadata
    else:
        metadata = definition.get("metadata")
    return {
        str(key): Located(value.label_text, value.location)
        for key, value in metadata.get("annotations").items()
        if value.scalar is not None
    }


def item_declarations(workloads: Iterable[Workload], charts: Iterable[Chart]) -> tuple[ItemDeclaration, ...]:
    """Every label set that declares a class, in project order; a rendered line repeated by several values
    sets counts once."""
    found: list[ItemDeclaration] = []
    seen: set[tuple[str, int, int, str, str]] = set()

    def add(declaration: ItemDeclaration | None) -> None:
        if declaration is None:
            return
        place = declaration.iec_class or declaration.fda_class
        assert place is not None
        key = (
            place.location.path,
            place.location.line,
            place.location.column,
            declaration.subject.split(" [", 1)[0],
            declaration.where,
        )
        if key not in seen:
            seen.add(key)
            found.append(declaration)

    for workload in workloads:
        anchor = workload.labels_anchor or workload.location
        if workload.artifact is ArtifactKind.DOCKERFILE:
            add(
                _declaration(
                    workload.subject, workload.path, workload.artifact, anchor, workload.labels, scope="file"
                )
            )
            continue
        if workload.artifact is ArtifactKind.COMPOSE:
            add(_declaration(workload.subject, workload.path, workload.artifact, anchor, workload.labels))
            continue
        add(
            _declaration(
                workload.subject,
                workload.path,
                workload.artifact,
                anchor,
                workload.labels,
                _annotations_of(workload, pod=False),
            )
        )
        if workload.pod_labels is not None:
            add(
                _declaration(
                    workload.subject,
                    workload.path,
                    workload.artifact,
                    workload.pod_labels_anchor or anchor,
                    workload.pod_labels,
                    _annotations_of(workload, pod=True),
                    where="pod template labels",
                )
            )
    for chart in charts:
        add(
            _declaration(
                f"Chart:{chart.directory}",
                chart.directory,
                ArtifactKind.HELM,
                chart.annotations_anchor or chart.location,
                chart.annotations,
                scope="file",
                where="annotations",
            )
        )
    return tuple(found)


@dataclass(frozen=True, slots=True)
class ClassResolution:
    """The system's IEC 62304 class and how every declaration relates to it."""

    value: str
    configured: bool  # set by the configuration or the command line
    #: The declarations of the system class (empty when it is configured or assumed).
    carriers: tuple[ItemDeclaration, ...]
    #: Declarations of another class: (declaration, justified). Justified ones give their item its own class.
    deviations: tuple[tuple[ItemDeclaration, bool], ...]
    valid_count: int  # declarations with a valid class

    @property
    def assumed(self) -> bool:
        """No class configured and none declared: Class C applies (IEC 62304 4.3)."""
        return not self.configured and self.valid_count == 0

    def item_class(self, path: str, subject: str) -> str | None:
        """The class of the item a finding belongs to, when it justifiably deviates from the system class;
        None: the system class applies. The most specific item wins (a workload over its chart)."""
        best: ItemDeclaration | None = None
        for declaration, justified in self.deviations:
            if not justified or not declaration.holds(path, subject):
                continue
            if best is None or (best.scope == "file" and declaration.scope == "subject"):
                best = declaration
        return best.valid_iec if best is not None else None


def resolve_classes(declarations: Iterable[ItemDeclaration], configured: str | None) -> ClassResolution:
    """The one class resolution (module docstring)."""
    valid = [declaration for declaration in declarations if declaration.valid_iec is not None]
    if configured:
        value = configured.upper()
    elif valid:
        value = max((d.valid_iec for d in valid), key=lambda item: CLASS_ORDER[item or "C"]) or "C"
    else:
        value = "C"
    carriers = tuple(d for d in valid if d.valid_iec == value) if not configured else ()
    deviations = tuple(
        (d, d.justified and CLASS_ORDER[d.valid_iec or "C"] < CLASS_ORDER[value])
        for d in valid
        if d.valid_iec != value
    )
    return ClassResolution(value, bool(configured), carriers, deviations, len(valid))


def fda_classes(declarations: Iterable[ItemDeclaration]) -> Mapping[str, tuple[ItemDeclaration, ...]]:
    """Valid FDA class declarations grouped by value, highest class first."""
    grouped: dict[str, list[ItemDeclaration]] = {}
    for declaration in declarations:
        if declaration.valid_fda is not None:
            grouped.setdefault(declaration.valid_fda, []).append(declaration)
    return {key: tuple(grouped[key]) for key in sorted(grouped, key=lambda k: -FDA_ORDER[k])}


def iec_declarations(declarations: Iterable[ItemDeclaration]) -> Iterator[Located[str]]:
    """The `regulatory.iec62304.class` values as written (for the loader's list of class declarations)."""
    for declaration in declarations:
        if declaration.iec_class is not None:
            yield declaration.iec_class
