"""MD703 audit-policy: an audit Policy that logs exec and everything else, without recording secret values.

The evaluator follows the API server's audit policy semantics: the first rule that matches a request decides
its level; `resources` entries match `res`, `res/sub`, `*`, `*/sub` and `res/*`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from medlint.findings import Violation
from medlint.model import ArtifactKind, K8sObject, Location, Node, Project

AUDIT_LOGS_PAYLOAD = ("Request", "RequestResponse")
SENSITIVE_RESOURCES = (("", "secrets"), ("", "configmaps"), ("authentication.k8s.io", "tokenreviews"))
INTERACTIVE_RESOURCES = (("", "pods", "exec"), ("", "pods", "portforward"))
RESTRICTIONS = ("users", "userGroups", "verbs", "namespaces", "resources", "nonResourceURLs")


def rule_matches_resource(
    rule: Mapping[str, Any], group: str, resource: str, subresource: str = "", ignore_names: bool = True
) -> bool:
    """Can this audit rule match requests for group/resource[/subresource]? (apiserver's ruleMatchesResource)

    Users, verbs and namespaces are not looked at; `resourceNames` only when ignore_names is False.
    """
    if rule.get("nonResourceURLs") and not rule.get("resources") and not rule.get("namespaces"):
        return False
    entries = rule.get("resources")
    if not entries:
        return True
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, Mapping) or str(entry.get("group") or "") != group:
            continue
        if not ignore_names and entry.get("resourceNames"):
            continue
        names = entry.get("resources")
        if not names:
            return True
        if any(_resource_name_matches(str(name), resource, subresource) for name in names):
            return True
    return False


def _resource_name_matches(name: str, resource: str, subresource: str) -> bool:
    """`resources` entry semantics of the audit policy: exact `res/sub`, `*`, `*/sub` or `res/*`."""
    combined = f"{resource}/{subresource}" if subresource else resource
    if name in (combined, "*"):
        return True
    if not subresource:
        return False
    return name == f"*/{subresource}" or (name.endswith("/*") and name[:-2] == resource)


def _unrestricted_for(
    rule: Mapping[str, Any], group: str, resource: str, subresource: str = "", verb: str | None = None
) -> bool:
    """Does the rule match every request for the resource (any user, namespace and name; this verb or any)?"""
    if rule.get("users") or rule.get("userGroups") or rule.get("namespaces"):
        return False
    verbs = rule.get("verbs")
    if verbs and (verb is None or verb not in [str(v) for v in verbs]):
        return False
    return rule_matches_resource(rule, group, resource, subresource, ignore_names=False)


def payload_rules(rules: list[Any], group: str, resource: str) -> Iterator[int]:
    """Indexes of rules that record request bodies of the resource for some request, honouring first-match."""
    for index, rule in enumerate(rules):
        if not isinstance(rule, Mapping):
            continue
        if rule_matches_resource(rule, group, resource) and str(rule.get("level")) in AUDIT_LOGS_PAYLOAD:
            yield index
        if _unrestricted_for(rule, group, resource):
            return  # every later rule is shadowed for this resource


def effective_level(
    rules: list[Any], group: str, resource: str, subresource: str, verb: str
) -> tuple[str, int | None]:
    """The level of an ordinary request (any user, any namespace): the first rule matching all of them."""
    for index, rule in enumerate(rules):
        if isinstance(rule, Mapping) and _unrestricted_for(rule, group, resource, subresource, verb):
            return str(rule.get("level")), index
    return "None", None


def _is_catch_all(rule: Any) -> bool:
    return isinstance(rule, Mapping) and not any(rule.get(key) for key in RESTRICTIONS)


def _rule_location(policy: K8sObject, index: int) -> Location:
    return policy.document.get("rules").get(index).location


def _sensitive_payloads(policy: K8sObject, rules: list[Any]) -> Iterator[Violation]:
    by_rule: dict[int, list[str]] = {}
    for group, resource in SENSITIVE_RESOURCES:
        for index in payload_rules(rules, group, resource):
            by_rule.setdefault(index, []).append(resource)
    for index, resources in sorted(by_rule.items()):
        level = rules[index].get("level")
        yield Violation(
            _rule_location(policy, index),
            f"audit Policy rule {index + 1} logs {' and '.join(resources)} at {level}, "
            "which writes their values into the audit log; use Metadata",
            f"{policy.subject}/rules[{index}]/payload",
            policy.artifact,
            variant="sensitive-payload",
        )


def _catch_all(policy: K8sObject, rules: list[Any]) -> Iterator[Violation]:
    rules_location = (
        policy.document.key_location_of("rules") if "rules" in policy.document else policy.location
    )
    if not rules or not _is_catch_all(rules[-1]):
        where = _rule_location(policy, len(rules) - 1) if rules else rules_location
        yield Violation(
            where,
            "audit Policy does not end with a catch-all rule (no resource or verb restriction), "
            "so unlisted requests are not audited",
            f"{policy.subject}/catch-all",
            policy.artifact,
            variant="no-catch-all",
        )
    elif str(rules[-1].get("level")) == "None":
        yield Violation(
            _rule_location(policy, len(rules) - 1),
            "audit Policy ends with a catch-all rule at level None, so unlisted requests are not audited",
            f"{policy.subject}/catch-all",
            policy.artifact,
            variant="no-catch-all",
        )


def _interactive_access(policy: K8sObject, rules: list[Any]) -> Iterator[Violation]:
    for group, resource, subresource in INTERACTIVE_RESOURCES:
        level, index = effective_level(rules, group, resource, subresource, "create")
        if level != "None":
            continue
        where = _rule_location(policy, index) if index is not None else policy.location
        reason = f"rule {index + 1} sets level None" if index is not None else "no rule matches it"
        yield Violation(
            where,
            f"audit Policy does not log {resource}/{subresource} ({reason}), "
            "so interactive access to containers leaves no trace",
            f"{policy.subject}/{resource}/{subresource}",
            policy.artifact,
            variant="interactive-access",
        )


def _omitted_request_received(policy: K8sObject, rules: list[Node]) -> Iterator[Violation]:
    places = [(policy.document, "the Policy")] + [
        (rule, f"rule {i + 1}") for i, rule in enumerate(rules) if rule.is_map
    ]
    for mapping, what in places:
        stages = mapping.get("omitStages")
        if "RequestReceived" in [str(s.plain()) for s in stages.elements()]:
            yield Violation(
                mapping.key_location_of("omitStages"),
                f"{what} of the audit Policy omits the RequestReceived stage, so requests that never complete are not recorded",
                f"{policy.subject}/omitStages:{what}",
                policy.artifact,
                variant="omit-stages",
            )


def _first_location(project: Project) -> Location:
    objects = sorted(project.k8s_objects, key=lambda obj: (obj.path, obj.location.line))
    if objects:
        return Location(objects[0].path)
    return Location(project.files[0].path) if project.files else Location(".")


def audit_policies(project: Project) -> list[K8sObject]:
    return list(project.index.objects("Policy", "audit.k8s.io/"))


def audit_policy(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD703: an audit Policy that logs exec and everything else, without recording secret values.

    A scanned Policy is cluster configuration, so it is always checked; "no Policy at all" is reported only
    when the configuration says cluster configuration is in scope (`cluster_config_in_scope`).
    """
    in_scope = bool(params.get("cluster_config_in_scope"))
    policies = audit_policies(project)
    if not policies and in_scope:
        yield Violation(
            _first_location(project),
            "no Kubernetes audit Policy (audit.k8s.io/v1) is in the scanned cluster configuration",
            "audit-policy",
            ArtifactKind.KUBERNETES,
        )
    for policy in policies:
        rule_nodes = policy.document.get("rules").elements()
        rules = [rule.plain() for rule in rule_nodes]
        yield from _sensitive_payloads(policy, rules)
        yield from _catch_all(policy, rules)
        yield from _interactive_access(policy, rules)
        yield from _omitted_request_received(policy, rule_nodes)
