"""``qroad hedge --method ph`` (progressive hedging) on the three-site line of
test_hedge.py: it writes the folder contract of the extensive form (the same files, the
same table columns, every manifest key) plus what PH adds (method, iterations, bounds,
what was skipped), which the "Decide now" page states; a bad ``--method`` exits 2 naming
the flag and the value."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from engine.cli import app
from engine.hedge.store import read_hedged
from engine.results import TABLE_NAMES

runner = CliRunner()
SCENARIO = Path(__file__).resolve().parents[1] / "data" / "trio.yaml"
PAGE = Path(__file__).resolve().parents[2] / "ui" / "pages" / "decide.py"
ARGS = ["--futures", "early:0.5,mid:0.5", "--commit-until", "2030", "--quiet"]


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """The hedged folder of ``--method ef`` and of ``--method ph``."""
    root = tmp_path_factory.mktemp("hedge_ph")
    out = {}
    for method in ("ef", "ph"):
        args = ["hedge", str(SCENARIO), "--out", str(root / method), *ARGS, "--method", method]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        out[method] = root / method / "trio-hedged"
    return out


def test_ph_writes_the_contract_of_the_extensive_form(folders):
    ef, ph = folders["ef"], folders["ph"]
    assert sorted(p.name for p in ph.iterdir()) == sorted(p.name for p in ef.iterdir())
    for name in TABLE_NAMES:
        a, b = (pd.read_parquet(f / f"{name}.parquet") for f in (ef, ph))
        assert list(b.columns) == list(a.columns), name
        assert set(b["future"]) == set(a["future"]), name
    manifest_ef, extra_ef = read_hedged(ef)
    manifest, extra = read_hedged(ph)
    assert set(manifest_ef) <= set(manifest)
    assert list(extra["commitments"].columns) == list(extra_ef["commitments"].columns)
    assert list(extra["regrets"].columns) == list(extra_ef["regrets"].columns)
    assert manifest_ef["method"] == "ef" and manifest_ef["ph"] is None
    assert manifest["method"] == "ph" and manifest["solver"]["hedge_method"] == "ph"
    assert "mpi-sppy" in manifest["versions"] and "mpi-sppy" not in manifest_ef["versions"]
    assert manifest["ph"]["iterations"] >= 1
    assert manifest["bound_eur"] <= manifest["expected_cost_eur"] * (1 + 1e-9)
    assert manifest["skipped"] == ["early's plan held in the other futures (its regrets)"]
    assert set(extra["regrets"]["plan"]) == {"hedged", "mid"}
    tol = 1e-6 * manifest_ef["expected_cost_eur"]
    assert manifest["bound_eur"] <= manifest_ef["expected_cost_eur"] + tol  # EF: 1 % gap
    assert manifest["evpi_eur"] >= -tol and manifest["vss_eur"] >= -tol


def test_decide_page_says_the_plan_came_from_progressive_hedging(folders, monkeypatch):
    monkeypatch.setenv("QROAD_RESULTS_DIR", str(folders["ph"].parent))
    at = AppTest.from_file(str(PAGE), default_timeout=60).run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "Found by progressive hedging" in captions and "early's plan held" in captions


@pytest.mark.parametrize(
    ("args", "value"),
    [(["--method", "lagrange"], "lagrange"), (["--method", "ph", "--risk", "regret"], "ph")],
)
def test_bad_method_exits_2_naming_the_flag(tmp_path, args, value):
    result = runner.invoke(app, ["hedge", str(SCENARIO), "--out", str(tmp_path), *ARGS, *args])
    assert result.exit_code == 2
    assert "--method" in result.output and value in result.output
    assert "Traceback" not in result.output
    assert not any(tmp_path.iterdir())


def test_first_plan_flag_reaches_the_single_future_solves(tmp_path):
    """``--first-plan``: each single-future solve stops at its LP-rounded plan, and the
    manifest says so (the default run above says it did not)."""
    args = ["hedge", str(SCENARIO), "--out", str(tmp_path), *ARGS, "--method", "ph"]
    result = runner.invoke(app, [*args, "--first-plan"])
    assert result.exit_code in (0, 1), result.output
    manifest, _ = read_hedged(tmp_path / "trio-hedged")
    assert manifest["solver"]["first_plan"] is True
    assert manifest["bound_eur"] <= manifest["expected_cost_eur"] * (1 + 1e-9)


@pytest.mark.parametrize("first_plan", [False, True])
def test_progress_names_the_method_and_workers_and_tips_first_plan(tmp_path, first_plan):
    """Without ``--quiet`` the run says which method and how many workers it uses (the
    manifest's ``solver.workers``), and, for PH without ``--first-plan``, how to get a plan
    sooner on a large network."""
    args = ["hedge", str(SCENARIO), "--out", str(tmp_path), "--futures", "early:0.5,mid:0.5",
            "--commit-until", "2030", "--method", "ph", "--workers", "1"]  # fmt: skip
    result = runner.invoke(app, [*args, *(["--first-plan"] if first_plan else [])])
    assert result.exit_code in (0, 1), result.output
    assert "method: progressive hedging, 1 worker(s)" in result.output
    assert ("tip: on large networks --first-plan" in result.output) is not first_plan
    manifest, _ = read_hedged(tmp_path / "trio-hedged")
    assert manifest["solver"]["workers"] == 1
