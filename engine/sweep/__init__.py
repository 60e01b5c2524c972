"""Uncertainty sweeps: many futures of one scenario solved on Dask (docs/sweeps.md).

``run_sweep`` draws the scenario's uncertain inputs (Latin hypercube, or one at a time),
solves every sample as one Dask task, records and retries failures, resumes, and writes a
sweep folder: the samples' tables as Parquet datasets partitioned by sample, plus summary
tables (adoption probability, percentiles of cost and served key by phase, tornado data).

Names are imported lazily, so ``import engine.sweep.cli`` (the ``qroad sweep`` command)
does not load Dask until a sweep runs.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "SweepOutcome": "runner",
    "plan_sweep": "runner",
    "run_sweep": "runner",
    "sweep_client": "runner",
    "sweep_name": "runner",
    "UncertainInput": "sampling",
    "latin_hypercube": "sampling",
    "one_at_a_time": "sampling",
    "uncertain_inputs": "sampling",
    "is_sweep_dir": "store",
    "read_sample_table": "store",
    "read_summary_table": "store",
    "read_sweep_meta": "store",
    "SampleResult": "task",
    "SampleTask": "task",
    "solve_sample": "task",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"engine.sweep.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'engine.sweep' has no attribute {name!r}")
