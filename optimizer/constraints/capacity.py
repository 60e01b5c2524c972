"""Link capacity and site equipment constraints."""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from optimizer.sets import ModelSets


def add_capacity_constraints(
    m: pyo.ConcreteModel, s: ModelSets, integer_counts: bool = False
) -> None:
    """Key carried by a link fits what its installed systems make, each at the rate of the
    period it was bought in (vintages):

    ``sum_{c, u->v} flow[c,l,u,v,t] + sum_k carry[l,k,t] + sum_d direct[d,l,t]
    <= sum_{t0 in A(l,t)} r[l,t0] * build[l,t0]``

    for every usable (l, t): both directions, all trust classes and commodities (bps);
    ``A(l,t)`` are the purchase periods still alive in t. A renewal is a new build, so it
    buys the new rate.

    ``r[l,t0]`` is ``rate_per_system_bps`` of the purchase period; with integer counts it
    is strengthened to ``min(r[l,t0], U[l,t])``, where ``U[l,t]`` is the most key that may
    ever cross the link (sum of the total demand of every commodity with an arc on it and
    of every demand it may serve directly). Valid for integer counts: if some alive vintage
    with ``r >= U`` has a system, the right side is at least ``U``; otherwise every term is
    unchanged. So no integer plan is cut off, while the relaxation tightens and the
    coefficient range shrinks.
    """
    flows: dict[tuple[str, int], list] = defaultdict(list)
    for k in s.flow_index:
        if k[1] not in s.corridor_links:  # split keys route over single links
            flows[k[1], k[4]].append(k)
    carry: dict[tuple[str, int], list] = defaultdict(list)
    for k in s.carry_index:
        carry[k[0], k[2]].append(k)
    direct: dict[tuple[str, int], list] = defaultdict(list)
    for k in s.direct_index:
        direct[k[1], k[2]].append(k)
    index = sorted(set(flows) | set(carry) | set(direct))
    most = _most_key_bps(s) if integer_counts else {}

    def coef(ln: str, t0: int, t: int) -> float:
        r = s.rate_per_system_bps[ln, t0]
        return min(r, most[ln, t]) if (ln, t) in most else r

    m.capacity = pyo.Constraint(
        index,
        rule=lambda m, ln, t: (
            pyo.quicksum(m.flow[k] for k in flows.get((ln, t), ()))
            + pyo.quicksum(m.carry[k] for k in carry.get((ln, t), ()))
            + pyo.quicksum(m.direct[k] for k in direct.get((ln, t), ()))
            - pyo.quicksum(coef(ln, t0, t) * m.build[ln, t0] for t0 in s.installed_from[ln, t])
            <= 0
        ),
    )


def _most_key_bps(s: ModelSets) -> dict[tuple[str, int], float]:
    """(link, period) -> most key (bps) that may cross the link: the total demand of every
    commodity with an arc on it (or on its corridor) plus every demand it serves directly."""
    coms: dict[tuple[str, int], set[str]] = defaultdict(set)
    for c, e, _, _, t in s.flow_index:
        coms[e, t].add(c)
    bps = {(c, t): s.commodity_bps(c, t) for c in s.commodities for t in s.periods}
    out: dict[tuple[str, int], float] = defaultdict(float)
    for (e, t), cs in coms.items():
        total = sum(bps[c, t] for c in cs)
        for ln in s.corridor_links.get(e, (e,)):
            out[ln, t] += total
    for d, ln, t in s.direct_index:
        out[ln, t] += s.demand_bps[d, t]
    return out


def add_installed_limit(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """Installed systems never exceed the link's largest useful count:
    ``installed[l,t] <= max_systems[l]`` wherever two or more build periods overlap (a
    single build is already bounded by its variable bound)."""
    index = [k for k, src in s.installed_from.items() if len(src) > 1]
    m.installed_limit = pyo.Constraint(
        index, rule=lambda m, ln, t: m.installed[ln, t] <= s.link_max_systems[ln]
    )


def add_equipment_constraints(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """A link's systems need every piece of equipment its sites require.

    ``installed[l,t] <= max_systems[l] * site[i,e,t]`` for each (i, e) in link_sites[l];
    ``max_systems[l]`` is the link's largest useful count, the tightest valid big-M.
    """
    index = [(ln, t, i, e) for (ln, t) in s.installed_from for i, e in s.link_needs.get(ln, ())]
    m.equipment_needed = pyo.Constraint(
        index,
        rule=lambda m, ln, t, i, e: m.installed[ln, t] <= s.link_max_systems[ln] * m.site[i, e, t],
    )


def add_equipment_monotonicity(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """Equipment once installed stays: ``site[i,e,t-1] <= site[i,e,t]``."""
    index = [(i, e, t) for i, e in s.site_keys for t in s.periods if s.previous[t] is not None]
    m.equipment_stays = pyo.Constraint(
        index, rule=lambda m, i, e, t: m.site[i, e, s.previous[t]] <= m.site[i, e, t]
    )


def add_equipment_availability(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """Equipment appears only in periods where it is available: ``site_new[i,e,t] <= 0``
    whenever ``costs.available[e,t]`` is False (it may stay installed from earlier)."""
    index = [
        (i, e, t) for i, e in s.site_keys for t in s.periods if not s.available.get((e, t), False)
    ]
    m.equipment_unavailable = pyo.Constraint(
        index, rule=lambda m, i, e, t: m.site_new[i, e, t] <= 0
    )
