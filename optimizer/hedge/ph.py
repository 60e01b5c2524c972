"""Progressive hedging (PH, Rockafellar & Wets) through mpi-sppy, for hedges whose
extensive form is too big (docs/hedge.md, "Progressive hedging").

Each future's model ``M_f`` (``optimizer.build.build_model``) is one mpi-sppy scenario of
probability ``p_f``. Its root node (``sputils.attach_root_node``) holds the first-stage
cost (the shared decisions' terms of the objective, discounted EUR) and the
non-anticipative variables: ``build[l,t]`` and ``site[i,e,t]`` for ``t`` in the commit
periods, in one order for every future (the decisions every future has; a decision some
future lacks is bounded to 0 in the others while PH runs, as the extensive form bounds its
shared variable).

- Iteration 0 is each future alone: the plans and bounds ``solve_hedge`` already has from
  its own solves (the exact strategy's LP rounding where HiGHS alone finds no plan), handed
  to mpi-sppy as its iteration-0 solution (its ``iter0_from_pickle`` path, which takes the
  loaded values and each scenario's outer/inner bound). The *trivial bound*
  ``sum_f p_f LB_f`` (``LB_f`` a valid lower bound of ``M_f``) is a lower bound of the
  hedged optimum: dropping non-anticipativity only widens the feasible set.
- Iterations ``k >= 1`` solve ``min C_f(x) + W_f x + rho/2 |x - xbar|^2`` by HiGHS
  (``PH_SOLVER``) from the previous iterate, with the proximal term linearised (binary
  ``x^2 = x``, integer ``x^2`` by mpi-sppy's outer approximation), then
  ``xbar = sum_f p_f x_f`` and ``W_f += rho (x_f - xbar)``. ``rho`` per decision is
  ``rho_multiplier`` x its probability-weighted objective coefficient (the same in every
  future, so ``sum_f p_f W_f = 0`` holds throughout).
- The Lagrangian bound: with ``sum_f p_f W_f = 0``, ``sum_f p_f min_x (C_f + W_f x)`` is
  a lower bound of the hedged optimum for any ``W`` (weak duality); each future's term is
  the MIP's dual bound, valid at any gap or time limit. It is computed only when that
  sum is 0 to 1e-6 relative.

``progressive_hedging`` returns the bounds and candidate commitments (the rounded
``xbar``, and the largest value any future chose); ``solve_hedge`` holds them in every
future and re-optimises (the feasible hedged plan, docs/hedge.md).
"""

from __future__ import annotations

import contextlib
import io
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pyomo.environ as pyo

from optimizer.hedge.commit import KINDS, Commitment, commit_keys
from optimizer.solving.highs_run import pyomo_quietly
from optimizer.solving.options import SolveOptions

PH_SOLVER = "appsi_highs"
"""The Pyomo solver mpi-sppy runs PH's subproblems with: HiGHS through appsi, the interface
``optimizer.solving.highs_run`` uses (Pyomo's newer ``highs`` also runs under mpi-sppy
0.14 here; one binding for both keeps HiGHS's options and thread pool the same)."""


def subproblem_options(options: SolveOptions, time_limit_s: float) -> dict[str, float]:
    """HiGHS options of one PH subproblem solve (mpi-sppy translates ``mipgap`` to HiGHS's
    ``mip_rel_gap``): the scenario's MIP gap and threads, ``time_limit_s`` seconds."""
    return {
        "mipgap": float(options.mip_gap),
        "time_limit": float(time_limit_s),
        "threads": int(options.threads),
        "random_seed": int(options.seed),
    }


