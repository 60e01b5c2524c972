"""Trust semantics on a line A-B-C: relaying, partial trust, trust-free, split keys."""

from __future__ import annotations

import pytest

from optimizer import optimise


def line(Net, node_capex=50.0, direct_capex=None, needs_nodes=True):
    """A-B-C with bb84 spans (100 EUR, 1000 bps/system); optional direct A-C 'long' link."""
    n = Net(penalty=1000.0).tech("bb84", capex=100.0).equip("trusted_node", capex=node_capex)
    needs = None if needs_nodes else []
    n.link("AB", "bb84", "A", "B", 1000.0, needs=needs)
    n.link("BC", "bb84", "B", "C", 1000.0, needs=needs)
    if direct_capex is not None:
        n.tech("long", capex=direct_capex)
        n.link("AC", "long", "A", "C", 1000.0, needs=needs)
    return n


def built(tables) -> set[str]:
    return set(tables["builds"]["link"])


def test_trusted_relay_on_a_line(net, fast):
    """Only bb84: trusted demand A-C of 1000 bps relays at B. One system per span and a
    trusted node at A, B, C: 2*100 + 3*50 = 350."""
    res, t = optimise(line(net).demand("d", "A", "C", 1000.0).data(), fast())
    assert res.objective == pytest.approx(350.0)
    assert built(t) == {"AB", "BC"}
    assert set(t["equipment"]["site"]) == {"A", "B", "C"}


@pytest.mark.parametrize(
    ("node_capex", "expected", "links"),
    [(50.0, 250.0, {"AB", "BC"}), (500.0, 400.0, {"AC"})],
)
def test_relay_needs_trusted_node(net, fast, node_capex, expected, links):
    """Links need no equipment, so only relaying asks for a trusted node (at B).
    Relay: 2*100 + node; direct A-C: 400. Node 50 -> relay 250; node 500 -> direct 400."""
    n = line(net, node_capex, direct_capex=400.0, needs_nodes=False).demand("d", "A", "C", 1000.0)
    res, t = optimise(n.data(), fast())
    assert res.objective == pytest.approx(expected)
    assert built(t) == links
    assert (set(t["equipment"]["site"]) == {"B"}) == (links == {"AB", "BC"})


def partial_line(Net, owned, with_mdi=True):
    """bb84 spans (100 each, nodes 50 at both ends); MDI A-C (600) with its relay at B (100)."""
    n = line(Net).equip("relay", capex=100.0).customer("bank", owned)
    if with_mdi:
        n.tech("mdi", capex=600.0, phase="II")
        n.link("AC", "mdi", "A", "C", 1000.0, needs=[("B", "relay")], relay_site="B")
    return n.demand("d", "A", "C", 1000.0, trust="partial", customer="bank")


def test_partial_relays_at_own_site(net, fast):
    """The bank owns B: relaying there is allowed; bb84 route 2*100 + 3*50 = 350 < 700."""
    res, t = optimise(partial_line(net, ["A", "B", "C"]).data(), fast())
    assert res.objective == pytest.approx(350.0)
    assert built(t) == {"AB", "BC"}


def test_partial_cannot_relay_at_operator_site(net, fast):
    """B is the operator's: the key must take the MDI link, 600 + relay 100 = 700."""
    res, t = optimise(partial_line(net, ["A", "C"]).data(), fast())
    assert res.objective == pytest.approx(700.0)
    assert built(t) == {"AC"}
    assert set(t["flows"]["link"]) == {"AC"}


def test_partial_unserved_without_untrusted_link(net, fast):
    """No MDI and B not owned: nothing can carry the key; penalty 1000 bps * 1000 EUR."""
    res, t = optimise(partial_line(net, ["A", "C"], with_mdi=False).data(), fast())
    assert res.objective == pytest.approx(1_000_000.0)
    assert t["builds"].empty
    assert t["served"]["served_bps"].tolist() == [0.0]


def satellite(Net, with_repeater: bool, trust: str):
    """A-B by a trusted satellite (100, ground stations 10 each) or a repeater chain (900)."""
    n = Net(penalty=1000.0).equip("ground_station", capex=10.0)
    n.tech("satellite_trusted", capex=100.0, trusted_intermediary=True)
    gs = [("A", "ground_station"), ("B", "ground_station")]
    n.link("SAT", "satellite_trusted", "A", "B", 1000.0, needs=gs)
    if with_repeater:
        n.tech("repeater", capex=900.0, phase="III")
        n.link("REP", "repeater", "A", "B", 1000.0, needs=[])
    return n.demand("d", "A", "B", 1000.0, trust=trust)


def test_trust_free_never_uses_trusted_satellite(net, fast):
    """trust_free: the repeater (900) although the satellite costs 100 + 2*10 = 120;
    a trusted demand takes the satellite; without a repeater trust_free is unserved (1e6)."""
    res, t = optimise(satellite(net, True, "trust_free").data(), fast())
    assert res.objective == pytest.approx(900.0) and built(t) == {"REP"}
    res, t = optimise(satellite(net, True, "trusted").data(), fast())
    assert res.objective == pytest.approx(120.0) and built(t) == {"SAT"}
    res, t = optimise(satellite(net, False, "trust_free").data(), fast())
    assert res.objective == pytest.approx(1_000_000.0) and t["builds"].empty


