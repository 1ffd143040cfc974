"""Emulation of Go's ``fmt`` package for the Go value model used by medlint.

Helm renders values with Go's ``fmt`` rules (``{{ .Values.x }}`` prints via
``fmt.Fprint``, ``printf`` is ``fmt.Sprintf``), and chart authors depend on the
exact output: a float64 ``3`` prints as ``3``, ``1000000`` as ``1e+06``, and a
misused verb prints ``%!d(string=x)`` instead of failing.  This module copies
those rules for the plain-Python value model:

=============  ==========================
Python         Go
=============  ==========================
``None``       nil
``bool``       bool
``int``        int (printed type name ``int``)
``float``      float64
``str``        string
``list/tuple`` []interface {}
``dict``       map[string]interface {}
``bytes``      []uint8
other object   struct-like; printed via its ``String()`` method if it has one,
               otherwise ``str(obj)``
=============  ==========================

Public API: :func:`sprintf`, :func:`sprint`, :func:`sprintln`,
:func:`format_value` (Go ``%v``), :func:`type_name` (Go ``%T``) and
:func:`quote` (Go ``strconv.Quote``).

The module has no dependency on the rest of medlint, so both the template
engine and the Sprig function library can import it freely.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

__all__ = [
    "format_float",
    "format_value",
    "is_print",
    "map_sort_key",
    "quote",
    "quote_rune",
    "sprint",
    "sprintf",
    "sprintln",
    "type_name",
]

_MAX_NUM = 1_000_000  # Go's tooLarge(): widths/precisions beyond this are rejected
_UINT64_MASK = (1 << 64) - 1
_MAX_RUNE = 0x10FFFF
_LDIGITS = "0123456789abcdefx"
_UDIGITS = "0123456789ABCDEFX"


# ---------------------------------------------------------------------------
# Type names and quoting helpers (strconv emulation)
# ---------------------------------------------------------------------------


def type_name(value: Any) -> str:
    """Return the Go type name of ``value`` as ``%T`` prints it."""
    if value is None:
        return "<nil>"
    explicit = getattr(type(value), "go_type_name", None)
    if isinstance(explicit, str):
        return explicit  # a typed Go value (`[]string` from splitList, `time.Time`...) names its own type
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "[]interface {}"
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, (bytes, bytearray)):
        return "[]uint8"
    if isinstance(value, complex):
        return "complex128"
    return type(value).__name__


def is_print(ch: str) -> bool:
    """Go's ``strconv.IsPrint``: letters, marks, numbers, punctuation, symbols and ASCII space."""
    code = ord(ch)
    if code < 0x80:
        return 0x20 <= code < 0x7F
    return unicodedata.category(ch)[0] in "LMNPS"


def _escape_rune(ch: str, quote_char: str, ascii_only: bool) -> str:
    if ch == quote_char or ch == "\\":
        return "\\" + ch
    code = ord(ch)
    if ascii_only:
        if code < 0x80 and is_print(ch):
            return ch
    elif is_print(ch):
        return ch
    simple = _SIMPLE_ESCAPES.get(ch)
    if simple is not None:
        return simple
    if code < 0x20 or code == 0x7F:
        return "\\x%02x" % code
    if 0xD800 <= code <= 0xDFFF or code > _MAX_RUNE:
        code = 0xFFFD
    if code < 0x10000:
        return "\\u%04x" % code
    return "\\U%08x" % code


_SIMPLE_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}


def quote(s: str, ascii_only: bool = False) -> str:
    """Go's ``strconv.Quote`` (or ``QuoteToASCII`` when ``ascii_only``)."""
    return '"' + "".join(_escape_rune(ch, '"', ascii_only) for ch in s) + '"'


def quote_rune(code: int, ascii_only: bool = False) -> str:
    """Go's ``strconv.QuoteRune``; invalid code points become U+FFFD."""
    if code < 0 or code > _MAX_RUNE or 0xD800 <= code <= 0xDFFF:
        code = 0xFFFD
    return "'" + _escape_rune(chr(code), "'", ascii_only) + "'"


def _can_backquote(s: str) -> bool:
    for ch in s:
        code = ord(ch)
        if code == 0xFEFF or 0xD800 <= code <= 0xDFFF:
            return False
        if (code < 0x20 and ch != "\t") or ch == "`" or code == 0x7F:
            return False
    return True


