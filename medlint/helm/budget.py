"""Budgets for rendering untrusted charts: one for the whole run, and one per chart drawing on it.

Helm has no limits; a hostile chart can loop for ever or grow its output without bound. medlint renders
every chart under a :class:`RenderBudget` of evaluation steps (the engine's node evaluations plus the work
functions report) that covers all the chart's values sets together, inside a budget for the run. Steps are
counted, not timed, so the same chart stops at the same place on any machine: output never depends on load.
Each budget also has a wall-clock deadline, generous, as a backstop only.

A budget that runs out raises :class:`~medlint.helm.gotemplate.errors.BudgetExceeded`; the linter then
reports the whole chart as one MD003 ("render budget exceeded: ..., limit N") instead of a partial render.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from medlint.helm.gotemplate import BudgetExceeded, StepMeter
from medlint.limits import DEFAULT_LIMITS, Limits

__all__ = ["RenderBudget"]


class RenderBudget(StepMeter):
    """Evaluation steps and seconds for a scope (``"chart"`` or ``"run"``), inside an optional parent."""

    def __init__(
        self,
        steps: int,
        seconds: float,
        scope: str,
        parent: RenderBudget | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(steps, f"evaluation steps per {scope} (max_render_steps_per_{scope})")
        self.scope = scope
        self.seconds = seconds
        self.parent = parent
        self.clock = clock
        self.deadline = clock() + seconds

    @classmethod
    def for_run(cls, limits: Limits = DEFAULT_LIMITS) -> RenderBudget:
        return cls(limits.max_render_steps_per_run, limits.max_render_seconds_per_run, "run")

    def for_chart(self, limits: Limits = DEFAULT_LIMITS) -> RenderBudget:
        """A budget for one chart (all its values sets) that also spends this one's."""
        return RenderBudget(
            limits.max_render_steps_per_chart, limits.max_render_seconds_per_chart, "chart", self, self.clock
        )

    def allowance(self) -> int:
        own = max(self.left, 0)
        return own if self.parent is None else min(own, self.parent.allowance())

    def spend(self, steps: int) -> None:
        self.left -= steps
        if self.parent is not None:
            self.parent.spend(steps)

    def exhausted(self) -> BudgetExceeded:
        """The error for the budget that ran out: this one's, or the parent's when that is the tighter."""
        if self.parent is not None and self.parent.allowance() < max(self.left, 0):
            return self.parent.exhausted()
        return BudgetExceeded(
            f"exceeded the step budget of the {self.scope} ({self.limit})", self.what, self.limit
        )

    def check_time(self) -> None:
        """Raise BudgetExceeded once this budget's (or a parent's) deadline has passed."""
        if self.clock() > self.deadline:
            raise BudgetExceeded(
                f"rendering took longer than {self.seconds:g} s",
                f"seconds per {self.scope} (max_render_seconds_per_{self.scope})",
                self.seconds,
            )
        if self.parent is not None:
            self.parent.check_time()

    def check_steps(self) -> None:
        """Raise BudgetExceeded when no step is left (before starting more work)."""
        if self.allowance() <= 0:
            raise self.exhausted()
