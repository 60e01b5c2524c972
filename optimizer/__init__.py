"""qroad's optimisation model: ModelData -> Pyomo MILP -> HiGHS -> result tables.

``optimise(data, options, progress=None)`` is the one public entry: build, solve by the
options' strategy, extract (``optimizer.entry``). Its stages are public for tests and tools:
``build_model(data)`` (``optimizer.build``), the strategies (``optimizer.solving``) and
``extract(model, data)`` (``optimizer.extract``).

The options and results (``SolveOptions``, ``SolveResult``, ``STRATEGIES``) and the fixed
names (``optimizer.names``) load without pandas, Pyomo or HiGHS; ``ModelData`` and the
functions that need a solver are imported on first use (PEP 562), so that checking a
scenario file does not pay for loading them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from optimizer.solving.budget import TimeBudget
from optimizer.solving.options import STRATEGIES, SolveOptions, SolveResult, has_plan

if TYPE_CHECKING:  # for type checkers and readers; at run time, ``__getattr__`` below
    from optimizer.build import build_model, write_model
    from optimizer.entry import optimise
    from optimizer.extract import empty_tables, extract
    from optimizer.model_data import ModelData, ModelDataError

_LAZY = {
    "ModelData": "optimizer.model_data",
    "ModelDataError": "optimizer.model_data",
    "build_model": "optimizer.build",
    "write_model": "optimizer.build",
    "optimise": "optimizer.entry",
    "extract": "optimizer.extract",
    "empty_tables": "optimizer.extract",
}

__all__ = [
    "STRATEGIES",
    "ModelData",
    "ModelDataError",
    "SolveOptions",
    "SolveResult",
    "TimeBudget",
    "build_model",
    "empty_tables",
    "extract",
    "has_plan",
    "optimise",
    "write_model",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'optimizer' has no attribute {name!r}")
