"""Generated documentation stays in step with the rule files and fixtures; the README's rule table too."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from medlint.cli import main
from medlint.ruledocs import generate_docs
from medlint.rulepack import load_rule_pack

REPO_ROOT = Path(__file__).resolve().parent.parent
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
