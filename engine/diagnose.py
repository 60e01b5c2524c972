"""Why can a demand not be served? Reachability checks on the candidate links, per period.

Used when a run finds no plan (exit 3) and to explain unserved key in a plan. Each check is
a small function over ModelData tables; none needs the solver.
"""

from __future__ import annotations

import networkx as nx
import pandas as pd

from optimizer import ModelData


def _usable_links(data: ModelData, period: int) -> pd.DataFrame:
    """Links with positive capacity in ``period`` whose technology may be built by then."""
    capacity = data.capacity[
        (data.capacity["period"] == period) & (data.capacity["key_rate_per_system_bps"] > 0)
    ]
    links = data.links[data.links["link"].isin(capacity["link"])]
    trusted = data.technologies.set_index("tech")["trusted_intermediary"]
    return links.assign(trusted_intermediary=links["tech"].map(trusted).fillna(False))


def _direct(links: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    ends = (links["site_a"] == a) & (links["site_b"] == b)
    return links[ends | ((links["site_a"] == b) & (links["site_b"] == a))]


def check_trust_free(links: pd.DataFrame, a: str, b: str) -> str | None:
    """A trust-free key needs one end-to-end link A–B without a trusted intermediary."""
    direct = _direct(links, a, b)
    if direct[~direct["trusted_intermediary"].astype(bool)].empty:
        return f"no end-to-end link between {a} and {b} without a trusted intermediary"
    return None


def check_relayed(
    links: pd.DataFrame, a: str, b: str, *, relay_sites: set[str] | None, untrusted_only: bool
) -> str | None:
    """A relayed key needs a path A→B whose intermediate sites may relay it."""
    if untrusted_only:
        links = links[~links["trusted_intermediary"].astype(bool)]
    graph = nx.Graph()
    graph.add_nodes_from([a, b])
    for row in links.itertuples(index=False):
        graph.add_edge(row.site_a, row.site_b)
    if relay_sites is not None:
        graph.remove_nodes_from([n for n in list(graph) if n not in relay_sites | {a, b}])
    if not nx.has_path(graph, a, b):
        where = "through the customer's own sites " if relay_sites is not None else ""
        return f"no chain of available links {where}connects {a} and {b}"
    return None


def unservable_demands(data: ModelData, *, limit: int = 20) -> list[str]:
    """One line per (demand, period) with positive demand that no plan could serve at all."""
    rates = data.demand_rates[data.demand_rates["key_rate_bps"] > 0]
    demands = data.demands.set_index("demand")
    own_sites = data.customer_sites.groupby("customer")["site"].agg(set).to_dict()
    lines: list[str] = []
    for period, group in rates.groupby("period", sort=True):
        links = _usable_links(data, int(period))
        for demand_id in group["demand"]:
            d = demands.loc[demand_id]
            if d["trust"] == "trust_free":
                why = check_trust_free(links, d["site_a"], d["site_b"])
            elif d["trust"] == "partial":
                why = check_relayed(
                    links,
                    d["site_a"],
                    d["site_b"],
                    relay_sites=own_sites.get(d["customer"], set()),
                    untrusted_only=True,
                )
            else:
                why = check_relayed(
                    links, d["site_a"], d["site_b"], relay_sites=None, untrusted_only=False
                )
            if why:
                lines.append(f"{demand_id} ({d['trust']}) in {period}: {why}")
    if len(lines) > limit:
        lines = [*lines[:limit], f"... and {len(lines) - limit} more"]
    return lines
