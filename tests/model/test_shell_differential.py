"""medlint's shell splitting against bashlex on every corpus RUN (docs/decisions/shell-splitting.md)."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.conftest import CORPUS, REPO_ROOT

pytest.importorskip("bashlex")

CORPUS_KIND = CORPUS / "dockerfile"
_spec = importlib.util.spec_from_file_location(
    "compare_bashlex", REPO_ROOT / "benchmarks" / "compare_bashlex.py"
)
compare = importlib.util.module_from_spec(_spec)
sys.modules["compare_bashlex"] = compare
_spec.loader.exec_module(compare)  # type: ignore[union-attr]

from medlint.parsers.dockerfile import parse_dockerfile  # noqa: E402
from medlint.source import SourceError, decode_text  # noqa: E402

#: Kinds of difference the decision page explains; anything else is new and fails.
EXPLAINED = ("loop and case headers", "function definitions", "same commands, different words")


@pytest.mark.skipif(not CORPUS_KIND.is_dir(), reason="../shared/corpus is not present")
def test_both_agree_on_corpus_runs_except_explained_differences() -> None:
    unexplained, agreed = [], 0
    for path in sorted(CORPUS_KIND.rglob("*")):
        if (
            not path.is_file()
            or "windows" in str(path)
            or not (path.name.startswith("Dockerfile") or path.name.endswith(".Dockerfile"))
        ):
            continue
        try:
            dockerfile = parse_dockerfile(path.name, decode_text(path.read_bytes()))
        except SourceError:
            continue
        for instruction in dockerfile.instructions():
            if instruction.keyword != "RUN" or instruction.json_arguments is not None or instruction.heredocs:
                continue
            text = instruction.arguments
            try:
                other = compare.theirs(text)
            except Exception:  # bashlex does not implement case patterns; medlint splits them anyway
                assert compare.ours(text), f"{path}:{instruction.location.line}"
                continue
            mine = compare.ours(text)
            if mine == other:
                agreed += 1
                continue
            label = compare.classify(text, mine, other)
            if label == "same commands, different words":
                # Only the double-quote backslash case is explained: bashlex drops backslashes bash keeps.
                differing = [(a, b) for a, b in zip(mine, other) if a != b]
                if all(
                    "\\" in " ".join(a) and " ".join(a).replace("\\", "") == " ".join(b).replace("\\", "")
                    for a, b in differing
                ):
                    continue
            elif any(word in label for word in EXPLAINED):
                continue
            unexplained.append(f"{path.relative_to(CORPUS_KIND)}:{instruction.location.line}: {label}")
    assert unexplained == []
    assert agreed >= 1000


def test_backslashes_inside_double_quotes_stay_as_bash_keeps_them() -> None:
    text = 'sed -ri "s!^(a)\\s*=.*!\\1!" /etc/x.conf'
    assert compare.ours(text) == [["sed", "-ri", "s!^(a)\\s*=.*!\\1!", "/etc/x.conf"]]
    assert compare.theirs(text) != compare.ours(text)  # bashlex's bug, documented


def test_function_definition_bodies_are_split_like_bash() -> None:
    text = 'ddist() { local f="$1"; apt-get install -y curl; }; ddist x'
    assert compare.ours(text)[0] == compare.theirs(text)[0] == ["local", "f=$1"]


def test_loop_headers_are_not_commands() -> None:
    text = "for key in $KEYS; do gpg --recv-keys $key; done"
    assert compare.ours(text) == compare.theirs(text)
    assert compare.ours("case $a in x) echo 1;; esac") == [["echo", "1"]]
    assert compare.ours("echo for x in y") == [["echo", "for", "x", "in", "y"]]  # an argument, not a header
