"""``build_model``: ModelData -> Pyomo model, as a short sequence of ``add_*`` steps."""

from __future__ import annotations

from pathlib import Path

import pyomo.environ as pyo

from optimizer import constraints as con
from optimizer.gc_pause import gc_paused
from optimizer.model_data import ModelData
from optimizer.objective import add_cost_expressions, add_objective, add_served_objective
from optimizer.sets import build_sets
from optimizer.variables import (
    add_build_variables,
    add_carry_variables,
    add_direct_variables,
    add_flow_variables,
    add_installed_expressions,
    add_served_variables,
    add_site_variables,
)


def build_model(data: ModelData, *, relax_integers: bool = False) -> pyo.ConcreteModel:
    """Build the roadmap model. ``relax_integers`` makes system counts continuous (site
    equipment stays binary). The derived sets are kept as ``model.sets``."""
    with gc_paused():
        return _build(data, relax_integers)


def _build(data: ModelData, relax_integers: bool) -> pyo.ConcreteModel:
    s = build_sets(data)
    m = pyo.ConcreteModel(name="qroad")
    m.sets = s
    add_build_variables(m, s, relax_integers)
    add_installed_expressions(m, s)
    add_site_variables(m, s)
    add_flow_variables(m, s)
    add_carry_variables(m, s)
    add_direct_variables(m, s)
    add_served_variables(m, s)
    served_first = data.objective == "served"  # then the penalty plays no part
    add_cost_expressions(
        m, s, 0.0 if served_first else float(data.unserved_penalty_eur_per_bps_year)
    )
    con.add_capacity_constraints(m, s, integer_counts=not relax_integers)
    con.add_installed_limit(m, s)
    con.add_equipment_constraints(m, s)
    con.add_equipment_monotonicity(m, s)
    con.add_equipment_availability(m, s)
    con.add_conservation_constraints(m, s)
    con.add_corridor_constraints(m, s)
    con.add_relay_constraints(m, s)
    con.add_direct_constraints(m, s)
    con.add_share_constraints(m, s)
    con.add_budget_constraints(m, s)
    con.add_span_constraints(m, s)
    if not relax_integers:
        con.add_strong_linking_constraints(m, s)
    add_objective(m, s)
    if served_first:
        add_served_objective(m, s)
    return m


def write_model(model: pyo.ConcreteModel, path: str | Path) -> Path:
    """Write the model as ``.lp`` or ``.mps`` (by suffix) with readable names."""
    path = Path(path)
    fmt = {".lp": "lp", ".mps": "mps"}.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"write_model: {path} must end in .lp or .mps")
    model.write(str(path), format=fmt, io_options={"symbolic_solver_labels": True})
    return path
