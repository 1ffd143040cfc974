"""Configuration files: discovery, validation with clear messages (exit code 2), and their effect."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from medlint.cli import main
from medlint.config import ConfigError, find_config, load_config

DOCKERFILE = "FROM debian:12.6-slim\nUSER 10001\n"


def test_found_by_walking_up_and_applied(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".medlint.yaml").write_text(
        "safety_class: A\nrules:\n  disable: [MD102]\n  levels: {MD110: error}\n", encoding="utf-8"
    )
    sub = tmp_path / "images"
    sub.mkdir()
    (sub / "Dockerfile").write_text(DOCKERFILE, encoding="utf-8")
    assert find_config(sub / "Dockerfile") == tmp_path / ".medlint.yaml"
    result = CliRunner().invoke(main, ["check", str(sub / "Dockerfile"), "--format", "json"])
    import json

    data = json.loads(result.output)
    assert data["safety_class"] == {"value": "A", "reason": "set by safety_class in .medlint.yaml"}
    assert "MD102" in data["rules_disabled"]
    assert {f["level"] for f in data["findings"] if f["rule_id"] == "MD110"} == {"error"}
    assert result.exit_code == 1


def test_pyproject_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.medlint]\nsafety_class = "B"\nexclude = ["vendor/*"]\n', encoding="utf-8"
    )
    config = load_config(find_config(tmp_path))
    assert (config.safety_class, config.exclude) == ("B", ("vendor/*",))


@pytest.mark.parametrize(
    "content, expected",
    [
        ("safety_class: D\n", '.medlint.yaml:1: safety_class: "D" is not a safety class: A, B or C'),
        (
            "rules:\n  levels: {MD201: fatal}\n",
            '.medlint.yaml:2: rules.levels.MD201: "fatal" is not a level: error, warning, note or off',
        ),
        ("waivers:\n  - rules: [MD201]\n", '.medlint.yaml:2: waivers.0: "reason" is missing; it is required'),
        ("colour: blue\n", ".medlint.yaml:1: colour: unknown key"),
        ("safety_class: [\n", "invalid YAML"),
    ],
)
def test_mistakes_are_clear_and_exit_2(tmp_path: Path, content: str, expected: str) -> None:
    (tmp_path / ".medlint.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / ".medlint.yaml")
    assert expected in str(caught.value) and ".medlint.yaml" in str(caught.value)
    (tmp_path / "Dockerfile").write_text(DOCKERFILE, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "Dockerfile")])
    assert result.exit_code == 2 and expected in result.output


def test_init_writes_a_valid_commented_starter(tmp_path: Path) -> None:
    target = tmp_path / ".medlint.yaml"
    assert CliRunner().invoke(main, ["init", "--output", str(target)]).exit_code == 0
    assert load_config(target).path == target
    assert CliRunner().invoke(main, ["init", "--output", str(target)]).exit_code == 2
