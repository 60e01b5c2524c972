"""Cost expressions per period and category, and the discounted objective.

``cost_eur[t, k]`` (undiscounted EUR falling in period t) for the categories

- ``capex_systems``:    ``sum_l capex_eur[tech(l),t] * build[l,t]``
- ``capex_equipment``:  ``sum_{i,e} capex_eur[e,t] * sum_{t0 : t in P(e,t0)} site_new[i,e,t0]``
  where ``P(e,t0)`` are the purchase periods of equipment first installed in t0 (the
  installation and each renewal at the end of its lifetime);
- ``opex_systems``:     ``years[t] * sum_l opex_eur_per_year[tech(l),t] * installed[l,t]``
- ``opex_equipment``:   ``years[t] * sum_{i,e} opex_eur_per_year[e,t] * site[i,e,t]``
- ``unserved_penalty``: ``years[t] * penalty * sum_d (demand_bps[d,t] - served[d,t])``

Objective: ``min sum_t discount_factor[t] * sum_k cost_eur[t,k]``.
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from optimizer.sets import CATEGORIES, ModelSets


def add_cost_expressions(
    m: pyo.ConcreteModel, s: ModelSets, penalty_eur_per_bps_year: float
) -> None:
    """``cost_eur[t, category]`` as documented in the module docstring."""
    bought: dict[tuple[str, int], list[int]] = defaultdict(list)  # (e, t) -> first-install t0
    for (e, t0), chain in s.equipment_purchases.items():
        for t in chain:
            bought[e, t].append(t0)

    builds_in: dict[int, list[str]] = defaultdict(list)
    for ln, t in s.build_index:
        builds_in[t].append(ln)
    installed_in: dict[int, list[str]] = defaultdict(list)
    for ln, t in s.installed_from:
        installed_in[t].append(ln)

    def capex_systems(m, t):
        return sum(s.capex_eur[s.link_tech[ln], t] * m.build[ln, t] for ln in builds_in[t])

    def capex_equipment(m, t):
        return sum(
            s.capex_eur.get((e, t), 0.0) * m.site_new[i, e, t0]
            for i, e in s.site_keys
            for t0 in bought[e, t]
        )

    def opex_systems(m, t):
        return s.years[t] * sum(
            s.opex_eur_per_year[s.link_tech[ln], t] * m.installed[ln, t] for ln in installed_in[t]
        )

    def opex_equipment(m, t):
        return s.years[t] * sum(
            s.opex_eur_per_year.get((e, t), 0.0) * m.site[i, e, t] for i, e in s.site_keys
        )

    def unserved(m, t):
        return (
            s.years[t]
            * penalty_eur_per_bps_year
            * sum(s.demand_bps[d, t] - m.served[d, t] for d in s.demand_info)
        )

    rules = dict(
        zip(
            CATEGORIES,
            (capex_systems, capex_equipment, opex_systems, opex_equipment, unserved),
            strict=True,
        )
    )
    m.cost_eur = pyo.Expression(
        [(t, k) for t in s.periods for k in CATEGORIES], rule=lambda m, t, k: rules[k](m, t)
    )


def add_objective(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """Minimise discounted total cost: ``sum_t discount_factor[t] * sum_k cost_eur[t,k]``."""
    m.total_cost = pyo.Objective(
        expr=sum(s.discount[t] * m.cost_eur[t, k] for t in s.periods for k in CATEGORIES),
        sense=pyo.minimize,
    )
