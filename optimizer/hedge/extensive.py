"""The extensive form: one copy of every future's model, tied by non-anticipativity rows.

Futures ``f in F`` with probabilities ``p_f`` (sum 1) each have their own model
``M_f`` (``optimizer.build.build_model`` of their ModelData), attached as a sub-block
``future_<k>`` with its objective deactivated; ``C_f`` (EUR, discounted) is that
objective's expression: cost + unserved penalty of future ``f``.

Non-anticipativity over the commit periods ``T_c`` (``optimizer.hedge.commit``): one
shared variable per decision of any future,

- ``commit_build[l,t]`` (systems, integer unless counts are relaxed) and
  ``commit_site[i,e,t]`` (binary), ``t in T_c``;
- ``nonant_build[f,l,t]: build_f[l,t] = commit_build[l,t]`` for every future that has the
  decision, ``nonant_site`` likewise;
- a decision some future lacks (its technology is not available there in ``t``) has its
  shared variable bounded to 0: nothing is committed before it is available in every
  future.

Objectives (``Risk``):

- ``expected``: ``min E[C] = sum_f p_f C_f``;
- ``cvar``: ``min E[C] + w * CVaR_a(C)`` with Rockafellar & Uryasev's linearisation
  ``CVaR_a = eta + 1/(1-a) * sum_f p_f u_f``, ``u_f >= C_f - eta``, ``u_f >= 0``
  (``eta`` free: at the optimum it is the a-quantile, the value at risk, EUR);
- ``regret``: ``min r`` with ``r >= C_f - z_f`` for every future, ``z_f`` its own optimum
  (EUR); ``expected_cost`` is kept as an expression for the tie-break stage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pyomo.environ as pyo

from optimizer.hedge.commit import KINDS, commit_keys

RiskKind = Literal["expected", "cvar", "regret"]


@dataclass(frozen=True)
class Risk:
    """What the hedged plan minimises: ``expected`` cost, ``cvar`` (expected cost +
    ``weight`` x CVaR at level ``alpha``) or the worst ``regret``."""

    kind: RiskKind = "expected"
    alpha: float = 0.9
    weight: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in ("expected", "cvar", "regret"):
            raise ValueError(f"unknown risk {self.kind!r}; allowed: expected, cvar, regret")
        if not 0.0 <= self.alpha < 1.0:
            raise ValueError(f"CVaR level alpha must be in [0, 1), got {self.alpha}")
        if self.weight < 0.0:
            raise ValueError(f"CVaR weight must be >= 0, got {self.weight}")

    def label(self) -> str:
        """``expected``, ``cvar:0.9:0.5`` or ``regret`` (as the CLI's ``--risk``)."""
        return f"cvar:{self.alpha:g}:{self.weight:g}" if self.kind == "cvar" else self.kind


def _union(models: Sequence[pyo.Block], periods: Sequence[int]) -> dict[str, list[tuple]]:
    out: dict[str, dict[tuple, None]] = {kind: {} for kind in KINDS}
    for m in models:
        for kind, keys in commit_keys(m, periods).items():
            out[kind].update(dict.fromkeys(keys))
    return {kind: list(keys) for kind, keys in out.items()}


def build_extensive(
    models: Mapping[str, pyo.ConcreteModel],
    probabilities: Mapping[str, float],
    periods: Sequence[int],
    risk: Risk | None = None,
    own_optimum_eur: Mapping[str, float] | None = None,
) -> pyo.ConcreteModel:
    """Attach ``models`` (future name -> its built model; each loses its standalone
    objective) to one extensive-form model as documented in the module docstring.
    ``ef.blocks`` maps future names to their sub-blocks; ``ef.commit_periods`` = ``T_c``.
    ``own_optimum_eur`` (future -> ``z_f``) is required for ``regret``."""
    risk = risk or Risk()
    names = list(models)
    ef = pyo.ConcreteModel(name="qroad_hedge")
    ef.blocks = {}
    ef.commit_periods = list(periods)
    for k, name in enumerate(names):
        m = models[name]
        m.total_cost.deactivate()
        ef.add_component(f"future_{k}", m)
        ef.blocks[name] = m
    union = _union([models[n] for n in names], periods)
    _shared_variables(ef, models, union)
    ef.nonant_build = pyo.Constraint(
        [
            (k, *key)
            for k, n in enumerate(names)
            for key in union["build"]
            if key in models[n].build
        ],
        rule=lambda e, k, *key: e.blocks[names[k]].build[key] == e.commit_build[key],
    )
    ef.nonant_site = pyo.Constraint(
        [(k, *key) for k, n in enumerate(names) for key in union["site"] if key in models[n].site],
        rule=lambda e, k, *key: e.blocks[names[k]].site[key] == e.commit_site[key],
    )
    ef.future_cost = pyo.Expression(
        range(len(names)), rule=lambda e, k: e.blocks[names[k]].total_cost.expr
    )
    p = [float(probabilities[n]) for n in names]
    ef.expected_cost = pyo.Expression(expr=sum(p[k] * ef.future_cost[k] for k in range(len(names))))
    _risk_objective(ef, p, names, risk, own_optimum_eur)
    return ef


def _shared_variables(
    ef: pyo.ConcreteModel, models: Mapping[str, pyo.ConcreteModel], union: dict[str, list]
) -> None:
    """``commit_build`` and ``commit_site``, bounded to 0 where some future lacks them."""

    def build_bounds(_, *key):
        ubs = [m.build[key].ub for m in models.values() if key in m.build]
        return (0, max(ubs) if len(ubs) == len(models) else 0)

    integer = any(v.is_integer() for m in models.values() for v in m.build.values())
    ef.commit_build = pyo.Var(
        union["build"],
        domain=pyo.NonNegativeIntegers if integer else pyo.NonNegativeReals,
        bounds=build_bounds,
        initialize=0,
    )
    ef.commit_site = pyo.Var(
        union["site"],
        domain=pyo.Binary,
        bounds=lambda _, *key: (0, 1 if all(key in m.site for m in models.values()) else 0),
        initialize=0,
    )


def _risk_objective(
    ef: pyo.ConcreteModel,
    p: list[float],
    names: list[str],
    risk: Risk,
    own: Mapping[str, float] | None,
) -> None:
    futures = range(len(names))
    if risk.kind == "expected":
        ef.objective = pyo.Objective(expr=ef.expected_cost, sense=pyo.minimize)
    elif risk.kind == "cvar":
        ef.value_at_risk_eur = pyo.Var(domain=pyo.Reals, initialize=0)  # eta
        ef.excess_eur = pyo.Var(futures, domain=pyo.NonNegativeReals, initialize=0)
        ef.excess_row = pyo.Constraint(
            futures, rule=lambda e, k: e.excess_eur[k] >= e.future_cost[k] - e.value_at_risk_eur
        )
        ef.cvar_eur = pyo.Expression(
            expr=ef.value_at_risk_eur
            + sum(p[k] * ef.excess_eur[k] for k in futures) / (1.0 - risk.alpha)
        )
        ef.objective = pyo.Objective(
            expr=ef.expected_cost + risk.weight * ef.cvar_eur, sense=pyo.minimize
        )
    else:
        if own is None:
            raise ValueError("the regret objective needs each future's own optimum")
        ef.max_regret_eur = pyo.Var(domain=pyo.Reals, initialize=0)
        ef.regret_row = pyo.Constraint(
            futures,
            rule=lambda e, k: e.max_regret_eur >= e.future_cost[k] - float(own[names[k]]),
        )
        ef.objective = pyo.Objective(expr=ef.max_regret_eur, sense=pyo.minimize)


def load_start(ef: pyo.ConcreteModel, commitment: dict[str, dict[tuple, float]]) -> None:
    """Set the shared variables to ``commitment``'s values (0 where it has none); the
    futures' own variables are loaded by the caller (``optimizer.solving.warmstart``)."""
    for kind, var in (("build", ef.commit_build), ("site", ef.commit_site)):
        values = commitment[kind]
        for key, v in var.items():
            v.set_value(values.get(key, 0.0), skip_validation=True)
