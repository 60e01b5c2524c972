"""Vintages, lifetimes in years, residual value and year-by-year discounting
(docs/model.md, "Lifetimes and residual value"; issue 17 points 1, 5, 6 and 7). Every
optimum is worked out by hand in the test's docstring."""

from __future__ import annotations

import math

import pytest

from optimizer import optimise
from optimizer.lifetimes import Charge, renewals, schedule

TWO_1Y = ((2025, 1, 1.0), (2030, 1, 1.0))
TWO_5Y = ((2025, 5, 1.0), (2030, 5, 1.0))


def test_a_system_keeps_the_rate_of_its_purchase_period(net, fast):
    """A-B, 10 EUR per system, systems never retire; a system bought in 2025 makes
    100 bps, one bought in 2030 300 bps (better detectors). Demand 100 bps, then 300.
    The 2025 system still makes 100 bps in 2030, so one more (300 bps) is needed:
    20 EUR, and 2030's two systems make 100 + 300 = 400 bps. (Multiplying every installed
    system by 2030's rate would let the old one carry 300 bps alone: 10 EUR.)"""
    n = net(periods=TWO_1Y, penalty=1000.0).equip("trusted_node", capex=0.0)
    n.tech("x", capex=10.0).link("AB", "x", "A", "B", {2025: 100.0, 2030: 300.0})
    res, t = optimise(n.demand("d", "A", "B", {2025: 100.0, 2030: 300.0}).data(), fast())
    assert res.objective == pytest.approx(20.0)
    builds = t["builds"].set_index("period")
    assert builds["systems_installed"].tolist() == [1, 2]
    assert builds["key_rate_per_system_bps"].tolist() == [100.0, 300.0]
    assert builds["capacity_bps"].tolist() == [100.0, 400.0]
    flows = t["flows"].groupby("period")["key_flow_bps"].sum()
    assert (flows <= builds["capacity_bps"] + 1e-6).all()


def test_years_served_beyond_the_lifetime_are_paid(net, fast):
    """Two 5-year periods, undiscounted. A-B by x (70 EUR, 7-year life), trusted nodes at A
    and B (7 EUR each, 7-year life). Bought in 2025, both are still alive when 2030 starts
    (5 < 7), so they serve 10 years: the 3 years beyond their life cost 3/7 of the price,
    paid in 2030. x: 70 + 30; nodes: 2 x (7 + 3); total 120. (Serving 10 years for the
    price of 7 would cost 70 + 14 = 84.)"""
    n = net(periods=TWO_5Y, penalty=1000.0).equip("trusted_node", capex=7.0, lifetime=7.0)
    n.tech("x", capex=70.0, lifetime=7.0).link("AB", "x", "A", "B", 1.0)
    res, t = optimise(n.demand("d", "A", "B", 1.0).data(), fast())
    assert res.objective == pytest.approx(120.0)
    capex = t["costs"].pivot(index="period", columns="category", values="eur")
    assert capex["capex_systems"].tolist() == pytest.approx([70.0, 30.0])
    assert capex["capex_equipment"].tolist() == pytest.approx([14.0, 6.0])


def test_life_left_at_the_horizon_is_credited_as_residual_value(net, fast):
    """One 5-year period; x costs 100 EUR and lives 10 years, so half its life is left
    when the horizon ends: 50 EUR of residual value, discounted from the horizon's end at
    0.5: -25. Objective 100 - 25 = 75 (no trusted-node cost). costs.parquet has the credit
    as a negative ``residual_value`` row in the last period."""
    n = net(periods=((2025, 5, 1.0, 5.0, 0.5),), penalty=1000.0).equip("trusted_node", 0.0)
    n.tech("x", capex=100.0, lifetime=10.0).link("AB", "x", "A", "B", 1.0)
    res, t = optimise(n.demand("d", "A", "B", 1.0).data(), fast())
    assert res.objective == pytest.approx(75.0)
    row = t["costs"].query("category == 'residual_value'")
    assert row[["period", "eur", "discounted_eur"]].values.tolist() == [[2025, -50.0, -25.0]]


def test_opex_is_discounted_year_by_year(net, fast):
    """One 5-year period whose five years are discounted at 1, 0.9, 0.8, 0.7, 0.6
    (``discounted_years`` 4.0, while the period starts at factor 1): x costs 0 to buy and
    10 EUR a year to run, so opex weighs 10 x 4.0 = 40, not 10 x 5 = 50."""
    n = net(periods=((2025, 5, 1.0, 4.0, 0.0),), penalty=1000.0).equip("trusted_node", 0.0)
    n.tech("x", capex=0.0, opex=10.0).link("AB", "x", "A", "B", 1.0)
    res, t = optimise(n.demand("d", "A", "B", 1.0).data(), fast())
    assert res.objective == pytest.approx(40.0)
    opex = t["costs"].query("category == 'opex_systems'")
    assert opex[["eur", "discounted_eur"]].values.tolist() == [[50.0, 40.0]]


@pytest.mark.parametrize(
    ("life", "charges", "residual"),
    [
        (5.0, [Charge(2025, 2025, 1.0)], None),  # serves exactly its life
        (7.0, [Charge(2025, 2025, 1.0), Charge(2030, 2025, 3 / 7)], None),  # 10 of 7 years
        (12.0, [Charge(2025, 2025, 1.0)], (2025, 2 / 12)),  # 10 of 12 years: 2 left
        (math.inf, [Charge(2025, 2025, 1.0)], (2025, 1.0)),  # forever: all of it left
    ],
)
def test_schedule_of_one_purchase(life, charges, residual):
    """A system bought in 2025 on periods 2025 and 2030 (5 years each, horizon ends 2035):
    net, every case pays ``price x service years / life``."""
    sched = schedule([2025], [2025, 2030], {2025: 5, 2030: 5}, life)
    assert [(c.period, c.price_period) for c in sched.charges] == [
        (c.period, c.price_period) for c in charges
    ]
    assert [c.fraction for c in sched.charges] == pytest.approx([c.fraction for c in charges])
    assert sched.residual == (pytest.approx(residual) if residual else None)


def test_equipment_renewals_each_pay_their_own_years():
    """Equipment with a 7-year life installed in 2025, periods every 5 years to 2045:
    bought again in 2035 (the first period start >= 7 years later) and 2045. The 2025
    purchase serves 10 years (3 paid in 2030), the 2035 one 10 (3 paid in 2040), the 2045
    one 5 of 7: 2/7 left at the horizon's end (2050)."""
    periods = [2025, 2030, 2035, 2040, 2045]
    years = dict.fromkeys(periods, 5)
    assert renewals(2025, periods, 7.0) == [2025, 2035, 2045]
    sched = schedule([2025, 2035, 2045], periods, years, 7.0)
    assert [(c.period, c.price_period) for c in sched.charges] == [
        (2025, 2025), (2030, 2025), (2035, 2035), (2040, 2035), (2045, 2045)
    ]  # fmt: skip
    assert [c.fraction for c in sched.charges] == pytest.approx([1, 3 / 7, 1, 3 / 7, 1])
    assert sched.residual == (2045, pytest.approx(2 / 7))
