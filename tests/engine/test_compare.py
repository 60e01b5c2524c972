"""qroad compare's tables, on run folders written from hand-made one-row results."""

from __future__ import annotations

import math
from pathlib import Path

from engine.compare import equipment_counts, phase_shares, roadmap_table, summary_table
from engine.results import write_run


def test_summary_served_share_and_costs(tmp_path: Path, results_tables) -> None:
    """served 5 of 10 bps trusted → share 0.5; cost = the one capex row (2e5 €)."""
    a = write_run(tmp_path, "a", results_tables(5.0), {"status": "optimal", "gap": 0.0})
    b = write_run(tmp_path, "b", results_tables(10.0), {"status": "time_limit", "gap": 0.02})
    summary = summary_table([a, b]).set_index("scenario")
    assert summary.loc["a", "served_share_trusted"] == 0.5
    assert summary.loc["b", "served_share_trusted"] == 1.0
    assert math.isnan(summary.loc["a", "served_share_partial"])
    assert summary.loc["a", "discounted_cost_eur"] == 2e5
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
