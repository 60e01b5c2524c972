"""Key flow constraints: conservation, trusted relaying and split-key shares."""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from optimizer.sets import TRUSTED_NODE, ModelSets


def _incidence(s: ModelSets) -> tuple[dict, dict]:
    """(c, site, t) -> flow indices leaving / entering the site."""
    out_of: dict[tuple[str, str, int], list] = defaultdict(list)
    into: dict[tuple[str, str, int], list] = defaultdict(list)
    for k in s.flow_index:
        c, _, u, v, t = k
        out_of[c, u, t].append(k)
        into[c, v, t].append(k)
    return out_of, into


def add_conservation_constraints(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """Flow conservation per commodity c, site i, period t (bps):

    ``sum_out flow - sum_in flow = sum_{d in c} served[d,t]`` at the source,
    ``= - sum_{d in c: sink(d) = i} served[d,t]`` at a sink, ``= 0`` elsewhere.
    Rows exist for the source and every sink even without arcs, so an unreachable demand
    is forced to ``served = 0``.
    """
    out_of, into = _incidence(s)
    index = []
    supply: dict[tuple[str, str, int], list[tuple[float, str]]] = {}
    for c, com in s.commodities.items():
        nodes = {com.source} | {x for _, u, v in s.arcs[c] for x in (u, v)}
        sinks = s.sinks(c)
        nodes |= set(sinks)
        for t in s.periods:
            for i in sorted(nodes):
                index.append((c, i, t))
                terms = [(1.0, d) for d in com.demands] if i == com.source else []
                terms += [(-1.0, d) for d in sinks.get(i, ())]
                supply[c, i, t] = terms

    def rule(m, c, i, t):
        lhs = sum(m.flow[k] for k in out_of[c, i, t]) - sum(m.flow[k] for k in into[c, i, t])
        rhs = sum(sign * m.served[d, t] for sign, d in supply[c, i, t])
        if isinstance(lhs, int) and isinstance(rhs, int):
            return pyo.Constraint.Skip
        return lhs == rhs

    m.conservation = pyo.Constraint(index, rule=rule)


def add_relay_constraints(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """Relaying key at a site needs a trusted node there.

    ``sum_out flow[c, ., i, ., t] <= D[c,t] * site[i, trusted_node, t]`` for every site
    i != source(c) with outgoing arcs, where ``D[c,t]`` (bps) is the commodity's total
    demand in t (no commodity can send more). Partial-trust commodities only have
    outgoing arcs at the customer's own sites; trust-free ones have none.
    """
    out_of, _ = _incidence(s)
    index = [
        (c, i, t)
        for (c, i, t) in sorted(out_of)
        if i != s.commodities[c].source and s.commodity_bps(c, t) > 0
    ]
    zero = [(c, i, t) for (c, i, t) in sorted(out_of) if s.commodity_bps(c, t) <= 0]
    m.relay_needs_trusted_node = pyo.Constraint(
        index,
        rule=lambda m, c, i, t: (
            sum(m.flow[k] for k in out_of[c, i, t])
            <= s.commodity_bps(c, t) * m.site[i, TRUSTED_NODE, t]
        ),
    )
    m.no_demand_no_flow = pyo.Constraint(
        zero, rule=lambda m, c, i, t: sum(m.flow[k] for k in out_of[c, i, t]) <= 0
    )


def add_share_constraints(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """Split-key demands (``paths = k >= 2``): no intermediate site or direct link sees more
    than one share (linear node-capacity form of k node-disjoint routes, bps):

    ``sum_in flow[c, ., ., i, t] <= served[d,t] / k`` for every intermediate site i, and
    ``flow[c, l, a, b, t] <= served[d,t] / k`` for every direct link l between a and b.
    """
    _, into = _incidence(s)
    of_commodity: dict[str, list] = defaultdict(list)
    for k in s.flow_index:
        of_commodity[k[0]].append(k)
    split = {c for c, com in s.commodities.items() if com.shares >= 2}
    sink = {c: s.demand_info[s.commodities[c].demands[0]]["site_b"] for c in split}
    node_rows = [(c, i, t) for (c, i, t) in sorted(into) if c in split and i != sink[c]]
    link_rows = [
        k
        for c in sorted(split)
        for k in of_commodity[c]
        if k[2] == s.commodities[c].source and k[3] == sink[c]
    ]

    def demand_of(c):
        return s.commodities[c].demands[0]

    m.share_per_site = pyo.Constraint(
        node_rows,
        rule=lambda m, c, i, t: (
            s.commodities[c].shares * sum(m.flow[k] for k in into[c, i, t])
            <= m.served[demand_of(c), t]
        ),
    )
    m.share_per_direct_link = pyo.Constraint(
        link_rows,
        rule=lambda m, c, ln, u, v, t: (
            s.commodities[c].shares * m.flow[c, ln, u, v, t] <= m.served[demand_of(c), t]
        ),
    )