# ---------------------------------------------------------------------------
# Float formatting (strconv.FormatFloat emulation)
# ---------------------------------------------------------------------------


def _shortest_digits(x: float) -> tuple[str, int]:
    """Shortest round-trip decimal digits of ``x`` (>= 0) and the decimal point position.

    The value equals ``0.<digits> * 10**dp``; Python's ``repr`` and Go's
    shortest formatting pick the same digits.
    """
    text = repr(x)
    exp = 0
    if "e" in text:
        text, exp_text = text.split("e")
        exp = int(exp_text)
    if "." in text:
        int_part, frac_part = text.split(".")
    else:
        int_part, frac_part = text, ""
    digits = int_part + frac_part
    dp = len(int_part) + exp
    stripped = digits.lstrip("0")
    dp -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    if not digits:
        return "", 0
    return digits, dp


def _exp_suffix(exp: int, letter: str) -> str:
    sign = "-" if exp < 0 else "+"
    return "%s%s%02d" % (letter, sign, abs(exp))


def _fmt_e_digits(digits: str, dp: int, prec: int, letter: str) -> str:
    """Format decimal digits in %e style with ``prec`` digits after the point."""
    first = digits[0] if digits else "0"
    out = first
    if prec > 0:
        rest = digits[1 : 1 + prec]
        out += "." + rest + "0" * (prec - len(rest))
    exp = dp - 1 if digits else 0
    return out + _exp_suffix(exp, letter)


def _fmt_f_digits(digits: str, dp: int, prec: int) -> str:
    """Format decimal digits in %f style with ``prec`` digits after the point."""
    if dp > 0:
        int_part = digits[:dp] + "0" * max(0, dp - len(digits))
    else:
        int_part = "0"
    out = int_part
    if prec > 0:
        frac = []
        for i in range(prec):
            j = dp + i
            frac.append(digits[j] if 0 <= j < len(digits) else "0")
        out += "." + "".join(frac)
    return out


def _format_hex_float(x: float, prec: int, upper: bool) -> str:
    """strconv 'x' format: -0x1.8p+01."""
    sign = "-" if math.copysign(1.0, x) < 0 else ""
    x = abs(x)
    if x == 0:
        mant, exp = 0, 0
    else:
        frac, exp = math.frexp(x)  # x = frac * 2**exp, frac in [0.5, 1)
        mant = int(frac * (1 << 53))  # 53-bit mantissa with leading 1 at bit 52
        exp -= 1
        # Denormals: shift so the leading 1 sits at bit 52.
        while mant and mant < (1 << 52):
            mant <<= 1
            exp -= 1
    # Place the leading bit at bit 60 like Go does.
    mant <<= 60 - 52
    if 0 <= prec < 15:
        shift = prec * 4
        extra = (mant << shift) & ((1 << 60) - 1)
        mant >>= 60 - shift
        if extra | (mant & 1) > (1 << 59):
            mant += 1
        mant <<= 60 - shift
        if mant & (1 << 61):
            mant >>= 1
            exp += 1
    digits = _UDIGITS if upper else _LDIGITS
    out = [sign, "0", "X" if upper else "x", "1" if mant >> 60 else "0"]
    mant = (mant << 4) & ((1 << 64) - 1)
    if prec < 0 and mant != 0:
        out.append(".")
        while mant != 0:
            out.append(digits[(mant >> 60) & 0xF])
            mant = (mant << 4) & ((1 << 64) - 1)
    elif prec > 0:
        out.append(".")
        for _ in range(prec):
            out.append(digits[(mant >> 60) & 0xF])
            mant = (mant << 4) & ((1 << 64) - 1)
    out.append("P" if upper else "p")
    out.append("-" if exp < 0 else "+")
    out.append("%02d" % abs(exp))
    return "".join(out)


def _format_binary_float(x: float) -> str:
    """strconv 'b' format: mantissa 'p' binary exponent."""
    sign = "-" if math.copysign(1.0, x) < 0 else ""
    x = abs(x)
    if x == 0:
        return sign + "0p-1074"
    frac, exp = math.frexp(x)
    mant = int(frac * (1 << 53))
    exp -= 53
    if exp < -1074:  # denormal: Go keeps the exponent at -1074
        mant >>= -1074 - exp
        exp = -1074
    return "%s%dp%s%d" % (sign, mant, "+" if exp >= 0 else "-", abs(exp))


