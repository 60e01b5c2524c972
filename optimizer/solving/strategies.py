"""The strategies, by name: ``STRATEGY_FUNCTIONS[options.strategy](model, data, session)``.

Names come from ``options.STRATEGIES`` (the one list, also used to validate scenarios);
this registry maps each to its function and is checked against that list on import.
"""

from __future__ import annotations

from collections.abc import Callable

import pyomo.environ as pyo

from optimizer.model_data import ModelData
from optimizer.solving.decomposed import solve_decomposed
from optimizer.solving.exact import solve_exact
from optimizer.solving.options import STRATEGIES, SolveResult
from optimizer.solving.rolling import solve_rolling
from optimizer.solving.session import Session

StrategyFunction = Callable[[pyo.ConcreteModel, ModelData, Session], SolveResult]

STRATEGY_FUNCTIONS: dict[str, StrategyFunction] = {
    "exact": solve_exact,
    "rolling": solve_rolling,
    "decomposed": solve_decomposed,
}
if tuple(STRATEGY_FUNCTIONS) != STRATEGIES:  # pragma: no cover - a programming error
    raise RuntimeError(f"strategy registry {tuple(STRATEGY_FUNCTIONS)} != {STRATEGIES}")


def solve_with(model: pyo.ConcreteModel, data: ModelData, session: Session) -> SolveResult:
    """Solve ``model`` (built from ``data``) by the session's strategy."""
    return STRATEGY_FUNCTIONS[session.options.strategy](model, data, session)
