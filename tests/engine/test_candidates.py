"""Candidate links on hand-made networks: hops, reach, relay sites, end-to-end links,
capacities recomputed from engine.physics, dominated-route pruning, big-M."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from engine import physics
from engine.capacity import reach_km
from engine.catalogue import load_catalogue
from engine.physics.repeater import repeater_key_rate_bps
from engine.pipeline import run_scenario
from engine.prepare import prepare
from engine.scenario import load_roadmap, load_scenario
from engine.tech_periods import model_tables, technology_periods
from optimizer.model_data import ModelData

ALPHA = 0.2
PERIODS = [2025, 2035]
TECHS = ["bb84", "mdi", "repeater", "satellite_trusted", "satellite_entangled"]


def _network(spans: list[tuple[str, str, float]], lon: dict[str, float], limits=None):
    sites = pd.DataFrame(
        {"site": list(lon), "name": list(lon), "lon": list(lon.values()), "lat": 50.0}
    )
    limits = limits or {}
    table = pd.DataFrame(
        {
            "span": [f"{a}-{b}" for a, b, _ in spans],
            "site_a": [a for a, _, _ in spans],
            "site_b": [b for _, b, _ in spans],
            "length_km": [length for *_, length in spans],
            "max_systems": [limits.get(f"{a}-{b}", math.nan) for a, b, _ in spans],
        }
    )
    graph = nx.Graph()
    for a, b, length in spans:
        graph.add_edge(a, b, length_km=length, span=f"{a}-{b}")
    return sites, table, graph


def _demands(rows: list[tuple[str, str, str, float]]):
    demands = pd.DataFrame(
        {
            "demand": [f"d{i}" for i in range(len(rows))],
            "site_a": [r[0] for r in rows],
            "site_b": [r[1] for r in rows],
            "trust": [r[2] for r in rows],
            "customer": "",
            "paths": 1,
        }
    )
    rates = pd.DataFrame(
        [(f"d{i}", p, r[3]) for i, r in enumerate(rows) for p in PERIODS],
        columns=["demand", "period", "key_rate_bps"],
    )
    return demands, rates


@pytest.fixture(scope="module")
def tech_periods():
    years = {m: 2024 for m in load_roadmap().milestone_ids} | {"mdi_in_telecom": 2030}
    return technology_periods(
        load_catalogue(), enabled=TECHS, periods=PERIODS, milestone_years=years
    )


# Line A-B-C-D (40, 60, 50 km) and a 400 km span D-E; E lies ~850 km east of A.
LINE = [("A", "B", 40.0), ("B", "C", 60.0), ("C", "D", 50.0), ("D", "E", 400.0)]
LON = {"A": 0.0, "B": 0.6, "C": 1.4, "D": 2.1, "E": 12.0}
LINE_DEMANDS = [
    ("A", "D", "trust_free", 100.0),
    ("A", "C", "trusted", 1.0e9),
    ("B", "E", "trusted", 50.0),
    ("A", "E", "trust_free", 10.0),
]


@pytest.fixture(scope="module")
def line(tech_periods):
    sites, spans, graph = _network(LINE, LON)
    demands, rates = _demands(LINE_DEMANDS)
    # floor 1 mbit/s: the entangled satellite makes ~0.1 bit/s, as Yin et al. Nature 582, 501
    # (2020) measured (0.12 bit/s over 1,120 km); a 1 bit/s floor would drop it
    tables = candidate_links_for(
        sites, spans, graph, demands, rates, tech_periods, min_key_rate_bps=1e-3
    )
    return tables, demands, rates, sites, spans


def candidate_links_for(
    sites, spans, graph, demands, rates, tech_periods, k=2, min_key_rate_bps=1.0
):
    from engine.candidates import candidate_links

    return candidate_links(
        sites=sites,
        spans=spans,
        graph=graph,
        demands=demands,
        demand_rates=rates,
        tech_periods=tech_periods,
        alpha_db_per_km=ALPHA,
        k_routes=k,
        min_key_rate_bps=min_key_rate_bps,
    )


def _rows(tech_periods, tech):
    return [dict(r) for r in tech_periods[tech_periods["tech"] == tech].to_dict("records")]


def _capacity(tables, link):
    cap = tables.capacity[tables.capacity["link"] == link]
    return dict(zip(cap["period"], cap["key_rate_per_system_bps"], strict=True))


def test_hop_links_per_span_and_reach_excludes_long_span(line, tech_periods):
    tables = line[0]
    links = tables.links.set_index("link")
    for link, route in [("bb84:A-B", "A>B"), ("bb84:B-C", "B>C"), ("bb84:C-D", "C>D")]:
        assert links.loc[link, "route"] == route
    reach = reach_km(_rows(tech_periods, "bb84"), alpha_db_per_km=ALPHA, min_key_rate_bps=1.0)
    assert 150.0 <= reach < 400.0
    bb84 = links[links["tech"] == "bb84"]
    # D-E (400 km) is beyond reach: no hop spans it, field huts cut it into segments
    assert not bb84["route"].isin(["D>E", "C>D>E"]).any()
    assert bb84["route"].str.startswith("D~E@").any()
    assert set(bb84.index) >= {"bb84:A-C", "bb84:A-D"}  # express hops within reach


def test_mdi_relay_site_is_the_middle_site(line):
    tables = line[0]
    links = tables.links.set_index("link")
    # A>B>C>D: sites at 0, 40, 100, 150 km; the midpoint 75 km is nearest C (25 km away)
    assert links.loc["mdi:A-D", "route"] == "A>B>C>D"
    assert links.loc["mdi:A-D", "relay_site"] == "C"
    sites = tables.link_sites[tables.link_sites["link"] == "mdi:A-D"]
    # the relay is the only site equipment: the end sites' terminals are in the system price
    assert set(zip(sites["site"], sites["equipment"], strict=True)) == {("C", "relay")}
    assert links.loc["mdi:A-C", "relay_site"] == "B"  # two-span hop, relay at B
    # one 40 km span: the relay is a field hut mid-span, 20 km from A, and it is priced
    assert links.loc["mdi:A-B", "relay_site"] == "A~B@20km"
    sites = tables.link_sites[tables.link_sites["link"] == "mdi:A-B"]
    assert set(zip(sites["site"], sites["equipment"], strict=True)) == {("A~B@20km", "relay")}


def test_end_to_end_links_only_where_demands_need_them(line):
    tables, demands = line[0], line[1]
    trust_free = {
        frozenset((a, b))
        for a, b, t in zip(demands["site_a"], demands["site_b"], demands["trust"], strict=True)
        if t == "trust_free"
    }
    links = tables.links
    for tech in ("repeater", "satellite_entangled"):
        ends = {
            frozenset(p)
            for p in zip(
                links.loc[links["tech"] == tech, "site_a"],
                links.loc[links["tech"] == tech, "site_b"],
                strict=True,
            )
        }
        assert ends and ends <= trust_free, tech
    assert set(links.loc[links["tech"] == "satellite_entangled", "link"]) == {
        "satellite_entangled:A-E"
    }
    assert set(links.loc[links["tech"] == "satellite_trusted", "link"]) == {"satellite_trusted:B-E"}
    assert "repeater:A-C" not in set(links["link"])  # A-C is a trusted demand
    sat = tables.link_sites[tables.link_sites["link"] == "satellite_trusted:B-E"]
    assert set(zip(sat["site"], sat["equipment"], strict=True)) == {
        ("B", "ground_station"),
        ("E", "ground_station"),
    }
    assert set(links.loc[links["tech"].str.startswith("satellite"), "route"]) == {"sat"}


def test_capacities_equal_physics(line, tech_periods):
    tables = line[0]
    bb84 = {r["period"]: r["params"] for r in _rows(tech_periods, "bb84")}
    for period, cap in _capacity(tables, "bb84:A-B").items():
        params = bb84[period] | {"alpha_db_per_km": ALPHA}
        # bb84 plans finite-key blocks since issue 18 (decoy_bb84_finite)
        rate = float(physics.decoy_bb84_finite(40.0, **params)[()])
        assert cap == pytest.approx(rate * 1e9, rel=1e-9)
    mdi = {r["period"]: r["params"] for r in _rows(tech_periods, "mdi")}
    cap = _capacity(tables, "mdi:A-D")
    assert cap[2025] == 0.0  # MDI milestone 2030: unavailable in 2025
    # relay at C: arms 100 and 50 km, fraction 2/3 rounded away from 1/2 to 1/50 steps: 0.68
    params = mdi[2035] | {"alpha_db_per_km": ALPHA, "relay_fraction": 0.68}
    assert cap[2035] == pytest.approx(float(physics.mdi_qkd(150.0, **params)[()]) * 1e9)
    # repeater A>B>C>D (150 km), one node at the midpoint 75 km: no site within 5 % of the
    # 75 km elementary link (C is 25 km away), so a field hut on span B-C, 35 km from B
    rep = {r["period"]: r["params"] for r in _rows(tech_periods, "repeater")}
    params = rep[2035] | {"alpha_db_per_km": ALPHA, "nesting_level": 1}
    assert _capacity(tables, "repeater:A-D")[2035] == pytest.approx(
        float(repeater_key_rate_bps(150.0, **params)[()])
    )
    nodes = tables.link_sites[tables.link_sites["link"] == "repeater:A-D"]
    assert set(zip(nodes["site"], nodes["equipment"], strict=True)) == {
        ("B~C@35km", "repeater_node")
    }
    sat = _rows(tech_periods, "satellite_trusted")[1]
    bits = physics.satellite_pass_key(repetition_rate_hz=1e8, **sat["params"])
    expected = float(bits) * sat["passes_per_day"] * sat["clear_sky_probability"] / 86400
    assert _capacity(tables, "satellite_trusted:B-E")[2035] == pytest.approx(expected)


def test_max_systems_is_demand_over_capacity(line):
    tables = line[0]
    links = tables.links.set_index("link")
    # bb84:A-B may carry every trusted demand: 1e9 + 50 bps in both periods
    cap = _capacity(tables, "bb84:A-B")
    expected = max(math.ceil((1.0e9 + 50.0) / c) for c in cap.values())
    assert links.loc["bb84:A-B", "max_systems"] == expected
    # the entangled satellite may carry trusted demands and the A-E trust-free one
    cap = _capacity(tables, "satellite_entangled:A-E")
    need = 1.0e9 + 50.0 + 10.0
    expected = min(1000, max(math.ceil(need / c) for c in cap.values() if c > 0))
    assert links.loc["satellite_entangled:A-E", "max_systems"] == expected


def test_pruning_drops_a_longer_route_with_no_other_use(tech_periods):
    # X-M-Y 50 + 50 km, and a detour X-W-M 30 + 30 km: both routes X-Y put the MDI relay at
    # M (the detour's midpoint, 55 km, is nearest M at 60 km); trust-free demand X-Y
    spans_list = [("X", "M", 50.0), ("M", "Y", 50.0), ("X", "W", 30.0), ("W", "M", 30.0)]
    lon = {"X": 0.0, "M": 0.7, "Y": 1.4, "W": 0.35}
    demands, rates = _demands([("X", "Y", "trust_free", 10.0)])
    sites, spans, graph = _network(spans_list, lon)
    tables = candidate_links_for(sites, spans, graph, demands, rates, tech_periods)
    mdi = tables.links[
        (tables.links["tech"] == "mdi")
        & (tables.links["site_a"] == "X")
        & (tables.links["site_b"] == "Y")
    ]
    # X>W>M>Y is longer, needs the same relay at M and has no span limit to dodge: dominated
    assert list(mdi["route"]) == ["X>M>Y"]
    # with a fibre limit on span X-M, the detour is an alternative worth keeping
    sites, spans, graph = _network(spans_list, lon, limits={"X-M": 4})
    tables = candidate_links_for(sites, spans, graph, demands, rates, tech_periods)
    mdi = tables.links[
        (tables.links["tech"] == "mdi")
        & (tables.links["site_a"] == "X")
        & (tables.links["site_b"] == "Y")
    ]
    assert sorted(mdi["route"]) == ["X>M>Y", "X>W>M>Y"]
    assert set(mdi["relay_site"]) == {"M"}
    assert mdi.set_index("route").loc["X>M>Y", "max_systems"] <= 4  # capped by the span


def test_a_relay_at_a_different_place_is_not_dominated(tech_periods):
    # triangle X-Y 100 km, X-Z-Y 40 + 70 km: the direct route's relay is a field hut
    # mid-span, the detour's is at Z; neither needs a subset of the other's equipment
    spans_list = [("X", "Y", 100.0), ("X", "Z", 40.0), ("Z", "Y", 70.0)]
    demands, rates = _demands([("X", "Y", "trust_free", 10.0)])
    sites, spans, graph = _network(spans_list, {"X": 0.0, "Y": 1.4, "Z": 0.5})
    tables = candidate_links_for(sites, spans, graph, demands, rates, tech_periods)
    mdi = tables.links[(tables.links["tech"] == "mdi") & (tables.links["site_a"] == "X")]
    mdi = mdi[mdi["site_b"] == "Y"].set_index("route")
    assert mdi["relay_site"].to_dict() == {"X>Y": "X~Y@50km", "X>Z>Y": "Z"}


def test_tables_form_valid_model_data(line, tech_periods):
    tables, demands, rates, sites, spans = line
    extra = model_tables(load_catalogue(), tech_periods)
    periods = pd.DataFrame(
        {
            "period": PERIODS,
            "years": 10,
            "discount_factor": [1.0, 0.6],
            "discounted_years": [10.0, 6.0],
            "end_discount_factor": [0.6, 0.4],
            "budget_eur": math.nan,
        }
    )
    data = ModelData(
        sites=tables.sites,
        spans=spans,
        periods=periods,
        demands=demands,
        demand_rates=rates,
        customer_sites=pd.DataFrame({"customer": [], "site": []}),
        links=tables.links,
        link_sites=tables.link_sites,
        link_spans=tables.link_spans,
        capacity=tables.capacity,
        **extra,
    )
    data.validate()
    # the network's sites first, then the field huts the links' nodes occupy
    network = tables.sites[tables.sites["kind"] == "site"]
    assert network[["site", "name", "lon", "lat"]].equals(sites)
    huts = set(tables.sites.loc[tables.sites["kind"] == "field", "site"])
    ends = set(tables.links["site_a"]) | set(tables.links["site_b"])  # span segments' huts
    assert "A~B@20km" in huts and huts <= set(tables.link_sites["site"]) | ends
    assert len(tables.capacity) == len(tables.links) * len(PERIODS)
    assert (tables.links["max_systems"] >= 1).all()


def test_a_span_beyond_reach_is_cut_by_trusted_relay_huts(tmp_path) -> None:
    """A 300 km span, bb84 only (tests/data/long_span.yaml). No single hop reaches, so the
    span is cut into the fewest equal segments within bb84's reach (plus its 1 dB margin),
    with field huts between (one grid for the best period's reach, one for the first
    period's if shorter); the trusted demand is served in every period by relaying at the
    huts, each with a trusted node, over a chain of segments from A to B."""
    path = Path(__file__).resolve().parents[1] / "data" / "long_span.yaml"
    prepared = prepare(load_scenario(path))
    links = prepared.model_data.links
    ends = set(links["site_a"]) | set(links["site_b"])
    assert {"A", "B"} <= ends and all(e in ("A", "B") or e.startswith("A~B@") for e in ends)
    assert len(links) >= 2 and (links["length_km"] <= 150 + 1).all()
    assert prepared.unservable.empty
    outcome = run_scenario(load_scenario(path), out_dir=tmp_path)
    assert outcome.has_plan
    equipment = pd.read_parquet(outcome.run_dir / "equipment.parquet")
    huts = set(equipment.loc[equipment["equipment"] == "trusted_node", "site"])
    assert huts and all(h.startswith("A~B@") for h in huts)
    flows = pd.read_parquet(outcome.run_dir / "flows.parquet")
    by_link = links.set_index("link")
    asked = prepared.model_data.demand_rates.set_index("period")["key_rate_bps"]
    assert set(asked.index) == {2025, 2030} and (asked > 0).all()
    carried = flows[flows["key_flow_bps"] >= flows["period"].map(asked) - 1e-6]
    assert set(carried["period"]) == {2025, 2030}
    for _period, f in carried.groupby("period"):
        chain = nx.Graph(
            list(
                zip(by_link.loc[f["link"], "site_a"], by_link.loc[f["link"], "site_b"], strict=True)
            )
        )
        assert nx.has_path(chain, "A", "B")
        assert set(chain.nodes) - {"A", "B"} <= huts
