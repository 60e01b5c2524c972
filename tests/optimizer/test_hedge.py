"""Hedged plans (optimizer.hedge): one set of commitments for the periods before the
commit year, shared by every future; the numbers that judge it recomputed by hand."""

from __future__ import annotations

from dataclasses import replace

import pytest

from optimizer import optimise
from optimizer.hedge import Future, Risk, solve_hedge

TWO = ((2025, 1, 1.0), (2030, 1, 1.0))


def three_sites(net, future: str):
    """Sites A, B, C; demand A-C of 10 bps in 2025 and 20 bps in 2030 (penalty 1000 per
    bps-year, so all of it is served); 1-year periods, 2030's costs discounted by 0.5,
    nothing retires, no residual value. Each system makes 10 bps. Three ways to serve it:

    - ``a``: A-C through a relay at B (relay 12, system 4); more ``a`` systems can be
      bought in 2030 only in the ``early`` future;
    - ``b``: A-C through a memory station at B (12, system 4); more in 2030 only in
      ``late``;
    - ``c``: A-C directly, 13 per system, in every period and future.

    2025 needs one system, 2030 one more. Costs per future of the 2025 commitments:

    | 2025 commitment | early | late |
    |---|---|---|
    | a: relay + 1 system | 12 + 4 + 0.5 x 4 = 18 | 12 + 4 + 0.5 x 13 (a c) = 22.5 |
    | b: memory + 1 system | 22.5 | 18 |
    | a or b with 2 systems bought early | 12 + 2 x 4 = 20 | 20 |
    | c: 1 system | 13 + 0.5 x 13 = 19.5 | 19.5 |

    (with ``c`` committed, adding ``a`` in 2030 costs 0.5 x (12 + 4) = 8 > 6.5.) So
    early's own plan commits ``a``, late's ``b``; with probabilities 1/2 the expected cost
    is a: (18 + 22.5)/2 = 20.25, b: 20.25, two systems: 20, c: 19.5: the hedged plan
    commits ``c``, which neither single-future plan does. Wait-and-see = 18, EVPI =
    19.5 - 18 = 1.5; EEV with early's plan = 20.25, VSS = 0.75; regrets: hedged 1.5 in
    each future, early's plan 4.5 in late, late's plan 4.5 in early."""
    n = net(periods=((2025, 1, 1.0), (2030, 1, 0.5)), penalty=1000.0)
    n.equip("relay", capex=12.0).equip("memory_station", capex=12.0)
    n.tech("a", capex=4.0, phase="II").tech("b", capex=4.0, phase="II").tech("c", capex=13.0)
    a_rate = {2025: 10.0, 2030: 10.0 if future == "early" else 0.0}
    b_rate = {2025: 10.0, 2030: 10.0 if future == "late" else 0.0}
    n.link("AC_a", "a", "A", "C", a_rate, needs=[("B", "relay")], relay_site="B")
    n.link("AC_b", "b", "A", "C", b_rate, needs=[("B", "memory_station")], relay_site="B")
    n.link("AC_c", "c", "A", "C", 10.0, needs=[])
    return n.demand("d", "A", "C", {2025: 10.0, 2030: 20.0}).data()


def committed(result) -> set[tuple]:
    """The shared decisions with a positive value: ("build", link, t) / ("site", i, e, t)."""
    return {(kind, *k) for kind, values in result.commitment.items() for k, x in values.items()
            if x > 0.5}  # fmt: skip


def test_hand_worked_hedge_differs_from_every_single_future_plan(net, fast):
    futures = [Future(f, 0.5, three_sites(net, f)) for f in ("early", "late")]
    res = solve_hedge(futures, 2030, options=fast(), expected="early")
    assert res.status == "optimal"
    assert res.own_optimum_eur == pytest.approx({"early": 18.0, "late": 18.0})
    assert res.hedged_cost_eur == pytest.approx({"early": 19.5, "late": 19.5})
    assert res.expected_cost_eur == pytest.approx(19.5)
    assert res.wait_and_see_eur == pytest.approx(18.0)
    assert res.eev_eur == pytest.approx(20.25)
    assert res.evpi_eur == pytest.approx(1.5)
    assert res.vss_eur == pytest.approx(0.75)
    assert committed(res) == {("build", "AC_c", 2025)}
    plans = {g: {(kind, *k) for kind, v in c.items() for k, x in v.items() if x > 0.5}
             for g, c in res.plan_commitments.items()}  # fmt: skip
    assert plans["early"] == {("build", "AC_a", 2025), ("site", "B", "relay", 2025)}
    assert plans["late"] == {("build", "AC_b", 2025), ("site", "B", "memory_station", 2025)}
    regrets = res.regrets().set_index(["plan", "future"])["regret_eur"]
    assert regrets.to_dict() == pytest.approx(
        {("hedged", "early"): 1.5, ("hedged", "late"): 1.5, ("early", "early"): 0.0,
         ("early", "late"): 4.5, ("late", "early"): 4.5, ("late", "late"): 0.0}
    )  # fmt: skip
    table = res.commitments
    assert table[["period", "kind", "item", "link", "count", "capex_eur"]].values.tolist() == [
        [2025, "systems", "c", "AC_c", 1.0, 13.0]
    ]
    for f in ("early", "late"):  # the shared 2025 build appears in each future's tables
        builds = res.tables[f]["builds"].query("period == 2025 and systems_new > 0")
        assert builds["link"].tolist() == ["AC_c"]