@dataclass(frozen=True)
class PHSettings:
    """PH's parameters: at most ``max_iterations`` iterations after iteration 0, stopping
    when mpi-sppy's convergence metric (mean ``|x_f - xbar|`` over the shared decisions
    and futures, systems or 0/1) drops below ``convergence`` or after ``time_limit_s``
    (None: the number of futures x the per-future time limit); each subproblem solve gets
    ``subproblem_time_limit_s`` (None: the per-future time limit). ``rho_multiplier``
    scales the cost-proportional rho (EUR per unit^2 = multiplier x EUR per unit).
    ``max_candidates`` bounds the candidate commitments held in every future afterwards
    (each costs one solve per future)."""

    max_iterations: int = 20
    convergence: float = 1e-4
    rho_multiplier: float = 0.5
    time_limit_s: float | None = None
    subproblem_time_limit_s: float | None = None
    lagrangian_bound: bool = True
    max_candidates: int = 3

    def __post_init__(self) -> None:
        if self.max_iterations < 0:
            raise ValueError(f"PH iterations must be >= 0, got {self.max_iterations}")
        if not self.rho_multiplier > 0:
            raise ValueError(f"PH rho multiplier must be > 0, got {self.rho_multiplier}")


@dataclass
class PHRun:
    """What PH produced: iterations run (after iteration 0), the last convergence metric,
    the trivial and Lagrangian bounds (EUR, None when not available) and candidate
    commitments (``xbar`` rounded; ``upper``: the largest value any future chose;
    ``iterates``: each future's last iterate, rounded)."""

    iterations: int
    convergence: float | None
    trivial_bound: float | None
    lagrangian_bound: float | None
    xbar: Commitment
    upper: Commitment
    iterates: dict[str, Commitment] = field(default_factory=dict)
    rho: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    log: str = ""
    error: str = ""  # why PH stopped early (its bounds and candidates so far stand)

    @property
    def bound(self) -> float | None:
        """The best valid lower bound of the hedged optimum (EUR)."""
        found = [b for b in (self.trivial_bound, self.lagrangian_bound) if b is not None]
        return max(found) if found else None

    def summary(self) -> dict:
        """JSON-ready numbers for the manifest."""
        return {
            "iterations": self.iterations,
            "convergence": self.convergence,
            "trivial_bound_eur": self.trivial_bound,
            "lagrangian_bound_eur": self.lagrangian_bound,
            "bound_eur": self.bound,
            "rho": self.rho,
            "seconds": round(self.seconds, 3),
            "subproblem_solver": PH_SOLVER,
            "error": self.error or None,
        }


def _shared(models: Mapping[str, pyo.ConcreteModel], periods: Sequence[int]):
    """(kind, key) decisions every future has, in the first model's order, and those only
    some have (bounded to 0 while PH runs)."""
    keys = [commit_keys(m, periods) for m in models.values()]
    everywhere = [
        (kind, k) for kind in KINDS for k in keys[0][kind] if all(k in ks[kind] for ks in keys)
    ]
    common = set(everywhere)
    partial = {(kind, k) for ks in keys for kind in KINDS for k in ks[kind]} - common
    return everywhere, partial


def _coefficients(model: pyo.ConcreteModel, variables: list) -> list[float]:
    """Each variable's linear coefficient in ``model.total_cost`` (EUR per unit)."""
    from pyomo.repn import generate_standard_repn

    repn = generate_standard_repn(model.total_cost.expr, quadratic=False)
    by_id = {id(v): float(c) for v, c in zip(repn.linear_vars, repn.linear_coefs, strict=True)}
    return [by_id.get(id(v), 0.0) for v in variables]


