"""qroad compare's tables, on run folders written from hand-made one-row results."""

from __future__ import annotations

import math
from pathlib import Path

from engine.compare import equipment_counts, phase_shares, roadmap_table, summary_table
from engine.results import write_run


def test_summary_served_share_and_costs(tmp_path: Path, results_tables) -> None:
    """served 5 of 10 bps trusted → share 0.5; cost = the one capex row (2e5 €), no
    penalty row; 5 bps unserved in 2025 (a) and none (b)."""
    a = write_run(tmp_path, "a", results_tables(5.0), {"status": "optimal", "gap": 0.0})
    b = write_run(tmp_path, "b", results_tables(10.0), {"status": "time_limit", "gap": 0.02})
    summary = summary_table([a, b]).set_index("scenario")
    assert summary.loc["a", "served_share_trusted"] == 0.5
    assert summary.loc["b", "served_share_trusted"] == 1.0
    assert math.isnan(summary.loc["a", "served_share_partial"])
    assert summary.loc["a", "cost_eur"] == 2e5 and summary.loc["a", "unserved_penalty_eur"] == 0
    assert summary.loc["a", "objective_eur"] == 2e5
    assert summary.loc["a", "unserved_bps_last_period"] == 5.0
    assert summary.loc["b", "unserved_bps_last_period"] == 0.0
    assert summary.loc["b", "status"] == "time_limit"


def test_phase_shares_and_equipment_counts(tmp_path: Path, results_tables) -> None:
    run = write_run(tmp_path, "a", results_tables(), {})
    shares = phase_shares([run])
    assert shares[["I", "II", "III"]].values.tolist() == [[1.0, 0.0, 0.0]]
    counts = equipment_counts([run])
    assert counts.loc[0, "trusted_node"] == 1


def test_roadmap_table_by_hand(tmp_path: Path, results_tables) -> None:
    """One period: 5 bps served by phase I, one trusted node, 2e5 € discounted → 0.2 M€."""
    run = write_run(tmp_path, "a", results_tables(5.0), {})
    table = roadmap_table([run])
    row = table.iloc[0]
    assert (row["scenario"], row["period"]) == ("a", 2025)
    assert (row["served_I_bps"], row["served_II_bps"], row["served_III_bps"]) == (5.0, 0.0, 0.0)
    assert row["trusted_node"] == 1
    assert row["cost_meur_discounted"] == 0.2


def test_headline_keeps_cost_and_penalty_apart() -> None:
    """capex 100 + opex 50 - residual 30 = 120 € of cost; penalty 400 €; objective 520 €.
    Unserved: 2025 10 - 4 = 6 bps; 2030 all 8 served."""
    import pandas as pd

    from engine.results.headline import headline

    costs = pd.DataFrame(
        {
            "period": [2025, 2025, 2030, 2030],
            "category": ["capex_systems", "opex_systems", "residual_value", "unserved_penalty"],
            "eur": [100.0, 60.0, -40.0, 500.0],
            "discounted_eur": [100.0, 50.0, -30.0, 400.0],
        }
    )
    served = pd.DataFrame(
        {"period": [2025, 2030], "demand_bps": [10.0, 8.0], "served_bps": [4.0, 8.0]}
    )
    head = headline(costs, served)
    assert (head["cost_eur"], head["unserved_penalty_eur"], head["objective_eur"]) == (
        120.0, 400.0, 520.0,
    )  # fmt: skip
    assert head["unserved_bps"] == {2025: 6.0, 2030: 0.0}
