"""Key flow constraints: conservation, direct service, trusted relaying, split-key shares."""

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


def _shares(s: ModelSets, d: str) -> int:
    """How many routes demand d's key travels: ``paths`` k for a split key (XOR shares,
    each the whole key length), else 1."""
    return s.commodities[s.demand_commodity[d]].shares


def _relayed(m: pyo.ConcreteModel, s: ModelSets, d: str, t: int):
    """Key of demand d that travels by relayed flow: ``k * served - sum_l direct[d,l,t]``
    (a split key's k shares each carry the whole key; a direct link carries one)."""
    direct = s.direct_of.get((d, t), ())
    k = _shares(s, d)
    served = m.served[d, t] if k == 1 else k * m.served[d, t]
    if not direct:
        return served
    return served - pyo.quicksum(m.direct[d, ln, t] for ln in direct)


def add_conservation_constraints(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """Flow conservation per relaying commodity c, site i, period t (bps), with
    ``relayed[d,t] = k_d * served[d,t] - sum_l direct[d,l,t]`` (``k_d`` = 1, or the
    number of shares of a split key):

    ``sum_out flow - sum_in flow = sum_{d in c} relayed[d,t]`` at the source,
    ``= - sum_{d in c: sink(d) = i} relayed[d,t]`` at a sink, ``= 0`` elsewhere.
    Rows exist for the source and every sink even without arcs, so a demand that no path
    reaches is served only directly. Direct-only commodities have no rows (see
    ``add_direct_constraints``).
    """
    out_of, into = _incidence(s)
    index = []
    supply: dict[tuple[str, str, int], list[tuple[float, str]]] = {}
    for c, com in s.commodities.items():
        if com.direct_only:
            continue
        nodes = {com.source} | {x for _, u, v in s.arcs[c] for x in (u, v)}
        sinks = s.sinks(c)
        nodes |= set(sinks)
        for t in s.periods:
            for i in sorted(nodes):
                terms = [(1.0, d) for d in com.demands] if i == com.source else []
                terms += [(-1.0, d) for d in sinks.get(i, ())]
                if terms or out_of.get((c, i, t)) or into.get((c, i, t)):
                    index.append((c, i, t))
                    supply[c, i, t] = terms

    def rule(m, c, i, t):
        lhs = pyo.quicksum(m.flow[k] for k in out_of.get((c, i, t), ())) - pyo.quicksum(
            m.flow[k] for k in into.get((c, i, t), ())
        )
        rhs = pyo.quicksum(sign * _relayed(m, s, d, t) for sign, d in supply[c, i, t])
        return lhs - rhs == 0

    m.conservation = pyo.Constraint(index, rule=rule)


def add_corridor_constraints(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """A corridor's flow of a trust class is carried by its links (bps), per corridor k,
    class, period t: ``sum_{c of class} (flow[c,k,a,b,t] + flow[c,k,b,a,t])
    = sum_{l in k} carry[l,class,t]``."""
    corridor_of = {ln: k for k, lns in s.corridor_links.items() for ln in lns}
    flows: dict[tuple[str, str, int], list] = defaultdict(list)
    for key in s.flow_index:
        if key[1] in s.corridor_links:
            flows[key[1], s.commodities[key[0]].trust, key[4]].append(key)
    carry: dict[tuple[str, str, int], list] = defaultdict(list)
    for key in s.carry_index:
        carry[corridor_of[key[0]], key[1], key[2]].append(key)
    m.corridor_balance = pyo.Constraint(
        sorted(flows),
        rule=lambda m, k, trust, t: (
            pyo.quicksum(m.flow[x] for x in flows[k, trust, t])
            - pyo.quicksum(m.carry[x] for x in carry.get((k, trust, t), ()))
            == 0
        ),
    )


def add_direct_constraints(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """Direct service (bps), per demand d and period t, with ``k_d`` routes (1, or the
    shares of a split key):

    - a direct-only commodity's demand is served only directly:
      ``k_d * served[d,t] <= sum_l direct[d,l,t]`` (``served = 0`` without a direct link);
    - otherwise the direct part is within what is served:
      ``sum_l direct[d,l,t] <= k_d * served[d,t]`` (so ``relayed >= 0``: a direct link
      never feeds key into relayed flow).
    """
    only = [
        (d, t)
        for d, com in ((d, s.commodities[c]) for d, c in s.demand_commodity.items())
        if com.direct_only
        for t in s.periods
    ]
    within = [
        (d, t) for (d, t) in s.direct_of if not s.commodities[s.demand_commodity[d]].direct_only
    ]

    def direct_sum(m, d, t):
        return pyo.quicksum(m.direct[d, ln, t] for ln in s.direct_of.get((d, t), ()))

    m.served_directly = pyo.Constraint(
        only, rule=lambda m, d, t: _shares(s, d) * m.served[d, t] - direct_sum(m, d, t) <= 0
    )
    m.direct_within_served = pyo.Constraint(
        sorted(within),
        rule=lambda m, d, t: direct_sum(m, d, t) - _shares(s, d) * m.served[d, t] <= 0,
    )


def add_relay_constraints(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """Relaying key at a site needs a trusted node there.

    ``sum_out flow[c, ., i, ., t] <= D[c,t] * site[i, trusted_node, t]`` for every site
    i != source(c) with outgoing arcs, where ``D[c,t]`` (bps) is the commodity's total
    demand in t (no commodity can send more). Partial-trust commodities only have
    outgoing arcs at the customer's own sites; direct-only ones have none.
    """
    out_of, _ = _incidence(s)
    bps = {(c, t): s.commodity_bps(c, t) for c in s.commodities for t in s.periods}
    index = [
        (c, i, t) for (c, i, t) in sorted(out_of) if i != s.commodities[c].source and bps[c, t] > 0
    ]
    zero = [(c, i, t) for (c, i, t) in sorted(out_of) if bps[c, t] <= 0]
    m.relay_needs_trusted_node = pyo.Constraint(
        index,
        rule=lambda m, c, i, t: (
            pyo.quicksum(m.flow[k] for k in out_of[c, i, t])
            - bps[c, t] * m.site[i, TRUSTED_NODE, t]
            <= 0
        ),
    )
    m.no_demand_no_flow = pyo.Constraint(
        zero, rule=lambda m, c, i, t: pyo.quicksum(m.flow[k] for k in out_of[c, i, t]) <= 0
    )


def add_share_constraints(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """Split-key demands (``paths = k >= 2``): the key is XOR-combined from k shares, each
    as long as the key and sent over its own node-disjoint route (the source sends
    ``k * served``, see ``_relayed``), so that no relay site or link learns more than one
    share. Linear node-capacity form of k node-disjoint routes (bps):

    ``sum_in flow[c, ., ., i, t] <= served[d,t]`` for every intermediate site i,
    ``flow[c, l, a, b, t] <= served[d,t]`` for every relay link l between a and b, and
    ``direct[d, l, t] <= served[d,t]`` for every link serving d directly.
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
    split_demands = {s.commodities[c].demands[0]: s.commodities[c].shares for c in split}
    direct_rows = [k for k in s.direct_index if k[0] in split_demands]

    def demand_of(c):
        return s.commodities[c].demands[0]

    m.share_per_site = pyo.Constraint(
        node_rows,
        rule=lambda m, c, i, t: (
            pyo.quicksum(m.flow[k] for k in into[c, i, t]) - m.served[demand_of(c), t] <= 0
        ),
    )
    m.share_per_direct_link = pyo.Constraint(
        link_rows,
        rule=lambda m, c, ln, u, v, t: m.flow[c, ln, u, v, t] - m.served[demand_of(c), t] <= 0,
    )
    m.share_per_direct_service = pyo.Constraint(
        direct_rows, rule=lambda m, d, ln, t: m.direct[d, ln, t] - m.served[d, t] <= 0
    )
