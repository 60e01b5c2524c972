"""Progressive hedging (optimizer.hedge.ph, ``method="ph"``) on the tiny instances of
test_hedge.py and test_hedge_random.py:

- PH's hedged plan shares its commitments: the commit periods' builds and equipment are
  the same in every future's tables;
- PH's bound <= the extensive form's optimum <= the expected cost of PH's plan (the EF
  solved to a zero gap; the bound is a valid lower bound, the plan a feasible one);
- with one future of probability 1, PH's plan is the deterministic optimum;
- ``auto`` takes the extensive form for small models and PH above ``EF_MAX_COLUMNS``;
  PH refuses risk measures other than the expected cost.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from optimizer import optimise
from optimizer.hedge import Future, PHSettings, Risk, choose_method, ph_plan, solve_hedge

HERE = Path(__file__).resolve().parent
TOL = 1e-6


def _sibling(name: str):
    """A sibling test module (importlib mode: test modules are not a package)."""
    spec = importlib.util.spec_from_file_location(f"_ph_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


hand = _sibling("test_hedge")
rand = _sibling("test_hedge_random")


def check_plan(res, futures: list[Future]) -> None:
    """A plan with the same commitments in every future and a bound below its cost."""
    assert res.has_plan, res.message
    assert res.method == "ph"
    first = rand.shared(res.tables[futures[0].name], res.commit_periods)
    for f in futures[1:]:
        assert rand.shared(res.tables[f.name], res.commit_periods) == first
    scale = max(1.0, abs(res.expected_cost_eur))
    assert res.objective == pytest.approx(res.expected_cost_eur, rel=1e-9, abs=1e-9)
    assert res.bound is not None and res.bound <= res.expected_cost_eur + TOL * scale
    assert res.ph["iterations"] >= 0 and res.ph["trivial_bound_eur"] is not None


def test_hand_worked_example_bound_ef_and_plan_in_order(net, fast):
    """Three sites (test_hedge.three_sites): the hedged optimum is 19.5 (commit ``c``);
    wait-and-see 18 is the trivial bound; PH's plan costs at least 19.5."""
    futures = [Future(f, 0.5, hand.three_sites(net, f)) for f in ("early", "late")]
    ef = solve_hedge(futures, 2030, options=fast(), method="ef")
    ph = solve_hedge(futures, 2030, options=fast(), method="ph", ph=PHSettings(max_iterations=8))
    check_plan(ph, futures)
    assert ef.objective == pytest.approx(19.5)
    assert ph.ph["trivial_bound_eur"] == pytest.approx(18.0)
    assert ph.bound <= ef.objective + TOL <= ph.expected_cost_eur + 2 * TOL
    assert ph.skipped == ["late's plan held in the other futures (its regrets)"]
    assert set(ph.regrets()["plan"]) == {"hedged", "early"}  # early: the expected future


@pytest.mark.parametrize("seed", range(0, 20, 3))
def test_random_bound_below_ef_optimum_below_plan(net, fast, seed):
    futures = rand.random_futures(net, seed)
    commit_until = 2030 + 5 * (seed % 2)
    ef = solve_hedge(futures, commit_until, options=fast(), method="ef")
    ph = solve_hedge(futures, commit_until, options=fast(), method="ph")
    check_plan(ph, futures)
    assert ef.status == "optimal", ef.message
    scale = max(1.0, abs(ef.objective))
    assert ph.bound <= ef.objective + TOL * scale
    assert ef.objective <= ph.expected_cost_eur + TOL * scale
    assert ph.evpi_eur >= -TOL * scale
    if ph.eev_eur is not None:
        assert ph.vss_eur >= -TOL * scale


@pytest.mark.parametrize("seed", range(0, 20, 5))
def test_one_future_of_probability_one_is_the_deterministic_optimum(net, fast, seed):
    data = rand.random_futures(net, seed)[0].data
    alone, tables = optimise(data, fast())
    res = solve_hedge([Future("only", 1.0, data)], 2035, options=fast(), method="ph")
    check_plan(res, [Future("only", 1.0, data)])
    assert res.expected_cost_eur == pytest.approx(alone.objective, rel=1e-6, abs=1e-6)
    assert res.gap == pytest.approx(0.0, abs=1e-6)
    hedged = res.tables["only"]["builds"].query("systems_new > 0")
    own = tables["builds"].query("systems_new > 0")
    assert res.tables["only"]["costs"]["discounted_eur"].sum() == pytest.approx(
        tables["costs"]["discounted_eur"].sum(), rel=1e-6, abs=1e-6
    )
    assert len(hedged) > 0 and len(own) > 0


def test_auto_chooses_by_size_and_ph_needs_the_expected_cost(net, fast, monkeypatch):
    futures = [Future(f, 0.5, hand.three_sites(net, f)) for f in ("early", "late")]
    res = solve_hedge(futures, 2030, options=fast(), method="auto")
    assert res.method == "ef"
    monkeypatch.setattr(ph_plan, "EF_MAX_COLUMNS", 0)
    res = solve_hedge(futures, 2030, options=fast(), method="auto")
    assert res.method == "ph" and res.has_plan
    models = {f.name: None for f in futures}
    assert choose_method(models, Risk("regret"), "auto") == "ef"  # no model is looked at
    with pytest.raises(ValueError, match="expected cost"):
        solve_hedge(futures, 2030, options=fast(), method="ph", risk=Risk("regret"))
    with pytest.raises(ValueError, match="unknown method"):
        solve_hedge(futures, 2030, options=fast(), method="lagrange")