def format_float(x: float, verb: str, prec: int) -> str:
    """Go's ``strconv.FormatFloat(x, verb, prec, 64)``; ``prec`` -1 means shortest."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    if verb in "xX":
        return _format_hex_float(x, prec, verb == "X")
    if verb == "b":
        return _format_binary_float(x)
    if prec >= 0:
        # Explicit precision: Python's C-style formatting rounds exactly like Go,
        # and its %g rules (exponent < -4 or >= precision, trailing zeros removed)
        # match strconv's.
        if verb == "f":
            return "%.*f" % (prec, x)
        return ("%." + str(prec) + verb) % x
    sign = "-" if math.copysign(1.0, x) < 0 else ""
    digits, dp = _shortest_digits(abs(x))
    nd = len(digits)
    if verb in "eE":
        return sign + _fmt_e_digits(digits, dp, max(nd - 1, 0), verb)
    if verb == "f":
        return sign + _fmt_f_digits(digits, dp, max(nd - dp, 0))
    # 'g'/'G' shortest: Go switches to %e when the exponent is < -4 or >= 6
    # (e.g. 1e+06), which is why Helm prints large numbers in values as 1e+06.
    exp = dp - 1
    if exp < -4 or exp >= 6:
        return sign + _fmt_e_digits(digits, dp, nd - 1, "e" if verb == "g" else "E")
    return sign + _fmt_f_digits(digits, dp, max(nd - dp, 0))


# ---------------------------------------------------------------------------
# The printer (fmt.pp emulation)
# ---------------------------------------------------------------------------


class _Flags:
    """Per-verb formatting state, mirroring Go's fmtFlags plus width/precision."""

    __slots__ = (
        "minus",
        "plus",
        "plus_v",
        "prec",
        "prec_present",
        "sharp",
        "sharp_v",
        "space",
        "wid",
        "wid_present",
        "zero",
    )

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.wid = 0
        self.prec = 0
        self.wid_present = False
        self.prec_present = False
        self.minus = False
        self.plus = False
        self.sharp = False
        self.space = False
        self.zero = False
        self.plus_v = False
        self.sharp_v = False


