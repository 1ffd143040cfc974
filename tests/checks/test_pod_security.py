"""The Pod Security Standards table and the allow-lists in force at each policy version."""

from __future__ import annotations

import json

import yaml

from medlint.checks.pod_security import PodSecurityStandards, load_standards
from medlint.rulepack import load_table
from tests.conftest import REPO_ROOT


def _standards(version: str = "latest") -> PodSecurityStandards:
    return load_standards(
        {
            "tables": {"pod-security-standards": load_table("pod-security-standards")},
            "policy_version": version,
        }
    )


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
