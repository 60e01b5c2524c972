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

from engine.report import assumptions_table, build_report, run_zip_bytes
from engine.results import ResultsReadError

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
    assert "toy network, late timeline" in text  # assumptions from the run's scenario.yaml
    # one figure div per chart: 5 compare + roadmap timeline + 2 maps
    assert text.count('class="plotly-graph-div"') == 8
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
