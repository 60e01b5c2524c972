"""The app's Uncertainty page on a hand-made sweep folder (summary tables only)."""

from __future__ import annotations

import json
import types
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


def test_fans_warn_when_samples_are_too_few(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two finished samples per metric are too few for both bands the fans draw."""
    from engine.charts_uncertainty import band_warnings

    assert band_warnings(20) == [] and len(band_warnings(4)) == 1 and len(band_warnings(2)) == 2
    _sweep(tmp_path / "pair-sweep", tornado=False)
    monkeypatch.setenv("QROAD_RESULTS_DIR", str(tmp_path))
    at = AppTest.from_file(str(PAGE), default_timeout=60).run()
    warnings = [w.value for w in at.warning]
    assert warnings[:2] == band_warnings(2)
    assert "the 5–95 % band needs at least 20" in warnings[0]


def test_start_a_sweep_on_the_cli_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scenarios_env: Path
) -> None:
    """The page starts a sweep of uk-sweep.yaml through ui.sweep_jobs.run_on_dask (the CLI's
    Dask path, stood in for here) with the samples, workers and time limit asked, and
    warns before starting that 8 samples are too few for the 5–95 % band."""
    from ui import sweep_jobs

    calls = []

    def fake_run(scenario, job, *, out_dir, samples, one_at_a_time, workers, scheduler=None):
        calls.append((scenario.name, scenario.solver.time_limit_s, samples, workers, out_dir))
        for i in range(samples):
            job.progress(
                i + 1, samples, types.SimpleNamespace(sample=i, status="optimal", elapsed_s=0.1)
            )
        return "outcome"

    monkeypatch.setattr(sweep_jobs, "run_on_dask", fake_run)
    monkeypatch.setenv("QROAD_RESULTS_DIR", str(tmp_path))
    at = AppTest.from_file(str(PAGE), default_timeout=60).run()
    assert at.selectbox[0].value == "uk-sweep.yaml"
    at.number_input[0].set_value(8).run()
    assert any("5–95 % band needs at least 20" in w.value for w in at.warning)
    at.button[0].click().run()
    job = at.session_state["sweeps"][0]
    assert job.future.result(timeout=30) == "outcome"
    assert calls == [("uk-sweep", 60.0, 8, 2, tmp_path)]
    at.run()
    table = at.dataframe[0].value
    assert table.loc[0, "Samples finished"] == 8 and table.loc[0, "Statuses"] == "optimal 8"
