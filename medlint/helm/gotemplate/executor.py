"""Execution of parsed Go templates, and the :class:`TemplateSet` that holds them.

Usage::

    ts = TemplateSet(funcs={"upper": str.upper})
    ts.parse("chart/templates/cm.yaml", text)      # body + every {{define}}
    out = ts.execute("chart/templates/cm.yaml", data)

Semantics follow Go's ``text/template`` (exec.go) closely: variable scoping,
``missingkey`` handling (Helm uses ``zero``), the difference between a missing
value that is *invalid* (``$x := .missing`` then ``$x.a`` is silently nil) and a
*nil interface* (``.missing.a`` errors with ``nil pointer evaluating interface
{}.a``), short-circuit ``and``/``or``, Go's error texts, and printing through
:mod:`medlint.helm.gofmt` (nil prints ``<no value>``).

Functions
    ``funcs`` maps names to Python callables, merged over Go's builtins.  Go
    checks function names at parse time, so add functions before parsing.  A
    function's arity comes from its signature (``*args`` = variadic).  An
    exception raised by a function becomes ``error calling NAME: message``;
    raise :class:`~medlint.helm.gotemplate.errors.FuncArgError` for Go's
    argument type errors instead.  Helm's ``include``/``tpl`` are closures over
    the set built by the caller::

        ts.add_funcs({"include": lambda name, data: ts.execute(name, data)})

    A nested :meth:`TemplateSet.execute` from inside a function shares the
    running execution's step budget and depth (per thread), so runaway
    ``include`` recursion stops at ``Limits.max_depth``.

Objects
    Field access on a non-dict object reads Go-exported (capitalised)
    attributes; a callable attribute is a method and receives the command's
    arguments (``.Files.Get "x"``).  Dict subclasses may define methods too
    (Helm's ``Values.AsMap``).  Names starting with ``_`` or a lower-case letter
    are never read from objects.

Output positions
    ``execute(name, data, trace=[])`` appends a :class:`TraceEntry`
    ``(offset, template, line, verbatim, column, data, site)`` whenever the
    source of the written output changes: ``offset`` is the character offset
    in the result, ``template`` the file (parse name), ``line`` the 1-based
    source line, ``verbatim`` is True for literal template text (whose own
    newlines advance the line and whose characters advance the column) and
    False for action output, ``column`` the 1-based character column where the
    text starts or where the action's ``{{`` stands, ``data`` whether the
    action's pipeline reads a variable or dot (data read earlier, which no
    field access shows), and ``site`` the (line, column) of the ``{{ template }}`` call in
    the executed template that led into another file (None for its own
    text).  Every piece of literal text gets an entry of its own; consecutive
    output of one action shares one.  :func:`line_origins` maps every output
    line to its source line.  Tracing costs nothing when ``trace`` is None.

Limits
    :class:`Limits` bounds template nesting depth, evaluation steps, output
    size and iterations of a single ``range``; exceeding one raises
    :class:`~medlint.helm.gotemplate.errors.TemplateLimitError` (steps, output
    and iterations: its subclass ``BudgetExceeded``).  Python's own recursion
    limit may stop very deep nesting first; that is reported as a depth limit
    error too.  A :class:`StepMeter` given to the set shares one step
    allowance among many executions (every template of a chart), and
    :meth:`TemplateSet.charge` lets functions count their own work as steps.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import repeat
from typing import Any, NamedTuple

from medlint.helm.gofmt import format_value, map_sort_key, quote, type_name
from medlint.helm.gotemplate import builtins as bi
from medlint.helm.gotemplate.errors import (
    BudgetExceeded,
    FuncArgError,
    TemplateExecError,
    TemplateLimitError,
)
from medlint.helm.gotemplate.parser import (
    ActionNode,
    BoolNode,
    BreakNode,
    ChainNode,
    CommandNode,
    CommentNode,
    ContinueNode,
    DotNode,
    FieldNode,
    IdentifierNode,
    IfNode,
    ListNode,
    NilNode,
    Node,
    NumberNode,
    PipeNode,
    RangeNode,
    StringNode,
    TemplateNode,
    TextNode,
    Tree,
    VariableNode,
    WithNode,
    is_empty_tree,
    node_text,
    parse_templates,
)
from medlint.helm.gotemplate.values import is_true

__all__ = ["MISSING_KEY_MODES", "Limits", "StepMeter", "TemplateSet", "TraceEntry", "line_origins"]

MISSING_KEY_MODES = ("zero", "default", "invalid", "error")


@dataclass(frozen=True, slots=True)
class Limits:
    """Resource bounds for hostile templates (medlint renders untrusted charts).

    ``max_depth``: nested ``template``/``include`` calls (Helm stops include
    recursion at 1000).  ``max_steps``: node evaluations per top-level
    execution, shared with nested executions.  ``max_output``: characters
    produced by one execution.  ``max_range_iterations``: iterations of one
    ``range`` action.  ``max_nesting``: parenthesis/control nesting accepted
    by the parser.
    """

    max_depth: int = 1000
    max_steps: int = 5_000_000
    max_output: int = 64 * 1024 * 1024
    max_range_iterations: int = 1_000_000
    max_nesting: int = 100


class StepMeter:
    """A step allowance shared by many top-level executions (for example every template of a chart).

    Each execution may take at most :meth:`allowance` steps (and at most ``Limits.max_steps``); the steps
    it took are :meth:`spend`-ed when it ends. When the allowance is what stopped it, the execution raises
    :meth:`exhausted`. Subclasses may chain meters or add clocks.
    """

    def __init__(self, steps: int, what: str = "evaluation steps") -> None:
        self.limit = steps
        self.left = steps
        self.what = what

    def allowance(self) -> int:
        return max(self.left, 0)

    def spend(self, steps: int) -> None:
        self.left -= steps

    def exhausted(self) -> BudgetExceeded:
        return BudgetExceeded("exceeded the step budget (%d)" % self.limit, self.what, self.limit)


class TraceEntry(NamedTuple):
    """Source position of output written from ``offset`` on (see module docstring)."""

    offset: int
    template: str
    line: int
    verbatim: bool
    column: int = 1
    data: bool = False
    site: tuple[int, int] | None = None


#: Functions whose data argument passes a scope on (`include "name" .`): dot or `$` there is read field by
#: field, as it is in a template, not printed whole.
_SCOPE_PASSING = {"include": 2, "tpl": 2}


def _reads_data(node: Any) -> bool:
    """Whether a pipeline reads data that a field access does not show: a variable, or dot itself.

    Fields (`.Values.x`, `$.Release.Name`) are read through the objects that hold them, which a caller can
    record; a variable (`$password`) or dot (`{{ . }}` in a `range`) holds a value read earlier. A pipeline
    of constants and functions only (`{{ "x" | b64enc }}`) reads none, whatever the functions do.
    """
    if isinstance(node, DotNode):
        return True
    if isinstance(node, VariableNode):
        return node.ident[0] != "$"
    if isinstance(node, ChainNode):
        return _reads_data(node.node)
    if isinstance(node, PipeNode):
        return bool(node.decl) or any(_reads_data(command) for command in node.cmds)
    if isinstance(node, CommandNode):
        args = node.args
        scope = _SCOPE_PASSING.get(args[0].ident, -1) if args and isinstance(args[0], IdentifierNode) else -1
        return any(
            _reads_data(argument)
            for index, argument in enumerate(args)
            if not (
                index == scope
                and (
                    isinstance(argument, DotNode)
                    or (isinstance(argument, VariableNode) and argument.ident == ("$",))
                )
            )
        )
    return False


def line_origins(output: str, trace: list[TraceEntry]) -> list[tuple[str, int] | None]:
    """Map each line of ``output`` to the (template, line) that produced it.

    A line is attributed to the source of its first non-blank character (or of
    its start when blank).  Lines inside verbatim text advance with the text's
    own newlines.  Returns one entry per ``output.split("\\n")`` element; None
    where no trace entry covers the line.
    """
    offsets = [entry.offset for entry in trace]
    result: list[tuple[str, int] | None] = []
    start = 0
    for line_text in output.split("\n"):
        stripped = len(line_text) - len(line_text.lstrip())
        pos = start + (stripped if stripped < len(line_text) else 0)
        k = bisect_right(offsets, pos) - 1
        if k < 0:
            result.append(None)
        else:
            entry = trace[k]
            line = entry.line
            if entry.verbatim:
                line += output.count("\n", entry.offset, pos)
            result.append((entry.template, line))
        start += len(line_text) + 1
    return result


# ---------------------------------------------------------------------------
# Execution state
# ---------------------------------------------------------------------------


class _Missing:
    """Go's missingVal: 'no value piped into this command'."""

    __slots__ = ()


