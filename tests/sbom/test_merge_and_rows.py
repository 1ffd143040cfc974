"""`medlint sbom --merge` on a project that changes, and the SOUP rows the evidence report reads."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from medlint.api import lint
from medlint.config import load_config
from medlint.report.evidence.soup import inventory_rows
from medlint.sbom.soup import soup_items
from tests.sbom.conftest import TODAY, run_medlint


def _write_project(folder: Path, images: list[str]) -> None:
    services = "".join(f"  s{index}:\n    image: {image}\n" for index, image in enumerate(images))
    (folder / "compose.yaml").write_text(f"services:\n{services}", encoding="utf-8")
    (folder / ".medlint.yaml").write_text("name: pump\nsafety_class: C\n", encoding="utf-8")


def _sbom(folder: Path, *extra: str) -> dict:
    target = folder / "soup.cdx.json"
    code, _, err = run_medlint(["sbom", str(folder), "-o", str(target), "--today", TODAY, *extra])
    assert code == 0, err
    return json.loads(target.read_text(encoding="utf-8"))


def _by_name(document: dict) -> dict[str, dict]:
    return {c["name"]: c for c in document["components"]}


def _props(component: dict) -> dict[str, str]:
    return {p["name"]: p["value"] for p in component.get("properties", [])}


def test_merge_keeps_entered_values_drops_the_unused_and_adds_the_new(tmp_path: Path) -> None:
    _write_project(tmp_path, ["redis:7.4.1", "postgres:16.4"])
    document = _sbom(tmp_path)
    redis = _by_name(document)["redis"]
    for prop in redis["properties"]:
        if prop["name"] == "medlint:requirement-ref":
            prop["value"] = "SRS-4.2 cache"
        if prop["name"] == "medlint:level-of-support":
            prop["value"] = "supported under contract"
    redis["properties"].append({"name": "acme:owner", "value": "platform team"})
    redis["supplier"] = {"name": "Redis Ltd."}
    (tmp_path / "soup.cdx.json").write_text(json.dumps(document, indent=2), encoding="utf-8")

    _write_project(tmp_path, ["redis:7.4.1", "nginx:1.27.2"])  # postgres goes, nginx comes
    merged = _sbom(tmp_path, "--merge", str(tmp_path / "soup.cdx.json"))
    components = _by_name(merged)
    assert "postgres" not in components
    kept = _props(components["redis"])
    assert components["redis"]["supplier"]["name"] == "Redis Ltd."
    assert kept["medlint:requirement-ref"] == "SRS-4.2 cache"
    assert kept["medlint:level-of-support"] == "supported under contract"
    assert kept["acme:owner"] == "platform team"
    new = _props(components["nginx"])
    assert new["medlint:requirement-ref"] == "" and new["medlint:anomaly-review-date"] == ""
    again = _sbom(tmp_path, "--merge", str(tmp_path / "soup.cdx.json"))
    assert again == merged


def test_soup_rows_say_what_a_supplied_sbom_covers(tmp_path: Path) -> None:
    _write_project(tmp_path, ["redis:7.4.1", "postgres:16.4"])
    document = _sbom(tmp_path)
    document["components"] = [c for c in document["components"] if c["name"] != "postgres"]
    redis = _by_name(document)["redis"]
    for prop in redis["properties"]:
        if prop["name"] == "medlint:end-of-support":
            prop["value"] = "2028-02-01"
    (tmp_path / "soup.cdx.json").write_text(json.dumps(document), encoding="utf-8")
    today = datetime.date.fromisoformat(TODAY)
    config = load_config(tmp_path / ".medlint.yaml")

    without = soup_items(lint([str(tmp_path)], cwd=tmp_path, today=today, config=config))
    assert [(item.component, item.version, item.covered) for item in without] == [
        ("postgres", "16.4", None),
        ("redis", "7.4.1", None),
    ]
    report = lint(
        [str(tmp_path)], cwd=tmp_path, today=today, config=config, sboms=(str(tmp_path / "soup.cdx.json"),)
    )
    items = {item.component: item for item in soup_items(report)}
    assert items["redis"].covered is True and items["postgres"].covered is False
    assert items["redis"].end_of_support == "2028-02-01"  # the team's record wins over the derived value
    assert items["redis"].supplier == "Docker Official Images"
    assert items["redis"].scope == "deployed" and items["redis"].kind == "image"
    assert items["redis"].location == "compose.yaml:3"
    assert items["redis"].system == "pump"
    rows = inventory_rows(report)
    assert [(row.name, row.sbom_covered, row.kind, row.scope, row.system) for row in rows] == [
        ("postgres", False, "image", "deployed", "pump"),
        ("redis", True, "image", "deployed", "pump"),
    ]
