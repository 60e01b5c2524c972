"""k shortest simple paths, path for path the same as ``networkx.shortest_simple_paths``.

``networkx.shortest_simple_paths`` (Yen's algorithm) runs one bidirectional Dijkstra per
node of the previous path ("spur" searches) before it yields the next path. Most of those
searches cannot win, and most of the rest have an obvious answer. ``KShortest`` gives the
same paths in the same order with far fewer searches:

- a spur at node u costs at least the root's length plus, over u's allowed neighbours w,
  the edge u-w plus the *unrestricted* distance from w to the target. Each spur search is
  kept as a lazy entry keyed by that bound and run only when the bound comes within a
  tolerance of the best path found so far (skipped ones could never be popped);
- when that best neighbour w beats the others by a margin and w's shortest path to the
  target is unique by a margin (``unique_next_hops``) and avoids the ignored nodes and
  edges, the spur is that path: every other allowed path is longer by more than the
  margin, so networkx's search returns it too. Its cost is then known only up to float
  rounding, so when two queued paths come within the tolerance of each other their costs
  are recomputed by networkx's own search before one is chosen;
- likewise the first path is read from ``unique_next_hops`` when it is unique.

Ties are broken as networkx does (cost, then the order in which it pushes spur paths), and
its search (``_bidirectional_dijkstra``, with the same ignored nodes and edges) computes
every cost that decides an order. ``tests/engine/test_k_shortest.py`` compares the two.

Distances are in the unit of the edge attribute ``weight`` (km for the fibre graph).
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass
from itertools import count, pairwise
from typing import Any

import networkx as nx

try:  # networkx's own search with ignored nodes and edges (its shortest_simple_paths uses it)
    from networkx.algorithms.simple_paths import _bidirectional_dijkstra
except ImportError:  # a private function: if a networkx release drops it, use networkx's path
    _bidirectional_dijkstra = None

Path = list[Hashable]
# relative tolerance (on path lengths) inside which two lengths are treated as possibly
# equal: float rounding of the sums is ~1e-15 relative, far below it
REL_TOL = 1e-9


def _edge_weight(graph: nx.Graph, weight: str, u: Hashable, v: Hashable) -> Any:
    """The weight networkx reads for edge u-v (1 when the attribute is absent)."""
    return graph.get_edge_data(u, v).get(weight, 1)


def _limit(cost: float) -> float:
    """Largest value that might still equal ``cost`` up to rounding (``REL_TOL``)."""
    return float(cost) + REL_TOL * max(1.0, abs(float(cost)))


def margin(dist_to_target: Mapping[Hashable, float]) -> float:
    """Length difference (unit of ``weight``) counted as a clear win: ``REL_TOL`` x the
    largest distance (at least 1)."""
    return REL_TOL * max(1.0, *(float(d) for d in dist_to_target.values()))


@dataclass(frozen=True)
class _Spur:
    """One spur search as networkx runs it: from ``root[-1]``, ignoring nodes and edges."""

    root: Path
    nodes: set
    edges: set
    root_length: Any


def shortest_simple_paths_lazy(
    graph: nx.Graph,
    source: Hashable,
    target: Hashable,
    weight: str,
    dist_to_target: Mapping[Hashable, float],
    next_hop: Mapping[Hashable, Hashable] | None = None,
    delta: float | None = None,
) -> Iterator[Path]:
    """Simple paths from ``source`` to ``target`` in the order of
    ``nx.shortest_simple_paths(graph, source, target, weight=weight)`` (undirected graphs).

    ``dist_to_target``: shortest distance (unit of ``weight``) from every node that reaches
    ``target`` to it, e.g. ``nx.single_source_dijkstra_path_length(graph, target,
    weight=weight)``; ``next_hop``: ``unique_next_hops`` of those distances (optional; it
    saves most searches); ``delta``: their ``margin`` (computed when omitted). Raises
    ``nx.NetworkXNoPath`` like networkx when no path exists.
    """
    if graph.is_directed() or graph.is_multigraph() or _bidirectional_dijkstra is None:
        yield from nx.shortest_simple_paths(graph, source, target, weight=weight)
        return
    delta = margin(dist_to_target) if delta is None else delta
    search = KShortest(graph, target, weight, dist_to_target, next_hop or {}, delta)
    yield from search.paths(source)


class KShortest:
    """Yen's algorithm towards one target, with lazy and shortcut spur searches."""

    def __init__(
        self,
        graph: nx.Graph,
        target: Hashable,
        weight: str,
        dist: Mapping[Hashable, float],
        hop: Mapping[Hashable, Hashable],
        delta: float,
    ) -> None:
        self.graph, self.target, self.weight, self.dist, self.hop = graph, target, weight, dist, hop
        self.delta = delta  # margin(dist)
        self.order = count()  # networkx's push order (its tie-break among equal costs)
        self.lazy: list[tuple[float, int, _Spur]] = []  # (lower bound, order, search)
        # (cost, order, path, search or None when the cost is networkx's own)
        self.done: list[tuple[float, int, Path, _Spur | None]] = []
        self.first_push: dict[tuple, int] = {}  # a path counts at its earliest push only

    def _chain(self, node: Hashable) -> Path:
        path = [node]
        while path[-1] != self.target:
            path.append(self.hop[path[-1]])
        return path

    def paths(self, source: Hashable) -> Iterator[Path]:
        """The simple paths from ``source``, shortest first (networkx's order)."""
        if source in self.hop:
            first = self._chain(source)
        else:
            _length, first = _bidirectional_dijkstra(
                self.graph, source, self.target, weight=self.weight
            )
        yield first
        found = [first]
        while True:
            self._add_spurs(found[-1], found)
            path = self._pop()
            if path is None:
                return
            yield path
            found.append(path)

    def _pop(self) -> Path | None:
        """Next path in networkx's order, running only the searches that may decide it."""
        lazy, done = self.lazy, self.done
        while True:
            if lazy and (not done or lazy[0][0] <= _limit(done[0][0])):
                _bound, n, spur = heapq.heappop(lazy)
                found = self._quick(spur) or self._search(spur)
                if found is not None:
                    self._push(*found, n, spur if found[2] else None)
                continue
            if not done:
                return None
            cost, n, path, _spur = done[0]
            if self.first_push.get(tuple(path)) != n:
                heapq.heappop(done)  # a later push of a path already in networkx's buffer
                continue
            close = [e for e in done if e[0] <= _limit(cost) and self._valid(e)]
            if len(close) > 1 and any(e[3] is not None for e in close):
                self._exact([e for e in close if e[3] is not None])
                continue
            heapq.heappop(done)
            return path

    def _valid(self, entry: tuple) -> bool:
        return self.first_push.get(tuple(entry[2])) == entry[1]

    def _push(self, cost: float, path: Path, _approx: bool, n: int, spur: _Spur | None) -> None:
        key = tuple(path)
        if key not in self.first_push or n <= self.first_push[key]:  # == when made exact
            self.first_push[key] = n
            heapq.heappush(self.done, (cost, n, path, spur))

    def _exact(self, entries: list[tuple]) -> None:
        """Replace shortcut costs by networkx's (its search gives the same paths)."""
        self.done[:] = [e for e in self.done if all(e is not x for x in entries)]
        heapq.heapify(self.done)
        for _cost, n, path, spur in entries:
            found = self._search(spur)
            if found is None or found[1] != path:  # cannot happen (module docstring)
                del self.first_push[tuple(path)]
            if found is not None:
                self._push(*found, n, None)

    def _search(self, spur: _Spur) -> tuple[float, Path, bool] | None:
        """networkx's spur search: (root length + length, path, False) or None."""
        try:
            length, tail = _bidirectional_dijkstra(
                self.graph, spur.root[-1], self.target, ignore_nodes=spur.nodes,
                ignore_edges=spur.edges, weight=self.weight,
            )  # fmt: skip
        except nx.NetworkXNoPath:
            return None
        return spur.root_length + length, spur.root[:-1] + tail, False

    def _allowed(self, spur: _Spur) -> Iterator[tuple[float, Hashable]]:
        """(edge + distance to the target, neighbour) over the spur node's allowed edges."""
        u = spur.root[-1]
        for w in self.graph.neighbors(u):
            if (
                w not in spur.nodes
                and w in self.dist
                and (u, w) not in spur.edges
                and (w, u) not in spur.edges
            ):
                yield float(_edge_weight(self.graph, self.weight, u, w)) + self.dist[w], w

    def _quick(self, spur: _Spur) -> tuple[float, Path, bool] | None:
        """The spur path without a search when it is clear (see the module docstring):
        (approximate cost, path, True), else None."""
        options = sorted(self._allowed(spur), key=lambda o: o[0])
        if not options or options[0][1] not in self.hop:
            return None
        if len(options) > 1 and options[1][0] <= options[0][0] + self.delta:
            return None
        u = spur.root[-1]
        tail = [u, *self._chain(options[0][1])]
        if any(v in spur.nodes or v == u for v in tail[1:]) or any(
            (x, y) in spur.edges or (y, x) in spur.edges for x, y in pairwise(tail)
        ):
            return None
        return float(spur.root_length) + options[0][0], spur.root[:-1] + tail, True

    def _add_spurs(self, prev: Path, found: list[Path]) -> None:
        """Queue the spur searches networkx runs after yielding ``prev`` (same ignored sets)."""
        ignore_nodes: set = set()
        ignore_edges: set = set()
        for i in range(1, len(prev)):
            root = prev[:i]
            root_length = sum(
                _edge_weight(self.graph, self.weight, u, v) for u, v in pairwise(root)
            )
            for path in found:
                if path[:i] == root:
                    ignore_edges.add((path[i - 1], path[i]))
            spur = _Spur(root, set(ignore_nodes), set(ignore_edges), root_length)
            bound = min((value for value, _w in self._allowed(spur)), default=None)
            n = next(self.order)
            if bound is not None:  # otherwise networkx's search finds no path either
                heapq.heappush(self.lazy, (float(root_length) + bound, n, spur))
            ignore_nodes.add(root[-1])


