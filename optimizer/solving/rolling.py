"""``solve_rolling``: the rolling-horizon heuristic (``solver.strategy: rolling``).

Periods are planned one at a time, myopically. Step k builds the model of periods
1..k (``ModelData.restrict``: every cost keeps its own discount factor, so the step's
objective is the full objective's first k periods) and holds the builds ``build[l,t]`` and
site equipment ``site[i,e,t]`` of periods t < k at the earlier steps' choices
(``plans.hold_plan``), and with them those periods' key routing (``OPERATIONS``: no row or
cost joins the routing of two periods, so given the held builds, re-routing earlier
periods cannot change this period's choices); HiGHS's presolve then drops the earlier
periods and each step's LP is one period's size. The step's exact solve
(``solving.exact``, with its rounding start and MIP) decides period k. The steps share
``TimeBudget.rolling_steps`` of the time limit equally; time a step leaves unused goes to
the later ones (weighting step k by its k periods starved step 1 of the 6-period UK
backbone: 5 s, no plan).

The plan is then checked in the full model. When every step found a plan, the plan sets
every variable, and the check is an evaluation of every row and bound of the full model
(``plans.evaluate_plan``, no solver: on 100 sites a HiGHS check did not finish in 90 s);
the objective there is the plan's cost. When a step found none, its period has builds but
no routing yet: every ``build`` and ``site`` variable and the other periods' routing are
held and HiGHS routes that period. A plan breaking a row of the full model is reported as
``error``. The bound, computed last with
the holding rows switched off, is the full model's LP relaxation (a valid lower bound of
the exact model), so ``gap`` bounds how far the plan can be from the exact optimum; it
gets the time left, at least ``TimeBudget.min_bound_s``, and without it the gap is
unknown. Status is ``optimal`` only when that gap is within ``mip_gap``, else
``time_limit`` (a feasible plan not proven within the gap).

Myopia is the price: a step cannot see that a dearer choice now saves later (e.g. a relay
bought early that later demand would share); see tests/optimizer/test_rolling.py.
"""

from __future__ import annotations

import pyomo.environ as pyo

from optimizer.build import build_model
from optimizer.model_data import ModelData
from optimizer.solving import warmstart
from optimizer.solving.budget import Clock
from optimizer.solving.exact import relaxation_bound, solve_exact
from optimizer.solving.options import SolveResult, gap_between, gap_text
from optimizer.solving.plans import (
    Plan,
    evaluate_plan,
    held_blocks,
    hold_plan,
    plan_of,
    set_plan,
)
from optimizer.solving.session import Session

DECISIONS = ("build", "site")  # what a step decides for its period
OPERATIONS = ("flow", "carry", "direct", "served")  # key routing, held once a period is planned
HELD = (*DECISIONS, *OPERATIONS)  # every variable a plan fixes


def _nothing_new(model: pyo.ConcreteModel, period: int, plan_site: dict) -> Plan:
    """No builds in ``period`` and every site's equipment as in the period before (none in
    the first): the fallback when a step finds no plan within its time."""
    build = {k: 0.0 for k in model.build if k[-1] == period}
    earlier = [int(t) for t in model.sets.periods if int(t) < period]
    site = {
        (i, e, t): (plan_site.get((i, e, earlier[-1]), 0.0) if earlier else 0.0)
        for (i, e, t) in model.site
        if t == period
    }
    return {"build": build, "site": site}


def _steps(data: ModelData, session: Session, clock: Clock) -> tuple[Plan, int, list[str], str]:
    """Plan each period in turn; (the plan, how many steps found one, notes, solver
    version)."""
    options = session.options
    periods = sorted(int(p) for p in data.periods["period"])
    plan: Plan = {name: {} for name in HELD}
    notes: list[str] = []
    routed, version = 0, ""
    for k, period in enumerate(periods, start=1):
        step_data = data.restrict(periods=periods[:k])
        sub = build_model(step_data, relax_integers=options.relax_integers)
        hold_plan(sub, plan)
        step_s = options.budget.rolling_step_s(
            options.time_limit_s, clock.elapsed(), len(periods) - k + 1
        )
        clock.emit("rolling_step", period=period)
        res = solve_exact(sub, step_data, session.within(step_s, log_path=None))
        version = res.solver_version or version
        if res.has_solution:
            routed += 1
            new = plan_of(sub, HELD, period)
            notes.append(f"step {period}: {res.status}, step gap {gap_text(res.gap)}")
        else:  # nothing new this period: always feasible (the rest of demand goes unserved)
            new = _nothing_new(sub, period, plan["site"])
            notes.append(f"step {period}: {res.status}, no plan in its time: nothing new built")
        for name, values in new.items():
            plan[name].update(values)
        clock.emit("rolling_step_done", period=period, objective=res.objective, gap=res.gap)
    return plan, routed, notes, version


