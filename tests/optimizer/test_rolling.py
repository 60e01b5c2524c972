"""The rolling-horizon strategy (optimizer.rolling): period by period, checked in the full
model, measured against the full model's LP bound. Optima recomputed by hand."""

from __future__ import annotations

import pytest

from optimizer import optimise
from optimizer.rolling import restrict_periods

TWO = ((2025, 1, 1.0), (2030, 1, 1.0))
FOUR_PERIODS = ((2025, 5, 1.0), (2030, 5, 1.0), (2035, 5, 1.0), (2040, 5, 1.0))


def myopic_net(net):
    """A-B by 'x' (10 per system, no extra equipment) or 'y' (1 per system, but a relay at
    R costing 15); 1 bps per system; demand 1 bps in 2025, 3 bps in 2030; nothing retires.

    Exact: y from the start, 15 + 1 + 2 = 18. Rolling: 2025 alone picks x (10 < 16); in
    2030, with that x system sunk, 2 more bps cost 2 x 10 = 20 by x or 15 + 2 = 17 by y,
    so y: 10 + 17 = 27."""
    n = net(periods=TWO, penalty=1000.0)
    n.equip("trusted_node", capex=0.0).equip("relay", capex=15.0)
    n.tech("x", capex=10.0).tech("y", capex=1.0, phase="II")
    n.link("AB_x", "x", "A", "B", 1.0)
    needs = [("A", "trusted_node"), ("B", "trusted_node"), ("R", "relay")]
    n.link("AB_y", "y", "A", "B", 1.0, needs=needs, relay_site="R")
    return n.demand("d", "A", "B", {2025: 1.0, 2030: 3.0}).data()


def test_rolling_pays_for_myopia_exactly(net, fast):
    exact, _ = optimise(myopic_net(net), fast())
    assert exact.objective == pytest.approx(18.0)
    res, t = optimise(myopic_net(net), fast(), strategy="rolling")
    assert res.objective == pytest.approx(27.0)
    new = t["builds"].query("systems_new > 0")
    assert new[["link", "period", "systems_new"]].values.tolist() == [
        ["AB_x", 2025, 1],
        ["AB_y", 2030, 2],
    ]
    # the bound is the full model's LP relaxation: below the exact optimum, and the gap is
    # measured from it, so the plan is not claimed optimal
    assert res.bound is not None and res.bound <= 18.0 + 1e-6
    assert res.gap == pytest.approx((27.0 - res.bound) / 27.0)
    assert res.status == "time_limit" and "rolling horizon" in res.message


def test_rolling_matches_exact_when_periods_do_not_interact(net, fast):
    """tests/optimizer/test_time.py's replacement case: bb84 (100, 10-year life) and trusted
    nodes (2 x 50, never retire), 1000 bps in each of four 5-year periods. Each period's
    cheapest choice is also the whole horizon's: 2 x 100 + 2 x 50 = 300 either way."""
    n = net(periods=FOUR_PERIODS, penalty=1000.0).equip("trusted_node", capex=50.0)
    n.tech("bb84", capex=100.0, lifetime=10.0).link("AB", "bb84", "A", "B", 1000.0)
    data = n.demand("d", "A", "B", 1000.0).data()
    exact, _ = optimise(data, fast())
    rolling, t = optimise(data, fast(), strategy="rolling")
    assert exact.objective == pytest.approx(300.0)
    assert rolling.objective == pytest.approx(300.0)
    assert t["builds"]["systems_new"].tolist() == [1, 0, 1, 0]


def test_restrict_periods_keeps_only_earlier_rows(net):
    data = myopic_net(net)
    cut = restrict_periods(data, 2025)
    for name in ("periods", "costs", "capacity", "demand_rates"):
        assert set(getattr(cut, name)["period"]) == {2025}
        assert len(getattr(cut, name)) == len(getattr(data, name)) // 2
    assert cut.links.equals(data.links) and cut.validate() is cut


def test_unknown_strategy_is_refused(net, fast):
    with pytest.raises(ValueError, match="unknown strategy 'split'"):
        optimise(myopic_net(net), fast(), strategy="split")


