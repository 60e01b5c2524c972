"""Where a link's nodes go (sites or field huts) and the extra loss its physics sees, on
networks small enough to check by hand (docs/candidates.md, "Nodes" and "Extra loss")."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from engine import physics
from engine.candidate_routes import route_of
from engine.candidates import candidate_links
from engine.capacity import key_rate_per_system_bps
from engine.catalogue import load_catalogue
from engine.link_layouts import ExtraLoss, FieldSites, chain_layouts, encoded_layout, midpoint_node
from engine.prepare import prepare
from engine.scenario import load_roadmap, load_scenario
from engine.tech_periods import technology_periods

ALPHA = 0.2
PERIODS = [2025, 2035]


def _graph(spans: list[tuple[str, str, float]]) -> nx.Graph:
    graph = nx.Graph()
    for a, b, length in spans:
        graph.add_edge(a, b, length_km=length, span=f"{a}-{b}")
    return graph


def _candidates(spans, coords, demands, techs, *, spacing=None, **kw):
    """candidate_links on a hand-made network: ``coords`` site -> (lon, lat), ``demands``
    (a, b, trust); milestones in 2024, so every technology is available in both periods."""
    sites = pd.DataFrame(
        [(s, s, lon, lat) for s, (lon, lat) in coords.items()],
        columns=["site", "name", "lon", "lat"],
    )
    table = pd.DataFrame(
        [(f"{a}-{b}", a, b, length, math.nan) for a, b, length in spans],
        columns=["span", "site_a", "site_b", "length_km", "max_systems"],
    )
    dem = pd.DataFrame(
        [(f"d{i}", a, b, t, "", 1) for i, (a, b, t) in enumerate(demands)],
        columns=["demand", "site_a", "site_b", "trust", "customer", "paths"],
    )
    rates = pd.DataFrame(
        [(f"d{i}", p, 10.0) for i in range(len(demands)) for p in PERIODS],
        columns=["demand", "period", "key_rate_bps"],
    )
    years = {m: 2024 for m in load_roadmap().milestone_ids}
    tp = technology_periods(load_catalogue(), enabled=techs, periods=PERIODS, milestone_years=years)
    if spacing is not None:  # as the catalogue's max_node_spacing_km would set it
        tp["max_node_spacing_km"] = [spacing.get(t) for t in tp["tech"]]
    tables = candidate_links(
        sites=sites,
        spans=table,
        graph=_graph(spans),
        demands=dem,
        demand_rates=rates,
        tech_periods=tp,
        alpha_db_per_km=ALPHA,
        min_key_rate_bps=1e-6,
        **kw,
    )
    return tables, tp


def _equipment(tables, link: str) -> set[tuple[str, str]]:
    rows = tables.link_sites[tables.link_sites["link"] == link]
    return set(zip(rows["site"], rows["equipment"], strict=True))


def _rate(tp, tech: str, period: int, length_km: float, **kwargs) -> float:
    row = tp[(tp["tech"] == tech) & (tp["period"] == period)].iloc[0].to_dict()
    return float(key_rate_per_system_bps(row, length_km, alpha_db_per_km=ALPHA, **kwargs)[0])


def _capacity(tables, link: str) -> dict[int, float]:
    cap = tables.capacity[tables.capacity["link"] == link]
    return dict(zip(cap["period"], cap["key_rate_per_system_bps"], strict=True))


# ------------------------------------------------------------------------- field relays


def test_field_relay_on_a_two_site_line_has_an_id_coordinates_and_a_price():
    """A-B is one 100 km span, A at (0°, 50°), B at (2°, 51°): the TF relay and the memory
    station sit mid-span, 50 km from A, at one field hut A~B@50km, halfway between the
    sites on the map (1°, 50.5°). With a 1 dB margin per arm (5 km at 0.2 dB/km), TF is
    modelled at 2 x (50 + 5) = 110 km."""
    tables, tp = _candidates(
        [("A", "B", 100.0)],
        {"A": (0.0, 50.0), "B": (2.0, 51.0)},
        [("A", "B", "trust_free")],
        ["tf", "mdi_memory"],
        link_margin_db=1.0,
    )
    links = tables.links.set_index("link")
    assert links.loc["tf:A-B", "relay_site"] == "A~B@50km"
    assert _equipment(tables, "tf:A-B") == {("A~B@50km", "relay")}
    assert _equipment(tables, "mdi_memory:A-B") == {("A~B@50km", "memory_station")}
    field = tables.sites[tables.sites["kind"] == "field"]
    assert field.to_dict("records") == [
        {
            "site": "A~B@50km",
            "name": "field hut A–B 50 km",
            "lon": 1.0,
            "lat": 50.5,
            "kind": "field",
        }
    ]
    assert list(tables.sites.loc[tables.sites["kind"] == "site", "site"]) == ["A", "B"]
    assert _capacity(tables, "tf:A-B")[2035] == pytest.approx(_rate(tp, "tf", 2035, 110.0))


def test_field_hut_id_is_the_span_and_the_whole_km_from_its_first_site():
    """UKQN's Bristol-Reading span (181.8 km): the midpoint 90.9 km becomes the hut 91 km
    from Bristol, whichever way the route runs (90.8 km from Reading)."""
    graph = _graph([("Bristol", "Reading", 181.8)])
    fields = FieldSites({"Bristol": (-2.59, 51.45), "Reading": (-0.97, 51.45)})
    there = midpoint_node(route_of(graph, ["Bristol", "Reading"]), fields)
    back = midpoint_node(route_of(graph, ["Reading", "Bristol"]), fields)
    assert there.site == back.site == "Bristol~Reading@91km"
    assert (there.position_km, back.position_km) == pytest.approx((91.0, 90.8))
    [(_, name, lon, lat)] = fields.rows({"Bristol~Reading@91km"})
    assert name == "field hut Bristol–Reading 91 km"
    assert (lon, lat) == pytest.approx((-2.59 + 91.0 / 181.8 * 1.62, 51.45))


def test_links_at_the_same_place_share_one_field_hut():
    """A-B-C, two 100 km spans: the TF hops' relays sit mid-span (A~B@50km, B~C@50km) and
    the two-level repeater chain A-C needs nodes at 50, 100 and 150 km: the same two huts
    and site B. One hut, one row in the sites table, serving both technologies."""
    tables, _ = _candidates(
        [("A", "B", 100.0), ("B", "C", 100.0)],
        {"A": (0.0, 50.0), "B": (1.0, 50.0), "C": (2.0, 50.0)},
        [("A", "C", "trust_free")],
        ["tf", "repeater"],
    )
    assert _equipment(tables, "tf:A-B") == {("A~B@50km", "relay")}
    chains = tables.links[tables.links["tech"] == "repeater"]["link"]
    layouts = {link: {s for s, _ in _equipment(tables, link)} for link in chains}
    assert {"A~B@50km", "B", "B~C@50km"} in layouts.values()
    field = tables.sites.loc[tables.sites["kind"] == "field", "site"].tolist()
    assert field.count("A~B@50km") == 1 and field.count("B~C@50km") == 1


# ----------------------------------------------------------------------------- extra loss


def test_bypassed_sites_and_margins_lengthen_the_channel():
    """Line A-B-C-D (40, 60, 50 km), 1 dB per bypassed site (5 km at 0.2 dB/km) and a
    0.5 dB margin per optical link (2.5 km):
    - express BB84 A-D passes B and C: 150 + 2 x 5 + 2.5 = 162.5 km;
    - the BB84 hop A-B passes nothing: 40 + 2.5 = 42.5 km;
    - MDI A-D with its relay at C: arm A-C passes B, 100 + 5 + 2.5 = 107.5 km, arm C-D
      50 + 2.5 = 52.5 km; 160 km in all, the long arm's share 0.672 rounded up to 0.68."""
    tables, tp = _candidates(
        [("A", "B", 40.0), ("B", "C", 60.0), ("C", "D", 50.0)],
        {"A": (0.0, 50.0), "B": (0.6, 50.0), "C": (1.4, 50.0), "D": (2.1, 50.0)},
        [("A", "D", "trust_free")],
        ["bb84", "mdi"],
        bypass_loss_db=1.0,
        link_margin_db=0.5,
    )
    for period in PERIODS:
        expected = _rate(tp, "bb84", period, 162.5)
        assert _capacity(tables, "bb84:A-D")[period] == pytest.approx(expected)
        assert _capacity(tables, "bb84:A-B")[period] == pytest.approx(
            _rate(tp, "bb84", period, 42.5)
        )
    assert tables.links.set_index("link").loc["mdi:A-D", "relay_site"] == "C"
    mdi = _rate(tp, "mdi", 2035, 160.0, relay_fraction=0.68)
    assert mdi > 0 and _capacity(tables, "mdi:A-D")[2035] == pytest.approx(mdi)


