"""Scenario files: typed models, loading with inheritance and overrides, roadmap timelines.

Override order and merge rules: engine.scenario.loader (module docstring)."""

from engine.scenario.common import great_circle_km, resolve_data_path
from engine.scenario.loader import (
    apply_override,
    deep_merge,
    load_scenario,
    load_scenarios,
    read_yaml_mapping,
    resolve_extends,
    validate_file,
)
from engine.scenario.models import Scenario
from engine.scenario.network_model import Network
from engine.scenario.timeline import (
    Milestone,
    Roadmap,
    load_roadmap,
    milestone_years,
    period_containing,
    periods,
)

__all__ = [
    "Milestone",
    "Network",
    "Roadmap",
    "Scenario",
    "apply_override",
    "deep_merge",
    "great_circle_km",
    "load_roadmap",
    "load_scenario",
    "load_scenarios",
    "milestone_years",
    "period_containing",
    "periods",
    "read_yaml_mapping",
    "resolve_data_path",
    "resolve_extends",
    "validate_file",
]
