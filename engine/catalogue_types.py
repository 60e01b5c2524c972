"""Catalogue data types and names (re-exported by ``engine.catalogue``)."""

from __future__ import annotations

import importlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine import physics
from engine.names import EQUIPMENT, PHASES, TECHNOLOGIES  # noqa: F401 - re-exported

CATALOGUE_PATH = Path(__file__).resolve().parents[1] / "data" / "technologies.yaml"

LINK_KINDS = (
    "point_to_point",
    "free_space",
    "relay_midpoint",
    "memory_midpoint",
    "repeater_chain",
    "satellite",
)
RATE_UNITS = ("per_pulse", "per_second", "per_pass")
MILESTONES = (
    "chip_qkd_modules",
    "qkd_standardisation",
    "satellite_demos",
    "qkd_modules_telecom",
    "qkd_private_networks",
    "qkd_wireless_optical",
    "mdi_in_telecom",
    "memory_protocols_in_telecom",
    "satellite_ground_integration",
    "lab_simple_repeaters",
    "lab_qec_repeaters",
    "field_simple_repeaters",
    "field_qec_repeaters",
    "space_repeaters",
    "telecom_repeater_nodes",
)
TECH_OVERRIDE_KEYS = (
    "capex_eur",
    "opex_eur_per_year",
    "lifetime_years",
    "learning_rate_per_year",
    "available_year",
    "repetition_rate_hz",
    "max_length_km",
    "params",
)
EQUIPMENT_OVERRIDE_KEYS = ("capex_eur", "opex_eur_per_year", "lifetime_years")


@dataclass(frozen=True)
class Improvement:
    """How one physics parameter changes per year from the catalogue's base year."""

    add_per_year: float = 0.0
    multiply_per_year: float = 1.0
    max: float = math.inf
    min: float = -math.inf

    def value(self, base_value: float, years: float) -> float:
        """The parameter after ``years`` years of improvement, clipped to [min, max]."""
        years = max(0.0, years)
        raw = base_value * self.multiply_per_year**years + self.add_per_year * years
        return float(min(self.max, max(self.min, raw)))


@dataclass(frozen=True)
class Technology:
    """One catalogue technology (see data/technologies.yaml for the fields' meaning)."""

    name: str
    label: str
    phase: str
    trusted_intermediary: bool
    link_kind: str
    physics_model: str
    physics_preset: str | None
    params: dict[str, Any]
    rate_unit: str
    milestone: str
    available_since: int | None
    repetition_rate_hz: float
    passes_per_day: float
    clear_sky_probability: float
    end_equipment: tuple[str, ...]
    midpoint_equipment: str
    intermediate_equipment: str
    capex_eur: float
    opex_eur_per_year: float
    lifetime_years: float
    learning_rate_per_year: float
    max_length_km: float
    improvements: dict[str, Improvement]
    sources: dict[str, str]

    def base_params(self) -> dict[str, Any]:
        """Preset params (if any) updated by the inline catalogue params."""
        out = physics.preset(self.physics_preset) if self.physics_preset else {}
        out.update(self.params)
        return {k: _as_number(v) for k, v in out.items()}


_FLOAT_RE = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
_PHYSICS_MODULES = ("bb84", "cv", "mdi", "twin_field", "memory", "repeater", "satellite")


def _as_number(value: Any) -> Any:
    """``'1.0e4'`` (how PyYAML reads 1.0e4) as a float; anything else unchanged."""
    if isinstance(value, str) and _FLOAT_RE.match(value.strip()):
        return float(value)
    return value


def physics_function(name: str) -> Any:
    """The engine.physics rate function called ``name`` (package or its modules), or None."""
    fn = getattr(physics, name, None)
    for module in _PHYSICS_MODULES:
        if callable(fn):
            break
        fn = getattr(importlib.import_module(f"engine.physics.{module}"), name, None)
    return fn if callable(fn) else None


@dataclass(frozen=True)
class Equipment:
    """One kind of site equipment: cost per site, lifetime, source notes."""

    name: str
    label: str
    capex_eur: float
    opex_eur_per_year: float
    lifetime_years: float
    sources: dict[str, str]


@dataclass(frozen=True)
class Catalogue:
    """The validated catalogue: technologies and equipment by name."""

    base_year: int
    cost_unit_eur: float
    technologies: dict[str, Technology]
    equipment: dict[str, Equipment]
    path: str = field(default="")
