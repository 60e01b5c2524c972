"""Service targets in the model (ModelData ``min_served_bps``, ``unserved_weight``,
``objective``): must-serve rows, weighted penalties, and the budget study's lexicographic
objective (optimizer.solving.lexicographic). Optima worked out by hand."""

from __future__ import annotations

from dataclasses import replace

import pytest

from optimizer import optimise


def line(net, penalty=0.0, budget=None):
    """A-B by x (10 EUR per 4 bps system, nothing else needed), one 1-year period."""
    n = net(penalty=penalty, budgets={2025: budget} if budget is not None else None)
    n.equip("trusted_node", capex=0.0).tech("x", capex=10.0)
    return n.link("AB", "x", "A", "B", 4.0, needs=[])


def test_required_key_is_served_even_at_no_penalty(net, fast):
    """10 bps, no penalty: the cheapest plan serves nothing (0 EUR). With all 10 bps
    required (min_served_bps), three systems (12 bps) are bought: 30 EUR."""
    data = line(net).demand("d", "A", "B", 10.0).data()
    free, _ = optimise(data, fast())
    assert free.objective == pytest.approx(0.0)
    required = replace(data, demand_rates=data.demand_rates.assign(min_served_bps=10.0))
    res, t = optimise(required, fast())
    assert res.objective == pytest.approx(30.0)
    assert t["served"]["served_bps"].tolist() == [10.0]


def test_required_key_beyond_the_budget_is_infeasible(net, fast):
    """The same 10 bps required, but 25 EUR of budget buys two systems (8 bps): no plan."""
    data = line(net, budget=25.0).demand("d", "A", "B", 10.0).data()
    required = replace(data, demand_rates=data.demand_rates.assign(min_served_bps=10.0))
    res, _ = optimise(required, fast())
    assert res.status == "infeasible"


def test_budget_study_serves_the_most_then_pays_the_least(net, fast):
    """25 EUR of budget, 10 bps asked, x (10 EUR) or y (20 EUR) systems of 4 bps each.
    Most key first: 8 bps (three systems cost at least 30 > 25); the only plan serving 8
    within the budget is two x systems, 20 EUR (x + y = 30 breaks the budget). A penalty of
    1 EUR per bps-year would rather serve nothing: 10 bps x 1 EUR = 10 < 20."""
    n = line(net, penalty=1.0, budget=25.0).tech("y", capex=20.0)
    data = n.link("AB_y", "y", "A", "B", 4.0, needs=[]).demand("d", "A", "B", 10.0).data()
    penalised, _ = optimise(data, fast())
    assert penalised.objective == pytest.approx(10.0)  # nothing built, 10 bps x 1 EUR
    res, t = optimise(replace(data, objective="served"), fast())
    assert res.objective == pytest.approx(20.0) and res.status == "optimal"
    assert t["served"]["served_bps"].tolist() == [pytest.approx(8.0, abs=1e-6)]
    assert t["builds"][["link", "systems_new"]].values.tolist() == [["AB", 2]]
    assert "most key served first" in res.message


def test_budget_study_weighs_the_trust_classes(net, fast):
    """10 EUR of budget: one x system (4 bps) on A-B (trusted, weight 1) or C-D (trust-free,
    weight 3), 4 bps asked on each: the trust-free key is served."""
    n = line(net, budget=10.0).link("CD", "x", "C", "D", 4.0, needs=[])
    n.demand("t", "A", "B", 4.0).demand("f", "C", "D", 4.0, trust="trust_free")
    data = n.data()
    weights = data.demands["trust"].map({"trusted": 1.0, "trust_free": 3.0})
    res, t = optimise(
        replace(data, demands=data.demands.assign(unserved_weight=weights), objective="served"),
        fast(),
    )
    served = t["served"].set_index("demand")["served_bps"]
    assert served["t"] == 0.0 and served["f"] == pytest.approx(4.0, abs=1e-6)
    assert res.objective == pytest.approx(10.0)


def test_weighted_penalty(net, fast):
    """Penalty 2 EUR per bps-year, weights 1 and 5 on two 4 bps demands, a 10 EUR system
    each: serving the weight-5 one saves 4 x 5 x 2 = 40 > 10, the weight-1 one only
    4 x 1 x 2 = 8 < 10. Cost 10 + penalty 8 = 18."""
    n = line(net, penalty=2.0).link("CD", "x", "C", "D", 4.0, needs=[])
    data = n.demand("a", "A", "B", 4.0).demand("c", "C", "D", 4.0).data()
    weights = data.demands["demand"].map({"a": 1.0, "c": 5.0})
    res, _ = optimise(replace(data, demands=data.demands.assign(unserved_weight=weights)), fast())
    assert res.objective == pytest.approx(18.0)


def test_required_key_that_cannot_all_fit_is_served_as_far_as_it_goes(net, fast):
    """Two 4 bps demands on A-B, each servable alone by the link's one system (4 bps, at
    most 1 system), not together: required in full, the model is infeasible; as "the most
    of the required key, then the least cost" (engine.service.serve_most) one system
    carries 4 of the 8 bps, 10 EUR."""
    from engine.service import serve_most

    n = line(net).demand("d1", "A", "B", 4.0).demand("d2", "A", "B", 4.0)
    n.links[0]["max_systems"] = 1
    data = n.data()
    required = replace(data, demand_rates=data.demand_rates.assign(min_served_bps=4.0))
    assert optimise(required, fast())[0].status == "infeasible"
    res, t = optimise(serve_most(required), fast())
    assert res.objective == pytest.approx(10.0)
    assert t["served"]["served_bps"].sum() == pytest.approx(4.0, abs=1e-6)
