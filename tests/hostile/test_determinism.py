"""Family 10 of issue 8: the same input gives byte-identical output, whatever the hash seed.

Findings of two values sets of one chart, or of a Compose service seen through an include and through its
own file, used to tie on the sort key, so their order followed Python's string hashing: 7 different JSON
outputs in 8 runs. Each case runs medlint in subprocesses with different PYTHONHASHSEED values and
compares every format byte for byte.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.hostile.harness import FORMATS, REPO_ROOT, HostileRun, assert_kept_promises, run_medlint
from tests.hostile.projects import write

EXAMPLE_CHART = REPO_ROOT / "examples" / "medical-device" / "chart" / "medical-device"


def runs(project: Path, out: Path, seeds: range, args: tuple[str, ...] = (".",)) -> list[HostileRun]:
    found = []
    for seed in seeds:
        run = run_medlint(
            ["check", "--today", "2026-12-07", *args],
            project,
            report_dir=out / str(seed),
            env={"PYTHONHASHSEED": str(seed)},
        )
        assert_kept_promises(run)
        found.append(run)
    return found


def assert_identical(found: list[HostileRun], out: Path) -> None:
    first = found[0]
    for run in found[1:]:
        assert run.stdout == first.stdout
        for fmt in FORMATS:
            # SARIF records the command line, which names each run's own output folder.
            body, expected = run.outputs[fmt], first.outputs[fmt]
            if fmt == "sarif":
                body = body.replace(str(out / str(found.index(run) + 1)), "OUT")
                expected = expected.replace(str(out / "1"), "OUT")
            assert body == expected, f"{fmt} differs between hash seeds"


def test_a_chart_with_two_values_files_gives_the_same_bytes_in_eight_runs(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(EXAMPLE_CHART, project / "chart")
    (project / "chart" / "values-prod.yaml").write_text("replicaCount: 3\n", encoding="utf-8")
    (project / "chart" / "values-staging.yaml").write_text("replicaCount: 2\n", encoding="utf-8")
    found = runs(project, tmp_path / "out", range(1, 9))
    subjects = found[0].outputs["json"]
    assert "[values-prod.yaml]" in subjects and "[values.yaml]" in subjects  # the sets really tie
    assert_identical(found, tmp_path / "out")


def test_a_compose_project_with_includes_gives_the_same_bytes(tmp_path: Path) -> None:
    project = write(
        tmp_path / "project",
        {
            "compose.yaml": "include:\n  - path:\n      - dir/included.yaml\n      - other/included.yaml\n",
            "dir/included.yaml": "services:\n  service:\n    extends:\n      file: extended.yaml\n"
            "      service: service\n",
            "dir/extended.yaml": "services:\n  service:\n    build: .\n",
            "dir/Dockerfile": "FROM alpine:3.19\n",
            "other/included.yaml": "services:\n  worker:\n    image: nginx\n    env_file: ../.env\n",
            ".env": "A=1\n",
        },
    )
    found = runs(project, tmp_path / "out", range(1, 5))
    assert_identical(found, tmp_path / "out")
