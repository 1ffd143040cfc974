"""Unit tests for the MD202-MD215 helpers (names, paths, PSS sets) and for what fixtures cannot show:
levels per class and artifact, rule parameters, and rendered Helm objects (artifact HELM)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from medlint.api import lint
from medlint.checks import admission, isolation, privileges
from medlint.checks.privileges import (
    load_standards,
    may_resolve_to,
    normalise_capability,
    normalise_host_path,
    split_security_option,
)
from medlint.config import Config
from medlint.model import ArtifactKind, Project
from medlint.model.interpolation import InterpolatedText
from medlint.parsers.compose import parse_compose
from medlint.parsers.kubernetes import parse_manifest, workload_from_object
from medlint.rulepack import load_table

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = REPO_ROOT / "fixtures"


def _standards(version: str = "latest") -> privileges.PodSecurityStandards:
    return load_standards(
        {
            "tables": {"pod-security-standards": load_table("pod-security-standards")},
            "policy_version": version,
        }
    )


# --------------------------------------------------------------------------------------------------
# Names and paths


@pytest.mark.parametrize(
    "written, expected",
    [
        ("SYS_ADMIN", "SYS_ADMIN"),
        ("cap_sys_admin", "SYS_ADMIN"),
        ("CAP_NET_RAW", "NET_RAW"),
        (" all ", "ALL"),
        ("net_bind_service", "NET_BIND_SERVICE"),
    ],
)
def test_capability_names_compare_without_case_or_prefix(written: str, expected: str) -> None:
    assert normalise_capability(written) == expected


@pytest.mark.parametrize(
    "option, expected",
    [
        ("seccomp:unconfined", ("seccomp", "unconfined")),
        ("seccomp=unconfined", ("seccomp", "unconfined")),
        ("no-new-privileges", ("no-new-privileges", None)),
        ("no-new-privileges=true", ("no-new-privileges", "true")),
        ("label:type:svirt_apache_t", ("label", "type:svirt_apache_t")),
        ("Apparmor=unconfined", ("apparmor", "unconfined")),
    ],
)
def test_security_options_accept_both_spellings(option: str, expected: tuple[str, str | None]) -> None:
    assert split_security_option(option) == expected


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/var/run/docker.sock", "/run/docker.sock"),
        ("/run/docker.sock", "/run/docker.sock"),
        ("//var/run/docker.sock", "/run/docker.sock"),
        ("/var/run/../run/docker.sock/", "/run/docker.sock"),
        ("/etc/ssl/certs/", "/etc/ssl/certs"),
        ("/var/running", "/var/running"),
        ("./data", "./data"),
        ("~/cache", "~/cache"),
    ],
)
def test_host_paths_have_one_canonical_form(path: str, expected: str) -> None:
    assert normalise_host_path(path) == expected


SENSITIVE = [
    "/",
    "/etc",
    "/proc",
    "/sys",
    "/dev",
    "/boot",
    "/usr",
    "/lib",
    "/var/lib/docker",
    "/var/run/docker.sock",
]


@pytest.mark.parametrize(
    "source, expected",
    [
        ("/", "/"),
        ("/etc", "/etc"),
        ("/etc/ssl", "/etc"),
        ("/run/docker.sock", "/var/run/docker.sock"),
        ("/var/run", "/var/run/docker.sock"),
        ("/var", "/var/lib/docker"),
        ("/var/lib/docker/volumes", "/var/lib/docker"),
        ("/srv/app", None),
        ("/var/log", None),
        ("/home/user", None),
        ("/library", None),
        ("./etc", None),
    ],
)
def test_sensitive_paths_match_themselves_children_and_parents(source: str, expected: str | None) -> None:
    assert isolation.sensitive_host_path(source, SENSITIVE) == expected


@pytest.mark.parametrize(
    "source, expected",
    [
        ("${DIR}", True),
        ("${DIR}/certs", True),
        ("/etc/${NAME}", True),
        ("/var/lib/dock${X}", True),
        ("/${X}", True),
        ("./${DIR}", False),
        ("~/${DIR}", False),
        ("/srv/app-${NAME}", False),
        ("/home/${USER}/data", False),
    ],
)
def test_unresolved_mount_sources_that_could_name_a_listed_path(source: str, expected: bool) -> None:
    assert isolation.unresolved_may_expose(source, SENSITIVE) is expected


def test_short_volume_syntax_splits_outside_variables_and_drive_letters() -> None:
    split = privileges._split_short_volume
    assert split("/a:/b:ro") == ["/a", "/b", "ro"]
    assert split("${DIR:-/x}:/data") == ["${DIR:-/x}", "/data"]
    assert split("C:\\data:/data") == ["C:\\data", "/data"]
    assert split("named") == ["named"]


def test_unresolved_values_that_cannot_become_host_are_not_host() -> None:
    assert may_resolve_to("${MODE}", "host")
    assert may_resolve_to("ho${SUFFIX}", "host")
    assert not may_resolve_to("container:${NAME}", "host")
    assert not may_resolve_to("service:${NAME}", "host")


# --------------------------------------------------------------------------------------------------
# Pod Security Standards table


def test_table_matches_its_schema() -> None:
    import jsonschema

    schema = json.loads((REPO_ROOT / "schemas" / "table.schema.json").read_text(encoding="utf-8"))
    table = yaml.safe_load(
        (REPO_ROOT / "rules" / "data" / "pod-security-standards.yaml").read_text(encoding="utf-8")
    )
    jsonschema.validate(table, schema)


def test_sysctl_safe_set_grows_with_the_policy_version() -> None:
    assert _standards("v1.26").allowed("safe-sysctl") == {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
    }
    assert "net.ipv4.ip_local_reserved_ports" in _standards("1.27").allowed("safe-sysctl")
    assert "net.ipv4.tcp_rmem" not in _standards("1.31").allowed("safe-sysctl")
    assert len(_standards("1.32").allowed("safe-sysctl")) == 12


def test_latest_uses_only_verified_rows() -> None:
    latest = _standards("latest")
    assert latest.version == (1, 35)
    assert "net.ipv4.tcp_slow_start_after_idle" not in latest.allowed("safe-sysctl")


def test_version_gated_checks() -> None:
    assert not _standards("1.33").has_feature("host-probes-and-lifecycle")
    assert _standards("1.34").has_feature("host-probes-and-lifecycle")
    assert "container_engine_t" not in _standards("1.30").allowed("selinux-type")
    assert _standards("1.31").allows("selinux-type", "container_engine_t")
    assert _standards().allows("apparmor-annotation", "localhost/k8s-app")
    assert not _standards().allows("apparmor-annotation", "unconfined")


def test_baseline_capabilities_exclude_net_raw() -> None:
    baseline = _standards().allowed("baseline-capability")
    assert len(baseline) == 13 and "NET_RAW" not in baseline and "NET_BIND_SERVICE" in baseline


# --------------------------------------------------------------------------------------------------
# Levels per class, artifact and variant (the fixture test runs class C only)


def _levels(
    case: str, safety_class: str, rule: str, params: dict[str, Any] | None = None
) -> list[tuple[int, str]]:
    config = Config(params={rule: params or {}})
    report = lint([f"fixtures/{case}"], cwd=REPO_ROOT, safety_class=safety_class, config=config)
    return sorted((f.location.line, f.level.value) for f in report.result.findings if f.rule_id == rule)


def _line(case: str, text: str) -> int:
    """The number of the first fixture line containing `text`, so tests survive fixture edits."""
    lines = (FIXTURES / case).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def test_read_only_levels_differ_per_artifact() -> None:
    assert {level for _, level in _levels("MD205/fail/kubernetes.yaml", "A", "MD205")} == {"warning"}
    assert {level for _, level in _levels("MD205/fail/kubernetes.yaml", "C", "MD205")} == {"error"}
    compose_a = dict(_levels("MD205/fail/compose-read-only.yaml", "A", "MD205"))
    case = "MD205/fail/compose-read-only.yaml"
    assert (
        compose_a[_line(case, "writable:")] == "note" and compose_a[_line(case, "${READ_ONLY}")] == "warning"
    )
    assert {level for _, level in _levels("MD205/fail/compose-read-only.yaml", "C", "MD205")} == {"warning"}


def test_escalation_levels() -> None:
    case = "MD202/fail/kubernetes.yaml"
    levels = dict(_levels(case, "A", "MD202"))
    assert levels[_line(case, "allowPrivilegeEscalation: true")] == "error"
    assert levels[_line(case, "name: migrate")] == "warning"
    assert {level for _, level in _levels("MD202/fail/compose-no-new-privileges.yaml", "C", "MD202")} == {
        "warning"
    }


def test_capability_levels() -> None:
    case = "MD204/fail/compose-capabilities.yaml"
    compose = dict(_levels(case, "A", "MD204"))
    assert compose[_line(case, "cap_drop:  #")] == "warning" and compose[_line(case, "- CHOWN")] == "warning"
    assert compose[_line(case, "CAP_SYS_ADMIN")] == "error"
    case = "MD204/fail/kubernetes.yaml"
    kubernetes = dict(_levels(case, "A", "MD204"))
    assert (
        kubernetes[_line(case, "- SYS_ADMIN")] == "error" and kubernetes[_line(case, "- NET_RAW")] == "error"
    )
    assert (
        kubernetes[_line(case, "- CHOWN")] == "warning"
        and kubernetes[_line(case, "drop: [NET_RAW]")] == "warning"
    )


def test_pod_security_admission_levels_per_class() -> None:
    case = "MD214/fail/kubernetes.yaml"
    for safety_class, expected in (("A", None), ("B", None), ("C", "error")):
        assert dict(_levels(case, safety_class, "MD214")).get(_line(case, "enforce: baseline")) == expected
    assert dict(_levels(case, "A", "MD214"))[_line(case, "enforce: privileged")] == "note"
    assert dict(_levels(case, "B", "MD214"))[_line(case, "enforce: privileged")] == "warning"
    assert dict(_levels(case, "C", "MD214"))[_line(case, "enforce-version: latest")] == "note"


def test_signature_audit_mode_matters_only_for_class_c() -> None:
    case = "MD215/fail/kyverno-audit.yaml"
    audit, uncovered = _line(case, "validationFailureAction: Audit"), _line(case, "envoyproxy/envoy")
    assert _levels(case, "B", "MD215") == [(uncovered, "warning")]
    assert _levels(case, "C", "MD215") == [(audit, "warning"), (uncovered, "warning")]


def test_init_containers_can_be_exempted_from_read_only() -> None:
    lines = [
        line
        for line, _ in _levels("MD205/fail/kubernetes.yaml", "C", "MD205", {"exempt_init_containers": True})
    ]
    assert _line("MD205/fail/kubernetes.yaml", "init-permissions") not in lines and lines


def test_cyber_device_flag_gates_signature_enforcement() -> None:
    assert _levels("MD215/fail/no-policy.yaml", "C", "MD215", {"cyber_device": False}) == []


def test_external_namespace_declaration() -> None:
    declared = {"external_namespaces": {"not-in-bundle": "restricted"}}
    line = _line("MD214/fail/kubernetes.yaml", "namespace: not-in-bundle")
    assert line in dict(_levels("MD214/fail/kubernetes.yaml", "C", "MD214"))
    assert line not in dict(_levels("MD214/fail/kubernetes.yaml", "C", "MD214", declared))


# --------------------------------------------------------------------------------------------------
# Rendered Helm objects are Kubernetes objects with artifact HELM


RENDERED = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: release-api
  namespace: default
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: registry.example.com/api:1.4.2
          securityContext: {privileged: true, allowPrivilegeEscalation: true}
          ports: [{containerPort: 8080, hostPort: 8080}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: release-settings
"""


