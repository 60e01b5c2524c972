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