class _Printer:
    """Accumulates output for one Sprint/Sprintf call, like Go's ``pp``."""

    __slots__ = ("buf", "f")

    def __init__(self) -> None:
        self.buf: list[str] = []
        self.f = _Flags()

    # -- padding ---------------------------------------------------------
    def _padding(self, n: int) -> str:
        if n <= 0:
            return ""
        f = self.f
        return ("0" if f.zero and not f.minus else " ") * n

    def pad(self, s: str) -> None:
        f = self.f
        if not f.wid_present or f.wid == 0:
            self.buf.append(s)
            return
        width = f.wid - len(s)
        if width <= 0:
            self.buf.append(s)
        elif not f.minus:
            self.buf.append(self._padding(width) + s)
        else:
            self.buf.append(s + self._padding(width))

    # -- basic kinds ------------------------------------------------------
    def fmt_bool(self, v: bool, verb: str) -> None:
        if verb in "tv":
            self.pad("true" if v else "false")
        else:
            self.bad_verb(verb, v)

    def fmt_integer(self, v: int, verb: str) -> None:
        f = self.f
        if verb == "v" or verb == "d":
            self._integer(v, 10, verb, _LDIGITS)
        elif verb == "b":
            self._integer(v, 2, verb, _LDIGITS)
        elif verb == "o" or verb == "O":
            self._integer(v, 8, verb, _LDIGITS)
        elif verb == "x":
            self._integer(v, 16, verb, _LDIGITS)
        elif verb == "X":
            self._integer(v, 16, verb, _UDIGITS)
        elif verb == "c":
            code = v & _UINT64_MASK
            if code > _MAX_RUNE or 0xD800 <= code <= 0xDFFF:
                code = 0xFFFD
            self.pad(chr(code))
        elif verb == "q":
            code = v & _UINT64_MASK
            self.pad(quote_rune(code if code <= _MAX_RUNE else 0xFFFD, f.plus))
        elif verb == "U":
            self._unicode(v & _UINT64_MASK)
        else:
            self.bad_verb(verb, v)

    def _integer(self, v: int, base: int, verb: str, digits: str) -> None:
        f = self.f
        negative = v < 0
        u = -v if negative else v
        prec = 0
        if f.prec_present:
            prec = f.prec
            if prec == 0 and u == 0:
                old_zero = f.zero
                f.zero = False
                self.buf.append(self._padding(f.wid))
                f.zero = old_zero
                return
        elif f.zero and not f.minus and f.wid_present:
            prec = f.wid
            if negative or f.plus or f.space:
                prec -= 1
        if base == 10:
            body = str(u)
        elif base == 16:
            body = format(u, "x")
            if digits is _UDIGITS:
                body = body.upper()
        elif base == 8:
            body = format(u, "o")
        else:
            body = format(u, "b")
        if prec > len(body):
            body = "0" * (prec - len(body)) + body
        if f.sharp:
            if base == 2:
                body = "0b" + body
            elif base == 8:
                if body[0] != "0":
                    body = "0" + body
            elif base == 16:
                body = "0" + digits[16] + body
        if verb == "O":
            body = "0o" + body
        if negative:
            body = "-" + body
        elif f.plus:
            body = "+" + body
        elif f.space:
            body = " " + body
        old_zero = f.zero
        f.zero = False
        self.pad(body)
        f.zero = old_zero

    def _unicode(self, u: int) -> None:
        f = self.f
        hex_digits = format(u, "X")
        prec = 4
        if f.prec_present and f.prec > 4:
            prec = f.prec
        if len(hex_digits) < prec:
            hex_digits = "0" * (prec - len(hex_digits)) + hex_digits
        body = "U+" + hex_digits
        if f.sharp and u <= _MAX_RUNE and not (0xD800 <= u <= 0xDFFF) and is_print(chr(u)):
            body += " '" + chr(u) + "'"
        old_zero = f.zero
        f.zero = False
        self.pad(body)
        f.zero = old_zero

    def fmt_float(self, v: float, verb: str) -> None:
        if verb == "v":
            self._float(v, "g", -1)
        elif verb in "bgGxX":
            self._float(v, verb, -1)
        elif verb in "feEF":
            self._float(v, "f" if verb == "F" else verb, 6)
        else:
            self.bad_verb(verb, v)

    def _float(self, v: float, verb: str, prec: int) -> None:
        f = self.f
        if f.prec_present:
            prec = f.prec
        num = format_float(v, verb, prec)
        if num[0] != "-" and num[0] != "+":
            num = "+" + num
        if f.space and num[0] == "+" and not f.plus:
            num = " " + num[1:]
        if num[1] == "I" or num[1] == "N":
            old_zero = f.zero
            f.zero = False
            if num[1] == "N" and not f.space and not f.plus:
                num = num[1:]
            self.pad(num)
            f.zero = old_zero
            return
        if f.sharp and verb != "b":
            num = self._sharp_float(num, verb, prec)
        if f.plus or num[0] != "+":
            if f.zero and not f.minus and f.wid_present and f.wid > len(num):
                self.buf.append(num[0] + "0" * (f.wid - len(num)) + num[1:])
                return
            self.pad(num)
            return
        self.pad(num[1:])

    def fmt_complex(self, v: complex, verb: str) -> None:
        """Go's fmtComplex: (real+imagi), the imaginary part always signed."""
        if verb not in "vbgGxXfFeE":
            self.bad_verb(verb, v)
            return
        f = self.f
        old_plus, old_space = f.plus, f.space
        self.buf.append("(")
        self.fmt_float(v.real, verb)
        f.plus, f.space = True, False
        self.fmt_float(v.imag, verb)
        self.buf.append("i)")
        f.plus, f.space = old_plus, old_space

    @staticmethod
    def _sharp_float(num: str, verb: str, prec: int) -> str:
        """The '#' flag: always print a decimal point and keep trailing zeros for %g."""
        digits = 0
        if verb in "vgGxX":
            digits = prec if prec != -1 else 6
        tail = ""
        has_point = False
        saw_nonzero = False
        body = num
        i = 1
        while i < len(body):
            c = body[i]
            if c == ".":
                has_point = True
            elif c in "pP" or (c in "eE" and verb not in "xX"):
                tail = body[i:]
                body = body[:i]
                break
            else:
                if c != "0":
                    saw_nonzero = True
                if saw_nonzero:
                    digits -= 1
            i += 1
        if not has_point:
            if len(body) == 2 and body[1] == "0":
                digits -= 1
            body += "."
        if digits > 0:
            body += "0" * digits
        return body + tail

    def fmt_string(self, v: str, verb: str) -> None:
        f = self.f
        if verb == "v":
            if f.sharp_v:
                self._fmt_q(v)
            else:
                self.pad(self._truncate(v))
        elif verb == "s":
            self.pad(self._truncate(v))
        elif verb == "x":
            self._fmt_sbx(v.encode("utf-8", "surrogateescape"), _LDIGITS)
        elif verb == "X":
            self._fmt_sbx(v.encode("utf-8", "surrogateescape"), _UDIGITS)
        elif verb == "q":
            self._fmt_q(v)
        else:
            self.bad_verb(verb, v)

    def _truncate(self, s: str) -> str:
        f = self.f
        if f.prec_present and f.prec < len(s):
            return s[: f.prec]
        return s

    def _fmt_q(self, s: str) -> None:
        f = self.f
        s = self._truncate(s)
        if f.sharp and _can_backquote(s):
            self.pad("`" + s + "`")
        else:
            self.pad(quote(s, ascii_only=f.plus))

    def _fmt_sbx(self, data: bytes, digits: str) -> None:
        f = self.f
        length = len(data)
        if f.prec_present and f.prec < length:
            length = f.prec
        width = 2 * length
        if width > 0:
            if f.space:
                if f.sharp:
                    width *= 2
                width += length - 1
            elif f.sharp:
                width += 2
        else:
            if f.wid_present:
                self.buf.append(self._padding(f.wid))
            return
        if f.wid_present and f.wid > width and not f.minus:
            self.buf.append(self._padding(f.wid - width))
        out = []
        if f.sharp:
            out.append("0" + digits[16])
        for i in range(length):
            if f.space and i > 0:
                out.append(" ")
                if f.sharp:
                    out.append("0" + digits[16])
            c = data[i]
            out.append(digits[c >> 4] + digits[c & 0xF])
        self.buf.append("".join(out))
        if f.wid_present and f.wid > width and f.minus:
            self.buf.append(self._padding(f.wid - width))

    # -- errors -------------------------------------------------------------
    def bad_verb(self, verb: str, value: Any, have_value: bool = True) -> None:
        self.buf.append("%!" + verb + "(")
        if have_value and value is not None:
            self.buf.append(type_name(value) + "=")
            self.print_arg(value, "v")
        else:
            self.buf.append("<nil>")
        self.buf.append(")")

    # -- dispatch -------------------------------------------------------------
    def print_arg(self, arg: Any, verb: str) -> None:
        """Go's printArg (depth 0)."""
        if arg is None:
            if verb == "T" or verb == "v":
                self.pad("<nil>")
            else:
                self.bad_verb(verb, None, have_value=False)
            return
        if verb == "T":
            self.pad(self._truncate(type_name(arg)))
            return
        if verb == "p":
            self.bad_verb(verb, arg)
            return
        self.print_value(arg, verb, 0)

    def print_value(self, value: Any, verb: str, depth: int) -> None:
        """Go's printValue: composite values format each element with the same verb."""
        if isinstance(value, str):
            self.fmt_string(value, verb)
        elif isinstance(value, bool):
            self.fmt_bool(value, verb)
        elif isinstance(value, int):
            self.fmt_integer(value, verb)
        elif isinstance(value, float):
            self.fmt_float(value, verb)
        elif isinstance(value, complex):
            self.fmt_complex(value, verb)
        elif value is None:
            # A nil element inside a slice or map (an empty interface).
            self.buf.append("interface {}(nil)" if self.f.sharp_v else "<nil>")
        elif isinstance(value, dict):
            self._print_map(value, verb, depth)
        elif isinstance(value, (list, tuple)):
            self._print_list(value, verb, depth)
        elif isinstance(value, (bytes, bytearray)):
            if verb in "sq":
                self.fmt_string(bytes(value).decode("utf-8", "replace"), verb)
            elif verb in "xX":
                self._fmt_sbx(bytes(value), _LDIGITS if verb == "x" else _UDIGITS)
            else:
                self._print_list(list(value), verb, depth)
        else:
            self._print_object(value, verb)

    def _print_list(self, items: Any, verb: str, depth: int) -> None:
        if self.f.sharp_v:
            self.buf.append(type_name(items) + "{")
            for i, item in enumerate(items):
                if i:
                    self.buf.append(", ")
                self.print_value(item, verb, depth + 1)
            self.buf.append("}")
            return
        self.buf.append("[")
        for i, item in enumerate(items):
            if i:
                self.buf.append(" ")
            self.print_value(item, verb, depth + 1)
        self.buf.append("]")

    def _print_map(self, mapping: dict, verb: str, depth: int) -> None:
        sharp_v = self.f.sharp_v
        self.buf.append(type_name(mapping) + "{" if sharp_v else "map[")
        for i, key in enumerate(sorted(mapping, key=map_sort_key)):
            if i:
                self.buf.append(", " if sharp_v else " ")
            self.print_value(key, verb, depth + 1)
            self.buf.append(":")
            self.print_value(mapping[key], verb, depth + 1)
        self.buf.append("}" if sharp_v else "]")

    def _print_object(self, value: Any, verb: str) -> None:
        """Objects act like Go values implementing fmt.Stringer (String() or __str__)."""
        if verb in "vsxXq":
            method = getattr(value, "String", None)
            text = method() if callable(method) else str(value)
            self.fmt_string(text if isinstance(text, str) else str(text), verb)
        else:
            self.bad_verb(verb, value)


