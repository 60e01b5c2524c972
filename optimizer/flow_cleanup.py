"""``cancel_cycles``: remove circulations from a solved plan's key flows.

Flow has no cost, so a solver may return a plan whose commodity flows contain cycles
(key sent Cambridge -> London and back): the plan's cost is the same, but ``flows.parquet``
and the volume-weighted phase shares then depend on the solver's whim. After the solve,
every commodity's flow in every period is made acyclic by cycle cancelling: while its
positive arcs contain a directed cycle (found by networkx in a fixed order), the smallest
flow on the cycle is subtracted along it. Each step keeps flow conservation at every
site, and only lowers flows, so capacity, relay, share and linking rows stay satisfied and
the objective is unchanged. A corridor's ``carry`` split over its links is scaled down with
its flow (its rows stay balanced). Afterwards a commodity's flow decomposes into paths from
its source to its sinks: flow x hops = sum over paths of key x path length.
"""

from __future__ import annotations

from collections import defaultdict

import networkx as nx
import pyomo.environ as pyo

TOL = 1e-9


def cancel_cycles(model: pyo.ConcreteModel) -> int:
    """Cancel every flow cycle in ``model``'s current values; the number of cycles
    cancelled."""
    s = model.sets
    arcs: dict[tuple[str, int], list[tuple]] = defaultdict(list)
    for k in s.flow_index:
        if (model.flow[k].value or 0.0) > TOL:
            arcs[k[0], k[4]].append(k)
    before = _corridor_totals(model)
    cancelled = 0
    for key in sorted(arcs):
        cancelled += _acyclic(model, arcs[key])
    if cancelled:
        _rescale_carry(model, before, _corridor_totals(model))
    return cancelled


def _acyclic(model: pyo.ConcreteModel, keys: list[tuple]) -> int:
    """Cancel the cycles among one commodity's arcs in one period."""
    graph = nx.MultiDiGraph()
    for k in keys:
        graph.add_edge(k[2], k[3], key=k)
    count = 0
    while True:
        try:
            cycle = nx.find_cycle(graph)
        except nx.NetworkXNoCycle:
            return count
        amount = min(model.flow[k].value for _, _, k in cycle)
        for u, v, k in cycle:
            left = model.flow[k].value - amount
            model.flow[k].set_value(0.0 if left <= TOL else left)
            if left <= TOL:
                graph.remove_edge(u, v, key=k)
        count += 1


def _corridor_totals(model: pyo.ConcreteModel) -> dict[tuple[str, str, int], float]:
    """(corridor, trust class, period) -> total flow (both directions, bps)."""
    s = model.sets
    out: dict[tuple[str, str, int], float] = defaultdict(float)
    for k in s.flow_index:
        if k[1] in s.corridor_links:
            out[k[1], s.commodities[k[0]].trust, k[4]] += model.flow[k].value or 0.0
    return out


def _rescale_carry(model: pyo.ConcreteModel, before: dict, after: dict) -> None:
    """Scale each corridor's carry of a class by its flow's shrink factor."""
    s = model.sets
    corridor_of = {ln: e for e, lns in s.corridor_links.items() for ln in lns}
    for k in s.carry_index:
        ln, trust, t = k
        key = (corridor_of[ln], trust, t)
        old = before.get(key, 0.0)
        if old > TOL and after.get(key, 0.0) < old:
            model.carry[k].set_value((model.carry[k].value or 0.0) * after[key] / old)
