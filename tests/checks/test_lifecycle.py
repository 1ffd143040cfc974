"""MD114 and MD115: tag-to-version mapping, table matching, and date and version comparisons with a fixed
evaluation date (never the real clock)."""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest

from medlint.checks.lifecycle import deprecated_api_version, soup_end_of_support
from medlint.model import ArtifactKind, Project
from medlint.model.images import parse_image_reference
from medlint.model.support import (
    cycle_matches,
    end_date,
    matching_entries,
    support_entries,
    tag_has_marker,
    tag_version,
)
from medlint.parsers.dockerfile import dockerfile_workload, parse_dockerfile
from medlint.parsers.helm import parse_chart
from medlint.parsers.kubernetes import parse_manifest, workload_from_object
from medlint.rulepack import load_table
from medlint.source import Location
from tests.conftest import REPO_ROOT

EOS = load_table("end-of-support")
APIS = load_table("deprecated-apis")
HERE = Location("test")


def image(reference: str) -> Any:
    return parse_image_reference(reference, HERE)


def dockerfile_project(text: str) -> Project:
    dockerfile = parse_dockerfile("Dockerfile", text)
    return Project(dockerfiles=(dockerfile,), workloads=(dockerfile_workload(dockerfile),))


def manifest_project(text: str, rendered_from: str | None = None, charts: tuple[Any, ...] = ()) -> Project:
    objects = tuple(parse_manifest("k8s.yaml", text, rendered_from=rendered_from))
    workloads = tuple(w for w in (workload_from_object(obj) for obj in objects) if w is not None)
    return Project(k8s_objects=objects, workloads=workloads, charts=charts)


def eos_params(today: datetime.date, table: Any = EOS, **extra: Any) -> dict[str, Any]:
    return {
        "tables": {"end-of-support": table},
        "today": today,
        "warning_horizon_days": 180,
        "mirror_prefixes": ["mirror.gcr.io", "public.ecr.aws/docker/library"],
        **extra,
    }


def with_rows_verified(*ids: str) -> Any:
    """A copy of the shipped table with some unverified rows treated as verified (to test their logic)."""
    table = copy.deepcopy(dict(EOS))
    for row in table["rows"]:
        if row.get("id") in ids:
            row["verified"] = True
    return table


# --------------------------------------------------------------------------------------------------
# Tags to versions


@pytest.mark.parametrize(
    "tag, version",
    [
        ("16-alpine", (16,)),
        ("16", (16,)),
        ("3.8.18-slim", (3, 8, 18)),
        ("13-alpine", (13,)),
        ("20.04", (20, 4)),
        ("v1.2.3", (1, 2, 3)),
        ("3.11-rc-bookworm", (3, 11)),
        ("1.21_alpine", (1, 21)),
        ("bullseye-slim", None),
        ("latest", None),
        ("lts-alpine", None),
        ("alpine", None),
        ("16abc", None),
        (None, None),
    ],
)
def test_tag_version(tag: str | None, version: tuple[int, ...] | None) -> None:
    assert tag_version(tag) == version


@pytest.mark.parametrize(
    "cycle, version, matches",
    [
        ("3.8", (3, 8), True),
        ("3.8", (3, 8, 18), True),
        ("3.8", (3, 80), False),
        ("3.8", (3,), False),  # `python:3` floats across minors: no guess
        ("16", (16, 20, 2), True),
        ("16", (160,), False),
        ("20.04", (20, 4), True),
        ("6.0", (6,), False),
        ("all", (1,), False),
    ],
)
def test_cycle_matches_by_segment(cycle: str, version: tuple[int, ...], matches: bool) -> None:
    assert cycle_matches(cycle, version) is matches


def test_tag_markers_are_whole_words() -> None:
    assert tag_has_marker("16-bullseye-slim", "bullseye")
    assert tag_has_marker("bullseye", "bullseye")
    assert tag_has_marker("3.11-alpine3.16", "alpine3.16")
    assert not tag_has_marker("3.11-alpine3.160", "alpine3.16")
    assert not tag_has_marker("3.11-alpine3.1", "alpine3.16")
    assert tag_has_marker("13.4.0-debian-11-r1", "debian-11")
    assert not tag_has_marker("13.4.0-debian-110", "debian-11")


def ids(reference: str, table: Any = EOS) -> set[str]:
    return {
        entry.id for entry in matching_entries(image(reference), support_entries(table), ["mirror.gcr.io"])
    }


