"""Heuristic start: relax integrality, round the relaxed plan up, complete it by an LP.

These helpers only change the model (domains, bounds, fixed values); ``solve.py`` runs the
solver between them:

1. ``relax(model)`` makes every integer/binary variable continuous within its bounds; the
   LP optimum is the *root relaxation bound* reported as ``lp_bound``;
2. ``round_up_and_fix(model, saved)`` rounds installed systems up per link and period and
   switches on the equipment they (or the relaxation's relaying) use, and fixes both.
   Rounding up keeps every capacity, equipment, relay and installed-limit row feasible
   (installed systems and sites only grow, sites stay non-decreasing); only budget and
   span rows can break;
3. the LP over the remaining continuous variables (flows, served key) re-optimises them and
   tells whether the rounded plan is feasible; its values become the solver's start;
4. ``unfix(model)`` and ``restore(saved)`` give the original model back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pyomo.environ as pyo


@dataclass
class _Saved:
    var: pyo.Var
    domain: object
    lower: float | None
    upper: float | None


def relax(model: pyo.ConcreteModel, variables=None) -> list[_Saved]:
    """Make integer and binary variables continuous (same bounds); return what to restore.
    ``variables`` limits this to the given variable data (default: every variable)."""
    saved = []
    if variables is None:
        variables = model.component_data_objects(pyo.Var, descend_into=True)
    for v in variables:
        if v.is_integer() or v.is_binary():
            lb, ub = v.bounds
            saved.append(_Saved(v, v.domain, v.lower, v.upper))
            v.domain = pyo.Reals
            v.setlb(lb)
            v.setub(ub)
    return saved


def restore(saved: list[_Saved]) -> None:
    """Undo ``relax``: original domains and explicit bounds."""
    for s in saved:
        s.var.domain = s.domain
        s.var.setlb(s.lower)
        s.var.setub(s.upper)


def snapshot(model: pyo.ConcreteModel) -> list[tuple[object, float | None]]:
    """Every variable with its current value (to reload a plan later)."""
    return [(v, v.value) for v in model.component_data_objects(pyo.Var, descend_into=True)]


def reload(values: list[tuple[object, float | None]]) -> None:
    """Put back the values taken by ``snapshot``."""
    for v, x in values:
        v.set_value(x, skip_validation=True)


def round_up_and_fix(
    model: pyo.ConcreteModel,
    saved: list[_Saved],
    tol: float = 1e-6,
    integer_counts: bool | None = None,
) -> None:
    """Fix a rounded-up plan: system counts and site equipment.

    Per link, in period order, the rounded plan keeps at least the relaxation's capacity
    (bps): ``sum_{t0 alive at t} rate[l,t0] * build[l,t0]``. What the still-alive
    rounded builds lack is built in ``t`` where the link can be built there:
    ``ceil(shortfall_bps / rate[l,t] - tol)`` systems, at most what ``max_systems``
    leaves. (Rounding installed counts instead falls short where the relaxation chose a
    later, faster vintage over an earlier one; a must-serve plan then has no start.)
    With ``relax_integers`` the counts stay free for the LP. Equipment is set to 1 where
    the relaxation used it (``site > tol``) or a link needing it has systems, from that
    period on (non-decreasing), and fixed.
    """
    s = model.sets
    if integer_counts is None:
        relaxed_ids = {id(x.var) for x in saved}
        integer_counts = any(id(v) in relaxed_ids for v in model.build.values())
    installed: dict[tuple[str, int], float] = {
        k: pyo.value(model.installed[k]) for k in s.installed_from
    }
    if integer_counts:
        rounded = _rounded_builds(model, tol)
        for k, n in rounded.items():
            v = model.build[k]
            if v.ub is not None and n > v.ub:  # a repair round's cap (repair.cap_counts)
                v.setub(n)  # (reset_counts restores it) keeps fix() within bounds
            v.fix(n)
        installed = {
            (ln, t): sum(rounded[ln, t0] for t0 in src) for (ln, t), src in s.installed_from.items()
        }
    required = {
        (i, e, t)
        for (ln, t), n in installed.items()
        if n > tol
        for i, e in s.link_needs.get(ln, ())
    }
    for i, e in s.site_keys:
        on = 0
        for t in s.periods:
            v = model.site[i, e, t]
            on = max(on, int((v.value or 0.0) > tol or (i, e, t) in required))
            v.fix(on)


def _rounded_builds(model: pyo.ConcreteModel, tol: float) -> dict[tuple[str, int], int]:
    """Integer builds keeping the relaxation's capacity per link and period (see
    ``round_up_and_fix``)."""
    s = model.sets
    rate = s.rate_per_system_bps
    lp = {k: max(0.0, model.build[k].value or 0.0) for k in s.build_index}
    rounded = dict.fromkeys(s.build_index, 0)
    for ln, t in s.installed_from:  # sorted by (link, period)
        alive = s.installed_from[ln, t]
        if (ln, t) not in rounded:
            continue
        want_bps = sum(rate[ln, t0] * lp[ln, t0] for t0 in alive)
        have_bps = sum(rate[ln, t0] * rounded[ln, t0] for t0 in alive if t0 != t)
        room = s.link_max_systems[ln] - sum(rounded[ln, t0] for t0 in alive if t0 != t)
        short = math.ceil((want_bps - have_bps) / rate[ln, t] - tol)
        rounded[ln, t] = max(0, min(short, room))
    return rounded


def unfix(model: pyo.ConcreteModel) -> None:
    """Release the variables fixed by ``round_up_and_fix`` (values stay as the start)."""
    for v in (*model.build.values(), *model.site.values()):
        v.unfix()
