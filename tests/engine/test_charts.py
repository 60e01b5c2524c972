"""Chart builders on small hand-made results tables: traces, stacked values, unit titles."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from engine import charts, charts_map

_SPEC = importlib.util.spec_from_file_location(
    "qroad_sample_results", Path(__file__).resolve().parents[1] / "ui" / "conftest.py"
)
sample = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = sample  # its dataclasses look their module up by name
_SPEC.loader.exec_module(sample)


def _concat(**runs: int) -> dict[str, pd.DataFrame]:
    """Tables of several sample runs (name -> first MDI period) with a scenario column."""
    out: dict[str, list[pd.DataFrame]] = {}
    for name, mdi_from in runs.items():
        for table, frame in sample.sample_tables(mdi_from).items():
            out.setdefault(table, []).append(frame.assign(scenario=name))
    return {k: pd.concat(v, ignore_index=True) for k, v in out.items()}


@pytest.fixture
def tables() -> dict[str, pd.DataFrame]:
    return _concat(early=2025, late=2030)


def _traces(fig, name: str) -> list:
    return [t for t in fig.data if t.name == name]


def _panel(fig, name: str, xaxis: str):
    """The trace called ``name`` in the facet panel on ``xaxis`` (x = first scenario)."""
    return next(t for t in _traces(fig, name) if t.xaxis == xaxis)


def test_served_by_phase_stacks_and_fills_missing_phase(tables) -> None:
    fig = charts.served_by_phase_figure(tables["phases"])
    assert sorted({t.name for t in fig.data}) == ["I", "II"]
    assert len(fig.data) == 4  # two phases x two scenario panels
    assert all(t.stackgroup for t in fig.data)
    late_ii = _panel(fig, "II", "x2")
    assert list(late_ii.x) == [2025, 2030] and list(late_ii.y) == [0.0, 4.0]
    assert fig.layout.yaxis.title.text == "Served key (bit/s)"
    assert fig.layout.xaxis.title.text == "Period start (year)"
    assert {a.text for a in fig.layout.annotations} == {"early", "late"}


def test_served_share_by_trust_in_percent(tables) -> None:
    fig = charts.served_share_by_trust_figure(tables["served"])
    late_partial = _panel(fig, "partially trusted", "x2")
    assert list(late_partial.y) == [0.0, 40.0]
    early_trusted = _panel(fig, "trusted", "x")
    assert list(early_trusted.y) == [50.0, 100.0]
    assert fig.layout.yaxis.title.text == "Served share of demand (%)"


def test_equipment_counts_has_all_kinds(tables) -> None:
    counts = charts.equipment_counts(tables["equipment"])
    late_2030 = counts[(counts.scenario == "late") & (counts.period == 2030)]
    assert dict(zip(late_2030.label, late_2030["count"], strict=True)) == {
        "trusted nodes": 2,
        "relays": 1,
        "memories": 0,
        "repeaters": 0,
        "ground stations": 0,
    }
    fig = charts.equipment_counts_figure(tables["equipment"])
    assert {t.name for t in fig.data} == set(charts.EQUIPMENT_LABELS.values())
    assert fig.layout.yaxis.title.text == "Sites with equipment (count)"


def test_cumulative_cost_in_million_euro(tables) -> None:
    fig = charts.cumulative_cost_figure(tables["costs"])
    capex = _panel(fig, "capex: link systems", "x")
    assert np.allclose(list(capex.y), [0.2, 0.45])
    opex = _panel(fig, "opex: link systems", "x")
    assert np.allclose(list(opex.y), [0.0, 0.08])
    assert fig.layout.yaxis.title.text == "Cost (M€, discounted, cumulative)"


def test_adoption_years_and_figure(tables) -> None:
    first = charts.adoption_years(tables["builds"])
    got = {(r.scenario, r.tech): r.first_year for r in first.itertuples()}
    assert got == {
        ("early", "bb84"): 2025,
        ("early", "mdi"): 2025,
        ("late", "bb84"): 2025,
        ("late", "mdi"): 2030,
    }
    fig = charts.adoption_figure(tables["builds"])
    late = _traces(fig, "late")[0]
    assert dict(zip(late.customdata, late.x, strict=True)) == {"bb84": 2025, "mdi": 2030}
    assert fig.layout.xaxis.title.text == "First period in use (year)"
    assert list(fig.layout.yaxis.ticktext) == ["bb84 (decoy BB84)", "mdi (MDI-QKD)"]


def test_roadmap_timeline_has_milestone_and_first_use_traces(tables) -> None:
    milestones = pd.DataFrame(
        {
            "timeline": ["early", "early", "late", "late"],
            "milestone": ["MDI in telecom", "repeaters", "MDI in telecom", "repeaters"],
            "year": [2026, 2031, 2031, 2041],
        }
    )
    fig = charts.roadmap_timeline_figure(milestones, tables["builds"])
    names = [t.name for t in fig.data]
    assert names == [
        "milestones: early",
        "milestones: late",
        "first use: early",
        "first use: late",
    ]
    assert list(fig.data[1].x) == [2031, 2041]
    assert fig.data[0].marker.symbol == "diamond"
    assert fig.layout.xaxis.title.text == "Year"


def _link_traces(fig) -> list:
    """The map's link traces (lines named after a technology or phase)."""
    return [t for t in fig.data if t.mode == "lines" and t.hoverinfo == "text"]


