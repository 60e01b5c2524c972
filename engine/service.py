"""``demand.service`` applied to the prepared tables (engine.scenario.service_model).

``service_tables(scenario, data)`` returns the ModelData the mode asks for, and the
(demand, period) pairs no available technology can serve (``engine.diagnose``):

- ``must_serve``: ``demand_rates.min_served_bps`` = ``min_share`` of every servable demand,
  at most what the candidate links could carry for it (``engine.diagnose.servable_bps``;
  hard rows in the model); unservable ones get 0, and both are reported, not penalised;
  the penalty is 0, so the objective is the cost alone;
- ``penalty``: no required key; the scenario's ``unserved_penalty_eur_per_bps_year``;
- ``budget``: ``objective = "served"``: most weighted key-years within the budget rows,
  then the least cost; ``demands.unserved_weight`` = the trust class's weight.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from engine.diagnose import UNSERVABLE_COLUMNS, servable_bps, unservable_table
from engine.scenario import Scenario
from optimizer import ModelData


def service_tables(scenario: Scenario, data: ModelData) -> tuple[ModelData, pd.DataFrame]:
    """``data`` set up for the scenario's service mode, and the unservable demands."""
    service = scenario.demand.service
    unservable = unservable_table(data)
    if service.mode == "penalty":
        return data, unservable
    trust = data.demands.set_index("demand")["trust"]
    if service.mode == "budget":
        weights = data.demands["trust"].map(service.weight).astype(float)
        demands = data.demands.assign(unserved_weight=weights)
        return replace(data, demands=demands, objective="served"), unservable
    rates = data.demand_rates
    share = rates["demand"].map(trust).map(service.share).astype(float)
    wanted = rates["key_rate_bps"].clip(lower=0.0) * share
    blocked = pd.MultiIndex.from_frame(unservable[["demand", "period"]])
    servable = ~pd.MultiIndex.from_frame(rates[["demand", "period"]]).isin(blocked)
    asked = pd.Series(
        wanted.to_numpy(), index=pd.MultiIndex.from_frame(rates[["demand", "period"]])
    )
    bounds = rates.merge(servable_bps(data, asked), on=["demand", "period"], how="left")
    bounds = bounds.fillna(0.0)
    limit = bounds["servable_bps"].to_numpy()
    floors = np.where(servable, np.minimum(wanted.to_numpy(), limit), 0.0)
    floors = _share_direct_links(data, bounds.assign(floor=floors))
    limit = np.where(servable, floors, limit)
    short = servable & (floors < wanted.to_numpy() * (1 - 1e-9) - 1e-9)
    return (
        replace(
            data,
            demand_rates=rates.assign(min_served_bps=floors),
            unserved_penalty_eur_per_bps_year=0.0,
        ),
        pd.concat([unservable, _capped(data, rates[short], limit[short])], ignore_index=True),
    )


def _share_direct_links(data: ModelData, bounds: pd.DataFrame) -> np.ndarray:
    """Floors of the demands that only direct links can serve (no relay route), scaled down
    per site pair and period so that together they fit the pair's untrusted direct links
    (trust-free and partial key of one pair share them)."""
    rows = bounds.merge(data.demands[["demand", "site_a", "site_b", "trust"]], on="demand")
    floors = rows["floor"].to_numpy(dtype=float).copy()
    only = (rows["relayed_bps"].to_numpy() <= 0.0) & (rows["trust"] != "trusted").to_numpy()
    pair = [frozenset(p) for p in zip(rows["site_a"], rows["site_b"], strict=True)]
    groups: dict[tuple, list[int]] = {}
    for i in np.flatnonzero(only):
        groups.setdefault((pair[i], int(rows["period"].iat[i])), []).append(int(i))
    for members in groups.values():
        capacity = float(rows["direct_bps"].iat[members[0]])
        asked = float(floors[members].sum())
        if asked > capacity > 0.0:
            floors[members] *= capacity / asked
    return floors


def _capped(data: ModelData, rates: pd.DataFrame, limit: np.ndarray) -> pd.DataFrame:
    """Rows of the report for demands the candidate links can serve only in part."""
    rows = rates.assign(limit=limit).merge(data.demands, on="demand")
    reasons = [
        f"at most {lim:,.0f} of {bps:,.0f} bit/s: the candidate links' largest capacity"
        for lim, bps in zip(rows["limit"], rows["key_rate_bps"], strict=True)
    ]
    return rows.assign(reason=reasons)[UNSERVABLE_COLUMNS]


def serve_most(data: ModelData) -> ModelData:
    """A must-serve ModelData whose required key cannot all be served together, as "the
    most of the required key, then the least cost": the requirements become the demand
    (``key_rate_bps`` = ``min_served_bps``), nothing is forced, and the objective is
    ``served`` (optimizer.solving.lexicographic)."""
    rates = data.demand_rates
    floors = data.column("demand_rates", "min_served_bps")
    return replace(
        data,
        demand_rates=rates.assign(key_rate_bps=floors.to_numpy(), min_served_bps=0.0),
        objective="served",
    )
