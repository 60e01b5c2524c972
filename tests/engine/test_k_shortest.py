"""engine.k_shortest gives exactly networkx.shortest_simple_paths' paths, order and ties."""

from __future__ import annotations

import random
from itertools import islice

import networkx as nx
import pytest

from engine.candidate_routes import RouteFinder, route_of
from engine.k_shortest import shortest_simple_paths_lazy, unique_next_hops

WEIGHTS = [1, 2, 3, 1.5, 0.1 + 0.2, 0.3, 0.0, 1e-12]  # ties, near-ties, zero-length edges


def _random_graph(rng: random.Random) -> nx.Graph:
    kind = rng.randrange(3)
    n = rng.randint(4, 25)
    if kind == 0:  # geometric: float lengths, rare ties
        graph = nx.random_geometric_graph(n, 0.4, seed=rng.randrange(10**6))
        for u, v in graph.edges:
            (x1, y1), (x2, y2) = graph.nodes[u]["pos"], graph.nodes[v]["pos"]
            graph.edges[u, v]["w"] = 1000.0 * ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5
    elif kind == 1:  # integer-like lengths: many ties; some edges without the attribute
        graph = nx.gnm_random_graph(n, rng.randint(n - 1, 3 * n), seed=rng.randrange(10**6))
        for u, v in graph.edges:
            if rng.random() < 0.9:
                graph.edges[u, v]["w"] = rng.choice([*WEIGHTS, rng.random()])
    else:  # grids: many equal-length routes
        graph = nx.grid_2d_graph(rng.randint(2, 5), rng.randint(2, 5))
        for u, v in graph.edges:
            graph.edges[u, v]["w"] = rng.choice([1.0, 1.0, 0.1 + 0.2, 0.3, rng.random()])
    return nx.relabel_nodes(graph, {x: f"n{i}" for i, x in enumerate(graph.nodes)})


@pytest.mark.parametrize("seed", range(4))
def test_same_paths_as_networkx(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(10):
        graph = _random_graph(rng)
        k = rng.randint(1, 8)
        for target in graph.nodes:
            dist = nx.single_source_dijkstra_path_length(graph, target, weight="w")
            hops = unique_next_hops(graph, target, "w", dist)
            for source in rng.sample(list(graph.nodes), min(6, len(graph))):
                if source == target or source not in dist:
                    continue
                want = list(islice(nx.shortest_simple_paths(graph, source, target, "w"), k))
                for next_hop in (hops, None):
                    got = shortest_simple_paths_lazy(graph, source, target, "w", dist, next_hop)
                    assert list(islice(got, k)) == want


def test_unique_next_hops_leaves_out_ties() -> None:
    graph = nx.Graph()
    graph.add_weighted_edges_from([("a", "b", 1), ("b", "d", 1), ("a", "c", 1), ("c", "d", 1)])
    graph.add_edge("d", "e", weight=2)
    dist = nx.single_source_dijkstra_path_length(graph, "e")
    hops = unique_next_hops(graph, "e", "weight", dist)
    assert hops == {"e": "e", "d": "e", "b": "d", "c": "d"}  # a: two equal routes


def test_route_finder_matches_fresh_searches() -> None:
    rng = random.Random(7)
    graph = nx.random_geometric_graph(30, 0.3, seed=3)
    for u, v in graph.edges:
        graph.edges[u, v]["length_km"] = float(rng.randint(5, 60))  # integer km: ties
    graph = nx.relabel_nodes(graph, {x: f"s{x:02d}" for x in graph.nodes})
    finder = RouteFinder(graph)
    nodes = sorted(graph.nodes)
    for reach, k in [(80.0, 2), (200.0, 3), (50.0, 1), (1e9, 4)]:  # shared, extended cache
        for a in nodes[:8]:
            for b in nodes[8:16]:
                want = []
                if nx.has_path(graph, a, b):
                    for path in islice(nx.shortest_simple_paths(graph, a, b, "length_km"), k):
                        route = route_of(graph, path)
                        if route.length_km > reach:
                            break
                        want.append(route)
                assert list(finder.within(a, b, k, reach)) == want