def test_network_map_links_widths_and_site_colours(tables) -> None:
    args = [tables[k] for k in ("sites", "links", "builds", "flows", "equipment")]
    fig = charts_map.network_map_figure(*args, scenario="late", period=2030)
    lines = _link_traces(fig)
    assert [t.name for t in lines] == ["bb84", "mdi"]
    widths = {t.name: t.line.width for t in lines}
    assert widths["bb84"] == pytest.approx(9.5)  # max flow 20 bit/s → full width
    assert widths["mdi"] == pytest.approx(1.5 + 8 * 4 / 20)
    sites = {t.name: list(t.text) for t in fig.data if t.mode == "markers+text"}
    assert sites == {  # a site's colour is its most advanced equipment: B has a relay
        "sites: relays": ["B"],
        "sites: trusted nodes": ["A"],
        "sites: no equipment": ["C"],
    }
    assert fig.layout.xaxis.title.text == "Longitude (°)"
    assert fig.layout.yaxis.title.text == "Latitude (°)"
    assert {t.type for t in fig.data} == {"scatter"}  # plain lon/lat axes: no tiles needed

    early_2025 = charts_map.network_map_figure(
        *args, scenario="late", period=2025, color_by="phase"
    )
    assert [t.name for t in _link_traces(early_2025)] == ["I"]


def test_network_map_links_follow_routes_in_fixed_colours_on_a_fixed_extent(tables) -> None:
    """MDI A–C runs A>B>C (its relay at B), not the straight chord A–C; bb84 is the same
    blue in both runs and every period; the axes do not move between periods; the MDI link
    bought in 2030 has a gold halo in 2030 only; the coast is drawn from the bundled outline."""
    from engine.palette import EQUIPMENT_COLOURS, TECH_COLOURS

    args = [tables[k] for k in ("sites", "links", "builds", "flows", "equipment")]
    figs = {
        (run, p): charts_map.network_map_figure(*args, scenario=run, period=p)
        for run in ("early", "late")
        for p in (2025, 2030)
    }
    late = figs["late", 2030]
    mdi = next(t for t in _link_traces(late) if t.name == "mdi")
    assert list(mdi.x) == [0.0, 1.0, 2.0] and list(mdi.y) == [51.0, 52.0, 51.5]
    colours = {t.line.color for f in figs.values() for t in _link_traces(f) if t.name == "bb84"}
    assert colours == {TECH_COLOURS["bb84"]}
    relay_sites = [t for t in late.data if t.name == "sites: relays"]
    assert relay_sites[0].marker.color == EQUIPMENT_COLOURS["relay"]
    extents = {(tuple(f.layout.xaxis.range), tuple(f.layout.yaxis.range)) for f in figs.values()}
    assert len(extents) == 1
    (x0, x1), (y0, y1) = extents.pop()
    assert x0 < 0.0 and x1 > 2.0 and y0 < 51.0 and y1 > 52.0
    halos = [t for t in late.data if t.name == "links new in 2030"]
    assert len(halos) == 1 and list(halos[0].x) == [0.0, 1.0, 2.0]
    assert not [t for t in figs["late", 2025].data if t.name == "links new in 2030"]
    new_kit = [t for t in late.data if t.name == "equipment new in 2030"]
    assert list(new_kit[0].x) == [1.0]  # the relay at B
    [coast] = [t for t in late.data if t.name.startswith("coast")]
    points = [x for x in coast.x if x is not None]
    assert len(points) > 20 and all(x0 - 1 <= x <= x1 + 1 for x in points)


