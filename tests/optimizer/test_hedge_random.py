"""Hedged plans on random tiny instances (optimizer.hedge): whatever the futures,

- the commitments (builds and equipment of the commit periods) are the same in every
  future's tables;
- EVPI = E[hedged] - wait-and-see >= 0 and VSS = EEV - E[hedged] >= 0 (within 1e-6
  relative), and every regret is >= 0;
- one future of probability 1 gives that future's deterministic optimum.

Instances: sites A, B, C and a field hut R; trusted-node hops A-B and B-C (``hop``), a
long A-C link through a relay at R (``mdi``) and a direct A-C link (``direct``); two
demands growing over three periods; each future dates ``mdi`` and ``direct`` (from
2025, 2030, 2035 or never; for half the seeds from 2030 or 2035) and scales their prices at random.
"""

from __future__ import annotations

import numpy as np
import pytest

from optimizer import optimise
from optimizer.hedge import Future, solve_hedge

PERIODS = ((2025, 1, 1.0), (2030, 1, 0.8), (2035, 1, 0.6))
YEARS = [2025, 2030, 2035]
TOL = 1e-6


def instance(net, rng: np.random.Generator, dated: dict[str, int | None], scale: float):
    """One future's ModelData: ``dated`` tech -> first year it makes key (None: never)."""
    n = net(periods=PERIODS, penalty=50.0)
    n.equip("trusted_node", capex=float(rng.integers(1, 6)))
    n.equip("relay", capex=float(rng.integers(5, 15)))
    n.tech("hop", capex=float(rng.integers(6, 14)))
    n.tech("mdi", capex=scale * float(rng.integers(1, 6)), phase="II")
    n.tech("direct", capex=scale * float(rng.integers(6, 16)), phase="II")
    hop = float(rng.integers(3, 8))
    n.link("AB", "hop", "A", "B", hop, max_systems=6)
    n.link("BC", "hop", "B", "C", hop, max_systems=6)

    def rate(tech: str, bps: float) -> dict[int, float]:
        first = dated[tech]
        return {t: bps if first is not None and t >= first else 0.0 for t in YEARS}

    ends = [("A", "trusted_node"), ("C", "trusted_node")]
    n.link("AC_mdi", "mdi", "A", "C", rate("mdi", 10.0), max_systems=6,
           needs=[*ends, ("R", "relay")], relay_site="R")  # fmt: skip
    n.link("AC_direct", "direct", "A", "C", rate("direct", 10.0), max_systems=6, needs=ends)
    grow = float(rng.uniform(1.2, 2.0))
    n.demand("AC", "A", "C", {t: 8.0 * grow**k for k, t in enumerate(YEARS)})
    n.demand("AB", "A", "B", {t: 4.0 * grow**k for k, t in enumerate(YEARS)})
    return n.data()


def random_futures(net, seed: int) -> list[Future]:
    rng = np.random.default_rng(seed)
    count = int(rng.integers(2, 4))
    p = rng.dirichlet(np.ones(count))
    p = np.round(p / p.sum(), 6)
    p[-1] = 1.0 - p[:-1].sum()
    futures = []
    for k in range(count):
        choice = [2025, 2030, 2035, None] if seed % 4 < 2 else [2030, 2035]
        dated = {t: choice[int(rng.integers(0, len(choice)))] for t in ("mdi", "direct")}
        sub = np.random.default_rng(seed)  # same base prices and demand in every future
        data = instance(net, sub, dated, scale=float(rng.uniform(0.5, 1.5)))
        futures.append(Future(f"f{k}", float(p[k]), data))
    return futures


def shared(tables: dict, periods: list[int]) -> tuple[set, set]:
    b = tables["builds"]
    e = tables["equipment"]
    builds = {tuple(r) for r in b[b["period"].isin(periods)][["period", "link", "systems_new"]]
              .itertuples(index=False) if r[2] > 0}  # fmt: skip
    sites = {tuple(r) for r in e[e["period"].isin(periods) & e["installed"].astype(bool)][
        ["period", "site", "equipment"]].itertuples(index=False)}  # fmt: skip
    return builds, sites


@pytest.mark.parametrize("seed", range(20))
def test_random_hedges_share_commitments_and_value_information(net, fast, seed):
    futures = random_futures(net, seed)
    commit_until = 2030 + 5 * (seed % 2)
    res = solve_hedge(futures, commit_until, options=fast())
    assert res.has_plan, res.message
    first = shared(res.tables[futures[0].name], res.commit_periods)
    for f in futures[1:]:
        assert shared(res.tables[f.name], res.commit_periods) == first
    scale = max(1.0, abs(res.expected_cost_eur))
    assert res.evpi_eur >= -TOL * scale
    if res.eev_eur is not None:
        assert res.vss_eur >= -TOL * scale
    regrets = res.regrets()["regret_eur"].dropna()
    assert (regrets >= -TOL * scale).all()


@pytest.mark.parametrize("seed", range(0, 20, 4))
def test_one_future_of_probability_one_is_the_deterministic_optimum(net, fast, seed):
    data = random_futures(net, seed)[0].data
    alone, tables = optimise(data, fast())
    res = solve_hedge([Future("only", 1.0, data)], 2035, options=fast())
    assert res.expected_cost_eur == pytest.approx(alone.objective, rel=1e-6, abs=1e-6)
    assert res.evpi_eur == pytest.approx(0.0, abs=1e-6)
    assert res.vss_eur == pytest.approx(0.0, abs=1e-6)
    hedged = res.tables["only"]["costs"].groupby("period")["discounted_eur"].sum()
    own = tables["costs"].groupby("period")["discounted_eur"].sum()
    assert hedged.sum() == pytest.approx(own.sum(), rel=1e-6, abs=1e-6)