def test_loss_turns_into_fibre_km_at_the_scenario_attenuation():
    loss = ExtraLoss.from_db(alpha_db_per_km=0.2, bypass_loss_db=1.5, link_margin_db=1.0)
    assert (loss.bypass_km, loss.margin_km) == pytest.approx((7.5, 5.0))


# ------------------------------------------------------------------------ repeater nodes


def test_first_generation_nodes_at_the_equal_spacing_points():
    """A-B 100 km, B-C 200 km, elementary links at most 100 km: one level (two 150 km
    links) is too long; two levels put nodes at 75, 150 and 225 km (B, at 100 km, is not
    within 5 % of a 75 km link of any of them): huts A~B@75km, B~C@50km, B~C@125km, four
    75 km links, modelled as 4 x 75 = 300 km. Three levels (37.5 km, ids to the km) fit
    too; a site within 5 % of a point is used instead of a hut."""
    graph = _graph([("A", "B", 100.0), ("B", "C", 200.0)])
    fields = FieldSites({"A": (0.0, 0.0), "B": (1.0, 0.0), "C": (3.0, 0.0)})
    route = route_of(graph, ["A", "B", "C"])
    layouts = chain_layouts(
        route, nesting_level=3, max_spacing_km=100.0, loss=ExtraLoss(), fields=fields
    )
    assert [lay.kwargs for lay in layouts] == [{"nesting_level": 2}, {"nesting_level": 3}]
    two = layouts[0]
    assert [n.site for n in two.nodes] == ["A~B@75km", "B~C@50km", "B~C@125km"]
    assert two.effective_km == pytest.approx(300.0)
    # B at 149 km is within 5 % of the 150 km link from the midpoint: the node goes there
    near = route_of(_graph([("A", "B", 149.0), ("B", "C", 151.0)]), ["A", "B", "C"])
    [one] = chain_layouts(
        near, nesting_level=1, max_spacing_km=None, loss=ExtraLoss(), fields=fields
    )
    assert [n.site for n in one.nodes] == ["B"] and one.effective_km == pytest.approx(302.0)