def test_network_map_draws_equipped_field_huts_as_diamonds(tables) -> None:
    """A field hut (kind "field") with a relay installed is a diamond without a label; an
    unused one is not drawn. Tables written before the ``kind`` column are told apart by
    the hut id ``A~B@91km``."""
    huts = pd.DataFrame(
        {
            "site": ["A~C@70km", "A~C@20km"],
            "name": ["field hut A–C 70 km", "field hut A–C 20 km"],
            "lon": [1.0, 0.3],
            "lat": [51.2, 51.1],
            "kind": "field",
            "scenario": "late",
        }
    )
    sites = pd.concat([tables["sites"].assign(kind="site"), huts], ignore_index=True)
    relay = pd.DataFrame(
        [(2030, "A~C@70km", "relay", True, True, "late")],
        columns=["period", "site", "equipment", "installed", "new", "scenario"],
    )
    equipment = pd.concat([tables["equipment"], relay], ignore_index=True)
    args = [sites, tables["links"], tables["builds"], tables["flows"], equipment]
    fig = charts_map.network_map_figure(*args, scenario="late", period=2030)
    [hut] = [t for t in fig.data if t.name.startswith("field huts")]
    assert hut.name == "field huts: relays"
    assert list(hut.text) == ["A~C@70km"] and hut.marker.symbol == "diamond"
    assert hut.mode == "markers"
    assert all(t.marker.symbol == "circle" for t in fig.data if t.name.startswith("sites"))
    assert charts_map.is_field_site(sites.drop(columns="kind")).tolist() == [False] * 6 + [True] * 2


def test_physics_figure_log_axis_drops_zero_and_draws_plob() -> None:
    rates = pd.DataFrame(
        {
            "model": ["decoy_bb84"] * 3 + ["tf_qkd"] * 3,
            "length_km": [0.0, 100.0, 200.0] * 2,
            "key_rate_bps": [1e6, 1e3, 0.0, 1e5, 1e4, 1e3],
        }
    )
    fig = charts.physics_figure(rates, plob_repetition_rate_hz=1e9)
    assert [t.name for t in fig.data] == ["decoy_bb84", "tf_qkd", "PLOB bound (1 GHz)"]
    assert list(fig.data[0].y) == [1e6, 1e3]
    plob = fig.data[2]
    # PLOB at 100 km, 0.2 dB/km: -log2(1 - 1e-2) bits/use x 1e9 uses/s
    i = int(np.argmin(np.abs(np.asarray(plob.x) - 100.0)))
    eta = 10 ** (-0.2 * plob.x[i] / 10)
    assert plob.y[i] == pytest.approx(-np.log2(1 - eta) * 1e9)
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.yaxis.title.text == "Secret key rate (bit/s)"
    assert fig.layout.xaxis.title.text == "Distance (km)"


def test_compare_figures_titles(tables) -> None:
    titles = [t for t, _ in charts.compare_figures(tables)]
    assert titles[0] == "Key served by phase" and "Roadmap timeline" not in titles
    assert len(titles) == 5


