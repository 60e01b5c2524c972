"""``SolveOptions.first_plan``: the exact stages stop at the rounded start, whose bound is
the LP relaxation (the hedge's single-future solves on large networks use it)."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest

from optimizer.build import build_model
from optimizer.solving.exact import solve_exact
from optimizer.solving.session import Session


def _one_link(net):
    """A-B, one link of 10 bps per system at 100 EUR each, 25 bps to serve (must-serve
    rows: the penalty is far above the price). The LP buys 2.5 systems (250 EUR), every
    integer plan at least 3 (300 EUR)."""
    n = net().tech("t", 100.0)
    n.link("L", "t", "A", "B", {2025: 10.0}, max_systems=10, needs=[])
    return n.demand("d", "A", "B", {2025: 25.0}).data()


def test_first_plan_is_the_rounded_start_with_the_lp_bound(net, fast) -> None:
    data = _one_link(net)
    model = build_model(data)
    res = solve_exact(model, data, Session(fast(first_plan=True)))
    assert res.objective == pytest.approx(300.0)
    assert res.bound == pytest.approx(250.0) and res.lp_bound == pytest.approx(250.0)
    assert res.gap == pytest.approx(50.0 / 300.0)
    assert res.status == "time_limit"  # 16.7 % is above the 0 gap asked
    assert "first plan" in res.message
    assert model.build["L", 2025].value == pytest.approx(3.0)
    assert pyo.value(model.total_cost) == pytest.approx(300.0)


def test_without_first_plan_the_mip_proves_the_same_plan_optimal(net, fast) -> None:
    data = _one_link(net)
    res = solve_exact(build_model(data), data, Session(fast()))
    assert res.status == "optimal"
    assert res.objective == pytest.approx(300.0) and res.bound == pytest.approx(300.0)
