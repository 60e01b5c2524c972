"""One candidate link: how it is built along a route, and when another makes it redundant.

Helpers of ``engine.candidates`` (rules in docs/candidates.md): ``make`` (any link),
``midpoint_candidate`` (MDI, TF, memory-assisted: relay or memory station at a site or a
field hut), ``chain_candidates`` (repeater chains, one per node layout) and
``prune_dominated`` (rule 6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from engine.candidate_routes import Route
from engine.link_layouts import (
    ExtraLoss,
    FieldSites,
    Layout,
    chain_layouts,
    encoded_layout,
    midpoint_node,
)


@dataclass
class Candidate:
    """One candidate link before it gets its id: ends (sorted), route text, fibre and
    physics lengths, relay node, site equipment, spans, model kwargs, capacity per period."""

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


def make(tech_row: dict, route: Route | None, a: str, b: str, **kw: Any) -> Candidate:
    """A candidate with the technology's end equipment at both ends (none for fibre links;
    ground stations for satellites) plus ``kw['extra']`` equipment at its nodes."""
    a, b = (a, b) if a <= b else (b, a)
    equipment = {(s, e) for s in (a, b) for e in tech_row["end_equipment"]}
    equipment |= set(kw.pop("extra", ()))
    if route is not None and route.sites[0] != a:
        route = route.reversed()
    return Candidate(
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


def midpoint_candidate(row: dict, route: Route, loss: ExtraLoss, fields: FieldSites) -> Candidate:
    """MDI/TF/memory link along ``route``: its relay (or memory station) at the intermediate
    site nearest the middle, else at a field hut mid-span; the arms' loss-equivalent lengths
    (fibre, margin, bypassed sites) set the physics length."""
    node = midpoint_node(route, fields)
    arm_a, arm_b = loss.links_km(route, [node])
    kwargs: dict[str, Any] = {}
    if row["physics_model"] == "mdi_qkd":
        # symmetric in the arms; rounded away from 1/2 to a multiple of 1/50 (never
        # overstates the rate) so that links share a few batched physics evaluations
        far = max(arm_a, arm_b) / (arm_a + arm_b)
        kwargs["relay_fraction"] = min(1.0, 0.5 + math.ceil((far - 0.5) * 50.0 - 1e-9) / 50.0)
        eff = arm_a + arm_b
    else:  # the models assume a relay at the midpoint: 2 x the longer arm
        eff = 2.0 * max(arm_a, arm_b)
    extra = [(node.site, row["midpoint_equipment"])] if row["midpoint_equipment"] else []
    a, b = route.sites[0], route.sites[-1]
    return make(
        row,
        route,
        a,
        b,
        relay_site=node.site,
        extra=extra,
        link_kwargs=kwargs,
        effective_length_km=eff,
    )


def chain_candidates(
    row: dict, route: Route, loss: ExtraLoss, fields: FieldSites
) -> list[Candidate]:
    """Repeater-chain links along ``route``, one per node layout; every node (a site or a
    field hut) gets the technology's intermediate equipment."""
    spacing = row.get("max_node_spacing_km")
    spacing = None if spacing is None or pd.isna(spacing) else float(spacing)
    layouts: list[Layout]
    if "nesting_level" in row["params"]:  # nested swapping over 2**n links
        layouts = chain_layouts(
            route,
            nesting_level=int(row["params"]["nesting_level"]),
            max_spacing_km=spacing,
            loss=loss,
            fields=fields,
        )
    else:  # encoded chain
        one = encoded_layout(route, max_spacing_km=spacing, loss=loss, fields=fields)
        layouts = [one] if one is not None else []
    a, b = route.sites[0], route.sites[-1]
    return [
        make(
            row,
            route,
            a,
            b,
            extra=[(n.site, row["intermediate_equipment"]) for n in lay.nodes],
            link_kwargs=lay.kwargs,
            effective_length_km=lay.effective_km,
        )
        for lay in layouts
    ]


def _dominated(c2: Candidate, c1: Candidate, limited: set[str]) -> bool:
    """Whether c1 can replace c2 in any plan at no extra cost (rule 6)."""
    return (
        (c1.usage == "relay" or c2.usage == "direct")
        and c1.length_km <= c2.length_km
        and bool(np.all(c1.capacity >= c2.capacity * (1 - 1e-9)))
        and c1.equipment <= c2.equipment
        and (c1.spans & limited) <= (c2.spans & limited)
    )


def prune_dominated(cands: list[Candidate], limited_spans: set[str]) -> list[Candidate]:
    """Drop dominated links (rule 6); ties keep the first in (length, route) order."""
    by_pair: dict[tuple[str, str, str], list[Candidate]] = {}
    for c in cands:
        by_pair.setdefault((c.tech, c.site_a, c.site_b), []).append(c)
    kept: list[Candidate] = []
    for group in by_pair.values():
        group.sort(key=lambda c: (c.length_km, c.route, c.relay_site))
        survivors: list[Candidate] = []
        for c in group:
            if not any(_dominated(c, s, limited_spans) for s in survivors):
                survivors.append(c)
        kept.extend(survivors)
    return kept