def test_a_step_without_a_plan_builds_nothing_new(net, fast, monkeypatch):
    """myopic_net with the 2030 step made to find no plan: the 2025 choice (one x system,
    10) stands and nothing is added, so 2 of the 3 bps of 2030 go unserved at the penalty:
    10 + 2 x 1000 x 1 year = 2010, checked in the full model."""
    import optimizer.rolling as rolling
    from optimizer import SolveResult

    real = rolling.solve

    def failing_2030(model, options):
        # the 2030 step holds only the 2025 builds; the final check holds every build
        step_2030 = max(model.sets.periods) == 2030 and len(model.held_build) < len(model.build)
        if step_2030:
            return SolveResult("no_solution", None, None, None, None, message="forced")
        return real(model, options)

    monkeypatch.setattr(rolling, "solve", failing_2030)
    res, t = optimise(myopic_net(net), fast(), strategy="rolling")
    assert res.objective == pytest.approx(2010.0)
    assert t["builds"].query("systems_new > 0")[["link", "period"]].values.tolist() == [
        ["AB_x", 2025]
    ]
    assert "step 2030: no_solution, no plan in its time: nothing new built" in res.message


def test_later_steps_hold_the_earlier_routing(net, fast, monkeypatch):
    """myopic_net: the 2030 step holds 2025's key routing at the 2025 step's values (1 bps
    served to d, relayed A -> B over the corridor and carried by the one x system) beside
    its builds, so the step only decides 2030; the plan and its cost (27) are unchanged."""
    import pyomo.environ as pyo

    import optimizer.rolling as rolling

    real, held = rolling.solve, {}

    def recording(model, options):
        step_2030 = max(model.sets.periods) == 2030 and len(model.held_build) < len(model.build)
        if step_2030:
            for name in rolling.OPERATIONS:
                rows = getattr(model, f"held_{name}")
                held[name] = {k: pyo.value(rows[k].upper) for k in rows}
        return real(model, options)

    monkeypatch.setattr(rolling, "solve", recording)
    res, _ = optimise(myopic_net(net), fast(), strategy="rolling")
    assert res.objective == pytest.approx(27.0)
    assert held["served"] == {("d", 2025): pytest.approx(1.0)}
    # relayed over the A-B corridor, carried by the x link (nothing on y, not built yet)
    assert held["flow"] == {("trusted|A", "pair:A-B", "A", "B", 2025): pytest.approx(1.0)}
    assert held["carry"] == {
        ("AB_x", "trusted", 2025): pytest.approx(1.0),
        ("AB_y", "trusted", 2025): pytest.approx(0.0),
    }
    assert all(k[-1] == 2025 for rows in held.values() for k in rows)


@pytest.mark.parametrize(
    ("status", "says"),
    [
        ("infeasible", "the rolling plan is not feasible in the full model"),
        ("no_solution", "could not be checked in the full model in time (no_solution)"),
    ],
)
def test_a_failed_solver_check_says_why(net, fast, monkeypatch, status, says):
    """The 2030 step finds no plan, so HiGHS must route 2030 in the full model (every build
    held); that check ends without a plan: an error, and the message tells infeasibility
    from running out of time."""
    import optimizer.rolling as rolling
    from optimizer import SolveResult

    real = rolling.solve

    def failing(model, options):
        step_2030 = max(model.sets.periods) == 2030 and len(model.held_build) < len(model.build)
        check = len(model.sets.periods) == 2 and len(model.held_build) == len(model.build)
        if step_2030 or check:
            return SolveResult(status if check else "no_solution", None, None, None, None)
        return real(model, options)

    monkeypatch.setattr(rolling, "solve", failing)
    res, _ = optimise(myopic_net(net), fast(), strategy="rolling")
    assert res.status == "error" and says in res.message


def test_a_routed_plan_is_checked_by_evaluation_without_a_solver(net, fast, monkeypatch):
    """Both steps find plans, so the full model is only evaluated: HiGHS runs for the two
    steps and the bound, never on the held full model. A plan serving 2030's 3 bps twice
    over (6 bps, the demand is 3) breaks a row by exactly 3 bps and is an error."""
    import optimizer.rolling as rolling

    real_solve, real_ops, solved = rolling.solve, rolling._operations, []

    def counting(model, options):
        solved.append(len(model.sets.periods))
        return real_solve(model, options)

    monkeypatch.setattr(rolling, "solve", counting)
    res, _ = optimise(myopic_net(net), fast(), strategy="rolling")
    assert res.objective == pytest.approx(27.0) and solved == [1, 2]

    def doubled(model, period):
        ops = real_ops(model, period)
        if period == 2030:
            ops["served"] = {k: 2 * v for k, v in ops["served"].items()}
        return ops

    monkeypatch.setattr(rolling, "_operations", doubled)
    res, _ = optimise(myopic_net(net), fast(), strategy="rolling")
    assert res.status == "error" and "the rolling plan breaks" in res.message
    assert "by 3 " in res.message
