"""The honest headline of a plan: what it costs, apart from what it leaves unserved.

The objective adds money (capex and opex, net of the residual value left at the horizon's
end, all discounted) and a notional price on unserved key. A strategist reads them apart:

- ``cost_eur``: discounted capex + opex − residual value (every ``costs`` category but
  ``unserved_penalty``);
- ``unserved_penalty_eur``: the discounted penalty for key not served;
- ``objective_eur`` = their sum (the solver's objective);
- ``unserved_bps``: key not served, bit/s, per period (demand − served over all demands).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

PENALTY = "unserved_penalty"


def headline(costs: pd.DataFrame, served: pd.DataFrame) -> dict[str, Any]:
    """The headline numbers from a run's ``costs`` and ``served`` tables."""
    is_penalty = costs["category"] == PENALTY
    cost = float(costs.loc[~is_penalty, "discounted_eur"].sum())
    penalty = float(costs.loc[is_penalty, "discounted_eur"].sum())
    gap = (served["demand_bps"] - served["served_bps"]).clip(lower=0.0)
    unserved = gap.groupby(served["period"]).sum()
    return {
        "cost_eur": cost,
        "unserved_penalty_eur": penalty,
        "objective_eur": cost + penalty,
        "unserved_bps": {int(t): round(float(x), 6) for t, x in unserved.items()},
    }


def cost_parts(costs: pd.DataFrame) -> dict[str, float]:
    """``cost_eur`` in its parts (discounted €): ``capex_eur`` (every ``capex_*``),
    ``opex_eur`` (every ``opex_*``) and ``residual_value_eur`` (≤ 0); they sum to
    ``cost_eur``, the penalty apart."""
    cat = costs["category"].astype(str)
    value = costs["discounted_eur"]
    return {
        "capex_eur": float(value[cat.str.startswith("capex")].sum()),
        "opex_eur": float(value[cat.str.startswith("opex")].sum()),
        "residual_value_eur": float(value[cat == "residual_value"].sum()),
    }


def gap_words(gap: float | None) -> str:
    """A solved plan's quality in words: ``within 0.93 % of optimal`` (its proven gap);
    ``optimal`` only for a gap below 0.01 %."""
    if gap is None or gap != gap:
        return "optimal (no gap reported)"
    if gap < 1e-4:
        return "optimal (gap below 0.01 %)"
    return f"within {100 * gap:.2g} % of optimal"


def solver_words(status: str, gap: float | None) -> str:
    """How the solver ended, for a reader: ``within 0.93 % of optimal``, ``stopped at the
    time limit, 2.1 % from the lower bound``, or the status in words."""
    if status == "optimal":
        return gap_words(gap)
    if status == "time_limit":
        far = "" if gap is None or gap != gap else f", {100 * gap:.2g} % from the lower bound"
        return f"stopped at the time limit{far}"
    return str(status).replace("_", " ")
