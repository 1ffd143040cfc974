"""Resource guards around template functions, so a hostile chart cannot exhaust memory.

The engine's :class:`~medlint.helm.gotemplate.Limits` bound steps, nesting and the output written,
but a single function call can allocate far more than that before anything is written:
``until 100000000``, ``repeat 100000000 "x"``, or a loop doubling a string with ``print $s $s``.
:func:`guard_functions` wraps every function of a render:

* before the call, functions whose result size is given by an argument (``until``, ``repeat``,
  ``indent``, ``randAlphaNum``, ``printf "%100000000d"`` ...) are refused when that size is over the
  limit, and YAML/JSON parsed by ``fromYaml``/``fromJson`` is checked for alias bombs;
* after the call, a string, list or map result larger than the limit is refused;
* every call first checks the render's deadline, so many templates each close to the engine's step
  limit cannot add up to an endless render;
* regular expressions run under a timer where the platform allows it (Python's ``re`` backtracks,
  Go's RE2 does not: ``regexMatch "(a+)+$"`` on a hostile string would otherwise run for ever).

A refused call is an ordinary template error (``error calling repeat: ...``), which the renderer
reports as MD003 at the template line. Helm has no such limits; real charts stay far below them.
"""

from __future__ import annotations

import contextlib
import functools
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

__all__ = ["MAX_ALIAS_NODES", "Guard", "ResourceLimitError", "check_yaml_aliases", "guard_functions"]

#: Upper bound on the nodes a YAML text may expand to through aliases (as medlint.source allows).
MAX_ALIAS_NODES = 2_000_000

#: Functions the engine treats specially by identity; never wrapped.
_UNWRAPPED = frozenset({"and", "or", "call"})


class ResourceLimitError(Exception):
    """A function call refused (result too large, render too long).

    Deliberately not a FunctionError: some functions turn their own errors into values (``fromYaml``,
    ``regexMatch``), and a refusal must never be swallowed that way.
    """


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

    def size(node: yaml.Node, depth: int = 0) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        if depth > 1000:
            raise ResourceLimitError("YAML nested too deeply")
        sizes[id(node)] = 1  # a cycle counts once (and is refused by the parser anyway)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(item, depth + 1) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(key, depth + 1) + size(value, depth + 1) for key, value in node.value)
        if total > MAX_ALIAS_NODES:
            raise ResourceLimitError(
                f"YAML aliases expand to more than {MAX_ALIAS_NODES:,} nodes (alias bomb?)"
            )
        sizes[id(node)] = total
        return total

    for node in nodes:
        size(node)


def _pre_checks(max_chars: int, max_items: int) -> dict[str, Callable[..., str | None]]:
    """Per function: a check of the arguments returning a refusal reason, or None."""

    def chars(needed: int) -> str | None:
        return (
            f"the result would have {needed:,} characters (medlint's limit is {max_chars:,})"
            if needed > max_chars
            else None
        )

    def items(needed: int) -> str | None:
        return (
            f"the result would have {needed:,} items (medlint's limit is {max_items:,})"
            if needed > max_items
            else None
        )

    def until(*args: Any) -> str | None:
        return items(abs(_int(args[0]) or 0)) if args else None

    def until_step(*args: Any) -> str | None:
        return items(_count(args[0], args[1], args[2])) if len(args) >= 3 else None

    def seq(*args: Any) -> str | None:
        if len(args) == 1:
            return items(abs(_int(args[0]) or 0))
        if len(args) == 2:
            return items(abs((_int(args[1]) or 0) - (_int(args[0]) or 0)) + 1)
        if len(args) == 3:
            return items(abs(_count(args[0], args[2], args[1])))
        return None

    def repeat(*args: Any) -> str | None:
        if len(args) >= 2 and isinstance(args[1], str):
            return chars(max(_int(args[0]) or 0, 0) * len(args[1]))
        return None

    def indent(*args: Any) -> str | None:
        if len(args) >= 2 and isinstance(args[1], str):
            return chars(max(_int(args[0]) or 0, 0) * (args[1].count("\n") + 1) + len(args[1]))
        return None

    def sized(*args: Any) -> str | None:
        return chars(max(_int(args[0]) or 0, 0)) if args else None

    def formatted(*args: Any) -> str | None:
        if args and isinstance(args[0], str):
            for width, precision in _FORMAT_WIDTH.findall(args[0]):
                for number in (width, precision):
                    if (number and len(number) > 9) or (number and int(number) > max_chars):
                        return chars(int(number))
        return None

    def replace(*args: Any) -> str | None:
        if len(args) >= 3 and all(isinstance(a, str) for a in args[:3]):
            old, new, text = args[:3]
            hits = len(text) + 1 if old == "" else text.count(old)
            return chars(len(text) + hits * len(new))
        return None

    def regex_replace(*args: Any) -> str | None:
        if len(args) >= 3 and isinstance(args[1], str) and isinstance(args[2], str):
            return chars(len(args[1]) + (len(args[1]) + 1) * len(args[2]))
        return None

    def yaml_text(*args: Any) -> str | None:
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


#: Seconds one regular expression call may take (RE2 in Go is linear; Python's re is not).
REGEX_SECONDS = 2.0


@contextlib.contextmanager
def _time_limit(seconds: float, what: str) -> Iterator[None]:
    """Interrupt the body after ``seconds`` with a SIGALRM timer, when in the main thread on POSIX."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise ResourceLimitError(f"{what} took longer than {seconds:g} s (catastrophic backtracking?)")

    previous = signal.signal(signal.SIGALRM, expired)
    previous_timer = signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if previous_timer[0] > 0:  # someone else's timer was running: give it back
            signal.setitimer(signal.ITIMER_REAL, *previous_timer)


@dataclass(frozen=True)
class Guard:
    """Limits for one render: result sizes, and a deadline (``time.monotonic()``) for the whole render."""

    max_chars: int
    max_items: int
    deadline: float | None = None

    def wrap_all(self, functions: Mapping[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
        checks = _pre_checks(self.max_chars, self.max_items)
        return {
            name: function if name in _UNWRAPPED else self._wrap(name, function, checks.get(name))
            for name, function in functions.items()
        }

    def _wrap(
        self, name: str, function: Callable[..., Any], pre: Callable[..., str | None] | None
    ) -> Callable[..., Any]:
        max_chars, max_items, deadline = self.max_chars, self.max_items, self.deadline
        is_regex = "egex" in name

        @functools.wraps(function)
        def guarded(*args: Any) -> Any:
            if deadline is not None and time.monotonic() > deadline:
                raise ResourceLimitError("rendering took too long; medlint stopped it")
            if pre is not None:
                reason = pre(*args)
                if reason:
                    raise ResourceLimitError(reason)
            if is_regex:
                with _time_limit(REGEX_SECONDS, name):
                    result = function(*args)
            else:
                result = function(*args)
            if isinstance(result, (str, bytes)):
                if len(result) > max_chars:
                    raise ResourceLimitError(
                        f"the result has {len(result):,} characters (medlint's limit is {max_chars:,})"
                    )
            elif isinstance(result, (list, tuple, dict)) and len(result) > max_items:
                raise ResourceLimitError(
                    f"the result has {len(result):,} items (medlint's limit is {max_items:,})"
                )
            return result

        return guarded


def guard_functions(
    functions: Mapping[str, Callable[..., Any]], max_chars: int, max_items: int
) -> dict[str, Callable[..., Any]]:
    """The same functions, each refusing calls whose result would exceed the limits (no deadline)."""
    return Guard(max_chars, max_items).wrap_all(functions)
