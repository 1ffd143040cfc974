"""Resource guards around template functions, so a hostile chart cannot exhaust memory or time.

The engine's :class:`~medlint.helm.gotemplate.Limits` bound steps, nesting and the output written,
but a single function call can allocate far more than that before anything is written:
``until 100000000``, ``repeat 100000000 "x"``, ``wrapWith 1 (repeat 100000 "-") $long``, a loop doubling a
string with ``print $s $s``, or ``toJson`` of a list built as ``list $a $a`` forty times (a structure that
shares its parts is small, but printed it is 2**40 elements). :class:`Guard` wraps every function of a
render:

* before the call, functions whose result size is given by an argument (``until``, ``repeat``,
  ``indent``, ``wrapWith``, ``join``, ``randAlphaNum``, ``printf "%100000000d"`` ...) are refused when that
  size is over the limit, YAML/JSON parsed by ``fromYaml``/``fromJson`` is checked for alias bombs, and a
  list or map given to a function that walks it whole (printing, serialising, copying, comparing) is
  measured as it would be printed, counting shared parts every time they appear (:func:`check_expanded`);
* after the call, a string, list or map result larger than the limit is refused;
* every call checks the render's clock (its :class:`~medlint.helm.budget.RenderBudget`), and counts as
  an evaluation step plus one step per 64 characters or items of its arguments and result, so that time
  spent in functions is budgeted deterministically like the engine's own steps.

A refused call raises :class:`ResourceLimitError`, a
:class:`~medlint.helm.gotemplate.errors.BudgetExceeded`: the renderer abandons the whole chart with one
MD003 naming the budget. Helm has no such limits; real charts stay far below them. Regular expressions
need no guard: they run on RE2 (:mod:`medlint.helm.functions.regex`), which never backtracks.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

import yaml

from medlint.helm.gotemplate.errors import BudgetExceeded

__all__ = [
    "MAX_ALIAS_NODES",
    "Guard",
    "ResourceLimitError",
    "check_expanded",
    "check_yaml_aliases",
    "guard_functions",
]

#: Upper bound on the nodes a YAML text may expand to through aliases (as medlint.source allows).
MAX_ALIAS_NODES = 2_000_000

#: Functions the engine treats specially by identity; never wrapped.
_UNWRAPPED = frozenset({"and", "or", "call"})

#: Work counted as one evaluation step: characters or items of a function's arguments and result.
CHARS_PER_STEP = 64

#: Functions that take lists or maps without walking them whole: their arguments are not measured (``.``
#: is passed to ``include`` all the time). Every other function given a list or map is assumed to print,
#: serialise, copy or compare it, and the list or map is measured first.
SHALLOW_FUNCTIONS = frozenset(
    {
        "include", "tpl", "required", "fail", "default", "empty", "coalesce", "ternary", "list", "dict",
        "get", "set", "unset", "hasKey", "keys", "values", "pick", "omit", "dig", "index", "slice", "len",
        "first", "mustFirst", "last", "mustLast", "rest", "mustRest", "initial", "mustInitial", "append",
        "mustAppend", "push", "mustPush", "prepend", "mustPrepend", "concat", "reverse", "mustReverse",
        "compact", "mustCompact", "kindIs", "kindOf", "typeOf", "typeIs", "typeIsLike", "not", "pluck",
        "until", "untilStep", "seq", "lookup", "chunk", "mustChunk", "isAbs",
    }
)  # fmt: skip


class ResourceLimitError(BudgetExceeded):
    """A function call refused (result too large, structure too large, render too long).

    Deliberately not a FunctionError: some functions turn their own errors into values (``fromYaml``),
    and a refusal must never be swallowed that way.
    """

    def __init__(self, message: str, what: str = "size of one function result", limit: float = 0) -> None:
        super().__init__(message, what, limit)


_CHARS = "characters in one function result (max_function_result_chars)"
_ITEMS = "items in one function result (max_function_result_items)"


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == value and abs(value) < 2**62:
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d{1,30}", value.strip()):
        return int(value)
    return None


def _count(start: Any, stop: Any, step: Any) -> int:
    first, last, stride = _int(start), _int(stop), _int(step)
    if first is None or last is None or not stride:
        return 0
    return max(0, (last - first) // stride + 1)


_FORMAT_WIDTH = re.compile(r"%[-+# 0]*(\d+)?(?:\.(\d+))?")


def check_yaml_aliases(text: Any) -> None:
    """Refuse YAML whose aliases would expand beyond :data:`MAX_ALIAS_NODES` nodes (a "billion laughs")."""
    if not isinstance(text, str) or "*" not in text or "&" not in text:
        return
    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        loader = loader_class(text)
        try:
            nodes = []
            while loader.check_node():
                node = loader.get_node()
                if node is not None:
                    nodes.append(node)
        finally:
            loader.dispose()
    except yaml.YAMLError:
        return  # the function itself reports the syntax error
    sizes: dict[int, int] = {}
    for node in nodes:
        _alias_size(node, sizes)


def _alias_size(node: yaml.Node, sizes: dict[int, int], depth: int = 0) -> int:
    """The nodes `node` expands to, each counted once in `sizes`. (A module function, not a recursive
    closure: such a closure holds itself, and would wait for the cyclic garbage collector.)"""
    known = sizes.get(id(node))
    if known is not None:
        return known
    if depth > 1000:
        raise ResourceLimitError("YAML nested too deeply", "YAML nesting", 1000)
    sizes[id(node)] = 1  # a cycle counts once (and is refused by the parser anyway)
    total = 1
    if isinstance(node, yaml.SequenceNode):
        total += sum(_alias_size(item, sizes, depth + 1) for item in node.value)
    elif isinstance(node, yaml.MappingNode):
        total += sum(
            _alias_size(key, sizes, depth + 1) + _alias_size(value, sizes, depth + 1)
            for key, value in node.value
        )
    if total > MAX_ALIAS_NODES:
        raise ResourceLimitError(
            f"YAML aliases expand to more than {MAX_ALIAS_NODES:,} nodes (alias bomb?)",
            "nodes after YAML alias expansion",
            MAX_ALIAS_NODES,
        )
    sizes[id(node)] = total
    return total


_Refusal = tuple[str, str, int]  # (reason, which budget, its limit)


def _pre_checks(max_chars: int, max_items: int) -> dict[str, Callable[..., _Refusal | None]]:
    """Per function: a check of the arguments returning a refusal, or None."""

    def chars(needed: int) -> _Refusal | None:
        if needed <= max_chars:
            return None
        return (
            f"the result would have {needed:,} characters (medlint's limit is {max_chars:,})",
            _CHARS,
            max_chars,
        )

    def items(needed: int) -> _Refusal | None:
        if needed <= max_items:
            return None
        return f"the result would have {needed:,} items (medlint's limit is {max_items:,})", _ITEMS, max_items

    def until(*args: Any) -> _Refusal | None:
        return items(abs(_int(args[0]) or 0)) if args else None

    def until_step(*args: Any) -> _Refusal | None:
        return items(_count(args[0], args[1], args[2])) if len(args) >= 3 else None

    def seq(*args: Any) -> _Refusal | None:
        if len(args) == 1:
            return items(abs(_int(args[0]) or 0))
        if len(args) == 2:
            return items(abs((_int(args[1]) or 0) - (_int(args[0]) or 0)) + 1)
        if len(args) == 3:
            return items(abs(_count(args[0], args[2], args[1])))
        return None

    def repeat(*args: Any) -> _Refusal | None:
        if len(args) >= 2 and isinstance(args[1], str):
            return chars(max(_int(args[0]) or 0, 0) * len(args[1]))
        return None

    def indent(*args: Any) -> _Refusal | None:
        if len(args) >= 2 and isinstance(args[1], str):
            return chars(max(_int(args[0]) or 0, 0) * (args[1].count("\n") + 1) + len(args[1]))
        return None

    def wrap(*args: Any) -> _Refusal | None:  # wrap WIDTH TEXT, wrapWith WIDTH SEPARATOR TEXT
        if len(args) < 2 or not isinstance(args[-1], str):
            return None
        separator = args[1] if len(args) >= 3 and isinstance(args[1], str) else "\n"
        width = max(_int(args[0]) or 1, 1)
        text = args[-1]
        return chars(len(text.encode("utf-8", "replace")) + (len(text) // width + 1) * max(len(separator), 1))

    def join(*args: Any) -> _Refusal | None:  # join SEPARATOR LIST
        if len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], (list, tuple)):
            return chars(len(args[0]) * max(len(args[1]) - 1, 0))
        return None

    def sized(*args: Any) -> _Refusal | None:
        return chars(max(_int(args[0]) or 0, 0)) if args else None

    def formatted(*args: Any) -> _Refusal | None:
        if args and isinstance(args[0], str):
            for width, precision in _FORMAT_WIDTH.findall(args[0]):
                for number in (width, precision):
                    if (number and len(number) > 9) or (number and int(number) > max_chars):
                        return chars(int(number))
            if "*" in args[0]:  # widths taken from the arguments
                for value in args[1:]:
                    number = _int(value) if isinstance(value, (int, float)) else None
                    if number is not None and abs(number) > max_chars:
                        return chars(abs(number))
        return None

    def replace(*args: Any) -> _Refusal | None:
        if len(args) >= 3 and all(isinstance(a, str) for a in args[:3]):
            old, new, text = args[:3]
            hits = len(text) + 1 if old == "" else text.count(old)
            return chars(len(text) + hits * len(new))
        return None

    def regex_replace(*args: Any) -> _Refusal | None:
        if len(args) >= 3 and isinstance(args[1], str) and isinstance(args[2], str):
            return chars(len(args[1]) + (len(args[1]) + 1) * len(args[2]))
        return None

    def yaml_text(*args: Any) -> _Refusal | None:
        if args:
            check_yaml_aliases(args[0])
        return None

    return {
        "until": until,
        "untilStep": until_step,
        "seq": seq,
        "repeat": repeat,
        "indent": indent,
        "nindent": indent,
        "wrap": wrap,
        "wrapWith": wrap,
        "join": join,
        "randAlphaNum": sized,
        "randAlpha": sized,
        "randNumeric": sized,
        "randAscii": sized,
        "randBytes": sized,
        "printf": formatted,
        "mustPrintf": formatted,
        "replace": replace,
        "regexReplaceAll": regex_replace,
        "mustRegexReplaceAll": regex_replace,
        "regexReplaceAllLiteral": regex_replace,
        "mustRegexReplaceAllLiteral": regex_replace,
        "fromYaml": yaml_text,
        "fromYamlArray": yaml_text,
        "fromJson": yaml_text,
        "fromJsonArray": yaml_text,
        "mustFromJson": yaml_text,
    }


def check_expanded(value: Any, max_items: int, max_chars: int) -> None:
    """Refuse a list or map that, printed or copied in full, has more than ``max_items`` nodes or
    ``max_chars`` characters of strings. Parts shared by several places count at every place (as printing
    would), yet each is measured once, so the check takes time in the size of the structure as held in
    memory: ``list $a $a`` nested forty times is refused at once. A structure holding itself is refused.
    """
    if not isinstance(value, (list, tuple, dict)):
        return
    sizes: dict[int, tuple[int, int]] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            nodes, chars = 1, 0
            children = node.items() if isinstance(node, dict) else enumerate(node)
            for child_key, child in children:
                if isinstance(node, dict):
                    nodes += 1
                    chars += len(child_key) if isinstance(child_key, str) else 0
                if isinstance(child, (list, tuple, dict)):
                    child_nodes, child_chars = sizes[id(child)]
                    nodes += child_nodes
                    chars += child_chars
                else:
                    nodes += 1
                    chars += len(child) if isinstance(child, (str, bytes)) else 8
            open_nodes.discard(key)
            if nodes > max_items:
                raise ResourceLimitError(
                    f"the structure would print as {nodes:,} items (medlint's limit is {max_items:,})",
                    _ITEMS,
                    max_items,
                )
            if chars > max_chars:
                raise ResourceLimitError(
                    f"the structure would print as more than {chars:,} characters (medlint's limit is {max_chars:,})",
                    _CHARS,
                    max_chars,
                )
            sizes[key] = (nodes, chars)
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise ResourceLimitError("the structure contains itself and cannot be printed", _ITEMS, max_items)
        open_nodes.add(key)
        stack.append((node, True))
        members: Any = node.values() if isinstance(node, dict) else node
        stack.extend(
            (child, False)
            for child in members
            if isinstance(child, (list, tuple, dict)) and id(child) not in sizes
        )


def _work(values: tuple[Any, ...]) -> int:
    """Characters and items in a call's arguments or result (top level only: cheap to count)."""
    total = 0
    for value in values:
        if isinstance(value, (str, bytes, list, tuple, dict)):
            total += len(value)
    return total


