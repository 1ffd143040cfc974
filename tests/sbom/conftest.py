"""Shared SBOMs of the example, written once per test session through the command line (as a user would)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from medlint.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = "examples/medical-device"
TODAY = "2026-12-07"


def run_medlint(args: list[str]) -> tuple[int, str, str]:
    """`medlint ARGS` from the repository root; (exit code, standard output, standard error)."""
    import os

    previous = os.getcwd()
    os.chdir(REPO_ROOT)
    try:
        result = CliRunner().invoke(main, args, catch_exceptions=False)
    finally:
        os.chdir(previous)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="session")
def example_sboms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example's SBOM in each format."""
    folder = tmp_path_factory.mktemp("example-sbom")
    written = {}
    for output_format, name in (
        ("cyclonedx-json", "soup.cdx.json"),
        ("cyclonedx-xml", "soup.cdx.xml"),
        ("spdx-json", "soup.spdx.json"),
    ):
        target = folder / name
        code, _, err = run_medlint(
            ["sbom", EXAMPLE, "-o", str(target), "--format", output_format, "--today", TODAY]
        )
        assert code == 0, err
        written[output_format] = target
    return written


@pytest.fixture(scope="session")
def example_cdx(example_sboms: dict[str, Path]) -> dict:
    return json.loads(example_sboms["cyclonedx-json"].read_text(encoding="utf-8"))
