"""Provenance read from `.git` without running git: plain checkouts and linked worktrees."""

from __future__ import annotations

from pathlib import Path

from medlint.vcs import read_provenance

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def _repository(root: Path) -> Path:
    git = root / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (git / "refs" / "heads" / "main").write_text(COMMIT + "\n", encoding="utf-8")
    (git / "packed-refs").write_text(
        f"# pack-refs with: peeled\n{'f' * 40} refs/heads/feature\n", encoding="utf-8"
    )
    (git / "config").write_text(
        '[remote "origin"]\n\turl = https://ci:token@example.com/device/app.git\n', encoding="utf-8"
    )
    return git


def test_a_plain_checkout_names_origin_commit_and_branch(tmp_path: Path) -> None:
    _repository(tmp_path)
    provenance = read_provenance(tmp_path)
    assert provenance is not None
    assert provenance.revision_id == COMMIT
    assert provenance.branch == "main"
    assert provenance.repository_uri == "https://example.com/device/app.git"


def test_a_linked_worktree_reads_refs_and_config_from_the_common_directory(tmp_path: Path) -> None:
    git = _repository(tmp_path / "main")
    private = git / "worktrees" / "wt"
    private.mkdir(parents=True)
    (private / "HEAD").write_text("ref: refs/heads/feature\n", encoding="utf-8")
    (private / "commondir").write_text("../..\n", encoding="utf-8")
    worktree = tmp_path / "wt"
    worktree.mkdir()
    (worktree / ".git").write_text(f"gitdir: {private}\n", encoding="utf-8")
    provenance = read_provenance(worktree)
    assert provenance is not None
    assert provenance.branch == "feature"
    assert provenance.revision_id == "f" * 40
    assert provenance.repository_uri == "https://example.com/device/app.git"
