"""qroad's optimisation model: ModelData -> Pyomo MILP -> HiGHS -> result tables.

``optimise(data, options)`` runs the three stages; each is also public:
``build_model(data)``, ``solve(model, options)``, ``extract(model, data)``. ``strategy``
picks how the built model is solved (``solve_with``): ``exact`` (the MIP, ``solve``) or
``rolling`` (period by period, ``optimizer.rolling``) or ``decomposed`` (the MIP on the
candidate links the LP relaxation uses, ``optimizer.decomposed``).
"""

from __future__ import annotations

import time

import pandas as pd
import pyomo.environ as pyo

from optimizer.build import build_model, write_model
from optimizer.decomposed import solve_decomposed
from optimizer.extract import COLUMNS, empty_tables, extract
from optimizer.model_data import ModelData, ModelDataError
from optimizer.rolling import solve_rolling
from optimizer.solve import SolveOptions, SolveResult, solve

STRATEGIES = ("exact", "rolling", "decomposed")

__all__ = [
    "COLUMNS",
    "STRATEGIES",
    "ModelData",
    "ModelDataError",
    "SolveOptions",
    "SolveResult",
    "build_model",
    "extract",
    "optimise",
    "solve",
    "solve_with",
    "write_model",
]


def solve_with(
    model: pyo.ConcreteModel, data: ModelData, options: SolveOptions, strategy: str = "exact"
) -> SolveResult:
    """Solve ``model`` (built from ``data``) by ``strategy`` (one of ``STRATEGIES``)."""
    if strategy == "exact":
        return solve(model, options)
    if strategy == "rolling":
        return solve_rolling(model, data, options)
    if strategy == "decomposed":
        return solve_decomposed(model, data, options)
    raise ValueError(f"unknown strategy {strategy!r}; allowed: {', '.join(STRATEGIES)}")


def optimise(
    data: ModelData, options: SolveOptions | None = None, strategy: str = "exact"
) -> tuple[SolveResult, dict[str, pd.DataFrame]]:
    """Build, solve and extract. Tables are empty (with their columns) without a solution."""
    options = options or SolveOptions()
    if options.progress is not None:
        options.progress({"stage": "build", "elapsed_s": 0.0})
    t0 = time.perf_counter()
    model = build_model(data, relax_integers=options.relax_integers)
    build_s = time.perf_counter() - t0
    result = solve_with(model, data, options, strategy)
    t1 = time.perf_counter()
    tables = extract(model, data) if result.has_solution else empty_tables()
    result.timings_s = {
        "build_s": round(build_s, 4),
        **result.timings_s,
        "extract_s": round(time.perf_counter() - t1, 4),
    }
    return result, tables
