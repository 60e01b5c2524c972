"""Decision variables and the derived expressions that every constraint reuses.

Variables (units in docs/model.md):

- ``build[l,t]``: new systems on link l in period t (integer, or continuous when relaxed),
  ``0 <= build <= max_systems[l]``, only where the technology may be built;
- ``site[i,e,t]``: 1 when equipment e exists at site i in period t (binary);
- ``flow[c,e,u,v,t]``: key rate (bps) of commodity c on edge e in direction u->v, where e
  is a corridor (all relay links between u and v) or, for split keys, a single link;
- ``carry[l,trust,t]``: key rate (bps) of one trust class on relay link l (both directions);
- ``direct[d,l,t]``: key rate (bps) served to demand d directly by link l joining its two
  endpoints (``ModelSets.direct_index``), ``0 <= direct <= demand_bps``;
- ``served[d,t]``: key rate (bps) delivered to demand d,
  ``min_served_bps <= served <= demand_bps``.

Expressions:

- ``installed[l,t] = sum_{t' : 0 <= t - t' < lifetime} build[l,t']`` (systems);
- ``site_new[i,e,t] = site[i,e,t] - site[i,e,t-1]`` (first installation, 0/1).
"""

from __future__ import annotations

import pyomo.environ as pyo

from optimizer.sets import ModelSets


def add_build_variables(m: pyo.ConcreteModel, s: ModelSets, relax_integers: bool) -> None:
    """``build[l,t]`` with bounds ``[0, max_systems[l]]`` (the link's tight big-M)."""
    domain = pyo.NonNegativeReals if relax_integers else pyo.NonNegativeIntegers
    m.build = pyo.Var(
        s.build_index,
        domain=domain,
        bounds=lambda _, ln, t: (0, s.link_max_systems[ln]),
        initialize=0,
    )


def add_installed_expressions(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """``installed[l,t]``: the builds still within their lifetime (systems)."""
    m.installed = pyo.Expression(
        s.installed_index(),
        rule=lambda m, ln, t: sum(m.build[ln, t0] for t0 in s.installed_from[ln, t]),
    )


def add_site_variables(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """``site[i,e,t]`` binary, and ``site_new`` = its increase from the previous period."""
    index = [(i, e, t) for i, e in s.site_keys for t in s.periods]
    m.site = pyo.Var(index, domain=pyo.Binary, initialize=0)

    def new(m, i, e, t):
        prev = s.previous[t]
        return m.site[i, e, t] - (m.site[i, e, prev] if prev is not None else 0)

    m.site_new = pyo.Expression(index, rule=new)


def add_flow_variables(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """``flow[c,l,u,v,t] >= 0`` (bps), only on arcs commodity c may use while l is usable."""
    m.flow = pyo.Var(s.flow_index, domain=pyo.NonNegativeReals, initialize=0)


def add_carry_variables(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """``carry[l,trust,t] >= 0`` (bps): key of a trust class carried by relay link l, the
    link's part of its corridor's flow of that class (both directions)."""
    m.carry = pyo.Var(s.carry_index, domain=pyo.NonNegativeReals, initialize=0)


def add_direct_variables(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """``direct[d,l,t]`` in ``[0, demand_bps[d,t]]`` (bps): key of demand d over link l
    without any relay (no transit)."""
    m.direct = pyo.Var(
        s.direct_index,
        domain=pyo.NonNegativeReals,
        bounds=lambda _, d, ln, t: (0, s.demand_bps[d, t]),
        initialize=0,
    )


def add_served_variables(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """``served[d,t]`` in ``[min_served_bps[d,t], demand_bps[d,t]]`` (bps): the lower bound
    is the key that must be served (``demand.service: must_serve``), else 0."""
    m.served = pyo.Var(
        list(s.demand_bps),
        domain=pyo.NonNegativeReals,
        bounds=lambda _, d, t: (s.demand_min_bps[d, t], s.demand_bps[d, t]),
        initialize=lambda _, d, t: s.demand_min_bps[d, t],
    )
