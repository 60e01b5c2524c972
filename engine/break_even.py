"""Break-even of an unused technology found by re-solving (issue 20), not from LP reduced
costs nor from a cost comparison.

``break_even_by_resolve(scenario, tech)`` multiplies the technology's capex and opex per
system (the scenario's ``technologies.overrides`` where set, else the catalogue's; learning
then applies to the lower arrival price) by a price factor f, re-solves the whole plan with
the scenario's own solver settings, and bisects on f ∈ [1 − max_cut, 1] for the largest f at
which the plan installs any of its systems (in ``period``, else in any period).

Entering is assumed monotone in the price, true of optimal solves; a solve stopped by its
time limit or gap may break it, so each re-solve's status and cost are kept. A re-solve
without a plan (a must-serve scenario left infeasible: no "serve most" retry here) counts as
"does not enter".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from engine.catalogue import load_catalogue
from engine.scenario import Scenario
from engine.scenario.models import TechOverride

_TOL_SYSTEMS = 1e-6  # systems below this count as none (relaxed strategies give fractions)


@dataclass(frozen=True)
class Outcome:
    """One re-solve's answer: solver status, systems of the technology installed
    (``systems_installed``), plan cost (discounted €, penalty apart; None without a plan)."""

    status: str
    systems: float
    cost_eur: float | None


Solve = Callable[[Scenario, str, int | None], Outcome]


@dataclass(frozen=True)
class Resolve(Outcome):
    """One re-solve of the bisection: its ``Outcome``, price factor (1 = today's price),
    and whether the technology entered."""

    factor: float = 1.0
    enters: bool = False


@dataclass(frozen=True)
class BreakEven:
    """Result of ``break_even_by_resolve``. ``factor`` is the largest price factor found at
    which the technology enters (None: it does not enter even at 1 − ``max_cut``); the true
    break-even lies in [factor, factor + tolerance]."""

    tech: str
    period: int | None
    factor: float | None
    max_cut: float
    tolerance: float
    resolves: list[Resolve] = field(default_factory=list)

    @property
    def enters(self) -> bool:
        return self.factor is not None  # it enters at some factor ≥ 1 − max_cut

    @property
    def cut_pct(self) -> float | None:
        """The price cut, % (100 × (1 − factor)); None when it never enters."""
        return None if self.factor is None else 100.0 * (1.0 - self.factor)

    @property
    def solves(self) -> int:  # how many re-solves the bisection ran
        return len(self.resolves)

    def summary(self) -> str:
        """One sentence for a reader."""
        where = f"in {self.period}" if self.period is not None else "in any period"
        if self.factor is None:
            return (
                f"{self.tech} does not enter the plan {where} even at {100 * self.max_cut:.0f} % "
                f"cheaper ({self.solves} re-solves)."
            )
        if self.factor >= 1.0:
            return f"{self.tech} is in the plan {where} at today's price."
        return (
            f"{self.tech} enters the plan {where} at price factor {self.factor:.3f} or lower: "
            f"{self.cut_pct:.1f} % cheaper (to within {100 * self.tolerance:.2g} points; "
            f"{self.solves} re-solves)."
        )

    def table(self) -> pd.DataFrame:
        """The re-solves in the order they ran, with a reader's column names (units in them)."""
        return pd.DataFrame(
            [
                {
                    "Re-solve": i + 1,
                    "Price factor": round(r.factor, 4),
                    "Price cut (%)": round(100.0 * (1.0 - r.factor), 1),
                    f"{self.tech} systems installed": r.systems,
                    "Enters": "yes" if r.enters else "no",
                    "Plan cost (discounted €)": r.cost_eur,
                    "Solver status": r.status,
                }
                for i, r in enumerate(self.resolves)
            ]
        )


def priced(
    scenario: Scenario, tech: str, factor: float, *, time_limit_s: float | None = None
) -> Scenario:
    """``scenario`` with ``tech``'s capex (€ per system) and opex (€ per system and year)
    × ``factor``, through ``technologies.overrides`` (its other overrides kept), and the
    solver's time limit (s) lowered to ``time_limit_s`` when given."""
    listed = load_catalogue().technologies[tech]
    techs = scenario.technologies
    own = techs.overrides.get(tech) or TechOverride()
    capex = own.capex_eur if own.capex_eur is not None else listed.capex_eur
    opex = own.opex_eur_per_year if own.opex_eur_per_year is not None else listed.opex_eur_per_year
    cheaper = own.model_copy(
        update={"capex_eur": float(capex) * factor, "opex_eur_per_year": float(opex) * factor}
    )
    overrides = {**techs.overrides, tech: cheaper}
    update: dict = {"technologies": techs.model_copy(update={"overrides": overrides})}
    if time_limit_s is not None:
        limit = min(float(time_limit_s), scenario.solver.time_limit_s)
        update["solver"] = scenario.solver.model_copy(update={"time_limit_s": limit})
    return scenario.model_copy(update=update)  # keeps the source file (relative paths)


def systems_installed(builds: pd.DataFrame, tech: str, period: int | None) -> float:
    """Systems of ``tech`` installed in ``period``, or the most in any one period (None)."""
    rows = builds[builds["tech"] == tech]
    if period is not None:
        return float(rows.loc[rows["period"] == period, "systems_installed"].sum())
    per_period = rows.groupby("period")["systems_installed"].sum()
    return float(per_period.max()) if len(per_period) else 0.0


def resolve(scenario: Scenario, tech: str, period: int | None) -> Outcome:
    """The default re-solve: ``engine.prepare.prepare`` + ``optimizer.optimise`` with the
    scenario's solver options (nothing written)."""
    from engine.pipeline import solve_options
    from engine.prepare import prepare
    from engine.results.headline import headline
    from optimizer import has_plan, optimise

    result, tables = optimise(prepare(scenario).model_data, solve_options(scenario))
    if not has_plan(result.status):
        return Outcome(result.status, 0.0, None)
    cost = headline(tables["costs"], tables["served"])["cost_eur"]
    return Outcome(result.status, systems_installed(tables["builds"], tech, period), cost)


def break_even_by_resolve(
    scenario: Scenario,
    tech: str,
    *,
    period: int | None = None,
    max_cut: float = 0.95,
    tolerance: float = 0.02,
    time_limit_s: float | None = None,
    known_unused: bool = False,
    solve: Solve | None = None,
) -> BreakEven:
    """Bisect on the price factor f ∈ [1 − max_cut, 1] of ``tech``'s capex and opex for the
    largest f at which the re-solved plan installs any of its systems (in ``period``, or any
    period), to within ``tolerance`` (of f, not %). ``time_limit_s`` (s) shortens each
    re-solve's limit; ``known_unused`` skips the re-solve at f = 1 (the caller's run shows
    it unused); ``solve(scenario, tech, period) -> Outcome`` defaults to ``resolve``.
    Re-solves: f = 1 (unless ``known_unused``), f = 1 − max_cut, then
    ⌈log2(max_cut / tolerance)⌉ bisection steps (6 for the defaults)."""
    if not (0.0 < max_cut < 1.0 and 0.0 < tolerance < 1.0):
        raise ValueError("max_cut and tolerance must lie strictly between 0 and 1")
    if tech not in scenario.technologies.enabled:
        raise ValueError(f"{tech} is not enabled in scenario {scenario.name}")
    run = solve or resolve
    done: list[Resolve] = []

    def enters(factor: float) -> bool:
        out = run(priced(scenario, tech, factor, time_limit_s=time_limit_s), tech, period)
        hit = out.systems > _TOL_SYSTEMS
        done.append(Resolve(out.status, out.systems, out.cost_eur, factor, hit))
        return hit

    def result(factor: float | None) -> BreakEven:
        return BreakEven(tech, period, factor, max_cut, tolerance, done)

    if not known_unused and enters(1.0):
        return result(1.0)
    low, high = 1.0 - max_cut, 1.0  # invariant: enters at low, not at high
    if not enters(low):
        return result(None)
    while high - low > tolerance:
        mid = 0.5 * (low + high)
        low, high = (mid, high) if enters(mid) else (low, mid)
    return result(low)
