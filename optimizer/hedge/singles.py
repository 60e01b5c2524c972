"""The hedge's single-future solves: each future alone, and plans held in other futures.

``own_and_held`` (steps 1 and 2 of ``solve.py``) queues every future's own solve on the
pool (``optimizer.hedge.pool``) and, as soon as plan ``g``'s own solve ends (``g`` one of
``plans``), ``g``'s commitments held in every other future ``f``: ``K_g(f)``. So with two
workers the held solves of the first plan run while the last own solve still does.
``hold_everywhere`` holds one commitment in every future at once (PH's candidates).

Every outcome is stored in ``HedgeResult`` in the futures' order, whatever order the
solves end in, so the tables and the manifest do not depend on the workers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from typing import Any

import pyomo.environ as pyo

from optimizer.hedge.commit import Commitment, missing_in
from optimizer.hedge.pool import JobResult, SolveJob, snapshot_of, submit
from optimizer.hedge.result import HedgeResult

Progress = Callable[[dict[str, Any]], None]
Snapshots = dict[str, dict[str, list]]  # plan g -> future f -> warmstart snapshot


def _solved(say: Progress, r: JobResult) -> None:
    say({"stage": "hedge", "step": "solved", "future": r.job.future, "plan": r.job.plan,
         "objective_eur": r.objective_eur, "solve_gap": r.gap})  # fmt: skip


def own_and_held(
    out: HedgeResult,
    models: dict[str, pyo.ConcreteModel],
    pool: Executor,
    plans: Sequence[str],
    say: Progress,
) -> Snapshots | None:
    """Fill ``out``'s own optima, bounds, gaps and plan commitments, and ``K_g(f)`` for
    every plan ``g`` of ``plans`` (``plan_cost_eur``, ``unavailable``); return each plan's
    values per future. None (with ``out.message``) when a future has no plan of its own."""
    names = out.futures
    start = time.perf_counter()
    snaps: Snapshots = {g: {} for g in names}
    for g in plans:
        out.plan_cost_eur[g] = dict.fromkeys(names)
        out.unavailable[g] = {f: [] for f in names}
    pending: dict[Future, SolveJob] = {}
    for n in names:
        say({"stage": "hedge", "step": "own optimum", "future": n})
        job = SolveJob(n, n, None, tuple(out.commit_periods))
        pending[submit(pool, job)] = job
    owns_left = len(names)
    while pending:
        done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
        for fut in done:
            job = pending.pop(fut)
            r = fut.result()
            _solved(say, r)
            f, g = job.future, job.plan
            if r.has_plan:
                snaps[g][f] = snapshot_of(models[f], r.values or [])
            if job.commitment is not None:
                out.plan_cost_eur[g][f] = r.objective_eur
                out.unavailable[g][f] = r.missing
                continue
            out.own_status[f], out.own_gap[f], out.own_bound[f] = r.status, r.gap, r.bound_eur
            if not r.has_plan:
                out.message = f"future {f!r} has no plan on its own ({r.status}: {r.message})"
                for other in pending:
                    other.cancel()
                return None
            out.own_optimum_eur[f] = float(r.objective_eur)  # type: ignore[arg-type]
            out.plan_commitments[f] = r.commitment or {}
            owns_left -= 1
            if owns_left == 0:
                out.timings_s["own_s"] = round(time.perf_counter() - start, 3)
            if f in plans:
                out.plan_cost_eur[f][f] = out.own_optimum_eur[f]
                others = [o for o in names if o != f]
                queued, missing = _queue(pool, models, f, out.plan_commitments[f], others, say)
                pending |= queued
                out.unavailable[f] |= missing
    for name in ("own_optimum_eur", "own_status", "own_gap", "own_bound", "plan_commitments"):
        values = getattr(out, name)
        setattr(out, name, {n: values[n] for n in names})
    return snaps


def _queue(
    pool: Executor,
    models: dict[str, pyo.ConcreteModel],
    plan: str,
    commitment: Commitment,
    futures: Sequence[str],
    say: Progress,
) -> tuple[dict[Future, SolveJob], dict[str, list[tuple]]]:
    """Queue ``commitment`` (plan ``plan``'s) held in each of ``futures``: (the queued
    jobs, the missing decisions of each future that lacks a committed one; no solve there)."""
    queued: dict[Future, SolveJob] = {}
    missing: dict[str, list[tuple]] = {}
    for f in futures:
        lacking = missing_in(models[f], commitment)
        if lacking:
            missing[f] = lacking
            continue
        say({"stage": "hedge", "step": "plan held", "plan": plan, "future": f})
        job = SolveJob(f, plan, commitment)
        queued[submit(pool, job)] = job
    return queued, missing


def hold_everywhere(
    out: HedgeResult,
    models: dict[str, pyo.ConcreteModel],
    pool: Executor,
    commitment: Commitment,
    label: str,
    say: Progress,
) -> tuple[dict[str, float], dict[str, list]] | None:
    """``commitment`` held in every future, the futures solved at once: (cost per future,
    snapshot per future), or None when one future cannot carry it out."""
    if any(missing_in(models[f], commitment) for f in out.futures):
        return None
    queued, _ = _queue(pool, models, label, commitment, out.futures, say)
    results = {job.future: fut.result() for fut, job in queued.items()}
    for r in results.values():
        _solved(say, r)
    if any(not r.has_plan for r in results.values()):
        return None
    costs = {f: float(r.objective_eur) for f, r in results.items()}  # type: ignore[arg-type]
    return costs, {f: snapshot_of(models[f], r.values or []) for f, r in results.items()}
