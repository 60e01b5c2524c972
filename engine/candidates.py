"""Candidate links, the sites their nodes occupy, and capacities per system and period.

The rules, with their reasoning, are in docs/candidates.md; in short (DESIGN.md
"Formulation strength": relay flows run over short hops, end-to-end links exist only for the
demands that need them):

1. Reach of a fibre technology: the largest length at which its best period's capacity per
   system is >= ``min_key_rate_bps`` (1 km grid), capped by its ``max_length_km``.
2. Hop links (for relayed, i.e. trusted and partial, flows): bb84/cv_qkd one per span within
   reach, one per segment of a longer span cut by trusted-relay field huts into the fewest
   equal parts within reach, plus, with ``express_hops``, one per site pair whose shortest
   route is within reach (optical bypass of the sites between); fso one per span within
   reach (no fibre); mdi/tf one per span (relay at a field hut mid-span) and one per
   two-span route A>B>C (relay at B).
3. End-to-end links (mdi, tf, mdi_memory, repeater, repeater_qec) between the endpoints of
   ``trust_free``/``partial`` demands and a partial customer's sites, along the ``k_routes``
   shortest routes within reach. Every node the technology needs is placed and priced, at a
   site or a field hut (``engine.link_layouts``): relay/memory station at the intermediate
   site nearest the midpoint, else mid-span; repeater nodes where the elementary links need
   them.
4. Satellites between far demand endpoints (``satellite_min_distance_km``); ground stations
   at both ends; no fibre.
5. Links below ``min_key_rate_bps`` in every period are dropped.
6. Dominated links (same technology and ends, no longer, at least the capacity, a subset of
   the site equipment and of the limited spans) are dropped.
7. ``usage``: hops are "relay"; end-to-end and satellite links "direct" unless between two
   sites of a partial customer owning >= 3 sites.
8. ``max_systems`` (big-M): the most systems the demand that may use the link needs.

Extra loss: ``bypass_loss_db`` per site a fibre path passes without stopping and
``link_margin_db`` per optical link become extra fibre length (loss / alpha) in the physics.
Link terminals need no site equipment: ``trusted_node`` is the optimiser's, where key is
relayed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from itertools import pairwise
from typing import Any

import networkx as nx
import pandas as pd

from engine.candidate_link import (
    Candidate,
    chain_candidates,
    make,
    midpoint_candidate,
    prune_dominated,
)
from engine.candidate_routes import (
    Route,
    RouteFinder,
    direct_pairs,
    end_to_end_pairs,
    great_circle_km,
    route_of,
)
from engine.capacity import DemandTotals, fill_capacities, max_systems, reach_km
from engine.link_layouts import ExtraLoss, FieldSites, Node, span_grid
from optimizer.model_data import OPTIONAL, SCHEMA

_DTYPES: dict[str, Any] = {"str": str, "int": "int64", "float": float, "bool": bool}


@dataclass(frozen=True)
class CandidateTables:
    """The candidate-link tables of ModelData (columns as in ``optimizer.model_data``);
    ``sites`` is the network's sites (``kind`` "site") and the field huts the links' nodes
    occupy (``kind`` "field")."""

    sites: pd.DataFrame
    links: pd.DataFrame
    link_sites: pd.DataFrame
    link_spans: pd.DataFrame
    capacity: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The five tables by their ModelData field names (not copied)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class _Setting:
    """What every technology's candidates share: the routes on the fibre graph, the site
    pairs that get end-to-end and satellite links, the spans' system limits and the
    scenario's candidate options (arguments of ``candidate_links``)."""

    routes: RouteFinder
    pairs: list[tuple[str, str]]
    sat_pairs_trusted: list[tuple[str, str]]
    sat_pairs_free: list[tuple[str, str]]
    direct_pairs: set[tuple[str, str]]
    coords: dict[str, tuple[float, float]]
    limits: dict[str, float]
    alpha_db_per_km: float
    loss: ExtraLoss
    fields: FieldSites
    k_routes: int
    min_key_rate_bps: float
    express_hops: bool
    prune: bool