def test_hut_grid_moves_chain_nodes_to_shared_points_and_rates_them_as_placed():
    """One 100 km span A-B, a 10 km hut grid (ten 10 km parts). Two levels want nodes at
    25, 50 and 75 km; the grid puts them at 30, 50 and 80 km (halves up), so the links are
    30, 20, 30 and 20 km and the model gets 4 x 30 = 120 km. One level's node (50 km) is
    the same hut, and the chain in the other direction uses the same huts."""
    graph = _graph([("A", "B", 100.0)])
    fields = FieldSites({"A": (0.0, 0.0), "B": (1.0, 0.0)}, grid_km=10.0)
    there = route_of(graph, ["A", "B"])
    one, two = chain_layouts(
        there, nesting_level=2, max_spacing_km=None, loss=ExtraLoss(), fields=fields
    )
    assert [n.site for n in two.nodes] == ["A~B@30km", "A~B@50km", "A~B@80km"]
    assert [n.position_km for n in two.nodes] == pytest.approx([30.0, 50.0, 80.0])
    assert two.effective_km == pytest.approx(120.0)
    assert [n.site for n in one.nodes] == ["A~B@50km"] and one.effective_km == 100.0
    back = chain_layouts(
        route_of(graph, ["B", "A"]), nesting_level=2, max_spacing_km=None,
        loss=ExtraLoss(), fields=fields,
    )  # fmt: skip
    # from B, 25 and 75 km are 75 and 25 km from A: grid points 80 and 30 km (halves up)
    assert {n.site for n in back[1].nodes} == {"A~B@30km", "A~B@50km", "A~B@80km"}


