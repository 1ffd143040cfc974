"""Configuration files: discovery, validation with clear messages (exit code 2), and their effect."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from medlint.cli import main
from medlint.config import ConfigError, find_config, load_config
from tests.conftest import REPO_ROOT

DOCKERFILE = "FROM debian:12.6-slim\nUSER 10001\n"


def test_found_by_walking_up_and_applied(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".medlint.yaml").write_text(
        "safety_class: A\nrules:\n  disable: [MD102]\n  levels: {MD110: error}\n", encoding="utf-8"
    )
    sub = tmp_path / "images"
    sub.mkdir()
    (sub / "Dockerfile").write_text(DOCKERFILE, encoding="utf-8")
    assert find_config(sub / "Dockerfile") == tmp_path / ".medlint.yaml"
    result = CliRunner().invoke(main, ["check", str(sub / "Dockerfile"), "--format", "json"])
    import json

    data = json.loads(result.output)
    assert data["safety_class"] == {"value": "A", "reason": "set by safety_class in .medlint.yaml"}
    assert "MD102" in data["rules_disabled"]
    assert {f["level"] for f in data["findings"] if f["rule_id"] == "MD110"} == {"error"}
    assert result.exit_code == 1


def test_pyproject_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.medlint]\nsafety_class = "B"\nexclude = ["vendor/*"]\n', encoding="utf-8"
    )
    config = load_config(find_config(tmp_path))
    assert (config.safety_class, config.exclude) == ("B", ("vendor/*",))


@pytest.mark.parametrize(
    "content, expected",
    [
        ("safety_class: D\n", '.medlint.yaml:1: safety_class: "D" is not a safety class: A, B or C'),
        (
            "rules:\n  levels: {MD201: fatal}\n",
            '.medlint.yaml:2: rules.levels.MD201: "fatal" is not a level: error, warning, note or off',
        ),
        ("waivers:\n  - rules: [MD201]\n", '.medlint.yaml:2: waivers.0: "reason" is missing; it is required'),
        ("colour: blue\n", ".medlint.yaml:1: colour: unknown key"),
        ("safety_class: [\n", "invalid YAML"),
    ],
)
def test_mistakes_are_clear_and_exit_2(tmp_path: Path, content: str, expected: str) -> None:
    (tmp_path / ".medlint.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / ".medlint.yaml")
    assert expected in str(caught.value) and ".medlint.yaml" in str(caught.value)
    (tmp_path / "Dockerfile").write_text(DOCKERFILE, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "Dockerfile")])
    assert result.exit_code == 2 and expected in result.output


def test_init_writes_a_valid_commented_starter(tmp_path: Path) -> None:
    target = tmp_path / ".medlint.yaml"
    assert CliRunner().invoke(main, ["init", "--output", str(target)]).exit_code == 0
    assert load_config(target).path == target
    assert CliRunner().invoke(main, ["init", "--output", str(target)]).exit_code == 2


# --- failing closed (issue 15) ----------------------------------------------------------------------------

LEGACY_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: legacy-gateway, namespace: prod}
spec:
  selector: {matchLabels: {app: gw}}
  template:
    metadata: {labels: {app: gw}}
    spec:
      containers:
        - name: gateway
          image: registry.example.com/gw@sha256:0000000000000000000000000000000000000000000000000000000000000000
"""


def _yaml_block(markdown: str) -> str:
    start = markdown.index("```yaml\n") + len("```yaml\n")
    return markdown[start : markdown.index("```", start)]


def _md201_waived(tmp_path: Path, config_text: str) -> list[dict]:
    import json

    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / ".medlint.yaml").write_text(config_text, encoding="utf-8")
    (tmp_path / "k8s").mkdir(exist_ok=True)
    (tmp_path / "k8s" / "legacy-gw.yaml").write_text(LEGACY_DEPLOYMENT, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["check", str(tmp_path / "k8s"), "--format", "json", "--exit-zero", "--today", "2026-12-07"]
    )
    assert result.exit_code == 0, result.output
    return [f for f in json.loads(result.output)["findings"] if f["rule_id"] == "MD201"]


def test_the_documented_example_loads_and_its_waiver_suppresses(tmp_path: Path) -> None:
    docs = (REPO_ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    example = _yaml_block(docs)
    assert "until: 2027-06-30\n" in example  # an unquoted YAML date
    example = example.replace("rules_dirs: [compliance/rules]", "rules_dirs: []")  # no such folder here
    example = example.replace("enable: [MD201, MD303]", "enable: [MD201]")
    findings = _md201_waived(tmp_path, example)
    assert findings and all(f["suppression"]["until"] == "2027-06-30" for f in findings)


def test_the_init_starter_waiver_loads_and_suppresses(tmp_path: Path) -> None:
    from medlint.config import STARTER

    block = STARTER[STARTER.index("# waivers:") :]
    uncommented = "\n".join(line[2:] for line in block.splitlines()) + "\n"
    findings = _md201_waived(tmp_path, uncommented)
    assert findings and all(f["suppression"] for f in findings)


def test_toml_dates_are_dates(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.medlint]\ntoday = 2026-12-07\n[[tool.medlint.waivers]]\nrules = ["MD201"]\nreason = "r"\n'
        "until = 2027-06-30\n",
        encoding="utf-8",
    )
    config = load_config(tmp_path / "pyproject.toml")
    assert (str(config.today), config.waivers[0].until) == ("2026-12-07", "2027-06-30")