def unique_next_hops(
    graph: nx.Graph, target: Hashable, weight: str, dist_to_target: Mapping[Hashable, float]
) -> dict[Hashable, Hashable]:
    """Next node towards ``target`` for every node whose shortest path to it is unique by a
    margin (``target`` maps to itself); nodes with near-ties are left out.

    An edge v-w is "near-tight" when dist(w) + weight(v, w) - dist(v) <= delta (``margin``).
    Any path from v to the target is longer than the shortest by the sum of its edges'
    slacks, so when v's near-tight edges lead to the target along one path only, every
    other path is longer by more than delta, far beyond float rounding: any exact search,
    networkx's included, returns that path. Paths are counted (capped at 2) in order of
    distance.
    """
    delta = margin(dist_to_target)
    paths: dict[Hashable, int] = {target: 1}
    hop: dict[Hashable, Hashable] = {target: target}
    for v, d_v in sorted(dist_to_target.items(), key=lambda item: item[1]):
        if v == target:
            continue
        total, via = 0, None
        for w in graph.neighbors(v):
            if w not in dist_to_target:
                continue
            w_vw = float(_edge_weight(graph, weight, v, w))
            if dist_to_target[w] + w_vw - d_v > delta:
                continue
            # a near-zero edge may join nodes of (almost) equal distance: not counted safely
            total += paths.get(w, 2) if w_vw > 2.0 * delta else 2
            via = w
        paths[v] = min(total, 2)
        if total == 1:
            hop[v] = via
    return hop
