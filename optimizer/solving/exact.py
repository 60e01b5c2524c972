"""``solve_exact``: the ``exact`` strategy, the MIP with heuristic starts and bounds.

Stages (docs/model.md, "Solving"), each reported to the session's progress callback as a
dict: ``lp`` (the LP relaxation by interior point, at most ``TimeBudget.exact_lp`` of the
time limit; its optimum is ``lp_bound``), ``warm_start`` (LP-guided rounding with repair),
``relaxed_mip`` (two-stage mode: counts continuous, equipment binary) and ``mip`` (the
model as built, from the best start; HiGHS's improving-solution callback reports
incumbent, bound and gap). Every run goes through the session's runner (``HighsRun``).
Solution values are loaded into the model only when the solver holds a feasible solution.
The rolling and decomposed strategies use these stages on their smaller models.
"""

from __future__ import annotations

import math

import pyomo.environ as pyo
from pyomo.contrib.appsi.base import TerminationCondition

from optimizer.model_data import ModelData
from optimizer.solving import repair, warmstart
from optimizer.solving.highs_run import HighsRun
from optimizer.solving.options import SolveResult, Status, gap_between
from optimizer.solving.session import Session


def _status(tc: TerminationCondition, has_solution: bool) -> Status:
    if tc == TerminationCondition.optimal:
        return "optimal"
    if tc in (
        TerminationCondition.maxTimeLimit,
        TerminationCondition.maxIterations,
        TerminationCondition.objectiveLimit,
        TerminationCondition.interrupted,
    ):
        return "time_limit" if has_solution else "no_solution"
    if tc in (TerminationCondition.infeasible, TerminationCondition.infeasibleOrUnbounded):
        return "infeasible"
    return "error"


def _lp_and_start(
    run: HighsRun, model: pyo.ConcreteModel, notes: list[str], timings: dict[str, float]
) -> tuple[float | None, float | None, list | None]:
    """Stages 1-2: LP relaxation bound, then the start: LP-guided rounding with repair
    (``_guided``), or the plain rounded relaxation when that finds no plan. Returns
    (lp_bound, the start's cost, its variable values). The model's domains, bounds and
    fixings are restored whatever happens."""
    run.emit("lp")
    saved = warmstart.relax(model)
    start = plan = None
    try:
        # the MIP keeps time to find a plan without the LP
        res, ok = run.solve(model, "lp", lp=True, limit=run.budget.lp_s(run.options.time_limit_s))
        optimal = res.termination_condition == TerminationCondition.optimal
        lp_bound = res.best_feasible_objective if optimal else None
        timings["lp_s"] = run.elapsed()
        run.emit("lp_done", lp_bound=lp_bound)
        if run.options.warm_start and ok and saved:
            values = repair.site_values(model)
            lp_values = warmstart.snapshot(model)
            start, plan = _guided(run, model, saved, values, notes)
            if start is None:  # e.g. a budget broken by the guided plan: plain rounding
                warmstart.unfix(model)
                repair.reset_counts(model)
                warmstart.reload(lp_values)
                start = _rounded(run, model, saved, notes, integer_counts=None)
                plan = warmstart.snapshot(model) if start is not None else None
            timings["warm_start_s"] = run.elapsed() - timings["lp_s"]
            run.emit("warm_start_done", start_objective=start)
    finally:
        warmstart.unfix(model)
        repair.reset_counts(model)
        warmstart.restore(saved)
    return lp_bound, start, plan