@pytest.mark.parametrize(
    "content, expected",
    [
        ("rules:\n  enable: [MD298]\n", '.medlint.yaml:2: rules.enable: unknown rule "MD298" (did you mean'),
        ("rules:\n  disable:\n    - MD102\n    - MD999\n", ".medlint.yaml:4: rules.disable: unknown rule"),
        (
            "rules:\n  params:\n    MD201:\n      nonroot_image: [x]\n",
            '.medlint.yaml:4: rules.params.MD201.nonroot_image: unknown key (did you mean "nonroot_images"?)',
        ),
        ("rules:\n  params:\n    MD201:\n      nonroot_images: 3\n", "must be a list, not 3"),
        (
            "rules:\n  levels: {MD2O1: error}\n",
            '.medlint.yaml:2: rules.levels: "MD2O1" is not a rule id such as MD201',
        ),
        ("safty_class: B\n", '.medlint.yaml:1: safty_class: unknown key (did you mean "safety_class"?)'),
        (
            "limits:\n  max_file_byte: 10\n",
            'limits.max_file_byte: unknown key (did you mean "max_file_bytes"?)',
        ),
        ("limits:\n  max_file_bytes: 0\n", "limits.max_file_bytes: must be greater than 0, not 0"),
        ("today: 2026-02-30\n", 'today: "2026-02-30" is not a calendar date'),
        (
            "waivers:\n  - rules: [MD201]\n    reason: ok\n  - rules: [MD999]\n    reason: typo\n",
            '.medlint.yaml:4: waivers.1.rules: a waiver for unknown rule "MD999"',
        ),
    ],
)
def test_typos_are_errors_at_their_line(tmp_path: Path, content: str, expected: str) -> None:
    (tmp_path / ".medlint.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / ".medlint.yaml")
    assert expected in str(caught.value)
    assert "datetime" not in str(caught.value) and "is not of type" not in str(caught.value)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    (tmp_path / ".medlint.yaml").write_text(
        "safety_class: D\ncolour: blue\nrules:\n  enable: [MD298]\n  params: {MD201: {x: 1}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / ".medlint.yaml")
    lines = [line.strip() for line in str(caught.value).splitlines()[1:]]
    assert [line.split(":")[1] for line in lines] == ["1", "2", "4", "5"]
    assert str(caught.value).startswith("invalid configuration (4 problems)")


def test_case_insensitive_class_and_levels(tmp_path: Path) -> None:
    (tmp_path / ".medlint.yaml").write_text(
        "safety_class: b\nfail_on: WARNING\nrules:\n  levels: {MD401: Note}\n  enable: [md2]\n",
        encoding="utf-8",
    )
    config = load_config(tmp_path / ".medlint.yaml")
    assert (config.safety_class, config.fail_on, config.levels["MD401"]) == ("B", "warning", "note")
    assert "MD201" in config.enabled and "MD101" not in config.enabled


def test_limits_fill_the_dataclass_and_the_schema_follows_its_fields(tmp_path: Path) -> None:
    import dataclasses

    from medlint.config import limits_schema
    from medlint.limits import Limits

    assert set(limits_schema()["properties"]) == {f.name for f in dataclasses.fields(Limits)}
    (tmp_path / ".medlint.yaml").write_text("limits:\n  max_file_bytes: 1000\n", encoding="utf-8")
    assert load_config(tmp_path / ".medlint.yaml").limits == Limits(max_file_bytes=1000)


def test_an_unused_configured_waiver_is_reported_at_its_own_line(tmp_path: Path) -> None:
    import json

    (tmp_path / ".git").mkdir()
    (tmp_path / ".medlint.yaml").write_text(
        "safety_class: B\nwaivers:\n  - rules: [MD201]\n    reason: ok\n  - rules: [MD303]\n    reason: unused\n",
        encoding="utf-8",
    )
    (tmp_path / "Dockerfile").write_text("FROM debian:12.6-slim\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "Dockerfile"), "--format", "json"])
    notes = [n for n in json.loads(result.output)["notifications"] if "MD303" in n["message"]]
    assert [n["location"]["line"] for n in notes] == [5]


def test_helm_values_in_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "envs").mkdir()
    (tmp_path / ".medlint.yaml").write_text(
        'helm:\n  values:\n    "charts/*": [envs/a.yaml, [envs/b.yaml, envs/c.yaml]]\n', encoding="utf-8"
    )
    config = load_config(tmp_path / ".medlint.yaml")
    (entry,) = config.helm_values
    assert entry.chart_glob == "charts/*"
    assert [[Path(f).name for f in files] for files in entry.value_sets] == [["a.yaml"], ["b.yaml", "c.yaml"]]
