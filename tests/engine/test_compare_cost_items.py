"""engine.cost_breakdown: the costs table split by technology and equipment, checked on a
hand-made run whose costs follow the catalogue's prices (and one that does not)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from engine.catalogue import load_catalogue
from engine.cost_breakdown import cost_by_item
from engine.results import read_table, write_run
from engine.scenario import load_scenario, milestone_years
from engine.tech_periods import technology_periods

ROOT = Path(__file__).resolve().parents[2]
_SPEC = importlib.util.spec_from_file_location(
    "qroad_sample_results", ROOT / "tests/ui/conftest.py"
)
sample = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = sample
_SPEC.loader.exec_module(sample)


def _scenario() -> dict:
    scenario = load_scenario(
        ROOT / "scenarios" / "tiny.yaml",
        overrides=[
            'technologies.enabled=["bb84", "mdi"]',
            "technologies.equipment_overrides.trusted_node.opex_eur_per_year=50000",
            "name=items",
        ],
        timeline="early",
    ).resolved()
    scenario["horizon"] = {"start_year": 2025, "end_year": 2035, "period_years": 5}
    return scenario


def _node_prices() -> dict[int, tuple[float, float]]:
    """A trusted node's capex and opex per year in 2025 and 2030 under the early timeline,
    the scenario's equipment overrides and the roadmap's cost steps applied
    (engine.tech_periods.model_tables, as the model prices it)."""
    from engine.tech_periods import model_tables

    years = milestone_years("early")
    rows = technology_periods(
        load_catalogue(), enabled=["bb84"], periods=[2025, 2030], milestone_years=years
    )
    overrides = {"trusted_node": {"opex_eur_per_year": 50000}}  # as _scenario sets it
    costs = model_tables(
        load_catalogue(), rows, equipment_overrides=overrides, milestone_years=years
    )["costs"]
    node = costs[costs["item"] == "trusted_node"].set_index("period")
    return {p: (node.loc[p, "capex_eur"], node.loc[p, "opex_eur_per_year"]) for p in (2025, 2030)}


def _run(out: Path, *, opex_off_by: float = 0.0) -> Path:
    """bb84 L1: 2 systems bought in 2025 (2e5 €), installed in 2025 and 2030; trusted
    nodes at A and B from 2025. Opex = systems × catalogue opex × 5 years (+ ``opex_off_by``
    in 2030); discount factor 0.8 in 2030."""
    scenario = _scenario()
    tables = sample.sample_tables(mdi_from=2040)  # bb84 only
    rows = technology_periods(
        load_catalogue(), enabled=["bb84"], periods=[2025, 2030],
        milestone_years=milestone_years("early"),
    ).set_index("period")  # fmt: skip
    opex = {p: 2 * rows.loc[p, "opex_eur_per_year"] * 5 for p in (2025, 2030)}
    node = _node_prices()  # {period: (capex, opex per year)} of one trusted node
    tables["costs"] = pd.DataFrame(
        [
            (2025, "capex_systems", 2e5, 2e5),
            (2025, "opex_systems", opex[2025], opex[2025]),
            (2030, "opex_systems", opex[2030] + opex_off_by, 0.8 * (opex[2030] + opex_off_by)),
            (2025, "capex_equipment", 2 * node[2025][0], 2 * node[2025][0]),
            (2025, "opex_equipment", 10 * node[2025][1], 10 * node[2025][1]),
            (2030, "opex_equipment", 10 * node[2030][1], 8 * node[2030][1]),
            (2030, "residual_value", -5e4, -3e4),
        ],
        columns=["period", "category", "eur", "discounted_eur"],
    )
    return write_run(out, "items", tables, {"status": "optimal"},
                     extra_files={"scenario.yaml": json.dumps(scenario, default=str)})  # fmt: skip


def test_items_follow_the_catalogue_and_sum_to_the_costs(tmp_path: Path) -> None:
    run = _run(tmp_path)
    table = cost_by_item([run]).set_index(["period", "item"])
    bb84 = technology_periods(
        load_catalogue(), enabled=["bb84"], periods=[2030], milestone_years=milestone_years("early")
    ).iloc[0]
    row = table.loc[(2030, "bb84")]
    assert row["capex_eur"] == 0.0
    assert row["opex_eur"] == pytest.approx(2 * bb84["opex_eur_per_year"] * 5)
    assert row["opex_discounted_eur"] == pytest.approx(0.8 * row["opex_eur"])
    assert table.loc[(2025, "trusted_node"), "capex_eur"] == 2 * _node_prices()[2025][0]
    # the scenario's override (50 k€/year), times the roadmap's opex step for trusted nodes
    # (the catalogue's 100 k€ becomes 80 k€ without the override)
    assert _node_prices()[2030][1] == pytest.approx(50000 * 0.8)
    assert table.loc[(2030, "trusted_node"), "opex_eur"] == pytest.approx(2 * 40000 * 5)
    assert table.loc[(2030, "residual value (credit at the horizon's end)"), "other_eur"] == -5e4
    assert not [i for i in table.index.get_level_values("item") if "not split" in i]
    total = read_table(run, "costs")["discounted_eur"].sum()
    assert table["total_discounted_eur"].sum() == pytest.approx(total)


def test_what_the_items_miss_is_shown_not_hidden(tmp_path: Path) -> None:
    run = _run(tmp_path, opex_off_by=1000.0)
    table = cost_by_item([run]).set_index(["period", "item"])
    assert table.loc[(2030, "opex_systems not split by item"), "other_eur"] == pytest.approx(1000)
    total = read_table(run, "costs")["discounted_eur"].sum()
    assert table["total_discounted_eur"].sum() == pytest.approx(total)
