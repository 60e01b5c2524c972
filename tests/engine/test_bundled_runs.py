"""Every bundled scenario runs: validated, prepared, solved and written, on a short time
limit (the large ones restricted by ``--set`` to one period and a few sites), so a
scenario that validates but cannot run fails CI (issue: Beijing–Shanghai validated and
then exited 2). Each plan serves what its service mode requires."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from engine.pipeline import run_scenario
from engine.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
# one period (2025-2029) that still holds every trust class (base.yaml's 2045 mix)
ONE_PERIOD = [
    "horizon.end_year=2030",
    "demand.trust_mix={2025: {trusted: 0.4, partial: 0.35, trust_free: 0.25}}",
]
SHORT = ["solver.time_limit_s=30", "solver.threads=1"]
RESTRICTIONS: dict[str, list[str]] = {  # every bundled file needs an entry (test below)
    "tiny": [],
    "base": [*ONE_PERIOD, "demand.endpoints=[TVN, SWERN, LMN, EastNet]"],
    "uk-backbone": [*ONE_PERIOD, "demand.endpoints=[TVN, SWERN, LMN, EastNet]"],
    "uk-quantum-network": ONE_PERIOD,
    "uk-sweep": ONE_PERIOD,
    "beijing-shanghai": ONE_PERIOD,
    "germany50": [*ONE_PERIOD, "demand.endpoints=[Berlin, Hamburg, Leipzig, Hannover]"],
    "nobel-eu": [*ONE_PERIOD, "demand.endpoints=[Strasbourg, Zurich]"],
    "europe": [*ONE_PERIOD, "demand.endpoints=[Slough, Boulogne-Billancourt]",
               "solver.time_limit_s=60"],
}  # fmt: skip
FILES = sorted(SCENARIOS.glob("*.yaml"))


def test_every_bundled_scenario_has_a_ci_run():
    assert {p.stem for p in FILES} == set(RESTRICTIONS)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_bundled_scenario_runs_and_serves_what_it_must(path: Path, tmp_path: Path):
    scenario = load_scenario(path, overrides=[*SHORT, *RESTRICTIONS[path.stem]])
    outcome = run_scenario(scenario, out_dir=tmp_path)
    assert outcome.has_plan, (outcome.status, outcome.message, outcome.diagnosis)
    served = pd.read_parquet(outcome.run_dir / "served.parquet")
    assert served["served_bps"].sum() > 0
    if scenario.demand.service.mode == "must_serve":
        manifest = json.loads((outcome.run_dir / "manifest.json").read_text(encoding="utf-8"))
        left_out = {  # "<demand> (<trust>) in <period>: <why>"
            (line.split(" ")[0], int(line.split(" in ")[1].split(":")[0]))
            for line in manifest["service"]["excluded"]
        }
        keys = list(zip(served["demand"], served["period"], strict=True))
        must = served[[k not in left_out for k in keys]]
        assert (must["served_bps"] >= must["demand_bps"] - 1e-6).all()
