"""Link usage ("relay" hops vs "direct" end-to-end links) and the two-stage solve."""

from __future__ import annotations

import pandas as pd
import pytest

from optimizer import optimise
from optimizer.sets import build_sets


def with_usage(data, usage: dict[str, str]):
    links = data.links.assign(usage=data.links["link"].map(usage).fillna("relay"))
    return type(data)(**{**data.__dict__, "links": links}).validate()


def line_with_direct(net, trust: str = "trusted"):
    """A-B-C: bb84 hops AB, BC (100 EUR, 1000 bps/system, need nothing); trusted nodes 10;
    an end-to-end link AC ("direct", 150 EUR, 1000 bps/system). Demands A-C and A-B of
    1000 bps each, penalty 1000 EUR/bps."""
    n = net(penalty=1000.0).tech("bb84", capex=100.0).tech("e2e", capex=150.0, phase="II")
    n.equip("trusted_node", capex=10.0)
    n.link("AB", "bb84", "A", "B", 1000.0, needs=[]).link("BC", "bb84", "B", "C", 1000.0, needs=[])
    n.link("AC", "e2e", "A", "C", 1000.0, needs=[])
    return n.demand("ac", "A", "C", 1000.0, trust=trust).demand("ab", "A", "B", 1000.0)


def test_direct_link_serves_only_its_endpoints(net, fast):
    """Demand A-B can go A->C->B only through the direct link AC (transit): forbidden.
    So: AC for A-C (150) and AB for A-B (100) = 250; AC has no flow variables, only the
    direct service of demand A-C."""
    data = with_usage(line_with_direct(net).data(), {"AC": "direct"})
    res, t = optimise(data, fast())
    assert res.objective == pytest.approx(250.0)
    flows = t["flows"].set_index("link")["key_flow_bps"]
    assert flows.to_dict() == {"AB": 1000.0, "AC": 1000.0}
    s = build_sets(data)
    assert all(e != "AC" for _, e, *_ in s.flow_index)
    assert {(d, ln) for d, ln, _ in s.direct_index} == {("ac", "AC")}


def test_direct_link_never_carries_transit(net, fast):
    """Only AC and BC exist; A-B needs transit A->C->B. With AC "direct" it is unserved
    (penalty 1e6) and only A-C is served by AC (150): 1_000_150. With AC a relay hop:
    2 systems on AC (A-C and A-B transit) + 1 on BC + node at C = 300 + 100 + 10 = 410."""
    n = net(penalty=1000.0).tech("bb84", capex=100.0).tech("e2e", capex=150.0, phase="II")
    n.equip("trusted_node", capex=10.0)
    n.link("BC", "bb84", "B", "C", 1000.0, needs=[]).link("AC", "e2e", "A", "C", 1000.0, needs=[])
    n.demand("ac", "A", "C", 1000.0).demand("ab", "A", "B", 1000.0)
    direct, td = optimise(with_usage(n.data(), {"AC": "direct"}), fast())
    relay, _ = optimise(n.data(), fast())
    assert direct.objective == pytest.approx(1_000_150.0)
    assert td["served"].set_index("demand")["served_bps"].to_dict() == {"ab": 0.0, "ac": 1000.0}
    assert relay.objective == pytest.approx(410.0)


def test_partial_of_two_site_customer_is_direct_only(net, fast):
    """A partial demand whose customer owns only A and C has no flow variables (it could
    relay nowhere): it is served directly by AC (150); the trusted A-B by AB (100)."""
    n = line_with_direct(net, trust="partial")
    n.demands[0]["customer"] = "bank"
    n.customer("bank", ["A", "C"])
    data = n.data()
    s = build_sets(data)
    assert all(s.commodities[c].trust != "partial" for c, *_ in s.flow_index)
    res, _ = optimise(data, fast())
    assert res.objective == pytest.approx(250.0)


def lumpy(net):
    """A-B, 2500 bps over 1000 bps systems (100 EUR), trusted nodes 50 EUR each, 1 period:
    relaxed counts 2.5 -> 250 + 100 = 350 bound; rounding up gives 3 systems = 400, the
    integer optimum (any fewer serves < 2500 bps at penalty 1000 EUR/bps)."""
    n = net(penalty=1000.0).tech("bb84", capex=100.0).equip("trusted_node", capex=50.0)
    return n.link("AB", "bb84", "A", "B", 1000.0).demand("d", "A", "B", 2500.0)


def test_two_stage_bound_and_rounded_plan(net, fast):
    res, t = optimise(lumpy(net).data(), fast())
    assert res.relaxed_bound == pytest.approx(350.0)
    assert res.start_objective == pytest.approx(400.0)
    assert res.start_objective >= res.bound - 1e-9
    assert res.objective == pytest.approx(400.0) and res.status == "optimal"
    assert t["builds"]["systems_new"].tolist() == [3]


def test_rounded_plan_kept_when_mip_has_no_time(net, fast, scripted, no_plan):
    """The final MIP is made to return nothing: the rounded plan (400) is reported with
    status time_limit, the relaxed bound 350 and gap 50/400."""

    def no_mip(model, stage, res, ok):
        return no_plan(res) if stage == "mip" else (res, ok)

    res, t = optimise(lumpy(net).data(), fast(), runner=scripted(no_mip))
    assert res.status == "time_limit" and res.objective == pytest.approx(400.0)
    assert res.bound == pytest.approx(350.0) and res.gap == pytest.approx(50.0 / 400.0)
    assert t["builds"]["systems_new"].tolist() == [3]
    assert isinstance(t["served"], pd.DataFrame) and t["served"]["served_bps"].tolist() == [2500.0]
