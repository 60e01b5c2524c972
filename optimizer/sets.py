"""Index sets and parameter lookups of the model, derived once from ``ModelData``.

Everything the ``add_*`` functions need is computed here with plain Python/pandas, so the
Pyomo layer only declares components over ready-made sparse index lists. No physics, no
files: every number comes from a ModelData table.

Conventions (documented in docs/model.md):

- a period is identified by its first year ``t``; ``year(t) = t``;
- a system built on link ``l`` in period ``t'`` is installed in period ``t`` iff
  ``0 <= t - t' < lifetime_years(tech(l))`` (NaN lifetime = forever); what each purchase
  costs over its years of service is ``optimizer.lifetimes``;
- ``build[l,t]`` exists only where the technology is available in ``t``
  (``costs.available``) and ``capacity[l,t] > 0``;
- costs missing for an (item, period) are carried forward (then backward) from the item's
  nearest period; a missing ``available`` flag counts as False;
- key flows are organised in *commodities* and direct service (``optimizer.flowsets``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from optimizer import flowsets
from optimizer.bundles import bundle_equipment
from optimizer.flowsets import Arc, Commodity
from optimizer.lifetimes import Schedule, alive_periods, lifetime_years, renewals, schedule
from optimizer.model_data import ModelData, ModelDataError, rows
from optimizer.names import COST_CATEGORIES

TRUSTED_NODE = "trusted_node"
CATEGORIES = COST_CATEGORIES  # of cost_eur[t, k] (optimizer.names)


@dataclass
class ModelSets:
    """Sparse index lists and parameter dictionaries (units in the names), in the groups
    ``build_sets`` derives them in."""

    # periods and costs (_period_sets)
    periods: list[int]
    years: dict[int, int]
    discount: dict[int, float]
    discounted_years: dict[int, float]
    horizon_discount: float
    budget_eur: dict[int, float]
    previous: dict[int, int | None]
    capex_eur: dict[tuple[str, int], float]
    opex_eur_per_year: dict[tuple[str, int], float]
    available: dict[tuple[str, int], bool]
    # candidate links (_link_sets)
    links: list[str]
    link_tech: dict[str, str]
    link_ends: dict[str, tuple[str, str]]
    link_max_systems: dict[str, int]
    tech_phase: dict[str, str]
    rate_per_system_bps: dict[tuple[str, int], float]
    build_index: list[tuple[str, int]]
    installed_from: dict[tuple[str, int], list[int]]
    build_schedule: dict[tuple[str, int], Schedule]
    usable: dict[int, set[str]]
    link_usage: dict[str, str]
    # demands (_demand_sets)
    demand_info: dict[str, dict]
    demand_bps: dict[tuple[str, int], float]
    demand_min_bps: dict[tuple[str, int], float]
    demand_weight: dict[str, float]
    # key flows and direct service (_flow_sets)
    commodities: dict[str, Commodity]
    arcs: dict[str, list[Arc]]
    flow_index: list[tuple[str, str, str, str, int]]
    demand_commodity: dict[str, str]
    direct_index: list[tuple[str, str, int]]
    direct_of: dict[tuple[str, int], list[str]]
    corridor_links: dict[str, list[str]]
    carry_index: list[tuple[str, str, int]]
    # site equipment (_site_sets) and fibre spans (_span_sets)
    link_needs: dict[str, list[tuple[str, str]]]  # bundle keys each link needs
    site_keys: list[tuple[str, str]]  # one per bundle (optimizer.bundles)
    site_members: dict[tuple[str, str], tuple[str, ...]]  # key -> the sites it stands for
    equipment_purchases: dict[tuple[str, int], list[int]]
    equipment_schedule: dict[tuple[str, int], Schedule]
    span_links: dict[str, list[str]]
    span_max_systems: dict[str, float]

    def installed_index(self) -> list[tuple[str, int]]:
        """(link, period) pairs where installed systems can be non-zero."""
        return list(self.installed_from)

    def commodity_bps(self, c: str, t: int) -> float:
        """Total demand (bps) of commodity ``c`` in period ``t``: its relay big-M."""
        return sum(self.demand_bps[d, t] for d in self.commodities[c].demands)

    def sinks(self, c: str) -> dict[str, list[str]]:
        """Sink site -> demands of commodity ``c`` ending there."""
        out: dict[str, list[str]] = defaultdict(list)
        for d in self.commodities[c].demands:
            out[self.demand_info[d]["site_b"]].append(d)
        return out


def _cost_tables(data: ModelData, periods: list[int]) -> tuple[dict, dict, dict]:
    costs = data.costs.copy()
    items = sorted(set(costs["item"]))
    grid = pd.MultiIndex.from_product([items, periods], names=["item", "period"])
    costs = costs.set_index(["item", "period"]).reindex(grid)
    filled = costs[["capex_eur", "opex_eur_per_year"]].groupby(level="item").ffill()
    filled = filled.groupby(level="item").bfill().fillna(0.0)
    avail = costs["available"].astype("boolean").fillna(False).astype(bool)
    capex = {k: float(v) for k, v in filled["capex_eur"].items()}
    opex = {k: float(v) for k, v in filled["opex_eur_per_year"].items()}
    return capex, opex, {k: bool(v) for k, v in avail.items()}


def build_sets(data: ModelData) -> ModelSets:
    """Derive every index set and parameter lookup of the model from ``data``, in steps:
    periods and costs, links and their installed systems, demands, key flows, site
    equipment, spans."""
    data.validate()
    per = _period_sets(data)
    periods = per["periods"]
    links = _link_sets(data, periods, per["available"], per["years"])
    demands = _demand_sets(data, periods)
    flows = _flow_sets(data, periods, links, demands)
    sites = _site_sets(data, periods, per["years"], links.pop("link_needs"), flows)
    return ModelSets(**per, **links, **demands, **flows, **sites, **_span_sets(data))


def _period_sets(data: ModelData) -> dict:
    """Periods, their lengths, discount factors (at their first year; summed over their
    years; at the horizon's end), budgets; costs and availability."""
    per = data.periods.sort_values("period")
    periods = [int(t) for t in per["period"]]
    capex, opex, available = _cost_tables(data, periods)
    return {
        "periods": periods,
        "years": dict(zip(periods, (int(y) for y in per["years"]), strict=True)),
        "discount": dict(zip(periods, (float(x) for x in per["discount_factor"]), strict=True)),
        "discounted_years": dict(
            zip(periods, (float(x) for x in per["discounted_years"]), strict=True)
        ),
        "horizon_discount": float(per["end_discount_factor"].iloc[-1]),
        "budget_eur": dict(zip(periods, (float(x) for x in per["budget_eur"]), strict=True)),
        "previous": {t: (periods[i - 1] if i else None) for i, t in enumerate(periods)},
        "capex_eur": capex,
        "opex_eur_per_year": opex,
        "available": available,
    }


def _link_sets(
    data: ModelData,
    periods: list[int],
    available: dict[tuple[str, int], bool],
    years: dict[int, int],
) -> dict:
    """Links, their rates, where they may be built and which builds are installed when."""
    techs = data.technologies.set_index("tech")
    lk = data.links.sort_values("link")
    links = [str(x) for x in lk["link"].tolist()]
    link_tech = dict(zip(links, lk["tech"].tolist(), strict=True))
    link_max = {ln: int(m) for ln, m in zip(links, lk["max_systems"].tolist(), strict=True)}
    cap = {
        (str(ln), int(t)): float(r)
        for ln, t, r in rows(data.capacity, "link", "period", "key_rate_per_system_bps")
    }
    rate = {(ln, t): max(cap.get((ln, t), 0.0), 0.0) for ln in links for t in periods}
    build_index = [
        (ln, t)
        for ln in links
        for t in periods
        if available.get((link_tech[ln], t), False) and rate[ln, t] > 0 and link_max[ln] > 0
    ]
    tech_life = {str(k): lifetime_years(v) for k, v in techs["lifetime_years"].items()}
    installed_from: dict[tuple[str, int], list[int]] = defaultdict(list)
    build_schedule: dict[tuple[str, int], Schedule] = {}
    for ln, t0 in build_index:
        life = tech_life[link_tech[ln]]
        build_schedule[ln, t0] = schedule([t0], periods, years, life)
        for t in alive_periods(t0, periods, life):
            installed_from[ln, t].append(t0)
    installed_from = {k: installed_from[k] for k in sorted(installed_from)}
    link_needs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for ln, i, e in rows(data.link_sites, "link", "site", "equipment"):
        if ln in link_max:
            link_needs[str(ln)].append((str(i), str(e)))
    return {
        "links": links,
        "link_tech": link_tech,
        "link_ends": {ln: (a, b) for ln, a, b in rows(lk, "link", "site_a", "site_b")},
        "link_max_systems": link_max,
        "tech_phase": {str(k): str(v) for k, v in techs["phase"].items()},
        "rate_per_system_bps": rate,
        "build_index": build_index,
        "installed_from": installed_from,
        "build_schedule": build_schedule,
        "usable": {t: {ln for ln in links if (ln, t) in installed_from} for t in periods},
        "link_usage": dict(
            zip(data.links["link"].tolist(), data.column("links", "usage").tolist(), strict=True)
        ),
        "link_needs": dict(link_needs),
    }


def _demand_sets(data: ModelData, periods: list[int]) -> dict:
    """Demands (as dicts of their row) and their key rate per period (bps)."""
    demands = data.demands.sort_values("demand")
    demand_info = {str(r["demand"]): dict(r) for r in demands.to_dict("records")}
    for d, info in demand_info.items():
        if info["site_a"] == info["site_b"]:
            raise ModelDataError(f"ModelData.demands: demand {d} joins a site to itself")
    rates, floors = {}, {}
    minimum = data.column("demand_rates", "min_served_bps").tolist()
    for (d, t, r), low in zip(
        rows(data.demand_rates, "demand", "period", "key_rate_bps"), minimum, strict=True
    ):
        rates[str(d), int(t)], floors[str(d), int(t)] = float(r), float(low)
    demand_bps = {(d, t): max(rates.get((d, t), 0.0), 0.0) for d in demand_info for t in periods}
    weights = data.column("demands", "unserved_weight").tolist()
    return {
        "demand_info": demand_info,
        "demand_bps": demand_bps,
        "demand_min_bps": {k: min(max(floors.get(k, 0.0), 0.0), v) for k, v in demand_bps.items()},
        "demand_weight": dict(
            zip(data.demands["demand"].astype(str).tolist(), map(float, weights), strict=True)
        ),
    }


def _flow_sets(data: ModelData, periods: list[int], lk: dict, dm: dict) -> dict:
    """Commodities, their arcs over corridors or links, the carry split of corridors over
    their links, and the direct service of demands (``optimizer.flowsets``)."""
    links, ends, tech, usable, usage = (
        lk["links"], lk["link_ends"], lk["link_tech"], lk["usable"], lk["link_usage"]
    )  # fmt: skip
    demand_info = dm["demand_info"]
    intermediary = {
        str(k): bool(v) for k, v in rows(data.technologies, "tech", "trusted_intermediary")
    }
    own: dict[str, set[str]] = defaultdict(set)
    for cust, site in rows(data.customer_sites, "customer", "site"):
        own[str(cust)].add(str(site))
    commodities = flowsets.commodities(
        demand_info,
        frozenset(str(x) for x in data.sites["site"]),
        own,
        TRUSTED_NODE in set(data.equipment["equipment"]),
    )
    ever_usable = set().union(*usable.values()) if usable else set()
    relay_links = [
        flowsets.RelayLink(ln, *ends[ln], intermediary[tech[ln]])
        for ln in links
        if usage[ln] == "relay" and ln in ever_usable
    ]
    corridors = flowsets.corridors(relay_links)
    corridor_edges = [
        flowsets.RelayLink(k, c.site_a, c.site_b, c.trusted_intermediary)
        for k, c in corridors.items()
    ]
    edge_usable = {
        t: usable[t] | {k for k, c in corridors.items() if set(c.links) & usable[t]}
        for t in periods
    }
    arcs = {
        c: flowsets.arcs(com, corridor_edges if com.shares == 1 else relay_links)
        for c, com in commodities.items()
    }
    flow_index = [
        (c, e, u, v, t)
        for c, al in arcs.items()
        for e, u, v in al
        for t in periods
        if e in edge_usable[t]
    ]
    serving = flowsets.direct_links(
        commodities,
        demand_info,
        [(ln, *ends[ln], intermediary[tech[ln]], usage[ln]) for ln in links if ln in ever_usable],
    )
    return {
        "commodities": commodities,
        "arcs": arcs,
        "flow_index": flow_index,
        "demand_commodity": {d: c for c, com in commodities.items() for d in com.demands},
        **_direct_sets(serving, periods, usable),
        "corridor_links": {k: c.links for k, c in corridors.items()},
        "carry_index": _carry_index(flow_index, commodities, corridors, usable),
    }


def _direct_sets(
    serving: dict[str, list[str]], periods: list[int], usable: dict[int, set[str]]
) -> dict:
    """(demand, link, period) of direct service while the link is usable, and the links
    per (demand, period)."""
    direct_index = [
        (d, ln, t) for d, lns in serving.items() for ln in lns for t in periods if ln in usable[t]
    ]
    direct_of: dict[tuple[str, int], list[str]] = defaultdict(list)
    for d, ln, t in direct_index:
        direct_of[d, t].append(ln)
    return {"direct_index": direct_index, "direct_of": dict(direct_of)}


def _carry_index(
    flow_index: list[tuple[str, str, str, str, int]],
    commodities: dict[str, Commodity],
    corridors: dict[str, flowsets.Corridor],
    usable: dict[int, set[str]],
) -> list[tuple[str, str, int]]:
    """(link, trust class, period) where a corridor's flow of that class may ride the link."""
    classes: dict[tuple[str, int], set[str]] = defaultdict(set)
    for c, e, _, _, t in flow_index:
        if e in corridors:
            classes[e, t].add(commodities[c].trust)
    return [
        (ln, trust, t)
        for (e, t), trusts in sorted(classes.items())
        for ln in corridors[e].links
        if ln in usable[t]
        for trust in sorted(trusts)
    ]


def _site_sets(
    data: ModelData,
    periods: list[int],
    years: dict[int, int],
    link_needs: dict[str, list[tuple[str, str]]],
    fl: dict,
) -> dict:
    """(site, equipment) keys: what links need (in bundles, ``optimizer.bundles``), and
    trusted nodes where flows relay; when each is bought again (renewals) after a first
    purchase, and what that costs."""
    relays = {
        (u, TRUSTED_NODE)
        for c, com in fl["commodities"].items()
        for _, u, _ in fl["arcs"][c]
        if u != com.source
    }
    link_needs, members = bundle_equipment(link_needs, relays)
    site_keys = sorted(members)
    equipment = data.equipment.set_index("equipment")
    purchases, schedules = {}, {}
    for e in sorted({e for _, e in site_keys}):
        known = e in equipment.index
        life = lifetime_years(equipment.at[e, "lifetime_years"]) if known else math.inf
        for t0 in periods:
            purchases[e, t0] = renewals(t0, periods, life)
            schedules[e, t0] = schedule(purchases[e, t0], periods, years, life)
    return {
        "link_needs": link_needs,
        "site_keys": site_keys,
        "site_members": members,
        "equipment_purchases": purchases,
        "equipment_schedule": schedules,
    }


def _span_sets(data: ModelData) -> dict:
    """Links per fibre span, and the spans' system limits (unlimited spans left out)."""
    span_links: dict[str, list[str]] = defaultdict(list)
    for ln, s in rows(data.link_spans, "link", "span"):
        span_links[str(s)].append(str(ln))
    span_max = {str(s): float(m) for s, m in rows(data.spans, "span", "max_systems") if pd.notna(m)}
    return {"span_links": dict(span_links), "span_max_systems": span_max}
