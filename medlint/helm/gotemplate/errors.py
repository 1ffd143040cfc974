"""Error types of the Go template engine, formatted exactly as Go and Helm print them.

Helm surfaces ``text/template`` errors verbatim, so medlint findings quote the
same text a chart author would see from ``helm template``:

* parse errors: ``template: NAME:LINE: message``
* execution errors: ``template: NAME:LINE:COL: executing "TMPL" at <CONTEXT>: message``

``NAME`` is the file (parse name) the failing node was parsed from, ``TMPL`` the
name of the template being executed (a ``define`` name or the file name), and
``COL`` is Go's 0-based byte offset of the node within its line.
"""

from __future__ import annotations

__all__ = [
    "BudgetExceeded",
    "FuncArgError",
    "TemplateError",
    "TemplateExecError",
    "TemplateLimitError",
    "TemplateParseError",
]


def _go_quote(text: str) -> str:
    # Imported lazily: gofmt is a sibling package module without dependencies.
    from medlint.helm.gofmt import quote

    return quote(text)


class TemplateError(Exception):
    """Base class of all template errors; ``str()`` gives Go's message text.

    Attributes:
        template_name: parse name (file) the error location refers to.
        line: 1-based line, or ``None`` when Go reports no location.
        column: Go's 0-based byte column (execution errors only), else ``None``.
        message: the bare message without location prefix.
    """

    def __init__(
        self,
        message: str,
        template_name: str = "",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.template_name = template_name
        self.line = line
        self.column = column

    def __str__(self) -> str:
        if not self.template_name:
            return "template: %s" % self.message
        if self.line is None:
            return "template: %s: %s" % (self.template_name, self.message)
        return "template: %s:%d: %s" % (self.template_name, self.line, self.message)


class TemplateParseError(TemplateError):
    """A syntax error found while parsing (``template: NAME:LINE: message``)."""


class TemplateExecError(TemplateError):
    """An error raised while executing a template.

    Extra attributes: ``executing`` (name of the running template) and
    ``context`` (Go's rendering of the failing node, e.g. ``.Values.x``).
    """

    def __init__(
        self,
        message: str,
        template_name: str = "",
        line: int | None = None,
        column: int | None = None,
        executing: str = "",
        context: str | None = None,
    ) -> None:
        super().__init__(message, template_name, line, column)
        self.executing = executing
        self.context = context

    def __str__(self) -> str:
        if self.line is None or self.context is None:
            return TemplateError.__str__(self)
        return "template: %s:%d:%d: executing %s at <%s>: %s" % (
            self.template_name,
            self.line,
            self.column or 0,
            _go_quote(self.executing),
            self.context,
            self.message,
        )


class TemplateLimitError(TemplateExecError):
    """A resource limit (depth, steps, output size, range length) was exceeded.

    Limit errors pass through function calls unchanged (they are not wrapped
    as ``error calling include: ...``) so the outermost caller sees the cause.
    """


class BudgetExceeded(TemplateLimitError):
    """A budget of the caller (not a limit of Go or Helm) was hit: steps, output or result sizes, time.

    ``what`` names the budget (``"evaluation steps per template"``) and ``limit`` its value. The executor
    fills in where it was hit (``template_name``, ``line``, ``column``, ``function``) when it passes
    through; the caller is expected to abandon the whole render, whose output would otherwise depend on
    where the budget ran out.
    """

    def __init__(
        self,
        message: str,
        what: str,
        limit: float,
        template_name: str = "",
        line: int | None = None,
        column: int | None = None,
        executing: str = "",
        context: str | None = None,
    ) -> None:
        super().__init__(message, template_name, line, column, executing, context)
        self.what = what
        self.limit = limit
        self.function = ""

    def summary(self) -> str:
        """``render budget exceeded: WHAT, limit N`` (the limit with thousands separators)."""
        limit = f"{self.limit:,}" if isinstance(self.limit, int) else f"{self.limit:g}"
        return f"render budget exceeded: {self.what}, limit {limit}"


class FuncArgError(Exception):
    """Raised by template functions to report an argument type error the way Go's
    evaluator does (``wrong type for value; expected string; got int``): the
    message is reported without the ``error calling NAME:`` prefix.
    """
