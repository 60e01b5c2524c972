"""The hedged plan by progressive hedging (``method="ph"``; docs/hedge.md).

``choose_method`` picks the extensive form or PH: ``auto`` takes the extensive form up to
``EF_MAX_COLUMNS`` columns summed over the futures' models (the exact strategy's size
limit, ``optimizer.solving.strategies.EXACT_MAX_COLUMNS``: above it HiGHS alone finds no
plan of even one future in minutes), PH above; PH needs the ``expected`` risk measure.

``hedge_by_ph`` runs ``optimizer.hedge.ph.progressive_hedging`` from the futures' own
plans, then makes PH's answer a plan every future can carry out (an *xhat*): its distinct
candidates (the rounded ``xbar``, each future's last iterate, the largest value any future
chose; at most ``PHSettings.max_candidates``; one when PH converged; the second and third
only while PH's time limit lasts), each held in every future at once
(``optimizer.hedge.singles.hold_everywhere``) and the rest re-optimised by the scenario's
strategy, and the expected
future's plan held everywhere (EEV) when it can be carried out. The cheapest in expected
cost is the hedged plan; its gap is measured against PH's bound (the larger of the trivial
and the Lagrangian bound, both valid lower bounds of the hedged optimum), so it is a true
gap whatever PH's convergence.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import asdict
from typing import Any

import pyomo.environ as pyo

from optimizer.hedge.commit import Commitment
from optimizer.hedge.extensive import Risk
from optimizer.hedge.ph import PHRun, PHSettings, progressive_hedging
from optimizer.hedge.result import HedgeResult
from optimizer.hedge.singles import hold_everywhere
from optimizer.solving import warmstart
from optimizer.solving.options import gap_between
from optimizer.solving.session import Session
from optimizer.solving.strategies import EXACT_MAX_COLUMNS, model_columns

METHODS = ("auto", "ef", "ph")
"""``ef`` (the extensive form), ``ph`` (progressive hedging) or ``auto`` (by size)."""
EF_MAX_COLUMNS = EXACT_MAX_COLUMNS
Progress = Callable[[dict[str, Any]], None]


def choose_method(models: Mapping[str, pyo.ConcreteModel], risk: Risk, method: str) -> str:
    """``ef`` or ``ph`` for ``method`` (``auto``: ``ef`` up to ``EF_MAX_COLUMNS`` columns
    over all futures, or for a risk measure other than ``expected``; ``ph`` above)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; allowed: {', '.join(METHODS)}")
    if method == "ph" and risk.kind != "expected":
        raise ValueError(f"progressive hedging minimises the expected cost, not {risk.label()}")
    if method != "auto":
        return method
    if risk.kind != "expected":
        return "ef"
    columns = sum(model_columns(m) for m in models.values())
    return "ph" if columns > EF_MAX_COLUMNS else "ef"


def _candidates(run: PHRun, limit: int) -> list[tuple[str, Commitment]]:
    """PH's distinct candidate commitments, at most ``limit``: the rounded ``xbar``, each
    future's last iterate, the largest value any future chose (one when PH converged)."""
    out: list[tuple[str, Commitment]] = []
    ordered = [("ph xbar", run.xbar)]
    ordered += [(f"ph {f}'s iterate", c) for f, c in run.iterates.items()]
    ordered.append(("ph largest", run.upper))
    for label, commitment in ordered:
        if len(out) < limit and all(commitment != c for _, c in out):
            out.append((label, commitment))
    return out


def _start(out: HedgeResult, snaps: dict[str, dict[str, list]], f: str) -> list:
    """Future ``f``'s iteration-0 values: its own plan, unless that commits something
    another future lacks (PH bounds those decisions to 0, so the plan would not be a
    feasible start of ``f``'s subproblem): then the expected future's plan held in ``f``
    when it was solved. The iteration-0 bound stays ``f``'s own (a valid lower bound)."""
    e = out.expected_future
    own = out.plan_commitments[f]
    lacking = any(
        x > 1e-6 and any(k not in out.plan_commitments[g][kind] for g in out.futures)
        for kind, values in own.items()
        for k, x in values.items()
    )
    return snaps[e][f] if lacking and f in snaps.get(e, {}) else snaps[f][f]


