"""The bundled example, linted once for all reporter tests (reporters only read the Report)."""

from __future__ import annotations

import pytest

from medlint.api import lint
from medlint.report import Report
from tests.conftest import EXAMPLE, REPO_ROOT


@pytest.fixture(scope="session")
def example_report() -> Report:
    return lint([EXAMPLE], cwd=REPO_ROOT)
