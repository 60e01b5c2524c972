"""engine.prepare's periods table: how each period's costs are discounted."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.prepare import periods_table
from engine.scenario import load_scenario

TINY = Path(__file__).resolve().parents[2] / "scenarios" / "tiny.yaml"


def test_each_year_is_discounted_at_its_own_factor() -> None:
    """5 % a year, 5-year periods from 2025: the 2025 period's years weigh
    1 + 1/1.05 + 1/1.05^2 + 1/1.05^3 + 1/1.05^4 = 4.5460 (not 5: opex and penalty were
    about 10 % too heavy when a whole period was discounted at its first year); the 2030
    period's start at 1/1.05^5 = 0.7835 and its years 0.7835 x 4.5460 = 3.5619; the
    horizon's end (2045 for four periods) at 1/1.05^20 = 0.3769."""
    scenario = load_scenario(
        TINY,
        overrides=[
            "economics.discount_rate=0.05",
            "horizon.start_year=2025",
            "horizon.end_year=2045",
            "horizon.period_years=5",
        ],
    )
    per = periods_table(scenario).set_index("period")
    assert per.index.tolist() == [2025, 2030, 2035, 2040]
    assert per.loc[2025, "discounted_years"] == pytest.approx(4.545951, abs=1e-6)
    assert per.loc[2030, "discount_factor"] == pytest.approx(0.783526, abs=1e-6)
    assert per.loc[2030, "discounted_years"] == pytest.approx(0.783526 * 4.545951, abs=1e-5)
    assert per.loc[2040, "end_discount_factor"] == pytest.approx(1.05**-20)
    assert per.loc[2025, "end_discount_factor"] == per.loc[2030, "discount_factor"]
