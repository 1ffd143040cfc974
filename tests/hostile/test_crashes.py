"""Family 8 of issue 8 (except configuration files, which issue 15 covers): no traceback, ever.

Bytes that are not UTF-8 in `.git` or in file names, bad `--baseline` files, outputs that cannot be
written, link loops: each ends with exit 0/1 (findings) or 2 (a usage problem named in words).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.hostile.harness import assert_kept_promises, run_medlint
from tests.hostile.projects import check, problems, write, write_raw_name

DOCKERFILE = "FROM alpine:3.19\nUSER 1000\n"
GIT = {
    ".git/HEAD": "ref: refs/heads/main\n",
    ".git/refs/heads/main": "0123456789abcdef0123456789abcdef01234567\n",
    ".git/config": '[remote "origin"]\n\turl = https://git.example.com/device/app.git\n',
}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (".git/config", b'[remote "origin"]\n\turl = https://git.example.com/\xff/app.git\n'),
        (".git/config", b"[core\xff]\n\tbare = \xfe\n"),
        (".git/HEAD", b"ref: refs/heads/\xff\xfe\n"),
        (".git/HEAD", b"\xff" * 64),
        (".git/refs/heads/main", b"\xff\x00\x01\n"),
        (".git/index", b"DIRC\x00\x00\x00\x02\xff\xff\xff\xff" + b"\xff" * 40),
    ],
    ids=["config-url", "config-section", "head-ref", "head-binary", "ref-file", "index"],
)
def test_bytes_that_are_not_utf8_in_git_metadata(tmp_path: Path, name: str, content: bytes) -> None:
    project = write(tmp_path / "project", {**GIT, "Dockerfile": DOCKERFILE, name: content})
    check(project, tmp_path / "out")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names are bytes")
def test_names_that_are_not_utf8_anywhere(tmp_path: Path) -> None:
    project = write(
        tmp_path / "project",
        {
            "app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 1.0.0\n",
            "app/values.yaml": "image: nginx\n",
            "Dockerfile": "FROM alpine:3.19\nCOPY . /app\nUSER 1000\n",
        },
    )
    for name, content in (
        (b"app/templates/cm-\xff.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"),
        (b"app/values-\xfe.yaml", "image: nginx:1.27\n"),
        (b"dir-\xff/Dockerfile", DOCKERFILE),
        (b"dir-\xff/compose.yaml", "services:\n  web:\n    build: .\n"),
        (b"secrets-\xff.env", "A=1\n"),
    ):
        write_raw_name(project, name, content)
    run = check(project, tmp_path / "out", markers=())
    assert "dir-\\xff/Dockerfile" in run.outputs["text"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        (b'{"medlint_baseline": 1, "findings": [], "note": "\xff"}', "invalid UTF-8"),
        (
            "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n",
            "not valid JSON",
        ),
        ('{"medlint_baseline": 1, "findings": {"a": 1}}', "is not a medlint baseline"),
        ('{"medlint_baseline": 1, "findings": [1, 2]}', "baseline entry 1 is not an object"),
        (
            '{"medlint_baseline": 1, "findings": [{"fingerprint": [], "rule_id": "MD101", "path": "a", '
            '"subject": "s", "message": "m"}]}',
            "lacks a text value for fingerprint",
        ),
        ("", "not valid JSON"),
    ],
    ids=[
        "deep",
        "not-utf8",
        "yaml-alias-bomb",
        "findings-not-a-list",
        "entry-not-object",
        "wrong-type",
        "empty",
    ],
)
def test_bad_baselines_exit_2_naming_the_file(tmp_path: Path, content: str | bytes, expected: str) -> None:
    project = write(tmp_path / "project", {"Dockerfile": DOCKERFILE, "baseline.json": content})
    run = run_medlint(["check", ".", "--baseline", "baseline.json"], project)
    assert_kept_promises(run, exit_codes=(2,))
    assert "baseline.json" in run.stderr and expected in run.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_baselines_that_are_pipes_devices_or_huge_exit_2(tmp_path: Path) -> None:
    project = write(tmp_path / "project", {"Dockerfile": DOCKERFILE})
    os.mkfifo(project / "pipe.json")
    with (project / "huge.json").open("wb") as handle:
        handle.truncate(65 * 1024 * 1024)
    for baseline, expected in (
        ("pipe.json", "named pipe"),
        ("huge.json", "limits.max_baseline_bytes"),
        ("/dev/zero", "character device"),
        ("missing.json", "No such file"),
    ):
        run = run_medlint(["check", ".", "--baseline", baseline], project)
        assert_kept_promises(run, exit_codes=(2,))
        assert expected in run.stderr, (baseline, run.stderr)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args",
    [["-o", "json=/dev/full"], ["-o", "/dev/full"], ["--format", "sarif", "-o", "/dev/full"]],
    ids=["json-file", "text-file", "sarif-file"],
)
def test_a_full_device_exits_2(tmp_path: Path, args: list[str]) -> None:
    project = write(tmp_path / "project", {"Dockerfile": DOCKERFILE})
    run = run_medlint(["check", ".", *args], project)
    assert_kept_promises(run, exit_codes=(2,))
    assert "No space left on device" in run.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("output_format", ["text", "json", "github"])
def test_standard_output_on_a_full_device_exits_2(tmp_path: Path, output_format: str) -> None:
    import subprocess

    from tests.hostile.harness import REPO_ROOT

    project = write(tmp_path / "project", {"Dockerfile": DOCKERFILE})
    with open("/dev/full", "w") as full:
        completed = subprocess.run(
            [sys.executable, "-m", "medlint", "check", ".", "--format", output_format],
            cwd=project,
            stdout=full,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
            timeout=120,
            check=False,
        )
    stderr = completed.stderr.decode("utf-8", "replace")
    assert completed.returncode == 2 and "Traceback" not in stderr
    assert "cannot write the output: No space left on device" in stderr


def test_an_output_path_that_is_a_directory_exits_2(tmp_path: Path) -> None:
    project = write(tmp_path / "project", {"Dockerfile": DOCKERFILE, "out/.keep": ""})
    run = run_medlint(["check", ".", "-o", "json=out"], project)
    assert_kept_promises(run, exit_codes=(2,))
    assert "cannot write out" in run.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links as on POSIX")
def test_link_loops_and_odd_entries(tmp_path: Path) -> None:
    project = write(tmp_path / "project", {"Dockerfile": DOCKERFILE, "Dockerfile.dir/.keep": ""})
    (project / "a.yaml").symlink_to("b.yaml")
    (project / "b.yaml").symlink_to("a.yaml")
    (project / "self.yaml").symlink_to("self.yaml")
    (project / ".dockerignore").mkdir()
    (project / "dangling.yaml").symlink_to("nowhere.yaml")
    found = problems(check(project, tmp_path / "out"))
    assert ".dockerignore" in found and "directory" in found[".dockerignore"]
    with (project / ".git").open("w") as handle:  # a .git file pointing nowhere
        handle.write("gitdir: /nonexistent/\xff\n")
    check(project, tmp_path / "out2")
