"""Availability by period and lifetimes (systems rebuilt, equipment renewed)."""

from __future__ import annotations

import pytest

from optimizer import optimise

FOUR_PERIODS = ((2025, 5, 1.0), (2030, 5, 1.0), (2035, 5, 1.0), (2040, 5, 1.0))


def test_nothing_built_before_availability(net, fast):
    """Cheap 'chip' (50) only from 2030, bb84 (100) always; one system needed per period
    (1000 bps), lifetime 5 y so every period builds anew. 2025 must use bb84 (100) and 2030
    uses chip (50): total 150 (free equipment)."""
    n = net(periods=((2025, 5, 1.0), (2030, 5, 1.0)), penalty=1000.0)
    n.equip("trusted_node", capex=0.0)
    n.tech("bb84", capex=100.0, lifetime=5.0).tech("chip", capex=50.0, lifetime=5.0,
                                                   available_from=2030)  # fmt: skip
    n.link("AB", "bb84", "A", "B", 1000.0).link("AB_chip", "chip", "A", "B", 1000.0)
    n.demand("d", "A", "B", 1000.0)
    res, t = optimise(n.data(), fast())
    assert res.objective == pytest.approx(150.0)
    assert t["builds"][["period", "link"]].values.tolist() == [[2025, "AB"], [2030, "AB_chip"]]


def test_system_replaced_after_lifetime(net, fast):
    """Lifetime 10 y, 5-year periods 2025..2040: a system built in 2025 serves 2025 and 2030
    and retires; it is rebuilt in 2035. Capex 2*100 + nodes 2*50 (no renewal) = 300."""
    n = net(periods=FOUR_PERIODS, penalty=1000.0).equip("trusted_node", capex=50.0)
    n.tech("bb84", capex=100.0, lifetime=10.0).link("AB", "bb84", "A", "B", 1000.0)
    res, t = optimise(n.demand("d", "A", "B", 1000.0).data(), fast())
    assert res.objective == pytest.approx(300.0)
    b = t["builds"]
    assert b["systems_new"].tolist() == [1, 0, 1, 0]
    assert b["systems_installed"].tolist() == [1, 1, 1, 1]
    costs = t["costs"].query("category == 'capex_systems'")["eur"].tolist()
    assert costs == [100.0, 0.0, 100.0, 0.0]


def test_equipment_renewed_after_lifetime(net, fast):
    """Same network, trusted nodes live 15 y: bought 2025, renewed in 2040 (first period
    >= 15 y later). Capex 200 (systems) + 2*50 (2025) + 2*50 (2040) = 400."""
    n = net(periods=FOUR_PERIODS, penalty=1000.0).equip("trusted_node", 50.0, lifetime=15.0)
    n.tech("bb84", capex=100.0, lifetime=10.0).link("AB", "bb84", "A", "B", 1000.0)
    res, t = optimise(n.demand("d", "A", "B", 1000.0).data(), fast())
    assert res.objective == pytest.approx(400.0)
    eq = t["equipment"]
    assert eq.query("new == 1")["period"].tolist() == [2025, 2025, 2040, 2040]
    assert eq["installed"].tolist() == [1] * 8
