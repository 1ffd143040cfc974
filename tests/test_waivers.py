"""Waivers: a reason is mandatory, expiry ends suppression, unused waivers are reported, and waived findings
stay visible as suppressed in every format."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from medlint.api import lint
from medlint.config import find_config, load_config
from medlint.report import render

CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
  namespace: prod
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
{waiver}            - name: backup
              image: postgres:16.3
"""
TODAY = datetime.date(2026, 11, 26)


def _lint(tmp_path: Path, waiver: str, today: datetime.date = TODAY) -> list:
    (tmp_path / "cronjob.yaml").write_text(CRONJOB.format(waiver=waiver), encoding="utf-8")
    report = lint(["cronjob.yaml"], cwd=tmp_path, safety_class="B", today=today)
    return [report, [f for f in report.result.findings if f.rule_id == "MD201"]]


def test_comment_waiver_with_reason_suppresses_and_stays_visible(tmp_path: Path) -> None:
    waiver = '            # medlint: ignore MD201 reason="vendor image needs root" until=2027-06-30 owner=qa@example.com risk=RMF-12\n'
    report, findings = _lint(tmp_path, waiver)
    assert len(findings) == 1 and findings[0].suppressed
    suppression = findings[0].suppression
    assert (suppression.kind, suppression.owner, suppression.risk, suppression.until) == (
        "inSource",
        "qa@example.com",
        "RMF-12",
        "2027-06-30",
    )
    assert not report.failing() or any(
        f.level.value == "error" and not f.suppressed for f in report.result.findings
    )
    sarif = json.loads(render(report, "sarif"))
    results = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "MD201"]
    assert results[0]["suppressions"][0]["kind"] == "inSource"
    assert results[0]["suppressions"][0]["status"] == "accepted"
    assert "vendor image needs root" in results[0]["suppressions"][0]["justification"]
    data = json.loads(render(report, "json"))
    assert [f["suppression"]["risk"] for f in data["findings"] if f["rule_id"] == "MD201"] == ["RMF-12"]
    assert "waived: vendor image needs root" in render(report, "text")


def test_waiver_without_reason_is_rejected_and_reported(tmp_path: Path) -> None:
    report, findings = _lint(tmp_path, "            # medlint: ignore MD201\n")
    assert not findings[0].suppressed
    assert any(
        "rejected" in note.message and "no reason" in note.message for note in report.result.notifications
    )


def test_expired_waiver_no_longer_suppresses_and_says_so(tmp_path: Path) -> None:
    waiver = '            # medlint: ignore MD201 reason="temporary" until=2026-01-31\n'
    _, findings = _lint(tmp_path, waiver)
    assert not findings[0].suppressed
    assert "expired on 2026-01-31" in findings[0].message and findings[0].message.endswith(".")
    _, before_expiry = _lint(tmp_path, waiver, today=datetime.date(2026, 1, 15))
    assert before_expiry[0].suppressed


def test_waiver_matching_nothing_is_reported(tmp_path: Path) -> None:
    report, _ = _lint(tmp_path, '            # medlint: ignore MD203 reason="not privileged anyway"\n')
    assert any("matches no finding" in note.message for note in report.result.notifications)


def test_trailing_comment_applies_to_its_own_line(tmp_path: Path) -> None:
    text = "FROM debian:12.6-slim  \nRUN make\n"
    (tmp_path / "Dockerfile").write_text(
        text + '# medlint: ignore MD201 reason="build image only"\nUSER root\n', encoding="utf-8"
    )
    report = lint(["Dockerfile"], cwd=tmp_path, safety_class="B")
    md201 = [f for f in report.result.findings if f.rule_id == "MD201"]
    assert md201 and all(f.suppressed for f in md201)