def test_phase_colours_fixed_and_absent_phase_not_drawn() -> None:
    """Run "b" never uses phase III: its panel has no III area (no zero-height red line);
    run "a" has one; phase colours are the palette's in both."""
    from engine.palette import PHASE_COLOURS

    phases = pd.DataFrame(
        {
            "scenario": ["a", "a", "a", "b", "b"],
            "period": [2025, 2030, 2030, 2025, 2030],
            "phase": ["I", "I", "III", "I", "I"],
            "served_bps": [5.0, 5.0, 2.0, 5.0, 6.0],
            "share": [1.0, 5 / 7, 2 / 7, 1.0, 1.0],
        }
    )
    fig = charts.served_by_phase_figure(phases)
    assert {(t.name, t.xaxis) for t in fig.data} == {("I", "x"), ("III", "x"), ("I", "x2")}
    assert list(_panel(fig, "III", "x").y) == [0.0, 2.0]
    assert {t.name: t.line.color for t in fig.data} == {
        "I": PHASE_COLOURS["I"],
        "III": PHASE_COLOURS["III"],
    }


def test_facet_axes_do_not_collide_and_labels_are_words(tables) -> None:
    """Only the left panel carries the y title (no overlap with the panel beside it); x
    ticks are whole years, tilted; legends are titled in words, never a raw column id."""
    for fig in (
        charts.served_by_phase_figure(tables["phases"]),
        charts.equipment_counts_figure(tables["equipment"]),
        charts.cumulative_cost_figure(tables["costs"]),
    ):
        assert fig.layout.yaxis.title.text and not fig.layout.yaxis2.title.text
        assert fig.layout.xaxis.tickangle == -45 and fig.layout.xaxis2.tickformat == "d"
        assert fig.layout.legend.title.text in {"Roadmap phase", "Site equipment", "Cost category"}
    cost = charts.cumulative_cost_figure(tables["costs"])
    assert not {t.name for t in cost.data} & {"capex_systems", "opex_systems"}


def test_trust_lines_that_coincide_stay_visible(tables) -> None:
    fig = charts.served_share_by_trust_figure(tables["served"])
    styles = {t.name: (t.line.width, t.line.dash) for t in fig.data}
    assert len(set(styles.values())) == len(styles) == 2  # trusted, partially trusted
    assert styles["trusted"][0] > styles["partially trusted"][0]


def test_runs_keep_their_colour_and_lane_whatever_is_shown(tables) -> None:
    """With every run named, "late" has one colour whether or not "early" is shown; runs
    adopting bb84 the same year sit in different lanes of its row, so neither is hidden."""
    both = charts.adoption_figure(tables["builds"], run_names=["early", "late"])
    late_only = charts.adoption_figure(
        tables["builds"][tables["builds"]["scenario"] == "late"], run_names=["early", "late"]
    )
    colours = {_traces(f, "late")[0].marker.color for f in (both, late_only)}
    assert len(colours) == 1
    y = {t.name: dict(zip(t.customdata, t.y, strict=True)) for t in both.data}
    assert y["early"]["bb84"] != y["late"]["bb84"]
    assert abs(y["early"]["bb84"] - y["late"]["bb84"]) < 1  # both within the bb84 row


def test_physics_curves_take_their_technologys_colour() -> None:
    """The Physics page's curves (``bb84 @ 1 GHz``) and max-length ticks are drawn in the
    technology's palette colour; the PLOB bound keeps its own."""
    import plotly.graph_objects as go

    from engine.palette import TECH_COLOURS, colour_by_technology

    fig = go.Figure([go.Scatter(name="tf @ 1 GHz"), go.Scatter(name="PLOB bound @ 1 GHz")])
    fig.add_shape(type="line", x0=1, x1=1, y0=0, y1=1, name="tf max length")
    colour_by_technology(fig)
    assert fig.data[0].line.color == TECH_COLOURS["tf"]
    assert fig.data[1].line.color is None
    assert fig.layout.shapes[0].line.color == TECH_COLOURS["tf"]
