"""The written SBOMs: SPDX 2.3 validated by spdx-tools, determinism (bytes, serial number, timestamp), purls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medlint.sbom.purl import build_purl, parse_purl
from tests.sbom.conftest import EXAMPLE, TODAY, run_medlint


def test_the_spdx_document_is_valid_spdx_2_3(example_sboms: dict[str, Path]) -> None:
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    path = example_sboms["spdx-json"]
    document = parse_file(str(path))
    assert validate_full_spdx_document(document, "SPDX-2.3") == []
    packages = {package.name for package in document.packages}
    assert {"libssl1.1", "libpq5", "ca-certificates", "postgresql", "redis", "gcc"} <= packages
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert raw["spdxVersion"] == "SPDX-2.3"
    redis = next(p for p in raw["packages"] if p["name"] == "redis" and p.get("versionInfo") == "6-alpine")
    refs = {ref["referenceType"]: ref["referenceLocator"] for ref in redis["externalRefs"]}
    assert refs["purl"] == "pkg:oci/redis?repository_url=docker.io/library/redis&tag=6-alpine"


def test_the_same_input_gives_the_same_bytes(example_sboms: dict[str, Path], tmp_path: Path) -> None:
    for output_format, first in example_sboms.items():
        again = tmp_path / first.name
        code, _, err = run_medlint(
            ["sbom", EXAMPLE, "-o", str(again), "--format", output_format, "--today", TODAY]
        )
        assert code == 0, err
        assert again.read_bytes() == first.read_bytes(), output_format


def test_serial_number_comes_from_the_content_unless_given(example_cdx: dict) -> None:
    serial = example_cdx["serialNumber"]
    assert serial.startswith("urn:uuid:") and serial[9:][14] == "5"  # a UUID version 5
    code, out, err = run_medlint(
        ["sbom", EXAMPLE, "--today", TODAY, "--serial", "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"]
    )
    assert code == 0, err
    assert json.loads(out)["serialNumber"] == "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"
    code, out, _ = run_medlint(["sbom", EXAMPLE, "--today", "2027-01-05"])
    assert (
        json.loads(out)["serialNumber"] != serial
    )  # another date, other end-of-support levels: other content


def test_the_timestamp_follows_today_else_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    code, out, err = run_medlint(["sbom", EXAMPLE])
    assert code == 0, err
    assert json.loads(out)["metadata"]["timestamp"] == "2026-01-01T00:00:00+00:00"
    code, out, _ = run_medlint(["sbom", EXAMPLE, "--today", TODAY])
    assert json.loads(out)["metadata"]["timestamp"] == "2026-12-07T00:00:00+00:00"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    code, _, err = run_medlint(["sbom", EXAMPLE])
    assert code == 2 and "SOURCE_DATE_EPOCH" in err


@pytest.mark.parametrize(
    ("parts", "text"),
    [
        (
            ("deb", "libssl1.1", "debian", "1.1.1w-0+deb11u1", {"distro": "debian-11", "arch": "amd64"}),
            "pkg:deb/debian/libssl1.1@1.1.1w-0%2Bdeb11u1?arch=amd64&distro=debian-11",
        ),
        (("npm", "core", "@angular", "16.2.0", {}), "pkg:npm/%40angular/core@16.2.0"),
        (
            ("oci", "redis", None, "sha256:abc", {"repository_url": "docker.io/library/redis", "tag": "7"}),
            "pkg:oci/redis@sha256:abc?repository_url=docker.io/library/redis&tag=7",
        ),
    ],
)
def test_purls_follow_the_specification(parts: tuple, text: str) -> None:
    purl_type, name, namespace, version, qualifiers = parts
    assert build_purl(purl_type, name, namespace, version, qualifiers) == text
    parsed = parse_purl(text)
    assert parsed is not None
    assert (parsed.type, parsed.name, parsed.namespace, parsed.version) == (
        purl_type,
        name,
        namespace,
        version,
    )
    assert dict(parsed.qualifiers) == qualifiers


def test_a_percent_encoded_colon_reads_the_same() -> None:
    """The specification's own OCI example encodes the digest's colon; it need not be, and both read alike."""
    parsed = parse_purl(
        "pkg:oci/debian@sha256%3A244fd47e07d10?repository_url=docker.io/library/debian&tag=latest"
    )
    assert parsed is not None and parsed.version == "sha256:244fd47e07d10"
    assert parse_purl("not a purl") is None and parse_purl("pkg:deb") is None
