"""MD303 committed-secret-manifest: Secret manifests with real data, and ConfigMaps holding secret-like
entries (base64 is an encoding, not encryption; SOPS-encrypted files pass).

In a rendered chart only data written in the chart itself counts: literal template text, an expression of
constants, or a file of the chart. Data filled in at install time is not committed here: values (MD302
checks their defaults), the release, `lookup` of the cluster, generated data (`randAlphaNum`, `genCA`...),
and helpers or variables whose source the position does not tell. The render's source map says which.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Mapping
from typing import Any

from medlint.checks.secrets.patterns import (
    credential_format,
    is_literal_secret_value,
    is_secret_name,
    matches_placeholder,
    params_pattern,
    patterns_for,
)
from medlint.findings import Violation
from medlint.model import K8sObject, Node, Project


def _decoded(value: Any, is_base64: bool) -> str | None:
    if value is None:
        return ""
    text = str(value)
    if not is_base64:
        return text
    try:
        return base64.b64decode(text, validate=False).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return None  # not valid base64: the API rejects it; treat the raw text as the value


def _is_sops(obj: K8sObject) -> bool:
    return "sops" in obj.document


def _secret_entries(obj: K8sObject) -> Iterator[tuple[Node, str, str | None]]:
    """Decoded entries: a Secret's `data` is base64, a ConfigMap's `data` is text and `binaryData` base64."""
    sections = (
        (("data", True), ("stringData", False))
        if obj.kind == "Secret"
        else (("data", False), ("binaryData", True))
    )
    for section, is_base64 in sections:
        table = obj.document.get(section)
        for key, entry in table.items():
            value = entry.plain()
            decoded = _decoded(value, is_base64)
            yield entry, str(key), str(value) if decoded is None else decoded


def _written_in_chart(entry: Node) -> bool:
    """A rendered entry whose value is written in the chart itself, not filled in at install time (or any
    entry of a manifest, which has no render behind it)."""
    origin = entry.location.helm
    return origin is None or origin.literal


def committed_secret_manifest(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD303: Secret manifests with real data, and ConfigMaps holding secret-like entries."""
    placeholders = tuple(params.get("placeholder_patterns") or ())
    pattern, pointers = params_pattern(params)
    table = patterns_for(params)
    for obj in project.k8s_objects:
        if obj.kind not in ("Secret", "ConfigMap") or not obj.document.is_map or _is_sops(obj):
            continue
        artifact = obj.artifact
        entries = list(_secret_entries(obj))
        keys = tuple(key for _, key, _ in entries)
        for entry, key, value in entries:
            if value is None or "ENC[" in value or not _written_in_chart(entry):
                continue
            where = entry.key_location
            subject = f"{obj.subject}/key:{key}"
            if obj.kind == "Secret":
                if not matches_placeholder(value, placeholders):
                    yield Violation(
                        where,
                        f'{obj.subject} commits a value for key "{key}"; base64 is an encoding, not encryption',
                        subject,
                        artifact,
                    )
            else:
                if is_secret_name(key, pattern, pointers, keys) and is_literal_secret_value(value, table):
                    yield Violation(
                        where,
                        f'{obj.subject} holds the secret-like entry "{key}" in plain text',
                        subject,
                        artifact,
                    )
                else:
                    kind = credential_format(value, float(params.get("entropy_threshold", 4.5)))
                    if kind:
                        yield Violation(
                            where, f'{obj.subject} entry "{key}" contains {kind}', subject, artifact
                        )