_MISSING: Any = _Missing()
_NO_ATTR: Any = object()


class _Iface:
    """A value held in an interface slot (element of a list or map).

    Go distinguishes a nil interface (field access errors with ``nil pointer
    evaluating interface {}.x``) from an invalid value (field access yields
    nil), and names such receivers ``interface {}`` in errors.  Only dot and
    variables set by ``range`` carry this wrapper; every read unwraps it.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _RunState:
    """Counters shared by a top-level execution and the executions nested in it."""

    __slots__ = ("depth", "limits", "max_steps", "meter", "steps")

    def __init__(self, limits: Limits, meter: StepMeter | None = None) -> None:
        self.steps = 0
        self.depth = 0
        self.limits = limits
        self.meter = meter
        self.max_steps = limits.max_steps if meter is None else min(limits.max_steps, meter.allowance())

    def steps_exceeded(self) -> BudgetExceeded:
        """The error for ``steps > max_steps``: the meter's when its allowance was the tighter bound."""
        if self.meter is not None and self.max_steps < self.limits.max_steps:
            return self.meter.exhausted()
        limit = self.limits.max_steps
        return BudgetExceeded(
            "exceeded maximum number of evaluation steps (%d)" % limit, "evaluation steps per template", limit
        )


_PLAIN_TYPES = frozenset({dict, list, tuple, str, int, float, bool, complex, bytes, type(None)})


