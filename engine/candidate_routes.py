"""Routes on the fibre graph for candidate links: k shortest routes, the relay site.

Helpers of ``engine.candidates`` (rules there and in docs/candidates.md). A ``Route`` is a
simple path of sites with its fibre length, the spans it occupies and each site's distance
from the first site.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import networkx as nx
import pandas as pd

from engine.k_shortest import margin, shortest_simple_paths_lazy, unique_next_hops

EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Route:
    """A simple path of sites: length (km), spans occupied, cumulative distance per site."""

    sites: tuple[str, ...]
    spans: tuple[str, ...]
    positions_km: tuple[float, ...]

    @property
    def length_km(self) -> float:
        return self.positions_km[-1]

    @property
    def text(self) -> str:
        """``"A>B>C"``."""
        return ">".join(self.sites)

    def reversed(self) -> Route:
        total = self.length_km
        return Route(
            sites=self.sites[::-1],
            spans=self.spans[::-1],
            positions_km=tuple(total - p for p in self.positions_km[::-1]),
        )


def route_of(graph: nx.Graph, path: list[Any]) -> Route:
    """The ``Route`` along ``path`` (consecutive sites must be joined by spans)."""
    positions, spans = [0.0], []
    for u, v in pairwise(path):
        edge = graph.edges[u, v]
        positions.append(positions[-1] + float(edge["length_km"]))
        spans.append(str(edge.get("span", f"{u}-{v}")))
    return Route(tuple(str(s) for s in path), tuple(spans), tuple(positions))


class RouteFinder:
    """The k shortest simple routes within a reach, for many site pairs and technologies on
    one graph.

    Routes are those of ``nx.shortest_simple_paths(graph, a, b, weight="length_km")``, in its
    order; each pair's routes are computed once, as far as some caller has asked, and shared
    by every technology (they differ only in ``k`` and the reach). The search is
    ``engine.k_shortest.shortest_simple_paths_lazy``, which skips spur searches that cannot
    win; distances to each target come from one Dijkstra per target.
    """

    def __init__(self, graph: nx.Graph) -> None:
        self.graph = graph
        self._component = {
            node: i for i, nodes in enumerate(nx.connected_components(graph)) for node in nodes
        }
        self._dist: dict[Any, dict[Any, float]] = {}
        self._hops: dict[Any, tuple[dict[Any, Any], float]] = {}
        self._routes: dict[tuple[str, str], tuple[list[Route], Iterator[list[Any]] | None]] = {}

    def distances(self, node: Any) -> dict[Any, float]:
        """Shortest fibre distance (km) from ``node`` to every node connected to it: the
        values of ``nx.shortest_path_length(graph, node, x, weight="length_km")``."""
        if node not in self._dist:
            self._dist[node] = nx.single_source_dijkstra_path_length(
                self.graph, node, weight="length_km"
            )
        return self._dist[node]

    def _next_hops(self, target: Any) -> tuple[dict[Any, Any], float]:
        """``unique_next_hops`` towards ``target`` and the margin (km) they use."""
        if target not in self._hops:
            dist = self.distances(target)
            hops = unique_next_hops(self.graph, target, "length_km", dist)
            self._hops[target] = (hops, margin(dist))
        return self._hops[target]

    def within(self, a: str, b: str, k: int, max_length_km: float) -> Iterator[Route]:
        """Up to ``k`` shortest simple routes a→b (in that direction) no longer than
        ``max_length_km`` (km): the routes up to the first longer one."""
        if a == b:
            return
        for node in (a, b):
            if node not in self._component:
                raise nx.NodeNotFound(f"Node {node} not in graph")
        if self._component[a] != self._component[b]:
            return
        if (a, b) not in self._routes:
            paths = shortest_simple_paths_lazy(
                self.graph, a, b, "length_km", self.distances(b), *self._next_hops(b)
            )
            self._routes[(a, b)] = ([], paths)
        routes, paths = self._routes[(a, b)]
        for i in range(k):
            if i == len(routes):
                path = next(paths, None) if paths is not None else None
                if path is None:
                    self._routes[(a, b)] = (routes, None)
                    return
                routes.append(route_of(self.graph, path))
            if routes[i].length_km > max_length_km:
                return
            yield routes[i]


def relay_position(route: Route) -> tuple[str, float]:
    """(intermediate site nearest the route's length midpoint, its distance from the start).

    ``("", length/2)`` when the route has no intermediate site (relay mid-span).
    """
    middle = route.length_km / 2.0
    inner = range(1, len(route.sites) - 1)
    if not inner:
        return "", middle
    best = nearest_index(route.positions_km, inner.start, inner.stop, middle)
    return route.sites[best], route.positions_km[best]


def nearest_index(positions: tuple[float, ...], lo: int, hi: int, target: float) -> int:
    """Index i in [lo, hi) minimising (|positions[i] − target|, i); ``positions`` (km) must
    be non-decreasing (cumulative distances), so only the two values around ``target``
    (the first index of each) can be nearest."""
    right = bisect_left(positions, target, lo, hi)
    best = None
    if right > lo:
        left = bisect_left(positions, positions[right - 1], lo, hi)
        best = (abs(positions[left] - target), left)
    if right < hi:
        best = min(best or (math.inf, hi), (abs(positions[right] - target), right))
    assert best is not None
    return best[1]


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance (km) between (lon, lat) points in degrees, Earth radius 6371 km."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2
    h += math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2.0 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _pair(a: Any, b: Any) -> tuple[str, str]:
    a, b = str(a), str(b)
    return (a, b) if a <= b else (b, a)


def _sites_by_customer(customer_sites: pd.DataFrame) -> dict[str, list[str]]:
    """Each customer's sites (as ``str``, in table order); rows without a customer skipped
    (as ``groupby("customer")`` does)."""
    out: dict[str, list[str]] = {}
    for customer, site in zip(customer_sites["customer"], customer_sites["site"], strict=True):
        if not pd.isna(customer):
            out.setdefault(str(customer), []).append(str(site))
    return out


def end_to_end_pairs(
    routes: RouteFinder,
    demands: pd.DataFrame,
    customer_sites: pd.DataFrame | None,
    satellite_min_distance_km: float,
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]]]:
    """(end-to-end pairs, trusted-satellite pairs, entangled-satellite pairs), each sorted.

    End-to-end pairs: endpoints of trust_free and partial demands, plus every pair of sites
    of a customer that has partial demands. Satellite pairs: trusted-demand endpoints
    (trusted satellite) or end-to-end pairs (entangled satellite) whose shortest fibre route
    is longer than ``satellite_min_distance_km`` or missing; the fibre distances come from
    ``routes`` (one Dijkstra per site, shared with the route searches that follow).
    """
    trust = demands["trust"].astype(str)
    e2e = {
        _pair(a, b)
        for a, b in zip(
            demands.loc[trust != "trusted", "site_a"],
            demands.loc[trust != "trusted", "site_b"],
            strict=True,
        )
        if a != b
    }
    if customer_sites is not None and len(customer_sites):
        partial_customers = set(demands.loc[trust == "partial", "customer"].astype(str))
        for customer, sites in _sites_by_customer(customer_sites).items():
            if customer in partial_customers:
                own = sorted(sites)
                e2e |= {(a, b) for i, a in enumerate(own) for b in own[i + 1 :]}
    trusted = {
        _pair(a, b)
        for a, b in zip(
            demands.loc[trust == "trusted", "site_a"],
            demands.loc[trust == "trusted", "site_b"],
            strict=True,
        )
        if a != b
    }

    def far(pair: tuple[str, str]) -> bool:
        try:
            length = routes.distances(pair[0])[pair[1]]
        except (KeyError, nx.NodeNotFound):
            return True
        return float(length) > satellite_min_distance_km

    return sorted(e2e), sorted(p for p in trusted if far(p)), sorted(p for p in e2e if far(p))


def direct_pairs(
    demands: pd.DataFrame, customer_sites: pd.DataFrame | None
) -> set[tuple[str, str]]:
    """Site pairs whose end-to-end links are ``direct`` (serve only demands between them).

    Demand endpoints of any trust class, except pairs of sites of a customer with
    ``partial`` demands that owns three or more sites: there an end-to-end link between two
    of its sites is also a hop for its key relayed at its own third site, so it stays
    ``relay``.
    """
    out = {_pair(a, b) for a, b in zip(demands["site_a"], demands["site_b"], strict=True) if a != b}
    if customer_sites is not None and len(customer_sites):
        trust = demands["trust"].astype(str)
        partial_customers = set(demands.loc[trust == "partial", "customer"].astype(str))
        for customer, sites in _sites_by_customer(customer_sites).items():
            own = sorted(set(sites))
            if customer in partial_customers and len(own) >= 3:
                out -= {(a, b) for i, a in enumerate(own) for b in own[i + 1 :]}
    return out
