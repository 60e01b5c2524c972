"""Commodities, their arcs, and the direct service of demands (part of ``build_sets``).

Key reaches a demand in two ways (docs/model.md, "Commodities, arcs and direct service"):

- **relayed**: as flow of its commodity over arcs of ``relay`` links, relayed at the
  commodity's relay sites (trusted nodes);
- **direct**: over one link joining exactly the demand's two endpoints, with no relay in
  between; a ``direct`` link (an end-to-end link made for a demand pair) carries key only
  this way, so it never carries transit key.

A commodity that cannot relay anywhere useful (trust-free, partial key of a customer that
owns only the demand's two endpoints, or any class without a ``trusted_node`` in the
equipment table) is *direct-only*: it gets no flow variables at all and its demands are
served on every suitable link between their endpoints, ``relay`` links included.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

Arc = tuple[str, str, str]  # (link, from site, to site)


class RelayLink(NamedTuple):
    """A ``relay`` link as the flow sets see it."""

    link: str
    site_a: str
    site_b: str
    trusted_intermediary: bool


class Corridor(NamedTuple):
    """Parallel relay links between two sites (``a <= b``) with the same trust property."""

    site_a: str
    site_b: str
    trusted_intermediary: bool
    links: list[str]


@dataclass(frozen=True)
class Commodity:
    """One flow commodity: key leaving ``source`` towards the sinks of ``demands``.

    - ``trusted`` demands with ``paths <= 1`` share one commodity per source site;
    - ``partial`` demands share one commodity per (customer, source site);
    - ``trust_free`` demands share one commodity per source site (direct service only);
    - a ``trusted``/``partial`` demand with ``paths = k >= 2`` has its own commodity with
      ``shares = k``.

    ``relay_sites`` are the sites where this commodity's key may be relayed (all sites for
    trusted, the customer's own sites for partial, none for trust_free).
    """

    name: str
    trust: str
    source: str
    demands: tuple[str, ...]
    relay_sites: frozenset[str]
    sinks: frozenset[str]
    shares: int = 1

    @property
    def direct_only(self) -> bool:
        """No path from the source can pass a relay site before reaching a sink: no relay
        site at all, or every relay site is the commodity's only sink."""
        return not self.relay_sites or (len(self.sinks) == 1 and self.relay_sites <= self.sinks)


def commodities(
    demand_info: dict[str, dict],
    all_sites: frozenset[str],
    customer_sites: dict[str, set[str]],
    has_trusted_node: bool,
) -> dict[str, Commodity]:
    """Group demands into commodities (aggregation by source; per customer for partial)."""
    groups: dict[tuple, list[str]] = defaultdict(list)
    for d, info in demand_info.items():
        trust, src, k = info["trust"], info["site_a"], int(info["paths"])
        if trust != "trust_free" and k >= 2:
            groups[(trust, f"{d}", src, info["customer"], k)].append(d)
        elif trust == "partial":
            groups[(trust, f"{info['customer']}|{src}", src, info["customer"], 1)].append(d)
        else:
            groups[(trust, src, src, "", 1)].append(d)
    out = {}
    for (trust, label, src, customer, k), ds in sorted(groups.items()):
        if trust == "trust_free" or not has_trusted_node:
            relay: frozenset[str] = frozenset()
        elif trust == "partial":
            relay = frozenset(customer_sites.get(customer, set()))
        else:
            relay = all_sites
        name = f"{trust}|{label}"
        sinks = frozenset(demand_info[d]["site_b"] for d in ds)
        out[name] = Commodity(name, trust, src, tuple(ds), relay - {src}, sinks, k)
    return out


def arcs(com: Commodity, relay_links: list[RelayLink]) -> list[Arc]:
    """Directed arcs (link, u, v) commodity ``com`` may use; none when it is direct-only.

    ``relay_links`` are the ``relay`` links (or corridors, as ``RelayLink`` rows). An arc
    u->v exists iff the technology suits the trust class (no trusted intermediary unless
    ``trusted``), u is the source or a relay site, v is a sink or a relay site, and v is
    not the source.
    """
    if com.direct_only:
        return []
    heads = com.relay_sites | {com.source}
    tails = com.relay_sites | com.sinks
    out = []
    for ln, a, b, trusted_intermediary in relay_links:
        if trusted_intermediary and com.trust != "trusted":
            continue
        for u, v in ((a, b), (b, a)):
            if v != com.source and u != v and u in heads and v in tails:
                out.append((ln, u, v))
    return out


def direct_links(
    coms: dict[str, Commodity],
    demand_info: dict[str, dict],
    links: list[tuple[str, str, str, bool, str]],
) -> dict[str, list[str]]:
    """Demand -> links that may serve it directly.

    ``links`` are (link, a, b, trusted_intermediary, usage). A link between the demand's two
    endpoints serves it directly if its technology suits the trust class and the link is
    ``direct``, or the demand's commodity is direct-only (then ``relay`` links too).
    """
    by_pair: dict[frozenset[str], list[tuple[str, bool, str]]] = defaultdict(list)
    for ln, a, b, intermediary, usage in links:
        by_pair[frozenset((a, b))].append((ln, intermediary, usage))
    out: dict[str, list[str]] = {}
    for com in coms.values():
        for d in com.demands:
            info = demand_info[d]
            ok = [
                ln
                for ln, intermediary, usage in by_pair.get(
                    frozenset((info["site_a"], info["site_b"])), ()
                )
                if (usage == "direct" or com.direct_only)
                and not (intermediary and com.trust != "trusted")
            ]
            if ok:
                out[d] = ok
    return out


def corridors(relay_links: list[RelayLink]) -> dict[str, Corridor]:
    """Parallel relay links grouped by (site pair, trusted intermediary): corridor id ->
    ``Corridor``.

    Commodities with one share route over corridors instead of single links, so parallel
    links (bb84, cv-qkd, MDI, TF hops between the same two sites) cost one flow variable
    per commodity and direction, not one each; ``carry[l, trust, t]`` then splits a
    corridor's flow of a trust class over its links (docs/model.md).
    """
    out: dict[str, Corridor] = {}
    for ln, a, b, intermediary in relay_links:
        a, b = (a, b) if a <= b else (b, a)
        cid = f"pair:{a}-{b}" + ("/ti" if intermediary else "")
        out.setdefault(cid, Corridor(a, b, intermediary, [])).links.append(ln)
    return out
