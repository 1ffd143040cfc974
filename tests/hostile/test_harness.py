"""The harness itself must catch what it promises to catch, or every hostile test passes vacuously."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.harness import HostileRun, assert_kept_promises, run_medlint


def test_a_leaked_marker_fails() -> None:
    run = HostileRun(1, "ok", "", {"json": '{"message": "pw hunter2XYZ"}'})
    with pytest.raises(AssertionError, match="leaked into json"):
        assert_kept_promises(run, markers=["hunter2XYZ"])


def test_a_traceback_fails() -> None:
    run = HostileRun(1, "", "Traceback (most recent call last):\n  boom", {})
    with pytest.raises(AssertionError):
        assert_kept_promises(run)


def test_an_unexpected_exit_code_fails() -> None:
    with pytest.raises(AssertionError, match="exit code 2"):
        assert_kept_promises(HostileRun(2, "", "", {}), exit_codes=(0, 1))


def test_every_format_is_written(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n", encoding="utf-8")
    run = run_medlint(["check", "Dockerfile"], tmp_path, report_dir=tmp_path / "out")
    assert_kept_promises(run)
    assert set(run.outputs) == {"text", "json", "sarif", "junit", "github", "gitlab"}
    assert all(body for body in run.outputs.values())
