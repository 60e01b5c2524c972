"""Candidate links and their capacities per system and period (ModelData tables).

The rules (docs/candidates.md has the reasoning) keep the set small, following DESIGN.md
"Formulation strength": relay flows run over short hops; end-to-end links exist only for the
demands that need them.

1. Reach of a fibre technology: the largest length at which its best period's capacity per
   system is >= ``min_key_rate_bps`` (1 km grid), capped by its ``max_length_km``.
2. Hop links (usable by relayed, i.e. trusted and partial, flows):
   - point_to_point (bb84, cv_qkd): one link per fibre span within reach, plus, when
     ``express_hops``, one "express" link per site pair whose shortest fibre route has
     intermediate sites and is within reach (optical bypass, no equipment at those sites);
   - free_space (fso): one link per span whose length is within reach (line of sight assumed
     no longer than the fibre); it occupies no fibre span;
   - relay_midpoint (mdi, tf): one link per span (relay mid-span: ``relay_site`` "", no relay
     equipment because no site hosts it) and one per two-span route A>B>C within reach (relay
     at B).
3. End-to-end links (mdi, tf, mdi_memory, repeater, repeater_qec, satellite_entangled):
   only between the endpoints of ``trust_free`` and ``partial`` demands and between the sites
   of a customer with ``partial`` demands, along the ``k_routes`` shortest routes within reach.
   The relay (or memory station) sits at the route's intermediate site nearest the length
   midpoint; MDI gets the arm split (``relay_fraction``, rounded away from 1/2 to a multiple
   of 1/50, conservative), other midpoint models the
   conservative length 2 x longer arm. Memory links need an intermediate site. Repeater
   chains put ``2**n - 1`` nodes at the intermediate sites nearest the equal-spacing points,
   n <= the catalogue's ``nesting_level`` chosen for the most key, and use the conservative
   length 2**n x longest segment; without ``nesting_level`` (encoded chains) every
   intermediate site gets a node and the route length is used.
4. Satellites: between demand endpoints whose shortest fibre route is longer than
   ``satellite_min_distance_km`` (or that fibre does not connect), ground distance within
   ``max_length_km``; trusted satellites for ``trusted`` demands, entangled ones for
   ``trust_free``/``partial``; route "sat", ground stations (and trusted nodes) at both ends.
5. Links whose capacity is below ``min_key_rate_bps`` in every period are dropped; a
   technology available in no period has no links.
6. Dominated links: a link is dropped when another link of the same technology between the
   same two sites is no longer, has at least its capacity in every period, needs a subset of
   its site equipment, and occupies a subset of its spans that have a finite ``max_systems``.
   Any plan using the dropped link can use the other instead at no extra cost.
7. ``usage``: hops (rule 2) are "relay"; end-to-end and satellite links (rules 3, 4) are
   "direct" (they serve only demands between their two ends) unless their pair is two sites
   of a customer with partial demands that owns >= 3 sites. A duplicate that is also a hop
   stays "relay"; a "direct" link never dominates a "relay" one (rule 6).
8. ``max_systems`` (big-M) = ceil(max over periods of the demand that could use the link /
   capacity), >= 1, capped by the smallest finite ``max_systems`` of its spans and by
   ``max_systems_cap``. Demand that could use a relay link: every trusted demand; every
   partial demand unless the link has a trusted intermediary; trust-free demands between its
   ends. A direct link: only the demands between its ends (of the classes it suits).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from engine.candidate_routes import (
    Route,
    RouteFinder,
    direct_pairs,
    end_to_end_pairs,
    great_circle_km,
    relay_position,
    repeater_layouts,
    route_of,
)
from engine.capacity import DemandTotals, fill_capacities, max_systems, reach_km
from optimizer.model_data import OPTIONAL, SCHEMA

_DTYPES: dict[str, Any] = {"str": str, "int": "int64", "float": float, "bool": bool}


@dataclass(frozen=True)
class CandidateTables:
    """The candidate-link tables of ModelData (columns as in ``optimizer.model_data``)."""

    links: pd.DataFrame
    link_sites: pd.DataFrame
    link_spans: pd.DataFrame
    capacity: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The four tables by their ModelData field names (not copied)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class _Cand:
    tech: str
    site_a: str
    site_b: str
    route: str
    length_km: float
    effective_length_km: float
    relay_site: str
    equipment: frozenset[tuple[str, str]]
    spans: frozenset[str]
    link_kwargs: dict[str, Any] = field(default_factory=dict)
    capacity: np.ndarray = field(default_factory=lambda: np.zeros(0))
    usage: str = "relay"


def _make(tech_row: dict, route: Route | None, a: str, b: str, **kw: Any) -> _Cand:
    """A candidate with terminal equipment at both ends (plus ``kw['extra']`` equipment)."""
    a, b = (a, b) if a <= b else (b, a)
    equipment = {(s, e) for s in (a, b) for e in tech_row["end_equipment"]}
    equipment |= set(kw.pop("extra", ()))
    if route is not None and route.sites[0] != a:
        route = route.reversed()
    return _Cand(
        tech=tech_row["tech"],
        site_a=a,
        site_b=b,
        route=route.text if route is not None else "sat",
        length_km=kw.pop("length_km", route.length_km if route is not None else 0.0),
        effective_length_km=kw.pop("effective_length_km", np.nan),
        relay_site=kw.pop("relay_site", ""),
        equipment=frozenset(equipment),
        spans=frozenset(kw.pop("spans", route.spans if route is not None else ())),
        link_kwargs=kw.pop("link_kwargs", {}),
    )


def _midpoint_cand(row: dict, route: Route, *, need_site: bool) -> _Cand | None:
    """MDI/TF/memory link along ``route``: relay at the intermediate site nearest the middle."""
    relay, d_km = relay_position(route)
    if relay == "" and need_site:
        return None
    extra = [(relay, row["midpoint_equipment"])] if relay and row["midpoint_equipment"] else []
    fraction = d_km / route.length_km if route.length_km > 0 else 0.5
    kwargs: dict[str, Any] = {}
    eff = route.length_km
    if row["physics_model"] == "mdi_qkd":
        # symmetric in the arms; rounded away from 1/2 to a multiple of 1/50 (never
        # overstates the rate) so that links share a few batched physics evaluations
        far = max(fraction, 1.0 - fraction)
        kwargs["relay_fraction"] = min(1.0, 0.5 + math.ceil((far - 0.5) * 50.0 - 1e-9) / 50.0)
    else:
        eff = 2.0 * max(d_km, route.length_km - d_km)
    a, b = route.sites[0], route.sites[-1]
    return _make(
        row, route, a, b, relay_site=relay, extra=extra, link_kwargs=kwargs, effective_length_km=eff
    )


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
    k_routes: int
    min_key_rate_bps: float
    express_hops: bool
    prune: bool


def _hops(row: dict, graph: nx.Graph, reach: float, *, express_hops: bool) -> list[_Cand]:
    """Hop links of one technology (rule 2): spans, express routes and two-span relays."""
    kind = row["link_kind"]
    out: list[_Cand] = []
    if kind in ("point_to_point", "free_space", "relay_midpoint"):
        for u, v in graph.edges:
            route = route_of(graph, [u, v])
            if route.length_km > reach:
                continue
            if kind == "relay_midpoint":
                out.append(_midpoint_cand(row, route, need_site=False))
            else:
                spans = () if kind == "free_space" else route.spans
                out.append(_make(row, route, u, v, spans=spans))
    if kind == "point_to_point" and express_hops:
        for a in graph.nodes:
            _dist, paths = nx.single_source_dijkstra(graph, a, cutoff=reach, weight="length_km")
            for b, path in paths.items():
                if len(path) > 2 and str(a) < str(b):
                    out.append(_make(row, route_of(graph, path), a, b))
    if kind == "relay_midpoint":
        for mid in graph.nodes:
            nbrs = sorted(graph.neighbors(mid), key=str)
            for i, a in enumerate(nbrs):
                for b in nbrs[i + 1 :]:
                    route = route_of(graph, [a, mid, b])
                    if route.length_km <= reach:
                        out.append(_midpoint_cand(row, route, need_site=False))
    return out


def _end_to_end(row: dict, setting: _Setting, reach: float) -> list[_Cand]:
    """End-to-end and satellite links of one technology (rules 3, 4), "direct" between the
    pairs that only serve their own demands (rule 7)."""
    kind, routes, k = row["link_kind"], setting.routes, setting.k_routes
    ends: list[_Cand | None] = []
    if kind in ("relay_midpoint", "memory_midpoint"):
        for a, b in setting.pairs:
            for route in routes.within(a, b, k, reach):
                ends.append(_midpoint_cand(row, route, need_site=kind == "memory_midpoint"))
    if kind == "repeater_chain":
        for a, b in setting.pairs:
            for route in routes.within(a, b, k, reach):
                for nodes, eff, kwargs in repeater_layouts(route, row["params"]):
                    extra = [(s, row["intermediate_equipment"]) for s in nodes]
                    ends.append(
                        _make(
                            row,
                            route,
                            a,
                            b,
                            extra=extra,
                            link_kwargs=kwargs,
                            effective_length_km=eff,
                        )
                    )
    if kind == "satellite":
        trusted = row["trusted_intermediary"]
        for a, b in setting.sat_pairs_trusted if trusted else setting.sat_pairs_free:
            ground = great_circle_km(setting.coords[a], setting.coords[b])
            if ground <= float(row["max_length_km"]):
                ends.append(_make(row, None, a, b, length_km=ground, effective_length_km=ground))
    found = [c for c in ends if c is not None]
    for c in found:
        if (c.site_a, c.site_b) in setting.direct_pairs:
            c.usage = "direct"
    return found


def _dominated(c2: _Cand, c1: _Cand, limited: set[str]) -> bool:
    """Whether c1 can replace c2 in any plan at no extra cost (rule 6)."""
    return (
        (c1.usage == "relay" or c2.usage == "direct")
        and c1.length_km <= c2.length_km
        and bool(np.all(c1.capacity >= c2.capacity * (1 - 1e-9)))
        and c1.equipment <= c2.equipment
        and (c1.spans & limited) <= (c2.spans & limited)
    )


def prune_dominated(cands: list[_Cand], limited_spans: set[str]) -> list[_Cand]:
    """Drop dominated links (rule 6); ties keep the first in (length, route) order."""
    by_pair: dict[tuple[str, str, str], list[_Cand]] = {}
    for c in cands:
        by_pair.setdefault((c.tech, c.site_a, c.site_b), []).append(c)
    kept: list[_Cand] = []
    for group in by_pair.values():
        group.sort(key=lambda c: (c.length_km, c.route, c.relay_site))
        survivors: list[_Cand] = []
        for c in group:
            if not any(_dominated(c, s, limited_spans) for s in survivors):
                survivors.append(c)
        kept.extend(survivors)
    return kept


def _setting(
    graph: nx.Graph,
    sites: pd.DataFrame,
    spans: pd.DataFrame,
    demands: pd.DataFrame,
    customer_sites: pd.DataFrame | None,
    satellite_min_distance_km: float,
    **options: Any,
) -> _Setting:
    """What the technologies share (``options``: the remaining ``_Setting`` fields)."""
    routes = RouteFinder(graph)  # shared by every technology
    pairs, sat_pairs_trusted, sat_pairs_free = end_to_end_pairs(
        routes, demands, customer_sites, satellite_min_distance_km
    )
    return _Setting(
        routes=routes,
        pairs=pairs,
        sat_pairs_trusted=sat_pairs_trusted,
        sat_pairs_free=sat_pairs_free,
        direct_pairs=direct_pairs(demands, customer_sites),
        coords={
            str(s): (float(x), float(y))
            for s, x, y in zip(sites["site"], sites["lon"], sites["lat"], strict=True)
        },
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


def _technology_candidates(rows: list[dict], setting: _Setting) -> list[_Cand]:
    """One technology's surviving candidates with their capacities (rules 1-7); ``rows`` are
    its ``tech_periods`` rows in period order."""
    head, reach = rows[0], _reach_km(rows, setting)
    hops = _hops(head, setting.routes.graph, reach, express_hops=setting.express_hops)
    unique: dict[tuple, _Cand] = {}
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
    max_systems_cap: int = 1000,
    prune: bool = True,
) -> CandidateTables:
    """Candidate links, the sites and spans they need, and capacity per system and period.

    Rules in the module docstring. ``tech_periods`` comes from
    ``engine.tech_periods.technology_periods``; ``graph`` has site-id nodes and edges with
    ``length_km`` and ``span``. Returns ModelData-ready tables with unique link ids
    ``tech:A-B`` (``/2``, ``/3`` ... for further routes between the same sites).
    """
    periods = sorted(int(p) for p in tech_periods["period"].unique())
    setting = _setting(
        graph,
        sites,
        spans,
        demands,
        customer_sites,
        satellite_min_distance_km,
        alpha_db_per_km=alpha_db_per_km,
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
    return CandidateTables(**{table: _frame(rows, table) for table, rows in out.items()})


def _emit(
    cands: list[_Cand],
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
    links, link_sites, link_spans, capacity = out.values()  # CandidateTables order
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
    """ModelData table ``table`` from row tuples: columns and dtypes as ``SCHEMA`` (and, for
    ``links``, ``OPTIONAL``) state them."""
    kinds = SCHEMA[table] | {c: kind for c, (kind, _) in OPTIONAL.get(table, {}).items()}
    frame = pd.DataFrame(list(rows), columns=list(kinds))
    return frame.astype({c: _DTYPES[kind] for c, kind in kinds.items()})
