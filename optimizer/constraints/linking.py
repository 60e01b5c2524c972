"""Strong linking inequalities: per-commodity flow needs at least one installed system.

The aggregated capacity row ``sum flow <= r * installed`` lets the LP relaxation pay for a
fraction ``flow / r`` of a system. When a commodity's whole demand is far below what one
system carries, that fraction is tiny and the relaxation's bound is weak (the classic weakness
of fixed-charge network design). The disaggregated rows below are the standard remedy
(Gendron, Crainic & Frangioni, "Multicommodity capacitated network design", 1999, the
"strong linking" inequalities ``x_ij^k <= d^k y_ij``).
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from optimizer.sets import ModelSets


def add_strong_linking_constraints(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """Per commodity c, corridor or relay link e, period t (bps):

    ``flow[c,e,a,b,t] + flow[c,e,b,a,t] <= D[c,t] * sum_{l in e} installed[l,t]``,

    and per direct service ``direct[d,l,t] <= demand[d,t] * installed[l,t]``, where
    ``D[c,t]`` is the commodity's total demand. Valid for integer counts: a corridor carrying
    any of c's key has a link with ``installed >= 1``, and an optimal flow never sends one
    commodity both ways over a corridor or more than its demand over one arc (cancelling
    such flow keeps conservation and only lowers loads), so no integer plan is lost. A row is
    added only where it can bind in the relaxation: ``D[c,t]`` below the largest per-system
    rate of the corridor's links' alive vintages (otherwise the capacity row already implies
    it).
    Not added for continuous counts (``relax_integers``), where it is not valid.
    """
    pair: dict[tuple[str, str, int], list] = defaultdict(list)
    for k in s.flow_index:
        pair[k[0], k[1], k[4]].append(k)
    bps = {(c, t): s.commodity_bps(c, t) for c in s.commodities for t in s.periods}
    rows: list[tuple[str, str, int]] = []
    links_of: dict[tuple[str, int], list[str]] = {}
    for c, e, t in sorted(pair):
        lns = links_of.setdefault(
            (e, t), [ln for ln in s.corridor_links.get(e, (e,)) if (ln, t) in s.installed_from]
        )
        if lns and bps[c, t] < max(_best_rate(s, ln, t) for ln in lns):
            rows.append((c, e, t))
    m.strong_linking = pyo.Constraint(
        rows,
        rule=lambda m, c, e, t: (
            pyo.quicksum(m.flow[k] for k in pair[c, e, t])
            - bps[c, t] * pyo.quicksum(m.installed[ln, t] for ln in links_of[e, t])
            <= 0
        ),
    )
    direct_rows = [  # direct service exists only on usable links (installed may be > 0)
        (d, ln, t) for d, ln, t in s.direct_index if s.demand_bps[d, t] < _best_rate(s, ln, t)
    ]
    m.strong_linking_direct = pyo.Constraint(
        direct_rows,
        rule=lambda m, d, ln, t: m.direct[d, ln, t] - s.demand_bps[d, t] * m.installed[ln, t] <= 0,
    )


def _best_rate(s: ModelSets, ln: str, t: int) -> float:
    """The best per-system rate (bps) among the vintages of link ``ln`` alive in ``t``."""
    return max((s.rate_per_system_bps[ln, t0] for t0 in s.installed_from.get((ln, t), ())),
               default=0.0)  # fmt: skip
