"""Hand-made results folders for the app tests (two periods, three sites, two links), a
stand-in pipeline for Run-page tests that check the page, not the solve, and the AppTest
helpers ``page`` and ``figures``."""

from __future__ import annotations

import base64
import json
import shutil
import sys
import threading
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from engine.results import write_run

REPO_ROOT = Path(__file__).resolve().parents[2]
UI = REPO_ROOT / "ui"
APP_TIMEOUT_S = 60


def sample_tables(mdi_from: int = 2030) -> dict[str, pd.DataFrame]:
    """Results of a tiny plan: bb84 A–B from 2025, MDI A–C (relay at B) from ``mdi_from``."""
    periods = [2025, 2030]
    mdi_on = {p: p >= mdi_from for p in periods}
    df = pd.DataFrame
    builds = []
    flows = []
    equipment = []
    for p in periods:
        builds.append(
            (p, "L1", "bb84", 2 if p == 2025 else 0, 2, 2e5 if p == 2025 else 0.0, 1e4, 2e4)
        )
        flows.append((p, "L1", "trusted", 5.0 if p == 2025 else 20.0))
        equipment += [(p, "A", "trusted_node", True, p == 2025)]
        equipment += [(p, "B", "trusted_node", True, p == 2025)]
        if mdi_on[p]:
            new = int(p == mdi_from)
            builds.append((p, "L2", "mdi", new, 1, 3e5 * new, 1e4, 1e4))
            flows.append((p, "L2", "partial", 4.0))
            equipment.append((p, "B", "relay", True, p == mdi_from))
    partial_served = {p: 4.0 if mdi_on[p] else 0.0 for p in periods}
    return {
        "sites": df(
            {
                "site": ["A", "B", "C"],
                "name": ["Alpha", "Bravo", "Charlie"],
                "lon": [0.0, 1.0, 2.0],
                "lat": [51.0, 52.0, 51.5],
            }
        ),
        "links": df(
            [
                ("L1", "bb84", "I", "A", "B", 50.0, "A>B", ""),
                ("L2", "mdi", "II", "A", "C", 140.0, "A>B>C", "B"),
            ],
            columns=[
                "link",
                "tech",
                "phase",
                "site_a",
                "site_b",
                "length_km",
                "route",
                "relay_site",
            ],
        ),
        "capacity": df(
            [(p, link, 1e4) for p in periods for link in ("L1", "L2")],
            columns=["period", "link", "key_rate_per_system_bps"],
        ),
        "builds": df(
            builds,
            columns=[
                "period",
                "link",
                "tech",
                "systems_new",
                "systems_installed",
                "capex_eur",
                "key_rate_per_system_bps",
                "capacity_bps",
            ],
        ),
        "equipment": df(equipment, columns=["period", "site", "equipment", "installed", "new"]),
        "served": df(
            [
                (2025, "D1", "A", "B", "trusted", "", 10.0, 5.0),
                (2030, "D1", "A", "B", "trusted", "", 20.0, 20.0),
                (2025, "D2", "A", "C", "partial", "bank", 10.0, partial_served[2025]),
                (2030, "D2", "A", "C", "partial", "bank", 10.0, partial_served[2030]),
            ],
            columns=[
                "period",
                "demand",
                "site_a",
                "site_b",
                "trust",
                "customer",
                "demand_bps",
                "served_bps",
            ],
        ),
        "flows": df(flows, columns=["period", "link", "trust", "key_flow_bps"]),
        "costs": df(
            [
                (2025, "capex_systems", 2e5, 2e5),
                (2030, "capex_systems", 3e5, 2.5e5),
                (2030, "opex_systems", 1e5, 0.8e5),
            ],
            columns=["period", "category", "eur", "discounted_eur"],
        ),
        "phases": df(
            [(2025, "I", 5.0, 1.0), (2030, "I", 20.0, 20 / 24)]
            + ([(2030, "II", 4.0, 4 / 24)] if mdi_on[2030] else []),
            columns=["period", "phase", "served_bps", "share"],
        ),
    }


