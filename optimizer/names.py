"""The optimizer's fixed names (DESIGN.md): trust classes, site equipment, phases, link
usages, cost categories. A leaf module (no pandas, no Pyomo), so scenario checks can use
the names without loading either; ``optimizer.model_data`` validates its tables against
them."""

from __future__ import annotations

TRUST_CLASSES: tuple[str, ...] = ("trusted", "partial", "trust_free")
EQUIPMENT: tuple[str, ...] = (
    "trusted_node",
    "relay",
    "memory_station",
    "repeater_node",
    "ground_station",
)
PHASES: tuple[str, ...] = ("I", "II", "III")
LINK_USAGES: tuple[str, ...] = ("relay", "direct")
COST_CATEGORIES: tuple[str, ...] = (
    "capex_systems",
    "capex_equipment",
    "opex_systems",
    "opex_equipment",
    "unserved_penalty",
    "residual_value",
)
"""Categories of the ``costs`` table; ``residual_value`` (<= 0) only in the last period,
discounted from the horizon's end."""
