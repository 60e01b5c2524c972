"""qroad's optimisation model: ModelData -> Pyomo MILP -> HiGHS -> result tables.

``optimise(data, options)`` runs the three stages; each is also public:
``build_model(data)``, ``solve(model, options)``, ``extract(model, data)``.
"""

from __future__ import annotations

import time

import pandas as pd

from optimizer.build import build_model, write_model
from optimizer.extract import COLUMNS, empty_tables, extract
from optimizer.model_data import ModelData, ModelDataError
from optimizer.solve import SolveOptions, SolveResult, solve

__all__ = [
    "COLUMNS",
    "ModelData",
    "ModelDataError",
    "SolveOptions",
    "SolveResult",
    "build_model",
    "extract",
    "optimise",
    "solve",
    "write_model",
]


def optimise(
    data: ModelData, options: SolveOptions | None = None
) -> tuple[SolveResult, dict[str, pd.DataFrame]]:
    """Build, solve and extract. Tables are empty (with their columns) without a solution."""
    options = options or SolveOptions()
    if options.progress is not None:
        options.progress({"stage": "build", "elapsed_s": 0.0})
    t0 = time.perf_counter()
    model = build_model(data, relax_integers=options.relax_integers)
    build_s = time.perf_counter() - t0
    result = solve(model, options)
    t1 = time.perf_counter()
    tables = extract(model, data) if result.has_solution else empty_tables()
    result.timings_s = {
        "build_s": round(build_s, 4),
        **result.timings_s,
        "extract_s": round(time.perf_counter() - t1, 4),
    }
    return result, tables
