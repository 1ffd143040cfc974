"""Shared fixtures for the check tests: linting files with one rule, and manifests several tests use."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from medlint.api import lint
from medlint.config import Config
from medlint.findings import Finding

#: lint_rule(files, rule, params=None, safety_class="C") -> the rule's findings.
LintRule = Callable[..., list[Finding]]

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {namespace}
spec:
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
        - name: c
          image: registry.example.com/{name}:1.0.0
"""


@pytest.fixture
def lint_rule(tmp_path: Path) -> LintRule:
    """Write the given files into a fresh directory and lint it with one rule enabled (and its params)."""

    def run(
        files: dict[str, str], rule: str, params: dict[str, Any] | None = None, safety_class: str = "C"
    ) -> list[Finding]:
        for name, text in files.items():
            (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
        config = Config(enabled=frozenset({rule}), params={rule: params or {}})
        report = lint(["."], cwd=tmp_path, safety_class=safety_class, config=config)
        assert not report.result.notifications
        return [f for f in report.result.findings if f.rule_id == rule]

    return run
