"""`.Capabilities.APIVersions` offers what a kube-apiserver of the target version serves by default.

Helm's default capabilities list the group/versions compiled into the Helm binary for every
`--kube-version`, with removed betas and without `apiregistration.k8s.io/v1`; medlint reads the built-in
group/versions per minor version from the sourced table `rules/data/kubernetes-api-versions.yaml`, so a chart
that asks the cluster which API to use renders what a real install of that version gets.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from medlint.helm.kube_apis import builtin_api_versions
from medlint.rulepack import load_table
from tests.helm.test_render import REPO_ROOT, cli_runner, make_chart, render

#: What kubernetes/kubernetes pkg/controlplane/instance.go enables by default in v1.31
#: (stableAPIGroupVersionsEnabledByDefault and legacyBetaEnabledByDefaultResources), plus the groups of the
#: apiextensions-apiserver and the kube-aggregator that kube-apiserver also serves.
KUBERNETES_1_31 = {
    "v1",
    "admissionregistration.k8s.io/v1",
    "apps/v1",
    "authentication.k8s.io/v1",
    "authorization.k8s.io/v1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "certificates.k8s.io/v1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "events.k8s.io/v1",
    "networking.k8s.io/v1",
    "node.k8s.io/v1",
    "policy/v1",
    "rbac.authorization.k8s.io/v1",
    "storage.k8s.io/v1",
    "scheduling.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "apiextensions.k8s.io/v1",
    "apiregistration.k8s.io/v1",
}


def test_the_default_version_serves_what_the_apiserver_enables() -> None:
    assert set(builtin_api_versions("1.31.0")) == KUBERNETES_1_31


@pytest.mark.parametrize(
    "version, present, absent",
    [
        ("1.30.0", {"apiregistration.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1"}, {"policy/v1beta1"}),
        (
            "v1.21.4",
            {"policy/v1beta1", "policy/v1", "batch/v1beta1", "extensions/v1beta1"},
            {"autoscaling/v2"},
        ),
        (
            "1.22",
            {"autoscaling/v2beta2", "batch/v1beta1"},
            {"extensions/v1beta1", "networking.k8s.io/v1beta1"},
        ),
        ("1.25.0", {"autoscaling/v2beta2", "flowcontrol.apiserver.k8s.io/v1beta2"}, {"batch/v1beta1"}),
        ("1.32.0", {"flowcontrol.apiserver.k8s.io/v1"}, {"flowcontrol.apiserver.k8s.io/v1beta3"}),
        ("1.34.1", {"resource.k8s.io/v1"}, {"resource.k8s.io/v1beta1"}),
        ("1.16.0", {"apiextensions.k8s.io/v1", "apps/v1"}, {"apps/v1beta1", "apps/v1beta2"}),
    ],
)
def test_group_versions_follow_the_target_version(version: str, present: set[str], absent: set[str]) -> None:
    served = set(builtin_api_versions(version))
    assert present <= served and not absent & served


def test_newer_versions_get_the_newest_set() -> None:
    assert builtin_api_versions("1.40.0") == builtin_api_versions("1.34.0")


def test_every_row_is_sourced_and_its_bounds_are_ordered() -> None:
    for row in load_table("kubernetes-api-versions")["rows"]:
        assert row["source"] and row["retrieved"], row
        since = tuple(int(part) for part in row["since"].split("."))
        if row.get("until"):
            assert since < tuple(int(part) for part in row["until"].split(".")), row


def test_templates_see_the_target_versions_apis(tmp_path: Path) -> None:
    chart = make_chart(
        tmp_path / "app",
        {
            "cm.yaml": (
                "kind: ConfigMap\ndata:\n"
                '  aggregator: {{ .Capabilities.APIVersions.Has "apiregistration.k8s.io/v1" }}\n'
                '  pdb: {{ .Capabilities.APIVersions.Has "policy/v1beta1" }}\n'
                '  extra: {{ .Capabilities.APIVersions.Has "example.com/v1" }}\n'
            )
        },
    )
    text = render(chart, kube_version="1.30.0", api_versions=("example.com/v1",))
    assert "aggregator: true" in text and "pdb: false" in text and "extra: true" in text
    old = render(chart, kube_version="1.20.0")
    assert "pdb: true" in old and "extra: false" in old


def test_a_chart_that_asks_the_cluster_renders_the_current_apis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)
    from medlint.cli import main

    chart = "fixtures/MD115/pass/rendered-asks-the-cluster"
    result = cli_runner().invoke(main, ["render", chart, "--kube-version", "1.30.0"])
    assert result.exit_code == 0, result.stderr
    versions = [line for line in result.stdout.splitlines() if line.startswith("apiVersion:")]
    assert versions == [
        "apiVersion: policy/v1",
        "apiVersion: autoscaling/v2",
        "apiVersion: apiregistration.k8s.io/v1",
    ]
    checked = cli_runner().invoke(
        main, ["check", chart, "--kube-version", "1.30.0", "--select", "MD115", "--format", "json"]
    )
    assert checked.exit_code == 0 and '"rule_id"' not in checked.stdout
