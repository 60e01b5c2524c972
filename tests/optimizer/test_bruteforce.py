"""Exhaustive enumeration of system builds agrees with the MILP optimum.

Random tiny instances: 4-5 sites, 4-5 candidate links of two technologies (one available
only in the second period, one possibly living a single period), 2 periods, 1-2 trusted
demands from one source, up to 2 systems per link and period.

The enumeration is independent of the model code: for every build vector it derives the
trusted nodes (a site needs one from the first period any incident link has systems),
the costs, and the key served in each period as a maximum flow from the source to the
sinks (capped by demand), computed as the minimum over all cuts that separate the source
from a super-sink. A link's capacity in a period is the sum over its alive builds of the
systems times the rate of the period they were bought in (vintages: the random rates
differ between periods, so a model multiplying every installed system by the current
period's rate disagrees here). With one uniform penalty, serving the maximum flow is
optimal.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from optimizer import optimise

PERIODS = ((2025, 5, 1.0), (2030, 5, 0.8))


def random_instance(net, seed: int):
    rng = np.random.default_rng(seed)
    n_sites = int(rng.integers(4, 6))
    sites = [f"S{i}" for i in range(n_sites)]
    pairs = list(itertools.combinations(sites, 2))
    chosen = rng.choice(len(pairs), size=int(rng.integers(4, 6)), replace=False)
    spec = {
        "node_capex": float(rng.integers(0, 40)),
        "node_opex": float(rng.integers(0, 4)),
        "penalty": float(rng.choice([0.03, 0.08, 0.2])),
        "techs": {
            "p": (float(rng.integers(60, 150)), float(rng.integers(0, 6)),
                  float(rng.choice([5.0, 100.0])), None),
            "q": (float(rng.integers(30, 90)), float(rng.integers(0, 6)), 100.0, 2030),
        },
        "links": [],
        "demands": [],
    }  # fmt: skip
    for k, j in enumerate(chosen):
        a, b = pairs[j]
        tech = str(rng.choice(["p", "q"]))
        rates = {t: float(rng.choice([500.0, 1000.0, 1500.0])) for t, _, _ in PERIODS}
        spec["links"].append((f"L{k}", tech, a, b, rates, int(rng.integers(1, 3))))
    sinks = rng.choice(sites[1:], size=int(rng.integers(1, 3)), replace=False)
    for k, s in enumerate(sinks):
        bps = {t: float(rng.choice([500.0, 1500.0, 2500.0])) for t, _, _ in PERIODS}
        spec["demands"].append((f"D{k}", "S0", str(s), bps))

    n = net(periods=PERIODS, penalty=spec["penalty"])
    n.equip("trusted_node", capex=spec["node_capex"], opex=spec["node_opex"])
    for name, (capex, opex, life, avail) in spec["techs"].items():
        n.tech(name, capex=capex, opex=opex, lifetime=life, available_from=avail)
    for name, tech, a, b, rates, m in spec["links"]:
        n.link(name, tech, a, b, rates, max_systems=m)
    for name, a, b, bps in spec["demands"]:
        n.demand(name, a, b, bps)
    return n.data(), spec, sites


def brute_force(spec: dict, sites: list[str]) -> float:
    years = np.array([y for _, y, _ in PERIODS], dtype=float)
    disc = np.array([f for _, _, f in PERIODS])
    first = [t for t, _, _ in PERIODS]
    links = spec["links"]
    ranges = []
    for _, tech, _, _, _, m in links:
        avail = spec["techs"][tech][3]
        ranges += [range(m + 1) if avail is None or t >= avail else range(1) for t in first]
    builds = np.array(list(itertools.product(*ranges)), dtype=float)
    builds = builds.reshape(len(builds), len(links), len(first))  # (C, L, T)
    life = np.array([spec["techs"][tech][2] for _, tech, *_ in links])
    age = np.subtract.outer(first, first)  # age[t, t0] = year(t) - year(t0)
    alive = (age[None, :, :] >= 0) & (age[None, :, :] < life[:, None, None])  # (L, T, T0)
    installed = np.einsum("ltu,clu->clt", alive.astype(float), builds)
    capex = np.array([spec["techs"][tech][0] for _, tech, *_ in links])
    opex = np.array([spec["techs"][tech][1] for _, tech, *_ in links])
    cost = np.einsum("clt,l->ct", builds, capex) + years * np.einsum("clt,l->ct", installed, opex)

    incid = np.array([[s in (a, b) for _, _, a, b, _, _ in links] for s in sites], dtype=float)
    used = np.einsum("sl,clt->cst", incid, installed) > 0
    node = np.maximum.accumulate(used, axis=2)  # stays once installed
    new_node = node & ~np.concatenate([np.zeros_like(node[:, :, :1]), node[:, :, :-1]], axis=2)
    cost += spec["node_capex"] * new_node.sum(1) + years * spec["node_opex"] * node.sum(1)

    rate = np.array([[r[t] for t in first] for *_, r, _ in links])  # (L, T0): per vintage
    cap = np.einsum("ltu,clu,lu->clt", alive.astype(float), builds, rate)  # (C, L, T)
    demand = np.array([[bps[t] for t in first] for *_, bps in spec["demands"]])  # (D, T)
    sink_idx = [sites.index(b) for _, _, b, _ in spec["demands"]]
    cuts = []  # every S containing the source S0: cut = links leaving S + demands inside S
    for mask in itertools.product([0, 1], repeat=len(sites) - 1):
        inside = np.array([1, *mask], dtype=bool)
        crossing = [inside[sites.index(a)] != inside[sites.index(b)] for _, _, a, b, _, _ in links]
        cuts.append((np.array(crossing, dtype=float), inside[sink_idx].astype(float)))
    maxflow = np.full(cap.shape[::2], np.inf)  # (C, T)
    for crossing, sinks_in in cuts:
        value = np.einsum("l,clt->ct", crossing, cap) + (sinks_in @ demand)[None]
        maxflow = np.minimum(maxflow, value)
    unserved = demand.sum(0)[None] - maxflow
    cost += years * spec["penalty"] * unserved
    return float((cost * disc).sum(1).min())


@pytest.mark.parametrize("seed", range(20))
def test_enumeration_matches_milp(net, fast, seed):
    data, spec, sites = random_instance(net, seed)
    res, _ = optimise(data, fast())
    assert res.status == "optimal"
    assert res.objective == pytest.approx(brute_force(spec, sites), rel=1e-7, abs=1e-6)
