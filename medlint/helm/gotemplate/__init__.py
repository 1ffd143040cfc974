"""A pure-Python implementation of Go's ``text/template`` language, as used by Helm.

Public API::

    from medlint.helm.gotemplate import TemplateSet, Limits, TemplateError

    ts = TemplateSet(funcs={...}, limits=Limits(), missing_key="zero")
    ts.parse("mychart/templates/cm.yaml", source)
    text = ts.execute("mychart/templates/cm.yaml", data, trace=None)

See :mod:`medlint.helm.gotemplate.executor` for semantics, function hooks
(``include``/``tpl``), resource limits and output position tracing.
"""

from medlint.helm.gotemplate.errors import (
    BudgetExceeded,
    FuncArgError,
    TemplateError,
    TemplateExecError,
    TemplateLimitError,
    TemplateParseError,
)
from medlint.helm.gotemplate.executor import Limits, StepMeter, TemplateSet, TraceEntry, line_origins
from medlint.helm.gotemplate.values import eq, ge, go_len, gt, is_true, le, lt, ne, type_name

__all__ = [
    "BudgetExceeded",
    "FuncArgError",
    "Limits",
    "StepMeter",
    "TemplateError",
    "TemplateExecError",
    "TemplateLimitError",
    "TemplateParseError",
    "TemplateSet",
    "TraceEntry",
    "eq",
    "ge",
    "go_len",
    "gt",
    "is_true",
    "le",
    "line_origins",
    "lt",
    "ne",
    "type_name",
]