def test_commitment_unavailable_in_one_future_cannot_be_carried_out(net, fast):
    """Make ``a`` unavailable in late's 2025 (no capacity): early's plan (relay + a) can no
    longer be held in late, so its cost there is unknown and EEV (early's plan) is None;
    the hedged plan commits c as before (b: 20.25, two b systems: 20, c: 19.5)."""
    late = three_sites(net, "late")
    cap = late.capacity
    cap.loc[(cap["link"] == "AC_a") & (cap["period"] == 2025), "key_rate_per_system_bps"] = 0.0
    futures = [Future("early", 0.5, three_sites(net, "early")), Future("late", 0.5, late)]
    res = solve_hedge(futures, 2030, options=fast(), expected="early")
    assert res.plan_cost_eur["early"]["late"] is None
    assert ("build", "AC_a", 2025) in res.unavailable["early"]["late"]
    assert res.eev_eur is None and res.vss_eur is None
    assert committed(res) == {("build", "AC_c", 2025)}
    assert res.expected_cost_eur == pytest.approx(19.5)


def test_one_future_is_the_deterministic_plan(net, fast):
    data = three_sites(net, "early")
    alone, _ = optimise(data, fast())
    res = solve_hedge([Future("early", 1.0, data)], 2030, options=fast())
    assert res.expected_cost_eur == pytest.approx(alone.objective)
    assert res.evpi_eur == pytest.approx(0.0) and res.vss_eur == pytest.approx(0.0)
    assert committed(res) == {("build", "AC_a", 2025), ("site", "B", "relay", 2025)}


def test_regret_and_cvar_objectives(net, fast):
    """three_sites with early 0.9 / late 0.1. Expected cost favours early's plan a
    (0.9 x 18 + 0.1 x 22.5 = 18.45 < 19.5 for c, 20 for two systems); the worst regret
    favours c (1.5 < 2 for two systems < 4.5 for a). CVaR at 0.8 is the mean of the
    worst 20 %: for a (22.5 + 18)/2 = 20.25, for c 19.5, for two systems 20; with weight
    2 the objectives are a: 18.45 + 40.5 = 58.95, c: 19.5 + 39 = 58.5, two systems 60."""
    futures = [Future("early", 0.9, three_sites(net, "early")),
               Future("late", 0.1, three_sites(net, "late"))]  # fmt: skip
    expected = solve_hedge(futures, 2030, options=fast())
    assert committed(expected) == {("build", "AC_a", 2025), ("site", "B", "relay", 2025)}
    assert expected.expected_cost_eur == pytest.approx(18.45)
    regret = solve_hedge(futures, 2030, options=fast(), risk=Risk("regret"))
    assert committed(regret) == {("build", "AC_c", 2025)}
    assert regret.objective == pytest.approx(1.5)
    cvar = solve_hedge(futures, 2030, options=fast(), risk=Risk("cvar", alpha=0.8, weight=2.0))
    assert committed(cvar) == {("build", "AC_c", 2025)}
    assert cvar.objective == pytest.approx(58.5)


def test_futures_without_a_common_plan_are_infeasible(net, fast):
    """three_sites with all key required (``min_served_bps``) and, in 2025, only ``a`` in
    early and only ``b`` in late: nothing that both futures have can serve 2025."""

    def required(data, dropped):
        cap = data.capacity.copy()
        cap.loc[cap["link"].isin(dropped) & (cap["period"] == 2025), "key_rate_per_system_bps"] = 0
        rates = data.demand_rates.assign(min_served_bps=data.demand_rates["key_rate_bps"])
        return replace(data, capacity=cap, demand_rates=rates)

    early = required(three_sites(net, "early"), ["AC_b", "AC_c"])
    late = required(three_sites(net, "late"), ["AC_a", "AC_c"])
    res = solve_hedge([Future("early", 0.5, early), Future("late", 0.5, late)], 2030,
                      options=fast())  # fmt: skip
    assert res.status == "infeasible" and not res.has_plan
    assert "commit year" in res.message
    assert res.plan_cost_eur == {"early": {"early": 18.0, "late": None},
                                 "late": {"late": 18.0, "early": None}}  # fmt: skip


def test_bad_futures_are_refused(net, fast):
    data = three_sites(net, "early")
    with pytest.raises(ValueError, match="sum to 1"):
        solve_hedge([Future("a", 0.5, data), Future("b", 0.4, data)], 2030, options=fast())
    with pytest.raises(ValueError, match="not after the first period"):
        solve_hedge([Future("a", 1.0, data)], 2025, options=fast())
