"""Compare medlint's shell splitting with bashlex on every shell-form RUN of a corpus's Dockerfiles.

    pip install bashlex
    python benchmarks/compare_bashlex.py [../shared/corpus/dockerfile]

medlint splits a RUN into simple commands and words (`medlint/model/shell.py`); bashlex is a port of
bash's own parser. For every RUN both can read, the top-level simple commands are compared: their number and
their words (quotes removed; redirections left out; commands inside `$(...)` not counted on either side).
Prints a table and examples per kind of difference; docs/decisions/shell-splitting.md records the result.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

import bashlex  # noqa: E402

from medlint.model.shell import split_shell  # noqa: E402
from medlint.parsers.dockerfile import parse_dockerfile  # noqa: E402
from medlint.source import SourceError, decode_text  # noqa: E402

_SKIP = ("commandsubstitution", "processsubstitution")


def theirs(text: str) -> list[list[str]]:
    commands: list[list[str]] = []

    def visit(node: object) -> None:
        kind = getattr(node, "kind", "")
        if kind in _SKIP:
            return
        if kind == "command":
            words = [part.word for part in node.parts if getattr(part, "kind", "") in ("word", "assignment")]
            if words:
                commands.append(words)
            return
        for child in getattr(node, "parts", []) or []:
            visit(child)
        for attribute in ("list", "command"):
            child = getattr(node, attribute, None)
            if isinstance(child, list):
                for item in child:
                    visit(item)
            elif child is not None and hasattr(child, "kind"):
                visit(child)

    for tree in bashlex.parse(text):
        visit(tree)
    return commands


_RESERVED = {
    "if",
    "then",
    "else",
    "elif",
    "fi",
    "do",
    "done",
    "for",
    "while",
    "until",
    "case",
    "esac",
    "in",
    "!",
    "{",
    "}",
}


def ours(text: str) -> list[list[str]]:
    return [list(command.words) for command in split_shell(text) if command.words and not command.nested]


def classify(text: str, mine: list[list[str]], other: list[list[str]]) -> str:
    if len(mine) == len(other):
        return "same commands, different words"
    if any("()" in command[0] for command in mine):
        return "function definitions (name() { ...; })"
    if any(command[0] in _RESERVED for command in mine):
        return "loop and case headers (for x in ...; case ... in) kept as commands"
    if any(word in _RESERVED for command in other for word in command[:1]) or any(
        token in text for token in (" for ", "for ", " while ", "if ", "case ")
    ):
        return "compound commands (if/for/while/case)"
    if "sh -c" in text or "bash -c" in text:
        return "sh -c scripts"
    return "other"


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO_ROOT.parent / "shared" / "corpus" / "dockerfile"
    files = sorted(
        p
        for p in corpus.rglob("*")
        if p.is_file() and (p.name.startswith("Dockerfile") or p.name.endswith(".Dockerfile"))
    )
    runs = same = bashlex_failed = 0
    failures: Counter[str] = Counter()
    causes: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    for path in files:
        if "windows" in path.parts or any("windows" in part for part in path.parts):
            continue  # cmd and PowerShell scripts, not POSIX shell
        try:
            dockerfile = parse_dockerfile(path.name, decode_text(path.read_bytes()))
        except SourceError:
            continue
        for instruction in dockerfile.instructions():
            if instruction.keyword != "RUN" or instruction.json_arguments is not None or instruction.heredocs:
                continue
            if "powershell" in instruction.arguments.lower() or "cmd /" in instruction.arguments.lower():
                continue
            runs += 1
            text = instruction.arguments
            try:
                other = theirs(text)
            except Exception as error:  # bashlex raises on what it cannot parse
                bashlex_failed += 1
                failures[type(error).__name__ + ": " + str(error).split(" (position")[0][:60]] += 1
                continue
            mine = ours(text)
            if mine == other:
                same += 1
                continue
            label = classify(text, mine, other)
            causes[label] += 1
            if len(examples[label]) < 4:
                first = next(
                    (f"{a} | {b}" for a, b in zip(mine, other) if a != b), f"{len(mine)} vs {len(other)}"
                )
                examples[label].append(
                    f"{path.relative_to(corpus)}:{instruction.location.line}: {first[:200]}"
                )
    print(f"| shell-form RUN instructions | {runs} |")
    print(f"| bashlex could not parse | {bashlex_failed} |")
    print(f"| same commands and words | {same} |")
    print()
    print("| difference | RUNs |")
    print("|---|---|")
    for label, count in causes.most_common():
        print(f"| {label} | {count} |")
    print()
    print("bashlex errors (most common):")
    for message, count in failures.most_common(8):
        print(f"- {count} x {message}")
    for label, lines in examples.items():
        print(f"\n## {label}")
        for line in lines:
            print(f"- {line}")


if __name__ == "__main__":
    main()
