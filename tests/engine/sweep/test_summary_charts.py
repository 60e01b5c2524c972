"""Sweep summaries and uncertainty charts on small hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from engine.charts_uncertainty import adoption_heatmap, fan_chart, tornado_chart
from engine.sweep.summary import adoption_table, adoption_years, percentile_table, tornado_tables


def _builds() -> pd.DataFrame:
    # sample 0: bb84 from 2025, mdi from 2030; sample 1: bb84 only; sample 2: mdi from 2025
    rows = [
        (0, 2025, "bb84", 1), (0, 2030, "bb84", 1), (0, 2030, "mdi", 2),
        (1, 2025, "bb84", 1), (1, 2030, "bb84", 0),
        (2, 2025, "mdi", 1), (2, 2030, "mdi", 1),
        (3, 2025, "tf", 5),  # sample 3 has no plan: it must not count
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["sample", "period", "tech", "systems_installed"])


def test_adoption_share_counts_solved_samples_with_systems_installed() -> None:
    table = adoption_table(_builds(), [0, 1, 2], [2025, 2030], ["bb84", "mdi", "tf"])
    share = table.set_index(["period", "tech"])["adoption_share"]
    assert share[(2025, "bb84")] == pytest.approx(2 / 3)
    assert share[(2030, "bb84")] == pytest.approx(1 / 3)  # sample 1 retired it
    assert share[(2030, "mdi")] == pytest.approx(2 / 3)
    assert share[(2025, "tf")] == 0.0
    assert (table["samples_solved"] == 3).all() and len(table) == 6


def test_adoption_years_first_period_or_nan() -> None:
    years = adoption_years(_builds(), [0, 1, 2], ["bb84", "mdi"]).set_index(["sample", "tech"])
    assert years.loc[(0, "mdi"), "adoption_year"] == 2030
    assert years.loc[(2, "mdi"), "adoption_year"] == 2025
    assert np.isnan(years.loc[(2, "bb84"), "adoption_year"])


def test_percentiles_of_cost_and_phase_share() -> None:
    costs = pd.DataFrame(
        {
            "sample": [0, 0, 1, 1, 2, 2],
            "period": [2025, 2030] * 3,
            "category": "capex_systems",
            "discounted_eur": [1.0, 2.0, 3.0, 4.0, 100.0, 100.0],
        }
    )
    phases = pd.DataFrame(
        {"sample": [0, 1], "period": 2025, "phase": "I", "served_bps": [10.0, 30.0], "share": 1.0}
    )
    table = percentile_table(costs, phases, [0, 1]).set_index(["metric", "period", "phase"])
    cum = table.loc[("cumulative_discounted_cost_eur", 2030, "")]
    assert cum["p50"] == pytest.approx(5.0) and cum["n"] == 2  # sample 2 not solved
    assert cum["p05"] == pytest.approx(3.0 + 0.05 * 4.0)
    served = table.loc[("served_bps", 2025, "I")]
    assert served["mean"] == pytest.approx(20.0)
    # a penalty is not money: the cost percentiles leave it out
    penalty = pd.DataFrame(
        {"sample": [0], "period": [2030], "category": "unserved_penalty", "discounted_eur": 50.0}
    )
    with_penalty = percentile_table(pd.concat([costs, penalty]), phases, [0, 1])
    again = with_penalty.set_index(["metric", "period", "phase"])
    assert again.loc[("cumulative_discounted_cost_eur", 2030, ""), "p50"] == pytest.approx(5.0)


def _oat_samples() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sample": [0, 1, 2, 3, 4],
            "oat_input": ["", "capex_x.mdi", "capex_x.mdi", "year.x", "year.x"],
            "oat_level": ["center", "low", "high", "low", "high"],
            "capex_x.mdi": [1.0, 0.5, 2.0, 1.0, 1.0],
            "year.x": [2030, 2030, 2030, 2026, 2035],
            "objective_eur": [100.0, 90.0, 130.0, 98.0, 101.0],
        }
    )


def test_tornado_orders_inputs_by_swing_and_reports_adoption_years() -> None:
    years = pd.DataFrame(
        {
            "sample": [0, 1, 2, 3, 4],
            "tech": "mdi",
            "adoption_year": [2030.0, 2025.0, np.nan, 2030.0, 2030.0],
        }
    )
    tornado, adoption = tornado_tables(_oat_samples(), years)
    assert tornado["input"].tolist() == ["capex_x.mdi", "year.x"]
    first = tornado.iloc[0]
    assert (first["delta_low_eur"], first["delta_high_eur"], first["swing_eur"]) == (-10, 30, 40)
    assert (first["low_value"], first["high_value"]) == (0.5, 2.0)
    row = adoption.set_index("input").loc["capex_x.mdi"]
    assert (row["year_low"], row["year_central"]) == (2025.0, 2030.0)
    assert np.isnan(row["year_high"])  # too dear: never adopted


def test_fan_chart_draws_bands_and_median_per_phase() -> None:
    rows = []
    for phase in ("I", "II"):
        for period in (2025, 2030):
            q = {f"p{p:02d}": 0.1 * p for p in (5, 10, 25, 50, 75, 90, 95)}
            rows.append({"metric": "phase_share", "period": period, "phase": phase, **q})
    fig = fan_chart(pd.DataFrame(rows), "phase_share")
    assert len(fig.data) == 6  # two bands + median per phase
    median = next(t for t in fig.data if t.name == "phase II median")
    assert list(median.y) == pytest.approx([500.0, 500.0])  # p50 = 5.0 -> 500 %
    assert "%" in fig.layout.yaxis.title.text and "year" in fig.layout.xaxis.title.text
    with pytest.raises(KeyError):
        fan_chart(pd.DataFrame(rows), "nonsense")


def test_heatmap_and_tornado_figures() -> None:
    adoption = adoption_table(_builds(), [0, 1, 2], [2025, 2030], ["bb84", "mdi"])
    heat = adoption_heatmap(adoption)
    assert list(heat.data[0].y) == ["bb84", "mdi"] and list(heat.data[0].x) == ["2025", "2030"]
    assert heat.data[0].z[1][1] == pytest.approx(200 / 3)  # mdi in 2030, percent
    tornado, _ = tornado_tables(_oat_samples(), pd.DataFrame(columns=["sample", "tech"]))
    fig = tornado_chart(tornado)
    assert [t.name for t in fig.data] == ["input at its low end", "input at its high end"]
    assert list(fig.data[1].y) == ["year.x", "capex_x.mdi"]  # largest swing on top
    assert list(fig.data[1].x) == pytest.approx([1e-6, 30e-6])