def _exported(name: str) -> bool:
    """Go exports capitalised names only; this also keeps dunder attributes out of reach."""
    return bool(name) and name[0].isupper()


class _Executor:
    """Walks one template tree, writing output; Go's ``state``."""

    __slots__ = (
        "max_output",
        "max_steps",
        "node",
        "out",
        "out_len",
        "run",
        "site",
        "trace",
        "trace_key",
        "tree",
        "tset",
        "vars",
    )

    def __init__(self, tset: TemplateSet, run: _RunState, tree: Tree, trace: list | None) -> None:
        self.tset = tset
        self.run = run
        self.tree = tree
        self.node: Node | None = None
        self.vars: list[list[Any]] = []
        self.out: list[str] = []
        self.out_len = 0
        self.trace = trace
        self.trace_key: Any = None
        self.site: tuple[int, int] | None = None  # the `template` call that led out of the executed file
        self.max_steps = run.max_steps
        self.max_output = run.limits.max_output

    # -- errors ---------------------------------------------------------------------
    def error(self, message: str, cls: type = TemplateExecError) -> TemplateExecError:
        tree = self.tree
        node = self.node
        if node is None:
            return cls(message, tree.parse_name, None, None, tree.name, None)
        lines = tree.lines
        return cls(
            message,
            tree.parse_name,
            lines.line(node.pos),
            lines.column(node.pos),
            tree.name,
            node_text(node),
        )

    def locate(self, error: BudgetExceeded) -> BudgetExceeded:
        """Fill in where a budget ran out (the current node), unless a nested execution already did."""
        if not error.template_name:
            located = self.error(error.message)
            error.template_name, error.line, error.column = (
                located.template_name,
                located.line,
                located.column,
            )
            error.executing, error.context = located.executing, located.context
        return error

    def tick(self) -> None:
        run = self.run
        run.steps += 1
        if run.steps > self.max_steps:
            raise self.locate(run.steps_exceeded())

    # -- output -------------------------------------------------------------------------
    def write(self, text: str, node: Node, verbatim: bool) -> None:
        if not text:
            return
        if self.trace is not None:
            key = (self.tree.parse_name, node.pos, verbatim)
            if verbatim or key != self.trace_key:
                self.trace_key = key
                self.trace.append(self.trace_entry(node, verbatim))
        self.out.append(text)
        self.out_len += len(text)
        if self.out_len > self.max_output:
            self.node = node
            raise self.locate(
                BudgetExceeded(
                    "exceeded maximum output size (%d)" % self.max_output,
                    "characters of output per template",
                    self.max_output,
                )
            )

    def trace_entry(self, node: Node, verbatim: bool) -> TraceEntry:
        """Where the output written now comes from: the text's first character or the action's `{{`."""
        lines = self.tree.lines
        if verbatim:
            return TraceEntry(
                self.out_len,
                self.tree.parse_name,
                node.line,
                True,
                lines.char_column(node.pos),
                False,
                self.site,
            )
        data = _reads_data(node.pipe) if isinstance(node, ActionNode) else True
        column = lines.char_column(lines.action_start(node.pos))
        return TraceEntry(self.out_len, self.tree.parse_name, node.line, False, column, data, self.site)

    # -- walking ----------------------------------------------------------------------------
    def walk_list(self, lst: ListNode, dot: Any) -> None:
        run = self.run
        for node in lst.nodes:
            run.steps += 1
            if run.steps > self.max_steps:
                self.node = node
                self.tick()
            _WALKERS[type(node)](self, node, dot)

    def walk_text(self, node: TextNode, dot: Any) -> None:
        self.write(node.text, node, True)

    def walk_comment(self, node: Node, dot: Any) -> None:
        pass

    def walk_action(self, node: ActionNode, dot: Any) -> None:
        self.node = node
        value = self.eval_pipeline(dot, node.pipe)
        if not node.pipe.decl:
            self.node = node
            if value is None:
                text = "<no value>"
            elif type(value) is str:
                text = value
            else:
                if inspect.isroutine(value):
                    raise self.error("can't print %s of type func" % node_text(node))
                guard = self.tset.print_guard
                if guard is not None and isinstance(value, (list, tuple, dict)):
                    try:
                        guard(value)
                    except BudgetExceeded as exc:
                        raise self.locate(exc) from None
                text = format_value(value)
            self.write(text, node, False)

    def walk_if(self, node: IfNode, dot: Any) -> None:
        self.node = node
        mark = len(self.vars)
        try:
            value = self.eval_pipeline(dot, node.pipe)
            if is_true(value):
                self.walk_list(node.list, dot)
            elif node.else_list is not None:
                self.walk_list(node.else_list, dot)
        finally:
            del self.vars[mark:]

    def walk_with(self, node: WithNode, dot: Any) -> None:
        self.node = node
        mark = len(self.vars)
        try:
            value = self.eval_pipeline(dot, node.pipe)
            if is_true(value):
                self.walk_list(node.list, value)
            elif node.else_list is not None:
                self.walk_list(node.else_list, dot)
        finally:
            del self.vars[mark:]

    def walk_break(self, node: Node, dot: Any) -> None:
        raise _Break()

    def walk_continue(self, node: Node, dot: Any) -> None:
        raise _Continue()

    def walk_range(self, node: RangeNode, dot: Any) -> None:
        self.node = node
        mark = len(self.vars)
        try:
            value = self.eval_pipeline(dot, node.pipe)
            if self.range_over(node, value):
                return
            if node.else_list is not None:
                self.walk_list(node.else_list, dot)
        except _Break:
            pass
        finally:
            del self.vars[mark:]

    def range_over(self, node: RangeNode, value: Any) -> bool:
        """Run the iterations; returns False when the else branch must run."""
        decl = node.pipe.decl
        if isinstance(value, (list, tuple)):
            if not value:
                return False
            items: Iterable[tuple[Any, Any]] = enumerate(value)
            wrap = True
        elif isinstance(value, dict):
            if not value:
                return False
            items = ((key, value[key]) for key in sorted(value, key=map_sort_key))
            wrap = True
        elif isinstance(value, int) and not isinstance(value, bool):
            if len(decl) > 1:
                raise self.error("can't use %s to iterate over more than one variable" % format_value(value))
            if value <= 0:
                return False
            items = zip(repeat(None), range(value))  # lazy: range 100000000 must not allocate
            wrap = False
        elif value is None:
            return False
        else:
            raise self.error("range can't iterate over %s" % format_value(value))
        mark = len(self.vars)
        is_assign = node.pipe.is_assign
        run = self.run
        max_steps = self.max_steps
        limit = run.limits.max_range_iterations
        body = node.list
        walk_list = self.walk_list
        variables = self.vars
        count = 0
        for key, elem in items:
            count += 1
            if count > limit:
                self.node = node
                raise self.locate(
                    BudgetExceeded(
                        "exceeded maximum range iterations (%d)" % limit, "iterations of one range", limit
                    )
                )
            run.steps += 1
            if run.steps > max_steps:
                self.node = node
                self.tick()
            elem_value = _Iface(elem) if wrap else elem
            if decl:
                if is_assign:
                    if len(decl) > 1:
                        self.set_var(decl[0].ident[0], key)
                        self.set_var(decl[1].ident[0], elem_value)
                    else:
                        self.set_var(decl[0].ident[0], elem_value)
                else:
                    variables[-1][1] = elem_value
                    if len(decl) > 1:
                        variables[-2][1] = key
            with contextlib.suppress(_Continue):
                walk_list(body, elem_value)
            if len(variables) > mark:
                del variables[mark:]
        return True

    def walk_template(self, node: TemplateNode, dot: Any) -> None:
        self.node = node
        tree = self.tset._trees.get(node.name)
        if tree is None:
            raise self.error("template %s not defined" % quote(node.name))
        run = self.run
        if run.depth >= run.limits.max_depth:
            raise self.error(
                "exceeded maximum template depth (%d)" % run.limits.max_depth, TemplateLimitError
            )
        new_dot = self.eval_pipeline(dot, node.pipe)
        saved_vars, saved_tree, saved_site = self.vars, self.tree, self.site
        if saved_site is None and self.trace is not None:
            lines = saved_tree.lines
            self.site = (node.line, lines.char_column(lines.action_start(node.pos)))
        self.vars = [["$", new_dot]]
        self.tree = tree
        run.depth += 1
        try:
            self.walk_list(tree.root, new_dot)
        finally:
            run.depth -= 1
            self.vars, self.tree, self.site = saved_vars, saved_tree, saved_site

    # -- variables -----------------------------------------------------------------------------
    def set_var(self, name: str, value: Any) -> None:
        for entry in reversed(self.vars):
            if entry[0] == name:
                entry[1] = value
                return
        raise self.error("undefined variable: %s" % name)

    def var_value(self, name: str) -> Any:
        for entry in reversed(self.vars):
            if entry[0] == name:
                return entry[1]
        raise self.error("undefined variable: %s" % name)

    # -- evaluation --------------------------------------------------------------------------------
    def eval_pipeline(self, dot: Any, pipe: PipeNode | None) -> Any:
        if pipe is None:
            return None
        self.node = pipe
        value = _MISSING
        for cmd in pipe.cmds:
            value = self.eval_command(dot, cmd, value)
        for variable in pipe.decl:
            if pipe.is_assign:
                self.set_var(variable.ident[0], value)
            else:
                self.vars.append([variable.ident[0], value])
        return value

    def not_a_function(self, args: tuple, final: Any) -> None:
        if len(args) > 1 or final is not _MISSING:
            raise self.error("can't give argument to non-function %s" % node_text(args[0]))

    def eval_command(self, dot: Any, cmd: CommandNode, final: Any) -> Any:
        self.tick()
        first: Any = cmd.args[0]  # dispatched on its exact type below (faster than isinstance)
        t = type(first)
        if t is FieldNode:
            self.node = first
            receiver = dot
            iface = False
            if type(receiver) is _Iface:
                receiver = receiver.value
                iface = True
            return self.eval_field_chain(dot, receiver, iface, first, first.ident, cmd.args, final)
        if t is IdentifierNode:
            return self.eval_function(dot, first, cmd, cmd.args, final)
        if t is VariableNode:
            return self.eval_variable_node(dot, first, cmd.args, final)
        if t is PipeNode:
            self.not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first)
        if t is ChainNode:
            return self.eval_chain_node(dot, first, cmd.args, final)
        self.node = first
        self.not_a_function(cmd.args, final)
        if t is StringNode:
            return first.text
        if t is DotNode:
            return dot.value if type(dot) is _Iface else dot
        if t is NumberNode:
            return self.ideal_constant(first)
        if t is BoolNode:
            return first.value
        if t is NilNode:
            raise self.error("nil is not a command")
        raise self.error("can't evaluate command %s" % quote(node_text(first)))

    def ideal_constant(self, node: NumberNode) -> Any:
        if node.overflow is not None:
            self.node = node
            raise self.error(node.overflow)
        return node.value

    def eval_variable_node(self, dot: Any, node: VariableNode, args: tuple | None, final: Any) -> Any:
        self.node = node
        value = self.var_value(node.ident[0])
        iface = False
        if type(value) is _Iface:
            value = value.value
            iface = True
        if len(node.ident) == 1:
            if args is not None:
                self.not_a_function(args, final)
            return value
        return self.eval_field_chain(dot, value, iface, node, node.ident[1:], args, final)

    def eval_chain_node(self, dot: Any, node: ChainNode, args: tuple | None, final: Any) -> Any:
        self.node = node
        if type(node.node) is NilNode:
            raise self.error("indirection through explicit nil in %s" % node_text(node))
        receiver = self.eval_arg(dot, node.node)
        return self.eval_field_chain(dot, receiver, False, node, node.fields, args, final)

    def eval_field_chain(
        self,
        dot: Any,
        receiver: Any,
        iface: bool,
        node: Node,
        idents: tuple[str, ...],
        args: tuple | None,
        final: Any,
    ) -> Any:
        last = len(idents) - 1
        for i, name in enumerate(idents):
            # Fast path: a field of a plain map in the middle of a chain.
            if i < last and type(receiver) is dict and name in receiver:
                receiver = receiver[name]
                iface = True
                continue
            if i < last:
                receiver, iface = self.eval_field(dot, name, node, None, _MISSING, receiver, iface)
            else:
                receiver, iface = self.eval_field(dot, name, node, args, final, receiver, iface)
        return receiver

    def eval_field(
        self,
        dot: Any,
        name: str,
        node: Node,
        args: tuple | None,
        final: Any,
        receiver: Any,
        iface: bool,
    ) -> tuple[Any, bool]:
        """Go's evalField: returns (value, value-is-an-interface-slot)."""
        if receiver is None:
            if not iface:
                if self.tset.missing_key == "error":
                    self.node = node
                    raise self.error("nil data; no entry for key %s" % quote(name))
                return None, False
            self.node = node
            raise self.error("nil pointer evaluating interface {}.%s" % name)
        has_args = (args is not None and len(args) > 1) or final is not _MISSING
        t = type(receiver)
        if t is not dict and t not in _PLAIN_TYPES and _exported(name):
            method = self.find_method(receiver, name)
            if method is not _NO_ATTR:
                if callable(method):
                    return self.eval_call(dot, method, node, name, args, final), False
                if has_args:
                    self.node = node
                    raise self.error("%s has arguments but cannot be invoked as function" % name)
                return method, method is None
        if isinstance(receiver, dict):
            if has_args:
                self.node = node
                raise self.error("%s is not a method but has arguments" % name)
            try:
                return receiver[name], True
            except KeyError:
                mode = self.tset.missing_key
                if mode == "zero":
                    return None, True
                if mode == "error":
                    self.node = node
                    raise self.error("map has no entry for key %s" % quote(name)) from None
                return None, False
        self.node = node
        typ = "interface {}" if iface else type_name(receiver)
        raise self.error("can't evaluate field %s in type %s" % (name, typ))

    @staticmethod
    def find_method(receiver: Any, name: str) -> Any:
        """An exported method or field of a non-plain object, or _NO_ATTR."""
        cls = type(receiver)
        for base in (dict, list, tuple, str):
            if isinstance(receiver, base):
                # Subclasses of builtins: only attributes they define themselves.
                if hasattr(base, name) or not hasattr(cls, name):
                    return _NO_ATTR
                return getattr(receiver, name)
        try:
            return getattr(receiver, name)
        except Exception:  # missing attribute, or a property that fails
            return _NO_ATTR

    def eval_function(
        self, dot: Any, ident: IdentifierNode, cmd: Node, args: tuple | None, final: Any
    ) -> Any:
        self.node = ident
        name = ident.ident
        fn = self.tset._funcs.get(name)
        if fn is None:
            raise self.error("%s is not a defined function" % quote(name))
        return self.eval_call(dot, fn, cmd, name, args, final)

    def eval_call(
        self,
        dot: Any,
        fn: Callable[..., Any],
        node: Node,
        name: str,
        args: tuple | None,
        final: Any,
    ) -> Any:
        """Go's evalCall: arity check, argument evaluation, invocation, error wrapping."""
        arg_nodes = args[1:] if args is not None else ()
        num_in = len(arg_nodes) + (final is not _MISSING)
        fixed, variadic = self.tset.arity(fn)
        if variadic:
            if num_in < fixed:
                raise self.error(
                    "wrong number of args for %s: want at least %d got %d" % (name, fixed, len(arg_nodes))
                )
        elif num_in != fixed:
            raise self.error("wrong number of args for %s: want %d got %d" % (name, fixed, num_in))

        if fn is bi.and_ or fn is bi.or_:
            want = fn is bi.or_
            value: Any = None
            for arg in arg_nodes:
                value = self.eval_arg(dot, arg)
                if is_true(value) == want:
                    return value
            if final is not _MISSING:
                value = final
            return value

        argv = [self.eval_arg(dot, arg) for arg in arg_nodes]
        if final is not _MISSING:
            argv.append(final)
        if fn is bi.call:
            callee = node_text(arg_nodes[0]) if arg_nodes else format_value(final)
            fn = bi.call_function
            argv.insert(0, callee)
        try:
            return fn(*argv)
        except BudgetExceeded as exc:
            self.node = node
            self.locate(exc)
            exc.function = exc.function or name
            raise
        except (TemplateLimitError, RecursionError):
            raise
        except FuncArgError as exc:
            raise self.error(str(exc)) from None
        except Exception as exc:  # any failure in a function is Go's "error calling"
            self.node = node
            raise self.error("error calling %s: %s" % (name, _error_text(exc))) from exc

    def eval_arg(self, dot: Any, argument: Node) -> Any:
        node: Any = argument  # dispatched on its exact type below (faster than isinstance)
        self.node = node
        t = type(node)
        if t is FieldNode:
            receiver = dot
            iface = False
            if type(receiver) is _Iface:
                receiver = receiver.value
                iface = True
            return self.eval_field_chain(dot, receiver, iface, node, node.ident, (node,), _MISSING)
        if t is StringNode:
            return node.text
        if t is VariableNode:
            return self.eval_variable_node(dot, node, None, _MISSING)
        if t is DotNode:
            return dot.value if type(dot) is _Iface else dot
        if t is PipeNode:
            return self.eval_pipeline(dot, node)
        if t is NumberNode:
            return self.ideal_constant(node)
        if t is BoolNode:
            return node.value
        if t is NilNode:
            return None
        if t is IdentifierNode:
            return self.eval_function(dot, node, node, None, _MISSING)
        if t is ChainNode:
            return self.eval_chain_node(dot, node, None, _MISSING)
        raise self.error("can't handle %s for arg of type interface {}" % node_text(node))


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    text = str(exc)
    return text if text else type(exc).__name__


