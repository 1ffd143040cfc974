"""Property-based tests: arbitrary input gives a model or a clear error, never another exception.

A bounded number of examples per target keeps this part of the suite to seconds (set
MEDLINT_PROPERTY_EXAMPLES to change it); `benchmarks/bench_properties.py` runs far more. Hypothesis keeps
the examples that failed in its database, so a failure found once is tried first next time.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.properties.targets import TARGETS, Target

EXAMPLES = int(os.environ.get("MEDLINT_PROPERTY_EXAMPLES", "60"))


def _check(item: Target, value: Any) -> None:
    with contextlib.suppress(*item.clear):  # a clear error: the loader turns it into a finding
        item.run(value)


@pytest.mark.parametrize("item", TARGETS, ids=[item.name for item in TARGETS])
def test_arbitrary_input_gives_a_model_or_a_clear_error(item: Target) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,  # the same examples on every run: CI stays reproducible
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        database=None,
    )
    @given(item.strategy)
    def run(value: Any) -> None:
        _check(item, value)

    run()
