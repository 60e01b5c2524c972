"""Diagnosis of demands no technology can serve, on a three-site line (tests/data/line.yaml)."""

from __future__ import annotations

from pathlib import Path

from engine.diagnose import unservable_demands
from engine.prepare import prepare
from engine.scenario import load_scenario

LINE = Path(__file__).resolve().parents[1] / "data" / "line.yaml"


def test_only_relayed_trusted_key_can_cross_a_line_beyond_bb84_reach() -> None:
    """bb84 alone (deployed since 2017) on two 120 km spans: 240 km A–C is beyond its reach,
    so no A–C link exists. Trusted key relays at B; partial key may not (B is not the
    customer's); trust-free key needs an end-to-end A–C link: two demands unservable."""
    data = prepare(load_scenario(LINE)).model_data
    assert set(data.links["site_a"] + data.links["site_b"]) == {"AB", "BC"}
    lines = unservable_demands(data)
    assert len(lines) == 2
    assert any("(partial) in 2025" in line and "customer's own sites" in line for line in lines)
    assert any("(trust_free) in 2025" in line and "end-to-end" in line for line in lines)


def test_a_period_without_any_available_link_leaves_every_demand_out() -> None:
    """CV-QKD and TF-QKD only, under the mid timeline: neither is available in 2025, so no
    candidate link has key in that period. Every 2025 demand is reported unservable (and
    preparing the run does not fail on the empty set of links)."""
    scenario = load_scenario(LINE, overrides=["technologies.enabled=[cv_qkd, tf]"], timeline="mid")
    prepared = prepare(scenario)
    asked = prepared.model_data.demand_rates
    in_2025 = asked[(asked["period"] == 2025) & (asked["key_rate_bps"] > 0)]
    out_2025 = prepared.unservable[prepared.unservable["period"] == 2025]
    assert len(in_2025) > 0
    assert sorted(out_2025["demand"]) == sorted(in_2025["demand"])
