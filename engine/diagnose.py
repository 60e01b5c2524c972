"""Why can a demand not be served? Reachability checks on the candidate links, per period.

Used when a run finds no plan (exit 3) and to explain unserved key. Per period the usable
links (positive capacity) form graphs; a demand is unservable when:

- ``trusted``: its two sites lie in different connected components of all usable links;
- ``partial``: they are disconnected using only links without a trusted intermediary and
  relaying only at the customer's own sites;
- ``trust_free``: no usable link without a trusted intermediary joins exactly its two sites.

Each graph is built once per period (and per customer), so the check is fast on national
networks. None of it needs the solver.
"""

from __future__ import annotations

import networkx as nx
import pandas as pd

from optimizer import ModelData


def usable_links(data: ModelData, period: int) -> pd.DataFrame:
    """Links with positive capacity in ``period``, with their ``trusted_intermediary`` flag."""
    capacity = data.capacity[
        (data.capacity["period"] == period) & (data.capacity["key_rate_per_system_bps"] > 0)
    ]
    links = data.links[data.links["link"].isin(capacity["link"])]
    trusted = data.technologies.set_index("tech")["trusted_intermediary"].astype(bool)
    return links.assign(trusted_intermediary=links["tech"].map(trusted).fillna(False))


def link_graph(links: pd.DataFrame) -> nx.Graph:
    """Undirected graph of the sites joined by ``links``."""
    graph = nx.Graph()
    graph.add_edges_from(zip(links["site_a"], links["site_b"], strict=True))
    return graph


def _joined(graph: nx.Graph, a: str, b: str, relay_sites: set[str] | None = None) -> bool:
    if relay_sites is not None:
        graph = graph.subgraph(relay_sites | {a, b})
    return a in graph and b in graph and nx.has_path(graph, a, b)


def _reason(trust: str, a: str, b: str) -> str:
    if trust == "trust_free":
        return f"no end-to-end link between {a} and {b} without a trusted intermediary"
    if trust == "partial":
        return f"no untrusted links join {a} and {b} via the customer's own sites only"
    return f"no chain of available links joins {a} and {b}"


UNSERVABLE_COLUMNS = ["demand", "period", "trust", "site_a", "site_b", "reason"]


def unservable_table(data: ModelData) -> pd.DataFrame:
    """One row per (demand, period) with positive demand that no plan could serve at all:
    ``UNSERVABLE_COLUMNS`` (the reason in words)."""
    rates = data.demand_rates[data.demand_rates["key_rate_bps"] > 0]
    rows = rates.merge(data.demands, on="demand")
    own_sites = data.customer_sites.groupby("customer")["site"].agg(set).to_dict()
    found: list[tuple] = []
    for period, group in rows.groupby("period", sort=True):
        links = usable_links(data, int(period))
        untrusted = links[~links["trusted_intermediary"]]
        every, no_trust = link_graph(links), link_graph(untrusted)
        direct = {frozenset(p) for p in zip(untrusted["site_a"], untrusted["site_b"], strict=True)}
        for d in group.itertuples(index=False):
            if d.trust == "trust_free":
                ok = frozenset((d.site_a, d.site_b)) in direct
            elif d.trust == "partial":
                ok = _joined(no_trust, d.site_a, d.site_b, own_sites.get(d.customer, set()))
            else:
                ok = _joined(every, d.site_a, d.site_b)
            if not ok:
                reason = _reason(d.trust, d.site_a, d.site_b)
                found.append((d.demand, int(period), d.trust, d.site_a, d.site_b, reason))
    return pd.DataFrame(found, columns=UNSERVABLE_COLUMNS)


def describe_unservable(table: pd.DataFrame, *, limit: int = 20) -> list[str]:
    """One line per row of ``unservable_table``, at most ``limit`` (and a count of the rest)."""
    lines = [f"{r.demand} ({r.trust}) in {r.period}: {r.reason}" for r in table.itertuples()]
    if len(lines) > limit:
        lines = [*lines[:limit], f"... and {len(lines) - limit} more"]
    return lines


def unservable_demands(data: ModelData, *, limit: int = 20) -> list[str]:
    """One line per (demand, period) with positive demand that no plan could serve at all."""
    return describe_unservable(unservable_table(data), limit=limit)
