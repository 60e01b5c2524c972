"""Optional limits: capex budget per period and systems per fibre span."""

from __future__ import annotations

import math

import pyomo.environ as pyo

from optimizer.sets import ModelSets


def add_budget_constraints(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """Capex spent in a period (undiscounted EUR, systems + equipment) within its budget:

    ``cost_eur[t, capex_systems] + cost_eur[t, capex_equipment] <= budget_eur[t]``,
    for periods whose budget is not NaN.
    """
    index = [t for t in s.periods if not math.isnan(s.budget_eur[t])]
    m.budget = pyo.Constraint(
        index,
        rule=lambda m, t: (
            m.cost_eur[t, "capex_systems"] + m.cost_eur[t, "capex_equipment"] <= s.budget_eur[t]
        ),
    )


def add_span_constraints(m: pyo.ConcreteModel, s: ModelSets) -> None:
    """Systems sharing a fibre span within its limit (one fibre/wavelength per system):

    ``sum_{l uses span} installed[l,t] <= max_systems[span]`` for spans with a limit.
    """
    index = []
    for span in s.span_max_systems:
        for t in s.periods:
            if any((ln, t) in s.installed_from for ln in s.span_links.get(span, ())):
                index.append((span, t))
    m.span_limit = pyo.Constraint(
        index,
        rule=lambda m, span, t: (
            sum(m.installed[ln, t] for ln in s.span_links[span] if (ln, t) in s.installed_from)
            <= s.span_max_systems[span]
        ),
    )