def _rendered_project() -> Project:
    objects = parse_manifest("chart/templates/rendered.yaml", RENDERED, rendered_from="chart")
    workloads = [workload for workload in map(workload_from_object, objects) if workload is not None]
    return Project(k8s_objects=tuple(objects), workloads=tuple(workloads))


@pytest.mark.parametrize(
    "check, params",
    [
        (privileges.no_privilege_escalation, {}),
        (privileges.no_privileged, {}),
        (isolation.no_host_ports, {}),
    ],
)
def test_rendered_objects_are_reported_as_helm(check: Any, params: dict[str, Any]) -> None:
    violations = list(check(_rendered_project(), params))
    assert violations and all(violation.artifact is ArtifactKind.HELM for violation in violations)


def test_rendered_namespace_default_is_hard_coded_but_missing_is_the_release_namespace() -> None:
    params: dict[str, list[str]] = {"cluster_scoped_kinds": [], "tool_config_api_groups": []}
    violations = [v for v in admission.namespace_isolation(_rendered_project(), params) if v.variant is None]
    assert [(v.location.line, v.artifact) for v in violations] == [(5, ArtifactKind.HELM)]


# --------------------------------------------------------------------------------------------------
# Compose model details the checks rely on


def test_compose_mounts_resolve_bind_volumes_and_unresolved_sources() -> None:
    text = (
        "services:\n  app:\n    image: x\n    volumes:\n      - host-etc:/mnt\n      - ${DIR}:/data\n"
        "      - cache:/cache\nvolumes:\n  cache: {}\n  host-etc:\n    driver_opts: {o: bind, device: /etc}\n"
    )
    compose = parse_compose("compose.yaml", text)
    mounts = privileges.compose_mounts(compose.services[0].workload, compose)
    assert [(m.kind, m.source, m.unresolved, m.via_volume) for m in mounts] == [
        ("bind", "/etc", False, "host-etc"),
        ("bind", "${DIR}", True, None),
        ("volume", "cache", False, None),
    ]


def test_interpolated_values_keep_unresolved_references_visible() -> None:
    compose = parse_compose("compose.yaml", "services:\n  app:\n    image: x\n    ipc: container:${EXT}\n")
    value = compose.services[0].raw["ipc"]
    assert isinstance(value, InterpolatedText) and privileges.is_unresolved(value)


# --------------------------------------------------------------------------------------------------
# Acceptance on the bundled example


def test_medical_app_container_lacks_hardening() -> None:
    """k8s/deployment.yaml: medical-app has no readOnlyRootFilesystem, allowPrivilegeEscalation or drop."""
    report = lint(["examples/medical-device"], cwd=REPO_ROOT)
    path = "examples/medical-device/k8s/deployment.yaml"
    line = _line("../examples/medical-device/k8s/deployment.yaml", "- name: medical-app")
    found = {
        f.rule_id
        for f in report.result.findings
        if f.location.path == path and f.location.line == line and '"medical-app"' in f.message
    }
    assert {"MD202", "MD204", "MD205"} <= found
