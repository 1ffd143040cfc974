"""Helm support: charts rendered in-process, in pure Python, the way ``helm template`` renders them.

Modules, from the bottom up:

* :mod:`medlint.helm.gotemplate`, :mod:`medlint.helm.gofmt` - Go's text/template and fmt;
* :mod:`medlint.helm.functions` - the Sprig and Helm template functions;
* :mod:`medlint.helm.values` - values files, ``--set``, coalescing, dependencies (conditions, tags,
  import-values);
* :mod:`medlint.helm.chart` - loading chart directories and archives safely, Chart.yaml validation;
* :mod:`medlint.helm.render` - rendering a chart and sorting its manifests;
* :mod:`medlint.helm.sourcemap` - from rendered lines back to template lines and values keys;
* :mod:`medlint.helm.lint_renders` - :func:`render_chart_for_lint`, used by the loader;
* :mod:`medlint.helm.cli_render` - the ``medlint render`` command.

Names are imported lazily so that importing a low-level module stays cheap.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ValuesSet", "explain_findings", "render_chart_for_lint", "render_command"]

_LAZY = {
    "render_chart_for_lint": "medlint.helm.lint_renders",
    "ValuesSet": "medlint.helm.lint_renders",
    "explain_findings": "medlint.helm.sourcemap",
    "render_command": "medlint.helm.cli_render",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'medlint.helm' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module_name), name)
