"""Declarations that satisfy or disable a check (catalog 3.7): what is declared, where, for which rules and
system, from the configuration and from Compose files; and how the evidence and JSON reports show them."""

from __future__ import annotations

import dataclasses
import datetime
import json
from pathlib import Path

from markupsafe import escape

from medlint.api import lint
from medlint.config import load_config
from medlint.report import Report
from medlint.report.declarations import Declaration, declarations
from medlint.report.evidence import render_evidence
from medlint.report.json_report import render_json
from tests.report.test_evidence import html_tables, markdown_rows

TODAY = datetime.date(2026, 12, 7)

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: pump
  namespace: device-prod
spec:
  selector: {matchLabels: {app: pump}}
  template:
    metadata: {labels: {app: pump}}
    spec:
      containers:
        - name: pump
          image: nginx:1.27.0
"""

COMPOSE = """services:
  app:
    image: nginx:1.27.0
    secrets: [db_password]
    configs: [settings]
    volumes: [data:/data]
    networks: [device, local]
secrets:
  db_password:
    external: true
configs:
  settings:
    file: ./settings.conf
volumes:
  data:
    external:
      name: pump-data
networks:
  device:
    external: true
    name: hospital-net
  local:
    external: false
"""


def _lint(root: Path, config_name: str = ".medlint.yaml") -> Report:
    config_path = root / config_name
    config = load_config(config_path) if config_path.exists() else None
    return lint(["."], cwd=root, config=config, today=TODAY)


def _rows(found: tuple[Declaration, ...]) -> list[tuple[str, str, str, tuple[str, ...], str, str]]:
    return [(item.kind, item.name, item.detail, item.rules, item.where, item.system) for item in found]


def test_system_settings_are_listed_at_their_lines(tmp_path: Path) -> None:
    (tmp_path / ".medlint.yaml").write_text(
        "name: infusion-pump\n"  # 1
        "own_images: [registry.example.com/pump]\n"  # 2
        "external_secrets:\n"  # 3
        "  - registry-credentials\n"  # 4
        "  - device-prod/tls-*\n"  # 5
        "external_config_maps: [site-settings]\n"  # 6
        "external_volume_claims:\n"  # 7
        "  - archive\n",  # 8
        encoding="utf-8",
    )
    (tmp_path / "deploy.yaml").write_text(DEPLOYMENT, encoding="utf-8")
    assert _rows(declarations(_lint(tmp_path))) == [
        ("external Secret", "registry-credentials", "", ("MD307",), ".medlint.yaml:4", "infusion-pump"),
        ("external Secret", "device-prod/tls-*", "", ("MD307",), ".medlint.yaml:5", "infusion-pump"),
        ("external ConfigMap", "site-settings", "", ("MD307",), ".medlint.yaml:6", "infusion-pump"),
        ("external PersistentVolumeClaim", "archive", "", ("MD307",), ".medlint.yaml:8", "infusion-pump"),
        (
            "own image prefix (not SOUP)",
            "registry.example.com/pump",
            "",
            ("MD904",),
            ".medlint.yaml:2",
            "infusion-pump",
        ),
    ]


def test_each_system_lists_its_own_entry_or_the_inherited_top_level_one(tmp_path: Path) -> None:
    (tmp_path / ".medlint.yaml").write_text(
        "external_secrets: [shared-credentials]\n"  # 1
        "systems:\n"  # 2
        "  - name: pump\n"  # 3
        "    paths: [pump]\n"  # 4
        "    external_secrets:\n"  # 5
        "      - pump-credentials\n"  # 6
        "  - name: monitor\n"  # 7
        "    paths: [monitor]\n",  # 8
        encoding="utf-8",
    )
    for folder in ("pump", "monitor"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "deploy.yaml").write_text(DEPLOYMENT, encoding="utf-8")
    found = [(item.name, item.where, item.system) for item in declarations(_lint(tmp_path))]
    assert found == [
        ("pump-credentials", ".medlint.yaml:6", "pump"),
        ("shared-credentials", ".medlint.yaml:1", "monitor"),
    ]


def test_rule_parameters_that_declare_are_listed_with_their_rule(tmp_path: Path) -> None:
    (tmp_path / ".medlint.yaml").write_text(
        "name: infusion-pump\n"  # 1
        "rules:\n"  # 2
        "  params:\n"  # 3
        "    MD214:\n"  # 4
        "      external_namespaces:\n"  # 5
        "        device-prod: restricted\n"  # 6
        "        device-lab: baseline\n"  # 7
        "    MD702:\n"  # 8
        "      external_backups: [postgres]\n"  # 9
        "    MD602:\n"  # 10
        '      default_certificate: "--default-ssl-certificate=ingress/wildcard-tls"\n'  # 11
        "    MD603:\n"  # 12
        "      hsts_declared: true\n"  # 13
        "      tls_terminates_upstream: false\n"  # 14
        "    MD215:\n"  # 15
        "      cyber_device: false\n"  # 16
        '      declared_enforcement: ""\n'  # 17
        "    MD112:\n"  # 18
        "      mode: ci\n"  # 19
        "    MD101:\n"  # 20
        "      floating_tags: [latest, stable]\n",  # 21: a setting, not a declaration
        encoding="utf-8",
    )
    (tmp_path / "deploy.yaml").write_text(DEPLOYMENT, encoding="utf-8")
    report = _lint(tmp_path)
    assert _rows(declarations(report)) == [
        (
            "OCI labels added outside the Dockerfile",
            "mode: ci",
            "CI adds the OCI labels at build time",
            ("MD112",),
            ".medlint.yaml:19",
            "infusion-pump",
        ),
        (
            "externally managed namespace",
            "device-prod",
            "enforce level restricted",
            ("MD214",),
            ".medlint.yaml:6",
            "infusion-pump",
        ),
        (
            "externally managed namespace",
            "device-lab",
            "enforce level baseline",
            ("MD214",),
            ".medlint.yaml:7",
            "infusion-pump",
        ),
        (
            "system classification",
            "cyber_device: false",
            "not a cyber device (FD&C Act 524B)",
            ("MD215",),
            ".medlint.yaml:16",
            "infusion-pump",
        ),
        (
            "default certificate of the ingress controller",
            "--default-ssl-certificate=ingress/wildcard-tls",
            "",
            ("MD602",),
            ".medlint.yaml:11",
            "infusion-pump",
        ),
        (
            "HSTS set outside the bundle",
            "hsts_declared: true",
            "",
            ("MD603",),
            ".medlint.yaml:13",
            "infusion-pump",
        ),
        ("external backup", "postgres", "", ("MD702",), ".medlint.yaml:9", "infusion-pump"),
    ]
    # the declared namespace is what keeps MD214 silent about device-prod
    assert not [f for f in report.result.findings if f.rule_id == "MD214" and "device-prod" in f.message]


def test_rule_parameters_apply_to_every_system(tmp_path: Path) -> None:
    (tmp_path / ".medlint.yaml").write_text(
        "systems:\n"
        "  - name: pump\n"
        "    paths: [pump]\n"
        "  - name: monitor\n"
        "    paths: [monitor]\n"
        "rules:\n"
        "  params:\n"
        "    MD702:\n"
        "      external_backups: [postgres]\n",
        encoding="utf-8",
    )
    for folder in ("pump", "monitor"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "deploy.yaml").write_text(DEPLOYMENT, encoding="utf-8")
    [found] = declarations(_lint(tmp_path))
    assert (found.name, found.where, found.system) == ("postgres", ".medlint.yaml:9", "every system")


def test_compose_external_resources_are_listed_at_their_external_key(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE, encoding="utf-8")
    (tmp_path / "settings.conf").write_text("x=1\n", encoding="utf-8")
    found = declarations(_lint(tmp_path))
    system = tmp_path.name
    assert _rows(found) == [
        ("external Compose secret", "db_password", "", ("MD002", "MD307"), "compose.yaml:10", system),
        ("external Compose volume", "data", "name pump-data", ("MD002",), "compose.yaml:16", system),
        ("external Compose network", "device", "name hospital-net", ("MD002",), "compose.yaml:20", system),
    ]
    assert {item.source for item in found} == {"compose"}


def test_an_overlay_declaration_points_into_the_overlay(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n  app:\n    image: nginx:1.27.0\n    secrets: [db]\nsecrets:\n  db:\n    file: ./db.txt\n",
        encoding="utf-8",
    )
    (tmp_path / "compose.override.yaml").write_text(
        "services:\n  app:\n    environment: {A: '1'}\nsecrets:\n  db:\n    external: true\n",
        encoding="utf-8",
    )
    [found] = declarations(_lint(tmp_path))
    assert (found.name, found.where) == ("db", "compose.override.yaml:6")


def test_a_configuration_without_declarations_gives_none(tmp_path: Path) -> None:
    (tmp_path / ".medlint.yaml").write_text(
        "name: infusion-pump\nrules:\n  params:\n    MD603:\n      hsts_declared: false\n", encoding="utf-8"
    )
    (tmp_path / "deploy.yaml").write_text(DEPLOYMENT, encoding="utf-8")
    assert declarations(_lint(tmp_path)) == ()


def test_no_configuration_at_all_gives_none(tmp_path: Path) -> None:
    (tmp_path / "deploy.yaml").write_text(DEPLOYMENT, encoding="utf-8")
    report = _lint(tmp_path)
    assert declarations(report) == ()
    assert declarations(dataclasses.replace(report, config=None)) == ()


def test_pyproject_toml_gives_the_line_of_the_key(tmp_path: Path) -> None:
    """In TOML the line is best effort: the line of the setting's key (medlint.config._Positions)."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.medlint]\nexternal_secrets = ["registry-credentials"]\n\n'
        '[tool.medlint.rules.params.MD214.external_namespaces]\ndevice-prod = "restricted"\n',
        encoding="utf-8",
    )
    (tmp_path / "deploy.yaml").write_text(DEPLOYMENT, encoding="utf-8")
    found = declarations(_lint(tmp_path, "pyproject.toml"))
    assert [(item.name, item.detail, item.where) for item in found] == [
        ("registry-credentials", "", "pyproject.toml:5"),
        ("device-prod", "enforce level restricted", "pyproject.toml:8"),
    ]


