"""Compare medlint's Dockerfile parser with dockerfile-parse on every Dockerfile of a corpus.

    pip install dockerfile-parse
    python benchmarks/compare_dockerfile_parse.py [../shared/corpus/dockerfile]

For each file, both parsers' instructions are compared: keyword, first and last line (the instruction
boundaries), and the value (the text after the keyword, flags included, whitespace runs collapsed, line
continuations removed). Prints a table of agreement and the differences by cause, with examples. The
findings are recorded in docs/decisions/dockerfile-parse.md; the cases that revealed a bug on either side
are kept in tests/parsers/test_dockerfile_differential.py.
"""

from __future__ import annotations

import io
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from dockerfile_parse import DockerfileParser  # noqa: E402

from medlint.parsers.dockerfile import parse_dockerfile  # noqa: E402
from medlint.source import SourceError, decode_text  # noqa: E402

_FLAG = re.compile(r"^--([a-z-]+)(?:=\S*)?\s*")


def normalise(text: str) -> str:
    return " ".join(text.replace("\\\n", " ").split())


def split_flags(value: str) -> tuple[str, str]:
    """(flag names, the rest): flag values are compared apart, since medlint resolves ARGs in them."""
    names = []
    while match := _FLAG.match(value):
        names.append(match.group(1))
        value = value[match.end() :]
    return " ".join(sorted(names)), value


def theirs(data: bytes) -> list[tuple[str, int, int, str]]:
    parser = DockerfileParser(fileobj=io.BytesIO(data))
    rows = []
    for item in parser.structure:
        if item["instruction"] == "COMMENT":
            continue
        flags, rest = split_flags(normalise(item["value"]))
        rows.append((item["instruction"].upper(), item["startline"] + 1, item["endline"] + 1, flags, rest))
    return rows


def ours(path: str, text: str) -> list[tuple[str, int, int, str]]:
    dockerfile = parse_dockerfile(path, text)
    found = []
    for instruction in (*dockerfile.global_args, *(s.from_instruction for s in dockerfile.stages)):
        found.append(instruction)
    for stage in dockerfile.stages:
        found.extend(i for i in stage.instructions if i is not stage.from_instruction)
    rows = []
    for instruction in sorted(found, key=lambda i: i.location.line):
        # Repeated flags (--mount, --device) are kept as one value, one line per occurrence.
        flags = " ".join(sorted(n for n, v in instruction.flags.items() for _ in str(v).split("\n")))
        rows.append(
            (
                instruction.keyword.upper(),
                instruction.location.line,
                instruction.location.end_line,
                flags,
                normalise(instruction.arguments),
            )
        )
    return rows


def cause(text: str, mine: list, other: list) -> str:
    """A short label for why two instruction lists differ (first matching explanation)."""
    if [row[:3] for row in mine] == [row[:3] for row in other]:
        return "same boundaries, different value"
    if re.search(r"<<-?\s*['\"]?[A-Za-z_]", text):
        return "heredoc (dockerfile-parse reads the body as instructions)"
    if re.search(r"\\\\[ \t]*\n[ \t]*\n", text):
        return "line ending in an escaped backslash, then an empty line"
    if re.search(r"^#\s*escape\s*=", text, re.M | re.I):
        return "escape directive"
    if re.search(r"\\\s*\n\s*#", text):
        return "comment inside a continuation"
    if re.search(r"\\[ \t]+\n", text):
        return "backslash followed by spaces"
    if re.search(r"\\\s*\n\s*\n", text):
        return "empty line inside a continuation"
    return "other"


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO_ROOT.parent / "shared" / "corpus" / "dockerfile"
    files = sorted(
        p
        for p in corpus.rglob("*")
        if p.is_file() and (p.name.startswith("Dockerfile") or p.name.endswith(".Dockerfile"))
    )
    same_boundaries = same_values = errors_ours = errors_theirs = 0
    causes: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    for path in files:
        data = path.read_bytes()
        try:
            text = decode_text(data)
            mine = ours(path.name, text)
        except SourceError:
            errors_ours += 1
            continue
        try:
            other = theirs(data)
        except Exception:  # dockerfile-parse raises on some inputs; count them
            errors_theirs += 1
            continue
        if [row[:3] for row in mine] == [row[:3] for row in other]:
            same_boundaries += 1
            if mine == other:
                same_values += 1
                continue
        label = cause(text, mine, other)
        causes[label] += 1
        if len(examples[label]) < 3:
            diff = next(
                (f"{a} | {b}" for a, b in zip(mine, other) if a != b),
                f"{len(mine)} vs {len(other)} instructions",
            )
            examples[label].append(f"{path.relative_to(corpus)}: {diff[:220]}")
    print(f"| Dockerfiles | {len(files)} |")
    print(f"| not parsed by medlint (MD001) | {errors_ours} |")
    print(f"| dockerfile-parse raised | {errors_theirs} |")
    print(f"| same instruction boundaries | {same_boundaries} |")
    print(f"| same boundaries and values | {same_values} |")
    print()
    print("| difference | files |")
    print("|---|---|")
    for label, count in causes.most_common():
        print(f"| {label} | {count} |")
    print()
    for label, lines in examples.items():
        print(f"## {label}")
        for line in lines:
            print(f"- {line}")


if __name__ == "__main__":
    main()
