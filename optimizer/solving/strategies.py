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

# ``auto``: the exact MIP up to this many variables (builds, key flows, direct service,
# site equipment; ``model_columns``), above it ``decomposed``. Bundled scenarios
# (docs/benchmarks.md, run F): the UK Quantum Network (4,300) reaches 1 % in 40 s;
# the UK backbone (76,000) and Nobel-EU (102,000, with its span huts) get their plan from
# the rounded LP (within 16 % of the LP bound at 600 s), where ``decomposed`` finds none
# (its LP share runs out and the route selection keeps every link); Europe (185,000) and
# Germany50 (207,000) above.
EXACT_MAX_COLUMNS = 150_000


def model_columns(model: pyo.ConcreteModel) -> int:
    """The model's variables, counted from its sets (no solver needed)."""
    s = model.sets
    return (
        len(s.build_index)
        + len(s.flow_index)
        + len(s.direct_index)
        + len(s.site_keys) * len(s.periods)
    )


def choose_strategy(model: pyo.ConcreteModel) -> str:
    """The strategy ``auto`` runs for ``model``: ``exact`` up to ``EXACT_MAX_COLUMNS``
    variables, else ``decomposed``."""
    return "exact" if model_columns(model) <= EXACT_MAX_COLUMNS else "decomposed"


def solve_auto(model: pyo.ConcreteModel, data: ModelData, session: Session) -> SolveResult:
    """Run the strategy ``choose_strategy`` names, and say so in the result."""
    name = choose_strategy(model)
    chosen = replace(session, options=replace(session.options, strategy=name))
    result = solve_with(model, data, chosen)
    result.message = f"auto: {name} ({model_columns(model):,} variables); {result.message}"
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
    strategy that ran (``auto``'s choice, set by the run it delegates to)."""
    result = STRATEGY_FUNCTIONS[session.options.strategy](model, data, session)
    result.strategy = result.strategy or session.options.strategy
    return result
