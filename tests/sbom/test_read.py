"""Reading a supplied SBOM: the three formats with positions, and hostile or broken files as clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medlint.model.sbom import SbomFormat
from medlint.sbom import SbomError
from medlint.sbom.read import parse_sbom, read_sbom
from tests.sbom.conftest import EXAMPLE, TODAY, run_medlint


def test_the_written_formats_read_back_alike(example_sboms: dict[str, Path]) -> None:
    read = {name: read_sbom(path, path.name, 1 << 24) for name, path in example_sboms.items()}
    assert [read[name].format for name in read] == [
        SbomFormat.CYCLONEDX_JSON,
        SbomFormat.CYCLONEDX_XML,
        SbomFormat.SPDX_JSON,
    ]
    labels = {name: sorted(component.label for component in sbom.components) for name, sbom in read.items()}
    assert labels["cyclonedx-json"] == labels["cyclonedx-xml"] == labels["spdx-json"]
    for sbom in read.values():
        redis = next(c for c in sbom.components if c.label == "redis 6-alpine")
        assert redis.image is not None and redis.image.canonical_name == "docker.io/library/redis"
        assert redis.image.tag == "6-alpine"
        assert redis.supplier is not None and redis.supplier.value == "Docker Official Images"


def test_fields_carry_the_line_they_are_written_on() -> None:
    text = """{
  "bomFormat": "CycloneDX",
  "specVersion": "1.6",
  "components": [
    {"type": "library", "name": "zlib", "version": "1.3.1",
     "properties": [
        {"name": "medlint:end-of-support", "value": "2020-01-01"}
     ]}
  ]
}
"""
    sbom = parse_sbom(text.encode(), "soup.cdx.json")
    (zlib,) = sbom.components
    assert zlib.location.line == 5
    assert zlib.end_of_support is not None and zlib.end_of_support.location.line == 7


def test_spdx_fields_are_read_from_supplier_valid_until_and_annotations() -> None:
    document = {
        "spdxVersion": "SPDX-2.3",
        "SPDXID": "SPDXRef-DOCUMENT",
        "packages": [
            {
                "SPDXID": "SPDXRef-zlib",
                "name": "zlib",
                "versionInfo": "1.3.1",
                "supplier": "Organization: zlib authors",
                "validUntilDate": "2030-01-01T00:00:00Z",
                "annotations": [
                    {
                        "annotationType": "OTHER",
                        "annotator": "Person: QA",
                        "annotationDate": "2026-01-01T00:00:00Z",
                        "comment": "medlint:requirement-ref=SRS-3.1",
                    }
                ],
            }
        ],
    }
    (zlib,) = parse_sbom(json.dumps(document, indent=1).encode(), "soup.spdx.json").components
    assert zlib.supplier is not None and zlib.supplier.value == "zlib authors"
    assert zlib.end_of_support is not None and zlib.end_of_support.value.startswith("2030-01-01")
    assert zlib.requirement_ref is not None and zlib.requirement_ref.value == "SRS-3.1"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"bomFormat": "CycloneDX",\n "components": [}', "soup.cdx.json:2:17: invalid JSON"),
        (b'{"bomFormat": "CycloneDX"} trailing', "soup.cdx.json:1:28: invalid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"name": "x"}', "not a CycloneDX (bomFormat) or SPDX (spdxVersion) document"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"a":' * 200 + b"1" + b"}" * 200, "nested deeper than 128 levels"),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE bom [<!ENTITY x "xx">]>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.6"/>',
            "soup.cdx.json:2: a document type declaration (DOCTYPE, entities) is not accepted",
        ),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE bom SYSTEM "file:///etc/passwd">\n<bom/>',
            "DOCTYPE",
        ),
        (b"<bom><components>", "invalid XML"),
    ],
)
def test_broken_and_hostile_sboms_are_clear_errors(data: bytes, expected: str) -> None:
    with pytest.raises(SbomError) as raised:
        parse_sbom(data, "soup.cdx.json")
    assert expected in str(raised.value)


def test_an_oversized_sbom_is_refused_by_the_bounded_reader(tmp_path: Path) -> None:
    big = tmp_path / "big.cdx.json"
    big.write_text('{"bomFormat": "CycloneDX", "components": []}' + " " * 5000, encoding="utf-8")
    with pytest.raises(SbomError) as raised:
        read_sbom(big, "big.cdx.json", max_bytes=1000)
    assert "big.cdx.json" in str(raised.value) and "limits.max_sbom_bytes" in str(raised.value)


def test_check_names_an_unusable_sbom_and_stops_with_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "soup.cdx.json"
    bad.write_text('{"bomFormat": "CycloneDX",\n  "components": [,]}', encoding="utf-8")
    code, _out, err = run_medlint(["check", EXAMPLE, "--today", TODAY, "--sbom", str(bad)])
    assert code == 2
    assert "soup.cdx.json:2:" in err and "invalid JSON" in err
    missing = tmp_path / "absent.cdx.json"
    code, _, err = run_medlint(["check", EXAMPLE, "--today", TODAY, "--sbom", str(missing)])
    assert code == 2 and "absent.cdx.json" in err


def test_check_with_an_sbom_imports_no_sbom_library(example_sboms: dict[str, Path]) -> None:
    """Reading a supplied SBOM needs only the standard library: `check` stays as fast as without one."""
    import subprocess
    import sys

    from tests.sbom.conftest import REPO_ROOT

    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from medlint.cli import main\n"
        f"result = CliRunner().invoke(main, ['check', {EXAMPLE!r}, '--exit-zero', '--sbom', sys.argv[1]])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith(('cyclonedx', 'spdx_tools'))}))"
    )
    for sbom in example_sboms.values():
        result = subprocess.run(
            [sys.executable, "-c", code, str(sbom)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        assert result.stdout.strip() == "[]", sbom.name