def _guided(
    run: HighsRun,
    model: pyo.ConcreteModel,
    saved: list,
    values: repair.SiteValues,
    notes: list[str],
) -> tuple[float | None, list | None]:
    """LP-guided rounding with repair (``optimizer.repair``): per entry of
    ``guided_thresholds`` (must start with None: the LP relaxation in the model), round
    up and price the plan; a float threshold first fixes the equipment the LP relaxation
    opens to at least that degree and re-plans the systems by an LP; then repair rounds
    (counts capped at their rounded values, idle equipment closed) while the cost falls
    by > 0.1 %. Every plan priced has all integers fixed to integers, so it is feasible
    for the full model. The cheapest
    plan's (cost, values), or (None, None)."""
    best: tuple[float | None, list | None] = (None, None)
    for threshold in run.options.guided_thresholds:
        if not run.budget.may_round(run.left(), run.options.time_limit_s):
            break
        warmstart.unfix(model)
        repair.reset_counts(model)
        ok, opened = True, None
        if threshold is not None:  # None: round the LP relaxation's plan as it stands
            opened = repair.fix_equipment(model, values, threshold)
            _, ok = run.solve(model, "guided_lp", lp=True)
        cost = _rounded(run, model, saved, notes, integer_counts=None, quiet=True) if ok else None
        rounds = 0
        while cost is not None:
            if best[0] is None or cost < best[0]:
                best = (cost, warmstart.snapshot(model))
            if rounds >= run.options.repair_rounds or not run.budget.may_repair(
                run.left(), run.options.time_limit_s
            ):
                break
            rounds += 1
            closed = repair.cap_counts(model)
            _, ok = run.solve(model, "repair_lp", lp=True)
            new = (
                _rounded(run, model, saved, notes, integer_counts=None, quiet=True) if ok else None
            )
            if new is None or new >= cost * (1 - 1e-3):
                if new is not None and new < best[0]:
                    best = (new, warmstart.snapshot(model))
                break
            cost = new
            notes.append(f"repair round {rounds}: closed {closed} equipment, {new:.6g}")
        run.emit("guided", threshold=threshold, equipment=opened, objective=cost)
    if best[0] is not None:
        notes.append(f"start from LP-guided rounding with repair: {best[0]:.6g}")
        warmstart.reload(best[1])
    return best


def _rounded(
    run: HighsRun,
    model: pyo.ConcreteModel,
    saved: list,
    notes: list[str],
    integer_counts: bool | None,
    quiet: bool = False,
) -> float | None:
    """Round the plan in the model up, fix it, re-solve flows and served key by an LP
    (interior point: far faster than simplex here, docs/model.md); the cost of the
    resulting feasible plan, or None (values then stay as solved)."""
    warmstart.round_up_and_fix(model, saved, integer_counts=integer_counts)
    res, feasible = run.solve(model, "rounding", lp=True)
    if feasible:
        start = res.best_feasible_objective
        if not quiet:
            notes.append(f"start from rounded relaxation: {start:.6g}")
        return start
    if not quiet:
        notes.append("rounded relaxation infeasible (budget or span limit): no start")
    return None


def _relaxed_counts_stage(
    run: HighsRun, model: pyo.ConcreteModel, notes: list[str], timings: dict[str, float]
) -> tuple[float | None, float | None, list | None]:
    """Two-stage mode (integer counts only): the MIP with system counts continuous and
    site equipment binary, for at most ``relaxed_share`` of the remaining time, from the
    LP-rounded start in the model; then its counts rounded up into an integer plan.

    Returns (the relaxed MIP's dual bound, a valid lower bound of the integer model; the
    rounded integer plan's cost; the plan's variable values)."""
    counts = warmstart.relax(model, model.build.values())
    relaxed_bound = plan_cost = plan = None
    try:
        before = run.elapsed()
        run.emit("relaxed_mip")
        res, ok = run.solve(
            model, "relaxed_mip", warm=True, limit=run.budget.relaxed_mip_s(run.left())
        )
        bound = res.best_objective_bound
        relaxed_bound = bound if bound is not None and math.isfinite(bound) else None
        timings["relaxed_mip_s"] = run.elapsed() - before
        run.emit("relaxed_mip_done", bound=relaxed_bound, objective=res.best_feasible_objective)
        if ok:
            sites = warmstart.relax(model, model.site.values())
            try:
                plan_cost = _rounded(run, model, counts + sites, notes, integer_counts=True)
                if plan_cost is not None:
                    plan = warmstart.snapshot(model)
            finally:
                warmstart.unfix(model)
                warmstart.restore(sites)
            timings["rounding_s"] = run.elapsed() - before - timings["relaxed_mip_s"]
            run.emit("rounding_done", start_objective=plan_cost)
    finally:
        warmstart.restore(counts)
    return relaxed_bound, plan_cost, plan


def relaxation_bound(model: pyo.ConcreteModel, session: Session) -> float | None:
    """The optimum of the LP relaxation (every integer and binary continuous, interior
    point): a valid lower bound of the model; None when not solved to optimality within
    the session's ``time_limit_s``. The model's domains are restored; its values are the
    relaxation's."""
    run = session.run()
    saved = warmstart.relax(model)
    try:
        res, _ = run.solve(model, "bound", lp=True)
    finally:
        warmstart.restore(saved)
    if res.termination_condition != TerminationCondition.optimal:
        return None
    return res.best_feasible_objective


