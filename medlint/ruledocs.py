"""Rule documentation as Markdown, generated from the rule file: one text for docs/rules, SARIF help and
`medlint explain`, so the three never disagree."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from medlint.rulepack import Rule, RulePack

MAX_EXAMPLE_LINES = 40

LEVEL_NAMES = {"error": "error", "warning": "warning", "note": "note", "off": "off"}


def levels_line(levels: Mapping[str, str]) -> str:
    table = dict(levels)
    return " / ".join(f"{cls}: {table[cls]}" for cls in ("A", "B", "C"))


def references_markdown(rule: Rule) -> list[str]:
    lines = []
    for reference in rule.references:
        scope = f" ({', '.join(reference.applies_to)})" if reference.applies_to else ""
        note = f" — {reference.note}" if reference.note else ""
        lines.append(f"- {reference.label()}{scope}{note}")
    return lines


_TYPE_WORDS = {
    "string": "text",
    "integer": "whole number",
    "number": "number",
    "boolean": "true or false",
    "object": "mapping",
    "array": "list",
    "null": "null",
}


def type_words(spec: Mapping[str, Any]) -> str:
    """A parameter's type in words, from its schema fragment: `list of text`, `one of a, b`."""
    if "enum" in spec:
        return "one of " + ", ".join(str(value) for value in spec["enum"])
    kind = spec.get("type", "")
    if isinstance(kind, list):
        return " or ".join(_TYPE_WORDS.get(str(k), str(k)) for k in kind)
    if kind == "array" and isinstance(spec.get("items"), Mapping):
        item = spec["items"]
        inner = "mappings" if item.get("type") == "object" else type_words(item)
        return f"list of {inner}"
    return _TYPE_WORDS.get(str(kind), str(kind))


def rule_markdown(rule: Rule, fail_example: str | None = None, pass_example: str | None = None) -> str:
    """The rule's page: what it checks, why it matters for a device, example, fix, levels, references."""
    out = [f"# {rule.id} {rule.slug}", "", f"**{rule.title}.**", ""]
    out += ["## What it checks", "", f"Applies to: {', '.join(kind.value for kind in rule.applies_to)}.", ""]
    for artifact, text in rule.conditions.items():
        label = "All artifacts" if artifact == "all" else artifact.capitalize()
        out.append(f"- **{label}:** {text}")
    if rule.conditions:
        out.append("")
    if rule.edge_cases:
        out += [f"Edge cases: {rule.edge_cases}", ""]
    if rule.param_schemas:
        out += ["## Parameters", "", f"Set under `rules: params: {rule.id}:` in the configuration.", ""]
        for name, spec in sorted(rule.param_schemas.items()):
            default = json.dumps(spec.get("default"), ensure_ascii=False)
            description = " ".join(str(spec.get("description", "")).split())
            out.append(f"- `{name}` ({type_words(spec)}, default `{default}`): {description}")
        out.append("")
    out += ["## Why it matters for a medical device", "", rule.rationale, ""]
    if fail_example or pass_example:
        out += ["## Example", ""]
        if fail_example:
            out += ["Fails:", "", "```", fail_example.rstrip(), "```", ""]
        if pass_example:
            out += ["Passes:", "", "```", pass_example.rstrip(), "```", ""]
    out += ["## How to fix it", "", rule.remediation, ""]
    if rule.fix:
        out += ["Automatic fix (`medlint fix`, see docs/fix.md):", ""]
        if "safe" in rule.fix:
            out.append(f"- Safe, applied by default: {rule.fix['safe']}")
        if "unsafe" in rule.fix:
            out.append(f"- Unsafe, only with `--unsafe-fixes`: {rule.fix['unsafe']}")
        out.append("")
    out += ["## Levels per IEC 62304 safety class", "", f"- Default: {levels_line(rule.level)}"]
    for artifact, levels in rule.levels_by_artifact.items():
        out.append(f"- {artifact}: {levels_line(levels)}")
    for name, variant in rule.variants.items():
        out.append(f"- {name} ({variant['description'].rstrip('.')}): {levels_line(variant['level'])}")
    out += ["", "## References", ""] + references_markdown(rule)
    return "\n".join(out) + "\n"


def fixtures_dir() -> Path | None:
    """fixtures/: inside the installed package, or at the top of a source checkout."""
    package_dir = Path(__file__).resolve().parent
    for candidate in (package_dir / "fixtures", package_dir.parent / "fixtures"):
        if candidate.is_dir():
            return candidate
    return None


#: Fixture markers (`# expect: MD201`) tell the test suite which lines must fire; readers never see them.
_EXPECT_MARKER = re.compile(r"\s*#\s*expect:\s*[A-Z]{2,8}\d{3,4}(?:\s*,\s*[A-Z]{2,8}\d{3,4})*\s*$")


