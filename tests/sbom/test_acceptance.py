"""Issue 11's acceptance on examples/medical-device, through the command line as a new user runs it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.sbom.conftest import EXAMPLE, TODAY, run_medlint

IMAGES = {
    ("gcc", "11"),
    ("debian", "bullseye-slim"),
    ("node", "16"),
    ("node", "16-alpine"),
    ("postgres", "13-alpine"),
    ("redis", "6-alpine"),
    ("nginx", "alpine"),
    ("busybox", "1.35"),
    ("postgres", "13"),
}


def _properties(component: dict) -> dict[str, str]:
    return {item["name"]: item["value"] for item in component.get("properties", [])}


def _md904(sbom: Path | None, *extra: str) -> list[dict]:
    args = ["check", EXAMPLE, "--today", TODAY, "--format", "json", "--exit-zero", *extra]
    if sbom is not None:
        args += ["--sbom", str(sbom)]
    code, out, err = run_medlint(args)
    assert code == 0, err
    return [finding for finding in json.loads(out)["findings"] if finding["rule_id"] == "MD904"]


def test_the_sbom_passes_strict_cyclonedx_1_6_validation(example_sboms: dict[str, Path]) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator
    from cyclonedx.validation.xml import XmlValidator

    text = example_sboms["cyclonedx-json"].read_text(encoding="utf-8")
    assert json.loads(text)["specVersion"] == "1.6"
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    xml = example_sboms["cyclonedx-xml"].read_text(encoding="utf-8")
    assert 'xmlns="http://cyclonedx.org/schema/bom/1.6"' in xml
    assert XmlValidator(SchemaVersion.V1_6).validate_str(xml) is None


def test_the_sbom_lists_every_image_of_the_example(example_cdx: dict) -> None:
    containers = {
        (c["name"], c.get("version")) for c in example_cdx["components"] if c["type"] == "container"
    }
    assert containers >= IMAGES
    # the device's own images (Compose, Kubernetes, the rendered chart) and the frontend the Dockerfile builds
    own = {
        (c["name"], c.get("version"))
        for c in example_cdx["components"]
        if c["type"] == "container" and _properties(c).get("medlint:soup") == "false"
    }
    assert own >= {
        ("medical-device", "latest"),
        ("registry.medical-device.com/medical-device", "1.0.0"),
        ("frontend", None),
    }
    assert not own & IMAGES


def test_build_only_images_are_excluded_and_deployed_ones_required(example_cdx: dict) -> None:
    scopes = {
        (c["name"], c.get("version")): (c["scope"], _properties(c)["medlint:scope"])
        for c in example_cdx["components"]
        if c["type"] == "container"
    }
    assert scopes[("gcc", "11")] == ("excluded", "build-only")
    assert scopes[("node", "16")] == ("excluded", "build-only")
    assert scopes[("debian", "bullseye-slim")] == ("required", "deployed")
    assert scopes[("redis", "6-alpine")] == ("required", "deployed")


def test_the_final_stage_apt_packages_carry_their_distribution(example_cdx: dict) -> None:
    packages = {c["name"]: c for c in example_cdx["components"] if c.get("purl", "").startswith("pkg:deb/")}
    assert set(packages) == {"libssl1.1", "libpq5", "ca-certificates"}
    for name, component in packages.items():
        assert component["purl"] == f"pkg:deb/debian/{name}?distro=debian-11"
        assert component["supplier"]["name"] == "Debian"
        assert _properties(component)["medlint:end-of-support"] == "2026-08-31"


def test_the_chart_dependencies_are_listed(example_cdx: dict) -> None:
    charts = {c["name"]: c for c in example_cdx["components"] if c.get("purl", "").startswith("pkg:helm/")}
    assert {"postgresql", "redis"} <= set(charts)
    assert charts["redis"]["purl"] == "pkg:helm/redis?repository_url=https://charts.bitnami.com/bitnami"
    assert _properties(charts["redis"])["medlint:version-constraint"] == "16.x.x"


def test_every_component_carries_its_evidence_location(example_cdx: dict) -> None:
    root = Path(__file__).resolve().parents[2]
    for component in example_cdx["components"]:
        occurrences = component["evidence"]["occurrences"]
        assert occurrences, component["name"]
        for place in occurrences:
            lines = (root / place["location"]).read_text(encoding="utf-8").splitlines()
            assert 1 <= place["line"] <= len(lines), place
    redis = next(
        c for c in example_cdx["components"] if (c["name"], c.get("version")) == ("redis", "6-alpine")
    )
    assert {(p["location"], p["line"]) for p in redis["evidence"]["occurrences"]} == {
        (f"{EXAMPLE}/docker-compose.yml", 49)
    }


def test_dependencies_run_from_chart_and_image_to_what_they_are_built_on(example_cdx: dict) -> None:
    graph = {entry["ref"]: set(entry.get("dependsOn", ())) for entry in example_cdx["dependencies"]}
    refs = {(c["name"], c.get("version")): c["bom-ref"] for c in example_cdx["components"]}
    frontend = refs[("frontend", None)]
    assert refs[("node", "16-alpine")] in graph[frontend]
    chart = refs[("medical-device", "1.0.0")]
    assert refs[("redis", None)] in graph[chart] and refs[("postgresql", None)] in graph[chart]
    assert refs[("registry.medical-device.com/medical-device", "1.0.0")] in graph[chart]  # its rendered image


def test_check_with_the_sbom_reports_no_missing_image_but_the_empty_fields(example_sboms: dict) -> None:
    findings = _md904(example_sboms["cyclonedx-json"])
    assert findings
    assert not [f for f in findings if "is not in the SOUP inventory" in f["message"]]
    assert all("lacks its" in f["message"] for f in findings), [f["message"] for f in findings]
    # class B: the requirement reference and the anomaly-review date are asked for too
    assert any("requirement reference" in f["message"] for f in findings)
    assert all(f["location"]["path"].endswith("soup.cdx.json") for f in findings)


def test_an_image_removed_from_the_sbom_is_reported_at_its_compose_line(
    example_sboms: dict, tmp_path
) -> None:
    document = json.loads(example_sboms["cyclonedx-json"].read_text(encoding="utf-8"))
    document["components"] = [
        c for c in document["components"] if (c["name"], c.get("version")) != ("redis", "6-alpine")
    ]
    trimmed = tmp_path / "soup.cdx.json"
    trimmed.write_text(json.dumps(document, indent=2), encoding="utf-8")
    missing = [f for f in _md904(trimmed) if "is not in the SOUP inventory" in f["message"]]
    assert [(f["location"]["path"], f["location"]["line"]) for f in missing] == [
        (f"{EXAMPLE}/docker-compose.yml", 49)
    ]
    assert "redis:6-alpine" in missing[0]["message"]


def test_without_an_sbom_exactly_one_md904() -> None:
    findings = _md904(None)
    assert len(findings) == 1
    assert "no SBOM" in findings[0]["message"]


def test_merge_keeps_a_hand_entered_supplier_and_is_idempotent(example_sboms: dict, tmp_path) -> None:
    document = json.loads(example_sboms["cyclonedx-json"].read_text(encoding="utf-8"))
    for component in document["components"]:
        if component["name"] == "redis" and component["type"] == "application":
            component["supplier"] = {"name": "Broadcom (Bitnami)"}
    kept = tmp_path / "soup.cdx.json"
    kept.write_text(json.dumps(document, indent=2), encoding="utf-8")
    written = []
    for _ in range(2):
        code, _out, err = run_medlint(
            ["sbom", EXAMPLE, "--merge", str(kept), "-o", str(kept), "--today", TODAY]
        )
        assert code == 0, err
        written.append(kept.read_bytes())
    first = written[0]
    assert written[1] == first
    merged = json.loads(first)
    redis = next(c for c in merged["components"] if c["name"] == "redis" and c["type"] == "application")
    assert redis["supplier"]["name"] == "Broadcom (Bitnami)"
