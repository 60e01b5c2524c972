"""``demand.service`` applied to the prepared tables (engine.scenario.service_model).

``service_tables(scenario, data)`` returns the ModelData the mode asks for, and the
(demand, period) pairs no available technology can serve (``engine.diagnose``):

- ``must_serve``: ``demand_rates.min_served_bps`` = ``min_share`` of every servable demand
  (hard rows in the model); unservable ones get 0 and are reported, not penalised; the
  penalty is 0, so the objective is the cost alone;
- ``penalty``: no required key; the scenario's ``unserved_penalty_eur_per_bps_year``;
- ``budget``: ``objective = "served"``: most weighted key-years within the budget rows,
  then the least cost; ``demands.unserved_weight`` = the trust class's weight.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from engine.diagnose import unservable_table
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
    blocked = pd.MultiIndex.from_frame(unservable[["demand", "period"]])
    servable = ~pd.MultiIndex.from_frame(rates[["demand", "period"]]).isin(blocked)
    floors = (rates["key_rate_bps"].clip(lower=0.0) * share).where(servable, 0.0)
    return (
        replace(
            data,
            demand_rates=rates.assign(min_served_bps=floors.to_numpy()),
            unserved_penalty_eur_per_bps_year=0.0,
        ),
        unservable,
    )
