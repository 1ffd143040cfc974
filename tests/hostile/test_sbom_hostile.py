"""`medlint sbom`, `--sbom` / `sbom:` and `--merge` against a stranger's pull request.

The SBOM features read more files (supplied SBOMs, the SBOM kept in the repository) and write one back into
the repository, so each promise of issue 8 is attacked again: nothing outside the project is read or written
(links, absolute and `..` paths in the configuration), special files never block, a hostile SBOM is a clear
usage error in seconds and under the memory cap (huge numbers, millions of values, a flood of lines, text
split by entity references, lone surrogates), no marker secret is printed, and the same input gives the same
bytes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.hostile.harness import HostileRun, assert_kept_promises, run_medlint
from tests.hostile.projects import MARKER, write

TODAY = "2026-12-07"
DIGEST = "a" * 64


def _cyclonedx(name: str = f"docker.io/library/{MARKER}") -> str:
    """A valid CycloneDX SBOM whose one component carries the marker (so reading it would show it)."""
    return json.dumps(
        {
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "components": [{"type": "container", "name": name, "version": "1.0"}],
        }
    )


def _project(root: Path, files: dict[str, str | bytes] | None = None) -> Path:
    return write(root, {"Dockerfile": "FROM alpine:3.19\nUSER 1000\n", **(files or {})})


def _outside(tmp_path: Path) -> Path:
    """An SBOM outside the scanned project, holding the marker."""
    target = tmp_path / "elsewhere" / "private.cdx.json"
    target.parent.mkdir(parents=True)
    target.write_text(_cyclonedx(), encoding="utf-8")
    return target


def _sbom(args: list[str], project: Path, **kwargs: object) -> HostileRun:
    return run_medlint(["sbom", "--today", TODAY, *args], project, **kwargs)  # type: ignore[arg-type]


def _check(args: list[str], project: Path) -> HostileRun:
    return run_medlint(["check", "--today", TODAY, *args], project)


# --------------------------------------------------------------------------------------------------
# Never read outside the project


@pytest.mark.parametrize("written", ["absolute", "dotdot", "link", "linked-folder"])
def test_configuration_cannot_name_an_sbom_outside_the_project(tmp_path: Path, written: str) -> None:
    target = _outside(tmp_path)
    project = _project(tmp_path / "project")
    if written == "absolute":
        entry = str(target)
    elif written == "dotdot":
        entry = "../elsewhere/private.cdx.json"
    elif written == "link":
        (project / "soup.cdx.json").symlink_to(target)
        entry = "soup.cdx.json"
    else:
        (project / "sboms").symlink_to(target.parent, target_is_directory=True)
        entry = "sboms/private.cdx.json"
    (project / ".medlint.yaml").write_text(f"sbom: {entry}\n", encoding="utf-8")
    run = _check(["."], project)
    assert_kept_promises(run, exit_codes=(2,), markers=(MARKER,))
    assert "outside the scanned project" in run.stderr


def test_a_configured_sbom_inside_the_project_is_still_read(tmp_path: Path) -> None:
    project = _project(tmp_path / "project", {"sboms/soup.cdx.json": _cyclonedx("docker.io/library/alpine")})
    (project / ".medlint.yaml").write_text("sbom: sboms/../sboms/soup.cdx.json\n", encoding="utf-8")
    run = _check([".", "--format", "json"], project)
    assert_kept_promises(run, exit_codes=(1,))
    paths = {finding["location"]["path"] for finding in json.loads(run.stdout)["findings"]}
    assert "sboms/soup.cdx.json" in paths  # MD904 reads the entry at its line


def test_command_line_sbom_in_the_project_may_not_link_out(tmp_path: Path) -> None:
    target = _outside(tmp_path)
    project = _project(tmp_path / "project")
    (project / "soup.cdx.json").symlink_to(target)
    run = _check([".", "--sbom", "soup.cdx.json"], project)
    assert_kept_promises(run, exit_codes=(2,), markers=(MARKER,))
    assert "leads outside the scanned project" in run.stderr
    # the user may still name a file outside the project on the command line: it is their choice
    direct = _check([".", "--sbom", str(target), "--format", "json"], project)
    assert_kept_promises(direct, exit_codes=(1,))


def test_merge_with_a_kept_sbom_that_links_out_is_refused(tmp_path: Path) -> None:
    target = _outside(tmp_path)
    project = _project(tmp_path / "project")
    (project / "soup.cdx.json").symlink_to(target)
    run = _sbom([".", "--merge", "soup.cdx.json", "-o", "new.cdx.json"], project)
    assert_kept_promises(run, exit_codes=(2,), markers=(MARKER,))
    assert not (project / "new.cdx.json").exists()


# --------------------------------------------------------------------------------------------------
# Never write outside the project, never block on the output


def test_sbom_output_never_writes_through_a_link_out_of_the_project(tmp_path: Path) -> None:
    victim = tmp_path / "home" / ".bashrc"
    victim.parent.mkdir()
    victim.write_text("precious\n", encoding="utf-8")
    project = _project(tmp_path / "project")
    (project / "soup.cdx.json").symlink_to(victim)
    (project / "out").symlink_to(victim.parent, target_is_directory=True)
    for output in ("soup.cdx.json", "out/soup.cdx.json"):
        run = _sbom([".", "-o", output], project)
        assert_kept_promises(run, exit_codes=(2,))
        assert "leads outside the scanned project" in run.stderr
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert sorted(os.listdir(victim.parent)) == [".bashrc"]
    # a link that stays inside the project is followed, and a new file is written as before
    (project / "kept.cdx.json").write_text("{}", encoding="utf-8")
    (project / "alias.cdx.json").symlink_to("kept.cdx.json")
    for output in ("alias.cdx.json", "reports/soup.cdx.json"):
        assert_kept_promises(_sbom([".", "-o", output], project), exit_codes=(0,))
    assert json.loads((project / "kept.cdx.json").read_text(encoding="utf-8"))["bomFormat"] == "CycloneDX"
    assert (project / "reports" / "soup.cdx.json").is_file()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_sbom_output_to_a_named_pipe_in_the_project_never_blocks(tmp_path: Path) -> None:
    project = _project(tmp_path / "project")
    os.mkfifo(project / "soup.cdx.json")
    run = _sbom([".", "-o", "soup.cdx.json"], project, timeout=60)
    assert_kept_promises(run, exit_codes=(2,))
    assert "not a regular file" in run.stderr
