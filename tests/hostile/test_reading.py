"""Family 2 and 3 of issue 8: reading outside the project, special files and huge files.

Every file goes through the bounded reader: a link that leaves the project (for a chart's files, the chart)
is reported as MD001 and never read, a FIFO or a device is never opened, and a huge file is refused without
being read. Each case plants MARKER in the file that must not be read; it must appear in no output.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.hostile.projects import MARKER, chart, check, problems, report, write

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="symbolic links and FIFOs as on POSIX")

DOCKERFILE = "FROM alpine:3.19\nUSER 1000\n"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A directory beside the project, holding what a hostile link points at."""
    return write(
        tmp_path / "outside",
        {
            "shadow": f"root:{MARKER}:19000:0:99999:7:::\n",
            "env": f"SECRET_OUT={MARKER}\n",
            "manifest.yaml": f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {MARKER}\n",
            "compose.yaml": f"services:\n  leak:\n    image: nginx:{MARKER}\n",
            "values.yaml": f"image: nginx:{MARKER}\n",
            "requirements.txt": f"{MARKER}==1.0\n",
            "dir/Dockerfile": f"FROM {MARKER}\n",
        },
    )


def test_links_that_leave_the_project_are_reported_and_never_read(tmp_path: Path, outside: Path) -> None:
    project = write(
        tmp_path / "project", {"compose.yaml": "services:\n  web:\n    image: nginx:${SECRET_OUT}\n"}
    )
    (project / "Dockerfile").symlink_to("../outside/shadow")  # relative
    (project / "Dockerfile.abs").symlink_to(outside / "shadow")  # absolute
    (project / "hop").symlink_to("../outside/shadow")
    (project / "Dockerfile.chain").symlink_to("hop")  # a chain that ends outside
    (project / ".env").symlink_to(outside / "env")
    (project / "secret.yaml").symlink_to(outside / "manifest.yaml")
    (project / "linked").symlink_to(outside / "dir", target_is_directory=True)
    found = problems(check(project, tmp_path / "out"))
    for name in ("Dockerfile", "Dockerfile.abs", "Dockerfile.chain", ".env", "secret.yaml"):
        assert "symbolic link" in found[name] and "outside the scanned project" in found[name], name
    assert not any(path.startswith(("linked", "/", "..")) for path in found)  # a linked folder is not walked


