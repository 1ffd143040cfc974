"""Cron schedules: the largest time between two runs, time zones included."""

from __future__ import annotations

import datetime

import pytest

from medlint.checks.data.cron import largest_gap, parse_cron


@pytest.mark.parametrize(
    "schedule, zone, hours",
    [
        ("0 2 * * *", None, 24),
        ("@hourly", None, 1),
        ("15 */6 * * *", None, 6),
        ("0 2 * * 1-5", None, 72),  # Friday to Monday
        ("0 0 1,15 * *", None, 17 * 24),  # 15th to the 1st of a 31-day month
        ("30 2 * * *", "Europe/Berlin", 25),  # the clocks go back once a year
        ("@every 12h", None, 12),
        ("0 0 1 * 1", None, 7 * 24),  # both day fields restricted: either may match
    ],
)
def test_largest_gap(schedule: str, zone: str | None, hours: float) -> None:
    gap = largest_gap(schedule, zone, datetime.date(2026, 1, 1))
    assert gap is not None and gap.total_seconds() / 3600 == hours


def test_unreadable_and_impossible_schedules() -> None:
    assert parse_cron("every day") is None
    assert largest_gap("0 0 30 2 *", None, datetime.date(2026, 1, 1)) == datetime.timedelta.max
