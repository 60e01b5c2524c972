"""AppTest drives the app's pages against hand-made results folders and asserts what they show."""

from __future__ import annotations

import io
import shutil
import sys
import threading
import time
import types
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine.catalogue_rates import catalogue_rates_table

UI = Path(__file__).resolve().parents[2] / "ui"
TIMEOUT_S = 60


def test_compare_page_shows_summary_and_charts(page, figures, app_env: Path) -> None:
    at = page("compare").run()
    assert not at.exception
    assert at.multiselect[0].value == ["toy-early", "toy-late"]
    # per run: cost 2e5 + 2.5e5 + 0.8e5 € discounted = 0.53 M€, no penalty; unserved key in
    # 2030: D2 asks 10 bit/s and gets 4 → 6 bit/s
    assert [m.value for m in at.metric] == ["0.53", "0.00", "6"] * 2
    table = at.dataframe[0].value.set_index("Scenario")
    assert table.loc["toy-late", "Served partial (%)"] == 20.0  # 4 of 20 bit/s
    assert table.loc["toy-early", "Served partial (%)"] == 40.0
    assert table.loc["toy-early", "Gap (%)"] == 0.4
    # the inputs that differ between the two runs: their description and timeline only
    differ = at.dataframe[1].value.set_index("Setting")
    assert differ.index.tolist() == ["description", "timeline"]
    assert differ.loc["timeline"].tolist() == ["early", "late"]
    assert [s.value for s in at.subheader] == [
        "Inputs that differ between these runs",
        "Key served by phase",
        "Served share by trust class",
        "Installed equipment",
        "Cumulative discounted cost",
        "Technology adoption",
        "Roadmap timeline",
    ]
    figs = figures(at)
    assert figs[0]["layout"]["yaxis"]["title"]["text"] == "Served key (bit/s)"
    adoption = {t["name"]: dict(zip(t["customdata"], t["x"], strict=True)) for t in figs[4]["data"]}
    assert adoption == {
        "toy-early": {"bb84": 2025, "mdi": 2025},
        "toy-late": {"bb84": 2025, "mdi": 2030},
    }
    assert [t["name"] for t in figs[5]["data"]][:2] == ["milestones: early", "milestones: late"]

    at.multiselect[0].set_value(["toy-late"]).run()
    assert [m.value for m in at.metric] == ["0.53", "0.00", "6"]
    assert at.dataframe[0].value["Scenario"].tolist() == ["toy-late"]


