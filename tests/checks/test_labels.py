"""MD111 Kubernetes label syntax and value rules, MD112 provenance labels."""

from __future__ import annotations

import pytest

from medlint.checks.labels import (
    ValueRules,
    label_value_problem,
    oci_provenance_labels,
    qualified_name_problem,
    regulatory_label_values_valid,
)
from medlint.model import Project
from medlint.parsers.dockerfile import dockerfile_workload, parse_dockerfile
from medlint.parsers.kubernetes import parse_manifest


@pytest.mark.parametrize(
    "key, valid",
    [
        ("app", True),
        ("app.kubernetes.io/name", True),
        ("regulatory.fda.class", True),
        ("a", True),
        ("example.com/" + "n" * 63, True),
        ("example.com/" + "n" * 64, False),
        ("a" * 254 + "/name", False),
        ("Example.com/name", False),
        ("example.com/", False),
        ("/name", False),
        ("a/b/c", False),
        ("-name", False),
        ("name-", False),
        ("na me", False),
        ("exa_mple.com/name", False),
        ("", False),
    ],
)
def test_qualified_names(key: str, valid: bool) -> None:
    assert (qualified_name_problem(key) is None) is valid


@pytest.mark.parametrize(
    "value, valid",
    [
        ("", True),
        ("B", True),
        ("1.4.2", True),
        ("1.4.2-rc.1", True),
        ("a" * 63, True),
        ("a" * 64, False),
        ("1.4.2+build.7", False),
        ("Class II", False),
        ("-x", False),
        ("x.", False),
        ("v1_2-3.x", True),
    ],
)
def test_label_values(value: str, valid: bool) -> None:
    assert (label_value_problem(value) is None) is valid


def test_value_rules_are_case_sensitive_and_configurable() -> None:
    rules = ValueRules.from_params({})
    assert rules.problem("regulatory.iec62304.class", "b") is not None
    assert rules.problem("regulatory.iec62304.class", "B") is None
    assert rules.problem("regulatory.fda.class", "ii") is not None
    assert rules.problem("app.kubernetes.io/version", "v1.2.3") is not None
    assert rules.problem("app.kubernetes.io/version", "1.2.3-rc.1+build.7") is None
    assert rules.problem("regulatory.build", " ") is not None
    assert rules.problem("other", "anything") is None
    loose = ValueRules.from_params(
        {"semver_regex": r"^v?\d+\.\d+\.\d+$", "build_id_keys": ["example.com/build"]}
    )
    assert loose.problem("app.kubernetes.io/version", "v1.2.3") is None
    assert loose.problem("example.com/build", "") is not None


def k8s_lines(text: str) -> list[tuple[int, str | None]]:
    project = Project(k8s_objects=tuple(parse_manifest("k.yaml", text)))
    return sorted((f.location.line, f.variant) for f in regulatory_label_values_valid(project, {}))


def test_annotations_keys_are_case_insensitive_and_values_free_text() -> None:
    text = """apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  annotations:
    Example.COM/Note: "free text, any length, $HOME and all"
    example.com/build: "1.2.3+build.7"
    regulatory.build: "${BUILD}"
"""
    assert k8s_lines(text) == [(8, "unresolved")]


def test_nested_template_metadata_is_checked() -> None:
    text = """apiVersion: batch/v1
kind: CronJob
metadata: {name: c}
spec:
  schedule: "* * * * *"
  jobTemplate:
    metadata:
      labels: {tier: "a b"}
    spec:
      template:
        metadata:
          annotations: {example.com/x/y: z}
        spec: {containers: [{name: c, image: "i:1"}]}
"""
    assert k8s_lines(text) == [(8, None), (12, None)]


def test_oversized_annotations() -> None:
    text = f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  annotations:
    example.com/blob: "{"x" * (256 * 1024)}"
"""
    assert k8s_lines(text) == [(5, None)]


def test_oci_labels_modes_and_md110_keys() -> None:
    dockerfile = parse_dockerfile("Dockerfile", "FROM alpine:3.22\nLABEL org.opencontainers.image.title=x\n")
    project = Project(dockerfiles=(dockerfile,), workloads=(dockerfile_workload(dockerfile),))
    params = {
        "oci_labels": [
            "org.opencontainers.image.title",
            "org.opencontainers.image.version",
            "org.opencontainers.image.source",
        ],
        "reported_by_md110": ["org.opencontainers.image.version"],
    }
    (finding,) = oci_provenance_labels(project, params)
    assert finding.message.endswith("label org.opencontainers.image.source")
    assert list(oci_provenance_labels(project, {**params, "mode": "ci"})) == []
