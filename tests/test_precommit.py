"""The pre-commit hook, run through real pre-commit (`try-repo`), as a user's repository meets it.

`try-repo` installs the hook from the HEAD commit of a git repository. The working tree of this checkout may
hold uncommitted changes (or not be a git checkout at all), so the test copies the working tree, commits the
copy, and points `try-repo` at that. The hook's environment is built once per test run, from PyPI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytest.importorskip("pre_commit")
if shutil.which("git") is None:
    pytest.skip("git is not installed", allow_module_level=True)

HookRun = Callable[[str], "subprocess.CompletedProcess[str]"]
#: Not part of the working tree a user would commit (virtual environments, caches, build output).
NOT_COPIED = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".ci-venv",
    "venv",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".benchmarks",
    "*.egg-info",
    "build",
    "dist",
)
#: Passes at class A: pinned by digest, non-root, health check, regulatory labels. The hook checks it with the
#: rest of the example's system (class B) as context, so its own class A is a justified deviation (rmf-ref).
CLEAN_DOCKERFILE = """\
FROM debian:12.6-slim@sha256:0000000000000000000000000000000000000000000000000000000000000000
LABEL regulatory.iec62304.class="A" \\
      regulatory.iec62304.rmf-ref="RMF-1" \\
      regulatory.fda.class="II" \\
      org.opencontainers.image.version="1.0.0" \\
      regulatory.build="42"
USER 10001:10001
HEALTHCHECK --interval=30s --timeout=3s CMD ["/bin/true"]
CMD ["/bin/true"]
"""


def _git_env(tmp: Path) -> dict[str, str]:
    """An environment that ignores the machine's git configuration and names a committer."""
    empty = tmp / "gitconfig"
    empty.touch()
    return {
        **os.environ,
        "GIT_CONFIG_GLOBAL": str(empty),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "medlint test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "medlint test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
        "PRE_COMMIT_HOME": str(tmp / "pre-commit-home"),
        "PRE_COMMIT_COLOR": "never",
    }


def _commit_all(directory: Path, env: dict[str, str]) -> None:
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["commit", "-q", "--no-verify", "-m", "snapshot"],
    ):
        subprocess.run(["git", *args], cwd=directory, env=env, check=True, capture_output=True, timeout=120)


def _copy_working_tree(target: Path) -> None:
    """The checkout's files as they are now, committed or not, without caches or virtual environments."""
    shutil.copytree(REPO_ROOT, target, ignore=NOT_COPIED)


@pytest.fixture(scope="module")
def hook_run(tmp_path_factory: pytest.TempPathFactory) -> HookRun:
    """A function running the hook on one file of a user repository (the example plus one clean file)."""
    tmp = tmp_path_factory.mktemp("precommit")
    env = _git_env(tmp)
    hook_repo = tmp / "medlint"
    _copy_working_tree(hook_repo)
    _commit_all(hook_repo, env)
    user_repo = tmp / "device"
    shutil.copytree(REPO_ROOT / "examples" / "medical-device", user_repo)
    (user_repo / "services" / "clean").mkdir(parents=True)
    (user_repo / "services" / "clean" / "Dockerfile").write_text(CLEAN_DOCKERFILE, encoding="utf-8")
    _commit_all(user_repo, env)

    def run(file: str, hook: str = "medlint") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), hook, "--files", file],
            cwd=user_repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    run.repo = user_repo  # type: ignore[attr-defined]
    run.env = env  # type: ignore[attr-defined]
    return run


def test_hook_fails_on_a_file_with_an_error_finding(hook_run: HookRun) -> None:
    result = hook_run("k8s/secret.yaml")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failed" in result.stdout and "MD303" in result.stdout
    for secret in ("secure_password_here", "redis_password_here", "api_key_here"):
        assert secret not in result.stdout + result.stderr


def test_hook_passes_on_a_clean_file(hook_run: HookRun) -> None:
    result = hook_run("services/clean/Dockerfile")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


def test_fix_hook_applies_safe_fixes_then_passes_once_they_are_staged(hook_run: HookRun) -> None:
    repo: Path = hook_run.repo  # type: ignore[attr-defined]
    env: dict[str, str] = hook_run.env  # type: ignore[attr-defined]
    manifest = repo / "k8s" / "cronjob-backup.yaml"
    original = manifest.read_text(encoding="utf-8")
    try:
        result = hook_run("k8s/cronjob-backup.yaml", "medlint-fix")
        assert result.returncode == 1, result.stdout + result.stderr
        assert "files were modified by this hook" in result.stdout
        fixed = manifest.read_text(encoding="utf-8")
        assert "allowPrivilegeEscalation: false" in fixed and "readOnlyRootFilesystem" not in fixed
        assert [line for line in original.splitlines() if line.strip().startswith("#")] == [
            line for line in fixed.splitlines() if line.strip().startswith("#")
        ]
        subprocess.run(["git", "add", "k8s/cronjob-backup.yaml"], cwd=repo, env=env, check=True, timeout=120)
        again = hook_run("k8s/cronjob-backup.yaml", "medlint-fix")
        assert again.returncode == 0, again.stdout + again.stderr
        assert "Passed" in again.stdout
    finally:
        subprocess.run(["git", "reset", "-q", "--hard"], cwd=repo, env=env, check=True, timeout=120)
