"""The one-file pre-commit run imports only what its file needs (start-up time; benchmarks/bench_startup.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT

#: Modules a check of one Dockerfile must not import: other kinds' parsers, YAML, schema validation, and
#: what only standard input, worker processes or suggestions for a wrong name need.
NOT_FOR_A_DOCKERFILE = (
    "yaml",
    "jsonschema",
    "medlint.parsers.compose",
    "medlint.parsers.kubernetes",
    "medlint.parsers.helm",
    "medlint.helm.render",
    "tempfile",
    "pickle",
    "difflib",
    "configparser",
)


def test_checking_one_dockerfile_imports_nothing_another_kind_needs(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nUSER app\n", encoding="utf-8")
    code = (
        "import atexit, sys\n"
        f"names = {NOT_FOR_A_DOCKERFILE!r}\n"
        "atexit.register(lambda: print('IMPORTED', [m for m in names if m in sys.modules], file=sys.stderr))\n"
        "from medlint.cli import main\n"
        "main(['check', 'Dockerfile', '--no-context', '--exit-zero', '--format', 'json'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert '"MD' in result.stdout  # the rules ran and reported
    assert "IMPORTED []" in result.stderr, result.stderr