def _hops(
    row: dict, setting: _Setting, reach: float, segment_reaches: tuple[float, ...] = ()
) -> list[Candidate]:
    """Hop links of one technology (rule 2): spans, span segments (one grid per reach in
    ``segment_reaches``, for spans longer than it), express routes and two-span relays."""
    kind, graph = row["link_kind"], setting.routes.graph
    out: list[Candidate] = []

    def fibre(route: Route) -> Candidate:  # point to point: margin once, bypassed sites
        eff = setting.loss.links_km(route, [])[0]
        return make(row, route, route.sites[0], route.sites[-1], effective_length_km=eff)

    if kind in ("point_to_point", "free_space", "relay_midpoint"):
        for u, v in graph.edges:
            route = route_of(graph, [u, v])
            if kind == "point_to_point":
                for grid_km in segment_reaches:
                    if route.length_km > grid_km:
                        out.extend(_segments(row, route, setting, grid_km))
            if route.length_km > reach:
                continue
            if kind == "relay_midpoint":
                out.append(midpoint_candidate(row, route, setting.loss, setting.fields))
            elif kind == "free_space":  # own optics and loss (catalogue), no fibre span
                out.append(make(row, route, u, v, spans=()))
            else:
                out.append(fibre(route))
    if kind == "point_to_point" and setting.express_hops:
        for a in graph.nodes:
            _dist, paths = nx.single_source_dijkstra(graph, a, cutoff=reach, weight="length_km")
            for b, path in paths.items():
                if len(path) > 2 and str(a) < str(b):
                    out.append(fibre(route_of(graph, path)))
    if kind == "relay_midpoint":
        for mid in graph.nodes:
            nbrs = sorted(graph.neighbors(mid), key=str)
            for i, a in enumerate(nbrs):
                for b in nbrs[i + 1 :]:
                    route = route_of(graph, [a, mid, b])
                    if route.length_km <= reach:
                        out.append(midpoint_candidate(row, route, setting.loss, setting.fields))
    return out


def _segments(row: dict, route: Route, setting: _Setting, reach: float) -> list[Candidate]:
    """Point-to-point hops along one span longer than ``reach``: field huts cut it into the
    fewest equal parts whose loss-equivalent length (fibre + margin) is within reach
    (``span_grid``, the grid encoded repeaters use), one hop per part. Key relayed at a
    hut needs a ``trusted_node`` there, bought by the optimiser like at any site: the
    in-line trusted relays of deployed backbones (Beijing-Shanghai: 32 over ~2,000 km)."""
    huts = span_grid(route, 0, reach, setting.loss, setting.fields)
    if not huts:
        return []
    nodes = [Node(route.sites[0], 0.0), *huts, Node(route.sites[-1], route.length_km)]
    out = []
    for p, q in pairwise(nodes):
        part = Route((p.site, q.site), route.spans, (0.0, q.position_km - p.position_km))
        eff = setting.loss.links_km(part, [])[0]
        out.append(make(row, part, p.site, q.site, effective_length_km=eff))
    return out


def _end_to_end(row: dict, setting: _Setting, reach: float) -> list[Candidate]:
    """End-to-end and satellite links of one technology (rules 3, 4), "direct" between the
    pairs that only serve their own demands (rule 7)."""
    kind, routes, k = row["link_kind"], setting.routes, setting.k_routes
    found: list[Candidate] = []
    if kind in ("relay_midpoint", "memory_midpoint", "repeater_chain"):
        for a, b in setting.pairs:
            for route in routes.within(a, b, k, reach):
                if kind == "repeater_chain":
                    found.extend(chain_candidates(row, route, setting.loss, setting.fields))
                else:
                    found.append(midpoint_candidate(row, route, setting.loss, setting.fields))
    if kind == "satellite":
        trusted = row["trusted_intermediary"]
        for a, b in setting.sat_pairs_trusted if trusted else setting.sat_pairs_free:
            ground = great_circle_km(setting.coords[a], setting.coords[b])
            if ground <= float(row["max_length_km"]):
                found.append(make(row, None, a, b, length_km=ground, effective_length_km=ground))
    for c in found:
        if (c.site_a, c.site_b) in setting.direct_pairs:
            c.usage = "direct"
    return found