def map_sort_key(key: Any) -> tuple:
    """Order map keys as Go's fmtsort does (fmt printing and ``range``).

    Numbers sort numerically, strings by their UTF-8 bytes.
    """
    if isinstance(key, str):
        return (1, key.encode("utf-8", "surrogateescape"))
    if isinstance(key, (int, float)):
        return (0, key)
    return (2, str(key))


# ---------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------


def _parse_num(fmt: str, start: int, end: int) -> tuple[int, bool, int]:
    """Go's parsenum: returns (number, found, new index); absurdly large numbers fail."""
    num = 0
    found = False
    i = start
    while i < end and "0" <= fmt[i] <= "9":
        if num > _MAX_NUM:
            return 0, False, end
        num = num * 10 + (ord(fmt[i]) - 48)
        found = True
        i += 1
    return num, found, i


def _int_from_arg(args: tuple, arg_num: int) -> tuple[int, bool, int]:
    """Go's intFromArg for '*' width and precision."""
    num, is_int = 0, False
    if arg_num < len(args):
        arg = args[arg_num]
        if isinstance(arg, int) and not isinstance(arg, bool):
            num, is_int = arg, True
        arg_num += 1
        if num > _MAX_NUM or num < -_MAX_NUM:
            num, is_int = 0, False
    return num, is_int, arg_num


