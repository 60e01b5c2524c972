"""Where a candidate link's nodes go, and how long its channel looks to the physics.

Helpers of ``engine.candidates`` (rules in docs/candidates.md, "Nodes" and "Extra loss").
Every node a technology needs (an MDI/TF relay, a memory station, a repeater node) is placed
at a site on the link's route or, where no site lies at the right place, at a field hut
(``FieldSites``); either way it is priced as that technology's equipment there.

Extra loss enters the physics as extra fibre length, loss_dB / alpha (``ExtraLoss``):
``bypass_loss_db`` for every site a fibre path passes without stopping, and
``link_margin_db`` once per optical link, i.e. per fibre path between two devices (a
point-to-point link, each arm of a relay link, each elementary link of a repeater chain).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from engine.candidate_routes import Route, nearest_index, relay_position

SNAP_FRACTION = 0.05  # a repeater node within 5 % of an elementary link of a site goes there
SNAP_MIN_KM = 0.5  # and any node within 0.5 km of a site (hut ids are to the whole km)
_EPS = 1e-9


@dataclass(frozen=True)
class Node:
    """A node of a link: a site id (of the network or a field hut) and its distance (km)
    along the route from the route's first site."""

    site: str
    position_km: float


@dataclass(frozen=True)
class Layout:
    """Nodes of a link in route order, the length (km) its physics model is called with,
    and the model's extra keyword arguments."""

    nodes: tuple[Node, ...]
    effective_km: float
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ExtraLoss:
    """Loss beyond the fibre's, as equivalent fibre km: per bypassed site and per optical
    link (margin)."""

    bypass_km: float = 0.0
    margin_km: float = 0.0

    @classmethod
    def from_db(
        cls, *, alpha_db_per_km: float, bypass_loss_db: float, link_margin_db: float
    ) -> ExtraLoss:
        return cls(bypass_loss_db / alpha_db_per_km, link_margin_db / alpha_db_per_km)

    def links_km(self, route: Route, nodes: tuple[Node, ...] | list[Node]) -> list[float]:
        """Loss-equivalent length (km) of each optical link between consecutive nodes, the
        route's ends included: fibre + margin + bypass x the route sites it passes."""
        return self.between(route, [0.0, *(n.position_km for n in nodes), route.length_km])

    def between(self, route: Route, cuts: list[float]) -> list[float]:
        """Loss-equivalent lengths (km) of the optical links between consecutive positions
        ``cuts`` (km along ``route``, in order)."""
        inner = route.positions_km[1:-1]
        out = []
        for p, q in pairwise(cuts):
            bypassed = sum(1 for x in inner if p + _EPS < x < q - _EPS)
            out.append((q - p) + self.margin_km + bypassed * self.bypass_km)
        return out


@dataclass(frozen=True)
class _SpanPoint:
    """A point on a route's span ``k`` (route sites k, k + 1): the span's end sites in
    sorted order ``a``, ``b``, its length and the point's distance from ``a`` (km);
    ``forward`` when the route runs from ``a`` to ``b``. Huts are placed by this distance,
    so both directions of travel name the same hut."""

    k: int
    a: str
    b: str
    span: float
    offset: float
    forward: bool

    @classmethod
    def of(cls, route: Route, position_km: float) -> _SpanPoint:
        pos = route.positions_km
        k = min(max(i for i in range(len(pos)) if pos[i] <= position_km + _EPS), len(pos) - 2)
        u, v = route.sites[k], route.sites[k + 1]
        forward = u <= v
        offset = position_km - pos[k] if forward else pos[k + 1] - position_km
        a, b = (u, v) if forward else (v, u)
        return cls(k, a, b, pos[k + 1] - pos[k], offset, forward)

    def end(self, route: Route, at_a: bool) -> Node:
        """The span's end site ``a`` (``at_a``) or ``b``, as a node of ``route``."""
        i = self.k if at_a == self.forward else self.k + 1
        return Node(route.sites[i], route.positions_km[i])


