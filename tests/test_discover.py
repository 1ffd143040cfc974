"""Discovery: which files are read as what, and what a file named by pre-commit stands for."""

from __future__ import annotations

from pathlib import Path

from medlint.discover import classify_name, discover
from medlint.model import ArtifactKind


def test_names() -> None:
    assert classify_name("Dockerfile") == (True, ArtifactKind.DOCKERFILE)
    assert classify_name("web.Dockerfile") == (True, ArtifactKind.DOCKERFILE)
    assert classify_name("Dockerfile.dev") == (True, ArtifactKind.DOCKERFILE)
    assert classify_name("Containerfile") == (True, ArtifactKind.DOCKERFILE)
    assert classify_name("Dockerfile.dockerignore") == (False, None)
    assert classify_name("docker-compose.prod.yml") == (True, ArtifactKind.COMPOSE)
    assert classify_name("compose.yaml") == (True, ArtifactKind.COMPOSE)
    assert classify_name("deploy.yaml") == (True, None)  # decided from content
    assert classify_name("README.md") == (False, None)
    # Named like a Dockerfile but something else: a tool's source, its docs, editor leftovers.
    for name in (
        "dockerfile.py",
        "Dockerfile.go",
        "Dockerfile.md",
        "dockerfile-parse.txt",
        "Dockerfile.orig",
    ):
        assert classify_name(name) == (False, None), name
    for name in ("Dockerfile.prod", "Dockerfile.alpine", "Dockerfile-arm64", "build.dockerfile"):
        assert classify_name(name) == (True, ArtifactKind.DOCKERFILE), name


def _tree(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    chart = tmp_path / "chart" / "app"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: app\nversion: 1.0.0\n", encoding="utf-8")
    (chart / "values.yaml").write_text("replicas: 1\n", encoding="utf-8")
    (chart / "templates" / "deployment.yaml").write_text("kind: {{ .Values.kind }}\n", encoding="utf-8")
    (chart / "charts" / "sub").mkdir(parents=True)
    (chart / "charts" / "sub" / "Chart.yaml").write_text(
        "apiVersion: v2\nname: sub\nversion: 1.0.0\n", encoding="utf-8"
    )
    images = tmp_path / "images"
    images.mkdir()
    (images / "Dockerfile").write_text("FROM x:1\n", encoding="utf-8")
    (images / "api.Dockerfile").write_text("FROM x:1\n", encoding="utf-8")
    (images / ".dockerignore").write_text(".git\n", encoding="utf-8")
    (tmp_path / "node_modules" / "pkg").mkdir(parents=True)
    (tmp_path / "node_modules" / "pkg" / "Dockerfile").write_text("FROM x:1\n", encoding="utf-8")
    return tmp_path


def test_directory_walk_takes_charts_whole_and_skips_tool_folders(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    found = discover(["."], root)
    assert [chart.relative for chart in found.charts] == ["chart/app"]
    assert [c.relative for c in found.candidates] == ["images/Dockerfile", "images/api.Dockerfile"]


def test_a_template_or_values_file_stands_for_its_whole_chart(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    for name in (
        "chart/app/templates/deployment.yaml",
        "chart/app/values.yaml",
        "chart/app/charts/sub/Chart.yaml",
    ):
        found = discover([name], root)
        assert [chart.relative for chart in found.charts] == ["chart/app"] and found.candidates == []


def test_a_dockerignore_stands_for_the_dockerfiles_it_governs(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    found = discover(["images/.dockerignore"], root)
    assert [c.relative for c in found.candidates] == ["images/Dockerfile", "images/api.Dockerfile"]
    assert found.ignored_explicit == []


def test_excludes_and_missing_paths(tmp_path: Path) -> None:
    import pytest

    from medlint.discover import DiscoveryError

    root = _tree(tmp_path)
    found = discover(["."], root, excludes=("images/api.*",))
    assert [c.relative for c in found.candidates] == ["images/Dockerfile"]
    with pytest.raises(DiscoveryError, match="'nope' does not exist"):
        discover(["nope"], root)


def test_a_compose_file_named_alone_brings_the_dockerfiles_it_builds(tmp_path: Path) -> None:
    from medlint.api import lint

    (tmp_path / ".git").mkdir()
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text("FROM debian:12.6-slim\nUSER 10001\n", encoding="utf-8")
    (tmp_path / "compose.yaml").write_text("services:\n  app:\n    build: ./app\n", encoding="utf-8")
    report = lint(["compose.yaml"], cwd=tmp_path)
    assert [d.path for d in report.project.dockerfiles] == ["app/Dockerfile"]
    # The service inherits the image's non-root USER instead of being reported as an unknown image.
    assert not [f for f in report.result.findings if f.rule_id == "MD201"]


def test_kustomize_patches_are_not_linted_as_standalone_objects(tmp_path: Path) -> None:
    from medlint.api import lint

    (tmp_path / ".git").mkdir()
    overlay = tmp_path / "overlays" / "prod"
    overlay.mkdir(parents=True)
    (overlay / "kustomization.yaml").write_text(
        "resources: [../../base]\npatches:\n  - path: replicas-patch.yaml\npatchesStrategicMerge:\n  - env-patch.yaml\n",
        encoding="utf-8",
    )
    partial = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 3\n"
    (overlay / "replicas-patch.yaml").write_text(partial, encoding="utf-8")
    (overlay / "env-patch.yaml").write_text(partial, encoding="utf-8")
    (overlay / "standalone.yaml").write_text(partial, encoding="utf-8")
    report = lint(["."], cwd=tmp_path)
    md002_paths = {f.location.path for f in report.result.findings if f.rule_id == "MD002"}
    assert md002_paths == {"overlays/prod/standalone.yaml"}
    assert any("replicas-patch.yaml (a kustomize patch" in item for item in report.unrecognised)
