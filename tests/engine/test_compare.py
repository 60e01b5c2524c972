"""qroad compare's tables, on run folders written from hand-made one-row results."""

from __future__ import annotations

import math
from pathlib import Path

from engine.compare import equipment_counts, phase_shares, summary_table
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
