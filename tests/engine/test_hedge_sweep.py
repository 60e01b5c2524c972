"""``qroad hedge --from-sweep SWEEP_DIR --samples N`` (engine.hedge.sampled): the first N
samples of a sweep folder as futures of probability 1/N, named s000, s001, ...; bad input
exits 2 naming the flag.

The sweep folder is written as ``qroad sweep`` starts one (``engine.sweep.runner``:
``plan_sweep``, then ``store.open_sweep_dir`` and the ``design`` table), without solving
its samples: the hedge reads only the design. The swept scenario is tests/data/trio.yaml
with an ``uncertainty:`` section drawing the CV-QKD milestone (qkd_modules_telecom, 2021 to
2031) and a BB84 price factor, so the samples differ in timeline and price."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.hedge.charts import value_in_words
from engine.hedge.sampled import closest_to_mean, future_name
from engine.hedge.store import read_hedged
from engine.scenario import load_scenario
from engine.sweep import store
from engine.sweep.runner import plan_sweep, sweep_name

runner = CliRunner()
SCENARIO = Path(__file__).resolve().parents[1] / "data" / "trio.yaml"
UNCERTAINTY = """
uncertainty:
  milestones: [qkd_modules_telecom]
  capex_multiplier:
    bb84: {low: 0.8, high: 1.2}
"""
SWEEP_SAMPLES = 3


def write_sweep(
    folder: Path, *, samples: int = SWEEP_SAMPLES, name: str = "trio", one_at_a_time: bool = False
) -> Path:
    """A sweep folder of the swept trio (named ``name``) as ``run_sweep`` writes it before
    solving: ``sweep.json`` and ``design.parquet``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "trio.yaml"
    path.write_text(SCENARIO.read_text(encoding="utf-8") + UNCERTAINTY, encoding="utf-8")
    scenario = load_scenario(path, overrides=[f"name={name}"])
    design, spec = plan_sweep(scenario, samples=samples, seed=0, one_at_a_time=one_at_a_time)
    sweep_dir = folder / sweep_name(scenario, one_at_a_time=one_at_a_time)
    store.open_sweep_dir(sweep_dir, spec)
    store.write_summary_table(sweep_dir, "design", design)
    return sweep_dir


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory) -> Path:
    return write_sweep(tmp_path_factory.mktemp("sweep"))


@pytest.fixture(scope="module")
def hedged(sweep_dir: Path) -> Path:
    """The hedged folder of one ``qroad hedge --from-sweep`` run on 2 of the 3 samples."""
    out = sweep_dir.parent / "results"
    args = ["hedge", str(SCENARIO), "--from-sweep", str(sweep_dir), "--samples", "2"]
    result = runner.invoke(app, [*args, "--commit-until", "2030", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out / "trio-hedged"


def test_sampled_futures_share_the_commit_period_decisions(hedged: Path, sweep_dir: Path):
    manifest, extra = read_hedged(hedged)
    assert manifest["futures"] == {"s000": 0.5, "s001": 0.5}
    assert manifest["commit_periods"] == [2025]
    design = store.read_summary_table(sweep_dir, "design").set_index("sample")
    drawn = manifest["from_sweep"]["drawn"]
    assert manifest["from_sweep"]["samples"] == 2
    assert manifest["from_sweep"]["sweep_samples"] == SWEEP_SAMPLES
    for name, sample in (("s000", 0), ("s001", 1)):
        assert drawn[name]["sample"] == sample
        for column in ("year.qkd_modules_telecom", "capex_x.bb84"):
            assert drawn[name][column] == pytest.approx(design.at[sample, column])
    # two samples are equally close to their mean: the first is the expected future
    assert manifest["expected_future"] == "s000"
    assert set(manifest["regret_eur"]) == {"hedged", "s000", "s001"}
    builds = pd.read_parquet(hedged / "builds.parquet")
    equipment = pd.read_parquet(hedged / "equipment.parquet")
    assert set(builds["future"]) == {"s000", "s001"}
    assert set(builds["probability"]) == {0.5}
    for table, key in ((builds, ["link", "systems_new"]), (equipment, ["site", "equipment"])):
        shared = table[table["period"] < 2030]
        per_future = [
            sorted(map(tuple, shared[shared["future"] == f][key].values.tolist()))
            for f in ("s000", "s001")
        ]
        assert per_future[0] == per_future[1]
    systems = extra["commitments"].query("kind == 'systems'")
    assert (
        systems["count"].sum()
        == builds.query("future == 's000' and period == 2025")["systems_new"].sum()
    )
    assert value_in_words(manifest).startswith("Knowing the future would save")
    assert "the sample closest to the mean (s000)" in value_in_words(manifest)


def test_the_expected_future_is_the_sample_closest_to_the_mean():
    rows = pd.DataFrame({"year.m": [2021, 2026, 2031], "capex_x.bb84": [0.8, 1.0, 1.3]})
    inputs = [
        {"name": "year.m", "low": 2021, "high": 2031},
        {"name": "capex_x.bb84", "low": 0.8, "high": 1.2},
    ]
    assert closest_to_mean(rows, inputs) == 1
    assert closest_to_mean(rows.head(2), inputs) == 0  # a tie: the first
    assert [future_name(s, 3) for s in (0, 2)] == ["s000", "s002"]
    assert future_name(12, 2000) == "s0012"


@pytest.fixture(scope="module")
def bad_dirs(sweep_dir: Path, tmp_path_factory) -> Path:
    """A folder holding the sweep (as SWEEP), a plain folder, a one-at-a-time sweep folder
    and a sweep of another scenario, so the command names them briefly."""
    root = tmp_path_factory.mktemp("bad")
    (root / "plain").mkdir()
    (root / "SWEEP").symlink_to(sweep_dir)
    write_sweep(root, one_at_a_time=True)  # root / trio-sensitivity
    write_sweep(root, name="other", samples=1)  # root / other-sweep
    return root


@pytest.mark.parametrize(
    ("args", "flag", "value"),
    [
        (["--futures", "early:0.5,mid:0.5", "--from-sweep", "SWEEP"], "--from-sweep", "SWEEP"),
        ([], "--futures", "--from-sweep"),
        (["--from-sweep", "SWEEP", "--samples", "4"], "--samples", "4"),
        (["--from-sweep", "SWEEP", "--samples", "0"], "--samples", "0"),
        (["--from-sweep", "SWEEP"], "--samples", "--samples N"),
        (["--futures", "early:0.5,mid:0.5", "--samples", "2"], "--samples", "2"),
        (["--from-sweep", "plain", "--samples", "1"], "--from-sweep", "plain"),
        (["--from-sweep", "missing", "--samples", "1"], "--from-sweep", "missing"),
        (["--from-sweep", "trio-sensitivity", "--samples", "1"], "--from-sweep", "one-at-a-time"),
        (["--from-sweep", "other-sweep", "--samples", "1"], "--from-sweep", "'other'"),
    ],
)
def test_bad_input_exits_2_naming_the_flag(bad_dirs, monkeypatch, args, flag, value):
    monkeypatch.chdir(bad_dirs)
    result = runner.invoke(
        app, ["hedge", str(SCENARIO), "--commit-until", "2030", "--out", "out", *args]
    )
    assert result.exit_code == 2, result.output
    assert flag in result.output and value in result.output
    assert "Traceback" not in result.output
    assert not (bad_dirs / "out").exists()