@pytest.mark.parametrize(
    "reference, expected",
    [
        ("node:16-alpine", {"nodejs-16"}),
        ("node:16", {"nodejs-16"}),
        ("node:16-bullseye", {"nodejs-16", "debian-11"}),
        ("debian:bullseye-slim", {"debian-11"}),
        ("debian:11.9", {"debian-11"}),
        ("postgres:13-alpine", {"postgresql-13"}),
        ("docker.io/library/postgres:13.4", {"postgresql-13"}),
        ("mirror.gcr.io/library/node:16.20.2", {"nodejs-16"}),
        ("bitnami/postgresql:13.4.0-debian-11-r1", {"postgresql-13", "debian-11"}),
        ("node:14.17.3-alpine3.14", {"nodejs-14", "alpine-3.14"}),
        ("eclipse-temurin:17-jre-focal", {"ubuntu-20.04"}),
        ("ubuntu:kinetic", {"ubuntu-22.10"}),
        ("ros:kinetic", set()),  # interim Ubuntu codenames only count on ubuntu images
        ("registry.example.com/node:16", set()),  # another registry's "node" is not the official image
        ("node:lts", set()),
        ("python:3", set()),
        ("node@sha256:" + "a" * 64, set()),  # digest-only: evaluated only through the SBOM
    ],
)
def test_image_to_entries(reference: str, expected: set[str]) -> None:
    assert ids(reference) == expected


def test_unverified_rows_stay_inactive() -> None:
    assert ids("python:3.8.18-slim") == set()
    assert ids("redis:6.0.20") == set()
    assert ids("registry.k8s.io/ingress-nginx/controller:v1.11.0") == set()
    verified = with_rows_verified("python-3.8", "redis-6.0", "ingress-nginx")
    assert ids("python:3.8.18-slim", verified) == {"python-3.8"}
    assert ids("python:3.80", verified) == set()
    assert ids("redis:6.0.20", verified) == {"redis-6.0"}
    assert ids("redis:6", verified) == set()  # floats to 6.2, which Redis still maintains
    assert ids("registry.k8s.io/ingress-nginx/controller:v1.11.0", verified) == {"ingress-nginx"}


def test_month_precision_is_the_last_day_of_the_month() -> None:
    assert end_date("2026-03") == datetime.date(2026, 3, 31)
    assert end_date("2024-02") == datetime.date(2024, 2, 29)
    assert end_date("2023-09-11") == datetime.date(2023, 9, 11)
    assert end_date(None) is None and end_date("") is None and end_date("soon") is None


# --------------------------------------------------------------------------------------------------
# Dates: Node.js 16 ended on 2023-09-11


NODE16 = "FROM node:16-alpine\nUSER node\n"


def eos_findings(project: Project, today: datetime.date, table: Any = EOS, **extra: Any) -> list[Any]:
    return list(soup_end_of_support(project, eos_params(today, table, **extra)))


@pytest.mark.parametrize(
    "today, variant",
    [
        (datetime.date(2023, 9, 12), None),  # the day after: past, default level
        (datetime.date(2030, 1, 1), None),
        (datetime.date(2023, 9, 11), "horizon"),  # the last day of support: not yet past
        (datetime.date(2023, 3, 15), "horizon"),  # exactly 180 days before
    ],
)
def test_end_of_support_boundaries(today: datetime.date, variant: str | None) -> None:
    found = eos_findings(dockerfile_project(NODE16), today)
    assert [(f.variant, f.location.line) for f in found] == [(variant, 1)]
    assert "Node.js 16" in found[0].message and "2023-09-11" in found[0].message


def test_outside_the_horizon_is_quiet() -> None:
    assert eos_findings(dockerfile_project(NODE16), datetime.date(2023, 3, 14)) == []


def test_the_horizon_is_configurable() -> None:
    assert eos_findings(dockerfile_project(NODE16), datetime.date(2023, 9, 1), warning_horizon_days=5) == []


def test_today_may_be_given_as_text() -> None:
    found = list(
        soup_end_of_support(
            dockerfile_project(NODE16), {**eos_params(datetime.date(2000, 1, 1)), "today": "2024-01-01"}
        )
    )
    assert [f.variant for f in found] == [None]


def test_every_stage_and_copy_from_image() -> None:
    text = "FROM node:16 AS build\nRUN true\nFROM alpine:3.22\nCOPY --from=python:3.7 /usr /usr\nCOPY --from=build /a /a\n"
    found = eos_findings(dockerfile_project(text), datetime.date(2026, 1, 1))
    assert sorted((f.location.line, f.subject.rsplit("/", 1)[-1]) for f in found) == [
        (1, "eos:nodejs-16"),
        (4, "eos:python-3.7"),
    ]


def test_unresolved_tag_of_a_tracked_image_is_a_warning() -> None:
    text = "ARG NODE_VERSION\nFROM node:${NODE_VERSION}-alpine\n"
    found = eos_findings(dockerfile_project(text), datetime.date(2026, 1, 1))
    assert [(f.variant, f.location.line) for f in found] == [("unresolved", 2)]
    text = "ARG BASE\nFROM ${BASE}\n"
    assert eos_findings(dockerfile_project(text), datetime.date(2026, 1, 1)) == []


def test_kubernetes_init_containers_and_ingress_heuristic() -> None:
    manifest = """
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - {name: init, image: "postgres:12"}
  containers:
    - {name: app, image: "registry.example.com/app:1.0.0"}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations:
    kubernetes.io/ingress.class: nginx
spec: {}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: other}
spec: {ingressClassName: traefik}
"""
    project = manifest_project(manifest)
    today = datetime.date(2026, 6, 1)
    assert [(f.location.line, f.variant) for f in eos_findings(project, today)] == [(7, None)]
    verified = with_rows_verified("ingress-nginx")
    found = eos_findings(project, today, verified)
    assert sorted((f.location.line, f.variant) for f in found) == [(7, None), (16, "ingress-class")]
    assert all(f.artifact is ArtifactKind.KUBERNETES for f in found)


