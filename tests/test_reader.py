"""The bounded reader: regular files only, never outside its root, at most the limit."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from medlint.limits import Limits
from medlint.reader import FileReader, ReadRefused, read_bytes, read_config_text

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="links and pipes as on POSIX")


def test_reads_a_regular_file_up_to_the_limit(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"x" * 10)
    assert read_bytes(tmp_path / "a", within=tmp_path, max_bytes=10) == b"x" * 10
    with pytest.raises(ReadRefused, match="10 bytes, more than the limit of 9 bytes"):
        read_bytes(tmp_path / "a", within=tmp_path, max_bytes=9)


def test_refuses_what_lies_outside_the_root(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    (tmp_path / "secret").write_text("s", encoding="utf-8")
    with pytest.raises(ReadRefused, match="lies outside the scanned project"):
        read_bytes(tmp_path / "root" / ".." / "secret", within=tmp_path / "root", max_bytes=10)


@posix_only
def test_follows_links_inside_and_refuses_links_out(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "real").write_text("ok", encoding="utf-8")
    (tmp_path / "secret").write_text("s", encoding="utf-8")
    (root / "inside").symlink_to("sub/real")
    (root / "out").symlink_to("../secret")
    assert read_bytes(root / "inside", within=root, max_bytes=10) == b"ok"
    with pytest.raises(ReadRefused, match="symbolic link .* leads outside its chart"):
        read_bytes(root / "out", within=root, max_bytes=10, within_name="its chart")


@posix_only
def test_never_opens_pipes_devices_or_folders(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    for path, kind in (
        (tmp_path / "pipe", "named pipe"),
        ("/dev/zero", "character device"),
        (tmp_path, "directory"),
    ):
        with pytest.raises(ReadRefused, match=kind):
            read_bytes(path, within=None, max_bytes=10)


def test_file_reader_remembers_texts_by_repository_path(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "f.yaml").write_text("a: 1\n", encoding="utf-8")
    reader = FileReader(tmp_path, Limits(max_file_bytes=100))
    assert reader.read_text(tmp_path / "d" / "f.yaml") == "a: 1\n"
    assert reader.text_of("d/f.yaml") == "a: 1\n"
    assert reader.relative_reader()("d/f.yaml") == "a: 1\n"
    with pytest.raises(ReadRefused, match="outside the scanned project"):
        reader.relative_reader()("../elsewhere.yaml")


def test_configuration_files_are_bounded(tmp_path: Path) -> None:
    (tmp_path / ".medlint.yaml").write_text("x" * 20, encoding="utf-8")
    assert read_config_text(tmp_path / ".medlint.yaml") == "x" * 20
    with pytest.raises(ReadRefused, match="limits.max_config_bytes"):
        read_config_text(tmp_path / ".medlint.yaml", Limits(max_config_bytes=10))


def test_the_reader_records_the_sha256_of_the_bytes_it_read(tmp_path: Path) -> None:
    import hashlib

    data = b"\xef\xbb\xbfkind: ConfigMap\n"  # the digest is of the bytes, BOM included, not of the text
    (tmp_path / "a.yaml").write_bytes(data)
    (tmp_path / "b.yaml").write_bytes(b"x" * 10)
    reader = FileReader(tmp_path)
    reader.read_text(tmp_path / "a.yaml")
    with pytest.raises(ReadRefused):
        reader_small = FileReader(tmp_path, Limits(max_file_bytes=5))
        reader_small.read_text(tmp_path / "b.yaml")
    assert reader_small.digests() == {}  # a refused file has no digest
    reader.record("chart/values.yaml", b"replicas: 1\n")
    assert reader.digests() == {
        "a.yaml": hashlib.sha256(data).hexdigest(),
        "chart/values.yaml": hashlib.sha256(b"replicas: 1\n").hexdigest(),
    }


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_files_are_named_by_their_own_folder_inside_the_root_and_absolutely_outside(tmp_path: Path) -> None:
    """A file is named by the real path of its folder (a link to a folder inside names the folder linked
    to; one leading out names the absolute path), never by a link's target file."""
    root = tmp_path / "root"
    (root / "real" / "deep").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (root / "linked").symlink_to(root / "real")
    (root / "out").symlink_to(tmp_path / "outside")
    (root / "real" / "file-link").symlink_to(root / "real" / "deep")
    reader = FileReader(root)
    assert reader.display(root / "top.yaml") == "top.yaml"
    assert reader.display(str(root / "real" / "deep" / "a.yaml")) == "real/deep/a.yaml"
    assert reader.display(root / "linked" / "deep" / "a.yaml") == "real/deep/a.yaml"
    assert reader.display(root / "real" / "file-link") == "real/file-link"
    assert reader.display(root / "out" / "b.yaml") == os.path.realpath(tmp_path / "outside") + "/b.yaml"
    assert reader.display(root) == "."
    assert reader.display(tmp_path / "beside.yaml") == f"{os.path.realpath(tmp_path)}/beside.yaml"
    # the same answers from a reader sent to another process (its folder cache starts empty)
    import pickle

    copied = pickle.loads(pickle.dumps(reader))
    assert copied.display(root / "linked" / "deep" / "a.yaml") == "real/deep/a.yaml"
