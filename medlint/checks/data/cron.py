"""Cron schedules as the CronJob controller reads them (robfig/cron standard syntax), and the largest time
between two runs over the next five years, time zone included: what MD702 compares with the RPO."""

from __future__ import annotations

import datetime
import itertools
import re
from dataclasses import dataclass

from medlint.model.durations import duration_seconds

# -- cron schedules (robfig/cron standard syntax, as the CronJob controller reads it)


CRON_MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
CRON_FIELDS = ((0, 59, ()), (0, 23, ()), (1, 31, ()), (1, 12, MONTH_NAMES), (0, 6, DAY_NAMES))
WINDOW_DAYS = 5 * 366 + 1  # long enough for yearly and leap-day schedules to repeat


@dataclass(frozen=True, slots=True)
class CronField:
    values: frozenset[int]
    star: bool  # `*` or `?` without a step: the day-of-month / day-of-week rule then needs both to match


@dataclass(frozen=True, slots=True)
class CronSchedule:
    minutes: CronField
    hours: CronField
    days: CronField
    months: CronField
    weekdays: CronField

    def runs_on(self, day: datetime.date) -> bool:
        if day.month not in self.months.values:
            return False
        day_match = day.day in self.days.values
        weekday_match = day.isoweekday() % 7 in self.weekdays.values
        if self.days.star or self.weekdays.star:
            return day_match and weekday_match
        return day_match or weekday_match


def _cron_value(text: str, names: tuple[str, ...], low: int) -> int | None:
    if text.isdigit():
        return int(text)
    lowered = text.lower()
    return names.index(lowered) + low if lowered in names else None


def _cron_span(
    span: str, has_step: bool, low: int, high: int, names: tuple[str, ...]
) -> tuple[int, int, bool] | None:
    """(first, last, includes Sunday as 7) of one `a`, `a-b`, `*` or `a/step` part (`a/step` runs to the end)."""
    if span in ("*", "?"):
        return low, high, False
    first_text, _, last_text = span.partition("-")
    first = _cron_value(first_text, names, low)
    last = _cron_value(last_text, names, low) if last_text else (high if has_step else first)
    if first is None or last is None:
        return None
    sunday_as_seven = names is DAY_NAMES and last == 7
    if sunday_as_seven:
        first, last = (0, 0) if first == 7 else (first, 6)
    return first, last, sunday_as_seven


def _cron_field(text: str, low: int, high: int, names: tuple[str, ...]) -> CronField | None:
    values: set[int] = set()
    star = False
    for part in text.split(","):
        span, _, step_text = part.partition("/")
        if step_text and (not step_text.isdigit() or int(step_text) == 0):
            return None
        step = int(step_text) if step_text else 1
        bounds = _cron_span(span, bool(step_text), low, high, names)
        if bounds is None or not low <= bounds[0] <= bounds[1] <= high:
            return None
        first, last, sunday_as_seven = bounds
        star = star or (span in ("*", "?") and step == 1)  # robfig/cron: a step clears the "*" mark
        values.update(range(first, last + 1, step))
        if sunday_as_seven:
            values.add(0)
    return CronField(frozenset(values), star)


def parse_cron(schedule: str) -> CronSchedule | float | None:
    """A 5-field schedule or macro; `@every <duration>` gives its period in seconds; None when unreadable."""
    text = re.sub(r"^(CRON_)?TZ=\S+\s+", "", schedule.strip())
    if text.startswith("@every "):
        return duration_seconds(text[len("@every ") :])
    fields = CRON_MACROS.get(text.lower(), text).split()
    if len(fields) != 5:
        return None
    parsed = [_cron_field(field, low, high, names) for field, (low, high, names) in zip(fields, CRON_FIELDS)]
    if any(item is None for item in parsed):
        return None
    return CronSchedule(*parsed)  # type: ignore[arg-type]


def _zone(name: str | None) -> datetime.tzinfo:
    if not name:
        return datetime.timezone.utc
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:
        return datetime.timezone.utc


def _instants(day: datetime.date, minutes_of_day: list[int], zone: datetime.tzinfo) -> list[float]:
    return [
        datetime.datetime(day.year, day.month, day.day, m // 60, m % 60, tzinfo=zone).timestamp()
        for m in minutes_of_day
    ]


def _changes_offset(day: datetime.date, zone: datetime.tzinfo) -> bool:
    start = datetime.datetime(day.year, day.month, day.day, tzinfo=zone)
    end = start + datetime.timedelta(days=1)
    return start.utcoffset() != end.replace(tzinfo=zone).utcoffset()


def largest_gap(schedule: str, time_zone: str | None, start: datetime.date) -> datetime.timedelta | None:
    """The largest time between consecutive runs over the next five years, honouring the time zone.

    `timedelta.max` when the schedule never fires; None when it cannot be read.
    """
    parsed = parse_cron(schedule)
    if parsed is None:
        return None
    if isinstance(parsed, float):
        return datetime.timedelta(seconds=parsed)
    zone = _zone(time_zone)
    times = sorted(h * 60 + m for h in parsed.hours.values for m in parsed.minutes.values)
    same_day_gap = max((b - a for a, b in itertools.pairwise(times)), default=0) * 60.0
    largest, previous_last = 0.0, None
    for offset in range(WINDOW_DAYS):
        day = start + datetime.timedelta(days=offset)
        if not parsed.runs_on(day):
            continue
        if _changes_offset(day, zone):
            instants = _instants(day, times, zone)
            largest = max([largest] + [b - a for a, b in itertools.pairwise(instants)])
        else:
            instants = _instants(day, [times[0], times[-1]], zone)
            largest = max(largest, same_day_gap)
        if previous_last is not None:
            largest = max(largest, instants[0] - previous_last)
        previous_last = instants[-1]
    if previous_last is None:
        return datetime.timedelta.max
    return datetime.timedelta(seconds=largest)
