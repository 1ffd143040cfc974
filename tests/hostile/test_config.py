"""Hostile configuration files (`.medlint.yaml`, `[tool.medlint]`): each ends quickly with exit code 2 and a
message naming the file, never a traceback, whatever a stranger's pull request puts there."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.harness import assert_kept_promises, run_medlint

DOCKERFILE = "FROM debian:12.6-slim\nUSER 10001\n"


def _project(tmp_path: Path, name: str, content: bytes) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text(DOCKERFILE, encoding="utf-8")
    (tmp_path / name).write_bytes(content)
    return tmp_path


def _alias_bomb(levels: int = 12, width: int = 9) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    lines.append(f"rules:\n  params:\n    MD201:\n      nonroot_images: *a{levels - 1}")
    return "\n".join(lines) + "\n"


YAML_CASES = {
    "deep flow nesting": ("safety_class: " + "[" * 5000 + "]" * 5000 + "\n").encode(),
    "deep block nesting": "".join(f"{'  ' * i}k{i}:\n" for i in range(400)).encode()
    + b"  " * 400
    + b"x: 1\n",
    "nesting past the configuration bound": ("rules: " + "{a: " * 40 + "1" + "}" * 40 + "\n").encode(),
    "alias bomb": _alias_bomb().encode(),
    "non-UTF-8 byte": b'safety_class: B\nwaivers:\n  - rules: [MD201]\n    reason: "caf\xe9"\n',
    "NUL bytes": b"safety_class: B\n\x00\x00\n",
    "huge file": b"# " + b"x" * (2 * 1024 * 1024) + b"\n",
    "recursive alias": b"a: &a [*a]\n",
    "several documents": b"safety_class: B\n---\nsafety_class: C\n",
    "wrong parameter type": b"rules:\n  params:\n    MD114: {warning_horizon_days: soon}\n",
    "wrong limit": b"limits:\n  max_file_bytes: -5\n",
    "python tag": b"safety_class: !!python/object/apply:os.system [echo pwned]\n",
}


@pytest.mark.parametrize("case", sorted(YAML_CASES))
def test_hostile_medlint_yaml_is_exit_2_naming_the_file(tmp_path: Path, case: str) -> None:
    project = _project(tmp_path, ".medlint.yaml", YAML_CASES[case])
    run = run_medlint(["check", "Dockerfile"], project, report_dir=tmp_path / "out")
    assert_kept_promises(run, exit_codes=(2,))
    assert ".medlint.yaml" in run.stderr, run.stderr
    assert "pwned" not in run.everything().replace("echo pwned", "")


TOML_CASES = {
    "deep arrays": b"[tool.medlint]\nexclude = " + b"[" * 5000 + b"]" * 5000 + b"\n",
    "deep inline tables": b"[tool.medlint]\nrules = " + b"{a = " * 3000 + b"1" + b"}" * 3000 + b"\n",
    "non-UTF-8 byte": b'[tool.medlint]\nsafety_class = "\xff"\n',
    "huge file": b"[tool.medlint]\n# " + b"x" * (2 * 1024 * 1024) + b"\n",
    "bad TOML": b"[tool.medlint]\nsafety_class = \n",
    "datetime instead of date": b"[tool.medlint]\ntoday = 2026-12-07T10:00:00\n",
    "wrong parameter type": b"[tool.medlint.rules.params.MD201]\nnonroot_images = 5\n",
}


@pytest.mark.parametrize("case", sorted(TOML_CASES))
def test_hostile_pyproject_table_is_exit_2_naming_the_file(tmp_path: Path, case: str) -> None:
    project = _project(tmp_path, "pyproject.toml", TOML_CASES[case])
    run = run_medlint(["check", "Dockerfile"], project, report_dir=tmp_path / "out")
    assert_kept_promises(run, exit_codes=(2,))
    assert "pyproject.toml" in run.stderr, run.stderr


def test_a_fifo_named_as_configuration_does_not_block(tmp_path: Path) -> None:
    import os

    project = _project(tmp_path, "placeholder", b"")
    os.mkfifo(project / ".medlint.yaml")
    run = run_medlint(["check", "Dockerfile", "--config", ".medlint.yaml"], project, timeout=60)
    assert_kept_promises(run, exit_codes=(2,))
    assert ".medlint.yaml" in run.stderr


def test_messages_name_the_line_and_hold_no_python_repr(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        ".medlint.yaml",
        b"safety_class: B\nrules:\n  params:\n    MD201: {nonroot_image: [x]}\n    MD114: {warning_horizon_days: [1]}\n",
    )
    run = run_medlint(["check", "Dockerfile"], project)
    assert_kept_promises(run, exit_codes=(2,))
    assert (
        '.medlint.yaml:4: rules.params.MD201.nonroot_image: unknown key (did you mean "nonroot_images"?)'
        in (run.stderr)
    )
    assert ".medlint.yaml:5: rules.params.MD114.warning_horizon_days: must be a whole number, not a list" in (
        run.stderr
    )
    for repr_marker in ("datetime.", "[1]", "{'", "is not of type"):
        assert repr_marker not in run.stderr
