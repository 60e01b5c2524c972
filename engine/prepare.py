"""Scenario → ModelData: the chain of DESIGN.md's data flow, one small step per stage.

``prepare(scenario)`` loads the network, builds the demand, resolves the technology
catalogue under the scenario's timeline and overrides, generates the candidate links with
their capacities, packs everything into the optimizer's ``ModelData``, and applies the
demand's service mode (``engine.service``). Nothing here solves or writes files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from engine.candidates import CandidateTables, candidate_links
from engine.catalogue import load_catalogue
from engine.demand import build_demands
from engine.network import Network, load_network
from engine.paths import DATA_DIR
from engine.scenario import Scenario
from engine.service import service_tables
from engine.tech_periods import model_tables, technology_periods
from optimizer import ModelData
from optimizer.gc_pause import gc_paused


@dataclass(frozen=True, eq=False)
class Prepared:
    """Everything a run needs besides the solver: the network, the technology table per
    period, the candidate links, and the ModelData built from them."""

    scenario: Scenario
    network: Network
    tech_periods: pd.DataFrame
    candidates: CandidateTables
    model_data: ModelData
    unservable: pd.DataFrame  # (demand, period) no available technology can serve


def _file(scenario: Scenario) -> str | None:
    return str(scenario.source_file) if scenario.source_file else None


def network_of(scenario: Scenario, *, data_dir: Path = DATA_DIR) -> Network:
    """The scenario's fibre network (topohub key, data file or inline sites and spans)."""
    spec = scenario.network
    source = scenario.source_file
    return load_network(
        topology=spec.topology,
        sites=[s.model_dump() for s in spec.sites] if spec.sites is not None else None,
        spans=[s.model_dump() for s in spec.spans] if spec.spans is not None else None,
        route_factor=spec.route_factor,
        data_dir=data_dir,
        scenario_dir=source.parent if source else None,
        file=_file(scenario),
    )


def demands_of(
    scenario: Scenario, network: Network, *, data_dir: Path = DATA_DIR
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Demands, demand rates per period and customer sites (ModelData tables)."""
    spec = scenario.demand
    pairs = spec.pairs
    if isinstance(pairs, tuple | list):
        pairs = [p.model_dump() if hasattr(p, "model_dump") else dict(p) for p in pairs]
    trust_mix = {int(y): shares.model_dump() for y, shares in spec.trust_mix.items()}
    return build_demands(
        pairs=pairs,
        endpoints=list(spec.endpoints) if spec.endpoints is not None else None,
        sites=network.sites,
        periods=scenario.periods(),
        base_key_rate_bps=spec.base_key_rate_bps,
        growth_per_year=spec.growth_per_year,
        trust_mix=trust_mix or {scenario.horizon.start_year: {"trusted": 1.0}},
        customers={name: list(c.sites) for name, c in spec.customers.items()},
        sndlib_demands=network.sndlib_demands,
        sndlib_key_bits=spec.sndlib.key_bits,
        sndlib_refresh_s=spec.sndlib.refresh_s,
        sndlib_channels_per_unit=spec.sndlib.channels_per_unit,
        start_year=scenario.horizon.start_year,
        base_dir=data_dir,
        file=_file(scenario),
    )


def periods_table(scenario: Scenario) -> pd.DataFrame:
    """ModelData ``periods``: first year, length, budget, and the discounting of the costs
    that fall in each period, with ``d(y) = (1 + r)^-(y - start)`` the factor of year ``y``:

    - ``discount_factor = d(t)``: purchases, at the period's first year;
    - ``discounted_years = sum_{j < years} d(t + j)``: each year's opex and unserved
      penalty at its own factor (5 years at 5 %: 4.546 instead of 5);
    - ``end_discount_factor = d(t + years)``: the last period's discounts the residual
      value credited at the horizon's end.
    """
    first = np.array(scenario.periods(), dtype=np.int64)
    length = scenario.horizon.period_years
    start = scenario.horizon.start_year
    rate = scenario.economics.discount_rate
    budget = scenario.economics.budget_eur_per_period

    def factor(year: np.ndarray) -> np.ndarray:
        return (1.0 + rate) ** -(year - start).astype(float)

    return pd.DataFrame(
        {
            "period": first,
            "years": np.full(len(first), length, dtype=np.int64),
            "discount_factor": factor(first),
            "discounted_years": sum(factor(first + j) for j in range(length)),
            "end_discount_factor": factor(first + length),
            "budget_eur": np.full(len(first), np.nan if budget is None else float(budget)),
        }
    )


def _overrides(scenario: Scenario) -> tuple[dict[str, dict], dict[str, dict]]:
    tech = {
        name: o.model_dump(exclude_none=True) for name, o in scenario.technologies.overrides.items()
    }
    for entry in tech.values():
        if not entry.get("params"):
            entry.pop("params", None)
    equipment = {
        name: o.model_dump(exclude_none=True)
        for name, o in scenario.technologies.equipment_overrides.items()
    }
    return tech, equipment


def prepare(scenario: Scenario, *, data_dir: Path = DATA_DIR) -> Prepared:
    """Run every stage from the typed scenario to ModelData (validated)."""
    with gc_paused():
        return _prepare(scenario, data_dir)


def _prepare(scenario: Scenario, data_dir: Path) -> Prepared:
    network = network_of(scenario, data_dir=data_dir)
    demands, demand_rates, customer_sites = demands_of(scenario, network, data_dir=data_dir)
    catalogue = load_catalogue()
    tech_overrides, equipment_overrides = _overrides(scenario)
    years = scenario.milestone_years()
    tech_periods = technology_periods(
        catalogue,
        enabled=list(scenario.technologies.enabled),
        periods=scenario.periods(),
        milestone_years=years,
        overrides=tech_overrides,
        equipment_overrides=equipment_overrides,
    )
    candidates = candidate_links(
        sites=network.sites,
        spans=network.spans,
        graph=network.graph,
        demands=demands,
        demand_rates=demand_rates,
        tech_periods=tech_periods,
        alpha_db_per_km=scenario.network.fibre_loss_db_per_km,
        k_routes=scenario.candidates.k_routes,
        min_key_rate_bps=scenario.candidates.min_key_rate_bps,
        customer_sites=customer_sites,
        express_hops=scenario.candidates.express_hops,
        hut_grid_km=scenario.candidates.hut_grid_km,
        bypass_loss_db=scenario.network.bypass_loss_db,
        link_margin_db=scenario.network.link_margin_db,
    )
    data = ModelData(  # sites: the network's and the candidate links' field huts
        spans=network.spans,
        periods=periods_table(scenario),
        **model_tables(
            catalogue, tech_periods, equipment_overrides=equipment_overrides, milestone_years=years
        ),
        **candidates.tables(),
        demands=demands,
        demand_rates=demand_rates,
        customer_sites=customer_sites,
        unserved_penalty_eur_per_bps_year=scenario.economics.unserved_penalty_eur_per_bps_year,
    ).validate()
    data, unservable = service_tables(scenario, data)
    return Prepared(scenario, network, tech_periods, candidates, data, unservable)
