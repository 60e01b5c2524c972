"""Pruning dominated candidate links never changes the optimum (docs/candidates.md rule 6).

A ring of five sites with a chord, k = 3 routes per pair, all three trust classes: the MILP
optimum (solved to a zero gap) with the pruned candidate set equals the optimum with every
candidate kept. Pruning must remove something here, or the test would prove nothing.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from engine.candidates import candidate_links
from engine.prepare import prepare
from engine.scenario import load_scenario
from optimizer import SolveOptions, optimise

RING = """
name: ring
timeline: early
horizon: {start_year: 2025, end_year: 2035, period_years: 5}
network:
  sites:
    - {id: A, lon: 0.0, lat: 50.0}
    - {id: B, lon: 1.0, lat: 50.3}
    - {id: C, lon: 2.0, lat: 50.0}
    - {id: D, lon: 1.6, lat: 49.3}
    - {id: E, lon: 0.4, lat: 49.3}
  spans:
    - {a: A, b: B, length_km: 70}
    - {a: B, b: C, length_km: 60}
    - {a: C, b: D, length_km: 80}
    - {a: D, b: E, length_km: 75}
    - {a: E, b: A, length_km: 65}
    - {a: B, b: E, length_km: 90}
demand:
  pairs:
    - {a: A, b: C, key_rate_bps: 500, trust: trusted}
    - {a: A, b: D, key_rate_bps: 200, trust: trust_free}
    - {a: B, b: D, key_rate_bps: 200, trust: partial}
technologies:
  enabled: [bb84, mdi, tf]
candidates: {k_routes: 3}
economics: {unserved_penalty_eur_per_bps_year: 5000}
"""


def test_pruned_and_full_candidate_sets_have_the_same_optimum(tmp_path: Path) -> None:
    path = tmp_path / "ring.yaml"
    path.write_text(RING, encoding="utf-8")
    scenario = load_scenario(path)
    prepared = prepare(scenario)
    data = prepared.model_data
    network = prepared.network
    full = candidate_links(
        sites=network.sites,
        spans=network.spans,
        graph=network.graph,
        demands=data.demands,
        demand_rates=data.demand_rates,
        tech_periods=prepared.tech_periods,
        alpha_db_per_km=scenario.network.fibre_loss_db_per_km,
        k_routes=3,
        min_key_rate_bps=scenario.candidates.min_key_rate_bps,
        customer_sites=data.customer_sites,
        prune=False,
    )
    unpruned = replace(
        data,
        sites=full.sites,
        links=full.links,
        link_sites=full.link_sites,
        link_spans=full.link_spans,
        capacity=full.capacity,
    ).validate()
    assert len(unpruned.links) > len(data.links)  # pruning removed some links

    options = SolveOptions(time_limit_s=60, mip_gap=0.0, threads=1)
    pruned_result, _ = optimise(data, options)
    full_result, _ = optimise(unpruned, options)
    assert pruned_result.status == full_result.status == "optimal"
    assert pruned_result.objective == pytest.approx(full_result.objective, rel=1e-6)
