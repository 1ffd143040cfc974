"""Generated documentation stays in step with the rule files and fixtures; the README's rule table too."""

from __future__ import annotations

import json

from click.testing import CliRunner

from medlint.cli import main
from medlint.ruledocs import generate_docs
from medlint.rulepack import load_rule_pack
from tests.conftest import REPO_ROOT

DOCS = REPO_ROOT / "docs" / "rules"


def test_rule_docs_are_up_to_date() -> None:
    expected = generate_docs(load_rule_pack(), DOCS)
    stale = [
        path.name
        for path, text in expected.items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]
    extra = sorted(p.name for p in DOCS.glob("MD*.md") if p not in expected)
    assert stale == [] and extra == [], "run `python -m medlint.ruledocs` to regenerate docs/rules"


def test_rule_pages_have_every_section() -> None:
    for path, text in generate_docs(load_rule_pack(), DOCS).items():
        if path.name == "README.md":
            continue
        for heading in (
            "## What it checks",
            "## Why it matters for a medical device",
            "## Example",
            "## How to fix it",
            "## References",
        ):
            assert heading in text, f"{path.name} lacks {heading}"


def test_readme_rule_table_is_up_to_date() -> None:
    from medlint.ruledocs import with_rules_table

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert with_rules_table(readme, load_rule_pack()) == readme, "run `python -m medlint.ruledocs`"


def test_explain_shows_references_and_examples() -> None:
    result = CliRunner().invoke(main, ["explain", "md201"])
    assert result.exit_code == 0
    assert "# MD201 run-as-non-root" in result.output
    assert "CIS Docker Benchmark (v1.6.0) 4.1" in result.output
    assert "Fails:" in result.output and "Passes:" in result.output
    assert CliRunner().invoke(main, ["explain", "MD999"]).exit_code == 2


def test_rules_json_matches_the_pack() -> None:
    rows = json.loads(CliRunner().invoke(main, ["rules", "--format", "json"]).output)["rules"]
    assert [row["id"] for row in rows] == [rule.id for rule in load_rule_pack().rules]


def test_rule_bundle_is_up_to_date() -> None:
    """rules/_bundle.json (parsed rule files, for fast start-up) matches the YAML files exactly."""
    import json

    from medlint.rulepack import BUNDLE_NAME, builtin_rules_dir, bundle_document

    bundle = json.loads((builtin_rules_dir() / BUNDLE_NAME).read_text(encoding="utf-8"))
    assert bundle == json.loads(json.dumps(bundle_document(builtin_rules_dir()))), (
        "run `python -m medlint.ruledocs`"
    )


def test_a_stale_bundle_is_ignored(tmp_path, monkeypatch) -> None:
    import shutil

    import medlint.rulepack as rulepack

    rules = tmp_path / "rules"
    shutil.copytree(rulepack.builtin_rules_dir(), rules)
    text = (rules / "MD201-run-as-non-root.yaml").read_text(encoding="utf-8")
    (rules / "MD201-run-as-non-root.yaml").write_text(
        text.replace("title: Containers must not run as root", "title: Edited title"), encoding="utf-8"
    )
    monkeypatch.setattr(rulepack, "builtin_rules_dir", lambda: rules)
    assert rulepack.load_rule_pack().get("MD201").title == "Edited title"


# --- what users see: no internal notes, only options that exist (issue 15) ---------------------------------

INTERNAL_MARKERS = ("Open point", "[decision]", "[new]", "# expect:", "strict_nonroot", "maintainers")


def test_explain_shows_no_internal_notes() -> None:
    result = CliRunner().invoke(main, ["explain", "MD201"])
    assert result.exit_code == 0
    for marker in INTERNAL_MARKERS:
        assert marker not in result.output, marker


def test_no_rule_page_shows_internal_notes() -> None:
    from medlint.ruledocs import rule_page

    pack = load_rule_pack()
    for rule in pack.rules:
        page = rule_page(rule)
        leaked = [marker for marker in INTERNAL_MARKERS if marker in page]
        assert leaked == [], f"{rule.id}: {leaked}"
    assert any(rule.maintainers for rule in pack.rules)  # the notes were kept, just not shown


def _user_texts(rule) -> list[str]:
    texts = [rule.title, rule.rationale, rule.remediation, rule.edge_cases, *rule.conditions.values()]
    texts += [str(spec.get("description", "")) for spec in rule.param_schemas.values()]
    texts += [str(variant.get("description", "")) for variant in rule.variants.values()]
    return texts


def test_every_parameter_a_rule_text_names_is_declared() -> None:
    """`option x` / `parameter x` / `params.x` in a rule's user-facing text names one of its parameters."""
    import re

    for rule in load_rule_pack().rules:
        for text in _user_texts(rule):
            for name in re.findall(r"(?:option|parameter|params\.)\s*`?([a-z][a-z0-9_]+)`?", text):
                if "_" in name:
                    assert name in rule.param_schemas, f"{rule.id} mentions undeclared parameter {name}"


def _command_options() -> dict[str, set[str]]:
    import click

    from medlint import cli

    found: dict[str, set[str]] = {}

    def walk(command: click.Command, prefix: str) -> None:
        found[prefix] = {opt for param in command.params for opt in getattr(param, "opts", [])}
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{prefix} {name}".strip())

    walk(cli.main, "")
    return found


def test_every_medlint_option_the_docs_mention_exists() -> None:
    """In the README, docs/ and rule texts, each `medlint <command> ... --option` names a real option."""
    import re

    options = _command_options()
    every = set().union(*options.values())
    texts = {path.name: path.read_text(encoding="utf-8") for path in [REPO_ROOT / "README.md"]}
    texts |= {
        p.relative_to(REPO_ROOT).as_posix(): p.read_text(encoding="utf-8")
        for p in (REPO_ROOT / "docs").rglob("*.md")
    }
    texts |= {rule.id: "\n".join(_user_texts(rule)) for rule in load_rule_pack().rules}
    checked = 0
    commands = sorted((name for name in options if name), key=len, reverse=True)
    pattern = re.compile(
        r"medlint (" + "|".join(map(re.escape, commands)) + r")\b([^\n`]*(?:\n\s+--[^\n`]*)*)"
    )
    for name, text in texts.items():
        for match in pattern.finditer(text):
            known = options[match.group(1)]
            for option in re.findall(r"(?<![\w-])--?[a-z][a-z-]*", match.group(2)):
                if option.startswith("--") or option in ("-f", "-o", "-q", "-h"):
                    assert option in known, f"{name}: `medlint {match.group(1)}` has no option {option}"
                    checked += 1
        # Options named on their own in the user guides (`--sarif-omit-suppressed`) must exist somewhere.
        if name.startswith(("docs/rules/", "MD")):
            continue  # rule texts quote other tools' options (pip's --require-hashes, apt's --no-install-recommends)
        for option in re.findall(r"`(--[a-z][a-z-]+)", text):
            assert option in every, f"{name}: no medlint command has {option}"
    assert checked >= 20
