"""GitLab Code Quality JSON (`artifacts: reports: codequality`), the merge-request widget on every tier.

Choices, and why:
- Severity: note -> `info`, warning -> `minor`, error -> `major`, and any finding at or above `--fail-on` at
  least `major` (the widget agrees with the exit code); an *error* of a rule whose
  security-severity is 9.0 or more (for example MD303, a committed Secret) -> `critical`. 9.0 is where
  GitHub, GitLab's own SARIF import and DefectDojo all start "critical", so the two GitLab routes agree.
  A rule lowered to warning or note by the safety class keeps the lower severity. `blocker` is not used:
  the exit code is what blocks a pipeline.
- Fingerprint: line-independent, so an edit above a finding does not show as "fixed + new". It is the
  finding's `medlintLogical/v1` fingerprint (rule, path, offending object, sub-condition). GitLab collapses
  equal fingerprints into one entry, so findings that share one are told apart by their message, and
  identical messages by their order.
- Waived findings are left out: Code Quality has no notion of suppression, and listing them would show
  accepted, justified deviations as open problems. The waivers stay in the text, JSON, SARIF and JUnit
  reports. Tool notifications are left out too (Code Quality needs a rule and a file); they fail the job.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from medlint.findings import Finding
from medlint.fingerprints import logical_fingerprint
from medlint.model import Level
from medlint.report.document import Report
from medlint.report.jsonout import dumps

SEVERITIES = {Level.NOTE: "info", Level.WARNING: "minor", Level.ERROR: "major"}
CRITICAL_SECURITY_SEVERITY = 9.0
#: A rule's tags give its Code Quality categories; a rule with none of these tags is a "Bug Risk".
CATEGORY_BY_TAG = {
    "security": "Security",
    "secrets": "Security",
    "supply-chain": "Security",
    "least-privilege": "Security",
    "reliability": "Bug Risk",
    "availability": "Bug Risk",
    "resources": "Bug Risk",
    "correctness": "Bug Risk",
    "tool": "Bug Risk",
    "traceability": "Clarity",
    "identification": "Clarity",
}


def severity(finding: Finding, report: Report) -> str:
    """By level; a finding at or above `--fail-on` is at least `major`, one below it at most `minor`, so the
    widget agrees with the exit code."""
    rule = report.pack.get(finding.rule_id)
    failing = finding.level.rank >= report.fail_on.rank
    if finding.level is Level.ERROR and rule is not None:
        try:
            if float(rule.security_severity) >= CRITICAL_SECURITY_SEVERITY:
                return "critical"
        except ValueError:
            pass
    if failing:
        return "major"
    return SEVERITIES[finding.level] if finding.level is not Level.ERROR else "minor"


def categories(finding: Finding, report: Report) -> list[str]:
    rule = report.pack.get(finding.rule_id)
    found = sorted({CATEGORY_BY_TAG[tag] for tag in (rule.tags if rule else ()) if tag in CATEGORY_BY_TAG})
    return found or ["Bug Risk"]


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def unique_fingerprints(findings: list[Finding]) -> list[str]:
    """Line-independent fingerprints, one per finding and all distinct (in the order of `findings`)."""
    logical = [
        finding.fingerprint("medlintLogical/v1") or logical_fingerprint(finding) for finding in findings
    ]
    shared = Counter(logical)
    refined = [
        value if shared[value] == 1 else _hash(value, finding.message)
        for value, finding in zip(logical, findings)
    ]
    seen: Counter[str] = Counter()
    result = []
    for value in refined:
        seen[value] += 1
        result.append(value if seen[value] == 1 else _hash(value, str(seen[value])))
    return result


def code_quality_issues(report: Report) -> list[dict[str, Any]]:
    findings = sorted((f for f in report.result.findings if f.suppression is None), key=Finding.sort_key)
    return [
        {
            "description": finding.message,
            "check_name": finding.rule_id,
            "fingerprint": fingerprint,
            "severity": severity(finding, report),
            "categories": categories(finding, report),
            "location": {
                "path": finding.location.path,
                "lines": {
                    "begin": finding.location.line,
                    "end": max(finding.location.end_line, finding.location.line),
                },
            },
            "engine_name": "medlint",
            "type": "issue",
        }
        for finding, fingerprint in zip(findings, unique_fingerprints(findings))
    ]


def render_gitlab(report: Report) -> str:
    """A JSON array (no byte-order mark; GitLab rejects one)."""
    return dumps(code_quality_issues(report)) + "\n"
