"""Link capacity and site equipment constraints."""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from optimizer.sets import ModelSets


def add_capacity_constraints(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """Key carried by a link fits its installed systems.

    ``sum_{c, u->v} flow[c,l,u,v,t] <= rate_per_system_bps[l,t] * installed[l,t]``
    for every usable (l, t): both directions, all trust classes and commodities (bps).
    This row is also the valid inequality ``installed >= flow / rate``.
    """
    on_link: dict[tuple[str, int], list] = defaultdict(list)
    for c, ln, u, v, t in s.flow_index:
        on_link[ln, t].append((c, ln, u, v, t))
    index = sorted(on_link)
    m.capacity = pyo.Constraint(
        index,
        rule=lambda m, ln, t: (
            sum(m.flow[k] for k in on_link[ln, t])
            <= s.rate_per_system_bps[ln, t] * m.installed[ln, t]
        ),
    )


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
