"""The system rules (MD901, MD902, MD903, MD905, MD307) on cases the fixtures cannot express: configured
systems, version groups, external provisioning, the class note, per-item levels, the release manifest and
fingerprints that survive moved lines."""

from __future__ import annotations

import datetime
import json
import textwrap
from pathlib import Path

from click.testing import CliRunner

from medlint.api import lint
from medlint.cli import main
from medlint.config import load_config
from medlint.findings import Finding
from medlint.report import Report

TODAY = datetime.date(2026, 12, 7)


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def _lint(root: Path, files: dict[str, str], config: str | None = None, **options: object) -> Report:
    _write(root, files)
    loaded = None
    if config is not None:
        (root / ".medlint.yaml").write_text(textwrap.dedent(config), encoding="utf-8")
        loaded = load_config(root / ".medlint.yaml")
    return lint(["."], cwd=root, config=loaded, today=TODAY, **options)  # type: ignore[arg-type]


def _rule(report: Report, rule: str) -> list[Finding]:
    return [finding for finding in report.result.findings if finding.rule_id == rule]


def _deployment(name: str, image: str, labels: str = "", namespace: str = "ward") -> str:
    return f"""\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
          namespace: {namespace}
          labels: {{app: {name}{labels}}}
        spec:
          selector:
            matchLabels: {{app: {name}}}
          template:
            metadata:
              labels: {{app: {name}}}
            spec:
              containers:
                - name: main
                  image: {image}
        """


CHART = {
    "chart/monitor/Chart.yaml": 'apiVersion: v2\nname: monitor\nversion: 0.1.0\nappVersion: "2.0.0"\n',
    "chart/monitor/values.yaml": "tag: ''\n",
    "chart/monitor/templates/deployment.yaml": """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: monitor
        spec:
          selector: {matchLabels: {app: monitor}}
          template:
            metadata: {labels: {app: monitor}}
            spec:
              containers:
                - name: monitor
                  image: "registry.example.com/ward/monitor:{{ .Values.tag | default .Chart.AppVersion }}"
        """,
}


# --------------------------------------------------------------------------------------------------
# MD901


def test_version_drift_between_chart_and_manifests_names_the_system(tmp_path: Path) -> None:
    report = _lint(
        tmp_path,
        {**CHART, "k8s/monitor.yaml": _deployment("monitor-edge", "registry.example.com/ward/monitor:2.0.1")},
    )
    found = _rule(report, "MD901")
    assert [(f.location.path, f.location.line) for f in found] == [("k8s/monitor.yaml", 16)]
    assert 'system "monitor"' in found[0].message and "2.0.1" in found[0].message
    assert found[0].subject.startswith("system:monitor/")
    assert any(item.location.path == "chart/monitor/Chart.yaml" for item in found[0].related)
    assert found[0].level.value == "error"  # class C (nothing declared)


def test_own_images_come_from_the_configuration_and_third_party_images_are_soup(tmp_path: Path) -> None:
    files = {
        **CHART,
        "k8s/gateway.yaml": _deployment("gateway", "registry.example.com/ward/gateway:1.9.0"),
        "k8s/db.yaml": _deployment("db", "postgres:16.4"),
    }
    assert _rule(_lint(tmp_path, files), "MD901") == []  # gateway is not known to be ours
    configured = _lint(tmp_path, files, "own_images: [registry.example.com/ward]\n")
    assert [f.location.path for f in _rule(configured, "MD901")] == ["k8s/gateway.yaml"]


def test_version_groups_keep_independent_components_apart(tmp_path: Path) -> None:
    files = {**CHART, "k8s/bridge.yaml": _deployment("bridge", "registry.example.com/ward/bridge:0.4.0")}
    config = "own_images: [registry.example.com/ward]\n"
    assert len(_rule(_lint(tmp_path, files, config), "MD901")) == 1
    grouped = config + "version_groups:\n  - name: bridge\n    images: [registry.example.com/ward/bridge]\n"
    assert _rule(_lint(tmp_path, files, grouped), "MD901") == []
    drift = {"k8s/bridge-2.yaml": _deployment("bridge2", "registry.example.com/ward/bridge:0.5.0")}
    found = _rule(_lint(tmp_path, {**files, **drift}, grouped), "MD901")
    assert len(found) == 1 and 'version group "bridge"' in found[0].message


