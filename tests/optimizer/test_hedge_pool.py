"""The hedge's single-future solves in worker processes (optimizer.hedge.pool, singles):
two workers give the numbers of the hand-worked example (test_hedge.three_sites) and of
one worker, in the futures' order; the worker count follows the models' size; values
that do not fit the model are refused."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from optimizer.build import build_model
from optimizer.hedge import Future, PHSettings, solve_hedge
from optimizer.hedge.pool import PARALLEL_MIN_COLUMNS, choose_workers, snapshot_of, variables

HERE = Path(__file__).resolve().parent


_spec = importlib.util.spec_from_file_location("_pool_hand", HERE / "test_hedge.py")
hand = importlib.util.module_from_spec(_spec)  # importlib mode: test modules are no package
_spec.loader.exec_module(hand)  # type: ignore[union-attr]


def test_two_workers_reproduce_the_hand_worked_hedge(net, fast):
    """Expected 19.5 (commit ``c``), wait-and-see 18, EEV 20.25 (early's plan), regrets 4.5
    of each single-future plan in the other future: as worked by hand in
    test_hedge.three_sites, with the six single-future solves in two processes."""
    futures = [Future(f, 0.5, hand.three_sites(net, f)) for f in ("early", "late")]
    res = solve_hedge(futures, 2030, options=fast(), expected="early", workers=2)
    assert res.workers == 2
    assert res.status == "optimal"
    assert res.expected_cost_eur == pytest.approx(19.5)
    assert res.wait_and_see_eur == pytest.approx(18.0)
    assert res.eev_eur == pytest.approx(20.25)
    assert res.vss_eur == pytest.approx(0.75)
    assert res.plan_cost_eur["early"] == pytest.approx({"early": 18.0, "late": 22.5})
    assert res.plan_cost_eur["late"] == pytest.approx({"early": 22.5, "late": 18.0})
    assert list(res.plan_cost_eur) == ["early", "late"]  # the futures' order
    assert hand.committed(res) == {("build", "AC_c", 2025)}


def test_progressive_hedging_candidates_in_workers_match_one_process(net, fast):
    """PH's candidate plans held in both futures at once give what one process gives."""
    futures = [Future(f, 0.5, hand.three_sites(net, f)) for f in ("early", "late")]
    settings = PHSettings(max_iterations=4)
    one = solve_hedge(futures, 2030, options=fast(), method="ph", ph=settings, workers=1)
    two = solve_hedge(futures, 2030, options=fast(), method="ph", ph=settings, workers=2)
    assert two.expected_cost_eur == pytest.approx(one.expected_cost_eur)
    assert list(two.ph_costs) == list(one.ph_costs)
    for label, costs in one.ph_costs.items():
        assert two.ph_costs[label] == pytest.approx(costs)
    assert two.commitment == one.commitment


def test_workers_follow_the_models_size(net):
    """Tiny models run in this process; an explicit count is taken as given; 0 is refused."""
    model = build_model(hand.three_sites(net, "early"))
    models = {"early": model, "late": model}
    assert choose_workers(models, None) == 1  # a handful of columns < PARALLEL_MIN_COLUMNS
    assert PARALLEL_MIN_COLUMNS > 100
    assert choose_workers(models, 3) == 3
    with pytest.raises(ValueError, match="workers must be >= 1"):
        choose_workers(models, 0)


def test_values_must_fit_the_model(net):
    model = build_model(hand.three_sites(net, "early"))
    n = len(list(variables(model)))
    assert len(snapshot_of(model, [0.0] * n)) == n
    with pytest.raises(ValueError, match=f"{n - 1} values for a model of {n} variables"):
        snapshot_of(model, [0.0] * (n - 1))