# --------------------------------------------------------------------------------------------------
# In the reports

HOSTILE_NAME = "<script>alert(7)</script>|`x`"


def _hostile_project(tmp_path: Path) -> Report:
    (tmp_path / ".medlint.yaml").write_text(
        "name: infusion-pump\n"
        "external_secrets:\n"
        f"  - '{HOSTILE_NAME}'\n"
        "rules:\n"
        "  params:\n"
        "    MD214:\n"
        "      external_namespaces:\n"
        "        device-prod: restricted\n",
        encoding="utf-8",
    )
    (tmp_path / "deploy.yaml").write_text(DEPLOYMENT, encoding="utf-8")
    (tmp_path / "compose.yaml").write_text(COMPOSE, encoding="utf-8")
    (tmp_path / "settings.conf").write_text("x=1\n", encoding="utf-8")
    return _lint(tmp_path)


def test_evidence_html_lists_declarations_in_the_waivers_section(tmp_path: Path) -> None:
    document = render_evidence(_hostile_project(tmp_path), "html")
    assert "<script>alert(7)" not in document
    assert str(escape(HOSTILE_NAME)) in document
    section = document[document.index('<section id="waivers"') : document.index('<section id="soup"')]
    assert '<h3 id="declarations">Declarations that satisfy checks</h3>' in section
    [table] = html_tables(document, "waivers")  # no waiver: the declarations are the one table
    assert table[0] == ["Declared", "What", "Satisfies", "System", "Declared at"]
    assert table[1] == [
        "external Secret",
        HOSTILE_NAME,
        "MD307",
        "infusion-pump",
        "configuration: .medlint.yaml:3",
    ]
    assert [
        "externally managed namespace",
        "device-prod enforce level restricted",
        "MD214",
        "infusion-pump",
        "configuration: .medlint.yaml:8",
    ] in table
    assert [
        "external Compose secret",
        "db_password",
        "MD002, MD307",
        "infusion-pump",
        "compose: compose.yaml:10",
    ] in table


