"""Small helpers for the hostile cases of reading, secrets, output injection, crashes and determinism:
write a project, run medlint on it through the shared harness, read the JSON report."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tests.hostile.harness import HostileRun, assert_kept_promises, run_medlint

#: The secret the cases plant; it must never appear in any output.
MARKER = "hunter2MARKER7"


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` (relative path -> text or bytes) under `root`; returns `root`."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def check(
    project: Path,
    out: Path,
    args: Iterable[str] = (".",),
    *,
    exit_codes: Iterable[int] = (0, 1),
    markers: Iterable[str] = (MARKER,),
) -> HostileRun:
    """`medlint check ARGS` in `project`, every format written under `out`; the shared promises asserted."""
    run = run_medlint(["check", "--today", "2026-12-07", *args], project, report_dir=out)
    assert_kept_promises(run, exit_codes=exit_codes, markers=markers)
    return run


def write_raw_name(directory: Path, name: bytes, content: str) -> None:
    """Write a file whose name is raw bytes (maybe not UTF-8); skip the test where the file system refuses."""
    import os

    import pytest

    path = os.path.join(os.fsencode(directory), name)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(content)
    except OSError as error:  # APFS and most Windows file systems accept UTF-8 names only
        pytest.skip(f"the file system refuses a name that is not UTF-8: {error}")


def report(run: HostileRun) -> dict[str, Any]:
    return json.loads(run.outputs["json"])


def problems(run: HostileRun, rule_id: str = "MD001") -> dict[str, str]:
    """Path -> message of the findings of one rule (MD001: files not read or not parsed)."""
    return {
        finding["location"]["path"]: finding["message"]
        for finding in report(run)["findings"]
        if finding["rule_id"] == rule_id
    }


def chart(name: str = "app", values: str = "image: nginx\n") -> dict[str, str]:
    """The files of a minimal chart with one Deployment template reading `.Values.image`."""
    return {
        f"{name}/Chart.yaml": f"apiVersion: v2\nname: {name}\nversion: 1.0.0\n",
        f"{name}/values.yaml": values,
        f"{name}/templates/deployment.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n"
            "    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n"
            "      containers:\n        - name: web\n          image: {{ .Values.image | quote }}\n"
        ),
    }
