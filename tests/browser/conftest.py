"""One headless Chromium for all browser tests. It skips them, with the reason, only when Chromium cannot be
started at all on a developer's machine; in CI (CI=true) that is a failure, since .ci/run installs it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.browser.chromium import BrowserUnavailable, Session, chromium_session


@pytest.fixture(scope="session")
def browser() -> Iterator[Session]:
    try:
        with chromium_session() as session:
            yield session
    except BrowserUnavailable as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the browser tests must run in CI, but Chromium cannot be started: {error}")
        pytest.skip(f"Chromium cannot be started here, browser tests skipped: {error}")