def sprintf(format: str, *args: Any) -> str:
    """Go's ``fmt.Sprintf``, including its in-band error strings."""
    p = _Printer()
    f = p.f
    buf = p.buf
    end = len(format)
    arg_num = 0
    reordered = False
    i = 0
    nargs = len(args)
    while i < end:
        good_arg_num = True
        last = i
        i = format.find("%", i)
        if i < 0:
            i = end
        if i > last:
            buf.append(format[last:i])
        if i >= end:
            break
        i += 1  # skip '%'
        f.clear()
        while i < end:
            c = format[i]
            if c == "#":
                f.sharp = True
            elif c == "0":
                f.zero = True
            elif c == "+":
                f.plus = True
            elif c == "-":
                f.minus = True
            elif c == " ":
                f.space = True
            else:
                break
            i += 1

        # Explicit argument index, e.g. %[2]d.
        arg_num, i, after_index, ok_index, saw_index = _arg_number(format, i, arg_num, nargs)
        reordered = reordered or saw_index
        if not ok_index:
            good_arg_num = False

        # Width.
        if i < end and format[i] == "*":
            i += 1
            f.wid, f.wid_present, arg_num = _int_from_arg(args, arg_num)
            if not f.wid_present:
                buf.append("%!(BADWIDTH)")
            if f.wid < 0:
                f.wid = -f.wid
                f.minus = True
                f.zero = False
            after_index = False
        else:
            f.wid, f.wid_present, i = _parse_num(format, i, end)
            if after_index and f.wid_present:
                good_arg_num = False

        # Precision.
        if i + 1 < end and format[i] == ".":
            i += 1
            if after_index:
                good_arg_num = False
            arg_num, i, after_index, ok_index, saw_index = _arg_number(format, i, arg_num, nargs)
            reordered = reordered or saw_index
            if not ok_index:
                good_arg_num = False
            if i < end and format[i] == "*":
                i += 1
                f.prec, f.prec_present, arg_num = _int_from_arg(args, arg_num)
                if f.prec < 0:
                    f.prec = 0
                    f.prec_present = False
                if not f.prec_present:
                    buf.append("%!(BADPREC)")
                after_index = False
            else:
                f.prec, f.prec_present, i = _parse_num(format, i, end)
                if not f.prec_present:
                    f.prec = 0
                    f.prec_present = True

        if not after_index:
            arg_num, i, after_index, ok_index, saw_index = _arg_number(format, i, arg_num, nargs)
            reordered = reordered or saw_index
            if not ok_index:
                good_arg_num = False

        if i >= end:
            buf.append("%!(NOVERB)")
            break

        verb = format[i]
        i += 1
        if verb == "%":
            buf.append("%")
        elif not good_arg_num:
            buf.append("%!" + verb + "(BADINDEX)")
        elif arg_num >= nargs:
            buf.append("%!" + verb + "(MISSING)")
        else:
            if verb == "v":
                f.sharp_v = f.sharp
                f.sharp = False
                f.plus_v = f.plus
                f.plus = False
            p.print_arg(args[arg_num], verb)
            arg_num += 1

    if not reordered and arg_num < nargs:
        f.clear()
        buf.append("%!(EXTRA ")
        for k, arg in enumerate(args[arg_num:]):
            if k:
                buf.append(", ")
            if arg is None:
                buf.append("<nil>")
            else:
                buf.append(type_name(arg) + "=")
                p.print_arg(arg, "v")
        buf.append(")")
    return "".join(buf)


