"""The rolling-horizon strategy (optimizer.solving.rolling): period by period, checked in the full
model, measured against the full model's LP bound. Optima recomputed by hand."""

from __future__ import annotations

import pytest

from optimizer import optimise

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
    res, t = optimise(myopic_net(net), fast(strategy="rolling"))
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
    rolling, t = optimise(data, fast(strategy="rolling"))
    assert exact.objective == pytest.approx(300.0)
    assert rolling.objective == pytest.approx(300.0)
    assert t["builds"]["systems_new"].tolist() == [1, 0, 1, 0]


def is_step(model, period: int) -> bool:
    """A rolling step's model for ``period`` (steps hold earlier periods' plans in
    ``held_*`` rows; the full model holds none, or every build when HiGHS checks it)."""
    held = getattr(model, "held_build", None)
    return max(model.sets.periods) == period and held is not None and len(held) < len(model.build)


def test_unknown_strategy_is_refused(fast):
    with pytest.raises(ValueError, match="unknown strategy 'split'"):
        fast(strategy="split")


def test_a_step_without_a_plan_builds_nothing_new(net, fast, scripted, no_plan):
    """myopic_net with the 2030 step made to find no plan: the 2025 choice (one x system,
    10) stands and nothing is added, so 2 of the 3 bps of 2030 go unserved at the penalty:
    10 + 2 x 1000 x 1 year = 2010, checked in the full model."""

    def fail_2030(model, stage, res, ok):
        return no_plan(res) if is_step(model, 2030) else (res, ok)

    runner = scripted(fail_2030)
    res, t = optimise(myopic_net(net), fast(strategy="rolling"), runner=runner)
    assert res.objective == pytest.approx(2010.0)
    assert t["builds"].query("systems_new > 0")[["link", "period"]].values.tolist() == [
        ["AB_x", 2025]
    ]
    assert "step 2030: no_solution, no plan in its time: nothing new built" in res.message


def test_later_steps_hold_the_earlier_routing(net, fast, scripted):
    """myopic_net: the 2030 step holds 2025's key routing at the 2025 step's values (1 bps
    served to d, relayed A -> B over the corridor and carried by the one x system) beside
    its builds, so the step only decides 2030; the plan and its cost (27) are unchanged."""
    import pyomo.environ as pyo

    from optimizer.solving.rolling import OPERATIONS

    held = {}

    def record(model, stage, res, ok):
        if is_step(model, 2030):
            for name in OPERATIONS:
                rows = getattr(model, f"held_{name}")
                held[name] = {k: pyo.value(rows[k].upper) for k in rows}
        return res, ok

    res, _ = optimise(myopic_net(net), fast(strategy="rolling"), runner=scripted(record))
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
    ("termination", "says"),
    [
        ("infeasible", "the rolling plan is not feasible in the full model"),
        ("maxTimeLimit", "could not be checked in the full model in time (no_solution)"),
    ],
)
def test_a_failed_solver_check_says_why(net, fast, scripted, no_plan, termination, says):
    """The 2030 step finds no plan, so HiGHS must route 2030 in the full model (every build
    held); that check ends without a plan: an error, and the message tells infeasibility
    from running out of time."""

    def fail(model, stage, res, ok):
        held = getattr(model, "held_build", None)
        check = held is not None and len(held) == len(model.build) and stage != "bound"
        if check:
            return no_plan(res, termination)
        return no_plan(res) if is_step(model, 2030) else (res, ok)

    res, _ = optimise(myopic_net(net), fast(strategy="rolling"), runner=scripted(fail))
    assert res.status == "error" and says in res.message


def test_a_routed_plan_is_checked_by_evaluation_without_a_solver(net, fast, scripted):
    """Both steps find plans, so the full model is only evaluated: HiGHS runs for the two
    steps and for the bound, never otherwise on the full model. A plan relaying 2030's 3
    bps twice over (6 bps of flow A -> B, 3 served) breaks a row by exactly 3 bps and is an
    error."""
    runs: list[tuple[int, bool, str]] = []

    def count(model, stage, res, ok):
        runs.append((len(model.sets.periods), hasattr(model, "held_build"), stage))
        return res, ok

    res, _ = optimise(myopic_net(net), fast(strategy="rolling"), runner=scripted(count))
    assert res.objective == pytest.approx(27.0)
    steps = [periods for periods, step, _ in runs if step]
    assert steps[0] == 1 and steps[-1] == 2 and sorted(steps) == steps
    assert [stage for _, step, stage in runs if not step] == ["bound"]

    def doubled(model, stage, res, ok):
        if ok and stage == "mip" and is_step(model, 2030):
            for k, v in model.flow.items():
                if k[-1] == 2030:
                    v.set_value(2 * v.value)
        return res, ok

    res, _ = optimise(myopic_net(net), fast(strategy="rolling"), runner=scripted(doubled))
    assert res.status == "error" and "the rolling plan breaks" in res.message
    assert "by 3 " in res.message
