"""MD308 external-secret-config: an ExternalSecret must name its store explicitly and refresh periodically."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from medlint.findings import Violation
from medlint.model import ArtifactKind, K8sObject, Node, Project
from medlint.model.durations import parse_go_duration


def go_duration_seconds(value: Any) -> float | None:
    """A metav1.Duration (`1h`, `15m`, `1h30m`, `0`) in seconds; None when it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return 0.0 if value == 0 else None  # metav1.Duration is a string; only a bare 0 is harmless
    return parse_go_duration(str(value).strip())


def _store_ref_problems(reference: Node) -> list[str]:
    """The fields a store reference lacks (`kind`, `name`)."""
    if not reference.is_map:
        return ["kind", "name"]
    return [field for field in ("kind", "name") if not str(reference.get(field).plain() or "").strip()]


def _entries_with_own_source(spec: Node) -> list[Node] | None:
    """data/dataFrom entries when every one names its own store or generator (`sourceRef`); else None."""
    entries: list[Node] = []
    for key in ("data", "dataFrom"):
        entries.extend(spec.get(key).elements())
    if not entries or not all(entry.is_map and entry.get("sourceRef").is_map for entry in entries):
        return None
    return entries


def _refresh_findings(obj: K8sObject, spec: Node, artifact: ArtifactKind) -> Iterator[Violation]:
    subject = f"{obj.subject}/refreshInterval"
    if "refreshInterval" not in spec or spec.get("refreshInterval").plain() in (None, ""):
        yield Violation(
            obj.document.key_location_of("spec"),
            f"{obj.subject} sets no refreshInterval; set it "
            "explicitly (e.g. 1h) so rotated secrets reach the cluster",
            subject,
            artifact,
            variant="refresh-interval",
        )
        return
    interval = spec.get("refreshInterval").plain()
    seconds = go_duration_seconds(interval)
    where = spec.key_location_of("refreshInterval")
    if seconds is None:
        yield Violation(
            where,
            f'{obj.subject} has a refreshInterval that is not a duration ("{interval}")',
            subject,
            artifact,
            variant="unresolved",
        )
    elif seconds <= 0:
        yield Violation(
            where,
            f"{obj.subject} has refreshInterval {interval}, so the secret syncs once "
            "and rotations never arrive",
            subject,
            artifact,
            variant="refresh-interval",
        )


def _store_findings(obj: K8sObject, spec: Node, artifact: ArtifactKind) -> Iterator[Violation]:
    subject = f"{obj.subject}/secretStoreRef"
    if "secretStoreRef" not in spec:
        entries = _entries_with_own_source(spec)
        if entries is None:
            yield Violation(
                obj.document.key_location_of("spec"),
                f"{obj.subject} has no secretStoreRef, so it names no store to sync from",
                subject,
                artifact,
                variant="secret-store-ref",
            )
            return
        for entry in entries:
            source = entry.get("sourceRef")
            reference = source.get("storeRef") if "storeRef" in source else source.get("generatorRef")
            missing = _store_ref_problems(reference)
            if missing:
                yield Violation(
                    entry.key_location_of("sourceRef"),
                    f"{obj.subject} has a sourceRef without {' and '.join(missing)}",
                    subject,
                    artifact,
                    variant="secret-store-ref",
                )
        return
    missing = _store_ref_problems(spec.get("secretStoreRef"))
    if missing:
        yield Violation(
            spec.key_location_of("secretStoreRef"),
            f"{obj.subject} has a secretStoreRef without "
            f"{' and '.join(missing)}; name the store and its kind (SecretStore or ClusterSecretStore) "
            "explicitly",
            subject,
            artifact,
            variant="secret-store-ref",
        )


def external_secret_config(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD308: an ExternalSecret must name its store explicitly and refresh periodically."""
    for obj in project.k8s_objects:
        if obj.kind != "ExternalSecret" or not (obj.api_version or "").startswith("external-secrets.io/"):
            continue
        spec = obj.spec.as_map()  # no spec: both the store and the interval are missing
        yield from _refresh_findings(obj, spec, obj.artifact)
        yield from _store_findings(obj, spec, obj.artifact)
