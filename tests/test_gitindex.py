"""The git index reader must agree with git itself, for every index version."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from medlint.gitindex import read_tracked_files

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.mark.parametrize("version", [2, 3, 4])
def test_tracked_files_match_git_ls_files(tmp_path: Path, version: int) -> None:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(tmp_path), *args], check=True, capture_output=True, text=True
        ).stdout

    git("init", "-q")
    files = [
        "Dockerfile",
        ".env",
        "deploy/k8s/secret.yaml",
        "deploy/k8s/service.yaml",
        "a/very/long/path/" + "x" * 40 + "/values-production.yaml",
        "ünïcode/Chart.yaml",
    ]
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n", encoding="utf-8")
    (tmp_path / "untracked.txt").write_text("x\n", encoding="utf-8")
    git("add", *files)
    git("update-index", "--index-version", str(version))
    expected = tuple(git("-c", "core.quotepath=off", "ls-files").splitlines())
    assert read_tracked_files(tmp_path) == expected
    assert "untracked.txt" not in expected


def test_no_git_metadata_is_none(tmp_path: Path) -> None:
    assert read_tracked_files(tmp_path) is None
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "index").write_bytes(b"DIRC\x00\x00\x00\x02\x00\x00\x00\x05truncated")
    assert read_tracked_files(tmp_path) is None