def solve_rolling(full: pyo.ConcreteModel, data: ModelData, session: Session) -> SolveResult:
    """Plan period by period, check the plan in ``full`` (the model ``build_model(data)``
    built, which then holds the plan's values, ready for ``extract``); the result is
    measured against the full model's LP bound."""
    options = session.options
    clock = session.clock()
    timings: dict[str, float] = {}
    plan, routed, notes, version = _steps(data, session, clock)
    timings["steps_s"] = round(clock.elapsed(), 4)
    if routed == len(data.periods):  # the plan sets every variable: evaluate it, no solver
        objective, failure = _evaluated(full, plan)
    else:
        objective, failure, version = _solver_check(full, data, plan, session, clock.left())
    timings["check_s"] = round(clock.elapsed() - timings["steps_s"], 4)
    if objective is None:  # e.g. must-serve key in a period whose step found no plan
        message = "; ".join([failure, *notes])
        return SolveResult("error", None, None, None, None, timings, message=message)
    bound = _exact_bound(full, session.within(options.budget.bound_s(clock.left())), clock)
    timings["total_s"] = round(clock.elapsed(), 4)
    bound = min(bound, objective) if bound is not None else None
    gap = gap_between(objective, bound)
    if bound is None:
        notes.append("no LP bound of the full model within the time limit")
    status = "optimal" if gap is not None and gap <= options.mip_gap else "time_limit"
    notes.append(f"rolling horizon plan, gap to the full model's LP bound {gap_text(gap)}")
    result = SolveResult(
        status=status,
        objective=objective,
        bound=bound,
        gap=gap,
        lp_bound=bound,
        timings_s=timings,
        solver_version=version,
        message="; ".join(notes),
    )
    clock.emit("done", status=status, objective=objective, bound=bound, gap=gap)
    return result


def _evaluated(full: pyo.ConcreteModel, plan: Plan) -> tuple[float | None, str]:
    """The plan's cost in the full model by evaluating every row (``evaluate_plan``), or
    None and the rows it breaks."""
    set_plan(full, plan)
    check = evaluate_plan(full)
    if check.feasible:
        return check.objective, ""
    return None, f"the rolling plan breaks {check.broken_rows()} of the full model"


def _solver_check(
    full: pyo.ConcreteModel, data: ModelData, plan: Plan, session: Session, left_s: float
) -> tuple[float | None, str, str]:
    """A period whose step found no plan has no routing yet: hold the plan in the full
    model and let HiGHS route those periods. (cost or None, why not, solver version)."""
    hold_plan(full, plan)
    check = session.within(
        session.options.budget.check_s(left_s), warm_start=False, two_stage=False
    )
    res = solve_exact(full, data, check)
    if res.has_solution:
        return res.objective, "", res.solver_version
    message = (
        "the rolling plan is not feasible in the full model"
        if res.status == "infeasible"
        else f"the rolling plan could not be checked in the full model in time ({res.status})"
    )
    return None, message, res.solver_version


def _exact_bound(full: pyo.ConcreteModel, session: Session, clock: Clock) -> float | None:
    """The LP relaxation of the full model without the plan's holding rows (a valid lower
    bound of the exact model); the plan's values are put back afterwards."""
    plan = warmstart.snapshot(full)
    held = held_blocks(full)
    for block in held:
        block.deactivate()
    clock.emit("lp")
    try:
        bound = relaxation_bound(full, session)
    finally:
        for block in held:
            block.activate()
        warmstart.reload(plan)
    clock.emit("lp_done", lp_bound=bound)
    return bound
