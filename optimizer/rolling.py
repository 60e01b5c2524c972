"""``solve_rolling``: the rolling-horizon heuristic (``solver.strategy: rolling``).

Periods are planned one at a time, myopically. Step k builds the model of periods
1..k (``restrict_periods``: ModelData cut after period k; every cost keeps its own
discount factor, so the step's objective is the full objective's first k periods) and
holds the builds ``build[l,t]`` and site equipment ``site[i,e,t]`` of periods t < k at
the earlier steps' choices (equality rows); the step's solve (``optimizer.solve.solve``,
with its rounding start and MIP) decides period k. Each step gets an equal share of
``STEP_SHARE`` of the time left after the bound.

The plan is then checked in the full model: every ``build`` and ``site`` variable held at
the plan, flows, carries and served key re-solved. That solve's objective is the plan's
cost in the exact model, and a plan breaking any of its constraints would make it
infeasible (reported as ``error``). The bound is the full model's LP relaxation (a valid
lower bound of the exact model), so ``gap`` bounds how far the plan can be from the exact
optimum. Status is ``optimal`` only when that gap is within ``mip_gap``, else
``time_limit`` (a feasible plan not proven within the gap).

Myopia is the price: a step cannot see that a dearer choice now saves later (e.g. a relay
bought early that later demand would share); see tests/optimizer/test_rolling.py.
"""

from __future__ import annotations

import time
from dataclasses import replace

import pyomo.environ as pyo

from optimizer.build import build_model
from optimizer.model_data import ModelData
from optimizer.solve import SolveOptions, SolveResult, gap_between, relaxation_bound, solve

STEP_SHARE = 0.8  # of the time left after the LP bound; the rest checks the plan
PERIOD_TABLES = ("periods", "costs", "capacity", "demand_rates")


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


def _decisions(model: pyo.ConcreteModel, period: int) -> tuple[dict, dict]:
    """Rounded ``build`` and ``site`` values of ``period`` (index ends with the period)."""
    build = {k: float(round(v.value or 0.0)) for k, v in model.build.items() if k[-1] == period}
    site = {k: float(round(v.value or 0.0)) for k, v in model.site.items() if k[-1] == period}
    return build, site


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

    emit("lp")
    bound = relaxation_bound(full, replace(options, time_limit_s=max(left(), 1.0)))
    emit("lp_done", lp_bound=bound)
    periods = sorted(int(p) for p in data.periods["period"])
    step_s = STEP_SHARE * max(left(), 0.0) / len(periods)
    plan_build: dict[tuple, float] = {}
    plan_site: dict[tuple, float] = {}
    notes: list[str] = []
    timings: dict[str, float] = {"lp_s": round(time.perf_counter() - t0, 4)}
    for period in periods:
        sub = build_model(restrict_periods(data, period), relax_integers=options.relax_integers)
        _hold(sub, "held_build", sub.build, plan_build)
        _hold(sub, "held_site", sub.site, plan_site)
        emit("rolling_step", period=period)
        res = solve(sub, replace(options, time_limit_s=max(step_s, 1.0), log_path=None))
        if not res.has_solution:
            message = f"rolling step {period}: {res.status} ({res.message})"
            return SolveResult(res.status, None, None, None, bound, timings, message=message)
        build, site = _decisions(sub, period)
        plan_build.update(build)
        plan_site.update(site)
        notes.append(f"step {period}: {res.status}, step gap {_pct(res.gap)}")
        emit("rolling_step_done", period=period, objective=res.objective, gap=res.gap)
    timings["steps_s"] = round(time.perf_counter() - t0 - timings["lp_s"], 4)
    _hold(full, "held_build", full.build, plan_build)
    _hold(full, "held_site", full.site, plan_site)
    check = replace(options, warm_start=False, two_stage=False, time_limit_s=max(left(), 30.0))
    res = solve(full, check)
    timings["total_s"] = round(time.perf_counter() - t0, 4)
    if not res.has_solution:
        message = f"the rolling plan is not feasible in the full model ({res.status})"
        return SolveResult("error", None, None, None, bound, timings, message=message)
    bound = min(bound, res.objective) if bound is not None else None
    gap = gap_between(res.objective, bound)
    status = "optimal" if gap is not None and gap <= options.mip_gap else "time_limit"
    notes.append(f"rolling horizon plan, gap to the full model's LP bound {_pct(gap)}")
    result = SolveResult(
        status=status,
        objective=res.objective,
        bound=bound,
        gap=gap,
        lp_bound=bound,
        timings_s=timings,
        solver_version=res.solver_version,
        message="; ".join(notes),
    )
    emit("done", status=status, objective=res.objective, bound=bound, gap=gap)
    return result


def _pct(gap: float | None) -> str:
    return "n/a" if gap is None else f"{100 * gap:.2f} %"
