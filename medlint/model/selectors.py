"""Kubernetes label selectors: which pods a Service, PodDisruptionBudget, HPA target, NetworkPolicy, monitor or
affinity term selects.

Availability rules ask "does this PDB cover that Deployment?", so the answer must follow the API server, not a
guess: `matchLabels` and `matchExpressions` are ANDed; an empty LabelSelector (`{}`) selects every pod, while
a missing one selects none; a Service's plain map selector selects nothing when empty; an invalid selector
(unknown operator, `In` without values) is rejected by the API server, so it selects nothing. Label values are
compared as the text Kubernetes stores (YAML `true` becomes "true", `1` becomes "1"). Selectors are matched
against the pods the project index files by label, never against every workload in turn.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from medlint.model.core import Workload
from medlint.model.kubernetes import K8sObject
from medlint.model.tree import label_text

LabelMap = Mapping[str, str]

#: Operators of a LabelSelectorRequirement and whether each needs a non-empty `values` list.
_OPERATORS_NEEDING_VALUES = {"In": True, "NotIn": True, "Exists": False, "DoesNotExist": False}


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


def pod_template_labels(workload: Workload) -> Mapping[str, str]:
    """The labels of the pods a workload creates (the pod template's, or a bare Pod's own)."""
    return workload.pod.labels if workload.pod is not None else {}


def required_pairs(selector: Any) -> list[tuple[str, str]]:
    """The label pairs every pod a LabelSelector selects must carry (its `matchLabels`); [] when none."""
    if not isinstance(selector, Mapping):
        return []
    match_labels = selector.get("matchLabels")
    if not isinstance(match_labels, Mapping):
        return []
    return [(str(key), label_text(value)) for key, value in match_labels.items()]


def map_pairs(selector: Any) -> list[tuple[str, str]]:
    """The label pairs of a Service-style map selector."""
    if not isinstance(selector, Mapping):
        return []
    return [(str(key), label_text(value)) for key, value in selector.items()]


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


# --------------------------------------------------------------------------------------------------
# NetworkPolicy and monitor conventions


SET_OPERATORS = ("In", "NotIn")
EXISTENCE_OPERATORS = ("Exists", "DoesNotExist")


def is_valid_selector(selector: Any) -> bool:
    """Whether the API server would accept this LabelSelector (null counts as valid: it is "absent")."""
    if selector is None:
        return True
    if not isinstance(selector, Mapping):
        return False
    match_labels = selector.get("matchLabels")
    if match_labels is not None and not isinstance(match_labels, Mapping):
        return False
    expressions = selector.get("matchExpressions")
    if expressions is None:
        return True
    if not isinstance(expressions, list):
        return False
    return all(_is_valid_expression(expression) for expression in expressions)


def _is_valid_expression(expression: Any) -> bool:
    if not isinstance(expression, Mapping) or not expression.get("key"):
        return False
    operator = expression.get("operator")
    values = expression.get("values")
    if operator in SET_OPERATORS:
        return isinstance(values, list) and len(values) > 0
    if operator in EXISTENCE_OPERATORS:
        return not values
    return False


def selects_everything(selector: Any) -> bool:
    """`{}` (or absent): a NetworkPolicy podSelector or namespaceSelector that selects every pod/namespace."""
    if selector is None:
        return True
    if not isinstance(selector, Mapping):
        return False
    return not selector.get("matchLabels") and not selector.get("matchExpressions")


def selector_matches(selector: Any, labels: LabelMap) -> bool:
    """Does a LabelSelector select an object with these labels? The NetworkPolicy and monitor convention:
    an absent selector selects everything; otherwise the shared matcher decides (`{}` selects everything,
    an invalid selector selects nothing, since the API server would refuse it)."""
    return selector is None or label_selector_matches(selector, labels)


# Calico selector expressions: `all()`, `has(k)`, `!has(k)`, `k == 'v'`, `k != 'v'`, `k in {'a', 'b'}`,
# `k not in {...}`, joined by `&&`. Anything else (`||`, parentheses, `starts with`...) is not understood:
# the caller then treats the policy as selecting nothing, which can only add findings, never hide one.

_CALICO_TERM = re.compile(
    r"""^(?:
        (?P<all>all\(\s*\))
      | (?P<neg>!)?\s*has\(\s*(?P<has>[A-Za-z0-9_./-]+)\s*\)
      | (?P<key>[A-Za-z0-9_./-]+)\s*(?P<op>==|!=|not\s+in|in)\s*(?P<rhs>'[^']*'|"[^"]*"|\{[^}]*\})
    )$""",
    re.VERBOSE,
)


def calico_selector_matches(expression: Any, labels: LabelMap) -> bool | None:
    """Whether a Calico selector expression selects these labels; None when the expression is not understood.

    An empty expression selects every endpoint, as in Calico.
    """
    text = "" if expression is None else str(expression).strip()
    if not text:
        return True
    results = [_calico_term(term.strip(), labels) for term in text.split("&&")]
    if any(result is None for result in results):
        return None
    return all(results)


def _calico_term(term: str, labels: LabelMap) -> bool | None:
    match = _CALICO_TERM.match(term)
    if match is None:
        return None
    if match.group("all"):
        return True
    if match.group("has"):
        present = match.group("has") in labels
        return not present if match.group("neg") else present
    key, operator, right = match.group("key"), " ".join(match.group("op").split()), match.group("rhs")
    if operator in ("==", "!="):
        equal = labels.get(key) == right[1:-1]
        return equal if operator == "==" else not equal
    values = {item.strip().strip("'\"") for item in right[1:-1].split(",") if item.strip()}
    inside = key in labels and labels[key] in values
    return inside if operator == "in" else not inside