def test_compare_page_without_runs_says_where_it_looked(page, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("QROAD_RESULTS_DIR", str(tmp_path / "none"))
    at = page("compare").run()
    assert "No finished runs" in at.info[0].value and str(tmp_path / "none") in at.info[0].value


def _link_names(fig: dict) -> list[str]:
    """Names of the map's link traces (lines with hover text; not the coast, not halos)."""
    return [t["name"] for t in fig["data"] if t["mode"] == "lines" and t.get("hoverinfo") == "text"]


def test_map_page_period_slider_grows_network(page, figures, app_env: Path) -> None:
    at = page("map").run()
    assert not at.exception
    at.selectbox[0].set_value("toy-late").run()
    assert at.select_slider[0].value == 2030
    assert [m.value for m in at.metric] == ["2", "3", "2"]
    fig = figures(at)[0]
    assert _link_names(fig) == ["bb84", "mdi"]
    assert fig["layout"]["xaxis"]["title"]["text"] == "Longitude (°)"
    built = at.dataframe[0].value
    assert built.values.tolist() == [["link systems", "mdi", 1], ["site equipment", "relay", 1]]
    flows = at.dataframe[1].value.set_index("link")
    assert flows.loc["L2", "Key flow (bit/s)"] == 4.0

    at.select_slider[0].set_value(2025).run()
    assert [m.value for m in at.metric] == ["1", "2", "2"]
    fig = figures(at)[0]
    assert _link_names(fig) == ["bb84"]

    at.radio[0].set_value("phase").run()
    fig = figures(at)[0]
    assert _link_names(fig) == ["I"]


def test_physics_page_shows_rates_and_plob(page, figures) -> None:
    """The page draws the catalogue technologies as the optimiser sees them (the mid timeline
    in 2030 by default), each labelled with its clock, beside the PLOB bound at that clock;
    its summary equals engine.catalogue_rates' table, itself the engine's rate per system."""
    at = page("physics").run()
    assert not at.exception
    assert at.selectbox[0].value == "mid" and at.slider[0].value == 2030
    at.multiselect[0].set_value(["bb84", "tf"]).run()
    at.slider[1].set_value((0, 300)).run()
    fig = figures(at)[0]
    assert [t["name"] for t in fig["data"]] == ["bb84 @ 1 GHz", "tf @ 1 GHz", "PLOB bound @ 1 GHz"]
    assert fig["layout"]["yaxis"]["type"] == "log"
    assert fig["layout"]["yaxis"]["title"]["text"] == "Secret key rate (bit/s)"
    expected = catalogue_rates_table(
        np.arange(0.0, 302.5, 5.0), timeline="mid", year=2030, techs=["bb84", "tf"]
    )
    summary = at.dataframe[0].value.set_index("Technology")
    bb84 = expected[expected["tech"] == "bb84"]
    reach = bb84.loc[bb84["key_rate_bps"] > 0, "length_km"].max()
    assert summary.loc["bb84", "Reach (km)"] == reach
    assert summary.loc["bb84", "Key rate at 0 km (bit/s)"] == pytest.approx(
        bb84["key_rate_bps"].iloc[0]
    )
    assert summary.loc["bb84", "Max length (km)"] == 300.0
    assert max(fig["data"][0]["x"]) == reach
    # bits per channel use: one bound for all
    at.checkbox[0].check().run()
    fig = figures(at)[0]
    assert [t["name"] for t in fig["data"]][-1] == "PLOB bound per channel use"


def test_physics_page_presets_default_to_the_marked_ones(page, figures) -> None:
    at = page("physics").run()
    at.multiselect[1].set_value(["cv_qkd", "repeater_chain"]).run()
    assert not at.exception
    assert [s.value for s in at.selectbox[1:]] == [
        "cv_lodewyck_2007",
        "repeater_sangouard_multimode",
    ]
    names = [t["name"] for t in figures(at)[1]["data"]]
    assert "PLOB bound @ 500 kHz" in names and "PLOB bound @ 1 MHz" in names


def test_download_page_offers_zip_of_run(page, app_env: Path) -> None:
    at = page("download").run()
    assert not at.exception
    at.selectbox[0].set_value("toy-late").run()
    files = at.dataframe[0].value["File"].tolist()
    assert "toy-late/scenario.yaml" in files and "toy-late/builds.parquet" in files
    assert len(files) == 11
    button = at.get("download_button")[0].proto
    assert button.label == "Download toy-late.zip"
    from engine.report import run_zip_bytes

    data = run_zip_bytes(app_env / "toy-late")
    assert at.metric[0].value == f"{len(data) / 1024:.1f}"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert sorted(zf.namelist()) == sorted(files)


def test_app_navigation_opens_compare_first(app_env: Path) -> None:
    at = AppTest.from_file(str(UI / "app.py"), default_timeout=TIMEOUT_S).run()
    assert not at.exception
    assert at.title[0].value == "Compare runs"
    at.switch_page(str(UI / "pages" / "download.py")).run()
    assert at.title[0].value == "Download a run"


# --- Scenario page (needs engine.scenario) -------------------------------------------------


def test_scenario_page_edits_become_overrides_and_save(page, scenarios_env: Path) -> None:
    from engine.scenario import load_scenario, milestone_years
    from ui.scenario_form import widget_key

    at = page("scenario").run()
    assert not at.exception
    assert at.selectbox[0].value == "tiny.yaml" and at.selectbox[1].value == "mid"
    assert at.success[0].value == "Scenario tiny is valid."
    assert at.code[0].value == "(no changes)"

    at.selectbox[1].set_value("late").run()
    moved = at.number_input(key=widget_key(scenarios_env / "tiny.yaml", "ms-late-mdi_in_telecom"))
    assert moved.value == milestone_years("late")["mdi_in_telecom"]
    moved.set_value(2027).run()
    at.number_input[-2].set_value(25.0).run()  # demand growth, % per year
    lines = at.code[0].value.splitlines()
    assert lines[0].startswith("timeline={") and '"mdi_in_telecom": 2027' in lines[0]
    assert "demand.growth_per_year=0.25" in lines
    assert 'name="tiny-edited"' in lines
    assert at.success[0].value == "Scenario tiny-edited is valid."
    assert at.session_state["scenario"]["overrides"] == lines

    at.button[0].click().run()
    saved = scenarios_env / "tiny-edited.yaml"
    assert at.success[-1].value == f"Saved {saved}."
    reloaded = load_scenario(saved)
    assert reloaded.name == "tiny-edited"
    assert milestone_years(reloaded)["mdi_in_telecom"] == 2027
    assert (
        milestone_years(reloaded)["field_simple_repeaters"]
        == milestone_years("late")["field_simple_repeaters"]
    )
    assert reloaded.demand.growth_per_year == 0.25


def test_scenario_page_shows_validation_errors_in_words(page, scenarios_env: Path) -> None:
    at = page("scenario").run()
    at.text_input[0].set_value("bad name!").run()
    assert len(at.success) == 0
    assert at.error[0].value.startswith("**name**: contains characters that are not allowed.")
    assert "You gave `'bad name!'`" in at.error[0].value


def test_scenario_form_helpers() -> None:
    from ui.scenario_form import technology_overrides, timeline_overrides, trust_mix_override

    assert timeline_overrides("early", {"a": 2025}, {"a": 2025}) == ([], "early")
    assert timeline_overrides("early", {"a": 2027, "b": 2030}, {"a": 2025, "b": 2030}) == (
        ['timeline={"a": 2027, "b": 2030}'],
        None,
    )
    base = {"mdi": {"capex_eur": 250000.0, "learning_rate_per_year": 0.05}}
    edited = {"mdi": {"capex_eur": 200000.0, "learning_rate_per_year": 0.05}}
    assert technology_overrides(edited, base) == ["technologies.overrides.mdi.capex_eur=200000.0"]
    rows = [{"year": 2025, "trusted": 100.0, "partial": 0.0, "trust_free": 0.0}]
    assert trust_mix_override(rows, {2025: {"trusted": 1.0}}) == []
    rows.append({"year": 2035, "trusted": 50.0, "partial": 50.0, "trust_free": None})
    assert trust_mix_override(rows, {2025: {"trusted": 1.0}}) == [
        'demand.trust_mix={"2025": {"trusted": 1.0, "partial": 0.0, "trust_free": 0.0}, '
        '"2035": {"trusted": 0.5, "partial": 0.5, "trust_free": 0.0}}'
    ]


# --- Run page, on a stand-in pipeline (engine.pipeline's solve is not what is tested) -------


@dataclass
class _Outcome:
    run_dir: Path | None
    status: str
    objective: float | None
    gap: float | None
    message: str


def test_run_page_solves_variants_off_thread(
    page, app_env: Path, scenarios_env: Path, monkeypatch: pytest.MonkeyPatch, sample_run_factory
) -> None:
    release = threading.Event()
    calls: list[tuple[str, str, bool]] = []

    def run_scenario(scenario, *, out_dir, overwrite=False, save_lp=False, progress=None):
        calls.append((scenario.name, scenario.timeline, threading.current_thread().name))
        progress("solve", {"stage": "lp_done", "lp_bound": 5e5})
        progress("solve", {"stage": "mip", "incumbent": 8e5, "bound": 6e5, "gap": 0.25})
        assert release.wait(30)
        run_dir = sample_run_factory(out_dir, scenario.name, scenario.timeline)
        return _Outcome(run_dir, "optimal", 6.3e5, 0.004, "solved")

    fake = types.ModuleType("engine.pipeline")
    fake.run_scenario = run_scenario
    monkeypatch.setitem(sys.modules, "engine.pipeline", fake)
    import engine  # `from engine import pipeline` reads the package attribute first

    monkeypatch.setattr(engine, "pipeline", fake, raising=False)

    at = page("run").run()
    assert not at.exception
    at.selectbox[0].set_value("tiny.yaml").run()
    assert at.multiselect[0].value == ["early", "late"]
    at.button[0].click().run()
    jobs = at.session_state["jobs"]
    assert [j.name for j in jobs] == ["tiny-early", "tiny-late"]
    for _ in range(100):  # the first variant reaches the solver on the worker thread
        if jobs[0].events:
            break
        time.sleep(0.05)
    at.run()
    table = at.dataframe[0].value.set_index("Variant")
    assert table.loc["tiny-early", "State"] == "running"
    # while solving: the stage in words and the solver's live numbers, as the CLI shows them
    assert table.loc["tiny-early", "Stage"] == "solving: searching for cheaper plans"
    assert table.loc["tiny-early", "Best plan so far (M€)"] == pytest.approx(0.8)
    assert table.loc["tiny-early", "Lower bound (M€)"] == pytest.approx(0.6)
    assert table.loc["tiny-early", "Gap (%)"] == pytest.approx(25.0)
    assert table.loc["tiny-late", "State"] == "queued"

    release.set()
    for job in jobs:
        job.future.result(timeout=30)
    at.run()
    table = at.dataframe[0].value.set_index("Variant")
    assert table["State"].tolist() == ["done", "done"]
    assert table.loc["tiny-late", "Cost (M€)"] == pytest.approx(0.63)
    assert table.loc["tiny-late", "Gap (%)"] == pytest.approx(0.4)
    # a 0.4 % gap is not called "optimal"; the solver's own words are kept for details
    assert table.loc["tiny-late", "Status"] == "within 0.4 % of optimal"
    assert table.loc["tiny-late", "Message"] == "Solved: within 0.4 % of optimal."
    assert at.session_state["compare_runs"] == ["tiny-early", "tiny-late"]
    assert table.loc["tiny-late", "Folder"] == str(app_env / "tiny-late")
    assert [(n, t) for n, t, _ in calls] == [("tiny-early", "early"), ("tiny-late", "late")]
    assert all(thread.startswith("qroad-run") for _, _, thread in calls)

    compare = page("compare").run()
    assert "tiny-late" in compare.multiselect[0].options


# --- Run page with the real pipeline: a two-site scenario solved by HiGHS -------------------

PAIR_YAML = UI.parent / "tests" / "data" / "pair.yaml"  # two sites, bb84, solves in ~1 s


def test_run_page_real_solve_lands_in_results(page, app_env: Path, scenarios_env: Path) -> None:
    """One bb84 system and two trusted nodes serve the whole demand in both periods; the
    run folder appears where the Compare page looks, with served = demand = 1000 bit/s."""
    from engine.results import read_manifest, read_table

    shutil.copy(PAIR_YAML, scenarios_env / "pair.yaml")
    at = page("run").run()
    at.selectbox[0].set_value("pair.yaml").run()
    at.multiselect[0].set_value(["mid"]).run()
    at.button[0].click().run()
    job = at.session_state["jobs"][0]
    outcome = job.future.result(timeout=120)
    assert outcome.status == "optimal"
    at.run()
    table = at.dataframe[0].value.set_index("Variant")
    assert table.loc["pair-mid", "State"] == "done"
    run = app_env / "pair-mid"
    assert read_manifest(run)["status"] == "optimal"
    assert read_table(run, "served")["served_bps"].tolist() == pytest.approx([1000.0, 1000.0])