def _setting(
    graph: nx.Graph,
    sites: pd.DataFrame,
    spans: pd.DataFrame,
    demands: pd.DataFrame,
    customer_sites: pd.DataFrame | None,
    satellite_min_distance_km: float,
    hut_grid_km: float | None,
    **options: Any,
) -> _Setting:
    """What the technologies share (``options``: the remaining ``_Setting`` fields)."""
    routes = RouteFinder(graph)  # shared by every technology
    coords = {
        str(s): (float(x), float(y))
        for s, x, y in zip(sites["site"], sites["lon"], sites["lat"], strict=True)
    }
    pairs, sat_pairs_trusted, sat_pairs_free = end_to_end_pairs(
        routes, demands, customer_sites, satellite_min_distance_km
    )
    return _Setting(
        routes=routes,
        pairs=pairs,
        sat_pairs_trusted=sat_pairs_trusted,
        sat_pairs_free=sat_pairs_free,
        direct_pairs=direct_pairs(demands, customer_sites),
        coords=coords,
        fields=FieldSites(coords, hut_grid_km),
        limits={
            str(s): float(m)
            for s, m in zip(spans["span"], spans["max_systems"], strict=True)
            if pd.notna(m)
        },
        **options,
    )


def _reach_km(rows: list[dict], setting: _Setting) -> float:
    """How far a technology's links may run (rule 1; repeaters and satellites: their cap)."""
    if rows[0]["link_kind"] in ("repeater_chain", "satellite"):
        return max(float(r["max_length_km"]) for r in rows)
    return reach_km(
        rows, alpha_db_per_km=setting.alpha_db_per_km, min_key_rate_bps=setting.min_key_rate_bps
    )


def _technology_candidates(rows: list[dict], setting: _Setting) -> list[Candidate]:
    """One technology's surviving candidates with their capacities (rules 1-7); ``rows`` are
    its ``tech_periods`` rows in period order."""
    head, reach = rows[0], _reach_km(rows, setting)
    grids: tuple[float, ...] = ()
    if head["link_kind"] == "point_to_point":  # segments from the first period it works
        first = [r for r in rows if bool(r["available"])][:1]
        grids = tuple(sorted({reach, _reach_km(first, setting) if first else reach}))
        grids = tuple(g for g in grids if g > 0)
    hops = _hops(head, setting, reach, grids)
    unique: dict[tuple, Candidate] = {}
    for c in (*hops, *_end_to_end(head, setting, reach)):
        key = (c.route, c.relay_site, c.equipment)  # a hop that is also end-to-end stays a hop
        if key not in unique or c.usage == "relay":
            unique[key] = c
    cands = list(unique.values())
    fill_capacities(cands, rows, alpha_db_per_km=setting.alpha_db_per_km)
    cands = [c for c in cands if c.capacity.max(initial=0.0) >= setting.min_key_rate_bps]
    return prune_dominated(cands, set(setting.limits)) if setting.prune else cands