def test_evidence_markdown_lists_declarations_escaped(tmp_path: Path) -> None:
    document = render_evidence(_hostile_project(tmp_path), "markdown")
    assert "<script>" not in document and "`x`" not in document
    rows = markdown_rows(document, "Declarations that satisfy checks")
    assert all(len(row) == 5 for row in rows)  # the | in the name opened no cell
    assert rows[0] == [
        "external Secret",
        HOSTILE_NAME,
        "MD307",
        "infusion-pump",
        "configuration: .medlint.yaml:3",
    ]
    assert [
        "externally managed namespace",
        "device-prod (enforce level restricted)",
        "MD214",
        "infusion-pump",
        "configuration: .medlint.yaml:8",
    ] in rows
    # the section order is unchanged: the table sits inside section 7, before section 8
    assert document.index("## 7. Waivers") < document.index("### Declarations that") < document.index("## 8.")


def test_evidence_says_when_nothing_is_declared(tmp_path: Path) -> None:
    (tmp_path / "deploy.yaml").write_text(DEPLOYMENT, encoding="utf-8")
    report = _lint(tmp_path)
    sentence = "None: the configuration and the Compose files declare nothing as handled outside"
    assert sentence in render_evidence(report, "html")
    assert sentence in render_evidence(report, "markdown")


def test_json_report_has_a_declarations_array_after_the_existing_keys(tmp_path: Path) -> None:
    report = _hostile_project(tmp_path)
    data = json.loads(render_json(report))
    assert list(data)[-3:] == ["findings", "notifications", "declarations"]
    assert data["declarations"][0] == {
        "kind": "external Secret",
        "name": HOSTILE_NAME,
        "detail": "",
        "rules": ["MD307"],
        "path": ".medlint.yaml",
        "line": 3,
        "system": "infusion-pump",
        "source": "configuration",
    }
    assert {"kind": "external Compose secret", "line": 10, "path": "compose.yaml"}.items() <= next(
        item for item in data["declarations"] if item["source"] == "compose"
    ).items()