def strip_fixture_markers(lines: list[str]) -> list[str]:
    """Example lines without fixture markers: a marker line of its own goes, a trailing marker is cut."""
    shown = []
    for line in lines:
        match = _EXPECT_MARKER.search(line)
        if match is None:
            shown.append(line)
        elif line[: match.start()].strip():
            shown.append(line[: match.start()].rstrip())
    return shown


def _example_file(rule: Rule, outcome: str) -> tuple[str, str] | None:
    """(file name, text) of the rule's first fixture case of that outcome, shortened for display."""
    base = fixtures_dir()
    folder = base / rule.id / outcome if base else None
    if folder is None or not folder.is_dir():
        return None
    for case in sorted(folder.iterdir()):
        files = [case] if case.is_file() else sorted(p for p in case.rglob("*") if p.is_file())
        for file in files:
            try:
                lines = strip_fixture_markers(file.read_text(encoding="utf-8").splitlines())
            except (OSError, UnicodeDecodeError):
                continue
            if len(lines) > MAX_EXAMPLE_LINES:
                lines = lines[:MAX_EXAMPLE_LINES] + ["# ..."]
            return file.relative_to(folder).as_posix(), "\n".join(lines)
    return None


def rule_page(rule: Rule) -> str:
    """The page in docs/rules/<ID>.md: the rule's Markdown with one failing and one passing fixture."""
    failing = _example_file(rule, "fail")
    passing = _example_file(rule, "pass")
    return rule_markdown(
        rule,
        fail_example=f"# {failing[0]}\n{failing[1]}" if failing else None,
        pass_example=f"# {passing[0]}\n{passing[1]}" if passing else None,
    )


def explain_text(rule: Rule) -> str:
    """`medlint explain`: the same page as the generated docs."""
    return rule_page(rule)


def rules_index(pack: RulePack) -> str:
    lines = [
        "# Rules",
        "",
        f"Rule pack {pack.version}. Levels per IEC 62304 software safety class A / B / C.",
        "",
        "| id | name | A | B | C | applies to | fix |",
        "|---|---|---|---|---|---|---|",
    ]
    for rule in pack.rules:
        lines.append(
            f"| [{rule.id}]({rule.id}.md) | {rule.slug} | {rule.level['A']} | {rule.level['B']} | "
            f"{rule.level['C']} | {', '.join(kind.value for kind in rule.applies_to)} | {rule.fix_applicability} |"
        )
    return "\n".join(lines) + "\n"


def generate_docs(pack: RulePack, target: Path) -> dict[Path, str]:
    """Every generated page, by path: docs/rules/<ID>.md and docs/rules/README.md."""
    pages = {target / f"{rule.id}.md": rule_page(rule) for rule in pack.rules}
    pages[target / "README.md"] = rules_index(pack)
    return pages


README_START, README_END = "<!-- rules-table:start -->", "<!-- rules-table:end -->"


def readme_rules_table(pack: RulePack) -> str:
    lines = ["| id | name | A | B | C | applies to | fix |", "|---|---|---|---|---|---|---|"]
    for rule in pack.rules:
        lines.append(
            f"| {rule.id} | {rule.slug} | {rule.level['A']} | {rule.level['B']} | {rule.level['C']} | "
            f"{', '.join(kind.value for kind in rule.applies_to)} | {rule.fix_applicability} |"
        )
    return "\n".join(lines)


def with_rules_table(readme: str, pack: RulePack) -> str:
    """The README with the text between its rules-table markers replaced by the current table."""
    start, end = readme.index(README_START) + len(README_START), readme.index(README_END)
    return readme[:start] + "\n" + readme_rules_table(pack) + "\n" + readme[end:]


if __name__ == "__main__":  # python -m medlint.ruledocs: regenerate docs/rules and the README's rule table
    from medlint.rulepack import load_rule_pack

    docs = Path(__file__).resolve().parent.parent / "docs" / "rules"
    docs.mkdir(parents=True, exist_ok=True)
    for stale in docs.glob("MD*.md"):
        stale.unlink()
    pack = load_rule_pack()
    for path, text in generate_docs(pack, docs).items():
        path.write_text(text, encoding="utf-8")
    readme = docs.parent.parent / "README.md"
    readme.write_text(with_rules_table(readme.read_text(encoding="utf-8"), pack), encoding="utf-8")
    import json

    from medlint.rulepack import BUNDLE_NAME, builtin_rules_dir, bundle_document

    bundle = builtin_rules_dir() / BUNDLE_NAME
    bundle.write_text(
        json.dumps(bundle_document(builtin_rules_dir()), ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(list(docs.glob('*.md')))} pages to {docs}, the README's rule table and {bundle.name}")
