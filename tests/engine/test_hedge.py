"""``qroad hedge`` end to end on a three-site line (engine.hedge): bad input exits 2 naming
the flag and the value; a run writes DIR/<name>-hedged/ atomically with the contract's
tables (``future`` and ``probability`` columns), commitments, regrets and the manifest's
numbers; the "Decide now" page and its chart builders read that folder.

The line A-B-C (60 km spans) with bb84 (every timeline, from 2025) and cv_qkd (from 2025
under ``early``, 2030 under ``mid``): early's own plan may use cv_qkd in 2025, which the
hedged plan cannot commit (mid has none then)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from engine.cli import app
from engine.hedge.charts import (
    commitments_display,
    commitments_map,
    regret_figure,
    regret_table,
    ruled_out,
    value_in_words,
)
from engine.hedge.store import read_hedged
from engine.results import TABLE_NAMES

runner = CliRunner()
PAGE = Path(__file__).resolve().parents[2] / "ui" / "pages" / "decide.py"
SCENARIO = Path(__file__).resolve().parents[1] / "data" / "trio.yaml"
FUTURES = ["--futures", "early:0.5,mid:0.5"]  # required: no default since --from-sweep
ARGS = [*FUTURES, "--commit-until", "2030", "--quiet"]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hedge") / "trio.yaml"
    path.write_text(SCENARIO.read_text(encoding="utf-8"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hedged(scenario: Path) -> Path:
    """The hedged folder of one ``qroad hedge`` run (shared by the tests below)."""
    out = scenario.parent / "results"
    result = runner.invoke(app, ["hedge", str(scenario), "--out", str(out), *ARGS])
    assert result.exit_code == 0, result.output
    return out / "trio-hedged"


@pytest.mark.parametrize(
    ("args", "flag", "value"),
    [
        (["--futures", "early:0.5,mid:0.4"], "--futures", "early:0.5,mid:0.4"),
        (["--futures", "early:0.5,someday:0.5"], "--futures", "someday"),
        (["--futures", "early:0.5,mid"], "--futures", "early:0.5,mid"),
        ([*FUTURES, "--commit-until", "2025"], "--commit-until", "2025"),
        ([*FUTURES, "--commit-until", "2041"], "--commit-until", "2041"),
        ([*FUTURES, "--risk", "cvar:1.5:1"], "--risk", "cvar:1.5:1"),
    ],
)
def test_bad_input_exits_2_naming_flag_and_value(scenario, tmp_path, args, flag, value):
    result = runner.invoke(app, ["hedge", str(scenario), "--out", str(tmp_path), *args])
    assert result.exit_code == 2
    assert flag in result.output and value in result.output
    assert "Traceback" not in result.output
    assert not any(tmp_path.iterdir())


def test_folder_holds_tables_with_futures_and_the_manifest(hedged: Path, scenario: Path):
    builds = pd.read_parquet(hedged / "builds.parquet")
    for name in TABLE_NAMES:
        table = pd.read_parquet(hedged / f"{name}.parquet")
        assert {"scenario", "future", "probability"} <= set(table.columns), name
        assert set(table["future"]) <= {"early", "mid"}
    assert set(builds["future"]) == {"early", "mid"}
    assert set(builds["probability"]) == {0.5}
    early, mid = (
        builds[(builds["future"] == f) & (builds["period"] == 2025)]
        .query("systems_new > 0")[["link", "systems_new"]]
        .sort_values("link")
        .values.tolist()
        for f in ("early", "mid")
    )
    assert early == mid  # the commitments are shared
    manifest, extra = read_hedged(hedged)
    commitments = extra["commitments"]
    systems = commitments[commitments["kind"] == "systems"]
    assert sorted(systems[["link", "count"]].values.tolist()) == sorted(
        [ln, float(n)] for ln, n in early
    )
    assert set(commitments["period"]) == {2025}
    for key in ("expected_cost_eur", "wait_and_see_eur", "eev_eur", "evpi_eur", "vss_eur"):
        assert manifest[key] is not None, key
    assert manifest["expected_future"] == "mid"
    assert manifest["evpi_eur"] == pytest.approx(
        manifest["expected_cost_eur"] - manifest["wait_and_see_eur"]
    )
    assert manifest["evpi_eur"] >= -1e-6 * manifest["expected_cost_eur"]
    assert manifest["vss_eur"] >= -1e-6 * manifest["expected_cost_eur"]
    assert set(manifest["regret_eur"]) == {"hedged", "early", "mid"}
    assert manifest["futures"] == {"early": 0.5, "mid": 0.5}
    assert manifest["commit_periods"] == [2025]
    assert len(extra["regrets"]) == 3 * 2
    assert not list(hedged.parent.glob(".trio-hedged.tmp-*"))


def test_an_existing_folder_is_not_overwritten(hedged: Path, scenario: Path):
    before = (hedged / "manifest.json").read_text(encoding="utf-8")
    args = ["hedge", str(scenario), "--out", str(hedged.parent), *ARGS]
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "exists" in again.output
    assert (hedged / "manifest.json").read_text(encoding="utf-8") == before


def test_chart_builders_read_the_folder(hedged: Path):
    manifest, extra = read_hedged(hedged)
    words = value_in_words(manifest)
    assert words.startswith("Knowing the timeline would save ")
    assert "planning for the average timeline (mid) would cost" in words
    table = regret_table(extra["regrets"])
    assert table["Plan"].tolist()[0] == "hedged plan"
    assert set(table["Plan"]) == {"hedged plan", "plan for early", "plan for mid"}
    hedged_row = table.iloc[0]
    assert hedged_row["Expected cost (M€)"] == pytest.approx(
        manifest["expected_cost_eur"] / 1e6, abs=1e-3
    )
    shown = commitments_display(extra["commitments"])
    assert "Technology or equipment" in shown.columns and len(shown) == len(extra["commitments"])
    tables = {n: pd.read_parquet(hedged / f"{n}.parquet") for n in TABLE_NAMES}
    out = ruled_out(tables["capacity"], tables["links"], manifest["commit_periods"])
    assert out[["period", "tech", "missing_in"]].values.tolist() == [[2025, "cv_qkd", "mid"]]
    assert isinstance(regret_figure(extra["regrets"]), go.Figure)
    assert isinstance(commitments_map(tables, "trio-hedged", 2025), go.Figure)


def test_decide_page_shows_the_hedged_plan(hedged: Path, monkeypatch):
    monkeypatch.setenv("QROAD_RESULTS_DIR", str(hedged.parent))
    at = AppTest.from_file(str(PAGE), default_timeout=60).run()
    assert not at.exception
    assert at.selectbox[0].value == "trio-hedged"
    text = " ".join(m.value for m in at.markdown)
    assert "Knowing the timeline would save" in text
    manifest = json.loads((hedged / "manifest.json").read_text(encoding="utf-8"))
    assert at.metric[0].value == f"{manifest['expected_cost_eur'] / 1e6:,.2f}"
    assert len(at.get("plotly_chart")) == 2
    assert at.dataframe[0].value["Technology or equipment"].tolist()


def test_before_the_commit_year_only_what_every_future_can_serve_is_required():
    """d1 must be served in full in early (50 bit/s) but cannot be in late (0) in 2025: no
    shared plan could serve it, so neither future requires it then; after the commit year
    each future keeps its own requirement."""
    from dataclasses import dataclass

    from engine.hedge.run import common_requirements

    @dataclass(frozen=True)
    class Data:  # the one ModelData field common_requirements reads and replaces
        demand_rates: pd.DataFrame

    def rates(floor_2025: float, floor_2030: float) -> Data:
        return Data(pd.DataFrame({
            "demand": ["d1", "d1"], "period": [2025, 2030], "key_rate_bps": [50.0, 60.0],
            "min_served_bps": [floor_2025, floor_2030],
        }))  # fmt: skip

    out, dropped = common_requirements({"early": rates(50, 60), "late": rates(0, 0)}, 2030)
    assert out["early"].demand_rates["min_served_bps"].tolist() == [0.0, 60.0]
    assert out["late"].demand_rates["min_served_bps"].tolist() == [0.0, 0.0]
    assert dropped == 50.0
