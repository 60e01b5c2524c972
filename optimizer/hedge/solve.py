"""``solve_hedge``: one plan for the commit periods, hedged across futures.

Steps (docs/hedge.md; each HiGHS run goes through ``HighsRun`` or the exact strategy):

1. wait-and-see: every future's model alone (``options.strategy``, ``options.time_limit_s``
   each), giving ``z_f`` and its plan's commitments;
2. cross-evaluation: every single-future plan ``g``'s commitments held in every other
   future ``f`` and the rest re-optimised, giving ``K_g(f)`` (None when ``g`` commits
   something not available in ``f``: nothing to solve). These are the regret table and
   ``EEV``, and each ``g`` whose plan can be carried out everywhere is a feasible hedged
   plan;
3. the extensive form (``optimizer.hedge.extensive``) from the best of those plans as its
   MIP start, for ``ef_time_limit_s`` (default: the number of futures x
   ``options.time_limit_s``); with ``Risk("regret")`` a second run minimises the expected
   cost with the worst regret held at its minimum. If HiGHS returns nothing better than the
   start, the start is the hedged plan (said so in ``message``), so ``VSS >= 0`` holds
   whenever ``EEV`` exists;
4. ``z_f`` lowered to any cheaper plan for ``f`` seen on the way (so regrets and EVPI
   are >= 0), flow cycles cancelled and each future's tables extracted.

Steps 1 and 2 are independent single-future solves (``optimizer.hedge.singles``); with
``workers`` > 1 they run that many at once in worker processes (``optimizer.hedge.pool``).

With ``method="ph"`` (or ``auto`` above ``EF_MAX_COLUMNS``, ``optimizer.hedge.ph_plan``)
step 2 holds only the expected future's plan (EEV; the other single-future plans' regrets
are skipped, as ``skipped`` says) and step 3 is progressive hedging from the own plans,
its answer held in every future (``hedge_by_ph``), with PH's bound.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from typing import Any

import pyomo.environ as pyo
from pyomo.contrib.appsi.base import TerminationCondition

from optimizer.build import build_model
from optimizer.extract import extract
from optimizer.flow_cleanup import cancel_cycles
from optimizer.hedge.commit import Commitment, commit_periods, missing_in
from optimizer.hedge.extensive import Risk, build_extensive, load_start
from optimizer.hedge.ph import PHSettings
from optimizer.hedge.ph_plan import choose_method, first_plan, hedge_by_ph
from optimizer.hedge.pool import choose_workers, solve_pool
from optimizer.hedge.result import HedgeResult
from optimizer.hedge.singles import own_and_held
from optimizer.hedge.tables import commitment_table
from optimizer.model_data import ModelData
from optimizer.solving import warmstart
from optimizer.solving.highs_run import HighsRun
from optimizer.solving.options import SolveOptions, gap_between
from optimizer.solving.session import Session

Progress = Callable[[dict[str, Any]], None]
PROBABILITY_TOL = 1e-6


@dataclass(frozen=True)
class Future:
    """One possible future: a name (a timeline), its probability and its model's data."""

    name: str
    probability: float
    data: ModelData


def check_futures(futures: Sequence[Future], commit_until: int) -> list[int]:
    """Raise ``ValueError`` unless the futures can share a plan; return ``T_c``."""
    if not futures:
        raise ValueError("no futures given")
    names = [f.name for f in futures]
    if len(set(names)) != len(names):
        raise ValueError(f"future names must be unique, got {names}")
    if any(not f.probability > 0 for f in futures):
        raise ValueError("every future's probability must be > 0")
    total = sum(f.probability for f in futures)
    if abs(total - 1.0) > PROBABILITY_TOL:
        raise ValueError(f"probabilities must sum to 1, got {total:g}")
    periods = [list(map(int, f.data.periods["period"])) for f in futures]
    if any(p != periods[0] for p in periods):
        raise ValueError("futures must share their periods")
    if any(f.data.objective != "cost" for f in futures):
        raise ValueError("hedging needs the cost objective (demand.service.mode budget has none)")
    tc = commit_periods(periods[0], commit_until)
    if not tc:
        raise ValueError(
            f"commit year {commit_until} is not after the first period {periods[0][0]}"
        )
    return tc


def risk_value(
    costs: dict[str, float], p: dict[str, float], risk: Risk, own: dict[str, float]
) -> float:
    """The extensive form's objective for per-future costs ``costs`` (EUR)."""
    expected = sum(p[f] * costs[f] for f in costs)
    if risk.kind == "expected":
        return expected
    if risk.kind == "regret":
        return max(costs[f] - own[f] for f in costs)
    cvar = min(
        eta + sum(p[f] * max(0.0, costs[f] - eta) for f in costs) / (1.0 - risk.alpha)
        for eta in costs.values()
    )
    return expected + risk.weight * cvar


