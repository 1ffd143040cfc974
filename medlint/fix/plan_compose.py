"""Fixes for Compose services: `security_opt: [no-new-privileges:true]`, `cap_drop: [ALL]`, `read_only: true`.

The service is found from the finding's position (the service key, or a key inside the service). A value
written with a variable (`${...}`) is never touched: what it resolves to is not known here.
"""

from __future__ import annotations

from typing import Any

from medlint.findings import Finding
from medlint.fix.plans import MISSING, SAFE, UNSAFE, Manual, PlanContext, Proposal, Site
from medlint.fix.yaml_edit import YamlChange
from medlint.fix.yamldoc import YamlPath

_TRUE_WORDS = ("1", "t", "true")


def service_path(path: YamlPath) -> YamlPath | None:
    """`(document, "services", name)` from any path inside a service."""
    if len(path) >= 3 and path[1] == "services":
        return path[:3]
    return None


def _service(site: Site) -> YamlPath | Manual:
    service = service_path(site.path)
    if service is None or not isinstance(site.data(service), dict):
        return Manual("the finding does not point into a service of this file")
    return service


def _items(value: Any) -> list[Any] | None:
    if value in (MISSING, None):
        return []
    return value if isinstance(value, list) else None


def no_new_privileges(finding: Finding, site: Site, ctx: PlanContext) -> Proposal | Manual | None:
    service = _service(site)
    if isinstance(service, Manual):
        return service
    options = _items(site.mapping(service).get("security_opt", MISSING))
    if options is None:
        return Manual("security_opt is not a list")
    for option in options:
        text = str(option).strip()
        name = text.replace("=", ":").split(":", 1)[0].strip().lower()
        if name == "no-new-privileges":
            return Manual(f'security_opt has "{text}"; set it to no-new-privileges:true by hand')
    change = YamlChange(service, ("security_opt",), "no-new-privileges:true", append=True)
    return Proposal(SAFE, "add security_opt no-new-privileges:true", (change,))


def cap_drop_all(finding: Finding, site: Site, ctx: PlanContext) -> Proposal | Manual | None:
    if finding.variant != "compose-drop":
        return Manual("an added capability is a decision about what the application needs")
    service = _service(site)
    if isinstance(service, Manual):
        return service
    data = site.mapping(service)
    added = _items(data.get("cap_add", MISSING))
    if added is None or added:
        return Manual("capabilities are added (cap_add); review what the service needs before dropping ALL")
    dropped = _items(data.get("cap_drop", MISSING))
    if dropped is None:
        return Manual("cap_drop is not a list")
    if any("$" in str(item) for item in dropped):
        return Manual("cap_drop is set from a variable")
    change = YamlChange(service, ("cap_drop",), "ALL", append=True)
    return Proposal(SAFE, "add cap_drop: [ALL]", (change,))


def read_only(finding: Finding, site: Site, ctx: PlanContext) -> Proposal | Manual | None:
    if finding.variant:
        return Manual("read_only is set from a variable")
    service = _service(site)
    if isinstance(service, Manual):
        return service
    value = site.mapping(service).get("read_only", MISSING)
    change = YamlChange(service, ("read_only",), True, replace=True)
    if value in (MISSING, None):
        return Proposal(UNSAFE, "set read_only: true", (change,))
    if value is True or str(value).strip().lower() in _TRUE_WORDS + ("yes", "on", "y"):
        return Manual("a bind mount is writable; mount it read-only (:ro) or use a tmpfs or named volume")
    if "$" in str(value):
        return Manual("read_only is set from a variable")
    return Proposal(UNSAFE, f"change read_only: {value} to true", (change,))


def manual_user(finding: Finding, site: Site | None, ctx: PlanContext) -> Manual:
    return Manual("a user id is never invented: set user: (Compose) or USER (Dockerfile) yourself", "user id")
