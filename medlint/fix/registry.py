"""Which check has which fixer, per artifact kind, and which applicabilities each may propose.

Fixers are found through the rule's `check:` (a user rule reusing a built-in check gets its fixer too), but
only run for rules whose file declares a `fix:`; the declaration says what the fix does and whether it is
safe or unsafe, and `explain`, `medlint rules` and the rule pages show it. A test keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from medlint.findings import Finding
from medlint.fix import plan_compose, plan_dockerfile, plan_kubernetes
from medlint.fix.plans import SAFE, UNSAFE, Manual, PlanContext, Planner


def _digest_manual(finding: Finding, site: Any, ctx: PlanContext) -> Manual:
    return Manual("a digest is never invented: pin the image yourself (and automate its refresh)", "digest")


def _compose_seccomp_manual(finding: Finding, site: Any, ctx: PlanContext) -> Manual:
    return Manual("an unconfined security option was set on purpose; remove it by hand")


FIXERS: Mapping[str, Mapping[str, Planner]] = MappingProxyType(
    {
        "privileges.no_privilege_escalation": {
            "kubernetes": plan_kubernetes.no_privilege_escalation,
            "compose": plan_compose.no_new_privileges,
        },
        "privileges.capabilities_dropped": {
            "kubernetes": plan_kubernetes.capabilities_dropped,
            "compose": plan_compose.cap_drop_all,
        },
        "isolation.seccomp_profile": {
            "kubernetes": plan_kubernetes.seccomp_profile,
            "compose": _compose_seccomp_manual,
        },
        "identity.image_digest_pinned": {
            "kubernetes": plan_kubernetes.image_pull_policy,
            "compose": _digest_manual,
            "dockerfile": _digest_manual,
        },
        "privileges.run_as_non_root": {
            "kubernetes": plan_kubernetes.run_as_non_root,
            "compose": plan_compose.manual_user,
            "dockerfile": plan_compose.manual_user,
        },
        "privileges.read_only_root_filesystem": {
            "kubernetes": plan_kubernetes.read_only_root_filesystem,
            "compose": plan_compose.read_only,
        },
        "admission.service_account_token": {"kubernetes": plan_kubernetes.service_account_token},
        "build.package_index_hygiene": {"dockerfile": plan_dockerfile.apt_lists_cleanup},
        "build.minimal_final_image": {"dockerfile": plan_dockerfile.install_flags},
        "build.copy_not_add": {"dockerfile": plan_dockerfile.add_to_copy},
    }
)

#: What each check's fixers can propose; rule files must declare exactly these (tests/fix/test_registry.py).
APPLICABILITY: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "privileges.no_privilege_escalation": frozenset({SAFE, UNSAFE}),
        "privileges.capabilities_dropped": frozenset({SAFE}),
        "isolation.seccomp_profile": frozenset({SAFE}),
        "identity.image_digest_pinned": frozenset({SAFE, UNSAFE}),
        "privileges.run_as_non_root": frozenset({SAFE, UNSAFE}),
        "privileges.read_only_root_filesystem": frozenset({UNSAFE}),
        "admission.service_account_token": frozenset({UNSAFE}),
        "build.package_index_hygiene": frozenset({SAFE}),
        "build.minimal_final_image": frozenset({SAFE}),
        "build.copy_not_add": frozenset({SAFE}),
    }
)


def planner_for(check: str, artifact: str) -> Planner | None:
    """The planner of a check for an artifact kind; Helm findings use the Kubernetes planner on the render."""
    fixers = FIXERS.get(check)
    if fixers is None:
        return None
    return fixers.get("kubernetes" if artifact == "helm" else artifact)
