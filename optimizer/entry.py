"""``optimise``: the one public entry, ModelData -> (SolveResult, result tables).

Stages kept apart (as PyPSA's ``optimize`` does): ``build_model`` (``optimizer.build``),
the strategy the options name (``optimizer.solving.strategies``), ``cancel_cycles``
(``optimizer.flow_cleanup``: circulations removed from the plan's flows, cost unchanged)
and ``extract`` (``optimizer.extract``). The pipeline, the CLI, sweeps, the app, the
benchmarks and the tests all come through here.
"""

from __future__ import annotations

import time

import pandas as pd

from optimizer.build import build_model, write_model
from optimizer.extract import empty_tables, extract
from optimizer.flow_cleanup import cancel_cycles
from optimizer.model_data import ModelData
from optimizer.solving.highs_run import HighsRun
from optimizer.solving.lexicographic import solve_lexicographic
from optimizer.solving.options import Progress, SolveOptions, SolveResult
from optimizer.solving.session import Session
from optimizer.solving.strategies import solve_with


def optimise(
    data: ModelData,
    options: SolveOptions | None = None,
    progress: Progress | None = None,
    *,
    runner: type[HighsRun] = HighsRun,
) -> tuple[SolveResult, dict[str, pd.DataFrame]]:
    """Build, solve by ``options.strategy`` and extract. Tables are empty (with their
    columns) without a plan. ``progress`` receives the stages' events (``build`` first);
    ``runner`` is the class that runs HiGHS (a test may pass a stand-in with
    ``HighsRun``'s interface). ``result.timings_s`` gains ``build_s``, ``write_model_s``
    (with ``options.model_path``) and ``extract_s``."""
    options = options or SolveOptions()
    if progress is not None:
        progress({"stage": "build", "elapsed_s": 0.0})
    t0 = time.perf_counter()
    model = build_model(data, relax_integers=options.relax_integers)
    timings = {"build_s": round(time.perf_counter() - t0, 4)}
    if options.model_path is not None:
        t0 = time.perf_counter()
        write_model(model, options.model_path)
        timings["write_model_s"] = round(time.perf_counter() - t0, 4)
    session = Session(options, progress, runner)
    if data.objective == "served":
        if options.strategy not in ("auto", "exact"):
            raise ValueError("the served objective is solved by the exact strategy only")
        result = solve_lexicographic(model, data, session)
        result.strategy = "exact"
    else:
        result = solve_with(model, data, session)
    t0 = time.perf_counter()
    if result.has_solution:
        cycles = cancel_cycles(model)
        if cycles:
            result.message += f"; {cycles} flow cycles cancelled (cost unchanged)"
    tables = extract(model, data) if result.has_solution else empty_tables()
    result.timings_s = {**timings, **result.timings_s,
                        "extract_s": round(time.perf_counter() - t0, 4)}  # fmt: skip
    return result, tables
