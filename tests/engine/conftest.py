"""Shared fixtures and factories for engine tests."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest


def _results_tables(served_bps: float = 5.0) -> dict[str, pd.DataFrame]:
    """One row per table, with every contract column (types as the schema wants)."""
    rows: dict[str, dict] = {
        "sites": {"site": "A", "name": "Alpha", "lon": 0.1, "lat": 51.5},
        "links": {
            "link": "L1",
            "tech": "bb84",
            "phase": "I",
            "site_a": "A",
            "site_b": "B",
            "length_km": 50.0,
            "route": "A>B",
            "relay_site": "",
        },
        "capacity": {"period": 2025, "link": "L1", "key_rate_per_system_bps": 1e4},
        "builds": {
            "period": 2025,
            "link": "L1",
            "tech": "bb84",
            "systems_new": 2,
            "systems_installed": 2,
            "capex_eur": 2e5,
            "key_rate_per_system_bps": 1e4,
            "capacity_bps": 2e4,
        },
        "equipment": {
            "period": 2025,
            "site": "A",
            "equipment": "trusted_node",
            "installed": True,
            "new": True,
        },
        "served": {
            "period": 2025,
            "demand": "D1",
            "site_a": "A",
            "site_b": "B",
            "trust": "trusted",
            "customer": "",
            "demand_bps": 10.0,
            "served_bps": served_bps,
        },
        "flows": {"period": 2025, "link": "L1", "trust": "trusted", "key_flow_bps": 5.0},
        "costs": {"period": 2025, "category": "capex_systems", "eur": 2e5, "discounted_eur": 2e5},
        "phases": {"period": 2025, "phase": "I", "served_bps": served_bps, "share": 1.0},
    }
    return {name: pd.DataFrame([row]) for name, row in rows.items()}


@pytest.fixture
def results_tables() -> Callable[..., dict[str, pd.DataFrame]]:
    """Factory of one-row results tables with every contract column."""
    return _results_tables