def candidate_links(
    *,
    sites: pd.DataFrame,
    spans: pd.DataFrame,
    graph: nx.Graph,
    demands: pd.DataFrame,
    demand_rates: pd.DataFrame,
    tech_periods: pd.DataFrame,
    alpha_db_per_km: float,
    k_routes: int = 2,
    min_key_rate_bps: float = 1.0,
    customer_sites: pd.DataFrame | None = None,
    satellite_min_distance_km: float = 500.0,
    express_hops: bool = True,
    bypass_loss_db: float = 0.0,
    link_margin_db: float = 0.0,
    max_systems_cap: int = 1000,
    prune: bool = True,
    hut_grid_km: float | None = None,
) -> CandidateTables:
    """Candidate links, the sites and spans they need, and capacity per system and period.

    Rules in the module docstring. ``tech_periods`` comes from
    ``engine.tech_periods.technology_periods``; ``graph`` has site-id nodes and edges with
    ``length_km`` and ``span``. ``bypass_loss_db`` (per site a fibre path passes) and
    ``link_margin_db`` (per optical link) are the scenario's ``network`` keys (0 here: no extra
    loss); ``hut_grid_km`` puts repeater-chain nodes on each span's hut grid
    (``FieldSites.chain_node``; None: the whole km nearest their ideal place). Returns
    ModelData-ready tables with unique link ids ``tech:A-B`` (``/2``, ``/3`` ... for further
    routes between the same sites), and the sites table: ``sites`` with ``kind`` "site", then
    the field huts the surviving links use (``kind`` "field").
    """
    periods = sorted(int(p) for p in tech_periods["period"].unique())
    setting = _setting(
        graph,
        sites,
        spans,
        demands,
        customer_sites,
        satellite_min_distance_km,
        hut_grid_km,
        alpha_db_per_km=alpha_db_per_km,
        loss=ExtraLoss.from_db(
            alpha_db_per_km=alpha_db_per_km,
            bypass_loss_db=bypass_loss_db,
            link_margin_db=link_margin_db,
        ),
        k_routes=k_routes,
        min_key_rate_bps=min_key_rate_bps,
        express_hops=express_hops,
        prune=prune,
    )
    totals = DemandTotals.build(demands, demand_rates, periods)
    out: dict[str, list[tuple]] = {f.name: [] for f in fields(CandidateTables)}
    for tech, frame in tech_periods.groupby("tech", sort=False):
        rows = [dict(r) for r in frame.sort_values("period").to_dict("records")]
        if any(r["available"] for r in rows):
            cands = _technology_candidates(rows, setting)
            trusted = bool(rows[0]["trusted_intermediary"])
            _emit(cands, str(tech), trusted, periods, totals, setting.limits, max_systems_cap, out)
    used = {site for _link, site, _eq in out["link_sites"]}
    used |= {end for row in out["links"] for end in row[2:4]}  # a span segment's huts
    columns = (sites[c].tolist() for c in ("site", "name", "lon", "lat"))
    out["sites"] = [
        *(
            (str(s), str(n), float(x), float(y), "site")
            for s, n, x, y in zip(*columns, strict=True)
        ),
        *((*row, "field") for row in setting.fields.rows(used)),
    ]
    return CandidateTables(**{table: _frame(rows, table) for table, rows in out.items()})


def _emit(
    cands: list[Candidate],
    tech: str,
    trusted_intermediary: bool,
    periods: list[int],
    totals: DemandTotals,
    limits: dict[str, float],
    cap: int,
    out: dict[str, list[tuple]],
) -> None:
    """Append the tables' rows (``out``: table name -> rows) for one technology's surviving
    candidates."""
    links, link_sites, link_spans, capacity = (
        out[t] for t in ("links", "link_sites", "link_spans", "capacity")
    )
    seen: dict[tuple[str, str], int] = {}
    for c in sorted(cands, key=lambda c: (c.site_a, c.site_b, c.length_km, c.route)):
        n = seen[(c.site_a, c.site_b)] = seen.get((c.site_a, c.site_b), 0) + 1
        link = f"{tech}:{c.site_a}-{c.site_b}" + (f"/{n}" if n > 1 else "")
        systems = max_systems(c, trusted_intermediary, totals, limits, cap)
        ends = (c.site_a, c.site_b, float(c.length_km), c.route, c.relay_site)
        links.append((link, tech, *ends, systems, c.usage))  # SCHEMA["links"] + usage
        link_sites.extend((link, s, e) for s, e in sorted(c.equipment))
        link_spans.extend((link, s) for s in sorted(c.spans))
        capacity.extend((link, p, float(v)) for p, v in zip(periods, c.capacity, strict=True))


def _frame(rows: Iterable[tuple], table: str) -> pd.DataFrame:
    """ModelData table ``table`` from row tuples: columns and dtypes as ``SCHEMA`` (and
    ``OPTIONAL``: links' ``usage``, sites' ``kind``) state them."""
    kinds = SCHEMA[table] | {c: kind for c, (kind, _) in OPTIONAL.get(table, {}).items()}
    frame = pd.DataFrame(list(rows), columns=list(kinds))
    return frame.astype({c: _DTYPES[kind] for c, kind in kinds.items()})
