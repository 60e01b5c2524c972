"""Commitments: the decisions of the periods before the commit year, read from a solved
model and held in another.

A commitment is ``{"build": {(l, t): systems}, "site": {(i, e, t): 0|1}}`` over the
*commit periods* ``T_c = {t in T : t < commit_until}``: new systems ``build[l,t]`` and
equipment ``site[i,e,t]`` (docs/hedge.md). Holding a commitment in a single-future model
adds equality rows ``hedge_held_build[l,t]: build[l,t] == x`` and ``hedge_held_site``
(rows, not ``fix()``: the exact strategy fixes and releases ``build`` and ``site`` freely
but never touches constraints).

A commitment cannot be held in a future whose model has no variable for one of its
positive decisions: the technology is not available there in that period (or makes no
key), so the plan cannot be carried out in that future (``hold_commitment`` returns the
missing decisions instead of adding rows).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyomo.environ as pyo

from optimizer.solving.plans import held_value

Commitment = dict[str, dict[tuple, float]]
"""``"build"`` -> {(link, period): systems}, ``"site"`` -> {(site, equipment, period): 0|1}."""

KINDS = ("build", "site")
_HELD = "hedge_held_"


def commit_periods(periods: Iterable[int], commit_until: int) -> list[int]:
    """``T_c``: the periods starting before ``commit_until`` (a year)."""
    return [int(t) for t in periods if int(t) < int(commit_until)]


def commit_keys(model: pyo.Block, periods: Iterable[int]) -> dict[str, list[tuple]]:
    """The model's decision indices in ``periods``, per kind, in the model's order."""
    keep = set(periods)
    return {kind: [k for k in getattr(model, kind) if k[-1] in keep] for kind in KINDS}


def read_commitment(model: pyo.Block, periods: Iterable[int]) -> Commitment:
    """The solved model's decisions in ``periods`` (every index, zeros included)."""
    keys = commit_keys(model, periods)
    return {kind: {k: held_value(getattr(model, kind)[k]) for k in keys[kind]} for kind in KINDS}


def missing_in(model: pyo.Block, commitment: Commitment, tol: float = 1e-6) -> list[tuple]:
    """Positive decisions of ``commitment`` that ``model`` has no variable for, as
    ``(kind, *index)`` tuples: what is unavailable in that future when it is committed."""
    out = []
    for kind in KINDS:
        var = getattr(model, kind)
        out += [(kind, *k) for k, x in commitment[kind].items() if x > tol and k not in var]
    return out


def hold_commitment(model: pyo.Block, commitment: Commitment) -> list[tuple]:
    """Add rows holding ``model``'s decisions at ``commitment`` (indices it lacks with value
    0 need no row). Returns the missing positive decisions (``missing_in``); when there are
    any, nothing is added: the commitment cannot be carried out in this model."""
    missing = missing_in(model, commitment)
    if missing:
        return missing
    for kind in KINDS:
        var = getattr(model, kind)
        values = {k: x for k, x in commitment[kind].items() if k in var}
        model.add_component(
            f"{_HELD}{kind}",
            pyo.Constraint(list(values), rule=lambda _, *k, v=var, x=values: v[k] == x[k]),
        )
    return []


def release_commitment(model: pyo.Block) -> None:
    """Remove the rows ``hold_commitment`` added (no-op when there are none)."""
    for kind in KINDS:
        name = f"{_HELD}{kind}"
        if hasattr(model, name):
            model.del_component(name)
