"""Helpers for the reporter tests: the bundled example as a Report, and ways to vary it."""

from __future__ import annotations

import dataclasses

from medlint.findings import Finding, Suppression
from medlint.report import Report

#: The plaintext values in examples/medical-device/k8s/secret.yaml; no report may ever contain them.
SECRET_VALUES = ("secure_password_here", "redis_password_here", "api_key_here")


def with_findings(report: Report, findings: list[Finding]) -> Report:
    """The same report with other findings (reporters only read them, so this is all a case needs)."""
    return dataclasses.replace(report, result=dataclasses.replace(report.result, findings=tuple(findings)))


def waive(finding: Finding, justification: str = "accepted by the risk review RR-12") -> Finding:
    return dataclasses.replace(finding, suppression=Suppression(kind="external", justification=justification))


def first(report: Report, rule_id: str) -> Finding:
    return next(finding for finding in report.result.findings if finding.rule_id == rule_id)


def assert_no_secret(text: str) -> None:
    for value in SECRET_VALUES:
        assert value not in text