def _objective(model: pyo.Block) -> float:
    return float(pyo.value(model.total_cost))


def solve_hedge(
    futures: Sequence[Future],
    commit_until: int,
    *,
    risk: Risk | None = None,
    options: SolveOptions | None = None,
    expected: str | None = None,
    ef_time_limit_s: float | None = None,
    progress: Progress | None = None,
    method: str = "ef",
    ph: PHSettings | None = None,
    workers: int | None = 1,
) -> HedgeResult:
    """Hedge across ``futures`` (module docstring). ``expected`` names the future whose plan
    gives EEV (default: ``mid`` if present, else the most probable future). ``method``:
    ``ef``, ``ph`` or ``auto`` (``optimizer.hedge.ph_plan.choose_method``); ``ph`` gives
    PH's parameters. ``workers``: single-future solves run at once in worker processes
    (``optimizer.hedge.pool``; None: by the models' size and the cores)."""
    options = options or SolveOptions()
    risk = risk or Risk()
    tc = check_futures(futures, commit_until)
    names = [f.name for f in futures]
    p = {f.name: float(f.probability) for f in futures}
    if expected is None:
        expected = "mid" if "mid" in names else max(names, key=lambda n: p[n])
    if expected not in names:
        raise ValueError(f"expected future {expected!r} is not one of {names}")
    say = progress or (lambda info: None)
    start = time.perf_counter()
    out = HedgeResult("no_solution", None, None, None, names, p, tc, expected, risk)
    data = {f.name: f.data for f in futures}
    models = {n: build_model(data[n], relax_integers=options.relax_integers) for n in names}
    out.method = choose_method(models, risk, method)
    session = Session(replace(options, log_path=None, model_path=None))
    out.workers = choose_workers(models, workers)
    say({"stage": "hedge", "step": "method", "method": out.method, "workers": out.workers,
         "first_plan": options.first_plan})  # fmt: skip
    with solve_pool(models, data, session, out.workers) as pool:
        return _hedge(out, models, data, session, pool, say, ph, ef_time_limit_s, start)


def _hedge(
    out: HedgeResult,
    models: dict[str, pyo.ConcreteModel],
    data: dict[str, ModelData],
    session: Session,
    pool: Executor,
    say: Progress,
    ph: PHSettings | None,
    ef_time_limit_s: float | None,
    start: float,
) -> HedgeResult:
    """Steps 1-4 of the module docstring, the single-future solves on ``pool``."""
    names, p, risk, tc, options = (
        out.futures,
        out.probabilities,
        out.risk,
        out.commit_periods,
        session.options,
    )
    expected = out.expected_future
    plans = [expected] if out.method == "ph" else names
    snaps = own_and_held(out, models, pool, plans, say)
    if snaps is None:
        return out
    out.timings_s["cross_s"] = round(time.perf_counter() - start - out.timings_s["own_s"], 3)
    t0 = time.perf_counter()
    if out.method == "ph":
        out.skipped = [
            f"{g}'s plan held in the other futures (its regrets)" for g in names if g != expected
        ]
        first_plan(out, say)
        commitment = hedge_by_ph(out, models, session, pool, snaps, ph or PHSettings(), say)
        out.timings_s["ph_s"] = round(time.perf_counter() - t0, 3)
    else:
        own = dict(out.own_optimum_eur)
        carried = [g for g in names if all(out.plan_cost_eur[g][f] is not None for f in names)]
        best = min(
            carried,
            key=lambda g: risk_value(out.plan_cost_eur[g], p, risk, own),  # type: ignore[arg-type]
            default=None,
        )
        say({"stage": "hedge", "step": "extensive form", "start": best})
        ef = build_extensive(models, p, tc, risk, own)
        limit = options.time_limit_s * len(names) if ef_time_limit_s is None else ef_time_limit_s
        _solve_extensive(out, ef, replace(options, time_limit_s=limit), best, snaps, own)
        commitment = read_commitment_shared(ef) if out.has_plan else None
        out.timings_s["extensive_s"] = round(time.perf_counter() - t0, 3)
    if not out.has_plan:
        return out
    for n in names:
        out.hedged_cost_eur[n] = _objective(models[n])
        seen = [
            out.hedged_cost_eur[n],
            *(c[n] for c in out.plan_cost_eur.values() if c[n] is not None),
            *(c[n] for c in out.ph_costs.values()),
        ]
        out.own_optimum_eur[n] = min(out.own_optimum_eur[n], *seen)
        cancel_cycles(models[n])
        out.tables[n] = extract(models[n], data[n])
    out.commitment = commitment or {}
    out.commitments = commitment_table(out.commitment, data, p)
    out.timings_s["total_s"] = round(time.perf_counter() - start, 3)
    return out


