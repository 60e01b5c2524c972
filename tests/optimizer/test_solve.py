"""Solve stages (LP bound, relaxed counts, warm start, progress), model output, and the
result tables' contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer import TimeBudget, build_model, optimise, write_model
from optimizer.extract import COLUMNS
from optimizer.solving.highs_run import HighsRun

CONTRACT = {
    "builds": ["period", "link", "tech", "systems_new", "systems_installed", "capex_eur",
               "key_rate_per_system_bps", "capacity_bps"],
    "equipment": ["period", "site", "equipment", "installed", "new"],
    "served": ["period", "demand", "site_a", "site_b", "trust", "customer", "demand_bps",
               "served_bps"],
    "flows": ["period", "link", "trust", "key_flow_bps"],
    "costs": ["period", "category", "eur", "discounted_eur"],
    "phases": ["period", "phase", "served_bps", "share"],
}  # fmt: skip


def one_link(net):
    """2500 bps over 1000 bps systems (100 EUR + 10 EUR/y), nodes 50 EUR + 5 EUR/y, 1 y."""
    n = net(penalty=1000.0).tech("bb84", capex=100.0, opex=10.0)
    n.equip("trusted_node", capex=50.0, opex=5.0).link("AB", "bb84", "A", "B", 1000.0)
    return n.demand("d", "A", "B", 2500.0)


def test_bounds_relaxed_and_integer(net, fast):
    """Integer optimum 440 (3 systems). Counts continuous, nodes binary: 2.5 systems,
    250 + 25 + 2*(50 + 5) = 385. Full LP relaxation: nodes may be 2.5/10 = 0.25 (big-M 10),
    250 + 25 + 0.25*110 = 302.5 = lp_bound of both solves."""
    res, _ = optimise(one_link(net).data(), fast())
    relaxed, tr = optimise(one_link(net).data(), fast(relax_integers=True))
    assert (res.objective, relaxed.objective) == pytest.approx((440.0, 385.0))
    assert res.lp_bound == pytest.approx(302.5) and relaxed.lp_bound == pytest.approx(302.5)
    assert res.gap == 0.0 and res.bound == pytest.approx(440.0)
    assert tr["builds"]["systems_new"].tolist() == [2.5]


def grid(net, seed: int):
    """2x3 grid of bb84 spans with random costs/rates and three trusted demands."""
    rng = np.random.default_rng(seed)
    n = net(periods=((2025, 5, 1.0), (2030, 5, 0.8)), penalty=0.2)
    n.tech("bb84", capex=100.0, opex=5.0).equip("trusted_node", capex=40.0, opex=2.0)
    for r in range(2):
        for c in range(3):
            for dr, dc in ((0, 1), (1, 0)):
                if r + dr < 2 and c + dc < 3:
                    a, b = f"N{r}{c}", f"N{r + dr}{c + dc}"
                    rate = float(rng.choice([400.0, 700.0, 1000.0]))
                    n.link(f"{a}-{b}", "bb84", a, b, rate, max_systems=4)
    for k, (a, b) in enumerate((("N00", "N12"), ("N00", "N10"), ("N02", "N11"))):
        n.demand(f"d{k}", a, b, {2025: 800.0, 2030: 1500.0})
    return n.data()


@pytest.mark.parametrize("seed", [0, 1])
def test_warm_start_reaches_same_optimum(net, fast, seed):
    """With or without the rounded start, the same optimum; the start is feasible, so
    its cost is >= the optimum; relaxed counts give a lower bound, the LP a lower one."""
    data = grid(net, seed)
    warm, _ = optimise(data, fast(warm_start=True))
    cold, _ = optimise(data, fast(warm_start=False))
    relaxed, _ = optimise(data, fast(relax_integers=True))
    assert warm.objective == pytest.approx(cold.objective, rel=1e-9)
    assert warm.start_objective >= warm.objective - 1e-6
    assert cold.start_objective is None
    assert warm.lp_bound <= relaxed.objective + 1e-6 <= warm.objective + 2e-6


def test_rounded_start_breaking_budget_is_dropped(net, fast):
    """Budget 250 with 3000 bps to serve: the LP builds 2.5 systems, rounding up to 3 costs
    300 > 250, so no start is passed; the optimum is still 2*100 + 1000*1 = 1200."""
    n = net(penalty=1.0, budgets={2025: 250.0}).tech("bb84", capex=100.0)
    n.equip("trusted_node", capex=0.0).link("AB", "bb84", "A", "B", 1000.0)
    res, _ = optimise(n.demand("d", "A", "B", 3000.0).data(), fast())
    assert res.start_objective is None and "no start" in res.message
    assert res.objective == pytest.approx(1200.0)


def test_progress_reports_stages(net, fast):
    events = []
    res, _ = optimise(one_link(net).data(), fast(), events.append)
    stages = [e["stage"] for e in events]
    assert stages[0] == "build" and stages[-1] == "done"
    assert {"lp", "lp_done", "warm_start_done"} <= set(stages)
    assert events[-1]["objective"] == res.objective == pytest.approx(440.0)


def test_negative_budget_is_infeasible_with_empty_tables(net, fast):
    """Budget -1 EUR cannot be met even by building nothing."""
    n = one_link(net)
    n.budgets = {2025: -1.0}
    res, tables = optimise(n.data(), fast())
    assert res.status == "infeasible" and res.objective is None
    assert all(df.empty and list(df.columns) == CONTRACT[k] for k, df in tables.items())


def test_write_lp_and_mps(net, tmp_path):
    model = build_model(one_link(net).data())
    for name in ("m.lp", "m.mps"):
        text = write_model(model, tmp_path / name).read_text()
        assert "build" in text and "capacity" in text
    with pytest.raises(ValueError, match="must end in"):
        write_model(model, tmp_path / "m.txt")


def mixed(net):
    """Trusted A-C 2000 bps over A-B bb84 (phase I) and B-C MDI (phase II), 1000 bps per
    system, plus a trust-free A-B demand of 500 bps that the bb84 link serves directly.
    Phases: the trusted key moves 2000 bps on one phase-I and one phase-II link -> 1000
    bps each; the trust-free key adds 500 to phase I -> I 1500 (0.6), II 1000 (0.4)."""
    n = net(periods=((2025, 5, 1.0), (2030, 5, 0.5)), penalty=1000.0)
    n.tech("bb84", capex=100.0).tech("mdi", capex=100.0, phase="II")
    n.equip("trusted_node", capex=10.0, opex=1.0)
    n.link("AB", "bb84", "A", "B", 1000.0).link("BC", "mdi", "B", "C", 1000.0)
    n.demand("t", "A", "C", 2000.0).demand("f", "A", "B", 500.0, trust="trust_free")
    return n.demand("z", "B", "C", 0.0, trust="partial", customer="bank")


def test_tables_follow_the_contract(net, fast):
    res, t = optimise(mixed(net).data(), fast())
    assert COLUMNS == CONTRACT
    for name, cols in CONTRACT.items():
        assert list(t[name].columns) == cols, name
        for col in t[name].select_dtypes("float").columns:
            x = t[name][col].to_numpy()
            assert not np.any(np.signbit(x) & (x == 0)), (name, col)
    assert pd.api.types.is_integer_dtype(t["builds"]["systems_new"])
    assert t["builds"].query("period == 2025")["systems_new"].tolist() == [3, 2]
    ph = t["phases"].set_index(["period", "phase"])
    assert ph.loc[(2025, "I"), "share"] == pytest.approx(0.6)
    assert ph.loc[(2025, "II"), "share"] == pytest.approx(0.4)
    assert t["phases"].groupby("period")["share"].sum().tolist() == pytest.approx([1.0, 1.0])
    costs = t["costs"]
    running = costs.query("category != 'residual_value'")
    factor = running["period"].map({2025: 1.0, 2030: 0.5})
    assert np.allclose(running["discounted_eur"], running["eur"] * factor)
    # the residual value: one row, in the last period, discounted from the horizon's end
    # (factor 0 in this Net, which credits nothing)
    residual = costs.query("category == 'residual_value'")
    assert residual["period"].tolist() == [2030] and residual["eur"].iloc[0] <= 0
    assert residual["discounted_eur"].tolist() == [0.0]
    assert costs["discounted_eur"].sum() == pytest.approx(res.objective)
    assert sorted(costs["category"].unique()) == sorted(
        ["capex_systems", "capex_equipment", "opex_systems", "opex_equipment",
         "unserved_penalty", "residual_value"]
    )  # fmt: skip


def test_thread_count_may_change_between_solves_in_one_process(net, fast):
    """HiGHS sizes one process-wide thread pool on its first run; a later run with another
    ``threads`` used to fail at once (status error, termination unknown). One A-B bb84
    link, 1000 bps demand, system 100 + two free nodes: 100 either way."""
    n = net(penalty=1000.0).equip("trusted_node", capex=0.0).tech("bb84", capex=100.0)
    data = n.link("AB", "bb84", "A", "B", 1000.0).demand("d", "A", "B", 1000.0).data()
    for threads in (1, 2, 1):
        res, _ = optimise(data, fast(threads=threads))
        assert (res.status, res.objective) == ("optimal", pytest.approx(100.0)), threads


def test_lp_stage_is_capped_at_its_share_of_the_time_limit(net, fast):
    """The LP relaxation's run gets at most ``TimeBudget.exact_lp x time_limit_s`` (here
    0.25 x 40 s = 10 s), so the MIP keeps time for a plan; the optimum (440 EUR) is
    unchanged. The runner passed to ``optimise`` records what each run was given."""
    limits: list[tuple[str, bool, float | None]] = []

    class Recording(HighsRun):
        def solve(self, model, stage, warm=False, lp=False, limit=None):
            limits.append((stage, lp, limit))
            return super().solve(model, stage, warm=warm, lp=lp, limit=limit)

    options = fast(time_limit_s=40, budget=TimeBudget(exact_lp=0.25))
    res, _ = optimise(one_link(net).data(), options, runner=Recording)
    assert limits[0] == ("lp", True, 10.0)
    assert limits[-1][0] == "mip"
    assert res.objective == pytest.approx(440.0)


def test_lp_after_a_timed_out_mip_gets_its_own_time():
    """HiGHS compares some limits with an instance's cumulative run time (ERGO-Code/HiGHS
    #1477): after a MIP stopped at its 2 s limit, an LP given 1 s used to stop at once
    ("time limit reached", no solution). The MIP is a market split instance (Cornuejols &
    Dawande 1999: 4 rows, 30 binaries, far beyond 2 s of branch and bound); its LP
    relaxation reaches 0 (every row can be met exactly with x = 1/2 nudged), so the
    run after the MIP must report that optimum."""
    import pyomo.environ as pyo

    from optimizer import SolveOptions
    from optimizer.solving import warmstart

    rng = np.random.default_rng(3)
    a = rng.integers(0, 100, (4, 30))
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(30), domain=pyo.Binary)
    m.up = pyo.Var(range(4), domain=pyo.NonNegativeReals)
    m.down = pyo.Var(range(4), domain=pyo.NonNegativeReals)
    m.rows = pyo.Constraint(
        range(4),
        rule=lambda m, i: (
            sum(int(a[i, j]) * m.x[j] for j in range(30)) + m.up[i] - m.down[i]
            == int(a[i].sum()) // 2
        ),
    )
    m.obj = pyo.Objective(expr=sum(m.up[i] + m.down[i] for i in range(4)))
    run = HighsRun(SolveOptions(time_limit_s=60.0, threads=1))
    mip, _ = run.solve(m, "mip", limit=2.0)
    assert mip.termination_condition.name == "maxTimeLimit"
    warmstart.relax(m)
    lp, ok = run.solve(m, "lp", lp=True, limit=1.0)
    assert ok and lp.termination_condition.name == "optimal"
    assert lp.best_feasible_objective == pytest.approx(0.0, abs=1e-6)
