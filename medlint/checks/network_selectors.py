"""Label selectors, as NetworkPolicies, Services and monitors use them, matched against pod or object labels.

The network and data checks' view (MD601, MD701, MD702, MD704) over the shared matcher in
medlint.model.selectors. Kubernetes
semantics matter here: an empty `LabelSelector` (`{}`) selects everything, a Service's empty `selector`
map selects nothing, and an invalid selector (unknown operator, `In` without values) is rejected by the API
server, so it selects nothing. Calico's selector expressions are supported in their common subset.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from medlint.model.kubernetes import POD_SPEC_PATHS, get_path
from medlint.model.selectors import as_label_map as labels_of
from medlint.model.selectors import label_selector_matches

Labels = Mapping[str, str]

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


def selector_matches(selector: Any, labels: Labels) -> bool:
    """Does a LabelSelector select an object with these labels? The NetworkPolicy and monitor convention:
    an absent selector selects everything; otherwise the shared matcher decides (`{}` selects everything,
    an invalid selector selects nothing, since the API server would refuse it)."""
    return selector is None or label_selector_matches(selector, labels)


# --------------------------------------------------------------------------------------------------
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


def calico_selector_matches(expression: Any, labels: Labels) -> bool | None:
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


def _calico_term(term: str, labels: Labels) -> bool | None:
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


# --------------------------------------------------------------------------------------------------
# What selectors are matched against


DEFAULT_NAMESPACE = "default"


def namespace_of(item: Any) -> str:
    """The namespace of an object or workload; manifests without one land in `default` (or the namespace
    they are applied to, which is the same for all of them, so they are compared with each other)."""
    return getattr(item, "namespace", None) or DEFAULT_NAMESPACE


def _pod_metadata(workload: Any) -> Any:
    spec_path = POD_SPEC_PATHS.get(workload.kind)
    if spec_path is None:
        return None
    return get_path(workload.raw, ("metadata",) if workload.kind == "Pod" else spec_path[:-1] + ("metadata",))


def pod_labels(workload: Any) -> dict[str, str]:
    """The labels of the pods a workload creates: the pod template's, or a bare Pod's own."""
    metadata = _pod_metadata(workload)
    return labels_of(metadata.get("labels")) if isinstance(metadata, Mapping) else {}


def pod_annotations(workload: Any) -> dict[str, str]:
    """The annotations of the pods a workload creates."""
    metadata = _pod_metadata(workload)
    return labels_of(metadata.get("annotations")) if isinstance(metadata, Mapping) else {}