def test_fingerprints_stay_when_unrelated_lines_move(tmp_path: Path) -> None:
    files = {
        **CHART,
        "k8s/monitor.yaml": _deployment("monitor-edge", "registry.example.com/ward/monitor:2.0.1"),
    }
    before = _rule(_lint(tmp_path, files), "MD901")[0]
    moved = {
        "chart/monitor/Chart.yaml": "# release metadata\n\n" + CHART["chart/monitor/Chart.yaml"],
        "k8s/monitor.yaml": "# edge deployment\n---\n" + textwrap.dedent(files["k8s/monitor.yaml"]),
    }
    after = _rule(_lint(tmp_path, moved), "MD901")[0]
    assert after.location.line == before.location.line + 2
    assert after.related[0].location.line == before.related[0].location.line + 2
    assert after.fingerprint("medlintLogical/v1") == before.fingerprint("medlintLogical/v1")


# --------------------------------------------------------------------------------------------------
# Systems


def test_each_configured_system_is_checked_on_its_own(tmp_path: Path) -> None:
    files = {
        "eu/monitor.yaml": _deployment("monitor", "registry.example.com/ward/monitor:2.0.0", namespace="eu"),
        "eu/policy.yaml": "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: eu}\n"
        "spec: {podSelector: {}, policyTypes: [Ingress, Egress]}\n",
        "us/monitor.yaml": _deployment(
            "monitor",
            "registry.example.com/ward/monitor:2.1.0",
            ', regulatory.iec62304.class: "A"',
            namespace="eu",
        ),
        "legacy/tool.yaml": _deployment("tool", "registry.example.com/ward/tool:0.1.0", namespace="eu"),
    }
    config = """\
        own_images: [registry.example.com/ward/monitor]
        systems:
          - name: pump-eu
            paths: ["eu/**"]
            safety_class: C
          - name: pump-us
            paths: [us]
        """
    report = _lint(tmp_path, files, config)
    names = [run.system.name for run in report.systems]
    assert names == ["pump-eu", "pump-us", tmp_path.name]
    classes = {run.system.name: run.decision.value for run in report.systems}
    assert classes["pump-eu"] == "C" and classes["pump-us"] == "A"
    # Each system alone: no version drift (one version each), and us/ has no NetworkPolicy of its own.
    assert _rule(report, "MD901") == []
    md601 = {f.location.path for f in _rule(report, "MD601")}
    assert "us/monitor.yaml" in md601 and "eu/monitor.yaml" not in md601
    assert "the highest class of 3 systems" in report.result.safety_class.reason


def test_system_names_differ_between_systems_in_findings(tmp_path: Path) -> None:
    files = {f"{side}/db.yaml": _deployment("db", "postgres:16.4") for side in ("a", "b")}
    config = "systems:\n  - {name: site-a, paths: [a]}\n  - {name: site-b, paths: [b]}\n"
    report = _lint(tmp_path, files, config)
    notes = _rule(report, "MD902")
    assert sorted(f.message.split("system ")[1].split()[0] for f in notes) == ['"site-a"', '"site-b"']
    assert len({f.fingerprint("medlintLogical/v1") for f in notes}) == 2


# --------------------------------------------------------------------------------------------------
# MD902


def test_no_class_anywhere_is_a_note_assuming_class_c(tmp_path: Path) -> None:
    report = _lint(tmp_path, {"k8s/db.yaml": _deployment("db", "postgres:16.4")})
    found = _rule(report, "MD902")
    assert [(f.level.value, f.variant) for f in found] == [("note", "undeclared")]
    assert "Class C is assumed" in found[0].message
    configured = _lint(tmp_path, {}, "safety_class: B\n")
    assert _rule(configured, "MD902") == []


def test_a_justified_item_takes_the_levels_of_its_own_class(tmp_path: Path) -> None:
    """Catalog 5.1 [decision]: MD205 is W/W/E on Kubernetes, so in a class C system the justified class A
    item's finding is a warning and the class C item's an error."""
    labels_c = ', regulatory.iec62304.class: "C"'
    labels_a = ', regulatory.iec62304.class: "A", regulatory.iec62304.rmf-ref: RMF-9'
    report = _lint(
        tmp_path,
        {
            "k8s/pump.yaml": _deployment("pump", "registry.example.com/ward/pump:1.0.0", labels_c),
            "k8s/logs.yaml": _deployment("logs", "registry.example.com/ward/logs:1.0.0", labels_a),
        },
    )
    assert report.result.safety_class.value == "C"
    levels = {f.location.path: f.level.value for f in _rule(report, "MD205")}
    assert levels == {"k8s/pump.yaml": "error", "k8s/logs.yaml": "warning"}
    assert _rule(report, "MD902") == []


# --------------------------------------------------------------------------------------------------
# MD307


