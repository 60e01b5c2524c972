"""Why can a demand not be served? Reachability checks on the candidate links, per period.

Used when a run finds no plan (exit 3) and to explain unserved key. Per period the usable
links (positive capacity) form graphs; a demand is unservable when:

- ``trusted``: no usable link joins its two sites and they lie in different connected
  components of the usable ``relay`` links (``direct`` links, made for one pair, carry no
  transit key);
- ``partial``: no usable link without a trusted intermediary joins them, and they are
  disconnected using only such ``relay`` links, relaying at the customer's own sites;
- ``trust_free``: no usable link without a trusted intermediary joins exactly its two sites.

Each graph is built once per period (and per customer), so the check is fast on national
networks. None of it needs the solver.
"""

from __future__ import annotations

import math

import networkx as nx
import pandas as pd
from networkx.algorithms.flow import build_residual_network, shortest_augmenting_path

from optimizer import ModelData


def usable_links(data: ModelData, period: int) -> pd.DataFrame:
    """Links with positive capacity in ``period``, with their ``trusted_intermediary`` flag."""
    capacity = data.capacity[
        (data.capacity["period"] == period) & (data.capacity["key_rate_per_system_bps"] > 0)
    ]
    links = data.links[data.links["link"].isin(capacity["link"])]
    trusted = data.technologies.set_index("tech")["trusted_intermediary"].astype(bool)
    usage = data.column("links", "usage")[links.index]
    # bool even when empty: an empty object-dtype mask would select columns, not rows
    flag = links["tech"].map(trusted).fillna(False).astype(bool)
    return links.assign(trusted_intermediary=flag, usage=usage.to_numpy())


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
        hops = links["usage"] == "relay"  # only these carry transit key
        every, no_trust = link_graph(links[hops]), link_graph(untrusted[hops[untrusted.index]])
        direct = {frozenset(p) for p in zip(untrusted["site_a"], untrusted["site_b"], strict=True)}
        direct_any = {frozenset(p) for p in zip(links["site_a"], links["site_b"], strict=True)}
        for d in group.itertuples(index=False):
            pair = frozenset((d.site_a, d.site_b))
            if d.trust == "trust_free":
                ok = pair in direct
            elif d.trust == "partial":
                own = own_sites.get(d.customer, set())
                ok = pair in direct or _joined(no_trust, d.site_a, d.site_b, own)
            else:
                ok = pair in direct_any or _joined(every, d.site_a, d.site_b)
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


def servable_bps(data: ModelData, wanted: pd.Series | None = None) -> pd.DataFrame:
    """The most key (bps) each (demand, period) could get on its own from the candidate
    links at their largest system counts (``max_systems`` x rate): the links joining its
    two sites that suit its class, plus a maximum flow over the ``relay`` links it may
    relay on (all for ``trusted``; untrusted ones through the customer's own sites for
    ``partial``; none for ``trust_free``). Columns demand, period, servable_bps, and its
    parts direct_bps and relayed_bps. Demands sharing links may together get less; a
    must-serve plan asks no more than this (engine.service shares the direct links of one
    pair among its classes).

    ``wanted`` (bps, indexed by (demand, period)) lets a flow stop once it carries what
    the demand asks beyond its direct links (``servable_bps`` is then at least
    ``min(wanted, the most)``), and only asks whether a relay route exists at all when the
    direct links suffice: far fewer augmenting paths on large networks."""
    rates = data.demand_rates[data.demand_rates["key_rate_bps"] > 0]
    rows = rates.merge(data.demands, on="demand")
    own_sites = data.customer_sites.groupby("customer")["site"].agg(set).to_dict()
    cap = data.capacity.merge(data.links[["link", "max_systems"]], on="link")
    most = dict(zip(zip(cap["link"], cap["period"], strict=True),
                    cap["key_rate_per_system_bps"] * cap["max_systems"], strict=True))  # fmt: skip
    target = {} if wanted is None else wanted.to_dict()
    out: list[tuple[str, int, float, float, float]] = []
    for period, group in rows.groupby("period", sort=True):
        links = usable_links(data, int(period))
        links = links.assign(bps=[most[ln, int(period)] for ln in links["link"]])
        direct = _pair_capacity(links)
        relay = links[links["usage"] == "relay"]
        flows = _Flows(relay)
        for d in group.itertuples(index=False):
            pair = frozenset((d.site_a, d.site_b))
            direct_bps = direct.get((pair, d.trust != "trusted"), 0.0)
            relayed = 0.0
            if d.trust != "trust_free":
                own = own_sites.get(d.customer, set()) if d.trust == "partial" else None
                need = target.get((d.demand, int(period)), math.inf) - direct_bps
                relayed = flows.most(d.site_a, d.site_b, own, max(need, 1e-9))
            out.append((d.demand, int(period), direct_bps + relayed, direct_bps, relayed))
    return pd.DataFrame(
        out, columns=["demand", "period", "servable_bps", "direct_bps", "relayed_bps"]
    )


def _pair_capacity(links: pd.DataFrame) -> dict[tuple[frozenset, bool], float]:
    """(site pair, untrusted links only?) -> total largest capacity of the links joining it."""
    out: dict[tuple[frozenset, bool], float] = {}
    for a, b, bps, intermediary in zip(links["site_a"], links["site_b"], links["bps"],
                                       links["trusted_intermediary"], strict=True):  # fmt: skip
        for untrusted_only in (False, True):
            if not (untrusted_only and intermediary):
                key = (frozenset((a, b)), untrusted_only)
                out[key] = out.get(key, 0.0) + float(bps)
    return out


def _capacity_graph(links: pd.DataFrame) -> nx.DiGraph:
    """Both directions of every link, capacities summed over parallel links (bps)."""
    graph = nx.DiGraph()
    for a, b, bps in zip(links["site_a"], links["site_b"], links["bps"], strict=True):
        for u, v in ((a, b), (b, a)):
            old = graph.edges[u, v]["capacity"] if graph.has_edge(u, v) else 0.0
            graph.add_edge(u, v, capacity=old + float(bps))
    return graph


class _Flows:
    """Maximum flows over one period's relay links: all of them (``trusted``) or the untrusted
    ones relaying only at given sites (``partial``). Each network's residual graph is built
    once and reused (networkx resets its flows), which is most of a flow's cost."""

    def __init__(self, relay: pd.DataFrame) -> None:
        self.trusted = _capacity_graph(relay)
        self.untrusted = _capacity_graph(relay[~relay["trusted_intermediary"]])
        self.residuals: dict[object, nx.DiGraph] = {}

    def most(self, a: str, b: str, relay_sites: set[str] | None, cutoff: float) -> float:
        """Maximum flow a -> b, relaying only at ``relay_sites`` over untrusted links when
        given (else anywhere over all), stopping once it reaches ``cutoff``."""
        if relay_sites is None:
            key: object = "trusted"
            graph = self.trusted
        else:
            nodes = frozenset(relay_sites | {a, b})
            key, graph = nodes, self.untrusted.subgraph(nodes)
        if a not in graph or b not in graph:
            return 0.0
        if key not in self.residuals:
            self.residuals[key] = build_residual_network(graph, "capacity")
        kw = {} if math.isinf(cutoff) else {"cutoff": cutoff}
        flow = shortest_augmenting_path(graph, a, b, residual=self.residuals[key], **kw)
        return float(flow.graph["flow_value"])