class FieldSites:
    """Field huts: nodes between sites, shared by every link that puts a node at the same
    place.

    A hut's id is ``A~B@91km``: the end sites of the fibre span holding it, in sorted order,
    and its distance from the first along the span, rounded to the whole km; its lon/lat are
    interpolated linearly along the span by that distance (spans are drawn as straight lines
    between their sites).
    """

    def __init__(
        self, coords: dict[str, tuple[float, float]], grid_km: float | None = None
    ) -> None:
        self.coords = coords
        self.grid_km = grid_km  # repeater-chain nodes on each span's hut grid (None: whole km)
        self._huts: dict[str, tuple[str, str, float, float]] = {}  # id -> a, b, km, span km

    def node(self, route: Route, position_km: float, *, on_site: bool = True) -> Node:
        """The node at ``position_km`` along ``route``: a hut at the whole km of its span
        nearest that point, or (``on_site``) the span's end site when that whole km is the
        site itself (only within 0.5 km of a site). With ``on_site`` false (a relay, which
        must not sit at its own link's end) a span shorter than 1 km gets its hut at its
        middle, its distance written to 0.1 km."""
        at = _SpanPoint.of(route, position_km)
        km: float = math.floor(at.offset + 0.5 + 1e-6)  # halves round up, either direction
        text = f"{km:.0f}"
        if km <= 0 or km >= at.span:
            if on_site:
                return at.end(route, km <= 0)
            km = round(at.span / 2.0, 1) or at.span / 2.0
            text = f"{km:g}"
        return self._hut(route, at, km, text)

    def chain_node(self, route: Route, position_km: float) -> Node:
        """A repeater-chain node in the field near ``position_km``: without ``grid_km``,
        ``node``'s whole-km hut; with it, the nearest point of its span's hut grid: the
        span split into ``p = max(1, round(length / grid_km))`` equal parts (halves up),
        counted from the sorted-first end site, so every chain crossing the span shares the
        same huts. A grid point at an end is that site; a span of one part has no grid point
        inside and gets ``node``'s whole-km hut instead. The node is at most half a part
        (about ``grid_km / 2``) from ``position_km``; callers measure their links from where
        it is."""
        if self.grid_km is None:
            return self.node(route, position_km)
        at = _SpanPoint.of(route, position_km)
        parts = max(1, math.floor(at.span / self.grid_km + 0.5))
        if parts == 1:
            return self.node(route, position_km)
        j = min(max(math.floor(at.offset / (at.span / parts) + 0.5), 0), parts)  # halves up
        if j in (0, parts):
            return at.end(route, j == 0)
        km = round(j * at.span / parts, 1)
        return self._hut(route, at, km, f"{km:g}")

    def _hut(self, route: Route, at: _SpanPoint, km: float, text: str) -> Node:
        """The hut ``km`` from the span's sorted-first end site (id written with ``text``),
        registered for ``rows``."""
        hut = f"{at.a}~{at.b}@{text}km"
        self._huts.setdefault(hut, (at.a, at.b, km, at.span))
        pos, k = route.positions_km, at.k
        return Node(hut, pos[k] + km if at.forward else pos[k + 1] - km)

    def rows(self, used: set[str]) -> list[tuple[str, str, float, float]]:
        """(site, name, lon, lat) of the huts in ``used``, sorted by id."""
        out = []
        for hut in sorted(used & set(self._huts)):
            a, b, km, span = self._huts[hut]
            t = min(1.0, max(0.0, km / span)) if span > 0 else 0.5
            (lon_a, lat_a), (lon_b, lat_b) = self.coords[a], self.coords[b]
            name = f"field hut {a}–{b} {km:g} km"
            out.append((hut, name, lon_a + t * (lon_b - lon_a), lat_a + t * (lat_b - lat_a)))
        return out


def midpoint_node(route: Route, fields: FieldSites) -> Node:
    """A relay or memory station: the intermediate site nearest the route's length midpoint
    (ties: the first), else a field hut at the midpoint."""
    site, d_km = relay_position(route)
    if site:
        return Node(site, d_km)
    return fields.node(route, route.length_km / 2.0, on_site=False)


def chain_layouts(
    route: Route,
    *,
    nesting_level: int,
    max_spacing_km: float | None,
    loss: ExtraLoss,
    fields: FieldSites,
) -> list[Layout]:
    """Repeater chains without distillation (nested swapping over 2**n elementary links),
    one layout per n = 1..``nesting_level`` whose elementary links (loss-equivalent) are all
    within ``max_spacing_km`` (None: no limit).

    Node j sits at the equal-spacing point j L / 2**n: at the intermediate site nearest it
    when that site is within max(5 % of L / 2**n, 0.5 km), else at a field hut: the
    whole-km hut nearest it, or, when ``fields`` has a ``grid_km``, the nearest point of
    its span's hut grid (``FieldSites.chain_node``), shared by every chain over that span.
    The model assumes equal links, so it gets 2**n x the longest one as placed
    (conservative)."""
    inner = range(1, len(route.sites) - 1)
    pos, out = route.positions_km, []
    for n in range(1, int(nesting_level) + 1):
        step = route.length_km / 2**n
        snap = max(SNAP_FRACTION * step, SNAP_MIN_KM)
        nodes = []
        for j in range(1, 2**n):
            target = j * step
            i = nearest_index(pos, inner.start, inner.stop, target) if len(inner) else None
            if i is not None and abs(pos[i] - target) <= snap:
                nodes.append(Node(route.sites[i], pos[i]))
            else:
                nodes.append(fields.chain_node(route, target))
        if not _distinct_inner(route, nodes):
            continue
        links = loss.links_km(route, nodes)
        if max_spacing_km is not None and max(links) > max_spacing_km + _EPS:
            continue
        out.append(Layout(tuple(nodes), 2**n * max(links), {"nesting_level": n}))
    return out


