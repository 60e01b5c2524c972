"""engine.break_even: the break-even of an unused technology by re-solving (bisection on a
price factor), checked against a plan whose break-even is known by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.break_even import Outcome, break_even_by_resolve, priced, resolve
from engine.scenario import Scenario, load_scenario

X_EUR, Y_EUR = 100_000.0, 150_000.0  # bb84 (used) and cv_qkd (unused) capex per system

TWO = f"""
name: two
timeline: mid
horizon: {{start_year: 2025, end_year: 2030, period_years: 5}}
network:
  sites:
    - {{id: A, lon: 0.0, lat: 50.0}}
    - {{id: B, lon: 0.3, lat: 50.0}}
  spans:
    - {{a: A, b: B, length_km: 20}}
demand:
  pairs:
    - {{a: A, b: B, key_rate_bps: 1000, trust: trusted}}
technologies:
  enabled: [bb84, cv_qkd]
  overrides:
    bb84: {{capex_eur: {X_EUR}, opex_eur_per_year: 0, lifetime_years: 5,
           learning_rate_per_year: 0}}
    cv_qkd: {{capex_eur: {Y_EUR}, opex_eur_per_year: 0, lifetime_years: 5,
             learning_rate_per_year: 0, available_year: 2025, repetition_rate_hz: 2.0e8}}
economics: {{unserved_penalty_eur_per_bps_year: 100000}}
solver: {{time_limit_s: 30, threads: 1}}
"""


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """Two sites 20 km apart, one 1 kbit/s demand, one period of 5 years; bb84 and cv_qkd
    both point to point (no site equipment), both making far more than 1 kbit/s per system
    (Mbit/s), lifetime 5 years = the period (no renewal, no residual value), opex 0, no
    learning. So the plan is one system of whichever is cheaper, and its cost is that
    system's capex × the period's discount factor, the same for both."""
    path = tmp_path_factory.mktemp("two") / "two.yaml"
    path.write_text(TWO, encoding="utf-8")
    return load_scenario(path)


class Counting:
    """The default re-solve, counted."""

    def __init__(self) -> None:
        self.factors: list[float] = []

    def __call__(self, scenario: Scenario, tech: str, period: int | None) -> Outcome:
        over = scenario.technologies.overrides[tech]
        self.factors.append(over.capex_eur / Y_EUR)
        return resolve(scenario, tech, period)


def test_break_even_is_the_price_ratio(two: Scenario) -> None:
    """cv_qkd at factor f costs f·Y against bb84's X, all else equal (see ``two``), so it
    enters exactly when f·Y < X, i.e. f < X / Y = 2/3 (a 33.3 % cut). At f = 2/3 the two
    plans tie and either is optimal; no bisection midpoint of [0.5, 1] is 2/3 (it is not a
    dyadic rational), so the test never meets the tie. The bisection returns the largest
    factor it saw enter: within ``tolerance`` below 2/3. Re-solves: f = 1, f = 0.5 (a cut
    of at most 50 %), then ⌈log2(0.5 / 0.02)⌉ = 5 bisection steps: 7 in all."""
    count = Counting()
    found = break_even_by_resolve(
        two, "cv_qkd", period=2025, max_cut=0.5, tolerance=0.02, solve=count
    )
    assert found.enters
    assert X_EUR / Y_EUR - 0.02 <= found.factor < X_EUR / Y_EUR
    assert found.cut_pct == pytest.approx(100 * (1 - found.factor))
    assert found.solves == len(count.factors) == 7
    assert count.factors[:3] == pytest.approx([1.0, 0.5, 0.75])
    for r in found.resolves:  # each re-solve on the right side of the hand-made break-even
        assert r.enters == (r.factor < X_EUR / Y_EUR), r
        assert r.systems == (1 if r.enters else 0) and r.status == "optimal"
    today = found.resolves[0].cost_eur  # one bb84 system, discounted
    for r in found.resolves:
        expected = today * (r.factor * Y_EUR / X_EUR if r.enters else 1.0)
        assert r.cost_eur == pytest.approx(expected, rel=1e-6)
    table = found.table()
    assert list(table["Enters"]) == ["yes" if r.enters else "no" for r in found.resolves]
    assert "cheaper" in found.summary()


def test_never_enters_within_the_largest_cut(two: Scenario) -> None:
    """With at most a 30 % cut the factor stays ≥ 0.7 > 2/3: two re-solves (f = 1 and
    f = 0.7), neither with cv_qkd, and no factor."""
    count = Counting()
    found = break_even_by_resolve(two, "cv_qkd", max_cut=0.3, solve=count)
    assert not found.enters and found.factor is None and found.cut_pct is None
    assert count.factors == pytest.approx([1.0, 0.7])
    assert [r.enters for r in found.resolves] == [False, False]
    assert "does not enter" in found.summary()


def test_bisection_with_a_stand_in_solve(two: Scenario) -> None:
    """Without solving: entering below f = 0.3; ``known_unused`` skips f = 1; a technology
    already used at today's price returns factor 1 after one re-solve."""
    seen: list[float] = []

    def below(threshold: float):
        def solve(scenario: Scenario, tech: str, period: int | None) -> Outcome:
            factor = scenario.technologies.overrides[tech].capex_eur / Y_EUR
            seen.append(factor)
            return Outcome("optimal", 2.0 if factor < threshold else 0.0, 1.0)

        return solve

    found = break_even_by_resolve(
        two, "cv_qkd", known_unused=True, tolerance=0.01, solve=below(0.3)
    )
    assert 0.29 <= found.factor < 0.3 and seen[0] == pytest.approx(0.05)
    assert found.solves == 1 + 7  # ⌈log2(0.95 / 0.01)⌉ = 7
    seen.clear()
    found = break_even_by_resolve(two, "cv_qkd", solve=below(2.0))
    assert (found.factor, found.cut_pct, seen) == (1.0, 0.0, [1.0])
    with pytest.raises(ValueError, match="not enabled"):
        break_even_by_resolve(two, "mdi", solve=below(1.0))


def test_priced_scales_capex_and_opex_and_keeps_other_overrides(two: Scenario) -> None:
    cheaper = priced(two, "cv_qkd", 0.5, time_limit_s=5)
    over = cheaper.technologies.overrides["cv_qkd"]
    assert (over.capex_eur, over.opex_eur_per_year) == (Y_EUR / 2, 0.0)
    assert over.repetition_rate_hz == 2.0e8 and over.available_year == 2025
    assert cheaper.technologies.overrides["bb84"] == two.technologies.overrides["bb84"]
    assert cheaper.solver.time_limit_s == 5 and cheaper.source_file == two.source_file
    listed = priced(two, "bb84", 1.0).technologies.overrides["bb84"]
    assert listed == two.technologies.overrides["bb84"]
    from engine.catalogue import load_catalogue

    mdi = load_catalogue().technologies["mdi"]  # no override: the catalogue's prices
    scen = two.model_copy(
        update={"technologies": two.technologies.model_copy(update={"enabled": ("mdi",)})}
    )
    over = priced(scen, "mdi", 0.25).technologies.overrides["mdi"]
    assert over.capex_eur == pytest.approx(mdi.capex_eur / 4)
    assert over.opex_eur_per_year == pytest.approx(mdi.opex_eur_per_year / 4)
    assert Path(str(cheaper.source_file)).name == "two.yaml"
