"""`medlint fix` against a stranger's pull request and a busy working tree.

A fix writes files, so the promises are stricter: it never writes outside the project (links to files or
folders out of it), never corrupts a file (CRLF, a BOM, tabs, anchors and merge keys, flow style, several
documents, comments in odd places keep parsing and keep every byte fix did not mean to change), never
overwrites an edit someone else made while it ran, and never crashes or hangs on what it cannot edit.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from medlint.cli import main
from medlint.fix import runner
from tests.hostile.harness import assert_kept_promises, run_medlint
from tests.hostile.projects import MARKER, write

TODAY = "2026-12-07"
POD = (
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: web\nspec:\n  containers:\n"
    "    - name: web\n      image: registry.example.com/web:1.4.2\n"
)


def test_an_edit_made_while_fix_runs_is_never_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fix read pod.yaml, planned, and replaced it: a change saved in between (an editor, a second fix, a
    checkout) was silently lost. The file is now compared just before the rename and left alone."""
    project = write(tmp_path / "project", {"pod.yaml": POD})
    edited = POD.replace("name: web\n  namespace", "name: web  # saved by a person meanwhile\n  namespace")
    real_edit = runner._edit_file

    def edit_then_someone_saves(path: str, text: str, fixes: list) -> tuple:  # type: ignore[type-arg]
        result = real_edit(path, text, fixes)
        (project / path).write_text(edited, encoding="utf-8")
        return result

    monkeypatch.setattr(runner, "_edit_file", edit_then_someone_saves)
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["fix", ".", "--today", TODAY], catch_exceptions=False)
    assert (project / "pod.yaml").read_text(encoding="utf-8") == edited
    assert "changed while medlint fix ran" in result.output
    assert result.exit_code in (0, 1)


def test_fix_never_writes_through_links_out_of_the_project(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside", {"pod.yaml": POD, "k8s/pod.yaml": POD})
    project = write(tmp_path / "project", {"Dockerfile": "FROM alpine:3.19\nUSER 1000\n"})
    (project / "pod.yaml").symlink_to(outside / "pod.yaml")
    (project / "k8s").symlink_to(outside / "k8s", target_is_directory=True)
    run = run_medlint(["fix", ".", "--today", TODAY, "--unsafe-fixes"], project)
    assert_kept_promises(run, exit_codes=(0, 1))
    assert (outside / "pod.yaml").read_text(encoding="utf-8") == POD
    assert (outside / "k8s" / "pod.yaml").read_text(encoding="utf-8") == POD
    assert sorted(os.listdir(outside)) == ["k8s", "pod.yaml"]
    assert os.listdir(outside / "k8s") == ["pod.yaml"]


ODD = {
    "crlf-bom.yaml": "\ufeff" + POD.replace("\n", "\r\n"),
    "anchors.yaml": (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: web\n  labels: &labels {app: web}\n"
        "  annotations:\n    <<: *labels\n    note: merged\n"
        "spec:\n  containers:\n    - &c {name: web, image: 'registry.example.com/web:1.4.2'}  # flow\n"
        "---\n# second document\napiVersion: v1\nkind: Pod\nmetadata: {name: web2, namespace: web}\n"
        "spec:\n  containers:\n    - name: web2\n      image: registry.example.com/web:1.4.2\n"
    ),
    "comments.yaml": (
        "# head\napiVersion: v1 # a\nkind: Pod\nmetadata: # b\n  name: web\n  namespace: web\n"
        "spec: # c\n  containers: # d\n    # e\n    - name: web # f\n      image: registry.example.com/web:1.4.2 # g\n"
        "    # tail comment\n"
    ),
    "flow.yaml": (
        '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "web"}, '
        '"spec": {"containers": [{"name": "web", "image": "registry.example.com/web:1.4.2"}]}}\n'
    ),
    "tabs.yaml": POD.replace("image:", "image:\t"),
}


def test_fix_keeps_odd_yaml_parsing_and_a_second_run_is_quiet(tmp_path: Path) -> None:
    project = write(tmp_path / "project", dict(ODD))
    run = run_medlint(["fix", ".", "--today", TODAY, "--unsafe-fixes"], project)
    assert_kept_promises(run, exit_codes=(0, 1))
    crlf = (project / "crlf-bom.yaml").read_bytes()
    assert crlf.startswith(b"\xef\xbb\xbf") and b"\n" not in crlf.replace(b"\r\n", b"")
    comments = (project / "comments.yaml").read_text(encoding="utf-8")
    for mark in ("# head", "# a", "# b", "# c", "# d", "# e", "# f", "# g", "# tail comment"):
        assert mark in comments
    assert "<<: *labels" in (project / "anchors.yaml").read_text(encoding="utf-8")
    check = run_medlint(["check", ".", "--today", TODAY, "--format", "json"], project)
    assert_kept_promises(check, exit_codes=(0, 1))
    parse_problems = [f for f in json.loads(check.stdout)["findings"] if f["rule_id"] in ("MD001", "MD002")]
    assert not parse_problems  # every file still parses
    again = run_medlint(["fix", ".", "--today", TODAY, "--unsafe-fixes", "--diff"], project)
    assert_kept_promises(again, exit_codes=(0, 1))


def test_fix_diff_and_messages_print_no_secret(tmp_path: Path) -> None:
    pod = POD.replace(
        "      image:", f"      env:\n        - name: DB_PASSWORD\n          value: {MARKER}\n      image:"
    )
    compose = (
        "services:\n  web:\n    image: registry.example.com/web:1.4.2\n    environment:\n"
        f"      API_TOKEN: {MARKER}\n      URL: https://u:{MARKER}@db.example.com/x\n"
    )
    dockerfile = (
        f"FROM alpine:3.19\nENV API_KEY={MARKER}\nADD https://u:{MARKER}@files.example.com/a.tgz /a\n"
    )
    project = write(
        tmp_path / "project", {"pod.yaml": pod, "compose.yaml": compose, "Dockerfile": dockerfile}
    )
    diff = run_medlint(["fix", ".", "--today", TODAY, "--unsafe-fixes", "--diff"], project)
    assert_kept_promises(diff, exit_codes=(1,), markers=(MARKER,))
    # the context lines are there, masked; the lines the fixes add are shown as written
    assert "API_TOKEN: ***" in diff.stdout and "value: ***" in diff.stdout
    assert "+  automountServiceAccountToken: false" in diff.stdout
    run = run_medlint(["fix", ".", "--today", TODAY, "--unsafe-fixes"], project)
    assert_kept_promises(run, exit_codes=(0, 1), markers=(MARKER,))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_fix_next_to_a_fifo_and_a_device_link_ends(tmp_path: Path) -> None:
    project = write(tmp_path / "project", {"pod.yaml": POD})
    os.mkfifo(project / "values.yaml")
    (project / "zero.yaml").symlink_to("/dev/zero")
    run = run_medlint(["fix", ".", "--today", TODAY], project, timeout=60)
    assert_kept_promises(run, exit_codes=(0, 1))
    assert "allowPrivilegeEscalation: false" in (project / "pod.yaml").read_text(encoding="utf-8")
