"""``TimeBudget``: how one solve's time limit is shared among its stages, stated once.

Every strategy asks this object, and nothing else, how long a stage may run. Shares are
fractions of the solve's time limit ("of the limit") or of the time still left ("of the
time left"); the ``min_*`` floors let a stage that must finish (a bound, a check) run a
little past the limit rather than report nothing. ``qroad --debug run`` prints the table
(``describe``); docs/model.md, "Time budget", explains each choice.

A sub-solve (a rolling step, decomposed's restricted model) is an exact solve with its own
time limit and the same shares.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any


def _share(default: float, doc: str) -> float:
    """A field with its meaning kept beside it (printed by ``TimeBudget.describe``)."""
    return field(default=default, metadata={"doc": doc})


@dataclass(frozen=True)
class TimeBudget:
    """Shares (fractions) and floors (seconds) of a solve's time limit, per stage."""

    exact_lp: float = _share(
        0.6,
        "exact: the LP relaxation (bound and rounding start), at most this of the "
        "limit, so the MIP keeps time to find a plan without it.",
    )
    exact_rounding_stop: float = _share(
        0.2, "exact: no further LP-guided rounding once less than this of the limit is left."
    )
    exact_repair_stop: float = _share(
        0.3, "exact: no further repair round once less than this of the limit is left."
    )
    exact_relaxed_mip: float = _share(
        0.5,
        "exact (two-stage): the relaxed-count MIP, this of the time left; the MIP the rest.",
    )
    rolling_steps: float = _share(
        0.6,
        "rolling: all period steps together, this of the limit, shared equally by the "
        "steps still to come (time a step leaves unused goes to the later ones); then "
        "check and bound.",
    )
    decomposed_lp: float = _share(
        0.5, "decomposed: the full model's LP relaxation (bound and link selection)."
    )
    decomposed_evaluation: float = _share(
        0.05, "decomposed: kept back from the restricted solve for evaluating its plan."
    )
    lexicographic_first: float = _share(
        0.5,
        "served objective (budget studies): the first stage, most weighted key served, "
        "this of the limit; the cheapest plan serving it the rest.",
    )
    min_run_s: float = _share(1.0, "no HiGHS run is given less than this.")
    min_step_s: float = _share(
        5.0, "a rolling step or decomposed's restricted solve gets at least this."
    )
    min_check_s: float = _share(
        30.0,
        "rolling: HiGHS routing the periods whose step found no plan gets at least this.",
    )
    min_bound_s: float = _share(
        10.0,
        "a heuristic plan's LP bound (rolling; decomposed without the full LP) gets at "
        "least this, even past the limit: without it the plan has no gap.",
    )

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            share = not f.name.startswith("min_")
            if value < 0 or (share and value > 1):
                allowed = "a fraction in [0, 1]" if share else "seconds >= 0"
                raise ValueError(f"TimeBudget.{f.name} = {value!r}: allowed {allowed}")

    # -- exact ----------------------------------------------------------------------------
    def lp_s(self, limit_s: float) -> float:
        return self.exact_lp * limit_s

    def may_round(self, left_s: float, limit_s: float) -> bool:
        return left_s >= self.exact_rounding_stop * limit_s

    def may_repair(self, left_s: float, limit_s: float) -> bool:
        return left_s >= self.exact_repair_stop * limit_s

    def relaxed_mip_s(self, left_s: float) -> float:
        return self.exact_relaxed_mip * max(left_s, 0.0)

    def run_s(self, left_s: float, stage_s: float | None = None) -> float:
        """One HiGHS run: the time left, capped by its stage's share, at least ``min_run_s``."""
        allowed = left_s if stage_s is None else min(left_s, stage_s)
        return max(allowed, self.min_run_s)

    # -- rolling --------------------------------------------------------------------------
    def rolling_step_s(self, limit_s: float, elapsed_s: float, steps_left: int) -> float:
        steps_end_s = self.rolling_steps * limit_s
        return max(max(steps_end_s - elapsed_s, 0.0) / max(steps_left, 1), self.min_step_s)

    def check_s(self, left_s: float) -> float:
        return max(left_s, self.min_check_s)

    def bound_s(self, left_s: float) -> float:
        return max(left_s, self.min_bound_s)

    # -- decomposed -----------------------------------------------------------------------
    def decomposed_lp_s(self, limit_s: float) -> float:
        return self.decomposed_lp * limit_s

    def decomposed_plan_s(self, limit_s: float, elapsed_s: float) -> float:
        return max(limit_s * (1.0 - self.decomposed_evaluation) - elapsed_s, self.min_step_s)

    def describe(self) -> list[tuple[str, float, str]]:
        """(name, value, what it means) for every share and floor, for ``--debug``."""
        return [
            (f.name, float(getattr(self, f.name)), " ".join(f.metadata["doc"].split()))
            for f in fields(self)
        ]


class Clock:
    """A stage's clock: seconds since it started, seconds left of ``limit_s``, and progress
    events stamped with the elapsed time (``{"stage": ..., "elapsed_s": ..., **info}``)."""

    def __init__(
        self, limit_s: float, progress: Callable[[dict[str, Any]], None] | None = None
    ) -> None:
        self.t0 = time.perf_counter()
        self.limit_s = limit_s
        self.progress = progress

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def left(self) -> float:
        return self.limit_s - self.elapsed()

    def emit(self, stage: str, **info: Any) -> None:
        if self.progress is not None:
            self.progress({"stage": stage, "elapsed_s": round(self.elapsed(), 3), **info})
