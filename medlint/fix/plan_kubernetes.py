"""Fixes for Kubernetes containers and pods (also used on the rendered output of Helm charts).

Each planner finds the container (or pod spec) around the finding's position, reads what is written there,
and proposes the setting the rule prescribes, at the level the finding points at (the container). A value
someone wrote on purpose (`allowPrivilegeEscalation: true`, a profile of another type) is changed only by
an unsafe fix or not at all.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any

from medlint.findings import Finding
from medlint.fix.plans import MISSING, SAFE, UNSAFE, Manual, PlanContext, Proposal, Site
from medlint.fix.yaml_edit import YamlChange
from medlint.fix.yamldoc import YamlPath

CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")


def container_path(path: YamlPath) -> YamlPath | None:
    """The path of the container around a located node (`.../containers/0`)."""
    for index in range(len(path) - 1, 1, -1):
        if isinstance(path[index], int) and path[index - 1] in CONTAINER_LISTS:
            return path[: index + 1]
    return None


def pod_spec_path(site: Site) -> YamlPath | None:
    """The pod spec the located node belongs to (the node itself when the finding points at `spec:`)."""
    container = container_path(site.path)
    if container is not None:
        return container[:-2]
    for length in range(len(site.path), 0, -1):
        candidate = site.path[:length]
        data = site.data(candidate)
        if isinstance(data, dict) and isinstance(data.get("containers"), list):
            return candidate
    return None


def _container(site: Site) -> YamlPath | Manual:
    container = container_path(site.path)
    if container is None or not isinstance(site.data(container), dict):
        return Manual("the finding does not point into a container")
    return container


def _normalised_capabilities(value: Any) -> set[str]:
    items = value if isinstance(value, list) else [] if value in (None, MISSING) else [value]
    names = set()
    for item in items:
        text = str(item).strip().upper()
        names.add(text[4:] if text.startswith("CAP_") else text)
    return names


def _escalation_forced(context: dict[str, Any]) -> str | None:
    if context.get("privileged") is True:
        return "privileged: true"
    if "SYS_ADMIN" in _normalised_capabilities((context.get("capabilities") or {}).get("add")):
        return "the added SYS_ADMIN capability"
    return None


# --------------------------------------------------------------------------------------------------
# MD202


def no_privilege_escalation(finding: Finding, site: Site, ctx: PlanContext) -> Proposal | Manual | None:
    container = _container(site)
    if isinstance(container, Manual):
        return container
    context = dict(site.mapping(container, "securityContext"))
    forced = _escalation_forced(context)
    if forced:
        return Manual(f"{forced} allows escalation whatever allowPrivilegeEscalation says; remove it first")
    value = context.get("allowPrivilegeEscalation", MISSING)
    change = YamlChange(container, ("securityContext", "allowPrivilegeEscalation"), False, replace=True)
    if value in (MISSING, None):
        return Proposal(SAFE, "set allowPrivilegeEscalation: false", (change,))
    if value is False:
        return Manual("allowPrivilegeEscalation is already false")
    return Proposal(UNSAFE, f"change allowPrivilegeEscalation: {_text(value)} to false", (change,))


# --------------------------------------------------------------------------------------------------
# MD204


def capabilities_dropped(finding: Finding, site: Site, ctx: PlanContext) -> Proposal | Manual | None:
    if finding.variant:
        return Manual("an added capability is a decision about what the application needs")
    container = _container(site)
    if isinstance(container, Manual):
        return container
    capabilities = site.mapping(container, "securityContext", "capabilities")
    if _normalised_capabilities(capabilities.get("add")):
        return Manual("capabilities are added; review what the application needs before dropping ALL")
    drop = capabilities.get("drop")
    if "ALL" in _normalised_capabilities(drop):
        return Manual("capabilities.drop already has ALL")
    if drop is not None and not isinstance(drop, list):
        return Manual("capabilities.drop is not a list")
    change = YamlChange(container, ("securityContext", "capabilities", "drop"), "ALL", append=True)
    return Proposal(SAFE, "drop ALL capabilities", (change,))


# --------------------------------------------------------------------------------------------------
# MD205 (unsafe: the application may write to its root file system)


def read_only_root_filesystem(finding: Finding, site: Site, ctx: PlanContext) -> Proposal | Manual | None:
    container = _container(site)
    if isinstance(container, Manual):
        return container
    value = site.mapping(container, "securityContext").get("readOnlyRootFilesystem", MISSING)
    change = YamlChange(container, ("securityContext", "readOnlyRootFilesystem"), True, replace=True)
    if value in (MISSING, None):
        return Proposal(UNSAFE, "set readOnlyRootFilesystem: true", (change,))
    if value is True:
        return Manual("readOnlyRootFilesystem is already true")
    return Proposal(UNSAFE, f"change readOnlyRootFilesystem: {_text(value)} to true", (change,))


# --------------------------------------------------------------------------------------------------
# MD209


def seccomp_profile(finding: Finding, site: Site, ctx: PlanContext) -> Proposal | Manual | None:
    if finding.variant:
        return Manual("an Unconfined profile was chosen on purpose; replace it by hand")
    container = _container(site)
    if isinstance(container, Manual):
        return container
    own = site.mapping(container, "securityContext").get("seccompProfile", MISSING)
    pod = site.mapping(container[:-2], "securityContext").get("seccompProfile", MISSING)
    if own not in (MISSING, None) or pod not in (MISSING, None):
        return Manual("a seccompProfile is set but not usable (e.g. Localhost without localhostProfile)")
    change = YamlChange(container, ("securityContext", "seccompProfile", "type"), "RuntimeDefault")
    return Proposal(SAFE, "set seccompProfile: {type: RuntimeDefault}", (change,))


# --------------------------------------------------------------------------------------------------
# MD211 (unsafe: the application may call the Kubernetes API)


def service_account_token(finding: Finding, site: Site, ctx: PlanContext) -> Proposal | Manual | None:
    spec = pod_spec_path(site)
    if spec is None:
        return Manual("the finding does not point at a pod spec")
    value = site.mapping(spec).get("automountServiceAccountToken", MISSING)
    if value not in (MISSING, None):
        return Manual(f"the pod sets automountServiceAccountToken: {_text(value)} on purpose")
    change = YamlChange(spec, ("automountServiceAccountToken",), False)
    return Proposal(UNSAFE, "set automountServiceAccountToken: false on the pod", (change,))


# --------------------------------------------------------------------------------------------------
# MD102 (only the pull policy: a digest is never invented)

_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def image_pull_policy(finding: Finding, site: Site, ctx: PlanContext) -> Proposal | Manual | None:
    if finding.variant != "pull-policy":
        return Manual(
            "a digest is never invented: pin the image yourself (and automate its refresh)", "digest"
        )
    container = _container(site)
    if isinstance(container, Manual):
        return container
    image = site.data(container + ("image",))
    if not isinstance(image, str) or not image.strip() or "$" in image or "{" in image:
        return Manual("the image reference is not a plain value")
    policy = site.data(container + ("imagePullPolicy",))
    tag = _tag(image)
    if policy in (MISSING, None):
        if _DIGEST.search(image):
            return Proposal(
                SAFE,
                "state imagePullPolicy: IfNotPresent (the default for a digest)",
                (_policy(container, "IfNotPresent"),),
            )
        if tag in (None, "latest"):
            return Proposal(
                SAFE,
                "state imagePullPolicy: Always (the default for :latest)",
                (_policy(container, "Always"),),
            )
        return Proposal(
            UNSAFE,
            "state imagePullPolicy: Always (the default would be IfNotPresent, which lets nodes run different images)",
            (_policy(container, "Always"),),
        )
    if policy == "IfNotPresent" and not _DIGEST.search(image):
        return Proposal(
            UNSAFE, "change imagePullPolicy IfNotPresent to Always", (_policy(container, "Always"),)
        )
    return Manual(f"imagePullPolicy {policy!s} is set; pin the image by digest instead")


def _policy(container: YamlPath, value: str) -> YamlChange:
    return YamlChange(container, ("imagePullPolicy",), value, replace=True)


def _tag(image: str) -> str | None:
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


# --------------------------------------------------------------------------------------------------
# MD201


def run_as_non_root(finding: Finding, site: Site, ctx: PlanContext) -> Proposal | Manual | None:
    if finding.variant:
        return Manual("a root user or group is set on purpose; change it by hand")
    container = _container(site)
    if isinstance(container, Manual):
        return container
    own = site.mapping(container, "securityContext")
    pod = site.mapping(container[:-2], "securityContext")
    for where, context in (("container", own), ("pod", pod)):
        value = context.get("runAsNonRoot", MISSING)
        if value not in (MISSING, None, True):
            return Manual(f"runAsNonRoot: {_text(value)} is set at {where} level on purpose")
    user = own.get("runAsUser", pod.get("runAsUser"))
    image = site.data(container + ("image",))
    known = _known_non_root(user, image if isinstance(image, str) else "", finding.rule_id, ctx)
    change = YamlChange(container, ("securityContext", "runAsNonRoot"), True)
    if known:
        return Proposal(SAFE, f"set runAsNonRoot: true ({known})", (change,))
    return Proposal(
        UNSAFE,
        "set runAsNonRoot: true (the image's user is unknown: the kubelet refuses to start it if that is root)",
        (change,),
    )


def _known_non_root(user: Any, image: str, rule_id: str, ctx: PlanContext) -> str | None:
    """Why the container is known to run as a non-root UID, or None."""
    if isinstance(user, int) and not isinstance(user, bool) and user > 0:
        return f"runAsUser {user} is not root"
    if not image:
        return None
    params = ctx.params(rule_id)
    table = params.get("tables", {}).get("nonroot-images", {})
    patterns = [str(row["pattern"]) for row in table.get("rows", ())] + [
        str(p) for p in params.get("nonroot_images", ())
    ]
    if any(fnmatch.fnmatch(image, pattern) for pattern in patterns):
        return f"{image} is listed as a non-root image"
    dockerfile = image_dockerfiles(ctx).get(_repository(image))
    if dockerfile is not None:
        return f"its Dockerfile {dockerfile} ends with a numeric non-root USER"
    return None


def _repository(image: str) -> str:
    name = image.split("@", 1)[0]
    head, _, last = name.rpartition("/")
    last = last.split(":", 1)[0]
    return f"{head}/{last}" if head else last


_NUMERIC_USER = re.compile(r"^(\d+)(?::\d+)?$")


def image_dockerfiles(ctx: PlanContext) -> dict[str, str]:
    """Image repositories built in the project (a Compose service with `build:` and `image:`) whose
    Dockerfile's final stage ends with a numeric, non-zero USER: the kubelet can verify runAsNonRoot."""
    if "image_dockerfiles" in ctx.memo:
        return ctx.memo["image_dockerfiles"]
    found: dict[str, str] = {}
    project = ctx.report.project
    for compose in getattr(project, "compose_projects", ()):
        for service in compose.services:
            container = service.workload.containers[0] if service.workload.containers else None
            image = container.image.written if container is not None and container.image is not None else None
            dockerfile = project.dockerfile(service.dockerfile_path)
            if not image or dockerfile is None:
                continue
            users = [i for i in dockerfile.final_stage.instructions if i.keyword == "USER"]
            match = _NUMERIC_USER.match(users[-1].arguments.strip()) if users else None
            if match and int(match.group(1)) > 0:
                found[_repository(image)] = dockerfile.path
    ctx.memo["image_dockerfiles"] = found
    return found


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else repr(value) if isinstance(value, str) else str(value)