def test_hut_grid_of_an_uneven_span_and_of_a_span_too_short_for_it():
    """A 95 km span on a 10 km grid has round(9.5) = 10 parts of 9.5 km: the midpoint
    (47.5 km) is hut 5, at 47.5 km. A 12 km span has one part, no grid point inside: the
    node falls back to the whole km nearest its ideal place (6 km)."""
    fields = FieldSites({"A": (0.0, 0.0), "B": (1.0, 0.0)}, grid_km=10.0)
    uneven = route_of(_graph([("A", "B", 95.0)]), ["A", "B"])
    assert fields.chain_node(uneven, 47.5).site == "A~B@47.5km"
    short = route_of(_graph([("A", "B", 12.0)]), ["A", "B"])
    assert fields.chain_node(short, 6.0).site == "A~B@6km"


def test_repeater_chain_link_prices_every_node_and_rates_the_layout():
    tables, tp = _candidates(
        [("A", "B", 100.0), ("B", "C", 200.0)],
        {"A": (0.0, 50.0), "B": (1.0, 50.0), "C": (3.0, 50.0)},
        [("A", "C", "trust_free")],
        ["repeater"],
        spacing={"repeater": 100.0},
    )
    first = tables.links[tables.links["tech"] == "repeater"]["link"].iloc[0]
    assert _equipment(tables, first) == {
        ("A~B@75km", "repeater_node"),
        ("B~C@50km", "repeater_node"),
        ("B~C@125km", "repeater_node"),
    }
    expected = _rate(tp, "repeater", 2035, 300.0, nesting_level=2)
    assert _capacity(tables, first)[2035] == pytest.approx(expected)


def test_encoded_chain_bypasses_close_sites_and_splits_long_spans_on_a_grid():
    """A-B 10 km, B-C 30 km, C-D 80 km, elementary links of at most 60 km. From A one link
    reaches C (40 km, bypassing B); C-D is too long for one link, so the span gets its own
    grid: two 40 km parts, a hut 40 km from C (C~D@40km). Nodes C and the hut, three links,
    the longest 40 km: the model gets node_spacing_km 40, n_links 3 and 3 x 40 km. With
    1 dB per bypassed site and a 1 dB margin per link (5 km each) the first link is
    40 + 5 + 5 = 50 km, still within 60: the same nodes, modelled as 3 x 50 km."""
    graph = _graph([("A", "B", 10.0), ("B", "C", 30.0), ("C", "D", 80.0)])
    fields = FieldSites({s: (float(i), 0.0) for i, s in enumerate("ABCD")})
    route = route_of(graph, list("ABCD"))
    plain = encoded_layout(route, max_spacing_km=60.0, loss=ExtraLoss(), fields=fields)
    assert [n.site for n in plain.nodes] == ["C", "C~D@40km"]
    assert plain.kwargs == {"node_spacing_km": 40.0, "n_links": 3}
    assert plain.effective_km == pytest.approx(120.0)
    lossy = ExtraLoss.from_db(alpha_db_per_km=0.2, bypass_loss_db=1.0, link_margin_db=1.0)
    both = encoded_layout(route, max_spacing_km=60.0, loss=lossy, fields=fields)
    assert [n.site for n in both.nodes] == ["C", "C~D@40km"]
    assert both.kwargs == {"node_spacing_km": 50.0, "n_links": 3}
    # at 4 dB per bypassed site (20 km) A-C would be 60 + 5 km: B becomes a node
    heavy = ExtraLoss.from_db(alpha_db_per_km=0.2, bypass_loss_db=4.0, link_margin_db=1.0)
    stops = encoded_layout(route, max_spacing_km=60.0, loss=heavy, fields=fields)
    assert [n.site for n in stops.nodes] == ["B", "C", "C~D@40km"]
    # a margin as long as the spacing leaves no room for fibre: no chain
    hopeless = ExtraLoss(margin_km=60.0)
    assert encoded_layout(route, max_spacing_km=60.0, loss=hopeless, fields=fields) is None
    # without a spacing (catalogue without max_node_spacing_km): a node at every site
    free = encoded_layout(route, max_spacing_km=None, loss=ExtraLoss(), fields=fields)
    assert [n.site for n in free.nodes] == ["B", "C"] and free.kwargs == {}


