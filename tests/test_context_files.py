"""The loader reads the requirement files `pip install -r/-c` name from the build context
(`Dockerfile.context_files`), only where the file behind the image path is known, and never outside the
scanned root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from medlint.api import lint
from medlint.context_files import MAX_CONTEXT_FILE_BYTES


def _context_files(
    root: Path, dockerfile: str, files: dict[str, str | bytes], directory: str = ""
) -> dict[str, str]:
    base = root / directory
    base.mkdir(parents=True, exist_ok=True)
    (base / "Dockerfile").write_text(dockerfile, encoding="utf-8")
    for name, content in files.items():
        target = base / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    report = lint([str(base / "Dockerfile")], cwd=root)
    (loaded,) = report.project.dockerfiles
    return dict(loaded.context_files)


def test_copied_file_and_nested_files_are_read(tmp_path: Path) -> None:
    files = _context_files(
        tmp_path,
        (
            "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt ./\nCOPY requirements/ requirements/\n"
            "RUN pip install -r ./requirements.txt\n"
        ),
        {
            "requirements.txt": "-r requirements/base.txt\nflask\n",
            "requirements/base.txt": "-c ../c.txt\nredis\n",
            "c.txt": "redis==5.0.8\n",
        },
    )
    # c.txt was never copied into the image: pip would not find it, and neither is it read.
    assert files == {
        "requirements.txt": "-r requirements/base.txt\nflask\n",
        "requirements/base.txt": "-c ../c.txt\nredis\n",
    }


@pytest.mark.parametrize(
    "dockerfile, key",
    [
        # The COPY source counts, not the file of the same name next to the Dockerfile.
        (
            "FROM python:3.12\nCOPY deploy/requirements.txt requirements.txt\nRUN pip install -r requirements.txt\n",
            "requirements.txt",
        ),
        (
            "FROM python:3.12\nCOPY deploy/requirements.txt /srv/\nRUN pip install -r /srv/requirements.txt\n",
            "/srv/requirements.txt",
        ),
        (
            "FROM python:3.12\nWORKDIR /srv\nCOPY deploy .\nRUN pip3 install -r requirements.txt\n",
            "requirements.txt",
        ),
        (
            "FROM python:3.12\nCOPY deploy/*.txt /srv/\nRUN cd /srv && python3 -m pip install -r requirements.txt\n",
            "requirements.txt",
        ),
        (
            "FROM python:3.12\nRUN --mount=type=bind,source=deploy,target=/mnt pip install -r /mnt/requirements.txt\n",
            "/mnt/requirements.txt",
        ),
        # A later stage built FROM an earlier one sees its files and its WORKDIR.
        (
            "FROM python:3.12 AS base\nWORKDIR /srv\nCOPY deploy/requirements.txt .\nFROM base\n"
            "RUN pip install -r requirements.txt\n",
            "requirements.txt",
        ),
    ],
)
def test_the_copy_source_is_read(tmp_path: Path, dockerfile: str, key: str) -> None:
    files = _context_files(
        tmp_path, dockerfile, {"requirements.txt": "wrong\n", "deploy/requirements.txt": "right\n"}
    )
    assert files == {key: "right\n"}


@pytest.mark.parametrize(
    "dockerfile",
    [
        # No COPY or bind mount provides it: the base image, a clone or another context does.
        "FROM python:3.12\nRUN pip install -r requirements.txt\n",
        "FROM python:3.12\nRUN git clone https://example.com/app.git /app && pip install -r /app/requirements.txt\n",
        # The latest writer of the path cannot be seen.
        "FROM python:3.12\nCOPY requirements.txt .\nCOPY --from=builder /out/ ./\nRUN pip install -r requirements.txt\n",
        "FROM python:3.12\nCOPY requirements.txt .\nADD https://example.com/requirements.txt .\n"
        "RUN pip install -r requirements.txt\n",
        "FROM python:3.12\nCOPY requirements.txt .\nADD app.tar.gz .\nRUN pip install -r requirements.txt\n",
        "FROM python:3.12\nARG SRC\nCOPY $SRC .\nRUN pip install -r requirements.txt\n",
        "FROM python:3.12\nCOPY requirements.txt .\nRUN --mount=type=cache,target=. pip install -r requirements.txt\n",
        # An earlier command may have changed or generated it.
        "FROM python:3.12\nCOPY requirements.txt .\nRUN sed -i 's/flask/flask==3/' requirements.txt\n"
        "RUN pip install -r requirements.txt\n",
        "FROM python:3.12\nCOPY requirements.txt .\n"
        "RUN echo 'flask==3.0.3' >> requirements.txt && pip install -r requirements.txt\n",
        "FROM python:3.12\nCOPY requirements.in .\nRUN pip-compile requirements.in && pip install -r requirements.txt\n",
        "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\n"
        "RUN tar -xf /tmp/src.tar && pip install -r requirements.txt\n",
        # The working directory is unknown.
        "FROM python:3.12\nCOPY requirements.txt /app/\nRUN cd $APP && pip install -r requirements.txt\n",
        "FROM python:3.12\nWORKDIR $APP_HOME\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
        # A variable in the path.
        "FROM python:3.12\nCOPY requirements.txt .\nRUN pip install -r $REQUIREMENTS\n",
    ],
)
def test_unknown_file_is_not_read(tmp_path: Path, dockerfile: str) -> None:
    assert (
        _context_files(tmp_path, dockerfile, {"requirements.txt": "flask\n", "requirements.in": "flask\n"})
        == {}
    )


def test_later_commands_do_not_matter(tmp_path: Path) -> None:
    dockerfile = (
        "FROM python:3.12\nCOPY requirements.txt .\n"
        "RUN pip install --upgrade pip && pip install -r requirements.txt && rm requirements.txt\n"
    )
    assert _context_files(tmp_path, dockerfile, {"requirements.txt": "flask\n"}) == {
        "requirements.txt": "flask\n"
    }


def test_same_path_from_different_sources_is_not_read(tmp_path: Path) -> None:
    dockerfile = (
        "FROM python:3.12 AS a\nCOPY a/requirements.txt .\nRUN pip install -r requirements.txt\n"
        "FROM python:3.12 AS b\nCOPY b/requirements.txt .\nRUN pip install -r requirements.txt\n"
    )
    assert (
        _context_files(tmp_path, dockerfile, {"a/requirements.txt": "x\n", "b/requirements.txt": "y\n"}) == {}
    )
    dockerfile = dockerfile.replace("b/requirements.txt", "a/requirements.txt")
    assert _context_files(tmp_path, dockerfile, {}) == {"requirements.txt": "x\n"}


def test_limits_size_encoding_and_root(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    dockerfile = (
        "FROM python:3.12\nCOPY . /app\n"
        "RUN pip install -r /app/big.txt -r /app/latin1.txt -r /app/link.txt -r /app/ok.txt\n"
    )
    outside = tmp_path / "outside.txt"
    outside.write_text("secret\n", encoding="utf-8")
    (root / "svc").mkdir(parents=True)
    os.symlink(outside, root / "svc" / "link.txt")
    files = _context_files(
        root,
        dockerfile,
        {
            "big.txt": b"x" * (MAX_CONTEXT_FILE_BYTES + 1),
            "latin1.txt": "caf\u00e9\n".encode("latin-1"),
            "ok.txt": "flask==3.0.3\n",
        },
        directory="svc",
    )
    assert files == {"/app/ok.txt": "flask==3.0.3\n"}


def test_nested_cycles_and_depth_are_bounded(tmp_path: Path) -> None:
    chain = {f"r{depth}.txt": f"-r r{depth + 1}.txt\n" for depth in range(9)}
    chain["cycle.txt"] = "-r cycle.txt\n"
    dockerfile = "FROM python:3.12\nCOPY . .\nRUN pip install -r r0.txt -r cycle.txt\n"
    files = _context_files(tmp_path, dockerfile, chain)
    assert sorted(files) == ["cycle.txt", "r0.txt", "r1.txt", "r2.txt", "r3.txt", "r4.txt", "r5.txt"]


def test_pip_commands_that_read_the_file_do_not_change_it(tmp_path: Path) -> None:
    dockerfile = (
        "FROM python:3.12\nCOPY requirements.txt .\n"
        "RUN pip wheel -r requirements.txt -w /wheels && pip download --requirement=requirements.txt -d /d\n"
        "RUN pip install --no-index -f /wheels -r requirements.txt\n"
    )
    assert _context_files(tmp_path, dockerfile, {"requirements.txt": "flask\n"}) == {
        "requirements.txt": "flask\n"
    }


def test_files_the_ignore_file_keeps_out_are_not_read(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt -r requirements-dev.txt\n"
    files = _context_files(
        tmp_path,
        dockerfile,
        {
            ".dockerignore": "requirements*.txt\n!requirements.txt\n",
            "requirements.txt": "flask\n",
            "requirements-dev.txt": "pytest\n",
        },
    )
    assert files == {"requirements.txt": "flask\n"}
