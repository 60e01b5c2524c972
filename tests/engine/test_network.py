"""engine.network: every loader path, every input check, bundled data; and the k shortest
routes candidate links use on the loaded networks (engine.candidate_routes)."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from engine.candidate_routes import RouteFinder
from engine.errors import QroadInputError
from engine.network import MIN_SPAN_KM, Network, haversine_km, load_network
from optimizer.model_data import SCHEMA

DATA = Path(__file__).resolve().parents[2] / "data"


def _write(folder: Path, sites: str, spans: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sites.csv").write_text(sites)
    (folder / "spans.csv").write_text(spans)
    return folder


def _inline(spans: list[dict], **kw) -> Network:
    sites = [
        {"id": "A", "lon": 0.0, "lat": 0.0},
        {"id": "B", "lon": 1.0, "lat": 0.0},
        {"id": "C", "lon": 2.0, "lat": 0.0},
    ]
    return load_network(sites=kw.pop("sites", sites), spans=spans, data_dir=DATA, **kw)


# ----------------------------------------------------------------------------- topohub


@pytest.fixture(scope="module")
def janet() -> Network:
    return load_network(topology="topohub:topozoo/Janetbackbone", data_dir=DATA)


def test_janet_counts_lengths_and_ids(janet: Network) -> None:
    # topohub lists 28 nodes and 43 edges with no two edges between the same pair, so
    # nothing is dropped. 4 edges join co-located PoPs at 0.0 km (London/LMN,
    # Glasgow/Clydenet, Telehouse/Telecity, Telehouse/London: same rounded coordinates);
    # they become MIN_SPAN_KM = 1 km each, so the total is 5,453.2 + 4 × 1 = 5,457.2 km.
    assert (len(janet.sites), len(janet.spans)) == (28, 43)
    assert janet.spans["length_km"].sum() == pytest.approx(5457.2)
    zero = janet.spans[janet.spans["length_km"] == MIN_SPAN_KM]
    assert len(zero) == 4 and len(janet.notes) == 4
    # names are unique in Janet, so they are the ids; TVN-Reading is topohub's 2.85 km
    assert {"London", "Bristol", "Glasgow"} <= set(janet.sites["site"])
    first = janet.spans.iloc[0]
    assert (first["span"], first["site_a"], first["site_b"]) == ("S0001", "TVN", "Reading")
    assert first["length_km"] == pytest.approx(2.85)
    assert janet.sndlib_demands is None  # Janet has no demand matrix
    assert nx.is_connected(janet.graph) and janet.graph.number_of_edges() == 43


def test_tables_match_the_model_data_contract(janet: Network) -> None:
    assert list(janet.sites.columns) == list(SCHEMA["sites"])
    assert list(janet.spans.columns) == list(SCHEMA["spans"])
    assert isinstance(janet.sites.index, pd.RangeIndex)
    assert janet.spans["max_systems"].isna().all()  # unlimited unless a file says otherwise
    assert all(isinstance(s, str) for s in janet.sites["site"])


def test_germany50_carries_its_sndlib_matrix() -> None:
    net = load_network(topology="topohub:sndlib/germany50", data_dir=DATA)
    assert (len(net.sites), len(net.spans)) == (50, 88)
    dem = net.sndlib_demands
    assert dem is not None and len(dem) == 662  # 662 non-zero directed entries
    assert set(dem["site_a"]) | set(dem["site_b"]) <= set(net.sites["site"])
    essen_duesseldorf = dem[(dem.site_a == "Essen") & (dem.site_b == "Duesseldorf")]
    assert essen_duesseldorf["value"].tolist() == [34.0]


def test_unknown_topohub_key_suggests_similar_keys() -> None:
    with pytest.raises(QroadInputError) as err:
        load_network(topology="topohub:topozoo/Janetbackbon", data_dir=DATA, file="s.yaml")
    e = err.value
    assert (e.file, e.path) == ("s.yaml", "network.topology")
    assert "topohub:topozoo/Janetbackbone" in e.allowed


# ----------------------------------------------------------------------------- CSV pair


def test_csv_pair_lengths_ids_and_parallel_spans(tmp_path: Path) -> None:
    _write(
        tmp_path / "nets" / "tri",
        "site,name,lon,lat,role\nA,Alpha,0,0,x\nB,,1,0,y\nC,Gamma,2,0,z\n",
        "site_a,site_b,length_km,max_systems,note\n"
        "A,B,100,4,first\nB,C,,,computed\nB,A,80,,parallel and shorter\n",
    )
    with pytest.warns(UserWarning, match="parallel spans"):
        net = load_network(topology="nets/tri", data_dir=tmp_path)
    assert net.name == "tri"
    assert net.sites["name"].tolist() == ["Alpha", "B", "Gamma"]  # empty name -> id
    spans = net.spans.set_index("span")
    # the A-B pair keeps its first position (S0001) but the shorter 80 km length
    assert spans.loc["S0001", "length_km"] == 80.0 and math.isnan(spans.loc["S0001", "max_systems"])
    # B-C: 1 degree of longitude on the equator = 6371 * pi / 180 = 111.19 km, x 1.25
    assert spans.loc["S0002", "length_km"] == pytest.approx(111.195 * 1.25, abs=0.01)
    assert len(net.spans) == 2 and net.notes == (
        "parallel spans B-A: kept the shortest of 100.0 and 80.0 km",
    )


def test_csv_found_under_networks_and_relative_to_scenario(tmp_path: Path) -> None:
    _write(
        tmp_path / "data" / "networks" / "duo",
        "site,lon,lat\nA,0,0\nB,0,1\n",
        "site_a,site_b,length_km,max_systems\nA,B,50,8\n",
    )
    net = load_network(topology="duo", data_dir=tmp_path / "data")
    assert net.spans["max_systems"].tolist() == [8.0]
    _write(
        tmp_path / "scen" / "mine",
        "site,lon,lat\nX,0,0\nY,0,1\n",
        "site_a,site_b,length_km\nX,Y,7\n",
    )
    net = load_network(topology="./mine", data_dir=tmp_path, scenario_dir=tmp_path / "scen")
    assert net.spans["length_km"].tolist() == [7.0]


def test_csv_missing_columns_name_the_file(tmp_path: Path) -> None:
    folder = _write(tmp_path / "bad", "site,lon\nA,0\n", "site_a,site_b,length_km\n")
    with pytest.raises(QroadInputError, match="missing columns") as err:
        load_network(topology=str(folder), data_dir=tmp_path)
    assert err.value.file == str(folder / "sites.csv") and "lat" in err.value.allowed


def test_csv_bad_length_names_the_line(tmp_path: Path) -> None:
    folder = _write(
        tmp_path / "neg", "site,lon,lat\nA,0,0\nB,1,0\n", "site_a,site_b,length_km\nA,B,-3\n"
    )
    with pytest.raises(QroadInputError, match="positive") as err:
        load_network(topology=str(folder), data_dir=tmp_path)
    assert (err.value.path, err.value.value) == ("line 2.length_km", "-3")


def test_missing_network_lists_known_ones(tmp_path: Path) -> None:
    with pytest.raises(QroadInputError, match="not found") as err:
        load_network(topology="nowhere", data_dir=DATA, file="s.yaml")
    assert err.value.path == "network.topology" and "uk_quantum_network" in err.value.allowed


# ----------------------------------------------------------------------------- GraphML


def test_graphml_topology_zoo_style(tmp_path: Path) -> None:
    g = nx.MultiGraph()
    g.add_node("0", label="London", Longitude=-0.1276, Latitude=51.5072)
    g.add_node("1", label="Paris", Longitude=2.3522, Latitude=48.8566)
    g.add_node("2", label="Calais", Longitude=1.86, Latitude=50.95)
    g.add_edge("0", "2", length_km=150.0)
    g.add_edge("2", "1")
    g.add_edge("0", "2", length_km=170.0)  # parallel edge, longer: dropped
    nx.write_graphml(g, tmp_path / "tiny.graphml")
    with pytest.warns(UserWarning, match="parallel"):
        net = load_network(topology="tiny.graphml", data_dir=tmp_path)
    lengths = {frozenset((r.site_a, r.site_b)): r.length_km for r in net.spans.itertuples()}
    assert len(lengths) == 2 and lengths[frozenset(("London", "Calais"))] == 150.0
    calais_paris = haversine_km(1.86, 50.95, 2.3522, 48.8566) * 1.25  # no length_km on edge
    assert lengths[frozenset(("Calais", "Paris"))] == pytest.approx(calais_paris)
    assert net.name == "tiny"


def test_graphml_without_coordinates(tmp_path: Path) -> None:
    g = nx.Graph()
    g.add_node("a", label="Alpha", lon=0.0, lat=0.0)
    g.add_node("b", label="Beta")
    g.add_edge("a", "b", length_km=10.0)
    nx.write_graphml(g, tmp_path / "nocoord.graphml")
    with pytest.raises(QroadInputError, match="no coordinates") as err:
        load_network(topology="nocoord.graphml", data_dir=tmp_path)
    assert err.value.path == "nodes[b]" and err.value.value == "Beta"


def test_graphml_bad_length(tmp_path: Path) -> None:
    g = nx.Graph()
    g.add_node("a", lon=0.0, lat=0.0)
    g.add_node("b", lon=1.0, lat=0.0)
    g.add_edge("a", "b", length_km=0.0)
    nx.write_graphml(g, tmp_path / "zero.graphml")
    with pytest.raises(QroadInputError, match="positive") as err:
        load_network(topology="zero.graphml", data_dir=tmp_path)
    assert err.value.path == "edges[0].length_km"


# ----------------------------------------------------------------------------- inline


def test_inline_london_paris_haversine() -> None:
    net = load_network(
        sites=[
            {"id": "LON", "name": "London", "lon": -0.1276, "lat": 51.5072},
            {"id": "PAR", "lon": 2.3522, "lat": 48.8566},
        ],
        spans=[{"a": "LON", "b": "PAR"}],
        route_factor=1.0,
        data_dir=DATA,
    )
    # London-Paris great circle is about 344 km (published city-to-city distance)
    assert net.spans["length_km"].iloc[0] == pytest.approx(343.5, abs=0.5)
    assert net.sites["name"].tolist() == ["London", "PAR"]
    assert net.graph.edges["LON", "PAR"] == {
        "length_km": net.spans["length_km"].iloc[0],
        "span": "S0001",
    }


@pytest.mark.parametrize(
    ("spans", "path", "message"),
    [
        ([{"a": "A", "b": "B", "length_km": 0}], "network.spans[0].length_km", "positive"),
        ([{"a": "A", "b": "B", "length_km": -5}], "network.spans[0].length_km", "positive"),
        ([{"a": "A", "b": "B", "length_km": math.inf}], "network.spans[0].length_km", "positive"),
        ([{"a": "A", "b": "B", "length_km": "far"}], "network.spans[0].length_km", "positive"),
        ([{"a": "A", "b": "Z"}, {"a": "B", "b": "C"}], "network.spans[0].b", "unknown site"),
        ([{"a": "A", "b": "A"}], "network.spans[0]", "itself"),
        ([{"a": "A"}], "network.spans[0]", "needs a and b"),
        ([{"a": "A", "b": "B", "max_systems": -1}], "network.spans[0].max_systems", "number"),
    ],
)
def test_inline_span_errors(spans: list[dict], path: str, message: str) -> None:
    with pytest.raises(QroadInputError, match=message) as err:
        _inline([*spans, {"a": "B", "b": "C"}], file="net.yaml")
    assert (err.value.file, err.value.path) == ("net.yaml", path)


def test_disconnected_network_names_components() -> None:
    sites = [{"id": s, "lon": float(i), "lat": 0.0} for i, s in enumerate("ABCDE")]
    spans = [{"a": "A", "b": "B"}, {"a": "B", "b": "C"}, {"a": "D", "b": "E"}]
    with pytest.raises(QroadInputError, match="not connected") as err:
        load_network(sites=sites, spans=spans, data_dir=DATA, file="s.yaml")
    assert "2 components (3 sites incl. 'A'; 2 sites incl. 'D')" in err.value.message
    assert err.value.value == 2


def test_duplicate_site_ids_and_bad_coordinates() -> None:
    dup = [{"id": "A", "lon": 0, "lat": 0}, {"id": "A", "lon": 1, "lat": 0}]
    with pytest.raises(QroadInputError, match="duplicate site id") as err:
        load_network(sites=dup, spans=[], data_dir=DATA)
    assert err.value.path == "network.sites[1].id"
    bad = [{"id": "A", "lon": 0, "lat": 95}, {"id": "B", "lon": 1, "lat": 0}]
    with pytest.raises(QroadInputError, match="number") as err:
        load_network(sites=bad, spans=[], data_dir=DATA)
    assert err.value.path == "network.sites[0].lat"


def test_topology_and_inline_are_exclusive_and_route_factor_checked() -> None:
    with pytest.raises(QroadInputError, match="exactly one"):
        load_network(topology="uk_quantum_network", sites=[], spans=[], data_dir=DATA)
    with pytest.raises(QroadInputError, match="route factor") as err:
        _inline([{"a": "A", "b": "B"}, {"a": "B", "b": "C"}], route_factor=0.5)
    assert err.value.path == "network.route_factor"


# ----------------------------------------------------------------------------- routes


def _shortest(net: Network, a: str, b: str, k: int = 1) -> list[tuple[list[str], float]]:
    """The k shortest routes a -> b as candidate links see them: (sites, length in km)."""
    routes = RouteFinder(net.graph).within(a, b, k, math.inf)
    return [(list(r.sites), r.length_km) for r in routes]


def test_k_shortest_routes_on_a_hand_made_graph() -> None:
    # A-B-D = 1 + 1 = 2 km, A-C-D = 2 + 2 = 4 km, A-D direct = 5 km, A-B-C-D = 1+3+2 = 6 km
    net = load_network(
        sites=[{"id": s, "lon": float(i), "lat": 0.0} for i, s in enumerate("ABCD")],
        spans=[
            {"a": "A", "b": "B", "length_km": 1},
            {"a": "B", "b": "D", "length_km": 1},
            {"a": "A", "b": "C", "length_km": 2},
            {"a": "C", "b": "D", "length_km": 2},
            {"a": "A", "b": "D", "length_km": 5},
            {"a": "B", "b": "C", "length_km": 3},
        ],
        data_dir=DATA,
    )
    assert _shortest(net, "A", "D", 4) == [
        (["A", "B", "D"], 2.0),
        (["A", "C", "D"], 4.0),
        (["A", "D"], 5.0),
        (["A", "B", "C", "D"], 6.0),
    ]
    assert _shortest(net, "A", "D", 1) == [(["A", "B", "D"], 2.0)]
    assert [r.sites for r in RouteFinder(net.graph).within("A", "D", 4, 4.0)] == [
        ("A", "B", "D"),
        ("A", "C", "D"),
    ]  # the routes up to the first one longer than the reach (4 km)
    assert _shortest(net, "A", "D", 0) == []
    with pytest.raises(nx.NodeNotFound):
        _shortest(net, "A", "Q", 2)


# ----------------------------------------------------------------------------- bundled data


def test_beijing_shanghai_matches_its_sources() -> None:
    net = load_network(topology="networks/beijing_shanghai", data_dir=DATA)
    roles = pd.read_csv(DATA / "networks" / "beijing_shanghai" / "sites.csv")["role"]
    assert (len(net.sites), len(net.spans)) == (37, 36)
    assert (roles == "trusted relay (position assumed)").sum() == 32
    assert nx.is_connected(net.graph)
    # SOURCES.md: ~2,000 km backbone (1,999.9 km after rounding) + 142 km to Xinglong
    backbone = net.spans[~net.spans["site_b"].eq("Xinglong")]["length_km"].sum()
    assert backbone == pytest.approx(2000.0, rel=0.001)
    assert net.spans["length_km"].sum() == pytest.approx(2141.9, abs=0.1)
    ((route, _),) = _shortest(net, "Beijing", "Shanghai")
    assert len(route) == 36 and {"Jinan", "Hefei"} <= set(route)  # 4 cities + 32 relays


def test_uk_quantum_network_matches_its_sources() -> None:
    net = load_network(topology="uk_quantum_network", data_dir=DATA)
    assert (len(net.sites), len(net.spans)) == (9, 8)
    assert nx.is_connected(net.graph)
    assert net.spans["length_km"].sum() == pytest.approx(535.0, abs=0.1)
    ((_, bristol_cambridge),) = _shortest(net, "Bristol", "Cambridge")
    ((route, cambridge_adastral),) = _shortest(net, "Cambridge", "AdastralPark")
    assert bristol_cambridge == pytest.approx(410.0, abs=0.1)
    assert cambridge_adastral == pytest.approx(125.0, abs=0.1)
    assert route == ["Cambridge", "Newmarket", "BuryStEdmunds", "AdastralPark"]
