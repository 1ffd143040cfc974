"""Run medlint as a stranger's pull request would meet it: a subprocess with a memory cap and a hang timeout.

Every hostile case asserts the same promises: the process ends in time with an allowed exit code, prints no
traceback, and no marker secret appears in any output format.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import REPO_ROOT

#: Every report format medlint writes; each case writes all of them in one run.
FORMATS = ("text", "json", "sarif", "junit", "github", "gitlab")

#: Memory cap of the medlint process (address space; Python itself needs a few hundred MiB of it).
MEMORY_LIMIT_BYTES = 1024 * 1024 * 1024
#: Generous: a case that needs this long has hung. Real budgets end hostile input in seconds.
HANG_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class HostileRun:
    exit_code: int
    stdout: str
    stderr: str
    outputs: dict[str, str] = field(default_factory=dict)

    def everything(self) -> str:
        """All text the run produced: standard streams and every report file."""
        return "\n".join([self.stdout, self.stderr, *self.outputs.values()])


def _limit_memory() -> None:  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))


def run_medlint(
    args: Sequence[str],
    cwd: Path,
    *,
    report_dir: Path | None = None,
    formats: Iterable[str] = FORMATS,
    timeout: float = HANG_TIMEOUT_SECONDS,
    env: dict[str, str] | None = None,
) -> HostileRun:
    """Run `python -m medlint ARGS` in `cwd`; for `check`, also write every format into `report_dir`.

    A timeout fails the test (a hang broke principle 8); the process group is killed.
    """
    command = [sys.executable, "-m", "medlint", *args]
    paths: dict[str, Path] = {}
    if report_dir is not None:
        report_dir.mkdir(parents=True, exist_ok=True)
        for fmt in formats:
            paths[fmt] = report_dir / f"report.{fmt}"
            command += ["-o", f"{fmt}={paths[fmt]}"]
    child_env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "NO_COLOR": "1", **(env or {})}
    child_env.pop("GITHUB_STEP_SUMMARY", None)
    try:
        completed = subprocess.run(
            command,
            cwd=cwd,
            env=child_env,
            capture_output=True,
            timeout=timeout,
            preexec_fn=_limit_memory,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise AssertionError(f"medlint hung for over {timeout} s: {' '.join(args)}") from error
    outputs = {
        fmt: path.read_text(encoding="utf-8", errors="replace")
        for fmt, path in paths.items()
        if path.exists()
    }
    return HostileRun(
        completed.returncode,
        completed.stdout.decode("utf-8", errors="replace"),
        completed.stderr.decode("utf-8", errors="replace"),
        outputs,
    )


def assert_kept_promises(
    run: HostileRun, *, exit_codes: Iterable[int] = (0, 1), markers: Iterable[str] = ()
) -> None:
    """The promises every hostile case checks: allowed exit code, no traceback, no marker in any output."""
    allowed = tuple(exit_codes)
    text = run.everything()
    assert run.exit_code in allowed, (
        f"exit code {run.exit_code}, expected one of {allowed}\n{run.stderr[-2000:]}"
    )
    assert "Traceback (most recent call last)" not in text, run.stderr[-4000:]
    for marker in markers:
        leaked = [
            name
            for name, body in [("stdout", run.stdout), ("stderr", run.stderr), *run.outputs.items()]
            if marker in body
        ]
        assert not leaked, f"marker secret {marker!r} leaked into {', '.join(leaked)}"
