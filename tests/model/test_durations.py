"""Go durations, read the same way for Dockerfile HEALTHCHECK flags, Compose and Kubernetes."""

from __future__ import annotations

import pytest

from medlint.model.durations import duration_seconds, parse_go_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30.0),
        ("1m30s", 90.0),
        ("1h", 3600.0),
        ("250ms", 0.25),
        ("1.5s", 1.5),
        (".5s", 0.5),
        ("100us", 0.0001),
        ("100µs", 0.0001),  # micro sign
        ("100μs", 0.0001),  # Greek mu: Go accepts both
        ("0", 0.0),
        ("0h0m", 0.0),
        ("-1m", -60.0),
        ("+2s", 2.0),
        ("10", None),
        ("1d", None),
        ("1m 30s", None),
        ("", None),
        ("s", None),
        ("--1m", None),
    ],
)
def test_parse_go_duration(text: str, seconds: float | None) -> None:
    assert parse_go_duration(text) == (seconds if seconds is None else pytest.approx(seconds))


@pytest.mark.parametrize(("value", "seconds"), [(" 30s ", 30.0), (30, None), (None, None), ("  ", None)])
def test_duration_seconds_reads_strings_only(value: object, seconds: float | None) -> None:
    assert duration_seconds(value) == seconds