def test_trust_free_waits_for_mdi_and_never_relays(net, fast):
    """Periods 2025, 2030 (5 y, no discount), penalty 10 EUR/bps/y, demand 1000 bps A-C.
    2025: only bb84 exists -> unserved, 5*10*1000 = 50000. 2030: MDI A-C (300, relay at B
    50) -> served. Total 50350; no flow on the bb84 spans through B."""
    n = net(periods=((2025, 5, 1.0), (2030, 5, 1.0)), penalty=10.0)
    n.tech("bb84", capex=100.0).equip("trusted_node", capex=0.0).equip("relay", capex=50.0)
    n.tech("mdi", capex=300.0, phase="II", available_from=2030)
    n.link("AB", "bb84", "A", "B", 1000.0).link("BC", "bb84", "B", "C", 1000.0)
    n.link("AC", "mdi", "A", "C", {2025: 0.0, 2030: 1000.0}, needs=[("B", "relay")])
    n.demand("d", "A", "C", 1000.0, trust="trust_free")
    res, t = optimise(n.data(), fast())
    assert res.objective == pytest.approx(50350.0)
    assert t["builds"][["period", "link"]].values.tolist() == [[2030, "AC"]]
    assert set(t["flows"]["link"]) == {"AC"}
    phases = t["phases"].set_index(["period", "phase"])["share"]
    assert phases[(2030, "II")] == 1.0 and phases[(2025, "I")] == 0.0


def ring(Net, paths: int):
    """Ring A-B-C-D-A, 100 EUR per 1000 bps system, links need no equipment, trusted
    nodes 10 EUR (needed only to relay). Demand A-C 1000 bps split into ``paths`` shares."""
    n = Net(penalty=1000.0).tech("bb84", capex=100.0).equip("trusted_node", capex=10.0)
    for name, a, b in (("AB", "A", "B"), ("BC", "B", "C"), ("CD", "C", "D"), ("DA", "D", "A")):
        n.link(name, "bb84", a, b, 1000.0, needs=[])
    return n.demand("d", "A", "C", 1000.0, paths=paths)


def test_split_key_uses_two_node_disjoint_routes(net, fast):
    """paths=1: one route via B or D, 2*100 + 10 = 210. paths=2: the key is the XOR of two
    shares, each as long as the key, sent over node-disjoint routes; B and D may each see
    one share (1000 bps), so both routes carry the whole 1000 bps: 4*100 + 2*10 = 420, every
    link 1000 bps (2000 bps of flow for 1000 bps of key), and no relay learns the key."""
    res1, _ = optimise(ring(net, 1).data(), fast())
    assert res1.objective == pytest.approx(210.0)
    res2, t = optimise(ring(net, 2).data(), fast())
    assert res2.objective == pytest.approx(420.0)
    assert t["flows"]["key_flow_bps"].tolist() == [1000.0] * 4
    assert t["served"]["served_bps"].tolist() == [1000.0]
    assert set(t["equipment"]["site"]) == {"B", "D"}


def test_split_key_cannot_share_a_relay(net, fast):
    """paths=2 on a line A-B-C (one route only): both shares would pass B, which may see
    one; so nothing is served (penalty 1000 x 1000 = 1e6 EUR) rather than half the key."""
    n = net(penalty=1000.0).tech("bb84", capex=100.0).equip("trusted_node", capex=10.0)
    n.link("AB", "bb84", "A", "B", 1000.0, needs=[]).link("BC", "bb84", "B", "C", 1000.0, needs=[])
    res, t = optimise(n.demand("d", "A", "C", 1000.0, paths=2).data(), fast())
    assert res.objective == pytest.approx(1e6)
    assert t["served"]["served_bps"].tolist() == [0.0]


def with_circulation(scripted, cycle_links: tuple[str, str], x: float):
    """A runner that, after the final MIP, adds ``x`` bps of key going round the 2-cycle
    u -> v -> u of the corridor between ``cycle_links`` (and its carry): the plan stays
    feasible and as cheap, as a solver may return it."""
    u, v = cycle_links

    def add(model, stage, res, ok):
        if ok and stage == "mip":
            corridor = f"pair:{min(u, v)}-{max(u, v)}"
            for k in model.flow:
                if k[1] == corridor:
                    model.flow[k].set_value(model.flow[k].value + x)
            for k in model.carry:
                if k[0] == u + v or k[0] == v + u:
                    model.carry[k].set_value(model.carry[k].value + 2 * x)
        return res, ok

    return scripted(add)


LINE = (("AB", "A", "B"), ("BC", "B", "C"))
RING = (*LINE, ("CD", "C", "D"), ("DA", "D", "A"))


@pytest.mark.parametrize(("links", "hops"), [(LINE, 2), (RING, 2)], ids=["line", "ring"])
def test_flows_are_free_of_cycles(net, fast, scripted, links, hops):
    """A line A-B-C and a ring A-B-C-D-A, systems of 5000 bps (100 EUR), trusted nodes
    10 EUR, 1000 bps of key A -> C. The cheapest plan relays at B (on the ring B or D, a
    tie): 200 + 10 = 210 EUR. A
    solver may add a circulation B -> C -> B (here 700 bps, injected through the runner
    seam): the cost is unchanged but flows.parquet would show 2400 bps on B-C. After the
    solve the cycle is cancelled, so total flow x hops = key x route length = 1000 x 2."""
    n = net(penalty=1000.0).tech("bb84", capex=100.0).equip("trusted_node", capex=10.0)
    for name, a, b in links:
        n.link(name, "bb84", a, b, 5000.0, needs=[])
    data = n.demand("d", "A", "C", 1000.0).data()
    res, t = optimise(data, fast(), runner=with_circulation(scripted, ("B", "C"), 700.0))
    assert res.objective == pytest.approx(210.0)
    assert "1 flow cycles cancelled" in res.message
    assert t["flows"]["key_flow_bps"].sum() == pytest.approx(1000.0 * hops)
    used = t["flows"].set_index("link")["key_flow_bps"].to_dict()
    assert used in ({"AB": 1000.0, "BC": 1000.0}, {"CD": 1000.0, "DA": 1000.0})  # via B or D
