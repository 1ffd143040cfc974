"""The rule files' `fix:` declarations match the fixers; `explain` and `rules` show them; `check` stays lean."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from medlint.cli import main
from medlint.fix.registry import APPLICABILITY, FIXERS
from medlint.rulepack import RulePackError, load_rule_pack, validate_rule_document
from tests.conftest import REPO_ROOT


def test_every_declared_fix_has_a_fixer_and_declares_exactly_what_it_can_do() -> None:
    pack = load_rule_pack(validate_builtin=True)
    declared = {rule.check: set(rule.fix) for rule in pack.rules if rule.fix}
    assert set(declared) == set(FIXERS) == set(APPLICABILITY)
    for check, kinds in declared.items():
        assert kinds == set(APPLICABILITY[check]), check


def test_the_schema_rejects_an_unknown_applicability() -> None:
    pack = load_rule_pack()
    rule_file = REPO_ROOT / "rules" / "MD202-no-privilege-escalation.yaml"
    import yaml

    document = yaml.safe_load(rule_file.read_text(encoding="utf-8"))
    document["fix"] = {"sometimes": "adds a setting where it feels right"}
    with pytest.raises(RulePackError, match="fix"):
        validate_rule_document(document, rule_file.name)
    assert pack.get("MD202") is not None


def test_explain_and_rules_say_which_fix_applies() -> None:
    runner = CliRunner()
    explained = runner.invoke(main, ["explain", "MD205"]).output
    assert "Unsafe, only with `--unsafe-fixes`: Kubernetes: sets `readOnlyRootFilesystem: true`" in explained
    listing = runner.invoke(main, ["rules"]).output
    assert any(line.startswith("MD202 ") and " safe, unsafe " in line for line in listing.splitlines())
    assert any(line.startswith("MD303 ") and " - " in line for line in listing.splitlines())
    rows = json.loads(runner.invoke(main, ["rules", "--format", "json"]).output)["rules"]
    assert next(row for row in rows if row["id"] == "MD211")["fix"] == ["unsafe"]


def test_check_does_not_import_the_fix_package_or_ruamel() -> None:
    code = (
        "import sys\n"
        "from medlint.cli import main\n"
        "try:\n"
        "    main(['check', 'examples/medical-device/k8s/deployment.yaml', '--exit-zero'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = [name for name in sys.modules if name.startswith(('ruamel', 'medlint.fix'))]\n"
        "print(loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"