def test_chart_dependency_on_the_retired_controller() -> None:
    chart_yaml = """apiVersion: v2
name: edge
version: 1.0.0
dependencies:
  - name: ingress-nginx
    version: 4.11.3
    repository: https://kubernetes.github.io/ingress-nginx/
"""
    chart = parse_chart("edge", "edge/Chart.yaml", chart_yaml)
    project = Project(charts=(chart,))
    assert eos_findings(project, datetime.date(2026, 6, 1)) == []
    found = eos_findings(project, datetime.date(2026, 6, 1), with_rows_verified("ingress-nginx"))
    assert [(f.location.line, f.artifact) for f in found] == [(5, ArtifactKind.HELM)]
    # the retirement ends in March 2026, compared as 2026-03-31
    assert [
        f.variant
        for f in eos_findings(project, datetime.date(2026, 3, 31), with_rows_verified("ingress-nginx"))
    ] == ["horizon"]


# --------------------------------------------------------------------------------------------------
# MD115 targets


HPA = """apiVersion: autoscaling/v2beta2
kind: HorizontalPodAutoscaler
metadata: {name: api}
spec: {}
"""


def api_findings(project: Project, **params: Any) -> list[Any]:
    return list(deprecated_api_version(project, {"tables": {"deprecated-apis": APIS}, **params}))


@pytest.mark.parametrize(
    "target, expected",
    [
        ("1.22", None),  # before the deprecation (1.23)
        ("1.23", "deprecated since Kubernetes 1.23, removed in 1.26"),
        ("v1.25.4", "deprecated since Kubernetes 1.23, removed in 1.26"),
        ("1.26", "removed in Kubernetes 1.26"),
    ],
)
def test_configured_target(target: str, expected: str | None) -> None:
    found = api_findings(manifest_project(HPA), target_kube_version=target)
    assert [expected in f.message for f in found] == ([] if expected is None else [True])


def test_without_target_the_newest_table_version_is_used_and_said() -> None:
    (finding,) = api_findings(manifest_project(HPA))
    assert (
        "removed in Kubernetes 1.26" in finding.message
        and "newest version in the API table" in finding.message
    )


def chart_with_kube_version(kube_version: str) -> Any:
    return parse_chart(
        "chart",
        "chart/Chart.yaml",
        f'apiVersion: v2\nname: c\nversion: 1.0.0\nkubeVersion: "{kube_version}"\n',
    )


@pytest.mark.parametrize(
    "kube_version, expected",
    [
        (">=1.20.0-0 <1.24.0-0", "deprecated since Kubernetes 1.23"),  # upper end 1.23
        ("<=1.22.x", None),
        (">=1.19.0-0", "newest version in the API table"),  # open-ended
        ("~1.26.0", "removed in Kubernetes 1.26"),
    ],
)
def test_rendered_objects_take_the_chart_kube_version(kube_version: str, expected: str | None) -> None:
    project = manifest_project(HPA, rendered_from="chart", charts=(chart_with_kube_version(kube_version),))
    found = api_findings(project)
    assert [expected in f.message for f in found] == ([] if expected is None else [True])
    assert all(f.artifact is ArtifactKind.HELM for f in found)


def test_configuration_wins_over_the_chart() -> None:
    project = manifest_project(HPA, rendered_from="chart", charts=(chart_with_kube_version("<1.23.0"),))
    (finding,) = api_findings(project, target_kube_version="1.30")
    assert "removed in Kubernetes 1.26" in finding.message and "configured target 1.30" in finding.message


def test_external_secret_v1beta1_whatever_the_target() -> None:
    manifest = "apiVersion: external-secrets.io/v1beta1\nkind: ClusterSecretStore\nmetadata: {name: vault}\nspec: {}\n"
    (finding,) = api_findings(manifest_project(manifest), target_kube_version="1.20")
    assert (
        "v0.17.0" in finding.message
        and "external-secrets.io/v1" in finding.message
        and finding.location.line == 1
    )


def test_only_listed_kinds() -> None:
    manifest = "apiVersion: policy/v1beta1\nkind: Eviction\nmetadata: {name: e}\n"
    assert api_findings(manifest_project(manifest)) == []


# --------------------------------------------------------------------------------------------------
# The bundled example


def test_bundled_example() -> None:

    from medlint.api import lint

    root = REPO_ROOT
    findings = lint(["examples/medical-device"], cwd=root, today=datetime.date(2026, 1, 1)).result.findings
    node = [f for f in findings if f.rule_id == "MD114" and f.location.path.endswith("frontend/Dockerfile")]
    assert [(f.location.line, f.level.value) for f in node] == [(2, "error"), (10, "error")]
    assert all("Node.js 16" in f.message for f in node)
    (external_secret,) = [f for f in findings if f.rule_id == "MD115"]
    assert (
        external_secret.location.path.endswith("k8s/externalsecret.yaml")
        and external_secret.location.line == 2
    )