def _load_plan(
    ef: pyo.ConcreteModel, out: HedgeResult, g: str, snaps: dict, own: dict[str, float]
) -> float:
    """Load plan ``g`` held in every future as the extensive form's values; its objective."""
    for f in out.futures:
        warmstart.reload(snaps[g][f])
    load_start(ef, out.plan_commitments[g])
    costs = {f: _objective(ef.blocks[f]) for f in out.futures}
    if out.risk.kind == "cvar":
        eta = min(
            costs.values(),
            key=lambda e: (
                e
                + sum(out.probabilities[f] * max(0.0, costs[f] - e) for f in costs)
                / (1.0 - out.risk.alpha)
            ),
        )
        ef.value_at_risk_eur.set_value(eta)
        for k, f in enumerate(out.futures):
            ef.excess_eur[k].set_value(max(0.0, costs[f] - eta))
    if out.risk.kind == "regret":
        ef.max_regret_eur.set_value(max(costs[f] - own[f] for f in costs))
    return risk_value(costs, out.probabilities, out.risk, own)


def _solve_extensive(
    out: HedgeResult,
    ef: pyo.ConcreteModel,
    options: SolveOptions,
    best: str | None,
    snaps: dict,
    own: dict[str, float],
) -> None:
    """Run HiGHS on the extensive form from plan ``best``; fall back to that plan."""
    start_value = _load_plan(ef, out, best, snaps, own) if best is not None else None
    run = HighsRun(options)
    try:
        res, ok = run.solve(ef, "hedge", warm=best is not None)
        bound = res.best_objective_bound  # on the extensive form's objective
        if ok and out.risk.kind == "regret":
            _tiebreak(ef, run)
    except Exception as exc:  # report, do not crash the caller
        out.status, out.message = "error", repr(exc)
        return
    objective = float(pyo.value(ef.objective)) if ok else None
    optimal = res.termination_condition == TerminationCondition.optimal
    out.status = "optimal" if ok and optimal else ("time_limit" if ok else "no_solution")
    if start_value is not None and (
        objective is None or objective > start_value * (1 + 1e-9) + 1e-9
    ):
        _load_plan(ef, out, best, snaps, own)
        objective = start_value
        out.status = "optimal" if optimal else "time_limit"
        out.message = f"plan: {best}'s plan held in every future (HiGHS found nothing better)"
    out.objective = objective
    out.bound = bound if bound is not None and math.isfinite(bound) else None
    if out.bound is not None and objective is not None:
        out.bound = min(out.bound, objective)
    out.gap = gap_between(objective, out.bound)
    if not out.message:
        out.message = f"termination: {res.termination_condition.name}"
    if not ok and res.termination_condition in (
        TerminationCondition.infeasible,
        TerminationCondition.infeasibleOrUnbounded,
    ):
        out.status = "infeasible"
        out.message = (
            "no plan before the commit year suits every future: a future must serve key "
            "that only technologies not yet available in another future can carry then "
            "(a later commit year, or unserved key at a penalty, may help)"
        )


def _tiebreak(ef: pyo.ConcreteModel, run: HighsRun) -> None:
    """Regret, second run: hold the worst regret at its minimum (to 1e-9 relative + 1e-6
    EUR) and minimise the expected cost; the first run's plan stays when this one fails."""
    worst = float(pyo.value(ef.max_regret_eur))
    ef.regret_cap = pyo.Constraint(
        expr=ef.max_regret_eur <= worst + 1e-9 * max(1.0, abs(worst)) + 1e-6
    )
    ef.objective.deactivate()
    ef.tiebreak = pyo.Objective(expr=ef.expected_cost, sense=pyo.minimize)
    kept = warmstart.snapshot(ef)
    _, ok = run.solve(ef, "hedge_tiebreak", warm=True)
    if not ok:
        warmstart.reload(kept)


def read_commitment_shared(ef: pyo.ConcreteModel) -> Commitment:
    """The extensive form's shared decisions (``commit_build``, ``commit_site``)."""
    return {
        "build": {k: _rounded(v) for k, v in ef.commit_build.items()},
        "site": {k: _rounded(v) for k, v in ef.commit_site.items()},
    }


def _rounded(v: pyo.Var) -> float:
    x = v.value or 0.0
    return float(round(x)) if v.is_integer() or v.is_binary() else max(0.0, x)


__all__ = ["Future", "check_futures", "missing_in", "risk_value", "solve_hedge"]