class Guard:
    """Limits for one render: result sizes, and the render's budget (steps it charges, clock it checks).

    ``charge(steps)`` adds steps to the running template execution (:meth:`TemplateSet.charge`);
    ``budget`` (a :class:`~medlint.helm.budget.RenderBudget`) supplies the clock.
    """

    def __init__(
        self,
        max_chars: int,
        max_items: int,
        budget: Any = None,
        charge: Callable[[int], None] | None = None,
    ) -> None:
        self.max_chars = max_chars
        self.max_items = max_items
        self.budget = budget
        self.charge = charge

    def wrap_all(self, functions: Mapping[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
        checks = _pre_checks(self.max_chars, self.max_items)
        return {
            name: function if name in _UNWRAPPED else self._wrap(name, function, checks.get(name))
            for name, function in functions.items()
        }

    def check_printed(self, value: Any) -> None:
        """Before the engine prints a list or map: refuse one that would print too large."""
        check_expanded(value, self.max_items, self.max_chars)

    def _wrap(
        self, name: str, function: Callable[..., Any], pre: Callable[..., _Refusal | None] | None
    ) -> Callable[..., Any]:
        max_chars, max_items, budget = self.max_chars, self.max_items, self.budget
        guard = self
        deep = name not in SHALLOW_FUNCTIONS

        @functools.wraps(function)
        def guarded(*args: Any) -> Any:
            if budget is not None:
                budget.check_time()
            if pre is not None:
                refusal = pre(*args)
                if refusal:
                    raise ResourceLimitError(*refusal)
            if deep:
                for argument in args:
                    if isinstance(argument, (list, tuple, dict)):
                        check_expanded(argument, max_items, max_chars)
            result = function(*args)
            if isinstance(result, (str, bytes)):
                if len(result) > max_chars:
                    raise ResourceLimitError(
                        f"the result has {len(result):,} characters (medlint's limit is {max_chars:,})",
                        _CHARS,
                        max_chars,
                    )
            elif isinstance(result, (list, tuple, dict)) and len(result) > max_items:
                raise ResourceLimitError(
                    f"the result has {len(result):,} items (medlint's limit is {max_items:,})",
                    _ITEMS,
                    max_items,
                )
            charge = guard.charge
            if charge is not None:  # a call is a step, plus one per 64 characters or items it handles
                charge(1 + (_work(args) + _work((result,))) // CHARS_PER_STEP)
            return result

        return guarded


def guard_functions(
    functions: Mapping[str, Callable[..., Any]], max_chars: int, max_items: int
) -> dict[str, Callable[..., Any]]:
    """The same functions, each refusing calls whose result would exceed the limits (no budget)."""
    return Guard(max_chars, max_items).wrap_all(functions)