def test_annotation_waiver_covers_the_object(tmp_path: Path) -> None:
    manifest = CRONJOB.format(waiver="").replace(
        "  namespace: prod\n",
        '  namespace: prod\n  annotations:\n    medlint.io/ignore.MD201: "reason=runs pg_dump as postgres; until=2027-01-01; owner=ops; risk=RMF-7"\n',
    )
    (tmp_path / "cronjob.yaml").write_text(manifest, encoding="utf-8")
    report = lint(["cronjob.yaml"], cwd=tmp_path, safety_class="B", today=TODAY)
    md201 = [f for f in report.result.findings if f.rule_id == "MD201"]
    assert md201 and all(f.suppressed and f.suppression.risk == "RMF-7" for f in md201)


def test_configured_waiver_with_selector(tmp_path: Path) -> None:
    (tmp_path / "cronjob.yaml").write_text(CRONJOB.format(waiver=""), encoding="utf-8")
    (tmp_path / ".medlint.yaml").write_text(
        "waivers:\n"
        "  - rules: [MD201]\n"
        "    paths: ['*.yaml']\n"
        "    selector: {kind: CronJob, name: backup, container: backup}\n"
        "    reason: accepted for the pilot\n",
        encoding="utf-8",
    )
    config = load_config(find_config(tmp_path / "cronjob.yaml"))
    report = lint(["cronjob.yaml"], cwd=tmp_path, safety_class="B", config=config, today=TODAY)
    md201 = [f for f in report.result.findings if f.rule_id == "MD201"]
    assert md201 and all(f.suppressed and f.suppression.kind == "external" for f in md201)


def test_configured_waiver_paths_are_relative_to_the_configuration(tmp_path: Path) -> None:
    """A configuration in a sub-folder waives its own files, whether medlint runs from that folder or from
    the repository's root (the run's paths are then prefixed with the folder), as `systems:` paths do."""
    (tmp_path / ".git").mkdir()  # the repository's root: reported paths are relative to it
    device = tmp_path / "device"
    (device / "k8s").mkdir(parents=True)
    (device / "k8s" / "cronjob.yaml").write_text(CRONJOB.format(waiver=""), encoding="utf-8")
    (device / ".medlint.yaml").write_text(
        "waivers:\n  - rules: [MD201]\n    paths: ['k8s/cronjob.yaml']\n    reason: accepted for the pilot\n",
        encoding="utf-8",
    )
    config = load_config(find_config(device))
    for cwd, path in ((tmp_path, "device"), (device, ".")):
        report = lint([path], cwd=cwd, safety_class="B", config=config, today=TODAY)
        md201 = [f for f in report.result.findings if f.rule_id == "MD201"]
        assert md201 and all(f.suppressed for f in md201), cwd
        assert md201[0].location.path == "device/k8s/cronjob.yaml"
    # A file of the same name elsewhere in the repository is not waived by device/.medlint.yaml.
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "cronjob.yaml").write_text(CRONJOB.format(waiver=""), encoding="utf-8")
    report = lint(["k8s"], cwd=tmp_path, safety_class="B", config=config, today=TODAY)
    assert [f for f in report.result.findings if f.rule_id == "MD201" and not f.suppressed]


def test_each_waiver_reports_what_it_did(tmp_path: Path) -> None:
    """The Report keeps one outcome per waiver (the evidence report lists them): what it suppresses, and
    whether it is active, expired, unused or rejected."""
    waivers = (
        '          # medlint: ignore MD201 reason="vendor image" until=2027-01-31 owner=qa@example.com\n'
        '          # medlint: ignore MD201 reason="old" until=2026-01-01\n'
        '          # medlint: ignore MD203 reason="nothing to waive here"\n'
        "          # medlint: ignore MD202\n"
    )
    report, findings = _lint(tmp_path, waivers)
    outcomes = {outcome.waiver.origin.line: outcome for outcome in report.waivers}
    assert [outcomes[line].status for line in sorted(outcomes)] == ["active", "expired", "unused", "rejected"]
    active, expired, unused, rejected = (outcomes[line] for line in sorted(outcomes))
    assert active.suppressed and {f.rule_id for f in active.suppressed} == {"MD201"}
    assert all(f.suppressed for f in findings)
    assert expired.expired and not expired.suppressed and not expired.expired_matches  # the valid one won
    assert unused.unused and not unused.suppressed
    assert "no reason" in (rejected.waiver.problem or "")
