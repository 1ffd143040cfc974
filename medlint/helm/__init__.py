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

from medlint.model.lazy_exports import lazy_exports

__all__ = ["ValuesSet", "explain_findings", "render_chart_for_lint", "render_command"]

_LAZY = {
    "render_chart_for_lint": "lint_renders",
    "ValuesSet": "lint_renders",
    "explain_findings": "sourcemap",
    "render_command": "cli_render",
}

__getattr__ = lazy_exports(__name__, _LAZY, globals())
