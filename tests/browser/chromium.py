"""Headless Chromium for the browser tests and the documentation screenshot.

Debian's `chromium` package, driven by Playwright for Python through its executable path (Playwright's own
browser download is not reachable from CI). Each launch gets a fresh user-data directory and the flags that
keep Chromium from contacting anything by itself, so any request the tests see comes from the page.

A report is served from a made-up origin (`https://evidence.invalid/`) by routing: the report's own URL is
answered with the file's bytes, and every other request is recorded and aborted, never sent.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

CHROMIUM = os.environ.get("MEDLINT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
REPORT_URL = "https://evidence.invalid/report.html"


class BrowserUnavailable(Exception):
    """Chromium (or Playwright) cannot be started at all on this machine."""


@dataclass
class Session:
    """A browser context with every request routed: `outside` lists each request the page tried to make."""

    context: Any
    outside: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def open_report(self, html: str) -> Any:
        """A new page showing `html` as the document at REPORT_URL; nothing else is ever fetched."""
        body = html.encode("utf-8")
        served = False

        def route(route: Any) -> None:
            nonlocal served
            if route.request.url == REPORT_URL and not served:
                served = True
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)
            else:
                self.outside.append(route.request.url)
                route.abort()

        page = self.context.new_page()
        page.route("**/*", route)
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(REPORT_URL, wait_until="load")
        return page


@contextmanager
def chromium_session() -> Iterator[Session]:
    """A fresh headless Chromium; raises BrowserUnavailable when it cannot be started at all."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as error:
        raise BrowserUnavailable(f"Playwright for Python is not installed ({error})") from None
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        raise BrowserUnavailable(f"{CHROMIUM} does not exist (apt-get install chromium)")
    user_data = tempfile.mkdtemp(prefix="medlint-chromium-")
    try:
        with sync_playwright() as playwright:
            try:
                context = playwright.chromium.launch_persistent_context(
                    user_data,
                    executable_path=CHROMIUM,
                    headless=True,
                    args=list(CHROMIUM_ARGS),
                    offline=False,
                    service_workers="block",
                )
            except Error as error:
                raise BrowserUnavailable(f"{CHROMIUM} could not be started: {error}") from None
            try:
                yield Session(context)
            finally:
                context.close()
    finally:
        shutil.rmtree(user_data, ignore_errors=True)