def test_a_link_named_on_the_command_line_does_not_move_the_root(tmp_path: Path, outside: Path) -> None:
    """pre-commit names files: a `Dockerfile -> /etc/shadow` must not make /etc the scanned project."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "Dockerfile").symlink_to(outside / "shadow")
    found = problems(check(project, tmp_path / "out", ["Dockerfile"]))
    assert list(found) == ["Dockerfile"] and "symbolic link" in found["Dockerfile"]


def test_a_file_in_a_linked_folder_named_on_the_command_line_is_refused(
    tmp_path: Path, outside: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "linked").symlink_to(outside / "dir", target_is_directory=True)
    run = check(project, tmp_path / "out", ["linked/Dockerfile", "."])
    assert MARKER not in run.everything()


def test_files_that_leave_their_chart_are_refused_even_inside_the_project(tmp_path: Path) -> None:
    """Helm follows links; medlint reads nothing of a chart from outside the chart (`render` says so)."""
    project = write(
        tmp_path / "project",
        {
            **chart(),
            "shared/prod.txt": f"image: nginx:{MARKER}\n",
            "shared/leak.txt": f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {MARKER}\n",
            "shared/sub/Chart.yaml": f"apiVersion: v2\nname: sub\nversion: 1.0.0\ndescription: {MARKER}\n",
        },
    )
    (project / "app/values-prod.yaml").symlink_to("../shared/prod.txt")
    (project / "app/templates/leak.yaml").symlink_to("../../shared/leak.txt")
    (project / "app/charts").mkdir()
    (project / "app/charts/sub").symlink_to("../../shared/sub", target_is_directory=True)
    run = check(project, tmp_path / "out")
    found = problems(run)
    for name in ("app/values-prod.yaml", "app/templates/leak.yaml", "app/charts/sub"):
        assert "leads outside its chart" in found[name], name
    rendered = {finding["subject"] for finding in report(run)["findings"] if finding["rule_id"] != "MD001"}
    assert not any("leak" in subject for subject in rendered)


@pytest.mark.parametrize(
    "compose",
    [
        "include:\n  - ../outside/compose.yaml\nservices:\n  web:\n    image: nginx\n",
        "services:\n  web:\n    image: nginx:${SECRET_OUT}\n    env_file: ../outside/env\n",
        "services:\n  web:\n    build:\n      context: ../outside/dir\n",
        "services:\n  web:\n    extends:\n      file: ../outside/compose.yaml\n      service: leak\n",
    ],
    ids=["include", "env_file", "build-context", "extends"],
)
def test_compose_references_that_climb_out_are_not_read(tmp_path: Path, outside: Path, compose: str) -> None:
    project = write(tmp_path / "project", {"compose.yaml": compose})
    check(project, tmp_path / "out")


def test_build_context_files_that_link_out_are_not_read(tmp_path: Path, outside: Path) -> None:
    project = write(
        tmp_path / "project",
        {
            "Dockerfile": "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
            "USER 1000\n"
        },
    )
    (project / "requirements.txt").symlink_to(outside / "requirements.txt")
    (project / ".dockerignore").symlink_to(outside / "shadow")
    found = problems(check(project, tmp_path / "out"))
    assert "symbolic link" in found[".dockerignore"]
    assert "Dockerfile" not in found  # the Dockerfile itself is still analysed


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_pipes_and_devices_never_block(tmp_path: Path) -> None:
    project = write(
        tmp_path / "project",
        {
            **chart(),
            "web/compose.yaml": "services:\n  web:\n    image: nginx\n",
            "img/Dockerfile": DOCKERFILE,
        },
    )
    (project / "app/values.yaml").unlink()
    for fifo in ("Dockerfile", "app/values.yaml", "web/.env", "img/.dockerignore", "pipe.yaml"):
        os.mkfifo(project / fifo)
    (project / "zero.yaml").symlink_to("/dev/zero")
    (project / "random.json").symlink_to("/dev/urandom")
    found = problems(check(project, tmp_path / "out"))
    for fifo in ("Dockerfile", "app/values.yaml", "web/.env", "img/.dockerignore", "pipe.yaml"):
        assert "named pipe (FIFO)" in found[fifo], fifo
    for link in ("zero.yaml", "random.json"):
        assert "symbolic link" in found[link], link


def test_huge_files_are_refused_without_being_read(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    with (project / "big.json").open("wb") as handle:  # sparse: one GiB that takes no disk space
        handle.truncate(1024**3)
    (project / "Dockerfile").write_bytes(b"FROM alpine:3.19\n" + b"# padding\n" * (2_200_000))
    found = problems(check(project, tmp_path / "out"))
    assert "1,073,741,824 bytes, more than the limit" in found["big.json"]
    assert "more than the limit of 20,971,520 bytes (limits.max_file_bytes)" in found["Dockerfile"]


def test_links_that_stay_inside_the_project_are_followed(tmp_path: Path) -> None:
    project = write(tmp_path / "project", {"docker/Dockerfile.real": DOCKERFILE})
    (project / "Dockerfile").symlink_to("docker/Dockerfile.real")
    run = check(project, tmp_path / "out", ["Dockerfile"])
    paths = {finding["location"]["path"] for finding in report(run)["findings"]}
    assert "Dockerfile" in paths and not problems(run)


def test_git_metadata_cannot_lead_reads_out_of_the_git_directory(tmp_path: Path, outside: Path) -> None:
    """A HEAD whose ref climbs out with `..` is not followed; provenance stays without a revision."""
    project = write(
        tmp_path / "project",
        {
            "Dockerfile": DOCKERFILE,
            ".git/HEAD": "ref: refs/../../../outside/shadow\n",
            ".git/config": '[remote "origin"]\n\turl = https://git.example.com/device/app.git\n',
            ".git/refs/heads/.keep": "",
        },
    )
    run = check(project, tmp_path / "out")
    assert '"repositoryUri": "https://git.example.com/device/app.git"' in run.outputs["sarif"]
    assert '"revisionId"' not in run.outputs["sarif"]