def _rhos(coefs: dict[str, list[float]], p: Mapping[str, float], multiplier: float):
    """One rho per shared decision, the same in every future: ``multiplier`` x the
    probability-weighted |objective coefficient| (decisions without one: the median)."""
    count = len(next(iter(coefs.values())))
    mean = [sum(p[n] * abs(c[i]) for n, c in coefs.items()) for i in range(count)]
    positive = sorted(c for c in mean if c > 0)
    fallback = positive[len(positive) // 2] if positive else 1.0
    return [multiplier * (c if c > 0 else fallback) for c in mean]


def _round(values: dict[tuple, float], integer: dict[tuple, bool]) -> Commitment:
    out: Commitment = {kind: {} for kind in KINDS}
    for (kind, key), x in values.items():
        out[kind][key] = float(math.floor(x + 0.5)) if integer[(kind, key)] else max(0.0, x)
    return out


def progressive_hedging(
    models: Mapping[str, pyo.ConcreteModel],
    probabilities: Mapping[str, float],
    periods: Sequence[int],
    iteration0: Mapping[str, tuple[float, float | None]],
    options: SolveOptions,
    settings: PHSettings | None = None,
) -> PHRun:
    """PH over ``models`` (future -> its model, holding its iteration-0 plan: its own
    optimum's values) with ``iteration0`` (future -> (objective, valid lower bound), EUR).
    The models are given back as they came (objective, bounds, no mpi-sppy components),
    holding their last PH iterate's values."""
    settings = settings or PHSettings()
    names = list(models)
    start = time.perf_counter()
    everywhere, partial = _shared(models, periods)
    if not everywhere:  # nothing every future can share: all commitments are 0
        bounds = [iteration0[n][1] for n in names]
        trivial = None
        if all(b is not None for b in bounds):
            trivial = sum(probabilities[n] * float(b) for n, b in zip(names, bounds, strict=True))
        zeros = _round(dict.fromkeys(partial, 0.0), dict.fromkeys(partial, True))
        return PHRun(0, 0.0, trivial, None, zeros, zeros, {n: zeros for n in names})
    nonants = {n: [getattr(models[n], kind)[k] for kind, k in everywhere] for n in names}
    coefs = {n: _coefficients(models[n], nonants[n]) for n in names}
    rho = _rhos(coefs, probabilities, settings.rho_multiplier)
    saved_objective = {n: models[n].total_cost.expr for n in names}
    saved_ub = [
        (v, v.ub)
        for m in models.values()
        for kind, k in partial
        if k in getattr(m, kind)
        for v in [getattr(m, kind)[k]]
    ]
    for v, _ in saved_ub:
        v.setub(0)
    sub_limit = settings.subproblem_time_limit_s or options.time_limit_s
    limit = settings.time_limit_s or options.time_limit_s * len(names)
    log = io.StringIO()
    try:
        with pyomo_quietly(), contextlib.redirect_stdout(log):
            run = _run(models, probabilities, nonants, coefs, rho, iteration0, options,
                       settings, sub_limit, limit)  # fmt: skip
    finally:
        for n, m in models.items():
            m.total_cost.expr = saved_objective[n]
            for name in ("_mpisppy_model", "_mpisppy_data"):
                if hasattr(m, name):
                    m.del_component(name)
            for attr in ("_mpisppy_node_list", "_mpisppy_probability", "_solver_plugin"):
                if hasattr(m, attr):
                    delattr(m, attr)
        for v, ub in saved_ub:
            v.setub(ub)
    iterations, conv, trivial, lagrangian, xbar, upper, last, error = run
    first = nonants[names[0]]
    integer = {k: v.is_integer() or v.is_binary() for k, v in zip(everywhere, first, strict=True)}
    integer.update(dict.fromkeys(partial, True))
    zeros = dict.fromkeys(partial, 0.0)
    return PHRun(
        iterations=iterations,
        convergence=conv,
        trivial_bound=trivial,
        lagrangian_bound=lagrangian,
        xbar=_round({**dict(zip(everywhere, xbar, strict=True)), **zeros}, integer),
        upper=_round({**dict(zip(everywhere, upper, strict=True)), **zeros}, integer),
        iterates={
            n: _round({**dict(zip(everywhere, last[n], strict=True)), **zeros}, integer)
            for n in names
        },
        rho={"min": min(rho, default=0.0), "max": max(rho, default=0.0)},
        seconds=time.perf_counter() - start,
        log=log.getvalue()[-4000:],
        error=error,
    )


def _finite(x: float | None) -> float | None:
    return float(x) if x is not None and math.isfinite(float(x)) else None


def _run(models, probabilities, nonants, coefs, rho, iteration0, options, settings, sub_limit,
         limit):  # fmt: skip
    """mpi-sppy's PH (serial: mpi-sppy's own stand-in communicator without mpi4py)."""
    import mpisppy.utils.sputils as sputils
    from mpisppy.opt.ph import PH

    names = list(models)

    def creator(name: str) -> pyo.ConcreteModel:
        m = models[name]
        first = sum(c * v for c, v in zip(coefs[name], nonants[name], strict=True) if c)
        sputils.attach_root_node(m, first, nonants[name])
        m._mpisppy_probability = float(probabilities[name])
        return m

    by_model = {id(models[n]): n for n in names}

    def rho_setter(scenario: pyo.ConcreteModel) -> list[tuple[int, float]]:
        own = nonants[by_model[id(scenario)]]
        return [(id(v), r) for v, r in zip(own, rho, strict=True)]

    ph_options = {
        "solver_name": PH_SOLVER,
        "PHIterLimit": int(settings.max_iterations),
        "defaultPHrho": 1.0,
        "convthresh": float(settings.convergence),
        "verbose": False,
        "display_progress": False,
        "display_timing": False,
        "solver_options_layers": [
            sputils.solver_options_layer("default", subproblem_options(options, sub_limit))
        ],
        "linearize_proximal_terms": True,
        "linearize_binary_proximal_terms": True,
        "warmstart_subproblems": True,
        "iter0_from_pickle": True,
        "time_limit": float(limit),
    }
    ph = PH(ph_options, names, creator, rho_setter=rho_setter)
    for n, s in ph.local_scenarios.items():
        objective, bound = iteration0[n]
        s._mpisppy_data.pickle_metadata = {
            "iter0_before_pickle": True,
            "iter0_outer_bound": float("-inf") if bound is None else float(bound),
            "iter0_inner_bound": float(objective),
        }
    error = ""
    try:
        ph.ph_main(finalize=False)
    except Exception as exc:  # e.g. a subproblem without a plan in its time limit: stop
        error = repr(exc)
    trivial = _finite(getattr(ph, "trivial_bound", None))
    iterations = int(ph._PHIter)
    conv = _finite(getattr(ph, "conv", None))
    xbar, upper = _averages(ph, len(rho))
    last = {n: [float(v.value or 0.0) for v in nonants[n]] for n in names}  # last iterates
    lagrangian = None
    if not error and settings.lagrangian_bound and iterations > 0 and _weights_balance(ph):
        try:
            bound = ph.post_solve_bound(solver_options=subproblem_options(options, sub_limit))
            lagrangian = _finite(bound)
        except Exception as exc:  # a subproblem without a bound: the trivial bound stays
            error = f"Lagrangian bound: {exc!r}"
    return iterations, conv, trivial, lagrangian, xbar, upper, last, error


def _averages(ph, count: int) -> tuple[list[float], list[float]]:
    """``xbar`` (probability-weighted mean of the futures' values) and the max over futures."""
    xbar, upper = [0.0] * count, [0.0] * count
    for s in ph.local_scenarios.values():
        for (_, i), v in s._mpisppy_data.nonant_indices.items():
            xbar[i] = float(pyo.value(s._mpisppy_model.xbars[("ROOT", i)]))
            upper[i] = max(upper[i], float(v.value or 0.0))
    return xbar, upper


def _weights_balance(ph, tol: float = 1e-6) -> bool:
    """``sum_f p_f W_f = 0`` for every shared decision (the Lagrangian bound's premise)."""
    total: dict[int, float] = {}
    scale: dict[int, float] = {}
    for s in ph.local_scenarios.values():
        for (_, i), w in s._mpisppy_model.W.items():
            total[i] = total.get(i, 0.0) + s._mpisppy_probability * float(pyo.value(w))
            scale[i] = max(scale.get(i, 0.0), abs(float(pyo.value(w))))
    return all(abs(total[i]) <= tol * max(1.0, scale[i]) for i in total)