def encoded_layout(
    route: Route, *, max_spacing_km: float | None, loss: ExtraLoss, fields: FieldSites
) -> Layout | None:
    """An encoded repeater chain whose loss-equivalent elementary links are all within
    ``max_spacing_km``, with the fewest nodes (ties: the shorter longest link, then fewer
    huts). An elementary link joins two route sites, bypassing the sites between, when it
    fits; a span too long for one link is split by field huts on the span's own grid (its
    length in k equal parts, k the fewest that fit), the same huts for every chain through
    the span, so that chains share them. The model gets the longest elementary link as
    ``node_spacing_km``, their number as ``n_links`` and n_links x the longest as its length
    (all links taken as the longest: conservative). Without ``max_spacing_km``: a node at
    every intermediate site and the route's loss-equivalent length. None when no layout
    fits (e.g. the margin alone exceeds the spacing)."""
    pos, last = route.positions_km, len(route.sites) - 1
    if max_spacing_km is None:
        nodes = tuple(Node(route.sites[i], pos[i]) for i in range(1, last))
        return Layout(nodes, sum(loss.links_km(route, nodes)), {})
    # best[j]: (nodes, longest link, huts, node tuple) of the best chain from site 0 to site j
    best: list[tuple[int, float, int, tuple[Node, ...]] | None] = [None] * (last + 1)
    best[0] = (0, 0.0, 0, ())
    for j in range(1, last + 1):
        end = (Node(route.sites[j], pos[j]),) if j < last else ()
        for i in range(j):
            previous = best[i]
            if previous is None:
                continue
            if j == i + 1:
                huts = span_grid(route, i, max_spacing_km, loss, fields)
            else:  # bypass the sites between: one elementary link or none
                huts = [] if loss.between(route, [pos[i], pos[j]])[0] <= max_spacing_km else None
            if huts is None:
                continue
            count, longest, n_huts, chain = previous
            cuts = [pos[i], *(h.position_km for h in huts), pos[j]]
            longest = max(longest, *loss.between(route, cuts))
            nodes = (*chain, *huts, *end)
            entry = (count + len(huts) + len(end), longest, n_huts + len(huts), nodes)
            if best[j] is None or entry[:3] < best[j][:3]:
                best[j] = entry
    if best[last] is None:
        return None
    nodes = best[last][3]
    links = loss.links_km(route, nodes)
    kwargs = {"node_spacing_km": max(links), "n_links": len(links)}
    return Layout(nodes, len(links) * max(links), kwargs)


def _distinct_inner(route: Route, nodes: list[Node]) -> bool:
    """Nodes are distinct, in route order and none is one of the route's ends."""
    sites = [n.site for n in nodes]
    ends = {route.sites[0], route.sites[-1]}
    positions = [n.position_km for n in nodes]
    distinct = len(set(sites)) == len(sites)
    return distinct and not ends & set(sites) and positions == sorted(positions)


def span_grid(
    route: Route, i: int, spacing: float, loss: ExtraLoss, fields: FieldSites
) -> list[Node] | None:
    """Field huts splitting the span from route site i to i + 1 into the fewest equal parts
    whose loss-equivalent links (fibre + margin) are within ``spacing``; placed by their
    distance from the span's first site in sorted order, so both directions of travel get
    the same huts. None when the margin alone exceeds the spacing."""
    if loss.margin_km >= spacing:
        return None
    pos = route.positions_km
    u, v = route.sites[i], route.sites[i + 1]
    span = pos[i + 1] - pos[i]
    forward = u <= v  # the grid counts from the sorted-first end site
    first = max(1, math.ceil(span / (spacing - loss.margin_km) - _EPS))
    for k in range(first, first + 3):  # whole-km hut positions may need one part more
        offsets = [r * span / k for r in range(1, k)]
        huts = [fields.node(route, pos[i] + d if forward else pos[i + 1] - d) for d in offsets]
        huts.sort(key=lambda n: n.position_km)
        cuts = [pos[i], *(h.position_km for h in huts), pos[i + 1]]
        distinct = len({h.site for h in huts}) == len(huts) and not {u, v} & {h.site for h in huts}
        if distinct and max(loss.between(route, cuts)) <= spacing + _EPS:
            return huts
    return None