def _arg_number(fmt: str, i: int, arg_num: int, nargs: int) -> tuple[int, int, bool, bool, bool]:
    """Go's argNumber: returns (arg_num, i, found, ok, saw_bracket)."""
    if i >= len(fmt) or fmt[i] != "[":
        return arg_num, i, False, True, False
    # parseArgNumber on fmt[i:]
    rest_len = len(fmt) - i
    if rest_len < 3:
        return arg_num, i + 1, False, False, True
    for j in range(i + 1, len(fmt)):
        if fmt[j] == "]":
            width, ok, newi = _parse_num(fmt, i + 1, j)
            if not ok or newi != j:
                return arg_num, j + 1, False, False, True
            index = width - 1
            if 0 <= index < nargs:
                return index, j + 1, True, True, True
            return arg_num, j + 1, True, False, True
    return arg_num, i + 1, False, False, True


def sprint(*args: Any) -> str:
    """Go's ``fmt.Sprint``: a space between operands when neither side is a string."""
    if len(args) == 1:
        return format_value(args[0])
    out: list[str] = []
    prev_string = False
    for n, arg in enumerate(args):
        is_string = isinstance(arg, str)
        if n > 0 and not is_string and not prev_string:
            out.append(" ")
        out.append(format_value(arg))
        prev_string = is_string
    return "".join(out)


def sprintln(*args: Any) -> str:
    """Go's ``fmt.Sprintln``: operands always separated by spaces, newline appended."""
    return " ".join(format_value(a) for a in args) + "\n"


def format_value(value: Any) -> str:
    """Go's ``%v`` formatting of a single value (``fmt.Sprint(value)``)."""
    # Fast paths for the common scalar kinds; everything else goes through the printer.
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value, "g", -1)
    if value is None:
        return "<nil>"
    p = _Printer()
    p.print_arg(value, "v")
    return "".join(p.buf)
