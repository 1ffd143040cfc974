"""medlint over the shared corpus of real-world files: nothing crashes, nothing is skipped silently, and
every file that cannot be parsed is an MD001 finding with its line. Skipped when the corpus is absent."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from medlint.api import lint
from medlint.report import Report
from tests.conftest import CORPUS, REPO_ROOT

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")


def _lint_corpus(corpus: Path) -> Report:
    # The corpus is data, not a checkout: no .gitignore of an enclosing repository decides what is read.
    return lint(
        [str(corpus / kind) for kind in ("dockerfile", "compose", "k8s", "helm")],
        cwd=REPO_ROOT,
        gitignore=False,
    )


@pytest.fixture(scope="module")
def report() -> Report:
    return _lint_corpus(CORPUS)


def _reported(report: Report, path: Path) -> str:
    """A corpus file as reports name it: relative to the report's root, which is the enclosing git checkout
    when ../shared lies inside one, else the working folder or the scanned folder."""
    return path.resolve().relative_to(Path(report.root).resolve()).as_posix()


def _files(report: Report, folder: str, suffixes: tuple[str, ...]) -> list[str]:
    return sorted(
        _reported(report, path)
        for path in (CORPUS / folder).rglob("*")
        if path.is_file() and path.name.lower().endswith(suffixes)
    )


def test_no_internal_error(report: Report) -> None:
    assert [note.message for note in report.result.notifications] == []
    assert not any("internal error" in problem.message for problem in report.project.problems)


def test_every_dockerfile_is_read(report: Report) -> None:
    dockerfiles = [
        _reported(report, path)
        for path in (CORPUS / "dockerfile").rglob("*")
        if path.is_file() and (path.name.startswith("Dockerfile") or path.name.endswith(".Dockerfile"))
    ]
    read = [f.path for f in report.project.files if f.kind.value == "dockerfile"]
    assert sorted(read) == sorted(dockerfiles)


def test_every_yaml_file_is_read_or_reported(report: Report) -> None:
    """Each YAML/JSON file outside charts is a Compose file, a manifest, or listed as not an artifact."""
    expected = _files(report, "compose", (".yml", ".yaml")) + _files(report, "k8s", (".yml", ".yaml"))
    read = {f.path for f in report.project.files if f.kind.value in ("compose", "kubernetes")}
    unaccounted = [path for path in expected if path not in read and path not in report.unrecognised]
    assert unaccounted == []
    counts = Counter(f.kind.value for f in report.project.files)
    assert counts["compose"] >= 200 and counts["kubernetes"] >= 450


def test_every_chart_is_read(report: Report) -> None:
    chart_dirs = {
        p.parent
        for p in (CORPUS / "helm").rglob("Chart.yaml")
        if "charts" not in p.relative_to(CORPUS / "helm").parts[2:-1]
    }
    top_level = {d for d in chart_dirs if not any(parent in chart_dirs for parent in d.parents)}
    assert report.charts_read() + sum(
        1 for f in report.project.files if f.role == "Chart.yaml" and not f.analysed
    ) == len(top_level)


def test_unparsable_files_are_md001_with_a_line(report: Report) -> None:
    not_analysed = {f.path for f in report.project.files if not f.analysed}
    md001 = {f.location.path: f for f in report.result.findings if f.rule_id == "MD001"}
    assert set(md001) == not_analysed
    assert all(finding.location.line >= 1 and finding.message for finding in md001.values())


def test_every_dockerfile_is_read_inside_a_git_work_tree(tmp_path: Path) -> None:
    """../shared may lie inside a git work tree; reported paths are then relative to that tree."""
    import shutil

    copy = tmp_path / "checkout" / "shared" / "corpus"
    shutil.copytree(CORPUS / "dockerfile", copy / "dockerfile", symlinks=True)
    (tmp_path / "checkout" / ".git").mkdir()
    report = lint([str(copy / "dockerfile")], cwd=REPO_ROOT, gitignore=False)
    assert Path(report.root).resolve() == (tmp_path / "checkout").resolve()
    read = sorted(f.path for f in report.project.files if f.kind.value == "dockerfile")
    expected = sorted(
        path.resolve().relative_to((tmp_path / "checkout").resolve()).as_posix()
        for path in (copy / "dockerfile").rglob("*")
        if path.is_file() and (path.name.startswith("Dockerfile") or path.name.endswith(".Dockerfile"))
    )
    assert read == expected and all(path.startswith("shared/corpus/dockerfile/") for path in read)
