"""The fix run as a whole: options, the second run, --diff, waivers, rollbacks after the re-lint, and the
writer's refusal of links and paths outside the project."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from medlint.fix import runner
from medlint.fix.writer import FileText, UnsafePath, checked_path, read_file, write_file

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: web
spec:
  containers:
  - name: web  # the only container
    image: registry.example.com/web:1.4.2
"""

COMPOSE = """\
services:
  web:
    image: registry.example.com/web:1.4.2
    volumes:
      - ./data:/data
"""


def test_safe_fixes_by_default_unsafe_ones_only_when_asked(project: Any, run_fix: Any) -> None:
    root = project({"pod.yaml": POD})
    result = run_fix()
    text = (root / "pod.yaml").read_text(encoding="utf-8")
    assert "allowPrivilegeEscalation: false" in text and "readOnlyRootFilesystem" not in text
    assert (
        "more fixes available with --unsafe-fixes (MD102 x1, MD201 x1, MD205 x1, MD211 x1)" in result.output
    )
    run_fix("--unsafe-fixes")
    text = (root / "pod.yaml").read_text(encoding="utf-8")
    assert "readOnlyRootFilesystem: true" in text and "automountServiceAccountToken: false" in text
    assert "  - name: web  # the only container\n" in text


def test_select_and_ignore(project: Any, run_fix: Any) -> None:
    root = project({"pod.yaml": POD})
    run_fix("--select", "MD2", "--ignore", "MD204,MD209")
    text = (root / "pod.yaml").read_text(encoding="utf-8")
    assert "allowPrivilegeEscalation: false" in text
    assert "capabilities" not in text and "seccompProfile" not in text


def test_second_run_changes_nothing_and_exit_codes_follow_the_remaining_findings(
    project: Any, run_fix: Any
) -> None:
    root = project({"pod.yaml": POD})
    first = run_fix()
    assert first.exit_code == 1  # errors remain (MD201, ...)
    after_first = (root / "pod.yaml").read_text(encoding="utf-8")
    second = run_fix()
    assert (root / "pod.yaml").read_text(encoding="utf-8") == after_first
    assert second.output.startswith("Nothing to fix automatically.")
    assert run_fix("--exit-zero").exit_code == 0


def test_diff_prints_the_change_writes_nothing_and_fails_only_when_something_would_change(
    project: Any, run_fix: Any
) -> None:
    root = project({"pod.yaml": POD})
    result = run_fix("--diff")
    assert result.exit_code == 1
    assert "--- a/pod.yaml\n+++ b/pod.yaml\n" in result.stdout
    assert "+    securityContext:\n+      allowPrivilegeEscalation: false\n" in result.stdout
    assert (root / "pod.yaml").read_text(encoding="utf-8") == POD
    run_fix()
    assert run_fix("--diff").exit_code == 0


def test_waived_findings_are_not_fixed(project: Any, run_fix: Any) -> None:
    waived = POD.replace(
        "  - name: web  # the only container\n",
        '  # medlint: ignore MD202 reason="escalation needed by the legacy agent"\n  - name: web  # the only container\n',
    )
    root = project({"pod.yaml": waived})
    run_fix("--select", "MD202")
    assert (root / "pod.yaml").read_text(encoding="utf-8") == waived


def test_a_fix_whose_finding_stays_is_rolled_back(project: Any, run_fix: Any) -> None:
    # read_only: true with a writable bind mount still violates MD205 (the bind mount is named instead).
    root = project({"compose.yaml": COMPOSE})
    result = run_fix("--unsafe-fixes", "--select", "MD205")
    assert (root / "compose.yaml").read_text(encoding="utf-8") == COMPOSE
    assert "Rolled back 1 fix:" in result.output and "the finding remains after the edit" in result.output


def test_a_result_that_no_longer_parses_is_rolled_back(
    project: Any, run_fix: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project({"pod.yaml": POD})

    def broken_edit(path: str, text: str, fixes: list[Any]) -> tuple[str, str, dict[int, str]]:
        return text + "  broken: [\n", "text", {}

    monkeypatch.setattr(runner, "_edit_file", broken_edit)
    result = run_fix()
    assert (root / "pod.yaml").read_text(encoding="utf-8") == POD
    assert "the file would no longer be read (MD001)" in result.output
    assert "MD001" not in result.output.split("\n\n", 1)[1]  # the final report is of the restored file


def test_a_new_finding_rolls_back_only_the_fix_on_that_object(
    project: Any, run_fix: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    two = POD + "  - name: sidecar\n    image: registry.example.com/side:1.0.0\n"
    root = project({"pod.yaml": two})
    original_edit = runner._edit_file

    def edit_and_privilege_the_sidecar(path: str, text: str, fixes: list[Any]) -> Any:
        new_text, route, refused = original_edit(path, text, fixes)
        if any("sidecar" in fix.finding.subject for fix in fixes):
            new_text = new_text.replace(
                "side:1.0.0\n", "side:1.0.0\n    ports: [{hostPort: 22, containerPort: 22}]\n", 1
            )
        return new_text, route, refused

    monkeypatch.setattr(runner, "_edit_file", edit_and_privilege_the_sidecar)
    result = run_fix("--select", "MD202")
    text = (root / "pod.yaml").read_text(encoding="utf-8")
    assert "Rolled back 1 fix:" in result.output and "a new MD208 finding would appear" in result.output
    assert text.count("allowPrivilegeEscalation: false") == 1 and "hostPort" not in text


def test_writer_refuses_links_and_paths_outside_the_project(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "pod.yaml").write_text(POD, encoding="utf-8")
    (tmp_path / "outside.yaml").write_text(POD, encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "link.yaml").symlink_to(tmp_path / "outside.yaml")
    (project / "dir").symlink_to(tmp_path / "real", target_is_directory=True)
    for relative in ("link.yaml", "dir/pod.yaml", "../outside.yaml", "/etc/passwd"):
        with pytest.raises(UnsafePath):
            checked_path(project, relative)
        with pytest.raises(UnsafePath):
            write_file(project, relative, FileText("x", False))
    assert (tmp_path / "outside.yaml").read_text(encoding="utf-8") == POD


def test_writer_keeps_the_mode_and_the_bom_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "pod.yaml"
    target.write_bytes(b"\xef\xbb\xbf" + POD.encode("utf-8"))
    os.chmod(target, 0o640)
    content = read_file(tmp_path, "pod.yaml")
    assert content.bom and content.text == POD
    write_file(tmp_path, "pod.yaml", FileText(content.text + "# end\n", content.bom))
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert target.read_bytes() == b"\xef\xbb\xbf" + (POD + "# end\n").encode("utf-8")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["pod.yaml"]


def test_fix_refuses_to_edit_a_linked_manifest(project: Any, run_fix: Any, tmp_path_factory: Any) -> None:
    outside = tmp_path_factory.mktemp("outside") / "pod.yaml"
    outside.write_text(POD, encoding="utf-8")
    root = project({})
    (root / "pod.yaml").symlink_to(outside)
    run_fix()
    assert outside.read_text(encoding="utf-8") == POD


def test_usage_problems_exit_2(project: Any, run_fix: Any) -> None:
    project({"pod.yaml": POD})
    unknown = run_fix("--select", "MD999")
    assert unknown.exit_code == 2 and "--select" in unknown.output
    assert run_fix("-").exit_code == 2
