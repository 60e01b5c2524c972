"""demand.service applied to prepared tables (engine.service): what must be served, what
is left out and why, and the scenario checks of the modes."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import QroadInputError
from engine.prepare import prepare
from engine.scenario import load_scenario

LINE = """
name: line
timeline: mid
horizon: {start_year: 2025, end_year: 2030, period_years: 5}
network:
  sites: [{id: A, lon: 0.0, lat: 50.0}, {id: B, lon: 0.7, lat: 50.0},
          {id: C, lon: 1.4, lat: 50.0}]
  spans: [{a: A, b: B, length_km: 50}, {a: B, b: C, length_km: 50}]
demand:
  pairs:
    - {a: A, b: B, key_rate_bps: 1000, trust: trusted}
    - {a: A, b: C, key_rate_bps: 500, trust: trust_free}
technologies: {enabled: [bb84]}
candidates: {express_hops: false}
economics: {unserved_penalty_eur_per_bps_year: 100}
"""


def scenario(tmp_path: Path, *sets: str):
    path = tmp_path / "line.yaml"
    path.write_text(LINE, encoding="utf-8")
    return load_scenario(path, overrides=list(sets))


def test_must_serve_requires_what_can_be_served_and_leaves_out_the_rest(tmp_path):
    """bb84 only: A-B (trusted, 1000 bps) can be served; A-C trust-free needs an end-to-end
    link without a trusted intermediary, and bb84 (no express hops) spans A-B-C only with a
    relay at B: left
    out, reported, not required. min_share 0.5 of trusted key: 500 bps required. No
    penalty in must_serve: the objective is the cost."""
    prepared = prepare(scenario(tmp_path, "demand.service.min_share={trusted: 0.5}"))
    data = prepared.model_data
    rates = data.demand_rates.merge(data.demands, on="demand").set_index("trust")
    assert rates.loc["trusted", "min_served_bps"] == pytest.approx(500.0)
    assert rates.loc["trust_free", "min_served_bps"] == 0.0
    assert data.unserved_penalty_eur_per_bps_year == 0.0
    assert prepared.unservable[["trust", "period"]].values.tolist() == [["trust_free", 2025]]
    assert "no end-to-end link between A and C" in prepared.unservable["reason"].iloc[0]


def test_penalty_mode_keeps_the_penalty_and_requires_nothing(tmp_path):
    data = prepare(scenario(tmp_path, "demand.service.mode=penalty")).model_data
    assert "min_served_bps" not in data.demand_rates and data.objective == "cost"
    assert data.unserved_penalty_eur_per_bps_year == 100.0


def test_budget_mode_weighs_trust_classes_and_maximises_served_key(tmp_path):
    s = scenario(tmp_path, "demand.service={mode: budget, weights: {trust_free: 3}}",
                 "economics.budget_eur_per_period=1000000")  # fmt: skip
    data = prepare(s).model_data
    assert data.objective == "served"
    weights = dict(zip(data.demands["trust"], data.demands["unserved_weight"], strict=True))
    assert weights == {"trusted": 1.0, "trust_free": 3.0}


@pytest.mark.parametrize(
    ("sets", "path"),
    [
        (["demand.service.mode=budget"], "economics.budget_eur_per_period"),
        (["demand.service.mode=budget", "economics.budget_eur_per_period=1e6",
          "solver.strategy=rolling"], "solver.strategy"),
        (["demand.service.mode=penalty", "demand.service.min_share={trusted: 0.9}"],
         "demand.service.min_share"),
        (["demand.service.mode=cheapest"], "demand.service.mode"),
    ],
)  # fmt: skip
def test_bad_service_settings_name_the_key(tmp_path, sets, path):
    with pytest.raises(QroadInputError) as err:
        scenario(tmp_path, *sets)
    assert err.value.path == path
