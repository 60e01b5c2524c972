"""The strategies, by name: ``STRATEGY_FUNCTIONS[options.strategy](model, data, session)``.

Names come from ``options.STRATEGIES`` (the one list, also used to validate scenarios);
this registry maps each to its function and is checked against that list on import.
``auto`` chooses one of the others by the model's size (``choose_strategy``), so no
scenario has to know them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pyomo.environ as pyo

from optimizer.model_data import ModelData
from optimizer.solving.decomposed import solve_decomposed
from optimizer.solving.exact import solve_exact
from optimizer.solving.options import STRATEGIES, SolveResult
from optimizer.solving.rolling import solve_rolling
from optimizer.solving.session import Session

StrategyFunction = Callable[[pyo.ConcreteModel, ModelData, Session], SolveResult]

# ``auto``: the exact MIP up to this many integer build variables (links x periods they
# can be built in), above it ``decomposed``. Measured on this 2-core machine
# (docs/benchmarks.md): the UK Quantum Network (803) and Beijing-Shanghai (1,274) reach a
# 1 % gap by ``exact`` within 120 s; the UK backbone (9,996) gives no plan by ``exact``
# in 120 s, where ``decomposed`` does.
EXACT_MAX_BUILDS = 3000


def choose_strategy(model: pyo.ConcreteModel) -> str:
    """The strategy ``auto`` runs for ``model``: ``exact`` up to ``EXACT_MAX_BUILDS``
    integer build variables, else ``decomposed``."""
    return "exact" if len(model.sets.build_index) <= EXACT_MAX_BUILDS else "decomposed"


def solve_auto(model: pyo.ConcreteModel, data: ModelData, session: Session) -> SolveResult:
    """Run the strategy ``choose_strategy`` names, and say so in the result."""
    name = choose_strategy(model)
    chosen = replace(session, options=replace(session.options, strategy=name))
    result = STRATEGY_FUNCTIONS[name](model, data, chosen)
    builds = len(model.sets.build_index)
    result.message = f"auto: {name} ({builds:,} build variables); {result.message}"
    return result


STRATEGY_FUNCTIONS: dict[str, StrategyFunction] = {
    "auto": solve_auto,
    "exact": solve_exact,
    "rolling": solve_rolling,
    "decomposed": solve_decomposed,
}
if tuple(STRATEGY_FUNCTIONS) != STRATEGIES:  # pragma: no cover - a programming error
    raise RuntimeError(f"strategy registry {tuple(STRATEGY_FUNCTIONS)} != {STRATEGIES}")


def solve_with(model: pyo.ConcreteModel, data: ModelData, session: Session) -> SolveResult:
    """Solve ``model`` (built from ``data``) by the session's strategy; the result names the
    strategy that ran (``auto``'s choice)."""
    name = session.options.strategy
    if name == "auto":
        name = choose_strategy(model)
    result = STRATEGY_FUNCTIONS[session.options.strategy](model, data, session)
    result.strategy = name
    return result
