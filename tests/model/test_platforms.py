"""BuildKit's automatic platform arguments: references that name one stage per platform."""

from __future__ import annotations

import pytest

from medlint.model.platforms import platform_dependent, platform_stage, with_platform_values
from medlint.parsers.dockerfile import parse_dockerfile

STAGES = ["build", "binary-linux", "binary-darwin", "base-amd64", "base-arm64", "base-armv7"]


@pytest.mark.parametrize(
    "text, stage",
    [
        ("binary-$TARGETOS", "binary-linux"),
        ("binary-${TARGETOS}", "binary-linux"),
        ("BINARY-${BUILDOS}", "binary-linux"),
        ("base-${TARGETARCH}${TARGETVARIANT}", "base-amd64"),
        ("base-${TARGETARCH:-amd64}", "base-amd64"),
        ("base-$TARGETARCH", "base-amd64"),
        ("binary-$TARGETPLATFORM", None),  # a platform holds a slash, which no stage name can
        ("$TARGETARCH/alpine:3.20", None),
        ("binary-$TARGETOSX", None),  # another variable
        ("build", None),  # nothing platform-dependent
    ],
)
def test_platform_references_that_name_stages(text: str, stage: str | None) -> None:
    assert platform_stage(text, STAGES) == stage


def test_the_stage_of_another_platform_when_linux_amd64_has_none() -> None:
    assert platform_stage("binary-$TARGETOS", ["binary-windows", "binary-darwin"]) == "binary-windows"


def test_values_of_a_linux_amd64_build() -> None:
    assert (
        with_platform_values("${TARGETPLATFORM} $BUILDOS/$BUILDARCH$BUILDVARIANT")
        == "linux/amd64 linux/amd64"
    )
    assert platform_dependent("a-${TARGETARCH}") and not platform_dependent("a-${TARGET}")


def test_platform_arguments_are_never_unresolved_in_a_dockerfile() -> None:
    dockerfile = parse_dockerfile(
        "Dockerfile",
        "FROM alpine:3.20 AS base-amd64\nUSER 10001\nFROM base-$TARGETARCH\nARG TARGETOS\nRUN echo $TARGETOS\n"
        "FROM ${BUILDARCH}/busybox:1.36\n",
        None,
    )
    platform_stage_, external = dockerfile.stages[1], dockerfile.stages[2]
    assert platform_stage_.base.is_stage and platform_stage_.parent_stage == 0
    assert not platform_stage_.base.unresolved
    run = platform_stage_.instructions[-1]
    assert run.resolved == "echo linux" and run.unresolved_variables == ()
    assert not external.base.is_stage and not external.base.unresolved
    assert (external.base.written, external.base.repository, external.base.tag) == (
        "${BUILDARCH}/busybox:1.36",
        "amd64/busybox",
        "1.36",
    )


def test_a_global_default_naming_a_platform_argument_still_names_stages() -> None:
    dockerfile = parse_dockerfile(
        "Dockerfile",
        "ARG BASE=base-${TARGETARCH}\nFROM alpine:3.20 AS base-amd64\nFROM alpine:3.20 AS base-arm64\n"
        "FROM $BASE\nARG TARGETARCH=arm64\nRUN echo $TARGETARCH\n",
        None,
    )
    final = dockerfile.stages[-1]
    assert final.base.is_stage and final.parent_stage == 0
    assert final.instructions[-1].resolved == "echo amd64"  # BuildKit's value wins over the default