def first_plan(out: HedgeResult, say: Progress) -> None:
    """Report the first hedged plan and its gap as soon as there is one: the expected
    future's plan held in every future (EEV) against the trivial bound (``sum_f p_f LB_f``
    of the own solves), both known before PH starts."""
    if out.eev_eur is None or any(out.own_bound.get(f) is None for f in out.futures):
        return
    bound = sum(out.probabilities[f] * float(out.own_bound[f]) for f in out.futures)  # type: ignore[arg-type]
    say({"stage": "hedge", "step": "first plan", "plan": out.expected_future,
         "expected_eur": out.eev_eur, "bound_eur": bound,
         "gap": gap_between(out.eev_eur, min(bound, out.eev_eur))})  # fmt: skip


def hedge_by_ph(
    out: HedgeResult,
    models: dict[str, pyo.ConcreteModel],
    session: Session,
    pool: Executor,
    snaps: dict[str, dict[str, list]],
    settings: PHSettings,
    say: Progress,
) -> Commitment | None:
    """PH, then the cheapest feasible candidate (module docstring) loaded into ``models``;
    sets ``out``'s status, objective, bound, gap, ``ph`` and message. Returns the hedged
    commitment (None: no candidate can be carried out in every future)."""
    say({"stage": "hedge", "step": "progressive hedging"})
    started = time.perf_counter()
    e = out.expected_future
    for f in out.futures:  # iteration 0: each future's own plan (see _start)
        warmstart.reload(_start(out, snaps, f))
    iteration0 = {f: (out.own_optimum_eur[f], out.own_bound.get(f)) for f in out.futures}
    run = progressive_hedging(
        models, out.probabilities, out.commit_periods, iteration0, session.options, settings
    )
    p = out.probabilities
    found: dict[str, tuple[float, Commitment, dict[str, list]]] = {}
    eev = out.plan_cost_eur.get(e, {})
    if eev and all(eev.get(f) is not None for f in out.futures) and e in out.plan_commitments:
        plan = {f: snaps[e][f] for f in out.futures}
        found[f"{e}'s plan"] = (sum(p[f] * eev[f] for f in eev), out.plan_commitments[e], plan)
    limit = settings.time_limit_s or session.options.time_limit_s * len(out.futures)
    # a candidate costs one solve per future, each about as long as an own solve took
    per_candidate_s = out.timings_s.get("own_s", 0.0)
    for label, commitment in _candidates(run, settings.max_candidates):
        if found and time.perf_counter() - started + per_candidate_s > limit:
            out.skipped.append(f"PH candidate {label!r} (it would not end within PH's {limit:g} s)")
            continue
        evaluated = hold_everywhere(out, models, pool, commitment, label, say)
        if evaluated is not None:
            costs, plan = evaluated
            found[label] = (sum(p[f] * costs[f] for f in costs), commitment, plan)
            out.ph_costs[label] = costs
    out.ph = run.summary() | {"settings": asdict(settings), "log_tail": run.log[-1500:]}
    if not found:
        out.status = "no_solution"
        out.message = "progressive hedging: no candidate plan can be carried out in every future"
        return None
    label = min(found, key=lambda k: found[k][0])
    objective, commitment, plan = found[label]
    for f in out.futures:
        warmstart.reload(plan[f])
    out.objective = objective
    out.bound = None if run.bound is None else min(run.bound, objective)
    out.gap = gap_between(objective, out.bound)
    within = out.gap is not None and out.gap <= session.options.mip_gap + 1e-12
    out.status = "optimal" if within else "time_limit"
    out.ph["plan"] = label
    out.message = (
        f"progressive hedging: {run.iterations} iterations (convergence "
        f"{run.convergence if run.convergence is not None else 'n/a'}), plan: {label}"
    )
    return commitment
