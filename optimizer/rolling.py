"""``solve_rolling``: the rolling-horizon heuristic (``solver.strategy: rolling``).

Periods are planned one at a time, myopically. Step k builds the model of periods
1..k (``restrict_periods``: ModelData cut after period k; every cost keeps its own
discount factor, so the step's objective is the full objective's first k periods) and
holds the builds ``build[l,t]`` and site equipment ``site[i,e,t]`` of periods t < k at
the earlier steps' choices (equality rows), and with them those periods' key routing
(``OPERATIONS``: no row or cost joins the routing of two periods, so given the held
builds, re-routing earlier periods cannot change this period's choices); HiGHS's presolve
then drops the earlier periods and each step's LP is one period's size. The step's solve
(``optimizer.solve.solve``, with its rounding start and MIP) decides period k. The steps
share ``STEP_SHARE`` of the time limit equally; time a step leaves unused goes to the later
ones (weighting step k by its k periods starved step 1 of the 6-period UK backbone: 5 s,
no plan).

The plan is then checked in the full model. When every step found a plan, the plan sets
every variable, and the check is an evaluation of every row and bound of the full model
(``optimizer.evaluate``, no solver: on 100 sites a HiGHS check did not finish in 90 s);
the objective there is the plan's cost. When a step found none, its period has builds but
no routing yet: every ``build`` and ``site`` variable and the other periods' routing are
held and HiGHS routes that period. A plan breaking a row of the full model is reported as
``error``. The bound, computed last with
the holding rows switched off, is the full model's LP relaxation (a valid lower bound of
the exact model), so ``gap`` bounds how far the plan can be from the exact optimum; it
gets the time left, at least ``MIN_BOUND_S``, and without it the gap is unknown. Status is
``optimal`` only when that gap is within ``mip_gap``, else ``time_limit`` (a feasible plan
not proven within the gap).

Myopia is the price: a step cannot see that a dearer choice now saves later (e.g. a relay
bought early that later demand would share); see tests/optimizer/test_rolling.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import pyomo.environ as pyo

from optimizer import warmstart
from optimizer.build import build_model
from optimizer.evaluate import evaluate_plan
from optimizer.highs_run import gap_text
from optimizer.model_data import ModelData
from optimizer.solve import SolveOptions, SolveResult, gap_between, relaxation_bound, solve

STEP_SHARE = 0.6  # of the time limit for the steps; then the check and the LP bound
MIN_BOUND_S = 10.0  # the bound's LP gets at least this long, even past the time limit
PERIOD_TABLES = ("periods", "costs", "capacity", "demand_rates")
OPERATIONS = ("flow", "carry", "direct", "served")  # key routing, held once a period is planned
HELD = ("build", "site", *OPERATIONS)  # every variable a plan fixes; held as ``held_<name>``
Plan = dict[str, dict[tuple, float]]  # variable name -> index -> value


def restrict_periods(data: ModelData, last_period: int) -> ModelData:
    """``data`` with every period after ``last_period`` dropped (rows of the per-period
    tables ``PERIOD_TABLES``); sites, links and demands are kept."""
    cut = {}
    for name in PERIOD_TABLES:
        table = getattr(data, name)
        cut[name] = table[table["period"] <= last_period].reset_index(drop=True)
    return replace(data, **cut)


def _hold(model: pyo.ConcreteModel, name: str, var: pyo.Var, values: dict[tuple, float]) -> None:
    """Add constraints ``var[k] == values[k]`` as component ``name``. Equality rows rather
    than ``fix()``: solve's heuristic stages fix and release variables freely, but never
    touch constraints (HiGHS's presolve turns the rows back into fixed columns)."""
    held = [k for k in values if k in var]
    model.add_component(name, pyo.Constraint(held, rule=lambda _, *k: var[k] == values[k]))


def _hold_plan(model: pyo.ConcreteModel, plan: Plan) -> None:
    """Hold every variable of ``HELD`` at the plan's values (component ``held_<name>``)."""
    for name, values in plan.items():
        _hold(model, f"held_{name}", getattr(model, name), values)


def _decisions(model: pyo.ConcreteModel, period: int) -> Plan:
    """Rounded ``build`` and ``site`` values of ``period`` (index ends with the period)."""
    return {
        name: {
            k: float(round(v.value or 0.0))
            for k, v in getattr(model, name).items()
            if k[-1] == period
        }
        for name in ("build", "site")
    }


def _operations(model: pyo.ConcreteModel, period: int) -> Plan:
    """Values (bps) of the key-routing variables of ``period``, per name, clipped to their
    bounds (a solver's value may sit a tolerance outside them; held exactly, it would not)."""

    def clipped(v: pyo.Var) -> float:
        value = max(v.value or 0.0, v.lb if v.lb is not None else 0.0)
        return min(value, v.ub) if v.ub is not None else value

    return {
        name: {k: clipped(v) for k, v in getattr(model, name).items() if k[-1] == period}
        for name in OPERATIONS
    }


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


def solve_rolling(
    full: pyo.ConcreteModel, data: ModelData, options: SolveOptions | None = None
) -> SolveResult:
    """Plan period by period, check the plan in ``full`` (the model ``build_model(data)``
    built, which then holds the plan's values, ready for ``extract``); the result is
    measured against the full model's LP bound."""
    options = options or SolveOptions()
    t0 = time.perf_counter()

    def left() -> float:
        return options.time_limit_s - (time.perf_counter() - t0)

    def emit(stage: str, **info) -> None:
        if options.progress is not None:
            elapsed = round(time.perf_counter() - t0, 3)
            options.progress({"stage": stage, "elapsed_s": elapsed, **info})

    periods = sorted(int(p) for p in data.periods["period"])
    plan: Plan = {name: {} for name in HELD}
    notes: list[str] = []
    timings: dict[str, float] = {}
    steps_end_s = STEP_SHARE * options.time_limit_s
    routed, version = 0, ""  # steps that found a plan (and so routed their period)
    for k, period in enumerate(periods, start=1):
        sub = build_model(restrict_periods(data, period), relax_integers=options.relax_integers)
        _hold_plan(sub, plan)
        # the steps' time left, shared equally by the steps still to come
        step_s = max(steps_end_s - (options.time_limit_s - left()), 0.0) / (len(periods) - k + 1)
        emit("rolling_step", period=period)
        res = solve(sub, replace(options, time_limit_s=max(step_s, 5.0), log_path=None))
        version = res.solver_version or version
        if res.has_solution:
            routed += 1
            new = {**_decisions(sub, period), **_operations(sub, period)}
            notes.append(f"step {period}: {res.status}, step gap {gap_text(res.gap)}")
        else:  # nothing new this period: always feasible (the rest of demand goes unserved)
            new = _nothing_new(sub, period, plan["site"])
            notes.append(f"step {period}: {res.status}, no plan in its time: nothing new built")
        for name, values in new.items():
            plan[name].update(values)
        emit("rolling_step_done", period=period, objective=res.objective, gap=res.gap)
    timings["steps_s"] = round(time.perf_counter() - t0, 4)
    if routed == len(periods):  # the plan sets every variable: evaluate it, no solver
        objective, failure = _evaluated(full, plan)
    else:
        objective, failure, version = _solver_check(full, plan, options, left())
    timings["check_s"] = round(time.perf_counter() - t0 - timings["steps_s"], 4)
    if objective is None:
        return SolveResult("error", None, None, None, None, timings, message=failure)
    bound = _exact_bound(full, replace(options, time_limit_s=max(left(), MIN_BOUND_S)), emit)
    timings["total_s"] = round(time.perf_counter() - t0, 4)
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
    emit("done", status=status, objective=objective, bound=bound, gap=gap)
    return result


def _evaluated(full: pyo.ConcreteModel, plan: Plan) -> tuple[float | None, str]:
    """The plan's cost in the full model by evaluating every row (``optimizer.evaluate``),
    or None and the rows it breaks."""
    for name, values in plan.items():
        for k, v in getattr(full, name).items():
            v.set_value(values.get(k, 0.0), skip_validation=True)
    check = evaluate_plan(full)
    if check.feasible:
        return check.objective, ""
    return None, f"the rolling plan breaks {check.broken_rows()} of the full model"


def _solver_check(
    full: pyo.ConcreteModel, plan: Plan, options: SolveOptions, left_s: float
) -> tuple[float | None, str, str]:
    """A period whose step found no plan has no routing yet: hold the plan in the full
    model and let HiGHS route those periods. (cost or None, why not, solver version)."""
    _hold_plan(full, plan)
    check = replace(options, warm_start=False, two_stage=False, time_limit_s=max(left_s, 30.0))
    res = solve(full, check)
    if res.has_solution:
        return res.objective, "", res.solver_version
    message = (
        "the rolling plan is not feasible in the full model"
        if res.status == "infeasible"
        else f"the rolling plan could not be checked in the full model in time ({res.status})"
    )
    return None, message, res.solver_version


def _exact_bound(
    full: pyo.ConcreteModel, options: SolveOptions, emit: Callable[..., None]
) -> float | None:
    """The LP relaxation of the full model without the plan's holding rows (a valid lower
    bound of the exact model); the plan's values are put back afterwards."""
    plan = warmstart.snapshot(full)
    held = [getattr(full, f"held_{n}") for n in HELD if hasattr(full, f"held_{n}")]
    for block in held:
        block.deactivate()
    emit("lp")
    try:
        bound = relaxation_bound(full, options)
    finally:
        for block in held:
            block.activate()
        warmstart.reload(plan)
    emit("lp_done", lp_bound=bound)
    return bound
