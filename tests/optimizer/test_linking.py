"""Strong linking rows (optimizer/constraints/linking.py) close the LP gap they target.

Sites A, B, C; demand A->B and C->B of 10 bps each (two commodities: one per source);
links L1 = A-B and L2 = C-B, 1000 bps per system, 100 EUR per system, trusted nodes free.
Each link has an arc for both commodities (A and C are relay sites of the other's key), so
the most key either link may carry is U = 20 bps and its capacity row reads
``flow <= 20 * installed``. The only plan serves each demand on its own link: 2 systems,
200 EUR. Without strong linking the LP relaxation pays half a system per link (10/20):
100 EUR. With ``flow[c] <= 10 * installed`` per commodity it pays a whole one: 200 EUR, the
integer optimum.
"""

from __future__ import annotations

import pytest

from optimizer import build_model, optimise
from optimizer.solving.exact import relaxation_bound
from optimizer.solving.session import Session


@pytest.fixture
def two_commodities(net):
    n = net(periods=((2025, 1, 1.0),), penalty=1000.0)
    n.equip("trusted_node", capex=0.0)
    n.tech("bb84", capex=100.0)
    n.link("L1", "bb84", "A", "B", 1000.0, max_systems=1)
    n.link("L2", "bb84", "C", "B", 1000.0, max_systems=1)
    n.demand("dA", "A", "B", 10.0)
    n.demand("dC", "C", "B", 10.0)
    return n.data()


def test_strong_linking_lifts_the_lp_bound_to_the_integer_optimum(two_commodities, fast):
    model = build_model(two_commodities)
    assert len(model.strong_linking) == 4  # 2 commodities x 2 links, one period
    assert relaxation_bound(model, Session(fast())) == pytest.approx(200.0, abs=1e-6)
    model.del_component(model.strong_linking)
    assert relaxation_bound(model, Session(fast())) == pytest.approx(100.0, abs=1e-6)


def test_strong_linking_keeps_the_optimum(two_commodities, fast):
    result, tables = optimise(two_commodities, fast())
    assert result.status == "optimal"
    assert result.objective == pytest.approx(200.0, abs=1e-6)
    assert tables["builds"]["systems_new"].sum() == 2


def test_no_strong_linking_for_continuous_counts(two_commodities):
    model = build_model(two_commodities, relax_integers=True)
    assert not hasattr(model, "strong_linking")
