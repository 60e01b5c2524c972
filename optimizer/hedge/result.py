"""``HedgeResult``: the hedged plan and the numbers that judge it (docs/hedge.md).

All money in discounted EUR (the model's objective: cost + unserved penalty). With
futures ``f`` of probability ``p_f``:

- ``C_f``: cost of the hedged plan in future ``f`` (``hedged_cost_eur``);
- ``z_f``: future ``f``'s own optimum (``own_optimum_eur``): the cheapest plan found for
  ``f`` alone (its deterministic solve, or any plan evaluated in ``f`` that was cheaper);
- ``K_g(f)``: cost in ``f`` of single-future plan ``g``'s commitments held, the rest
  re-optimised for ``f`` (``plan_cost_eur[g][f]``; None when ``g`` commits something not
  available in ``f``, or ``f`` has no plan with it);
- expected cost ``sum_f p_f C_f``; wait-and-see ``WS = sum_f p_f z_f``;
  ``EEV = sum_f p_f K_e(f)`` for the expected future ``e``;
- ``EVPI = E[C] - WS >= 0`` (what knowing the timeline would save),
  ``VSS = EEV - E[C] >= 0`` (what planning for the expected timeline would cost more);
- regret of a plan in ``f``: its cost there minus ``z_f``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from optimizer.hedge.commit import Commitment
from optimizer.hedge.extensive import Risk


@dataclass
class HedgeResult:
    """Outcome of ``solve_hedge`` (module docstring for the symbols)."""

    status: str  # of the extensive form: optimal | time_limit | no_solution | error
    objective: float | None  # the extensive form's objective (risk measure), EUR
    bound: float | None
    gap: float | None
    futures: list[str]
    probabilities: dict[str, float]
    commit_periods: list[int]
    expected_future: str
    risk: Risk
    hedged_cost_eur: dict[str, float] = field(default_factory=dict)
    own_optimum_eur: dict[str, float] = field(default_factory=dict)
    own_status: dict[str, str] = field(default_factory=dict)
    own_gap: dict[str, float | None] = field(default_factory=dict)
    plan_cost_eur: dict[str, dict[str, float | None]] = field(default_factory=dict)
    unavailable: dict[str, dict[str, list[tuple]]] = field(default_factory=dict)
    commitment: Commitment = field(default_factory=dict)
    plan_commitments: dict[str, Commitment] = field(default_factory=dict)
    commitments: pd.DataFrame = field(default_factory=pd.DataFrame)
    tables: dict[str, dict[str, pd.DataFrame]] = field(default_factory=dict)
    timings_s: dict[str, float] = field(default_factory=dict)
    message: str = ""
    method: str = "ef"  # ef (extensive form) | ph (progressive hedging)
    own_bound: dict[str, float | None] = field(default_factory=dict)  # LB_f of z_f, EUR
    ph: dict = field(default_factory=dict)  # PH's iterations, bounds, rho, chosen plan
    ph_costs: dict[str, dict[str, float]] = field(default_factory=dict)  # candidate -> f -> EUR
    skipped: list[str] = field(default_factory=list)  # what was not solved, in words
    workers: int = 1  # single-future solves run at once (optimizer.hedge.pool)

    @property
    def has_plan(self) -> bool:
        return self.status in ("optimal", "time_limit")

    def _weighted(self, values: dict[str, float | None]) -> float | None:
        if any(values.get(f) is None for f in self.futures):
            return None
        return sum(self.probabilities[f] * float(values[f]) for f in self.futures)  # type: ignore[arg-type]

    @property
    def expected_cost_eur(self) -> float | None:
        """``E[C] = sum_f p_f C_f`` of the hedged plan."""
        return self._weighted(self.hedged_cost_eur) if self.hedged_cost_eur else None

    @property
    def wait_and_see_eur(self) -> float | None:
        """``WS = sum_f p_f z_f``."""
        return self._weighted(self.own_optimum_eur) if self.own_optimum_eur else None

    @property
    def eev_eur(self) -> float | None:
        """``EEV``: the expected future's commitments held in every future (None when they
        cannot be carried out in some future)."""
        return self._weighted(self.plan_cost_eur.get(self.expected_future, {}))

    @property
    def evpi_eur(self) -> float | None:
        """``EVPI = E[C] - WS``."""
        e, ws = self.expected_cost_eur, self.wait_and_see_eur
        return None if e is None or ws is None else e - ws

    @property
    def vss_eur(self) -> float | None:
        """``VSS = EEV - E[C]``."""
        e, eev = self.expected_cost_eur, self.eev_eur
        return None if e is None or eev is None else eev - e

    def regrets(self) -> pd.DataFrame:
        """One row per (plan, future): ``plan`` is ``hedged`` or a single future's name,
        ``cost_eur`` its cost in ``future`` (NaN: cannot be carried out there),
        ``own_optimum_eur`` = ``z_f``, ``regret_eur`` = cost - ``z_f``."""
        rows = []
        plans = {"hedged": self.hedged_cost_eur, **self.plan_cost_eur}
        for plan, costs in plans.items():
            for f in self.futures:
                cost = costs.get(f)
                z = self.own_optimum_eur.get(f)
                rows.append(
                    dict(
                        plan=plan,
                        future=f,
                        probability=self.probabilities[f],
                        cost_eur=float("nan") if cost is None else float(cost),
                        own_optimum_eur=float("nan") if z is None else float(z),
                        regret_eur=float("nan") if cost is None or z is None else cost - z,
                    )
                )
        return pd.DataFrame(
            rows,
            columns=["plan", "future", "probability", "cost_eur", "own_optimum_eur", "regret_eur"],
        )

    def summary(self) -> dict:
        """The JSON-ready numbers of the manifest (EUR)."""
        regrets = self.regrets()
        per_plan = {
            plan: {
                r.future: None if pd.isna(r.regret_eur) else float(r.regret_eur)
                for r in group.itertuples()
            }
            for plan, group in regrets.groupby("plan", sort=False)
        }
        return {
            "status": self.status,
            "objective_eur": self.objective,
            "bound_eur": self.bound,
            "gap": self.gap,
            "risk": self.risk.label(),
            "futures": {f: self.probabilities[f] for f in self.futures},
            "commit_periods": self.commit_periods,
            "expected_future": self.expected_future,
            "expected_cost_eur": self.expected_cost_eur,
            "wait_and_see_eur": self.wait_and_see_eur,
            "eev_eur": self.eev_eur,
            "evpi_eur": self.evpi_eur,
            "vss_eur": self.vss_eur,
            "hedged_cost_eur": self.hedged_cost_eur,
            "own_optimum_eur": self.own_optimum_eur,
            "own_status": self.own_status,
            "own_gap": self.own_gap,
            "plan_cost_eur": self.plan_cost_eur,
            "regret_eur": per_plan,
            "unavailable": {
                g: {f: [list(map(str, k)) for k in keys] for f, keys in by_f.items() if keys}
                for g, by_f in self.unavailable.items()
            },
            "message": self.message,
            "timings_s": self.timings_s,
            "method": self.method,
            "own_bound_eur": self.own_bound,
            "ph": {**self.ph, "candidate_cost_eur": self.ph_costs} if self.ph else None,
            "skipped": self.skipped,
        }
