"""Equipment bundles (``optimizer.bundles``): keys needed by exactly the same links are one
binary priced as its members, and the plan lists every member site."""

from __future__ import annotations

import itertools
import random

import pytest

from optimizer import optimise
from optimizer.bundles import bundle_equipment
from optimizer.sets import build_sets


def test_keys_with_the_same_links_and_equipment_merge() -> None:
    needs = {
        "L1": [("h1", "hut"), ("h2", "hut"), ("A", "hut")],
        "L2": [("h1", "hut"), ("h2", "hut"), ("B", "hut"), ("A", "trusted_node")],
        "L3": [("A", "hut")],
    }
    bundled, members = bundle_equipment(needs, single={("A", "trusted_node")})
    # h1, h2: both needed by {L1, L2}; A (hut) by {L1, L3}; B by {L2}
    assert members == {
        ("h1", "hut"): ("h1", "h2"),
        ("A", "hut"): ("A",),
        ("B", "hut"): ("B",),
        ("A", "trusted_node"): ("A",),
    }
    assert bundled == {
        "L1": [("h1", "hut"), ("A", "hut")],
        "L2": [("h1", "hut"), ("B", "hut"), ("A", "trusted_node")],
        "L3": [("A", "hut")],
    }


def _chain(net, huts_capex_eur: float):
    """Sites A, B, C. Link AB needs huts h1, h2, h3 (a chain along A-B); AC needs h1, h2
    and h4. h1 and h2 share a link set {AB, AC}: one bundle of 2. Systems cost 100 EUR,
    rate 10 bps; demand A-B 10 bps and A-C 10 bps, one period of one year, no discount."""
    n = net(penalty=1e6).tech("rep", 100.0).equip("hut", huts_capex_eur, opex=1.0)
    n.link("AB", "rep", "A", "B", 10.0, needs=[("h1", "hut"), ("h2", "hut"), ("h3", "hut")])
    n.link("AC", "rep", "A", "C", 10.0, needs=[("h1", "hut"), ("h2", "hut"), ("h4", "hut")])
    return n.demand("dAB", "A", "B", 10.0).demand("dAC", "A", "C", 10.0).data()


def test_a_bundle_is_priced_and_reported_as_its_members(net, fast) -> None:
    data = _chain(net, huts_capex_eur=50.0)
    sets = build_sets(data)
    assert sets.site_members[("h1", "hut")] == ("h1", "h2")
    assert len(sets.site_keys) == 3  # {h1,h2}, h3, h4
    result, tables = optimise(data, fast())
    # 2 systems x 100 + 4 huts x (50 capex + 1 opex x 1 year) = 404 EUR
    assert result.objective == pytest.approx(404.0)
    eq = tables["equipment"]
    assert sorted(eq["site"]) == ["h1", "h2", "h3", "h4"]
    assert set(eq["new"]) == {1}


def test_bundles_change_no_optimum_on_random_chains(net, fast) -> None:
    """24 random instances: huts shared by random link subsets, random prices and demands.
    The optimum equals brute force over which links are built (each at most one system,
    each demand served by one of its two links or left unserved at the penalty)."""

    rng = random.Random(7)
    checked = 0
    for _ in range(24):
        hut_capex = rng.choice([5.0, 40.0, 300.0])
        penalty = rng.choice([3.0, 30.0])
        n = net(penalty=penalty).tech("rep", 20.0).equip("hut", hut_capex)
        links = {}
        for k, (a, b) in enumerate([("A", "B"), ("A", "B"), ("A", "C"), ("A", "C")]):
            huts = [f"h{j}" for j in range(5) if rng.random() < 0.5]
            links[f"L{k}"] = (b, huts)
            n.link(f"L{k}", "rep", a, b, 10.0, max_systems=1, needs=[(h, "hut") for h in huts])
        n.demand("dAB", "A", "B", 10.0).demand("dAC", "A", "C", 10.0)
        result, _ = optimise(n.data(), fast())
        best = float("inf")
        for pick in itertools.product([0, 1], repeat=4):
            built = [ln for ln, p in zip(links, pick, strict=True) if p]
            huts = {h for ln in built for h in links[ln][1]}
            served = {links[ln][0] for ln in built}
            cost = 20.0 * len(built) + hut_capex * len(huts)
            cost += penalty * 10.0 * (2 - len(served))
            best = min(best, cost)
        assert result.objective == pytest.approx(best, abs=1e-6)
        checked += 1
    assert checked == 24
