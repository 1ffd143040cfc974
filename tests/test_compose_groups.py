"""Compose projects as `docker compose` merges files: conventions, overlays, configuration, missing bases."""

from __future__ import annotations

from pathlib import Path

import pytest

from medlint.api import lint
from medlint.compose_groups import ComposeGroup, group_compose_files, is_overlay_name
from medlint.config import load_config

HEX = "0123456789abcdef" * 4


def _groups(
    files: dict[str, bool],
    candidates: list[str] | None = None,
    configured: list[list[str]] | None = None,
    extends: dict[str, list[str]] | None = None,
    unrelated: set[tuple[str, str]] | None = None,
) -> list[ComposeGroup]:
    """`files`: path -> incomplete alone."""
    return group_compose_files(
        candidates if candidates is not None else list(files),
        configured or [],
        exists=lambda path: path in files,
        incomplete=lambda path: files[path],
        extended=lambda path: (extends or {}).get(path, []),
        belongs_to=lambda overlay, base: (overlay, base) not in (unrelated or set()),
    )


def test_the_default_file_takes_its_override() -> None:
    assert _groups({"app/compose.yaml": False, "app/compose.override.yaml": True}) == [
        ComposeGroup(("app/compose.yaml", "app/compose.override.yaml"))
    ]
    # docker compose's order of names: compose.yaml before docker-compose.yml; any override name.
    assert _groups(
        {"docker-compose.yml": False, "compose.yaml": False, "docker-compose.override.yml": True}
    ) == [
        ComposeGroup(("compose.yaml", "docker-compose.override.yml")),
        ComposeGroup(("docker-compose.yml",)),
    ]


def test_a_named_override_or_overlay_brings_its_base_from_disk() -> None:
    files = {"compose.yaml": False, "compose.override.yaml": True, "compose.prod.yaml": True}
    assert _groups(files, candidates=["compose.override.yaml"]) == [
        ComposeGroup(("compose.yaml", "compose.override.yaml"))
    ]
    assert _groups(files, candidates=["compose.prod.yaml"]) == [
        ComposeGroup(("compose.yaml", "compose.prod.yaml"))
    ]


def test_environment_and_test_overlays() -> None:
    files = {
        "compose.yaml": False,
        "compose.prod.yaml": True,
        "compose.standalone.yaml": False,  # complete on its own: its own project
        "tests/compose.e2e.yaml": True,
        "tests/compose.yaml": False,
        "tests/base.yml": False,
    }
    groups = _groups(files, extends={"tests/compose.e2e.yaml": ["tests/base.yml"]})
    assert groups == [
        ComposeGroup(("compose.yaml",)),
        ComposeGroup(("compose.yaml", "compose.prod.yaml")),
        ComposeGroup(("compose.standalone.yaml",)),
        ComposeGroup(("tests/compose.yaml",)),
        ComposeGroup(("tests/base.yml", "tests/compose.e2e.yaml")),  # the file it extends wins
        ComposeGroup(("tests/base.yml",)),
    ]


def test_missing_bases_and_unrelated_files() -> None:
    assert _groups({"deploy/compose.prod.yaml": True}) == [ComposeGroup(("deploy/compose.prod.yaml",), True)]
    assert _groups({"compose.override.yml": True}) == [ComposeGroup(("compose.override.yml",), True)]
    # Not named as an overlay, nothing to merge with: a project whose undefined names MD002 lists one by one.
    assert _groups({"stack.yaml": True}) == [ComposeGroup(("stack.yaml",))]
    # A base beside it that it does not belong to (no shared service, no name it lacks defined there).
    files = {"compose.yaml": False, "compose.tools.yaml": True}
    assert _groups(files, unrelated={("compose.tools.yaml", "compose.yaml")}) == [
        ComposeGroup(("compose.yaml",)),
        ComposeGroup(("compose.tools.yaml",)),
    ]
    # A default file is a base, never an overlay.
    assert _groups({"compose.yaml": True}) == [ComposeGroup(("compose.yaml",))]


def test_configured_projects_come_first_and_only_when_scanned() -> None:
    files = {"deploy/a.yaml": False, "deploy/site.yaml": True, "other/x.yaml": False}
    configured = [["deploy/a.yaml", "deploy/site.yaml"], ["other/x.yaml", "other/y.yaml"]]
    assert _groups(files, candidates=["deploy/site.yaml"], configured=configured) == [
        ComposeGroup(("deploy/a.yaml", "deploy/site.yaml"))
    ]


@pytest.mark.parametrize(
    "name, overlay",
    [
        ("compose.prod.yaml", True),
        ("docker-compose.test.yml", True),
        ("compose.override.yaml", True),
        ("compose.base.override.yml", True),
        ("compose.yaml", False),
        ("compose-prod.yaml", False),
        ("stack.yaml", False),
    ],
)
def test_overlay_names(name: str, overlay: bool) -> None:
    assert is_overlay_name(f"deploy/{name}") is overlay


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def test_configuration_merges_files_of_any_name_across_folders(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            ".medlint.yaml": "compose:\n  projects:\n    - [deploy/stack.yaml, sites/site-a.yaml]\n",
            "deploy/stack.yaml": f"services:\n  api:\n    image: registry.example.com/api:1.0.0@sha256:{HEX}\n"
            "networks:\n  backend:\n",
            "sites/site-a.yaml": "services:\n  api:\n    networks: [backend]\n",
        },
    )
    config = load_config(tmp_path / ".medlint.yaml")
    assert config.compose_projects == (
        (str(tmp_path / "deploy/stack.yaml"), str(tmp_path / "sites/site-a.yaml")),
    )
    report = lint(["sites/site-a.yaml"], cwd=tmp_path, safety_class="C", config=config)
    (project,) = report.project.compose_projects
    assert project.files == ("deploy/stack.yaml", "sites/site-a.yaml")
    assert not [f for f in report.result.findings if f.rule_id == "MD002"]


def test_configuration_errors_name_the_key(tmp_path: Path) -> None:
    from medlint.config import ConfigError

    (tmp_path / ".medlint.yaml").write_text("compose:\n  project:\n    - [a.yaml]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / ".medlint.yaml")
    assert "project" in str(raised.value) and "projects" in str(raised.value)


def test_an_overlay_next_to_its_base_gets_no_md002(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "compose.yaml": f"services:\n  api:\n    image: registry.example.com/api:1.0.0@sha256:{HEX}\n"
            "  db:\n    image: postgres:16.4\nnetworks:\n  backend:\n",
            "compose.prod.yaml": "services:\n  api:\n    networks: [backend]\n    depends_on: [db]\n",
            "compose.override.yaml": "services:\n  db:\n    restart: always\n",
        },
    )
    for paths in (["."], ["compose.prod.yaml"], ["compose.override.yaml"]):
        report = lint(paths, cwd=tmp_path, safety_class="C")
        assert [f.message for f in report.result.findings if f.rule_id == "MD002"] == [], paths


def test_a_broken_base_is_one_parse_error_not_errors_of_its_overlays(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "compose.yaml": "services:\n  api:\n    image: [unclosed\n",
            "compose.override.yaml": "services:\n  api:\n    environment: {A: '1'}\n",
        },
    )
    report = lint(["."], cwd=tmp_path, safety_class="C")
    assert sorted(
        (f.rule_id, f.location.path) for f in report.result.findings if f.rule_id in ("MD001", "MD002")
    ) == [("MD001", "compose.yaml")]
    files = {item.path: item.analysed for item in report.project.files}
    assert files == {"compose.yaml": False, "compose.override.yaml": False}
