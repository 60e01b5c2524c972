"""Plans moved between models: hold them, copy them, and check them without a solver.

A heuristic that plans on smaller models (``rolling``: one period at a time;
``decomposed``: fewer candidate links) must carry plans from model to model and show that
its plan is a plan of the full model.

``Plan`` maps a variable's name to {index: value}. ``plan_of(model, names, period)`` reads
one; ``hold_plan(model, plan)`` adds equality rows ``held_<name>`` that keep a model's
variables at a plan's values (rows rather than ``fix()``: the exact stages fix and release
variables freely but never touch constraints; HiGHS's presolve turns the rows back into
fixed columns); ``set_plan`` writes a plan's values into a model.

``copy_plan`` writes a smaller model's plan into the full model: every
variable the smaller model also has gets its value (integers rounded), every other one 0
(a link or arc left out of the smaller model is simply not used). ``evaluate_plan`` then
computes every active constraint's body and the objective by Pyomo's own expression
evaluation: the plan is feasible when no row is violated by more than
``ABS_TOL + REL_TOL × max(1, |bound|)`` (the usual solver tolerance, 1e-6, stated in the
units of the row: bit/s, systems or EUR), and its cost is the objective's value.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyomo.environ as pyo

ABS_TOL = 1e-6
REL_TOL = 1e-9
MAX_REPORTED = 5

Plan = dict[str, dict[tuple, float]]
"""Variable name -> index -> value."""


def held_value(v: pyo.Var) -> float:
    """A solved value clipped to the variable's bounds (a solver's value may sit a
    tolerance outside them; held exactly, it would not be feasible); integers and binaries
    rounded."""
    x = v.value or 0.0
    if v.is_integer() or v.is_binary():
        x = float(round(x))
    x = max(x, v.lb) if v.lb is not None else x
    return min(x, v.ub) if v.ub is not None else x


def plan_of(model: pyo.ConcreteModel, names: tuple[str, ...], period: int) -> Plan:
    """The values of variables ``names`` in ``period`` (indices end with the period), as
    ``held_value`` reads them."""
    return {
        name: {k: held_value(v) for k, v in getattr(model, name).items() if k[-1] == period}
        for name in names
    }


def hold_plan(model: pyo.ConcreteModel, plan: Plan) -> None:
    """Hold every variable of ``plan`` at its value: rows ``held_<name>[k]``: var == value
    (indices the model lacks are skipped)."""
    for name, values in plan.items():
        var = getattr(model, name)
        held = [k for k in values if k in var]
        rule = _held_rule(var, values)
        model.add_component(f"held_{name}", pyo.Constraint(held, rule=rule))


def _held_rule(var: pyo.Var, values: dict[tuple, float]):
    return lambda _, *k: var[k] == values[k]


def held_blocks(model: pyo.ConcreteModel) -> list[pyo.Constraint]:
    """The ``held_<name>`` rows ``hold_plan`` added to ``model``."""
    return [c for c in model.component_objects(pyo.Constraint) if c.name.startswith("held_")]


def set_plan(model: pyo.ConcreteModel, plan: Plan) -> None:
    """Write the plan's values into ``model``'s variables of those names (0 where the plan
    has no value for an index)."""
    for name, values in plan.items():
        for k, v in getattr(model, name).items():
            v.set_value(values.get(k, 0.0), skip_validation=True)


@dataclass(frozen=True)
class Evaluation:
    """The objective's value at the plan (discounted EUR), how many active rows were
    checked, and the violated ones as (row name, violation in the row's units), worst
    first, at most ``MAX_REPORTED``."""

    objective: float
    rows: int
    violated: tuple[tuple[str, float], ...]

    @property
    def feasible(self) -> bool:
        return not self.violated

    def broken_rows(self) -> str:
        """``"row by excess, ..."``, worst first (for messages)."""
        return ", ".join(f"{name} by {excess:.3g}" for name, excess in self.violated)


def copy_plan(source: pyo.ConcreteModel, target: pyo.ConcreteModel) -> int:
    """Set every variable of ``target`` from the same-named, same-indexed variable of
    ``source`` (integers and binaries rounded), or to 0 where ``source`` has none (a
    variable ``target`` alone has: a left-out link, arc or commodity route); the count of
    variables set to 0 that way."""
    zeroed = 0
    for var in target.component_objects(pyo.Var, descend_into=True):
        other = source.find_component(var.name)
        for index, v in var.items():
            if other is not None and index in other:
                x = other[index].value or 0.0
                if v.is_integer() or v.is_binary():
                    x = float(round(x))
            else:
                x, zeroed = 0.0, zeroed + 1
            v.set_value(x, skip_validation=True)
    return zeroed


def evaluate_plan(model: pyo.ConcreteModel) -> Evaluation:
    """Check the values in ``model`` against every active constraint and variable bound,
    and price them by its (single active) objective."""
    worst: list[tuple[str, float]] = []
    rows = 0
    for row in model.component_data_objects(pyo.Constraint, active=True, descend_into=True):
        rows += 1
        body = pyo.value(row.body)
        for bound, sign in ((row.lower, -1.0), (row.upper, 1.0)):
            if bound is not None:
                b = pyo.value(bound)
                excess = sign * (body - b)
                if excess > ABS_TOL + REL_TOL * max(1.0, abs(b)):
                    worst.append((row.name, float(excess)))
    for v in model.component_data_objects(pyo.Var, descend_into=True):
        x = v.value or 0.0
        lb, ub = v.bounds
        excess = max((lb - x) if lb is not None else 0.0, (x - ub) if ub is not None else 0.0)
        if excess > ABS_TOL + REL_TOL * max(1.0, abs(x)):
            worst.append((v.name, float(excess)))
    objective = next(model.component_data_objects(pyo.Objective, active=True))
    worst.sort(key=lambda item: -item[1])
    return Evaluation(float(pyo.value(objective)), rows, tuple(worst[:MAX_REPORTED]))
