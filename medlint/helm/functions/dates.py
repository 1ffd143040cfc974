"""Sprig's date functions with a fixed clock.

Sprig formats with Go reference layouts (``"2006-01-02T15:04:05Z07:00"``), so
this module implements Go's layout language for formatting and parsing
(:func:`go_format_time`, :func:`go_parse_time`) and Go's duration syntax
(:func:`go_parse_duration`, :func:`go_format_duration`).

Determinism: ``now`` is a fixed instant, 2000-01-01T00:00:00Z unless the
renderer passes another, and every "since now" computation (``ago``,
``durationRound`` of a time, ``date`` of a non-time value) uses it.  Go's
``Local`` zone is taken to be UTC.  Times are :class:`GoTime` objects that
print like Go's ``time.Time`` (without the monotonic-clock suffix Go adds to
``time.Now()``).

Faithful oddities kept on purpose: ``date`` formats *now* when given a float
(numbers from values are float64, which Sprig does not accept as Unix
seconds), and ``duration`` of a float is ``0s``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from medlint.helm.functions.reflect import FunctionError, arg_string

__all__ = [
    "DEFAULT_NOW",
    "GoTime",
    "functions",
    "go_format_duration",
    "go_format_time",
    "go_parse_duration",
    "go_parse_time",
]

DEFAULT_NOW = datetime(2000, 1, 1, tzinfo=timezone.utc)
_ZERO_TIME = datetime(1, 1, 1, tzinfo=timezone.utc)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_LONG_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_LONG_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class GoTime:
    """A Go ``time.Time``: an aware datetime plus nanoseconds below the microsecond."""

    go_type_name = "time.Time"
    go_kind = "struct"

    def __init__(self, moment: datetime, nanos: int | None = None) -> None:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        self.moment = moment
        self.nanosecond = moment.microsecond * 1000 if nanos is None else nanos

    # -- Go methods usable from templates ------------------------------------
    def String(self) -> str:
        """Go's Time.String: ``2006-01-02 15:04:05.999999999 -0700 MST``."""
        return go_format_time(self, "2006-01-02 15:04:05.999999999 -0700 MST")

    def Format(self, layout: Any) -> str:
        return go_format_time(self, arg_string(layout))

    def Unix(self) -> int:
        return int((self.moment.replace(microsecond=0) - _EPOCH).total_seconds() // 1)

    def UnixMilli(self) -> int:
        return self.Unix() * 1000 + self.nanosecond // 1_000_000

    def UnixNano(self) -> int:
        return self.Unix() * 1_000_000_000 + self.nanosecond

    def UTC(self) -> GoTime:
        return GoTime(self.moment.astimezone(timezone.utc), self.nanosecond)

    def Local(self) -> GoTime:
        return self.UTC()

    def Year(self) -> int:
        return self.moment.year

    def Month(self) -> int:
        return self.moment.month

    def Day(self) -> int:
        return self.moment.day

    def Hour(self) -> int:
        return self.moment.hour

    def Minute(self) -> int:
        return self.moment.minute

    def Second(self) -> int:
        return self.moment.second

    def Nanosecond(self) -> int:
        return self.nanosecond

    def YearDay(self) -> int:
        return self.moment.timetuple().tm_yday

    def Weekday(self) -> str:
        return _LONG_DAYS[self.moment.weekday()]

    def IsZero(self) -> bool:
        return self.moment == _ZERO_TIME and self.nanosecond == 0

    def Add(self, nanoseconds: Any) -> GoTime:
        return self.add_nanoseconds(int(nanoseconds))

    def AddDate(self, years: Any, months: Any, days: Any) -> GoTime:
        month_index = self.moment.month - 1 + int(months)
        year = self.moment.year + int(years) + month_index // 12
        month = month_index % 12 + 1
        base = datetime(
            year,
            month,
            1,
            self.moment.hour,
            self.moment.minute,
            self.moment.second,
            self.moment.microsecond,
            tzinfo=self.moment.tzinfo,
        )
        return GoTime(base + timedelta(days=self.moment.day - 1 + int(days)), self.nanosecond)

    def Before(self, other: GoTime) -> bool:
        return self._key() < other._key()

    def After(self, other: GoTime) -> bool:
        return self._key() > other._key()

    def Equal(self, other: GoTime) -> bool:
        return self._key() == other._key()

    # -- Python helpers --------------------------------------------------------
    def _key(self) -> tuple[datetime, int]:
        return (self.moment.replace(microsecond=0), self.nanosecond)

    def add_nanoseconds(self, nanoseconds: int) -> GoTime:
        total = self.nanosecond + nanoseconds
        seconds, nanos = divmod(total, 1_000_000_000)
        moment = self.moment.replace(microsecond=0) + timedelta(seconds=seconds)
        return GoTime(moment.replace(microsecond=nanos // 1000), nanos)

    def nanoseconds_since(self, earlier: GoTime) -> int:
        delta = self.moment.replace(microsecond=0) - earlier.moment.replace(microsecond=0)
        return (delta.days * 86400 + delta.seconds) * 1_000_000_000 + self.nanosecond - earlier.nanosecond

    def go_json(self) -> str:
        """encoding/json marshals a time as RFC 3339 with nanoseconds."""
        return go_format_time(self, "2006-01-02T15:04:05.999999999Z07:00")

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, GoTime)
            and self._key() == other._key()
            and self.moment.utcoffset() == other.moment.utcoffset()
        )

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"GoTime({self.String()!r})"

    def __str__(self) -> str:
        return self.String()


# ---------------------------------------------------------------------------
# Go layouts
# ---------------------------------------------------------------------------

_STD_ZERO = {"1": "01month", "2": "02day", "3": "03hour", "4": "04minute", "5": "05second", "6": "06year"}


def _next_chunk(layout: str) -> tuple[str, str, str]:
    """Go's nextStdChunk: (literal prefix, token, rest); token ``""`` when none is left."""
    i = 0
    n = len(layout)
    while i < n:
        c = layout[i]
        rest = layout[i:]
        if c == "J" and rest.startswith("Jan"):
            if rest.startswith("January"):
                return layout[:i], "January", layout[i + 7 :]
            if not rest[3:4].islower():
                return layout[:i], "Jan", layout[i + 3 :]
        elif c == "M":
            if rest.startswith("Mon"):
                if rest.startswith("Monday"):
                    return layout[:i], "Monday", layout[i + 6 :]
                if not rest[3:4].islower():
                    return layout[:i], "Mon", layout[i + 3 :]
            if rest.startswith("MST"):
                return layout[:i], "MST", layout[i + 3 :]
        elif c == "0":
            if n >= i + 2 and "1" <= layout[i + 1] <= "6":
                return layout[:i], _STD_ZERO[layout[i + 1]], layout[i + 2 :]
            if rest.startswith("002"):
                return layout[:i], "002", layout[i + 3 :]
        elif c == "1":
            if rest.startswith("15"):
                return layout[:i], "15", layout[i + 2 :]
            return layout[:i], "1", layout[i + 1 :]
        elif c == "2":
            if rest.startswith("2006"):
                return layout[:i], "2006", layout[i + 4 :]
            return layout[:i], "2", layout[i + 1 :]
        elif c == "_":
            if rest.startswith("_2"):
                if rest.startswith("_2006"):
                    return layout[: i + 1], "2006", layout[i + 5 :]
                return layout[:i], "_2", layout[i + 2 :]
            if rest.startswith("__2"):
                return layout[:i], "__2", layout[i + 3 :]
        elif c in "345":
            return layout[:i], c, layout[i + 1 :]
        elif c == "P" and rest.startswith("PM"):
            return layout[:i], "PM", layout[i + 2 :]
        elif c == "p" and rest.startswith("pm"):
            return layout[:i], "pm", layout[i + 2 :]
        elif c in "-Z":
            for token in ("070000", "07:00:00", "0700", "07:00", "07"):
                if rest.startswith(c + token):
                    return layout[:i], c + token, layout[i + 1 + len(token) :]
        elif c in ".," and i + 1 < n and layout[i + 1] in "09":
            digit = layout[i + 1]
            j = i + 1
            while j < n and layout[j] == digit:
                j += 1
            if not (j < n and layout[j].isdigit()):
                return layout[:i], c + digit * (j - i - 1), layout[j:]
        i += 1
    return layout, "", ""


def _zone_name(moment: datetime) -> str:
    name = moment.tzname() or ""
    if name in ("UTC", "UTC+00:00"):
        return "UTC"
    if not name or name.startswith("UTC"):
        return ""
    return name


def _format_offset(seconds: int, token: str) -> str:
    if token.startswith("Z") and seconds == 0:
        return "Z"
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    hours, minutes, secs = seconds // 3600, seconds // 60 % 60, seconds % 60
    body = token[1:]
    if body == "07":
        return f"{sign}{hours:02d}"
    if body == "0700":
        return f"{sign}{hours:02d}{minutes:02d}"
    if body == "07:00":
        return f"{sign}{hours:02d}:{minutes:02d}"
    if body == "070000":
        return f"{sign}{hours:02d}{minutes:02d}{secs:02d}"
    return f"{sign}{hours:02d}:{minutes:02d}:{secs:02d}"


def go_format_time(value: GoTime, layout: str) -> str:
    """Go's Time.Format."""
    moment = value.moment
    out: list[str] = []
    while layout:
        prefix, token, layout = _next_chunk(layout)
        out.append(prefix)
        if not token:
            break
        hour12 = moment.hour % 12 or 12
        utc_offset = moment.utcoffset()
        offset = int(utc_offset.total_seconds()) if utc_offset is not None else 0
        if token == "January":
            out.append(_LONG_MONTHS[moment.month - 1])
        elif token == "Jan":
            out.append(_LONG_MONTHS[moment.month - 1][:3])
        elif token == "1":
            out.append(str(moment.month))
        elif token == "01month":
            out.append(f"{moment.month:02d}")
        elif token == "Monday":
            out.append(_LONG_DAYS[moment.weekday()])
        elif token == "Mon":
            out.append(_LONG_DAYS[moment.weekday()][:3])
        elif token == "2":
            out.append(str(moment.day))
        elif token == "_2":
            out.append(f"{moment.day:2d}")
        elif token == "02day":
            out.append(f"{moment.day:02d}")
        elif token == "__2":
            out.append(f"{moment.timetuple().tm_yday:3d}")
        elif token == "002":
            out.append(f"{moment.timetuple().tm_yday:03d}")
        elif token == "15":
            out.append(f"{moment.hour:02d}")
        elif token == "3":
            out.append(str(hour12))
        elif token == "03hour":
            out.append(f"{hour12:02d}")
        elif token == "4":
            out.append(str(moment.minute))
        elif token == "04minute":
            out.append(f"{moment.minute:02d}")
        elif token == "5":
            out.append(str(moment.second))
        elif token == "05second":
            out.append(f"{moment.second:02d}")
        elif token == "2006":
            out.append(f"{moment.year:04d}")
        elif token == "06year":
            out.append(f"{moment.year % 100:02d}")
        elif token == "PM":
            out.append("PM" if moment.hour >= 12 else "AM")
        elif token == "pm":
            out.append("pm" if moment.hour >= 12 else "am")
        elif token == "MST":
            name = _zone_name(moment)
            out.append(name if name else _format_offset(offset, "-0700"))
        elif token[0] in "-Z":
            out.append(_format_offset(offset, token))
        else:  # fractional seconds
            digits = f"{value.nanosecond:09d}"[: len(token) - 1]
            if token[1] == "9":
                digits = digits.rstrip("0")
                if digits:
                    out.append(token[0] + digits)
            else:
                out.append(token[0] + digits)
    return "".join(out)


class _ParseError(Exception):
    pass


def _take_number(value: str, minimum: int, maximum: int, fixed: bool) -> tuple[int, str]:
    match = re.match(r"\d{%d,%d}" % (minimum if fixed else 1, maximum), value)
    if not match:
        raise _ParseError
    return int(match.group(0)), value[match.end() :]


def go_parse_time(layout: str, value: str, default_zone: tzinfo = timezone.utc) -> GoTime:
    """Go's time.ParseInLocation (the common layout tokens; ``Local`` is UTC)."""
    original_layout, original_value = layout, value
    year, month, day, hour, minute, second, nanos = 1, 1, 1, 0, 0, 0, 0
    pm: bool | None = None
    offset: int | None = None
    zone_utc = False
    try:
        while True:
            prefix, token, layout = _next_chunk(layout)
            if not value.startswith(prefix):
                raise _ParseError
            value = value[len(prefix) :]
            if not token:
                if value:
                    raise FunctionError(f'parsing time "{original_value}": extra text: "{value}"')
                break
            if token == "2006":
                year, value = _take_number(value, 4, 4, True)
            elif token == "06year":
                short, value = _take_number(value, 2, 2, True)
                year = short + (1900 if short >= 69 else 2000)
            elif token in ("January", "Jan"):
                names = _LONG_MONTHS if token == "January" else [m[:3] for m in _LONG_MONTHS]
                for index, name in enumerate(names):
                    if value.lower().startswith(name.lower()):
                        month, value = index + 1, value[len(name) :]
                        break
                else:
                    raise _ParseError
            elif token in ("1", "01month"):
                month, value = _take_number(value, 2, 2, token != "1")
            elif token in ("Monday", "Mon"):
                names = _LONG_DAYS if token == "Monday" else [d[:3] for d in _LONG_DAYS]
                for name in names:
                    if value.lower().startswith(name.lower()):
                        value = value[len(name) :]
                        break
                else:
                    raise _ParseError
            elif token in ("2", "_2", "02day"):
                if token == "_2" and value.startswith(" "):
                    value = value[1:]
                day, value = _take_number(value, 2, 2, token == "02day")
            elif token in ("__2", "002"):
                value = value.lstrip(" ") if token == "__2" else value
                _, value = _take_number(value, 3, 3, token == "002")
            elif token == "15":
                hour, value = _take_number(value, 2, 2, False)
            elif token in ("3", "03hour"):
                hour, value = _take_number(value, 2, 2, token == "03hour")
            elif token in ("4", "04minute"):
                minute, value = _take_number(value, 2, 2, token == "04minute")
            elif token in ("5", "05second"):
                second, value = _take_number(value, 2, 2, token == "05second")
                frac = re.match(r"[.,](\d+)", value)
                if frac and not _next_chunk(layout)[1].startswith((".", ",")):
                    nanos = int(frac.group(1)[:9].ljust(9, "0"))
                    value = value[frac.end() :]
            elif token in ("PM", "pm"):
                marker = value[:2].upper()
                if marker not in ("AM", "PM"):
                    raise _ParseError
                pm, value = marker == "PM", value[2:]
            elif token == "MST":
                match = re.match(r"[A-Z]{3,5}|[+-]\d+", value)
                if not match:
                    raise _ParseError
                zone_utc = match.group(0) in ("UTC", "GMT")
                offset = 0 if offset is None else offset
                value = value[match.end() :]
            elif token[0] in "-Z":
                if token[0] == "Z" and value.startswith("Z"):
                    offset, value = 0, value[1:]
                    continue
                match = re.match(r"([+-])(\d\d):?(\d\d)?:?(\d\d)?", value)
                if not match:
                    raise _ParseError
                sign = -1 if match.group(1) == "-" else 1
                offset = sign * (
                    int(match.group(2)) * 3600 + int(match.group(3) or 0) * 60 + int(match.group(4) or 0)
                )
                value = value[match.end() :]
            else:
                match = re.match(
                    r"[.,](\d+)" if token[1] == "9" else r"[.,](\d{%d})" % (len(token) - 1), value
                )
                if not match:
                    if token[1] == "9":
                        continue
                    raise _ParseError
                nanos = int(match.group(1)[:9].ljust(9, "0"))
                value = value[match.end() :]
        if pm is not None:
            if hour > 12:
                raise _ParseError
            hour = hour % 12 + (12 if pm else 0)
        zone: tzinfo = default_zone if offset is None else timezone(timedelta(seconds=offset))
        if zone_utc or offset == 0:
            zone = timezone.utc
        moment = datetime(year, month, day, hour, minute, second, nanos // 1000, tzinfo=zone)
    except (_ParseError, ValueError) as exc:
        raise FunctionError(
            f'parsing time "{original_value}" as "{original_layout}": cannot parse "{value}" as layout'
        ) from exc
    return GoTime(moment, nanos)


# ---------------------------------------------------------------------------
# Durations
# ---------------------------------------------------------------------------

_UNITS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "μs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}


def go_parse_duration(text: str) -> int:
    """Go's time.ParseDuration, in nanoseconds (``FunctionError`` when invalid)."""
    original = text
    negative = text.startswith("-")
    if text[:1] in "+-" and text:
        text = text[1:]
    if text == "0":
        return 0
    if not text:
        raise FunctionError(f'time: invalid duration "{original}"')
    total = 0.0
    while text:
        match = re.match(r"(\d*)(?:\.(\d*))?", text)
        assert match is not None  # every part is optional: it matches the empty string
        whole, frac = match.group(1), match.group(2)
        if not whole and not frac:
            raise FunctionError(f'time: invalid duration "{original}"')
        text = text[match.end() :]
        unit_match = re.match(r"ns|us|µs|μs|ms|s|m|h", text)
        if not unit_match:
            raise FunctionError(
                f'time: missing unit in duration "{original}"'
                if not text or text[0].isdigit() or text[0] == "."  # as Go: no unit before the next number
                else f'time: unknown unit "{re.sub(r"[0-9.].*", "", text, flags=re.S)}" in duration "{original}"'
            )
        unit = _UNITS[unit_match.group(0)]
        text = text[unit_match.end() :]
        total += int(whole or "0") * unit
        if frac:
            total += int(frac) * unit // 10 ** len(frac)
    result = int(total)
    if result >= 2**63:
        raise FunctionError(f'time: invalid duration "{original}"')
    return -result if negative else result


def go_format_duration(nanoseconds: int) -> str:
    """Go's Duration.String: ``1h2m3.5s``, ``1.5ms``, ``0s``."""
    if nanoseconds == 0:
        return "0s"
    negative = nanoseconds < 0
    value = abs(nanoseconds)
    if value < 1_000_000_000:
        for unit, size in (("ns", 1), ("µs", 1_000), ("ms", 1_000_000)):
            if value < size * 1000:
                text = _fraction(value, size) + unit
                return ("-" if negative else "") + text
    seconds_part = _fraction(value % 60_000_000_000, 1_000_000_000) + "s"
    minutes = value // 60_000_000_000
    text = seconds_part
    if minutes:
        text = f"{minutes % 60}m" + text
        hours = minutes // 60
        if hours:
            text = f"{hours}h" + text
    return ("-" if negative else "") + text


def _fraction(value: int, unit: int) -> str:
    whole, rest = divmod(value, unit)
    if not rest:
        return str(whole)
    digits = len(str(unit)) - 1
    return f"{whole}." + f"{rest:0{digits}d}".rstrip("0")


# ---------------------------------------------------------------------------
# Sprig functions
# ---------------------------------------------------------------------------


def _load_zone(name: str) -> tzinfo:
    if name in ("", "UTC", "Local"):
        return timezone.utc
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:  # unknown zone or no tz database: Sprig falls back to UTC
        return timezone.utc


def functions(now: datetime | None = None) -> dict[str, Callable[..., Any]]:
    """The Sprig date functions for one render's fixed clock."""
    fixed_now = GoTime(now if now is not None else DEFAULT_NOW)

    def as_time(value: Any) -> GoTime:
        """Sprig's date argument: a time, Unix seconds as an integer, else the fixed now."""
        if isinstance(value, GoTime):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return GoTime(_EPOCH + timedelta(seconds=value))
        return fixed_now

    def date_in_zone(layout: Any, when: Any, zone: Any) -> str:
        """``dateInZone LAYOUT TIME ZONE``."""
        moment = as_time(when)
        target = _load_zone(arg_string(zone))
        return go_format_time(GoTime(moment.moment.astimezone(target), moment.nanosecond), arg_string(layout))

    def date(layout: Any, when: Any) -> str:
        """``date LAYOUT TIME`` (Local = UTC)."""
        return date_in_zone(layout, when, "Local")

    def html_date(when: Any) -> str:
        """``htmlDate TIME``: ``2006-01-02``."""
        return date_in_zone("2006-01-02", when, "Local")

    def html_date_in_zone(when: Any, zone: Any) -> str:
        """``htmlDateInZone TIME ZONE``."""
        return date_in_zone("2006-01-02", when, zone)

    def date_modify(change: Any, when: Any) -> GoTime:
        """``dateModify "-1.5h" TIME``: unchanged TIME when the duration is invalid."""
        moment = _require_time(when)
        try:
            return moment.add_nanoseconds(go_parse_duration(arg_string(change)))
        except FunctionError:
            return moment

    def must_date_modify(change: Any, when: Any) -> GoTime:
        """``mustDateModify``: an invalid duration is an error."""
        return _require_time(when).add_nanoseconds(go_parse_duration(arg_string(change)))

    def ago(when: Any) -> str:
        """``ago TIME``: time since TIME (to the fixed now), rounded to seconds."""
        moment = as_time(when)
        since = fixed_now.nanoseconds_since(moment)
        return go_format_duration(_round(since, 1_000_000_000))

    def duration(seconds: Any) -> str:
        """``duration SECONDS`` (string or integer; anything else is 0s)."""
        if isinstance(seconds, str):
            parsed = re.fullmatch(r"[+-]?\d+", seconds)
            count = int(seconds) if parsed and abs(int(seconds)) < 2**63 else 0
        elif isinstance(seconds, int) and not isinstance(seconds, bool):
            count = seconds
        else:
            count = 0
        return go_format_duration(count * 1_000_000_000)

    def duration_round(value: Any) -> str:
        """``durationRound D``: the largest whole unit (y, mo, d, h, m, s)."""
        if isinstance(value, str):
            try:
                nanos = go_parse_duration(value)
            except FunctionError:
                nanos = 0
        elif isinstance(value, int) and not isinstance(value, bool):
            nanos = value
        elif isinstance(value, GoTime):
            nanos = fixed_now.nanoseconds_since(value)
        else:
            nanos = 0
        magnitude = abs(nanos)
        hour = 3_600_000_000_000
        for unit, size in (
            ("y", hour * 24 * 365),
            ("mo", hour * 24 * 30),
            ("d", hour * 24),
            ("h", hour),
            ("m", 60_000_000_000),
            ("s", 1_000_000_000),
        ):
            if magnitude > size:
                return f"{magnitude // size}{unit}"
        return "0s"

    def to_date(layout: Any, text: Any) -> GoTime:
        """``toDate LAYOUT S``: the zero time when S does not match."""
        try:
            return go_parse_time(arg_string(layout), arg_string(text))
        except FunctionError:
            return GoTime(_ZERO_TIME)

    def must_to_date(layout: Any, text: Any) -> GoTime:
        """``mustToDate LAYOUT S``."""
        return go_parse_time(arg_string(layout), arg_string(text))

    def unix_epoch(when: Any) -> str:
        """``unixEpoch TIME``: seconds since 1970 as a string."""
        return str(_require_time(when).Unix())

    def now_() -> GoTime:
        """``now``: the render's fixed instant."""
        return fixed_now

    return {
        "now": now_,
        "date": date,
        "dateInZone": date_in_zone,
        "date_in_zone": date_in_zone,
        "htmlDate": html_date,
        "htmlDateInZone": html_date_in_zone,
        "dateModify": date_modify,
        "date_modify": date_modify,
        "mustDateModify": must_date_modify,
        "must_date_modify": must_date_modify,
        "ago": ago,
        "duration": duration,
        "durationRound": duration_round,
        "toDate": to_date,
        "mustToDate": must_to_date,
        "unixEpoch": unix_epoch,
    }


def _require_time(value: Any) -> GoTime:
    if isinstance(value, GoTime):
        return value
    from medlint.helm.functions.reflect import type_of

    if value is None:
        raise FunctionError("invalid value; expected time.Time")
    raise FunctionError(f"wrong type for value; expected time.Time; got {type_of(value)}")


def _round(nanos: int, unit: int) -> int:
    """Go's Duration.Round (half away from zero)."""
    remainder = abs(nanos) % unit
    magnitude = abs(nanos) - remainder
    if remainder * 2 >= unit:
        magnitude += unit
    return magnitude if nanos >= 0 else -magnitude
