"""Kubernetes label selectors: which pods a Service, PodDisruptionBudget, HPA target or affinity term selects.

Availability rules ask "does this PDB cover that Deployment?", so the answer must follow the API server, not a
guess: `matchLabels` and `matchExpressions` are ANDed; an empty LabelSelector (`{}`) selects every pod, while
a missing one selects none; a Service's plain map selector selects nothing when empty. Label values are
compared as the text Kubernetes stores (YAML `true` becomes "true", `1` becomes "1").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from medlint.model.core import Workload
from medlint.model.kubernetes import K8sObject

LabelMap = Mapping[str, str]

#: Operators of a LabelSelectorRequirement and whether each needs a non-empty `values` list.
_OPERATORS_NEEDING_VALUES = {"In": True, "NotIn": True, "Exists": False, "DoesNotExist": False}


def label_text(value: Any) -> str:
    """A label value as Kubernetes would store it (booleans lower-case, None empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def as_label_map(node: Any) -> dict[str, str]:
    """A YAML labels mapping as plain text pairs; anything that is not a mapping gives no labels."""
    if not isinstance(node, Mapping):
        return {}
    return {str(key): label_text(value) for key, value in node.items()}


def _requirement_matches(requirement: Any, labels: LabelMap) -> bool:
    """One matchExpressions entry. A malformed entry matches nothing (the API server would reject it)."""
    if not isinstance(requirement, Mapping):
        return False
    key, operator = requirement.get("key"), requirement.get("operator")
    if not isinstance(key, str) or operator not in _OPERATORS_NEEDING_VALUES:
        return False
    raw_values = requirement.get("values")
    values = {label_text(v) for v in raw_values} if isinstance(raw_values, list) else set()
    if _OPERATORS_NEEDING_VALUES[operator] and not values:
        return False
    if not _OPERATORS_NEEDING_VALUES[operator] and raw_values:
        return False  # Exists/DoesNotExist with values: the API server rejects the selector
    present = key in labels
    if operator == "In":
        return present and labels[key] in values
    if operator == "NotIn":
        return not present or labels[key] not in values
    if operator == "Exists":
        return present
    return not present  # DoesNotExist


def label_selector_matches(selector: Any, labels: LabelMap) -> bool:
    """Whether a metav1.LabelSelector selects a pod with `labels`.

    None (no selector) selects nothing; `{}` selects everything, as in LabelSelectorAsSelector.
    A selector that is not a mapping, or has malformed parts, selects nothing.
    """
    if not isinstance(selector, Mapping):
        return False
    match_labels = selector.get("matchLabels")
    expressions = selector.get("matchExpressions")
    if match_labels is not None and not isinstance(match_labels, Mapping):
        return False
    if expressions is not None and not isinstance(expressions, list):
        return False
    for key, value in (match_labels or {}).items():
        if str(key) not in labels or labels[str(key)] != label_text(value):
            return False
    return all(_requirement_matches(requirement, labels) for requirement in expressions or ())


def map_selector_matches(selector: Any, labels: LabelMap) -> bool:
    """A Service-style `selector: {key: value}`: every pair must match; empty or missing selects nothing."""
    if not isinstance(selector, Mapping) or not selector:
        return False
    return all(
        str(key) in labels and labels[str(key)] == label_text(value) for key, value in selector.items()
    )


def namespaces_match(first: str | None, second: str | None) -> bool:
    """Two objects are in the same namespace; one written without a namespace goes wherever it is applied.

    A manifest without `metadata.namespace` lands in the namespace of the `kubectl apply`, so it can pair
    with any namespace: treating it as a match avoids reporting a PDB or HPA as missing when it is not.
    """
    return first is None or second is None or first == second


def pod_template_labels(workload: Workload) -> dict[str, str]:
    """The labels of the pods a workload creates (the pod template's, or a bare Pod's own)."""
    return dict(workload.pod.labels) if workload.pod is not None else {}


def pdb_selects(pdb: K8sObject, workload: Workload) -> bool:
    """Whether a PodDisruptionBudget covers the pods of a workload.

    In policy/v1 an empty selector covers every pod of the namespace; in policy/v1beta1 it covers none.
    """
    if not namespaces_match(pdb.namespace, workload.namespace):
        return False
    selector = pdb.spec.get("selector").plain()
    if isinstance(selector, Mapping) and not selector and (pdb.api_version or "").endswith("v1beta1"):
        return False
    return label_selector_matches(selector, pod_template_labels(workload))