_WALKERS: dict[type, Callable[[_Executor, Any, Any], None]] = {
    TextNode: _Executor.walk_text,
    ActionNode: _Executor.walk_action,
    IfNode: _Executor.walk_if,
    RangeNode: _Executor.walk_range,
    WithNode: _Executor.walk_with,
    TemplateNode: _Executor.walk_template,
    CommentNode: _Executor.walk_comment,
    BreakNode: _Executor.walk_break,
    ContinueNode: _Executor.walk_continue,
    ListNode: _Executor.walk_list,
}


# ---------------------------------------------------------------------------
# Template sets
# ---------------------------------------------------------------------------


class TemplateSet:
    """A set of named templates sharing functions, like Go's associated ``*template.Template``.

    ``parse(name, text)`` registers the body of ``text`` under ``name`` and each
    ``define``/``block`` in it.  A later definition replaces an earlier one
    from another ``parse`` call, except that an empty (whitespace-only)
    definition never replaces a non-empty one (Go's AddParseTree rules); two
    non-empty definitions of one name in a single text are an error.
    """

    def __init__(
        self,
        funcs: Mapping[str, Callable[..., Any]] | None = None,
        limits: Limits | None = None,
        missing_key: str = "zero",
        name: str = "gotpl",
        meter: StepMeter | None = None,
    ) -> None:
        if missing_key not in MISSING_KEY_MODES:
            raise ValueError("missing_key must be one of %s" % (MISSING_KEY_MODES,))
        self.name = name
        self.limits = limits or Limits()
        self.meter = meter
        #: Called with a list or map before it is printed; may raise BudgetExceeded (a size check).
        self.print_guard: Callable[[Any], None] | None = None
        self.missing_key = missing_key
        self._funcs: dict[str, Callable[..., Any]] = dict(bi.BUILTINS)
        if funcs:
            self._funcs.update(funcs)
        self._trees: dict[str, Tree] = {}
        self._arity_cache: dict[Any, tuple[int, bool]] = {}
        self._active = threading.local()

    def release(self) -> None:
        """Drop the functions and parsed templates once the set is no longer used. Helm's `include` and
        `tpl` are functions that refer to the set itself: a cycle that would keep every parsed template
        of a render alive until the cyclic garbage collector finds it."""
        self._funcs.clear()
        self._trees.clear()
        self._arity_cache.clear()

    # -- configuration ------------------------------------------------------------------
    def add_funcs(self, funcs: Mapping[str, Callable[..., Any]]) -> None:
        """Add or replace functions (before parsing the templates that use them)."""
        self._funcs.update(funcs)

    def has_function(self, name: str) -> bool:
        return name in self._funcs

    def clone(self) -> TemplateSet:
        """A copy sharing the parsed trees (copied map), functions (copied map) and run state.

        Helm's ``tpl`` parses into a clone so its ``define``s do not leak; the
        clone shares the running execution's limits.
        """
        other = TemplateSet.__new__(TemplateSet)
        other.name = self.name
        other.limits = self.limits
        other.meter = self.meter
        other.print_guard = self.print_guard
        other.missing_key = self.missing_key
        other._funcs = dict(self._funcs)
        other._trees = dict(self._trees)
        other._arity_cache = self._arity_cache
        other._active = self._active
        return other

    def arity(self, fn: Callable[..., Any]) -> tuple[int, bool]:
        cache = self._arity_cache
        key = getattr(fn, "__func__", fn)  # bound methods: cache per function
        try:
            return cache[key]
        except (KeyError, TypeError):
            pass
        result = bi.arity_of(fn)
        with contextlib.suppress(TypeError):
            cache[key] = result
        return result

    # -- templates ------------------------------------------------------------------------
    def parse(self, name: str, text: str) -> list[str]:
        """Parse ``text`` as template ``name``; returns the names it defined.

        Raises :class:`TemplateParseError`; on error nothing is added.
        """
        trees = parse_templates(name, text, self._funcs.__contains__, self.limits.max_nesting)
        for tree_name, tree in trees.items():
            # Go's associate(): an empty tree never replaces an existing template.
            if tree_name in self._trees and is_empty_tree(tree.root):
                continue
            self._trees[tree_name] = tree
        return list(trees)

    def __contains__(self, name: object) -> bool:
        return name in self._trees

    def lookup(self, name: str) -> Tree | None:
        return self._trees.get(name)

    def template_names(self) -> list[str]:
        return sorted(self._trees)

    # -- execution ------------------------------------------------------------------------
    def execute(self, name: str, data: Any = None, *, trace: list | None = None) -> str:
        """Execute template ``name`` with ``data`` as dot and ``$``; returns the output.

        Raises :class:`TemplateExecError` (or :class:`TemplateLimitError`).
        """
        tree = self._trees.get(name)
        if tree is None:
            raise TemplateExecError(
                "no template %s associated with template %s" % (quote(name), quote(self.name))
            )
        active = self._active
        run: _RunState | None = getattr(active, "run", None)
        outermost = run is None
        if run is None:
            run = _RunState(self.limits, self.meter)
            if run.max_steps <= 0 and self.meter is not None:
                raise self.meter.exhausted()
            active.run = run
        elif run.depth >= run.limits.max_depth:
            raise TemplateLimitError(
                "exceeded maximum template depth (%d)" % run.limits.max_depth, tree.parse_name
            )
        run.depth += 1
        executor = _Executor(self, run, tree, trace)
        executor.vars = [["$", data]]
        try:
            executor.walk_list(tree.root, data)
        except RecursionError:
            raise TemplateLimitError(
                "exceeded maximum template depth (Python recursion limit reached)", tree.parse_name
            ) from None
        finally:
            run.depth -= 1
            if outermost:
                active.run = None
                if run.meter is not None:
                    run.meter.spend(run.steps)
        return "".join(executor.out)

    def charge(self, steps: int) -> None:
        """Count ``steps`` of work done by a function (large results, long inputs) as evaluation steps."""
        run: _RunState | None = getattr(self._active, "run", None)
        if run is None:
            if self.meter is not None:
                self.meter.spend(steps)
                if self.meter.left < 0:
                    raise self.meter.exhausted()
            return
        run.steps += steps
        if run.steps > run.max_steps:
            raise run.steps_exceeded()
