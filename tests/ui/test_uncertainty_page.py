"""The app's Uncertainty page on a hand-made sweep folder (summary tables only)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from engine.sweep.store import SWEEP_FILE, write_summary_table

PAGE = Path(__file__).resolve().parents[2] / "ui" / "pages" / "uncertainty.py"


def _sweep(folder: Path, *, tornado: bool) -> None:
    folder.mkdir(parents=True)
    meta = {"scenario": "pair", "mode": "latin_hypercube", "seed": 4, "inputs": [{}, {}]}
    (folder / SWEEP_FILE).write_text(json.dumps(meta))
    samples = pd.DataFrame(
        {"sample": [0, 1, 2], "status": ["optimal", "optimal", "failed"], "attempts": [1, 1, 2]}
    )
    q = {f"p{p:02d}": float(p) for p in (5, 10, 25, 50, 75, 90, 95)}
    percentiles = pd.DataFrame(
        [
            {"metric": m, "period": y, "phase": ph, **q, "mean": 50.0, "n": 2}
            for y in (2025, 2030)
            for m, ph in (("cumulative_discounted_cost_eur", ""), ("phase_share", "I"))
        ]
    )
    adoption = pd.DataFrame({"period": [2025, 2030], "tech": "bb84", "adoption_share": [1.0, 0.5]})
    write_summary_table(folder, "samples", samples)
    write_summary_table(folder, "percentiles", percentiles)
    write_summary_table(folder, "adoption", adoption)
    if tornado:
        row = {
            "input": "capex_x.bb84",
            "low_value": 0.5,
            "high_value": 1.5,
            "cost_low_eur": 1.0e6,
            "cost_central_eur": 2.0e6,
            "cost_high_eur": 3.0e6,
            "swing_eur": 2.0e6,
        }
        write_summary_table(folder, "tornado", pd.DataFrame([row]))
        write_summary_table(
            folder,
            "tornado_adoption",
            pd.DataFrame([{"input": "capex_x.bb84", "tech": "bb84", "year_low": 2025.0}]),
        )


def test_page_lists_sweeps_and_draws_fans_heatmap_and_tornado(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sweep(tmp_path / "pair-sweep", tornado=False)
    _sweep(tmp_path / "pair-sensitivity", tornado=True)
    (tmp_path / "pair").mkdir()  # an ordinary run folder is not a sweep
    monkeypatch.setenv("QROAD_RESULTS_DIR", str(tmp_path))
    at = AppTest.from_file(str(PAGE), default_timeout=60).run()
    assert not at.exception
    assert at.selectbox[0].options == ["pair-sensitivity", "pair-sweep"]
    assert "optimal 2, failed 1" in at.caption[0].value
    charts = [c.proto.spec for c in at.get("plotly_chart")]
    assert len(charts) == 4  # tornado, two fans, heat map
    at.selectbox[0].set_value("pair-sweep").run()
    assert len(at.get("plotly_chart")) == 3  # no tornado without one-at-a-time


def test_page_without_sweeps_says_how_to_make_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QROAD_RESULTS_DIR", str(tmp_path))
    at = AppTest.from_file(str(PAGE), default_timeout=60).run()
    assert not at.exception
    assert "qroad sweep" in at.info[0].value