def test_external_secrets_are_declared_per_system_or_for_all(tmp_path: Path) -> None:
    pod = """\
        apiVersion: v1
        kind: Pod
        metadata: {name: api, namespace: clinic}
        spec:
          imagePullSecrets: [{name: registry-credentials}]
          containers: [{name: api, image: registry.example.com/api:1.0.0}]
        """
    assert len(_rule(_lint(tmp_path, {"pod.yaml": pod}), "MD307")) == 1
    assert _rule(_lint(tmp_path, {}, "external_secrets: [registry-*]\n"), "MD307") == []
    assert _rule(_lint(tmp_path, {}, "external_secrets: [clinic/registry-credentials]\n"), "MD307") == []
    assert len(_rule(_lint(tmp_path, {}, "external_secrets: [other/registry-credentials]\n"), "MD307")) == 1


# --------------------------------------------------------------------------------------------------
# MD903 and the release manifest


MANIFEST_IMAGE = "registry.example.com/ward/monitor:2.0.0"
DIGEST_A = "sha256:" + "a" * 64
DIGEST_B = "sha256:" + "b" * 64


def test_pinned_digests_are_compared_with_the_release_manifest(tmp_path: Path) -> None:
    files = {"k8s/monitor.yaml": _deployment("monitor", f"{MANIFEST_IMAGE}@{DIGEST_A}")}
    same = _lint(tmp_path, files, release_manifest={MANIFEST_IMAGE: DIGEST_A})
    assert _rule(same, "MD903") == []
    other = _rule(_lint(tmp_path, files, release_manifest={MANIFEST_IMAGE: DIGEST_B}), "MD903")
    assert [(f.variant, f.location.line) for f in other] == [("release-manifest", 16)]
    assert "sha256:bbbb" in other[0].message
    untagged = _lint(tmp_path, files, release_manifest={"registry.example.com/ward/monitor:2.1.0": DIGEST_A})
    assert "records no such tag" in _rule(untagged, "MD903")[0].message
    unrelated = _lint(tmp_path, files, release_manifest={"postgres:16.4": DIGEST_B})
    assert _rule(unrelated, "MD903") == []


def test_release_manifest_on_the_command_line(tmp_path: Path) -> None:
    _write(tmp_path, {"k8s/monitor.yaml": _deployment("monitor", f"{MANIFEST_IMAGE}@{DIGEST_A}")})
    (tmp_path / ".git").mkdir()
    manifest = tmp_path / "release.json"
    manifest.write_text(json.dumps({MANIFEST_IMAGE: DIGEST_B}), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "check",
            str(tmp_path),
            "--select",
            "MD903",
            "--release-manifest",
            str(manifest),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 1, result.output
    assert [f["rule_id"] for f in json.loads(result.output)["findings"]] == ["MD903"]


def test_an_invalid_release_manifest_is_a_usage_error_naming_the_file(tmp_path: Path) -> None:
    _write(tmp_path, {"k8s/monitor.yaml": _deployment("monitor", MANIFEST_IMAGE)})
    runner = CliRunner()
    for content, words in (
        ("{not json", "invalid JSON"),
        ('["a"]', "must be a JSON object"),
        ('{"app:1.0": "sha256:short"}', "is not a content digest"),
        ('{"app@sha256:' + "a" * 64 + '": "' + DIGEST_A + '"}', "without a digest"),
        ("{}", "lists no image"),
    ):
        manifest = tmp_path / "release.json"
        manifest.write_text(content, encoding="utf-8")
        result = runner.invoke(main, ["check", str(tmp_path), "--release-manifest", str(manifest)])
        assert result.exit_code == 2, (content, result.output)
        assert str(manifest) in result.output and words in result.output, result.output
    missing = runner.invoke(main, ["check", str(tmp_path), "--release-manifest", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2 and "nope.json" in missing.output


def test_the_other_carriers_are_related_locations_in_sarif_and_text(tmp_path: Path) -> None:
    from medlint.report import render

    report = _lint(
        tmp_path,
        {**CHART, "k8s/monitor.yaml": _deployment("monitor-edge", "registry.example.com/ward/monitor:2.0.1")},
    )
    sarif = json.loads(render(report, "sarif"))
    result = next(item for item in sarif["runs"][0]["results"] if item["ruleId"] == "MD901")
    uris = [item["physicalLocation"]["artifactLocation"]["uri"] for item in result["relatedLocations"]]
    assert "chart/monitor/Chart.yaml" in uris
    assert (
        "related: chart/monitor/Chart.yaml:4:13: appVersion of chart monitor states version 2.0.0"
        in render(report, "text")
    )
