"""The pages as a strategist reads them (issue 20): edits that survive, a negative price
refused, changes listed beside the file's values, variants that keep the edits, the cost
apart from the penalty, the map's fixed extent, and the Download page's exports."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pandas as pd
import pytest

from engine.results import read_table, write_run

# --- Scenario page ---------------------------------------------------------------------------


def test_scenario_edits_survive_upload_and_back(page, scenarios_env: Path) -> None:
    at = page("scenario").run()
    growth = at.number_input(key="scenarios/tiny.yaml:growth")
    growth.set_value(25.0).run()
    assert "demand.growth_per_year=0.25" in at.code[0].value.splitlines()
    at.radio[0].set_value("Upload").run()  # the inputs are not drawn in this run
    assert not at.number_input
    at.radio[0].set_value("Bundled").run()
    assert at.number_input(key="scenarios/tiny.yaml:growth").value == 25.0
    assert "demand.growth_per_year=0.25" in at.code[0].value.splitlines()
    assert at.success[0].value == "Scenario tiny-edited is valid."


def test_scenario_changes_listed_beside_the_files_values(page, scenarios_env: Path) -> None:
    """Moving a milestone and the growth lists both, the file's value beside the new one;
    the ``--set`` lines sit in an expander; the trust-mix caption says the engine
    interpolates linearly (it does: engine.demand.trust_shares)."""
    from engine.scenario import milestone_years

    at = page("scenario").run()
    assert "interpolates" in " ".join(c.value for c in at.caption)
    ms = at.number_input(key="scenarios/tiny.yaml:ms-mid-mdi_in_telecom")
    was = milestone_years("mid")["mdi_in_telecom"]
    ms.set_value(was - 1).run()
    at.number_input(key="scenarios/tiny.yaml:growth").set_value(25.0).run()
    changes = at.dataframe[-1].value.set_index("Setting")
    row = changes.loc["milestone: telecom networks support MDI protocols (year)"]
    assert (row["In the scenario file"], row["Your value"]) == (str(was), str(was - 1))
    assert changes.loc["demand growth (% per year)", "Your value"] == "25"
    assert changes.loc["name", "Your value"] == "tiny-edited"
    assert at.session_state["scenario"]["pinned"] == {"mdi_in_telecom": was - 1}


def test_scenario_negative_capex_is_refused_not_flipped(page, scenarios_env: Path) -> None:
    """A capex typed as −50 k€ is an error in words; the scenario is not offered as valid
    (before, the grid's min of 0 turned it into +50 k€ silently)."""
    from ui.kept import SHADOW
    from ui.scenario_form import cost_problems

    assert cost_problems({"mdi": {"capex_eur": -5e4, "learning_rate_per_year": 0.05}}) == [
        "mdi: capex per system -50.0 k€ is negative; a price cannot be below 0 (type the new "
        "price, e.g. 50 for 50 k€)."
    ]
    assert cost_problems({"mdi": {"capex_eur": 5e4, "learning_rate_per_year": 0.05}}) == []
    at = page("scenario").run()
    key = "scenarios/tiny.yaml:costs"
    table = at.session_state[SHADOW][f"{key}:latest"].copy()
    table.loc[0, "capex_keur"] = -50.0
    at2 = page("scenario")
    at2.session_state[SHADOW] = {f"{key}:latest": table}
    at2.run()
    assert not at2.exception
    assert any("is negative" in e.value for e in at2.error)
    assert not at2.success


# --- Run page ----------------------------------------------------------------------------------


def test_run_page_variants_keep_the_edits(
    page, app_env: Path, scenarios_env: Path, monkeypatch: pytest.MonkeyPatch, sample_run_factory
) -> None:
    """The edited scenario runs as edited by default; its early variant keeps the edited
    growth and the milestone the user moved, the other milestones take early's years."""
    from engine.scenario import milestone_years

    seen = []

    def run_scenario(scenario, *, out_dir, overwrite=False, save_lp=False, progress=None):
        seen.append(scenario)
        run_dir = sample_run_factory(out_dir, scenario.name, "custom")
        outcome = types.SimpleNamespace(run_dir=run_dir, status="optimal", objective=6.3e5)
        outcome.gap, outcome.message = 0.004, "repair round 1: closed 0 equipment"
        return outcome

    fake = types.ModuleType("engine.pipeline")
    fake.run_scenario = run_scenario
    monkeypatch.setitem(sys.modules, "engine.pipeline", fake)
    import engine

    monkeypatch.setattr(engine, "pipeline", fake, raising=False)
    moved = {"mdi_in_telecom": 2025}
    late = {**milestone_years("late"), **moved}
    edited = {
        "path": str(scenarios_env / "tiny.yaml"),
        "overrides": [
            f"timeline={json.dumps(late)}",
            "demand.growth_per_year=0.25",
            'name="tiny-edited"',
        ],
        "name": "tiny-edited",
        "timeline": "custom",
        "pinned": moved,
    }
    at = page("run")
    at.session_state["scenario"] = edited
    at.run()
    assert at.multiselect[0].value == ["as edited on the Scenario page"]
    at.multiselect[0].set_value(["as edited on the Scenario page", "early"]).run()
    at.button[0].click().run()
    assert not at.error, [e.value for e in at.error]
    for job in at.session_state["jobs"]:
        job.future.result(timeout=30)
    at.run()
    assert [s.name for s in seen] == ["tiny-edited", "tiny-edited-early"]
    early = seen[1]
    assert early.demand.growth_per_year == 0.25
    years = milestone_years(early)
    assert years["mdi_in_telecom"] == 2025
    assert years["field_simple_repeaters"] == milestone_years("early")["field_simple_repeaters"]
    assert milestone_years(seen[0]) == late
    table = at.dataframe[0].value.set_index("Variant")
    assert table.loc["tiny-edited-early", "Status"] == "within 0.4 % of optimal"
    assert "repair round" not in " ".join(table["Message"])  # solver jargon only in details
    assert at.session_state["compare_runs"] == ["tiny-edited", "tiny-edited-early"]


# --- Compare, Map, Download -------------------------------------------------------------------


@pytest.fixture
def penalty_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from importlib import util

    spec = util.spec_from_file_location("qroad_ui_conftest", Path(__file__).parent / "conftest.py")
    conf = util.module_from_spec(spec)
    sys.modules[spec.name] = conf
    spec.loader.exec_module(conf)
    tables = conf.sample_tables(2030)
    extra = pd.DataFrame(
        [(2030, "residual_value", -4e4, -3e4), (2030, "unserved_penalty", 1.2e5, 1e5)],
        columns=["period", "category", "eur", "discounted_eur"],
    )
    tables["costs"] = pd.concat([tables["costs"], extra], ignore_index=True)
    out = tmp_path / "results"
    write_run(out, "toy", tables, {"status": "optimal", "gap": 0.004})
    monkeypatch.setenv("QROAD_RESULTS_DIR", str(out))
    return out


def test_compare_headline_is_cost_with_penalty_apart(page, penalty_env: Path) -> None:
    """Headline cost = capex + opex − residual value from costs.parquet (0.50 M€); the
    penalty (0.10 M€) and the unserved key (6 bit/s) apart."""
    at = page("compare").run()
    assert not at.exception
    costs = read_table(penalty_env / "toy", "costs")
    money = costs.loc[costs["category"] != "unserved_penalty", "discounted_eur"].sum()
    assert [m.value for m in at.metric] == [f"{money / 1e6:,.2f}", "0.10", "6"]
    assert at.metric[0].value == "0.50"
    summary = at.dataframe[0].value.set_index("Scenario")
    assert summary.loc["toy", "Residual value (M€, discounted, credit)"] == -0.03
    cost_table = at.dataframe[1].value
    total = cost_table[cost_table["period"] == "all periods"].iloc[0]
    assert total["cost: capex + opex − residual value (M€)"] == pytest.approx(0.5)
    assert total["unserved-key penalty (M€)"] == pytest.approx(0.1)
    # by technology, equipment and period: the items sum to the costs table (0.5 + 0.1 M€),
    # bb84's 2025 purchase (0.2 M€) its own row, the penalty apart as "other"
    items = at.dataframe[2].value
    assert items["Total (M€, discounted)"].sum() == pytest.approx(0.6)
    bb84 = items[(items["Technology / equipment"] == "bb84") & (items["Period"] == 2025)]
    assert bb84["Capex (M€)"].tolist() == [0.2]
    penalty = items[items["Technology / equipment"] == "unserved-key penalty (not money)"]
    assert penalty["Other (M€, discounted)"].tolist() == [0.1]


def test_map_every_period_on_one_extent(page, figures, app_env: Path) -> None:
    at = page("map").run()
    at.selectbox[0].set_value("toy-late").run()
    at.toggle[0].set_value(True).run()
    figs = figures(at)
    assert len(figs) == 2  # 2025 and 2030 side by side
    ranges = {
        (tuple(f["layout"]["xaxis"]["range"]), tuple(f["layout"]["yaxis"]["range"])) for f in figs
    }
    assert len(ranges) == 1


def test_download_page_offers_csv_excel_report(page, app_env: Path) -> None:
    at = page("download").run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[1:] == ["Every table as CSV (zip)", "Excel workbook (.xlsx)"]
    at.button[0].click().run()  # prepare the HTML report
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[-1] == "Download the HTML report"


def _explain_module():
    from importlib import util

    path = Path(__file__).resolve().parents[1] / "engine" / "test_explain.py"
    spec = util.spec_from_file_location("qroad_test_explain", path)
    module = util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_explain_page_reasons_breakeven_and_resolve(
    page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stand_in_pipeline
) -> None:
    """The page says why MDI is unused (dearer than bb84 on the same pair), shows its
    first-guess cut, the milestone behind each adopted technology, finds MDI's break-even by
    re-solving (a stand-in re-solve in which MDI enters below price factor 0.4: the bisection
    from 0.05, 6 steps to a 0.02 tolerance) and shows the factor, the cut and each re-solve,
    then saves a run at that price as a new named run."""
    from engine import break_even
    from engine.catalogue import load_catalogue

    listed = load_catalogue().technologies["mdi"].capex_eur
    seen: list[tuple[float, int | None, float]] = []

    def stand_in(scenario, tech: str, period: int | None) -> break_even.Outcome:
        factor = scenario.technologies.overrides[tech].capex_eur / listed
        seen.append((factor, period, scenario.solver.time_limit_s))
        return break_even.Outcome("optimal", 3.0 if factor < 0.4 else 0.0, 1e6 * (1 + factor))

    monkeypatch.setattr(break_even, "resolve", stand_in)
    out = tmp_path / "results"
    run = _explain_module().explain_run(out)
    monkeypatch.setenv("QROAD_RESULTS_DIR", str(out))
    at = page("explain").run()
    assert not at.exception
    table = at.dataframe[0].value.set_index("Technology")
    assert table.loc["mdi", "Why (not) used"].startswith("dearer: ")
    pct = table.loc["mdi", "First guess: cheaper by (%, cost comparison)"]
    assert 0 < pct < 100
    assert table.loc["tf", "Why (not) used"] == "out of reach: no candidate link where it makes key"
    adopted = at.dataframe[1].value.set_index("Technology")
    assert adopted.loc["bb84", "First period in use"] == 2025
    assert at.selectbox[1].value == f"mdi in 2030 (first guess: {pct:.1f} % cheaper)"
    assert "comes from re-solving" in at.caption[0].value
    assert [b.label for b in at.button] == [
        "Find the break-even by re-solving",
        "Save a run at this price",
    ]
    at.number_input[2].set_value(10.0).run()  # time limit per re-solve (s)
    at.button[0].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    found = at.session_state["break-even:explain:mdi:2030"]
    assert 0.38 <= found.factor < 0.4 and found.solves == len(seen) == 7
    assert seen[0][0] == pytest.approx(0.05)  # the run itself is the re-solve at factor 1
    assert {(p, limit) for _, p, limit in seen} == {(2030, 10.0)}
    assert [m.value for m in at.metric] == [f"{found.factor:.3f}", f"{found.cut_pct:.1f}"]
    assert any(c.value.startswith("From re-solves of the whole plan") for c in at.caption)
    resolves = at.dataframe[2].value
    assert list(resolves["Price factor"]) == [round(f, 4) for f, _, _ in seen]
    assert list(resolves["Enters"]) == ["yes" if f < 0.4 else "no" for f, _, _ in seen]
    at.button[1].click().run()
    assert not at.error, [e.value for e in at.error]
    variant = f"explain-mdi-x{found.factor:.3f}"
    assert [c[0] for c in stand_in_pipeline.calls] == [variant]
    assert at.session_state["jobs"][0].name == variant
    assert run.name == "explain"


def test_explain_page_says_when_it_never_enters(
    page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A technology that stays out even 95 % cheaper: one re-solve, "does not enter", no
    factor, and no run offered at a price."""
    from engine import break_even

    monkeypatch.setattr(break_even, "resolve", lambda *_: break_even.Outcome("optimal", 0.0, 1e6))
    out = tmp_path / "results"
    _explain_module().explain_run(out)
    monkeypatch.setenv("QROAD_RESULTS_DIR", str(out))
    at = page("explain").run()
    at.button[0].click().run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["none", "> 95"]
    assert any("does not enter the plan in 2030" in m.value for m in at.markdown)
    assert [b.label for b in at.button] == ["Find the break-even by re-solving"]
