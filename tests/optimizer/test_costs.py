"""Exact optima of single-link networks: system counts, equipment, opex, discounting."""

from __future__ import annotations

import pytest

from optimizer import optimise


def one_link(Net, periods=((2025, 1, 1.0),), demand_bps=2500.0):
    n = Net(periods=periods, penalty=1000.0)
    n.tech("bb84", capex=100.0, opex=10.0).equip("trusted_node", capex=50.0, opex=5.0)
    n.link("AB", "bb84", "A", "B", rate_bps=1000.0)
    return n.demand("d", "A", "B", demand_bps)


def test_demand_needing_three_systems(net, fast):
    """2500 bps over 1000 bps systems -> ceil(2.5) = 3 systems; trusted nodes at A and B.
    Cost (1 year, no discount) = 3*100 + 2*50 + 1*(3*10 + 2*5) = 300 + 100 + 40 = 440."""
    res, t = optimise(one_link(net).data(), fast())
    assert res.status == "optimal"
    assert res.objective == pytest.approx(440.0)
    assert t["builds"][["systems_new", "systems_installed"]].values.tolist() == [[3, 3]]
    assert t["served"]["served_bps"].tolist() == [2500.0]
    assert sorted(t["equipment"]["site"]) == ["A", "B"]


def test_two_discounted_periods(net, fast):
    """Periods 2025 (5 y, factor 1.0) and 2030 (5 y, factor 0.8), lifetime 100 y.
    2025: capex 300 + 100, opex 5*(30 + 10) = 200 -> 600.
    2030: no new capex, opex 5*40 = 200, discounted 0.8*200 = 160. Total 760."""
    res, t = optimise(one_link(net, ((2025, 5, 1.0), (2030, 5, 0.8))).data(), fast())
    assert res.objective == pytest.approx(760.0)
    costs = t["costs"].set_index(["period", "category"])
    assert costs.loc[(2030, "opex_systems"), "eur"] == pytest.approx(150.0)
    assert costs.loc[(2030, "opex_systems"), "discounted_eur"] == pytest.approx(120.0)
    assert costs.loc[(2030, "capex_systems"), "eur"] == 0.0
    assert t["costs"]["discounted_eur"].sum() == pytest.approx(res.objective)


def test_unserved_only_when_cheaper_than_penalty(net, fast):
    """2500 bps, 1000 bps/system at 100 EUR, free equipment, 1 year.
    A full system avoids 1000*p of penalty, the third one only 500*p.
    p = 0.15: build 2 (each saves 150 > 100), third saves 75 < 100 -> 200 + 75 = 275.
    p = 0.25: third saves 125 > 100 -> 3 systems, 300."""
    for p, expected, systems in ((0.15, 275.0, 2), (0.25, 300.0, 3)):
        n = net(penalty=p).tech("bb84", capex=100.0).equip("trusted_node", capex=0.0)
        n.link("AB", "bb84", "A", "B", rate_bps=1000.0).demand("d", "A", "B", 2500.0)
        res, t = optimise(n.data(), fast())
        assert res.objective == pytest.approx(expected)
        assert int(t["builds"]["systems_new"].sum()) == systems
