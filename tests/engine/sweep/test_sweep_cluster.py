"""Sweeps on a real LocalCluster (2 worker processes on loopback): same seed same results,
failed samples recorded and retried once, resume skips finished samples, the CLI command."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import cloudpickle
import pandas as pd
import pytest
import typer
from distributed import Client
from typer.testing import CliRunner

from engine.scenario import Scenario, load_scenario
from engine.sweep.cli import sweep_command
from engine.sweep.runner import run_sweep, sweep_client
from engine.sweep.store import (
    RECORDS_FILE,
    SweepMismatchError,
    read_records,
    read_sample_table,
    read_summary_table,
)
from engine.sweep.task import SampleResult, SampleTask, solve_sample

# tests/data/pair.yaml (two sites 50 km apart, one trusted demand, bb84) with an uncertain
# bb84 price and MDI milestone year; each sample solves in about a second.
PAIR = (Path(__file__).resolve().parents[2] / "data" / "pair.yaml").read_text(encoding="utf-8")
PAIR += """uncertainty:
  milestones: [mdi_in_telecom]
  capex_multiplier: {bb84: {low: 0.5, high: 1.5}}
"""
TIMEOUT_S = 15.0  # generous: a restarted worker imports the solver stack again (~3 s)
VARYING = ["elapsed_s", "worker", "sweep_run"]  # how long and where: not part of the result

# The workers cannot import this test module by name, so ship its functions by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with sweep_client(n_workers=2) as c:
        c.run(_warm_up)
        yield c


@pytest.fixture
def pair(tmp_path: Path) -> Scenario:
    path = tmp_path / "pair.yaml"
    path.write_text(PAIR, encoding="utf-8")
    return load_scenario(path)


def _warm_up() -> None:
    import engine.pipeline  # noqa: F401 - import the solver stack once per worker


def flaky_solve(task: SampleTask) -> SampleResult:
    """Sample 0 hangs on its first attempt, sample 1 raises on its first attempt, sample 2 is
    broken on every attempt (its scenario loses its network); the rest solve."""
    if task.sample == 0 and task.attempt == 1:
        time.sleep(300)  # ended by the sweep's timeout, which restarts the worker
    if task.sample == 1 and task.attempt == 1:
        raise RuntimeError("injected transient failure")
    if task.sample == 2:
        return solve_sample(replace(task, scenario={**task.scenario, "network": None}))
    return solve_sample(task)


def test_same_seed_gives_identical_results(client: Client, pair: Scenario, tmp_path: Path) -> None:
    a = run_sweep(pair, out_dir=tmp_path / "a", client=client, samples=4, seed=11)
    b = run_sweep(pair, out_dir=tmp_path / "b", client=client, samples=4, seed=11)
    assert a.samples["status"].tolist() == ["optimal"] * 4
    assert a.samples["attempts"].tolist() == [1] * 4
    assert a.samples["capex_x.bb84"].nunique() == 4  # four different futures
    pd.testing.assert_frame_equal(a.samples.drop(columns=VARYING), b.samples.drop(columns=VARYING))
    for name in ("builds", "costs", "phases", "served"):
        pd.testing.assert_frame_equal(
            read_sample_table(a.sweep_dir, name), read_sample_table(b.sweep_dir, name)
        )
    pd.testing.assert_frame_equal(a.adoption, b.adoption)
    pd.testing.assert_frame_equal(a.percentiles, b.percentiles)
    # the price drawn moves the cost: cheaper bb84, cheaper plan
    by_price = a.samples.sort_values("capex_x.bb84")["objective_eur"]
    assert by_price.is_monotonic_increasing
    builds = read_sample_table(a.sweep_dir, "builds")
    assert sorted(builds["sample"].unique()) == [0, 1, 2, 3]
    assert a.adoption.set_index(["period", "tech"]).loc[(2025, "bb84"), "adoption_share"] == 1.0
    other = run_sweep(pair, out_dir=tmp_path / "c", client=client, samples=4, seed=12)
    assert not other.samples["capex_x.bb84"].equals(a.samples["capex_x.bb84"])


def test_failed_samples_are_recorded_and_retried_once(
    client: Client, pair: Scenario, tmp_path: Path
) -> None:
    out = run_sweep(
        pair,
        out_dir=tmp_path,
        client=client,
        samples=4,
        seed=3,
        solve=flaky_solve,
        sample_timeout_s=TIMEOUT_S,
    )
    s = out.samples.set_index("sample")
    assert s["status"].tolist() == ["optimal", "optimal", "failed", "optimal"]
    assert s["attempts"].tolist() == [2, 2, 2, 1]
    assert f"attempt 1: no result within {TIMEOUT_S:g} s" in s.loc[0, "failures"]
    assert "attempt 1: RuntimeError: injected transient failure" in s.loc[1, "failures"]
    assert "ValidationError" in s.loc[2, "reason"]
    assert s.loc[2, "failures"].count("attempt") == 2  # both reasons kept
    assert out.unfinished == [2]
    assert sorted(read_sample_table(out.sweep_dir, "builds")["sample"].unique()) == [0, 1, 3]
    assert read_summary_table(out.sweep_dir, "adoption")["samples_solved"].eq(3).all()
    lines = (out.sweep_dir / RECORDS_FILE).read_text().splitlines()
    assert len(lines) == 7  # every attempt that ended is on record

    # rerun: only the failed sample is tried again (and now solves), the others are kept
    again = run_sweep(pair, out_dir=tmp_path, client=client, samples=4, seed=3)
    assert again.solved_now == [2] and again.skipped == [0, 1, 3]
    s2 = again.samples.set_index("sample")
    assert s2.loc[2, "status"] == "optimal" and s2.loc[2, "attempts"] == 3
    assert s2["sweep_run"].tolist() == [1, 1, 2, 1]


def test_resume_skips_finished_samples(client: Client, pair: Scenario, tmp_path: Path) -> None:
    first = run_sweep(pair, out_dir=tmp_path, client=client, samples=4, seed=5)
    builds_before = read_sample_table(first.sweep_dir, "builds")
    records = first.sweep_dir / RECORDS_FILE
    kept = [json.loads(line) for line in records.read_text().splitlines()[:2]]
    records.write_text("".join(json.dumps(r) + "\n" for r in kept))  # as if interrupted
    done = sorted(r["sample"] for r in kept)

    resumed = run_sweep(pair, out_dir=tmp_path, client=client, samples=4, seed=5)
    assert resumed.skipped == done
    assert resumed.solved_now == sorted(set(range(4)) - set(done))
    runs = read_records(resumed.sweep_dir)
    assert {s: r["sweep_run"] for s, r in runs.items()} == {
        s: 1 if s in done else 2 for s in range(4)
    }
    pd.testing.assert_frame_equal(read_sample_table(resumed.sweep_dir, "builds"), builds_before)

    third = run_sweep(pair, out_dir=tmp_path, client=client, samples=4, seed=5)
    assert third.solved_now == [] and third.skipped == [0, 1, 2, 3]
    with pytest.raises(SweepMismatchError, match="another sweep"):
        run_sweep(pair, out_dir=tmp_path, client=client, samples=4, seed=6)


def test_cli_one_at_a_time_on_an_existing_scheduler(client: Client, tmp_path: Path) -> None:
    path = tmp_path / "pair.yaml"
    path.write_text(PAIR, encoding="utf-8")
    app = typer.Typer()
    app.command("sweep")(sweep_command)
    app.command("noop")(lambda: None)  # two commands, so "sweep" is parsed as a command
    args = ["sweep", str(path), "--out", str(tmp_path / "out"), "--one-at-a-time", "--quiet"]
    result = CliRunner().invoke(app, [*args, "--scheduler", client.scheduler.address])
    assert result.exit_code == 0, result.output
    assert "one at a time" in result.output and "bb84" in result.output
    sweep_dir = tmp_path / "out" / "pair-sensitivity"
    samples = read_summary_table(sweep_dir, "samples")
    assert samples["oat_level"].tolist() == ["center", "low", "high", "low", "high"]
    tornado = read_summary_table(sweep_dir, "tornado").set_index("input")
    assert (
        tornado.loc["capex_x.bb84", "delta_low_eur"]
        < 0
        < tornado.loc["capex_x.bb84", "delta_high_eur"]
    )
    assert tornado.loc["year.mdi_in_telecom", "swing_eur"] == pytest.approx(0.0, abs=1e-3)


def test_cli_skips_a_scenario_without_uncertain_inputs(client: Client, tmp_path: Path) -> None:
    """A glob such as scenarios/uk-*.yaml may hold plain scenarios: their futures would all
    be one plan, so they are skipped by name and only the stated sweep runs."""
    (tmp_path / "pair.yaml").write_text(PAIR, encoding="utf-8")
    plain = PAIR.split("uncertainty:")[0].replace("name: pair", "name: plain")
    (tmp_path / "plain.yaml").write_text(plain, encoding="utf-8")
    app = typer.Typer()
    app.command("sweep")(sweep_command)
    app.command("noop")(lambda: None)
    files = [str(tmp_path / "plain.yaml"), str(tmp_path / "pair.yaml")]
    args = ["sweep", *files, "--out", str(tmp_path / "out"), "--samples", "2"]
    result = CliRunner().invoke(app, [*args, "--scheduler", client.scheduler.address])
    assert result.exit_code == 0, result.output
    assert "skipped (no uncertainty: section" in result.output and "plain.yaml" in result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["pair-sweep"]


def test_cli_without_any_uncertain_input_is_bad_input(tmp_path: Path) -> None:
    from engine.cli import app

    plain = tmp_path / "plain.yaml"
    plain.write_text(PAIR.split("uncertainty:")[0], encoding="utf-8")
    result = CliRunner().invoke(app, ["sweep", str(plain), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "uncertainty" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
