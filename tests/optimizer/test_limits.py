"""Optional limits: capex budget per period and systems per fibre span."""

from __future__ import annotations

import math

import pytest

from optimizer import optimise


def budget_net(net, budget):
    """3000 bps over 1000 bps systems at 100 EUR, free equipment, penalty 1 EUR/bps/y."""
    n = net(penalty=1.0, budgets={2025: budget}).tech("bb84", capex=100.0)
    n.equip("trusted_node", capex=0.0).link("AB", "bb84", "A", "B", 1000.0)
    return n.demand("d", "A", "B", 3000.0)


def test_budget_binds_and_leaves_demand_unserved(net, fast):
    """No budget: 3 systems, 300. Budget 250: only 2 systems (200), 1000 bps unserved at
    1 EUR/bps/y -> 200 + 1000 = 1200."""
    res, t = optimise(budget_net(net, math.nan).data(), fast())
    assert res.objective == pytest.approx(300.0)
    res, t = optimise(budget_net(net, 250.0).data(), fast())
    assert res.objective == pytest.approx(1200.0)
    assert t["builds"]["systems_new"].tolist() == [2]
    assert t["served"]["served_bps"].tolist() == [2000.0]
    pen = t["costs"].set_index("category").loc["unserved_penalty", "eur"]
    assert pen == pytest.approx(1000.0)


def test_span_limit_binds(net, fast):
    """2000 bps A-B: bb84 (100/system) on span S1, CV-QKD (300) on span S2.
    Unlimited: 2 bb84 = 200. S1 holds 1 system: 1 bb84 + 1 CV = 400."""
    for limit, expected in ((math.nan, 200.0), (1.0, 400.0)):
        n = net(penalty=1000.0).equip("trusted_node", capex=0.0)
        n.tech("bb84", capex=100.0).tech("cv_qkd", capex=300.0)
        n.span("S1", "A", "B", max_systems=limit).span("S2", "A", "B")
        n.link("AB", "bb84", "A", "B", 1000.0, spans=["S1"])
        n.link("AB_cv", "cv_qkd", "A", "B", 1000.0, spans=["S2"])
        res, t = optimise(n.demand("d", "A", "B", 2000.0).data(), fast())
        assert res.objective == pytest.approx(expected)
    assert dict(zip(t["builds"]["link"], t["builds"]["systems_new"], strict=True)) == {
        "AB": 1,
        "AB_cv": 1,
    }
