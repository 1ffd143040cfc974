"""Screenshots of the example's evidence report for docs/evidence.md, made by headless Chromium, not by hand.

Run from the repository root, with the test extra installed and Debian's chromium present:

    python docs/evidence_screenshots.py

It writes docs/images/evidence-report.png (the top of the report), docs/images/evidence-matrix.png (the start
of the traceability matrix) and docs/images/evidence-soup.png (the SOUP inventory), from
`medlint evidence examples/medical-device --today 2026-12-07`.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from medlint.api import lint  # noqa: E402
from medlint.config import find_config, load_config  # noqa: E402
from medlint.report.evidence import render_evidence  # noqa: E402
from tests.browser.chromium import chromium_session  # noqa: E402

EXAMPLE = "examples/medical-device"
TODAY = datetime.date(2026, 12, 7)
IMAGES = REPO_ROOT / "docs" / "images"


def main() -> int:
    command = ("medlint", "evidence", EXAMPLE, "--today", TODAY.isoformat(), "-o", "report.html")
    config = load_config(find_config(REPO_ROOT / EXAMPLE))  # as the command finds it
    report = lint([EXAMPLE], cwd=REPO_ROOT, today=TODAY, command_line=command, config=config)
    document = render_evidence(report, "html")
    IMAGES.mkdir(parents=True, exist_ok=True)
    with chromium_session() as browser:
        page = browser.open_report(document)
        page.set_viewport_size({"width": 1200, "height": 900})
        page.screenshot(path=str(IMAGES / "evidence-report.png"))
        matrix = page.locator("#matrix").bounding_box()
        assert matrix is not None
        page.screenshot(
            path=str(IMAGES / "evidence-matrix.png"),
            full_page=True,
            clip={"x": 0, "y": matrix["y"] - 8, "width": 1200, "height": 760},
        )
        soup = page.locator("#soup").bounding_box()
        assert soup is not None
        page.screenshot(
            path=str(IMAGES / "evidence-soup.png"),
            full_page=True,
            clip={"x": 0, "y": soup["y"] - 8, "width": 1200, "height": min(soup["height"] + 16, 760)},
        )
        page.close()
        if browser.outside:
            print(f"the page tried to load: {browser.outside}", file=sys.stderr)
            return 1
    for name in ("evidence-report.png", "evidence-matrix.png", "evidence-soup.png"):
        print(f"wrote {(IMAGES / name).relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
