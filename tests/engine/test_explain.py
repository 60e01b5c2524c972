"""engine.explain on a hand-made run: cost per bit/s·year from the catalogue's prices and
the run's key rates, unused technologies and why, the unlocking milestone, break-even."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from engine.catalogue import load_catalogue
from engine.charts_explain import cost_per_bit_figure
from engine.explain import technology_explanation
from engine.results import write_run
from engine.scenario import load_scenario, milestone_years
from engine.tech_periods import technology_periods

TINY = Path(__file__).resolve().parents[2] / "scenarios" / "tiny.yaml"
_SPEC = importlib.util.spec_from_file_location(
    "qroad_sample_results", Path(__file__).resolve().parents[1] / "ui" / "conftest.py"
)
sample = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = sample  # its dataclasses look their module up by name
_SPEC.loader.exec_module(sample)


def explain_run(out: Path) -> Path:
    """bb84 A–B used in 2025 and 2030 (10 kbit/s per system); MDI on the same pair makes
    1 kbit/s; TF A–C makes no key; early timeline (MDI and TF from 2026)."""
    links = pd.DataFrame(
        [
            ("L1", "bb84", "I", "A", "B", 50.0, "A>B", ""),
            ("L2", "mdi", "II", "A", "B", 50.0, "A>B", "A~B@25km"),
            ("L3", "tf", "II", "A", "C", 400.0, "A>B>C", "B"),
        ],
        columns=["link", "tech", "phase", "site_a", "site_b", "length_km", "route", "relay_site"],
    )
    capacity = pd.DataFrame(
        [(p, link, rate) for p in (2025, 2030) for link, rate in (("L1", 1e4), ("L2", 1e3))]
        + [(2030, "L3", 0.0)],
        columns=["period", "link", "key_rate_per_system_bps"],
    )
    builds = pd.DataFrame(
        [(p, "L1", "bb84", 1 if p == 2025 else 0, 1, 1e5, 1e4, 1e4) for p in (2025, 2030)],
        columns=[
            "period", "link", "tech", "systems_new", "systems_installed", "capex_eur",
            "key_rate_per_system_bps", "capacity_bps",
        ],
    )  # fmt: skip
    scenario = load_scenario(
        TINY,
        overrides=['technologies.enabled=["bb84", "mdi", "tf"]', "name=explain"],
        timeline="early",
    ).resolved()  # a full resolved scenario, as a run folder holds it
    tables = sample.sample_tables() | {"links": links, "capacity": capacity, "builds": builds}
    return write_run(
        out, "explain", tables,
        {"status": "optimal"}, extra_files={"scenario.yaml": json.dumps(scenario, default=str)},
    )  # fmt: skip


@pytest.fixture
def table(tmp_path: Path) -> pd.DataFrame:
    return technology_explanation(explain_run(tmp_path)).set_index(["period", "tech"])


def _yearly(tech: str, period: int) -> float:
    """capex / lifetime + opex of one system, as engine.tech_periods prices it."""
    rows = technology_periods(
        load_catalogue(), enabled=[tech], periods=[period], milestone_years=milestone_years("early")
    )
    row = rows.iloc[0]
    return row["capex_eur"] / row["lifetime_years"] + row["opex_eur_per_year"]


def test_cost_per_bit_and_reasons(table: pd.DataFrame) -> None:
    bb84 = table.loc[(2030, "bb84")]
    assert bb84["used"] and bb84["why"] == "used"
    assert bb84["cost_eur_per_bps_year"] == pytest.approx(_yearly("bb84", 2030) / 1e4)
    mdi = table.loc[(2030, "mdi")]
    ratio = (_yearly("mdi", 2030) / 1e3) / (_yearly("bb84", 2030) / 1e4)
    assert ratio > 1
    assert mdi["why"] == f"dearer: {ratio:,.1f}× the cost per bit/s·year of bb84 on the same pairs"
    assert mdi["break_even_pct"] == pytest.approx(100 * (1 - 1 / ratio))
    early = milestone_years("early")["mdi_in_telecom"]
    assert table.loc[(2025, "mdi"), "why"] == (
        f"not yet unlocked: telecom networks support MDI protocols ({early})"
    )
    assert table.loc[(2030, "tf"), "why"] == "out of reach: no candidate link where it makes key"
    assert table.loc[(2030, "mdi"), "unlocked_by"].endswith(f"({early})")


def test_cost_per_bit_figure_marks_used_and_unused(table: pd.DataFrame) -> None:
    from engine.palette import TECH_COLOURS

    fig = cost_per_bit_figure(table.reset_index())
    traces = {t.name.split(" ")[0]: t for t in fig.data}
    assert set(traces) == {"bb84", "mdi"}  # tf makes no key: nothing to draw
    assert list(traces["bb84"].marker.symbol) == ["circle", "circle"]
    assert list(traces["mdi"].marker.symbol) == ["circle-open"]  # 2030 only (unlocked 2026)
    assert traces["mdi"].line.color == TECH_COLOURS["mdi"]
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.yaxis.title.text == "Cost per bit/s·year (€, log scale)"
