"""medlint's renderer against Helm's own golden `helm template` outputs (../shared/reference/helm-golden).

Documents are compared parsed, with their `# Source:` file and in order, not byte for byte. Cases whose
arguments use only -f/--values, --set, --kube-version and --api-versions are checked; the others
(--show-only, --name-template, --include-crds, --skip-tests, --debug) are command-line features medlint
does not offer and are skipped. Helm's golden files come from its test build, whose default Kubernetes
version is v1.20.0 (release binaries report their client-go version), so that version is passed when a
case gives none.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from medlint.helm.lint_renders import ValuesSet, load_for_render, render_chart_for_lint, user_values
from medlint.helm.render import RenderOptions, format_manifests, render_chart
from tests.conftest import SHARED

GOLDEN = SHARED / "reference" / "helm-golden"
HELM_TEST_KUBE_VERSION = "1.20.0"

pytestmark = pytest.mark.skipif(
    not (GOLDEN / "cases.tsv").is_file(), reason="helm-golden reference is not present"
)


def _cases() -> list[Any]:
    if not (GOLDEN / "cases.tsv").is_file():
        return []
    rows = [line.split("\t") for line in (GOLDEN / "cases.tsv").read_text().splitlines()[1:] if line.strip()]
    return [pytest.param(*row, id=Path(row[0]).stem) for row in rows]


def _options(arguments: str) -> tuple[ValuesSet, str, tuple[str, ...]] | None:
    """The values set, kube version and API versions of a case, or None when it uses other options."""
    argv = shlex.split(arguments)
    files: list[Path] = []
    sets: list[str] = []
    kube = HELM_TEST_KUBE_VERSION
    apis: list[str] = []
    while argv:
        option = argv.pop(0)
        if option in ("-f", "--values"):
            files.append(GOLDEN / argv.pop(0))
        elif option == "--set":
            sets.append(argv.pop(0))
        elif option == "--kube-version":
            kube = argv.pop(0)
        elif option == "--api-versions":
            apis.extend(argv.pop(0).split(","))
        else:
            return None
    return ValuesSet("golden", tuple(files), tuple(sets)), kube, tuple(apis)


def parse_output(text: str) -> list[tuple[str, list[Any]]]:
    """(# Source: file, parsed documents) for each document of `helm template` output."""
    parts = re.split(r"(?m)^---\n# Source: ", text)
    return [
        (source, list(yaml.safe_load_all(body)))
        for source, _, body in (part.partition("\n") for part in parts[1:])
    ]


@pytest.mark.parametrize("golden, chart, arguments, expect", _cases())
def test_golden_case(golden: str, chart: str, arguments: str, expect: str) -> None:
    options = _options(arguments)
    if options is None:
        pytest.skip(f"uses helm template options medlint does not offer: {arguments}")
    values_set, kube_version, api_versions = options
    want = (GOLDEN / golden).read_text()
    chart_dir = GOLDEN / chart
    objects, problems = render_chart_for_lint(
        chart_dir, GOLDEN, values_sets=[values_set], kube_version=kube_version, api_versions=api_versions
    )
    if expect == "error":
        reason = want.splitlines()[0].removeprefix("Error: ")
        assert [p.rule_id for p in problems] == ["MD003"], problems
        assert reason in problems[0].message
        assert not objects
        return
    assert problems == []
    loaded, missing = load_for_render(chart_dir, GOLDEN)
    assert missing == []
    result = render_chart(
        loaded,
        user_values(values_set, GOLDEN),
        RenderOptions(kube_version=kube_version, api_versions=api_versions),
    )
    assert parse_output(format_manifests(result.manifests)) == parse_output(want)


def test_all_supported_cases_are_checked() -> None:
    supported = [row for row in _cases() if _options(row.values[2]) is not None]
    assert len([row for row in supported if row.values[3] == "ok"]) == 12
    assert len([row for row in supported if row.values[3] == "error"]) == 3
