"""The qroad command line: exit codes, messages without tracebacks, run folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.cli import app, exit_code
from engine.pipeline import RunOutcome
from engine.results import TABLE_NAMES, TABLE_SCHEMAS, read_manifest, read_table

# Two sites 50 km apart, one trusted demand of 1 kbit/s, bb84 only: the plan is one bb84
# system (plus a trusted node at each end) from the first period.
PAIR = (Path(__file__).resolve().parents[1] / "data" / "pair.yaml").read_text(encoding="utf-8")

runner = CliRunner()


@pytest.fixture
def pair_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "pair.yaml"
    path.write_text(PAIR, encoding="utf-8")
    return path


def test_run_writes_every_contract_table_and_refuses_to_overwrite(
    pair_yaml: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results"
    result = runner.invoke(app, ["run", str(pair_yaml), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    run = out / "pair"
    for name in TABLE_NAMES:
        assert list(read_table(run, name).columns) == TABLE_SCHEMAS[name].names
    builds = read_table(run, "builds")
    assert builds.loc[builds["period"] == 2025, "systems_new"].sum() == 1
    served = read_table(run, "served")
    assert served["served_bps"].tolist() == pytest.approx([1000.0, 1000.0])
    manifest = read_manifest(run)
    assert manifest["status"] == "optimal"
    assert manifest["scenario_resolved"]["name"] == "pair"
    assert {"qroad", "highspy", "pyomo"} <= set(manifest["versions"])
    assert (run / "solver.log").read_text()

    again = runner.invoke(app, ["run", str(pair_yaml), "--out", str(out)])
    assert again.exit_code == 2
    assert "--overwrite" in again.output and "Traceback" not in again.output

    # with --overwrite it is replaced, and said so (never silently)
    forced = runner.invoke(app, ["run", str(pair_yaml), "--out", str(out), "--overwrite"])
    assert forced.exit_code == 0, forced.output
    assert "replaced the earlier run of this name" in " ".join(forced.output.split())


def test_json_summary_and_timeline_variant_name(pair_yaml: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    args = ["run", str(pair_yaml), "--out", str(out), "--json", "--timeline", "late"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary[0]["scenario"] == "pair-late"
    assert summary[0]["status"] == "optimal"
    assert (out / "pair-late" / "manifest.json").is_file()


@pytest.mark.parametrize(
    ("strategy", "says"),
    [("rolling", "rolling horizon"), ("decomposed", "1 of 1 candidate links the LP uses")],
)
def test_heuristic_strategies_find_the_exact_plan_of_a_one_link_network(
    pair_yaml: Path, tmp_path: Path, strategy: str, says: str
) -> None:
    """One link, one demand: planning period by period, or on the links the LP relaxation
    uses (here the one link), cannot do worse than the MIP. The manifest says how the plan
    was found and the gap is measured against the full model's LP bound; exit 1 when that
    gap exceeds mip_gap (a heuristic plan is not claimed optimal)."""
    out = tmp_path / "results"
    exact = runner.invoke(app, ["run", str(pair_yaml), "--out", str(out), "--json"])
    args = ["--set", f"solver.strategy={strategy}", "--set", f"name=pair-{strategy}"]
    other = runner.invoke(app, ["run", str(pair_yaml), "--out", str(out), "--json", *args])
    e, r = json.loads(exact.stdout)[0], json.loads(other.stdout)[0]
    assert r["objective_eur"] == pytest.approx(e["objective_eur"], rel=1e-9)
    assert r["bound_eur"] <= r["objective_eur"]
    assert other.exit_code == (0 if r["gap"] <= 0.01 else 1), other.output
    manifest = read_manifest(out / f"pair-{strategy}")
    assert says in manifest["solver"]["message"]
    assert manifest["solver"]["strategy"] == strategy


def test_bad_override_exits_2_with_one_line_and_writes_nothing(
    pair_yaml: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results"
    args = ["run", str(pair_yaml), "--out", str(out), "--set", "solver.mip_gap=-1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "solver.mip_gap" in result.output and "-1" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


def test_validate_exit_codes(pair_yaml: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["validate", str(pair_yaml)]).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(PAIR.replace("timeline: mid", "timeline: someday"), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(pair_yaml), str(bad)])
    assert result.exit_code == 2
    assert "bad.yaml" in result.output and "someday" in result.output


def test_candidates_writes_links_with_capacity(pair_yaml: Path, tmp_path: Path) -> None:
    out = tmp_path / "links.parquet"
    result = runner.invoke(app, ["candidates", str(pair_yaml), "--out", str(out)])
    assert result.exit_code == 0, result.output
    import pandas as pd

    table = pd.read_parquet(out)
    assert set(table["link"]) == {"bb84:A-B"}
    assert sorted(table["period"]) == [2025, 2030]
    assert (table["key_rate_per_system_bps"] > 1000).all()


@pytest.mark.parametrize(
    ("statuses", "code"),
    [(["optimal"], 0), (["optimal", "time_limit"], 1), (["time_limit", "no_solution"], 3)],
)
def test_exit_code_is_the_worst_outcome(statuses: list[str], code: int) -> None:
    assert exit_code([RunOutcome(scenario="s", status=s) for s in statuses]) == code


def test_progress_line_names_stage_period_incumbent_bound_and_gap() -> None:
    from engine.run_console import solve_detail

    step = {"stage": "rolling_step", "period": 2030, "elapsed_s": 3.2}
    assert solve_detail(step) == " (rolling_step) period 2030 [3 s]"
    mip = {"stage": "mip", "incumbent": 1234567.8, "bound": 1e6, "gap": 0.19, "elapsed_s": 40}
    assert solve_detail(mip) == " (mip) incumbent 1,234,568 € bound 1,000,000 € gap 19.00 % [40 s]"