def test_encoded_chains_share_the_huts_of_a_span_and_pass_their_spacing_on():
    """The chains A-D and B-D of the line above both split C-D at the hut C~D@40km (one
    site, two chains); each link's rate is the model's with its own spacing and links."""
    tables, tp = _candidates(
        [("A", "B", 10.0), ("B", "C", 30.0), ("C", "D", 80.0)],
        {"A": (0.0, 50.0), "B": (0.1, 50.0), "C": (0.5, 50.0), "D": (1.6, 50.0)},
        [("A", "D", "trust_free"), ("B", "D", "trust_free")],
        ["repeater_qec"],
        spacing={"repeater_qec": 60.0},
    )
    both = {("C", "repeater_node"), ("C~D@40km", "repeater_node")}
    assert _equipment(tables, "repeater_qec:A-D") == both
    assert _equipment(tables, "repeater_qec:B-D") == both
    for link, km in (("repeater_qec:A-D", 40.0), ("repeater_qec:B-D", 40.0)):
        expected = _rate(tp, "repeater_qec", 2035, 3 * km, node_spacing_km=km, n_links=3)
        assert _capacity(tables, link)[2035] == pytest.approx(expected)


def test_physics_of_a_field_relay_link_is_the_papers_model():
    """The TF rate of the two-site line above, straight from engine.physics."""
    tables, tp = _candidates(
        [("A", "B", 100.0)],
        {"A": (0.0, 50.0), "B": (2.0, 51.0)},
        [("A", "B", "trust_free")],
        ["tf"],
    )
    row = tp[(tp["tech"] == "tf") & (tp["period"] == 2035)].iloc[0]
    params = row["params"] | {"alpha_db_per_km": ALPHA}
    expected = float(physics.tf_qkd(100.0, **params)[()]) * row["repetition_rate_hz"]
    assert _capacity(tables, "tf:A-B")[2035] == pytest.approx(expected, rel=1e-9)


def test_ukqn_express_hop_pays_for_the_sites_it_passes():
    """bb84:BuryStEdmunds-London_WestEnd (UK Quantum Network) runs 193.5 km and passes
    Newmarket, Cambridge and London_City. At 1 dB per bypassed site its physics length is
    193.5 + 3 x 5 = 208.5 km, at 1.5 dB 193.5 + 3 x 7.5 = 216 km (margin 0 here). With the
    physics of HEAD 501089f that was 3,964 -> 586 -> 0 bit/s in 2030 (issue 17); whatever
    the BB84 model, the engine's rate is the model's at those lengths, and a link that
    makes less than the 1 bit/s floor in every period is not a candidate."""
    ukqn = Path(__file__).resolve().parents[2] / "scenarios" / "uk-quantum-network.yaml"
    link = "bb84:BuryStEdmunds-London_WestEnd"
    for bypass_db, km in ((1.0, 208.5), (1.5, 216.0)):
        overrides = [
            "technologies.enabled=[bb84]",
            f"network.bypass_loss_db={bypass_db}",
            "network.link_margin_db=0",
        ]
        prepared = prepare(load_scenario(ukqn, overrides=overrides))
        tp = prepared.tech_periods
        expected = {int(p): _rate(tp, "bb84", int(p), km) for p in tp["period"]}
        links = prepared.model_data.links.set_index("link")
        if max(expected.values()) < 1.0:
            assert link not in links.index
            continue
        assert links.loc[link, "route"].count(">") == 4  # three sites passed
        assert _capacity(prepared.model_data, link) == pytest.approx(expected)
