"""Cost expressions per period and category, and the discounted objective.

``cost_eur[t, k]`` (undiscounted EUR falling in period t) for the categories

- ``capex_systems``: ``sum over builds (l,t0), over their charges (t, p, f):
  f * capex_eur[tech(l),p] * build[l,t0]``: the purchase (``f = 1`` in ``t0``) and,
  when its service years overrun its lifetime, the overrun share in its last period
  (``optimizer.lifetimes``);
- ``capex_equipment``:  the same for ``site_new[i,e,t0]`` (first installation) over the
  charges of the installation and its renewals;
- ``opex_systems``:     ``years[t] * sum_l opex_eur_per_year[tech(l),t] * installed[l,t]``;
- ``opex_equipment``:   ``years[t] * sum_{i,e} n[i,e] * opex_eur_per_year[e,t] * site[i,e,t]``
  (``n[i,e]`` the sites a bundle key stands for, ``optimizer.bundles``; equipment capex and
  residual value are weighted by it too);
- ``unserved_penalty``: ``years[t] * penalty * sum_d w_d (demand_bps[d,t] - served[d,t])``
  (``w_d`` = ``demands.unserved_weight``, default 1);
- ``residual_value``:   last period only, ``- sum f * capex_eur[item, p] * (build or
  site_new)`` over the purchases still alive at the horizon's end, ``f`` the share of
  their life left (straight-line; 0 in earlier periods).

Objective: ``min sum_t sum_k weight[t,k] * cost_eur[t,k]`` (``discount_weight``): capex at
the period's first year (``discount_factor``), opex and penalty year by year
(``discounted_years / years``), the residual value at the horizon's end.
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from optimizer.sets import CATEGORIES, ModelSets

CAPEX = ("capex_systems", "capex_equipment")
PER_YEAR = ("opex_systems", "opex_equipment", "unserved_penalty")


def discount_weight(s: ModelSets, t: int, category: str) -> float:
    """What one undiscounted EUR of ``cost_eur[t, category]`` weighs in the objective."""
    if category in CAPEX:
        return s.discount[t]
    if category in PER_YEAR:
        return s.discounted_years[t] / s.years[t]
    return s.horizon_discount  # residual_value, at the horizon's end


def _charges_by_period(schedules: dict) -> dict[int, list[tuple[tuple, int, float]]]:
    """period -> [(key of the first purchase, price period, fraction)] over ``schedules``."""
    out: dict[int, list[tuple[tuple, int, float]]] = defaultdict(list)
    for key, sched in schedules.items():
        for c in sched.charges:
            out[c.period].append((key, c.price_period, c.fraction))
    return out


def add_cost_expressions(
    m: pyo.ConcreteModel, s: ModelSets, penalty_eur_per_bps_year: float
) -> None:
    """``cost_eur[t, category]`` as documented in the module docstring."""
    build_charges = _charges_by_period(s.build_schedule)
    equipment_charges = _charges_by_period(s.equipment_schedule)
    sites_of: dict[str, list[str]] = defaultdict(list)  # bundle keys; n[i, e] sites each
    for i, e in s.site_keys:
        sites_of[e].append(i)
    n = {k: len(v) for k, v in s.site_members.items()}
    installed_in: dict[int, list[str]] = defaultdict(list)
    for ln, t in s.installed_from:
        installed_in[t].append(ln)
    last = s.periods[-1]

    def capex_systems(m, t):
        return pyo.quicksum(
            f * s.capex_eur[s.link_tech[ln], p] * m.build[ln, t0]
            for (ln, t0), p, f in build_charges[t]
        )

    def capex_equipment(m, t):
        return pyo.quicksum(
            n[i, e] * f * s.capex_eur.get((e, p), 0.0) * m.site_new[i, e, t0]
            for (e, t0), p, f in equipment_charges[t]
            for i in sites_of[e]
        )

    def opex_systems(m, t):
        return s.years[t] * pyo.quicksum(
            s.opex_eur_per_year[s.link_tech[ln], t] * m.installed[ln, t] for ln in installed_in[t]
        )

    def opex_equipment(m, t):
        return s.years[t] * pyo.quicksum(
            n[i, e] * s.opex_eur_per_year.get((e, t), 0.0) * m.site[i, e, t] for i, e in s.site_keys
        )

    def unserved(m, t):
        if penalty_eur_per_bps_year == 0.0:
            return 0.0
        return (
            s.years[t]
            * penalty_eur_per_bps_year
            * pyo.quicksum(
                s.demand_weight[d] * (s.demand_bps[d, t] - m.served[d, t]) for d in s.demand_info
            )
        )

    def residual(m, t):
        if t != last:
            return 0.0
        systems = pyo.quicksum(
            sched.residual[1] * s.capex_eur[s.link_tech[ln], sched.residual[0]] * m.build[ln, t0]
            for (ln, t0), sched in s.build_schedule.items()
            if sched.residual is not None
        )
        equipment = pyo.quicksum(
            n[i, e]
            * sched.residual[1]
            * s.capex_eur.get((e, sched.residual[0]), 0.0)
            * m.site_new[i, e, t0]
            for (e, t0), sched in s.equipment_schedule.items()
            if sched.residual is not None
            for i in sites_of[e]
        )
        return -(systems + equipment)

    rules = dict(
        zip(
            CATEGORIES,
            (capex_systems, capex_equipment, opex_systems, opex_equipment, unserved, residual),
            strict=True,
        )
    )
    m.cost_eur = pyo.Expression(
        [(t, k) for t in s.periods for k in CATEGORIES], rule=lambda m, t, k: rules[k](m, t)
    )


def add_objective(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """Minimise discounted total cost: ``sum_t sum_k discount_weight(t, k) * cost_eur[t,k]``."""
    m.total_cost = pyo.Objective(
        expr=sum(
            discount_weight(s, t, k) * m.cost_eur[t, k] for t in s.periods for k in CATEGORIES
        ),
        sense=pyo.minimize,
    )


def add_served_objective(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """For ``objective = "served"``: ``unserved_key_years`` = ``sum_t discounted_years[t] *
    sum_d w_d (demand_bps[d,t] - served[d,t])`` (weighted key not served, bit/s x
    discounted years), and a deactivated objective ``least_unserved`` minimising it. The
    lexicographic solve (``optimizer.solving.lexicographic``) minimises it first, then the
    cost with it held."""
    m.unserved_key_years = pyo.Expression(
        expr=pyo.quicksum(
            s.discounted_years[t] * s.demand_weight[d] * (s.demand_bps[d, t] - m.served[d, t])
            for d, t in s.demand_bps
        )
    )
    m.least_unserved = pyo.Objective(expr=m.unserved_key_years, sense=pyo.minimize)
    m.least_unserved.deactivate()
