"""Rendering the evidence view model as one self-contained HTML file, or as Markdown, with Jinja2.

HTML: autoescaping is on for every value; the stylesheet is inline and the page carries a strict
Content-Security-Policy (nothing may load: no script, font, image or frame; only the inline stylesheet, named
by its SHA-256). Markdown: every value passes through `markdown_text`, which escapes what would otherwise
become table cells, code, emphasis, links or HTML. Templates and the stylesheet are package data.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from importlib import resources
from typing import Any

from medlint.report.evidence.model import ClauseStatus, EvidenceView

SECTIONS = (
    ("identification", "1. Report identification"),
    ("scope", "2. Scope"),
    ("safety-class", "3. Safety class"),
    ("summary", "4. Summary"),
    ("matrix", "5. Traceability matrix"),
    ("findings", "6. Findings"),
    ("waivers", "7. Waivers"),
    ("soup", "8. SOUP inventory"),
)

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]{}<>|#!~$])")
_MARKDOWN_REPLACEMENTS = {"<": "&lt;", ">": "&gt;"}


def markdown_text(value: Any) -> str:
    """A value as literal Markdown text: nothing in it can open a table cell, code span, link or HTML tag."""
    if value is None:
        return ""
    text = str(value)
    if hasattr(value, "__html__"):  # a trusted fragment built by the template itself
        return text
    text = text.replace("&", "&amp;")
    text = " ".join(text.splitlines()) if ("\n" in text or "\r" in text) else text
    return _MARKDOWN_SPECIAL.sub(
        lambda match: _MARKDOWN_REPLACEMENTS.get(match.group(1), "\\" + match.group(1)), text
    )


def status_counts(status: ClauseStatus) -> str:
    """The rule counts behind a clause status, the same words in both formats."""
    parts = []
    if status.rules_incomplete:
        parts.append(f"{status.rules_incomplete} incomplete (check error)")
    if status.rules_fail:
        parts.append(f"{status.rules_fail} fail ({_findings(status.findings_fail)})")
    if status.rules_baselined:
        parts.append(f"{status.rules_baselined} baselined ({_findings(status.findings_baselined)})")
    if status.rules_waived:
        parts.append(f"{status.rules_waived} waived ({_findings(status.findings_waived)})")
    if status.rules_pass:
        parts.append(f"{status.rules_pass} pass")
    if status.rules_off:
        parts.append(f"{status.rules_off} off")
    if status.rules_not_applicable:
        parts.append(f"{status.rules_not_applicable} not applicable")
    total = (
        status.rules_incomplete
        + status.rules_fail
        + status.rules_baselined
        + status.rules_waived
        + status.rules_pass
        + status.rules_off
        + status.rules_not_applicable
    )
    return f"{total} rule{'s' if total != 1 else ''}: " + ", ".join(parts)


def _findings(count: int) -> str:
    return f"{count} finding{'s' if count != 1 else ''}"


def _resource(name: str) -> str:
    return (
        resources.files("medlint.report.evidence")
        .joinpath("templates")
        .joinpath(name)
        .read_text(encoding="utf-8")
    )


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return _resource("evidence.css")


def content_security_policy(css: str) -> str:
    """Nothing loads; the one inline stylesheet is allowed by its hash (inline style attributes are not)."""
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; "
        f"style-src 'sha256-{digest}'; "
        "img-src 'none'; font-src 'none'; script-src 'none'; connect-src 'none'; "
        "frame-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
    )


def _environment(markdown: bool) -> Any:
    import jinja2  # imported lazily: only the evidence command needs it

    class PackageLoader(jinja2.BaseLoader):
        """Templates from the package's data files (works from a wheel or a zip as well)."""

        def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, None, Any]:
            return _resource(template), None, lambda: True

    if markdown:
        environment = jinja2.Environment(
            loader=PackageLoader(),
            autoescape=False,
            finalize=markdown_text,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            undefined=jinja2.StrictUndefined,
        )
    else:
        environment = jinja2.Environment(
            loader=PackageLoader(),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            undefined=jinja2.StrictUndefined,
        )
    environment.globals.update(sections=SECTIONS, status_counts=status_counts)
    return environment


def render_html(view: EvidenceView) -> str:
    from markupsafe import Markup

    css = stylesheet()
    template = _environment(markdown=False).get_template("evidence.html.j2")
    return str(template.render(view=view, css=Markup(css), csp=content_security_policy(css)))


def render_markdown(view: EvidenceView) -> str:
    template = _environment(markdown=True).get_template("evidence.md.j2")
    return str(template.render(view=view))
