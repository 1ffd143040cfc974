"""The API group/versions a Kubernetes version serves by default, for `.Capabilities.APIVersions`.

Helm's default capabilities list the group/versions compiled into the Helm binary (client-go's scheme), the
same for every `--kube-version`: removed betas such as `policy/v1beta1` are there, and `apiregistration.k8s.io/v1`
is missing. Charts that ask the cluster which API to use then render a branch no real install would. medlint
offers what a kube-apiserver of the target version serves by default instead, from the sourced data table
`rules/data/kubernetes-api-versions.yaml` (each row: served `since` a minor version, `until` another).
"""

from __future__ import annotations

import functools
from typing import Any

from medlint.helm.functions.objects import parse_kube_version

__all__ = ["TABLE_NAME", "builtin_api_versions"]

TABLE_NAME = "kubernetes-api-versions"

Minor = tuple[int, int]


def _minor(text: Any) -> Minor | None:
    """`"1.22"` as (1, 22); None for an empty or unreadable bound."""
    parts = str(text or "").split(".")
    if len(parts) < 2 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    return int(parts[0]), int(parts[1])


@functools.lru_cache(maxsize=1)
def _rows() -> tuple[tuple[str, Minor, Minor | None], ...]:
    """(group/version, since, until) of every verified row, read once per process from the rule pack."""
    from medlint.rulepack import load_table

    rows = []
    for row in load_table(TABLE_NAME)["rows"]:
        since = _minor(row.get("since"))
        if row.get("verified", True) is False or since is None or not row.get("api_version"):
            continue
        rows.append((str(row["api_version"]), since, _minor(row.get("until"))))
    return tuple(rows)


@functools.lru_cache(maxsize=64)
def builtin_api_versions(kube_version: str) -> tuple[str, ...]:
    """The group/versions served by default by Kubernetes `kube_version` (`1.30.0`, `v1.30`), in table order.

    Raises what parsing the version raises for an invalid one.
    """
    parsed = parse_kube_version(kube_version)
    target = (int(parsed.Major), int(parsed.Minor))
    return tuple(
        api_version
        for api_version, since, until in _rows()
        if since <= target and (until is None or target < until)
    )
