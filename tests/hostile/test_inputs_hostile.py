"""Inputs added since issue 8, attacked again: JSON manifests, YAML numbers, release manifests, and the files
`check -o` and `evidence -o` write into the repository.

Python refuses to convert an integer of over 4,300 digits (a ValueError, not a parse error), and a JSON
`"\\ud800"` decodes to a string that cannot be encoded as UTF-8: both escaped as tracebacks that ended the
whole run, because a file read as context takes every run down with it. An output path inside the project
can be a link out of it, or a named pipe that blocks forever.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile.harness import assert_kept_promises, run_medlint
from tests.hostile.projects import MARKER, check, problems, write

TODAY = "2026-12-07"
HUGE = "9" * 5000
POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27\n"


def test_a_huge_integer_in_yaml_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    project = write(
        tmp_path / "project",
        {
            "k8s/pod.yaml": POD + f"  priority: {HUGE}\n",
            "k8s/ok.yaml": POD.replace("name: p", "name: q"),
            "compose.yaml": f"services:\n  web:\n    image: nginx:1.27\n    mem_limit: {HUGE}\n",
            "chart/Chart.yaml": "apiVersion: v2\nname: chart\nversion: 1.0.0\n",
            "chart/values.yaml": f"replicas: {HUGE}\n",
            "chart/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {a: b}\n",
        },
    )
    found = problems(check(project, tmp_path / "out"))
    assert "a number of 5,000 characters" in found["k8s/pod.yaml"]
    assert "a number of 5,000 characters" in found["compose.yaml"]
    assert "internal error" not in " ".join(found.values())
    assert "k8s/ok.yaml" not in found  # the rest of the run goes on


def test_a_huge_integer_in_the_configuration_is_a_usage_error(tmp_path: Path) -> None:
    project = write(
        tmp_path / "project",
        {
            "Dockerfile": "FROM alpine:3.19\nUSER 1000\n",
            ".medlint.yaml": f"rules:\n  params:\n    MD101:\n      x: {HUGE}\n",
        },
    )
    run = run_medlint(["check", "--today", TODAY, "."], project)
    assert_kept_promises(run, exit_codes=(2,))
    assert ".medlint.yaml:4" in run.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "x": %s}}' % HUGE,
            "a number of 5,000",
        ),
        ('{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "\\ud800"}}', "lone UTF-16 surrogate"),
        ('{"apiVersion": "v1", "kind": "Pod", "metadata": {"\\udfff": "p"}}', "lone UTF-16 surrogate"),
    ],
    ids=["huge-integer", "lone-surrogate-value", "lone-surrogate-key"],
)
def test_json_manifest_numbers_and_surrogates(tmp_path: Path, content: str, expected: str) -> None:
    project = write(
        tmp_path / "project",
        {
            "k8s/bad.json": content,
            "k8s/ok.json": '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "q"}}',
        },
    )
    # the good file is named, the bad one is read as its context: it must not take the run down
    assert "k8s/ok.json" not in problems(check(project, tmp_path / "out", ("k8s/ok.json",)))
    found = problems(check(project, tmp_path / "out2"))
    assert expected in found["k8s/bad.json"]


def test_json_manifest_surrogate_pairs_are_still_characters(tmp_path: Path) -> None:
    project = write(
        tmp_path / "project",
        {
            "k8s/pod.json": '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"a": "\\ud83d\\ude00"}}}'
        },
    )
    assert "k8s/pod.json" not in problems(check(project, tmp_path / "out"))


def test_a_huge_integer_in_a_release_manifest_is_a_usage_error(tmp_path: Path) -> None:
    project = write(tmp_path / "project", {"Dockerfile": "FROM alpine:3.19\nUSER 1000\n"})
    manifest = tmp_path / "release.json"
    manifest.write_text('{"registry.example.com/app:1.0": %s}' % HUGE, encoding="utf-8")
    run = run_medlint(["check", "--today", TODAY, ".", "--release-manifest", str(manifest)], project)
    assert_kept_promises(run, exit_codes=(2,))
    assert "release manifest" in run.stderr and "5,000 digits" in run.stderr


# --------------------------------------------------------------------------------------------------
# Outputs written into the repository


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "home" / ".bashrc"
    victim.parent.mkdir()
    victim.write_text("precious\n", encoding="utf-8")
    return victim


@pytest.mark.parametrize(
    "command",
    [
        ["check", "-o", "sarif={output}"],
        ["check", "--format", "json", "-o", "{output}"],
        ["evidence", "-o", "{output}"],
    ],
    ids=["check-format-path", "check-output", "evidence"],
)
def test_outputs_never_write_through_a_link_out_of_the_project(tmp_path: Path, command: list[str]) -> None:
    victim = _victim(tmp_path)
    project = write(tmp_path / "project", {"Dockerfile": "FROM alpine:3.19\nUSER 1000\n"})
    (project / "results.sarif").symlink_to(victim)
    args = [part.replace("{output}", "results.sarif") for part in command]
    run = run_medlint([args[0], "--today", TODAY, ".", *args[1:]], project)
    assert_kept_promises(run, exit_codes=(2,))
    assert "leads outside the scanned project" in run.stderr
    assert victim.read_text(encoding="utf-8") == "precious\n"
    # a new file in a new folder of the project, and a path outside it, are written as before
    for output in ("reports/results.sarif", str(tmp_path / "artifacts" / "results.sarif")):
        args = [part.replace("{output}", output) for part in command]
        run = run_medlint([args[0], "--today", TODAY, ".", *args[1:]], project)
        assert_kept_promises(run, exit_codes=(1,))
        assert Path(output if os.path.isabs(output) else project / output).stat().st_size > 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("command", [["check", "-o", "json={output}"], ["evidence", "-o", "{output}"]])
def test_outputs_to_a_named_pipe_in_the_project_never_block(tmp_path: Path, command: list[str]) -> None:
    project = write(tmp_path / "project", {"Dockerfile": "FROM alpine:3.19\nUSER 1000\n"})
    os.mkfifo(project / "report.out")
    args = [part.replace("{output}", "report.out") for part in command]
    run = run_medlint([args[0], "--today", TODAY, ".", *args[1:]], project, timeout=60)
    assert_kept_promises(run, exit_codes=(2,))
    assert "not a regular file" in run.stderr


# --------------------------------------------------------------------------------------------------
# Files the configuration names


@pytest.mark.parametrize("written", ["absolute", "dotdot", "link"])
def test_configured_values_files_outside_the_repository_are_refused(tmp_path: Path, written: str) -> None:
    """`helm.values` in the repository's configuration was read wherever it pointed, and a template could
    carry what it read into a finding (here an image reference quoted by MD102)."""
    outside = tmp_path / "home" / "values.yaml"
    outside.parent.mkdir()
    outside.write_text(f"image: registry.example.com/{MARKER.lower()}:1\n", encoding="utf-8")
    files = {
        "chart/Chart.yaml": "apiVersion: v2\nname: chart\nversion: 1.0.0\n",
        "chart/values.yaml": "image: nginx:1.27\n",
        "chart/templates/pod.yaml": (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
            "    - name: c\n      image: {{ .Values.image | quote }}\n"
        ),
    }
    project = write(tmp_path / "project", files)
    entry = {"absolute": str(outside), "dotdot": "../home/values.yaml", "link": "site/values.yaml"}[written]
    if written == "link":
        (project / "site").mkdir()
        (project / "site" / "values.yaml").symlink_to(outside)
    (project / ".medlint.yaml").write_text(f'helm:\n  values:\n    chart: ["{entry}"]\n', encoding="utf-8")
    run = run_medlint(["check", "--today", TODAY, "."], project)
    assert_kept_promises(run, exit_codes=(2,), markers=(MARKER.lower(),))
    assert "lies outside the repository of the configuration" in run.stderr
    # inside the project it is read as before
    (project / "site").mkdir(exist_ok=True)
    (project / "site" / "prod.yaml").write_text("image: nginx:1.27\n", encoding="utf-8")
    (project / ".medlint.yaml").write_text(
        'helm:\n  values:\n    chart: ["site/prod.yaml"]\n', encoding="utf-8"
    )
    assert_kept_promises(run_medlint(["check", "--today", TODAY, "."], project), exit_codes=(0, 1))


def test_configured_compose_files_outside_the_project_are_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "home" / "overlay.yaml"
    outside.parent.mkdir()
    outside.write_text(
        f"services:\n  web:\n    image: registry.example.com/{MARKER.lower()}:1\n", encoding="utf-8"
    )
    project = write(tmp_path / "project", {"compose.yaml": "services:\n  web:\n    image: nginx:1.27\n"})
    (project / ".medlint.yaml").write_text(
        f'compose:\n  projects:\n    - [compose.yaml, "{outside}"]\n    - [compose.yaml, ../home/overlay.yaml]\n',
        encoding="utf-8",
    )
    run = check(project, tmp_path / "out", markers=(MARKER.lower(),))
    assert any("outside the scanned project" in message for message in problems(run).values())


def test_configured_rule_directories_outside_the_repository_are_refused(tmp_path: Path) -> None:
    rules = tmp_path / "home" / "rules"
    rules.mkdir(parents=True)
    (rules / "x.yaml").write_text(f"id: MD999\nslug: {MARKER.lower()}\n", encoding="utf-8")
    project = write(tmp_path / "project", {"Dockerfile": "FROM alpine:3.19\nUSER 1000\n"})
    (project / "linked").symlink_to(rules, target_is_directory=True)
    for entry in (str(rules), "../home/rules", "linked"):
        (project / ".medlint.yaml").write_text(f'rules_dirs: ["{entry}"]\n', encoding="utf-8")
        run = run_medlint(["check", "--today", TODAY, "."], project)
        assert_kept_promises(run, exit_codes=(2,), markers=(MARKER.lower(),))
        assert "lies outside the repository of the configuration" in run.stderr


def test_a_login_in_an_image_reference_without_a_scheme_is_masked(tmp_path: Path) -> None:
    """`image: deploy:TOKEN@registry.example.com/app:1` is malformed, and the message quoting it printed the
    token in every format: URL credentials were masked only after a scheme (`https://`)."""
    project = write(
        tmp_path / "project",
        {
            "compose.yaml": f'services:\n  web:\n    image: "deploy:{MARKER}@registry.example.com/app:1"\n',
            "k8s/pod.yaml": POD.replace("nginx:1.27", f'"ci:{MARKER}@en@registry.example.com/x:1"'),
        },
    )
    check(project, tmp_path / "out")
    for command in (["sbom", "."], ["evidence", ".", "--format", "markdown"]):
        run = run_medlint([command[0], "--today", TODAY, *command[1:]], project)
        assert_kept_promises(run, exit_codes=(0, 1), markers=(MARKER,))
