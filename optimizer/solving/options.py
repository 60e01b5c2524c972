"""What a solve is asked (``SolveOptions``) and what it answers (``SolveResult``).

A leaf module: it imports no solver and no Pyomo, so the scenario checks (``qroad
validate``) can name the strategies without loading either. ``STRATEGIES`` is the one
list of strategy names; ``optimizer.solving.strategies`` maps each to its function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from optimizer.solving.budget import TimeBudget

Strategy = Literal["auto", "exact", "rolling", "decomposed"]
STRATEGIES: tuple[str, ...] = get_args(Strategy)
"""``auto`` (one of the others, chosen by the model's size), ``exact`` (the MIP),
``rolling`` (period by period) or ``decomposed`` (the MIP on the candidate links the LP
relaxation uses); docs/model.md, "Strategies"."""

Status = Literal["optimal", "time_limit", "infeasible", "no_solution", "error"]
PLAN_STATUSES: tuple[str, ...] = ("optimal", "time_limit")
"""Statuses that come with a feasible plan (``time_limit``: not proven within the gap)."""

Progress = Callable[[dict[str, Any]], None]
"""Receives ``{"stage": ..., "elapsed_s": ..., **info}`` as a solve goes (docs/model.md)."""


def has_plan(status: str) -> bool:
    """The one rule: a run has a plan when its status is in ``PLAN_STATUSES``."""
    return status in PLAN_STATUSES


def gap_between(objective: float | None, bound: float | None) -> float | None:
    """``|objective - bound| / |objective|`` (0 when they agree to 1e-9), None if either is."""
    if objective is None or bound is None:
        return None
    diff = abs(objective - bound)
    return 0.0 if diff <= 1e-9 * max(1.0, abs(objective)) else diff / max(abs(objective), 1e-9)


def gap_text(gap: float | None) -> str:
    """A gap for messages: ``"12.34 %"``, or ``"n/a"`` without one."""
    return "n/a" if gap is None else f"{100 * gap:.2f} %"


@dataclass(frozen=True)
class SolveOptions:
    """Solver settings (from the scenario's ``solver`` block).

    ``time_limit_s`` bounds the whole solve; ``budget`` shares it among the stages.
    ``relax_integers`` makes system counts continuous (site equipment stays binary).
    ``warm_start`` hands the MIP an LP-guided rounded plan; ``two_stage`` first solves the
    MIP with relaxed counts and rounds its plan up (docs/model.md, "Solving").
    ``first_plan`` stops the exact stages at the first plan with a bound (the LP bound and
    the rounded start), skipping the relaxed-count MIP and the MIP: for many solves of a
    large model (the hedge's single futures), where those rarely beat the rounding.
    ``log_path`` receives HiGHS's log; ``model_path`` (``.lp`` or ``.mps``) the model as
    built, written before solving."""

    time_limit_s: float = 120.0
    mip_gap: float = 0.01
    threads: int = 2
    seed: int = 0
    strategy: Strategy = "auto"
    relax_integers: bool = False
    warm_start: bool = True
    two_stage: bool = True
    guided_thresholds: tuple[float | None, ...] = (None,)
    repair_rounds: int = 3
    first_plan: bool = False
    budget: TimeBudget = field(default_factory=TimeBudget)
    log_path: Path | None = None
    model_path: Path | None = None

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(
                f"unknown strategy {self.strategy!r}; allowed: {', '.join(STRATEGIES)}"
            )


@dataclass
class SolveResult:
    """Outcome of a solve. Objective and bounds in discounted EUR; ``gap`` is
    ``|objective - bound| / |objective|``; ``start_objective`` is the warm start's cost
    (with ``two_stage``, the rounded relaxed-count plan's); ``relaxed_bound`` the
    relaxed-count MIP's dual bound (a valid lower bound of the integer model)."""

    status: Status
    objective: float | None
    bound: float | None
    gap: float | None
    lp_bound: float | None
    timings_s: dict[str, float] = field(default_factory=dict)
    solver_version: str = ""
    message: str = ""
    start_objective: float | None = None
    relaxed_bound: float | None = None
    strategy: str = ""  # the strategy that solved (``auto`` names its choice)

    @property
    def has_solution(self) -> bool:
        return has_plan(self.status)
