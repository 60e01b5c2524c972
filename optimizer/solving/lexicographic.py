"""``solve_lexicographic``: the most weighted key first, then the cheapest plan serving it
(``ModelData.objective = "served"``, a budget study: ``demand.service.mode: budget``).

1. The model's ``least_unserved`` objective (weighted unserved key-years,
   ``objective.add_served_objective``) is minimised by the exact stages within the budget
   rows, for ``TimeBudget.lexicographic_first`` of the time limit: its best value ``U*``.
2. A row ``unserved_key_years <= U* (1 + 1e-9) + 1e-7`` holds that, and the cost objective
   ``total_cost`` is minimised in the time left (at least the rest of the limit's share),
   from the first plan (which satisfies it).
   When the second solve finds nothing, the first plan is kept and priced as it stands.

The result's objective, bound and gap are the cost's (the second stage); the message gives
the first stage's served key and its gap. A plan with a first-stage gap serves at least
what it found, not provably the most.
"""

from __future__ import annotations

import pyomo.environ as pyo

from optimizer.model_data import ModelData
from optimizer.solving import warmstart
from optimizer.solving.exact import solve_exact
from optimizer.solving.options import SolveResult, gap_text
from optimizer.solving.session import Session

SLACK_REL, SLACK_ABS = 1e-9, 1e-7  # the held first-stage value's tolerance (key-years)


def solve_lexicographic(model: pyo.ConcreteModel, data: ModelData, session: Session) -> SolveResult:
    """Most weighted key served, then least cost; see the module docstring."""
    options = session.options
    clock = session.clock()
    model.total_cost.deactivate()
    model.least_unserved.activate()
    first_s = options.budget.lexicographic_first * options.time_limit_s
    first = solve_exact(model, data, session.within(first_s))
    model.least_unserved.deactivate()
    model.total_cost.activate()
    if not first.has_solution:
        first.message = f"most key served: {first.message}"
        return first
    unserved = float(first.objective)
    plan = warmstart.snapshot(model)
    model.served_held = pyo.Constraint(
        expr=model.unserved_key_years <= unserved * (1 + SLACK_REL) + SLACK_ABS
    )
    rest_s = max(clock.left(), (1.0 - options.budget.lexicographic_first) * options.time_limit_s)
    second = solve_exact(model, data, session.within(rest_s))
    note = (f"most key served first: {unserved:,.6g} weighted unserved key-years "
            f"(gap {gap_text(first.gap)}), then the least cost")  # fmt: skip
    if not second.has_solution:  # the first plan meets every row: keep it, priced
        warmstart.reload(plan)
        cost = float(pyo.value(model.total_cost))
        return SolveResult("time_limit", cost, None, None, None, second.timings_s,
                           second.solver_version, f"{note}; cost not improved in time")  # fmt: skip
    second.message = f"{note}; {second.message}"
    second.timings_s = {f"served_{k}": v for k, v in first.timings_s.items()} | second.timings_s
    if first.status != "optimal" and second.status == "optimal":
        second.status = "time_limit"  # the served key itself is not proven the most
    return second
