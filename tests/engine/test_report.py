"""The static HTML report and the run zip, on hand-made results folders."""

from __future__ import annotations

import importlib.util
import io
import re
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.report import (
    assumptions_table,
    build_report,
    headline_table,
    run_zip_bytes,
    split_run_dirs,
)
from engine.results import ResultsReadError, read_table, write_run

_SPEC = importlib.util.spec_from_file_location(
    "qroad_sample_results", Path(__file__).resolve().parents[1] / "ui" / "conftest.py"
)
sample = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = sample  # its dataclasses look their module up by name
_SPEC.loader.exec_module(sample)


@pytest.fixture
def runs(tmp_path: Path) -> list[Path]:
    out = tmp_path / "results"
    return [
        sample.write_sample_run(out, "toy-early", "early", mdi_from=2025),
        sample.write_sample_run(out, "toy-late", "late", mdi_from=2030),
    ]


def test_report_is_self_contained_offline_html(runs: list[Path], tmp_path: Path) -> None:
    path = build_report(runs, tmp_path / "out" / "report.html")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    # plotly.js bundled inline exactly once, nothing loaded from the network
    assert len(re.findall(r"\* plotly\.js v\d", text)) == 1
    assert not re.search(r"<script[^>]+src=", text)
    assert len(text) > 3_000_000  # the bundle itself (a few MB), not a link to it
    assert "toy-early" in text and "toy-late" in text
    assert "Key served by phase" in text and "Cumulative discounted cost" in text
    assert "Network map: toy-late, period 2030" in text
    assert "Network map: toy-early, period 2025" in text  # every period, not only the last
    assert "toy network, late timeline" in text  # assumptions from the run's scenario.yaml
    # one figure div per chart: 5 compare + roadmap timeline + 2 runs x 2 periods of maps
    assert text.count('class="plotly-graph-div"') == 10
    # the headline comes first, before any chart
    assert text.index("<h2>Headline</h2>") < text.index("<h2>Scenario assumptions</h2>")
    assert text.index("<h2>Scenario assumptions</h2>") < text.index("plotly-graph-div")
    # the timeline differs between the runs (early / late): its row is highlighted; the
    # discount rate (5 % in both) is not
    assert re.search(r'<tr class="differs"><th>timeline</th><td>early</td><td>late</td>', text)
    assert re.search(r"<tr><th>discount rate \(%/year\)</th><td>5</td>", text)
    assert "Roadmap timeline" in text and "milestones: early" in text


def test_assumptions_table_reads_scenario_and_manifest(runs: list[Path]) -> None:
    table = assumptions_table(runs)
    assert list(table.columns) == ["toy-early", "toy-late"]
    assert table.loc["timeline", "toy-late"] == "late"
    assert table.loc["demand growth (%/year)", "toy-early"] == "15"
    assert table.loc["discount rate (%/year)", "toy-early"] == "5"
    assert table.loc["optimality gap (%)", "toy-early"] == "0.40"
    assert table.loc["horizon (years)", "toy-late"] == "2025–2035, 5-year periods"


def test_run_zip_holds_tables_and_scenario(runs: list[Path]) -> None:
    data = run_zip_bytes(runs[1])
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        assert "toy-late/scenario.yaml" in names and "toy-late/manifest.json" in names
        assert {f"toy-late/{t}.parquet" for t in ("builds", "served", "phases")} <= names
        assert len(names) == 11  # nine tables + scenario + manifest
        builds = pd.read_parquet(io.BytesIO(zf.read("toy-late/builds.parquet")))
    assert set(builds["tech"]) == {"bb84", "mdi"}
    assert builds["scenario"].unique().tolist() == ["toy-late"]


def test_run_zip_refuses_a_non_run_folder(tmp_path: Path) -> None:
    with pytest.raises(ResultsReadError):
        run_zip_bytes(tmp_path)


def test_headline_table_is_cost_apart_from_penalty(tmp_path: Path) -> None:
    """capex 0.2 + 0.25 and opex 0.08 M€, a residual value of −0.03 M€ → cost 0.50 M€; the
    penalty (0.1 M€) is shown apart, and the cost equals costs.parquet without it."""
    tables = sample.sample_tables(2030)
    extra = pd.DataFrame(
        [(2030, "residual_value", -4e4, -3e4), (2030, "unserved_penalty", 1.2e5, 1e5)],
        columns=["period", "category", "eur", "discounted_eur"],
    )
    tables["costs"] = pd.concat([tables["costs"], extra], ignore_index=True)
    run = write_run(tmp_path, "toy", tables, {"status": "optimal", "gap": 0.004})
    row = headline_table([run]).loc["toy"]
    costs = read_table(run, "costs")
    money = costs.loc[costs["category"] != "unserved_penalty", "discounted_eur"].sum()
    assert row["Cost (M€, discounted: capex + opex − residual value)"] == round(money / 1e6, 2)
    assert row["Cost (M€, discounted: capex + opex − residual value)"] == 0.5
    assert row["Capex (M€, discounted)"] == 0.45 and row["Opex (M€, discounted)"] == 0.08
    assert row["Residual value (M€, discounted, credit)"] == -0.03
    assert row["Unserved-key penalty (M€, discounted)"] == 0.1
    assert row["Unserved key, last period (bit/s)"] == 6.0  # D2: 10 asked, 4 served
    assert row["Solver"] == "within 0.4 % of optimal"  # not "optimal": the gap is 0.4 %


def test_report_command_skips_folders_that_are_not_runs(runs: list[Path], tmp_path: Path) -> None:
    """``qroad report results/*`` with a sweep folder and an earlier report among the paths:
    both skipped with a message, the report written from the runs, exit code 0."""
    sweep = runs[0].parent / "uk-sweep"
    sweep.mkdir()
    (sweep / "percentiles.parquet").write_bytes(b"")
    old_report = runs[0].parent / "old-report.html"
    old_report.write_text("<html></html>", encoding="utf-8")
    paths = sorted(runs[0].parent.iterdir())
    found, skipped = split_run_dirs(paths)
    assert found == runs
    assert [(p.name, why) for p, why in skipped] == [
        ("old-report.html", "not a folder"),
        ("uk-sweep", "no manifest.json (a sweep's folder?)"),
    ]
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", *map(str, paths), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "skipped" in result.output and "uk-sweep" in result.output
    assert out.is_file() and "toy-late" in out.read_text(encoding="utf-8")
    nothing = CliRunner().invoke(app, ["report", str(sweep), "--out", str(out)])
    assert nothing.exit_code == 2
