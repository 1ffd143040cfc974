"""Family 9 of issue 8: output injection. File and object names hold newlines followed by workflow commands,
terminal escape sequences, direction overrides and bytes that are not UTF-8. No format may start a line with
`::` except GitHub's own annotations, and no raw control character may reach a terminal or a CI log."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from tests.hostile.harness import HostileRun
from tests.hostile.projects import check, report, write, write_raw_name

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="file names with newlines are POSIX-only")

FORGED = "::error::forged"
#: What a genuine GitHub annotation looks like: a command with properties (`file=` or `title=`).
GENUINE = re.compile(r"^::(error|warning|notice) (file|title)=")
#: Raw characters that must never reach a terminal or a log: ESC, BEL, CSI (C1), the right-to-left override.
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def assert_no_forged_lines(run: HostileRun) -> None:
    for name, body in [("stdout", run.stdout), *run.outputs.items()]:
        for line in body.splitlines():
            if line.startswith("::"):
                assert name == "github" and GENUINE.match(line), f"{name} starts a line with '::': {line!r}"
        if name in ("stdout", "text", "junit", "github"):
            assert not any(char in body for char in RAW), f"a raw control character reached {name}"


def manifest(name: str) -> str:
    return (
        f'apiVersion: v1\nkind: Pod\nmetadata:\n  name: "{name}"\n  labels:\n    app: "{name}"\n'
        f'spec:\n  containers:\n    - name: "{name}"\n      image: nginx\n'
    )


def test_file_names_cannot_forge_commands_or_escape_sequences(tmp_path: Path) -> None:
    names = [
        f"evil\n{FORGED}.yaml",
        f"Dockerfile.\n{FORGED}",
        "Dockerfile.\x1b]0;pwned\x07",
        "Dockerfile.\x1b[2J\x1b[31mred",
        "Dockerfile.\u202egpj.exe",
        f"compose.\r\n{FORGED}.yaml",
        f"notes\n{FORGED}.txt",  # named on the command line, not an artifact: listed in the summary
    ]
    files: dict[str, str | bytes] = {
        name: manifest("ok")
        if name.endswith(".yaml") and "compose" not in name
        else "services:\n  web:\n    image: nginx\n"
        if "compose" in name
        else "FROM alpine:3.19\n"
        for name in names
    }
    project = write(tmp_path / "project", files)
    run = check(project, tmp_path / "out", [".", names[-1]], markers=())
    assert_no_forged_lines(run)
    paths = {finding["location"]["path"] for finding in report(run)["findings"]}
    assert f"evil\n{FORGED}.yaml" in paths  # JSON keeps the true name, escaped by the JSON encoder
    assert "evil\\n::error::forged.yaml" in run.outputs["text"]


def test_object_names_cannot_forge_commands(tmp_path: Path) -> None:
    project = write(
        tmp_path / "project",
        {
            "pod.yaml": manifest(f"x\\n{FORGED}\\r\\n::warning::forged\\u001b[31m"),
            "compose.yaml": f'services:\n  "web\\n{FORGED}":\n    image: "nginx\\n{FORGED}"\n',
            "Dockerfile": f'FROM alpine:3.19\nLABEL name="a\\\n{FORGED}"\nUSER 1000\n',
            "chart/Chart.yaml": f'apiVersion: v2\nname: "c\\n{FORGED}"\nversion: 1.0.0\n',
            "chart/templates/cm.yaml": manifest(f'{{{{ printf \\"x\\\\n{FORGED}\\" }}}}'),
        },
    )
    run = check(project, tmp_path / "out", markers=())
    assert_no_forged_lines(run)


def test_names_that_are_not_utf8_are_shown_escaped(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "Dockerfile").write_text("FROM alpine:3.19\nCOPY . /app\nUSER 1000\n", encoding="utf-8")
    for name, content in (
        (b"Dockerfile.\xff", "FROM alpine:3.19\nUSER 1000\n"),
        (b"id_rsa\xff.pem", "key\n"),
        (b"k8s-\xfe.yaml", manifest("ok")),
    ):
        write_raw_name(project, name, content)
    run = check(project, tmp_path / "out", markers=())
    assert_no_forged_lines(run)
    paths = {finding["location"]["path"] for finding in report(run)["findings"]}
    assert {"Dockerfile.\\xff", "k8s-\\xfe.yaml"} <= paths
    assert "Dockerfile.\\xff:1:1" in run.outputs["text"]
    sarif = json.loads(run.outputs["sarif"])
    uris = {
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for result in sarif["runs"][0]["results"]
    }
    assert "Dockerfile.\\xff" in uris and "id_rsa\\xff.pem" in uris
