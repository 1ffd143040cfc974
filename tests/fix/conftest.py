"""Helpers for `medlint fix` tests: a project in a temporary directory, and running the command on it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from medlint.cli import main

Project = Callable[..., Result]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, str]], Path]:
    """Write files (path -> text) under a temporary project directory and make it the working directory."""

    def make(files: dict[str, str]) -> Path:
        for name, text in files.items():
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        return tmp_path

    return make


@pytest.fixture
def run_fix() -> Callable[..., Result]:
    """`medlint fix . ARGS` in the working directory, in-process; returns click's Result."""

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, ["fix", ".", "--today", "2026-12-07", *args], catch_exceptions=False)

    return run
