"""medlint's Dockerfile parser against dockerfile-parse on every corpus Dockerfile (docs/decisions/).

Any difference outside the two explained groups (heredocs, which dockerfile-parse does not know, and lines
ending in an escaped backslash before an empty line) fails, so a parser change that moves an instruction
boundary is noticed."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, REPO_ROOT

pytest.importorskip("dockerfile_parse")

CORPUS_KIND = CORPUS / "dockerfile"
_spec = importlib.util.spec_from_file_location(
    "compare_dfp", REPO_ROOT / "benchmarks" / "compare_dockerfile_parse.py"
)
compare = importlib.util.module_from_spec(_spec)
sys.modules["compare_dfp"] = compare
_spec.loader.exec_module(compare)  # type: ignore[union-attr]

from medlint.source import SourceError, decode_text  # noqa: E402


def _corpus_files() -> list[Path]:
    if not CORPUS_KIND.is_dir():
        return []
    return sorted(
        p
        for p in CORPUS_KIND.rglob("*")
        if p.is_file() and (p.name.startswith("Dockerfile") or p.name.endswith(".Dockerfile"))
    )


EXPLAINED = ("heredoc", "escaped backslash")


@pytest.mark.skipif(not CORPUS_KIND.is_dir(), reason="../shared/corpus is not present")
def test_both_parsers_agree_on_the_corpus_except_explained_differences() -> None:
    unexplained, agreed = [], 0
    for path in _corpus_files():
        data = path.read_bytes()
        try:
            mine = compare.ours(path.name, decode_text(data))
        except SourceError:
            continue
        other = compare.theirs(data)
        if mine == other:
            agreed += 1
            continue
        label = compare.cause(decode_text(data), mine, other)
        if not any(word in label for word in EXPLAINED):
            unexplained.append(f"{path.relative_to(CORPUS_KIND)}: {label}")
    assert unexplained == []
    assert agreed >= 450


def test_heredoc_ends_at_its_delimiter_where_dockerfile_parse_reads_the_body_as_instructions() -> None:
    text = "FROM debian:12\nRUN <<EOF\napt-get update\nuseradd app\nEOF\nUSER 10001\n"
    mine = compare.ours("Dockerfile", text)
    assert [(row[0], row[1], row[2]) for row in mine] == [("FROM", 1, 1), ("RUN", 2, 5), ("USER", 6, 6)]
    other = compare.theirs(text.encode())
    assert "APT-GET" in [row[0] for row in other]  # dockerfile-parse's limitation, documented


def test_continuations_comments_and_repeated_flags_agree() -> None:
    text = (
        "FROM alpine:3.20\n"
        "RUN --mount=type=cache,target=/a --mount=type=secret,id=x \\\n"
        "    # a comment inside the continuation\n"
        "    apk add curl \\\n"
        "    && echo done\n"
        'LABEL a="1" \\\n      b="2"\n'
    )
    assert compare.ours("Dockerfile", text) == compare.theirs(text.encode())
    assert re.search(r"mount mount", " ".join(str(row) for row in compare.ours("Dockerfile", text)))
