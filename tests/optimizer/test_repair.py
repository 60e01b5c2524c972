"""LP-guided rounding with repair (optimizer/solving/repair.py) and its place in the exact
strategy."""

from __future__ import annotations

import pytest

from optimizer import build_model, optimise
from optimizer.solving.repair import cap_counts, fix_equipment, reset_counts

PERIODS = ((2025, 5, 1.0), (2030, 5, 0.8), (2035, 5, 0.6))


def relay_line(net, available_from=None):
    """A-B-C over bb84 (1000 bps per system, 100 EUR), trusted nodes 10 EUR, 3 periods."""
    n = net(periods=PERIODS, penalty=1000.0).tech("bb84", capex=100.0)
    n.equip("trusted_node", capex=10.0, available_from=available_from)
    n.link("AB", "bb84", "A", "B", 1000.0).link("BC", "bb84", "B", "C", 1000.0)
    return n.demand("d", "A", "C", 500.0)


def test_fix_equipment_threshold_is_monotone(net):
    """Node B at 0.1, 0.3, 0.6 over the periods: threshold 0.25 opens it from 2030 on,
    0.7 never; A at 1.0 throughout opens from 2025."""
    model = build_model(relay_line(net).data())
    values = {
        ("B", "trusted_node", t): v
        for t, v in zip((2025, 2030, 2035), (0.1, 0.3, 0.6), strict=True)
    }
    values |= {("A", "trusted_node", t): 1.0 for t in (2025, 2030, 2035)}
    assert fix_equipment(model, values, 0.25) == 2
    assert [model.site["B", "trusted_node", t].value for t in (2025, 2030, 2035)] == [0, 1, 1]
    assert [model.site["A", "trusted_node", t].value for t in (2025, 2030, 2035)] == [1, 1, 1]
    assert all(model.site["C", "trusted_node", t].value == 0 for t in (2025, 2030, 2035))
    fix_equipment(model, values, 0.7)
    assert all(model.site["B", "trusted_node", t].value == 0 for t in (2025, 2030, 2035))


def test_fix_equipment_opens_only_when_available(net):
    """Nodes available from 2035: B crossing the threshold (within tolerance) in 2030 is
    opened in 2035, the first period it may be bought, so availability rows hold."""
    model = build_model(relay_line(net, available_from=2035).data())
    values = {("B", "trusted_node", 2030): 0.5 - 1e-9, ("B", "trusted_node", 2035): 0.5}
    assert fix_equipment(model, values, 0.5) == 1
    assert [model.site["B", "trusted_node", t].value for t in (2025, 2030, 2035)] == [0, 0, 1]


def test_cap_counts_bounds_builds_and_closes_idle_equipment(net):
    """A plan with 2 systems on AB in 2025 and nothing on BC: B is still needed by AB,
    C is idle and closed; builds get upper bound = their value, lower 0."""
    model = build_model(relay_line(net).data())
    for k, v in model.build.items():
        v.fix(2 if k == ("AB", 2025) else 0)
    for v in model.site.values():
        v.fix(1)
    assert cap_counts(model) == 1
    assert model.build["AB", 2025].bounds == (0, 2) and model.build["BC", 2025].bounds == (0, 0)
    assert all(model.site["C", "trusted_node", t].value == 0 for t in (2025, 2030, 2035))
    assert model.site["B", "trusted_node", 2025].value == 1
    reset_counts(model)
    assert model.build["BC", 2025].bounds == (0, 10) and not model.build["AB", 2025].fixed


def test_guided_start_reaches_the_optimum(net, fast):
    """500 bps A->C relayed at B: one system per hop in 2025 (alive all periods), three
    nodes; 2*100 + 3*10 = 230 (cheaper than any unserved key at 1000 EUR/bps/y). The
    guided start is that plan, so start = objective = 230."""
    res, _ = optimise(relay_line(net).data(), fast())
    assert res.objective == pytest.approx(230.0) and res.status == "optimal"
    assert res.start_objective == pytest.approx(230.0)
    assert "LP-guided" in res.message
