"""Rule documentation as Markdown, generated from the rule file: one text for docs/rules, SARIF help and
`medlint explain`, so the three never disagree."""

from __future__ import annotations

from medlint.rulepack import Rule

LEVEL_NAMES = {"error": "error", "warning": "warning", "note": "note", "off": "off"}


def levels_line(levels: dict[str, str] | object) -> str:
    table = dict(levels)  # type: ignore[call-overload]
    return " / ".join(f"{cls}: {table[cls]}" for cls in ("A", "B", "C"))


def references_markdown(rule: Rule) -> list[str]:
    lines = []
    for reference in rule.references:
        scope = f" ({', '.join(reference.applies_to)})" if reference.applies_to else ""
        note = f" — {reference.note}" if reference.note else ""
        lines.append(f"- {reference.label()}{scope}{note}")
    return lines


def rule_markdown(rule: Rule, fail_example: str | None = None, pass_example: str | None = None) -> str:
    """The rule's page: what it checks, why it matters for a device, example, fix, levels, references."""
    out = [f"# {rule.id} {rule.slug}", "", f"**{rule.title}.**", ""]
    out += ["## What it checks", "", f"Applies to: {', '.join(kind.value for kind in rule.applies_to)}.", ""]
    out += ["## Why it matters for a medical device", "", rule.rationale, ""]
    if fail_example or pass_example:
        out += ["## Example", ""]
        if fail_example:
            out += ["Fails:", "", "```", fail_example.rstrip(), "```", ""]
        if pass_example:
            out += ["Passes:", "", "```", pass_example.rstrip(), "```", ""]
    out += ["## How to fix it", "", rule.remediation, ""]
    out += ["## Levels per IEC 62304 safety class", "", f"- Default: {levels_line(rule.level)}"]
    for artifact, levels in rule.levels_by_artifact.items():
        out.append(f"- {artifact}: {levels_line(levels)}")
    for name, variant in rule.variants.items():
        out.append(f"- {name} ({variant['description'].rstrip('.')}): {levels_line(variant['level'])}")
    out += ["", "## References", ""] + references_markdown(rule)
    return "\n".join(out) + "\n"
