"""LP-guided rounding with repair: model edits for the primal heuristic in ``solve.py``.

The plain rounded start (``warmstart.round_up_and_fix``) switches on every piece of site
equipment the LP relaxation uses even fractionally and rounds every fractional link up, so
on national instances it pays for far more equipment and systems than needed. Here:

1. ``fix_equipment(model, values, threshold)``: equipment on only where the relaxation's
   value reaches ``threshold`` (from that period on, so it stays non-decreasing), off
   elsewhere, and fixed; the LP over counts (continuous) and flows then re-plans the
   systems for that equipment;
2. the counts are rounded up (``warmstart.round_up_and_fix``) and an LP over flows prices
   the integer plan (feasible for the full model: every integer is fixed to an integer);
3. ``cap_counts(model, plan)``: repair round — counts continuous again but each build at
   most its rounded value, equipment no rounded link needs and no transit flow uses
   switched off; the LP and rounding again give a plan costing no more, since each
   rounded count can only fall.

Nothing here runs a solver; ``solve.py`` does, between these edits.
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from optimizer.sets import TRUSTED_NODE

SiteValues = dict[tuple[str, str, int], float]


def site_values(model: pyo.ConcreteModel) -> SiteValues:
    """The current (relaxed) value of every ``site[i,e,t]``."""
    return {k: float(v.value or 0.0) for k, v in model.site.items()}


def fix_equipment(model: pyo.ConcreteModel, values: SiteValues, threshold: float) -> int:
    """Fix ``site[i,e,t]`` to 1 from the first period whose value reaches ``threshold``,
    to 0 before; return how many (i, e) are switched on. The relaxation's values are
    non-decreasing and rise only where the equipment is available, so the fixing keeps
    the monotonicity and availability rows."""
    s = model.sets
    opened = 0
    for i, e in s.site_keys:
        crossing = [t for t in s.periods if values.get((i, e, t), 0.0) >= threshold - 1e-6]
        first = _buy_period(s, e, crossing[0]) if crossing else None
        for t in s.periods:
            model.site[i, e, t].fix(int(first is not None and t >= first))
        opened += first is not None
    return opened


def _buy_period(s, e: str, t: int) -> int | None:
    """``t`` if equipment ``e`` may be bought then; else (a value crossing the threshold
    within tolerance) the last earlier period it may be bought in, else the next one."""
    ok = [p for p in s.periods if s.available.get((e, p), False)]
    if t in ok:
        return t
    before = [p for p in ok if p < t]
    after = [p for p in ok if p > t]
    return before[-1] if before else (after[0] if after else None)


def _transit(model: pyo.ConcreteModel, tol: float) -> set[tuple[str, int]]:
    """(site, period) where some commodity relays key (outflow at a site not its source)."""
    s = model.sets
    used: set[tuple[str, int]] = set()
    for (c, _, u, _, t), v in model.flow.items():
        if u != s.commodities[c].source and (v.value or 0.0) > tol:
            used.add((u, t))
    return used


def cap_counts(model: pyo.ConcreteModel, tol: float = 1e-6) -> int:
    """From a priced integer plan in the model (builds and sites fixed): free the builds
    with upper bound = their rounded value (lower 0), and switch off equipment that no
    link with systems needs and (trusted nodes) no transit flow uses, from the period it
    is idle to... only where it is idle in every period (keeps monotonicity). Returns the
    number of (i, e) switched off. Restore bounds with ``warmstart.restore``."""
    s = model.sets
    required = {
        (i, e)
        for (ln, t) in s.installed_from
        if pyo.value(model.installed[ln, t]) > tol
        for i, e in s.link_needs.get(ln, ())
    }
    transit = {i for i, _ in _transit(model, tol)}
    closed = 0
    for i, e in s.site_keys:
        keep = (i, e) in required or (e == TRUSTED_NODE and i in transit)
        if not keep and any(model.site[i, e, t].value > 0.5 for t in s.periods):
            closed += 1
            for t in s.periods:
                model.site[i, e, t].fix(0)
    for v in model.build.values():
        n = math.ceil((v.value or 0.0) - tol)
        v.unfix()
        v.setlb(0)
        v.setub(n)
    return closed


def reset_counts(model: pyo.ConcreteModel) -> None:
    """Free every build again within its own bounds ``[0, max_systems]`` (still relaxed)."""
    s = model.sets
    for (ln, _), v in model.build.items():
        v.unfix()
        v.setlb(0)
        v.setub(s.link_max_systems[ln])