def _first_plan(
    run: HighsRun,
    plan: list,
    cost: float,
    lp_bound: float,
    mip_gap: float,
    notes: list[str],
    timings: dict[str, float],
    version: str,
) -> SolveResult:
    """``first_plan``: the rounded start as the plan, the LP relaxation as its bound."""
    warmstart.reload(plan)
    timings["total_s"] = run.elapsed()
    bound = min(lp_bound, cost)
    gap = gap_between(cost, bound)
    notes.append("first plan: the rounded start, the MIP skipped (solver option first_plan)")
    status: Status = "optimal" if gap is not None and gap <= mip_gap else "time_limit"
    run.emit("done", status=status, objective=cost, bound=bound, gap=gap)
    return SolveResult(
        status, cost, bound, gap, lp_bound, {k: round(v, 4) for k, v in timings.items()},
        version, "; ".join(notes), start_objective=cost,
    )  # fmt: skip


def solve_exact(model: pyo.ConcreteModel, data: ModelData, session: Session) -> SolveResult:
    """Solve ``model`` (built from ``data``) and load the best plan found. Stages: LP bound,
    rounded start, then (integer counts, ``two_stage``) the relaxed-count MIP and its
    rounded integer plan, and the MIP from the best start. ``time_limit_s`` bounds all
    stages together; a rounded plan is kept (status ``time_limit``) when the final MIP
    finds nothing better. Solver failures are reported as ``status="error"`` with the
    exception in ``message``."""
    del data  # the exact MIP needs only the model; the signature is the strategies' own
    options = session.options
    run = session.run()
    timings: dict[str, float] = {}
    notes: list[str] = []
    version = "highs " + ".".join(str(x) for x in run.opt.version())
    relaxed_bound = plan_cost = plan = None
    try:
        lp_bound, start, plan = _lp_and_start(run, model, notes, timings)
        plan_cost = start
        if options.first_plan and start is not None and lp_bound is not None:
            return _first_plan(run, plan, start, lp_bound, options.mip_gap, notes, timings, version)
        integer = any(v.is_integer() for v in model.build.values())
        if options.two_stage and integer and start is not None:
            relaxed_bound, cost, values = _relaxed_counts_stage(run, model, notes, timings)
            if cost is not None and values is not None and cost < plan_cost:
                plan_cost, plan = cost, values
            warmstart.reload(plan)
            start = plan_cost
        run.watch_mip()
        before = run.elapsed()
        res, ok = run.solve(model, "mip", warm=start is not None)
        timings["mip_s"] = run.elapsed() - before
    except Exception as exc:  # solver or interface failure: report, do not crash the caller
        timings["total_s"] = run.elapsed()
        return SolveResult("error", None, None, None, None, timings, version, repr(exc))
    timings["total_s"] = run.elapsed()
    objective = res.best_feasible_objective if ok else None
    status = _status(res.termination_condition, ok)
    if plan is not None and (objective is None or objective > plan_cost + 1e-9 * abs(plan_cost)):
        warmstart.reload(plan)  # the MIP found nothing better than the rounded plan
        objective = plan_cost
        notes.append("plan: the heuristic start (the MIP found nothing better)")
        if status != "optimal":
            status = "time_limit"
    candidates = (res.best_objective_bound, lp_bound, relaxed_bound)
    bounds = [b for b in candidates if b is not None and math.isfinite(b)]
    bound = max(bounds) if bounds else None  # all valid lower bounds; HiGHS may stop early
    if bound is not None and objective is not None and bound > objective:
        bound = objective
    result = SolveResult(
        status=status,
        objective=objective,
        bound=bound,
        gap=gap_between(objective, bound),
        lp_bound=lp_bound,
        timings_s={k: round(v, 4) for k, v in timings.items()},
        solver_version=version,
        message="; ".join([*notes, f"termination: {res.termination_condition.name}"]),
        start_objective=start,
        relaxed_bound=relaxed_bound,
    )
    run.emit("done", status=status, objective=objective, bound=bound, gap=result.gap)
    return result