def write_sample_run(out_dir: Path, name: str, timeline: str, mdi_from: int = 2030) -> Path:
    """Write ``out_dir/<name>/`` with the sample tables and a scenario.yaml naming ``timeline``."""
    scenario_yaml = json.dumps(
        {
            "name": name,
            "description": f"toy network, {timeline} timeline",
            "timeline": timeline,
            "horizon": {"start_year": 2025, "end_year": 2035, "period_years": 5},
            "demand": {"base_key_rate_bps": 10, "growth_per_year": 0.15},
            "economics": {"discount_rate": 0.05},
        }
    )
    return write_run(
        out_dir,
        name,
        sample_tables(mdi_from),
        {"status": "optimal", "objective": 6.3e5, "gap": 0.004},
        extra_files={"scenario.yaml": scenario_yaml},
    )


@pytest.fixture
def results_dir(tmp_path: Path) -> Path:
    """A results folder with runs ``toy-early`` (MDI from 2025) and ``toy-late`` (from 2030)."""
    out = tmp_path / "results"
    write_sample_run(out, "toy-early", "early", mdi_from=2025)
    write_sample_run(out, "toy-late", "late", mdi_from=2030)
    return out


@pytest.fixture
def app_env(results_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``results_dir`` as the app's results folder (``QROAD_RESULTS_DIR``)."""
    monkeypatch.setenv("QROAD_RESULTS_DIR", str(results_dir))
    return results_dir


@pytest.fixture
def scenarios_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled scenarios, so the page's Save writes into a temporary folder."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for path in (REPO_ROOT / "scenarios").glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    monkeypatch.setenv("QROAD_SCENARIOS_DIR", str(folder))
    return folder


@pytest.fixture
def sample_run_factory() -> Callable[..., Path]:
    """The ``write_sample_run`` function, for tests that need their own runs."""
    return write_sample_run


@dataclass
class StandInOutcome:
    """What the stand-in pipeline returns (the fields the Run page reads)."""

    run_dir: Path | None
    status: str
    objective: float | None
    gap: float | None
    message: str


@dataclass
class StandInPipeline:
    """Replaces ``engine.pipeline``: each run reports ``solve``, waits for ``release``, then
    writes a sample run folder named after the scenario. ``calls`` records who ran what."""

    release: threading.Event = field(default_factory=threading.Event)
    calls: list[tuple[str, str, threading.Thread, Path | None]] = field(default_factory=list)

    def run_scenario(self, scenario, *, out_dir, overwrite=False, save_lp=False, progress=None):
        thread = threading.current_thread()
        self.calls.append((scenario.name, scenario.timeline, thread, scenario.source_file))
        progress("solve", {"message": "HiGHS running"})
        assert self.release.wait(30)
        run_dir = write_sample_run(out_dir, scenario.name, str(scenario.timeline))
        return StandInOutcome(run_dir, "optimal", 6.3e5, 0.004, "solved")


@pytest.fixture
def stand_in_pipeline(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandInPipeline]:
    """A ``StandInPipeline`` installed as ``engine.pipeline`` for this test."""
    stand_in = StandInPipeline()
    fake = types.ModuleType("engine.pipeline")
    fake.run_scenario = stand_in.run_scenario
    monkeypatch.setitem(sys.modules, "engine.pipeline", fake)
    import engine  # `from engine import pipeline` reads the package attribute first

    monkeypatch.setattr(engine, "pipeline", fake, raising=False)
    yield stand_in
    stand_in.release.set()  # never leave a worker waiting


def _decode(node):
    """Plotly's JSON with base64 typed arrays (``{"dtype", "bdata"}``) turned into lists."""
    if isinstance(node, dict):
        if set(node) >= {"dtype", "bdata"}:
            raw = base64.b64decode(node["bdata"])
            return np.frombuffer(raw, dtype=np.dtype(node["dtype"])).tolist()
        return {k: _decode(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_decode(v) for v in node]
    return node


@pytest.fixture
def page() -> Callable[[str], AppTest]:
    """``page(name)``: an AppTest of ui/pages/<name>.py, not yet run."""

    def make(name: str) -> AppTest:
        return AppTest.from_file(str(UI / "pages" / f"{name}.py"), default_timeout=APP_TIMEOUT_S)

    return make


@pytest.fixture
def figures() -> Callable[[AppTest], list[dict]]:
    """``figures(at)``: the figures of the page's plotly charts, as plain JSON data."""

    def read(at: AppTest) -> list[dict]:
        return [_decode(json.loads(el.proto.spec)) for el in at.get("plotly_chart")]

    return read
