"""``solver.strategy: auto``: exact for small models, decomposed for large ones, and the
result names the strategy that ran."""

from __future__ import annotations

import pytest

from optimizer import optimise
from optimizer.build import build_model
from optimizer.solving import strategies


def _two_links(net):
    """A-B by a 10 bps system for 100 EUR or a 4 bps one for 30 EUR (at most 3); 13 bps
    asked: the optimum is one of each, 14 bps for 130 EUR (two big ones cost 200; three
    small ones make only 12 bps)."""
    n = net(penalty=1e6).tech("big", 100.0).tech("small", 30.0)
    n.link("L1", "big", "A", "B", 10.0, needs=[]).link("L2", "small", "A", "B", 4.0, needs=[],
                                                        max_systems=3)  # fmt: skip
    return n.demand("d", "A", "B", 13.0).data()


def test_columns_are_counted_from_the_sets(net) -> None:
    """2 builds (one period) + 2 direct-service variables, no flows, no equipment."""
    model = build_model(_two_links(net))
    s = model.sets
    assert strategies.model_columns(model) == len(s.build_index) + len(s.direct_index) == 4


@pytest.mark.parametrize(("limit", "chosen"), [(100_000, "exact"), (0, "decomposed")])
def test_auto_runs_the_strategy_the_size_calls_for(net, fast, monkeypatch, limit, chosen):
    monkeypatch.setattr(strategies, "EXACT_MAX_COLUMNS", limit)
    result, _ = optimise(_two_links(net), fast(strategy="auto"))
    assert result.strategy == chosen
    assert result.message.startswith(f"auto: {chosen} (4 variables)")
    assert result.objective == pytest.approx(130.0)
