"""Constraint families, one module per topic; each ``add_*`` builds one family."""

from optimizer.constraints.capacity import (
    add_capacity_constraints,
    add_equipment_availability,
    add_equipment_constraints,
    add_equipment_monotonicity,
    add_installed_limit,
)
from optimizer.constraints.flows import (
    add_conservation_constraints,
    add_corridor_constraints,
    add_direct_constraints,
    add_relay_constraints,
    add_share_constraints,
)
from optimizer.constraints.limits import add_budget_constraints, add_span_constraints
from optimizer.constraints.linking import add_strong_linking_constraints

__all__ = [
    "add_budget_constraints",
    "add_capacity_constraints",
    "add_conservation_constraints",
    "add_corridor_constraints",
    "add_direct_constraints",
    "add_equipment_availability",
    "add_equipment_constraints",
    "add_equipment_monotonicity",
    "add_installed_limit",
    "add_relay_constraints",
    "add_share_constraints",
    "add_span_constraints",
    "add_strong_linking_constraints",
]
