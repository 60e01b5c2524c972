"""``ModelData``: the optimizer's input contract, a frozen bundle of pandas tables.

engine/ fills it from a scenario; the optimizer reads nothing else (no files, no physics).
Each table is a plain DataFrame with a RangeIndex and the columns listed in ``SCHEMA``
(name -> dtype kind: ``str``, ``int``, ``float``, ``bool``). ``validate()`` checks columns,
keys and references so that a hand-made ModelData in a test fails early and clearly.

Tables (one row per key; index order everywhere: site|link, tech, period):

- ``sites``: site, name, lon, lat; optional ``kind`` ("site" of the network, or "field": a
  hut engine/ places on a route for a relay, memory station or repeater node).
- ``spans``: span, site_a, site_b, length_km, max_systems (fibres/wavelengths available on
  the span for QKD systems; NaN = unlimited).
- ``periods``: period (int, the period's first year), years (its length in years),
  discount_factor (at the period's first year, 1/(1+r)^(year-start): purchases),
  discounted_years (the sum of the factors of the period's years: each year's opex and
  unserved penalty is discounted at its own factor), end_discount_factor (at the year the
  period ends: the last period's discounts the residual value at the horizon's end),
  budget_eur (capex cap for the period; NaN = none).
- ``technologies``: tech, phase (I|II|III), trusted_intermediary (True when the link relays
  key through a node that learns it, e.g. a trusted satellite), lifetime_years.
- ``equipment``: equipment (trusted_node|relay|memory_station|repeater_node|ground_station),
  lifetime_years.
- ``costs``: item (a tech or an equipment name), period, capex_eur (per system or per site),
  opex_eur_per_year (per installed system or site), available (bool: may be built then).
- ``links``: link (id), tech, site_a, site_b, length_km, route ("A>B>C" of sites, or "sat"),
  relay_site ("" when none), max_systems (largest useful system count, the link's big-M);
  optional ``usage`` (``OPTIONAL``; "relay" when the column is absent): "relay" links are
  hops any relayed commodity may traverse, "direct" links (end-to-end links made for a
  demand pair) serve only demands between exactly their two endpoints, never transit key.
- ``link_sites``: link, site, equipment: equipment that must exist at a site before the link
  carries key (an MDI/TF link its ``relay``, a memory-assisted one its ``memory_station``, a
  repeater chain a ``repeater_node`` at every node, a satellite link ``ground_station`` at
  both ends). A link's end sites need nothing: the users' terminals are in the system
  price; a ``trusted_node`` is needed only where key is relayed, which the model itself
  requires (``add_relay_constraints``).
- ``link_spans``: link, span: fibre spans the link's route occupies (one fibre/wavelength
  per system on each), for the optional per-span limits.
- ``capacity``: link, period, key_rate_per_system_bps: what one system bought in that
  period makes (0 when the technology is unavailable); a system keeps its purchase
  period's rate for its whole life (vintages).
- ``demands``: demand (id), site_a, site_b, trust (trusted|partial|trust_free), customer
  ("" when none), paths (k ≥ 1 node-disjoint relay routes the key is split over).
- ``demand_rates``: demand, period, key_rate_bps.
- ``customer_sites``: customer, site: the customer's own sites, where its ``partial`` keys
  may be relayed.

Optional service columns: ``demands.unserved_weight`` (default 1: the unserved key of
this demand weighs that many times the penalty, or that many times in the served-key
objective) and ``demand_rates.min_served_bps`` (default 0: key that must be served, a
hard lower bound on ``served``).

Scalars: ``unserved_penalty_eur_per_bps_year`` (EUR per bit/s of unserved key and year;
0 when every required key is forced by ``min_served_bps``) and ``objective``: ``cost``
(minimise discounted cost + penalty) or ``served`` (first serve as much weighted key as
possible — key-years discounted like opex — then, at that, minimise the cost; for a budget
study, with ``periods.budget_eur``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace

import pandas as pd

from optimizer.names import LINK_USAGES, TRUST_CLASSES

SCHEMA: dict[str, dict[str, str]] = {
    "sites": {"site": "str", "name": "str", "lon": "float", "lat": "float"},
    "spans": {
        "span": "str",
        "site_a": "str",
        "site_b": "str",
        "length_km": "float",
        "max_systems": "float",
    },
    "periods": {
        "period": "int",
        "years": "int",
        "discount_factor": "float",
        "discounted_years": "float",
        "end_discount_factor": "float",
        "budget_eur": "float",
    },
    "technologies": {
        "tech": "str",
        "phase": "str",
        "trusted_intermediary": "bool",
        "lifetime_years": "float",
    },
    "equipment": {"equipment": "str", "lifetime_years": "float"},
    "costs": {
        "item": "str",
        "period": "int",
        "capex_eur": "float",
        "opex_eur_per_year": "float",
        "available": "bool",
    },
    "links": {
        "link": "str",
        "tech": "str",
        "site_a": "str",
        "site_b": "str",
        "length_km": "float",
        "route": "str",
        "relay_site": "str",
        "max_systems": "int",
    },
    "link_sites": {"link": "str", "site": "str", "equipment": "str"},
    "link_spans": {"link": "str", "span": "str"},
    "capacity": {"link": "str", "period": "int", "key_rate_per_system_bps": "float"},
    "demands": {
        "demand": "str",
        "site_a": "str",
        "site_b": "str",
        "trust": "str",
        "customer": "str",
        "paths": "int",
    },
    "demand_rates": {"demand": "str", "period": "int", "key_rate_bps": "float"},
    "customer_sites": {"customer": "str", "site": "str"},
}

# Optional columns: table -> column -> (dtype kind, default when the column is absent).
OPTIONAL: dict[str, dict[str, tuple[str, object]]] = {
    "links": {"usage": ("str", "relay")},
    "sites": {"kind": ("str", "site")},  # "site" (of the network) | "field" (a field hut)
    "demands": {"unserved_weight": ("float", 1.0)},
    "demand_rates": {"min_served_bps": ("float", 0.0)},
}
OBJECTIVES = ("cost", "served")

_KEYS: dict[str, tuple[str, ...]] = {
    "sites": ("site",),
    "spans": ("span",),
    "periods": ("period",),
    "technologies": ("tech",),
    "equipment": ("equipment",),
    "costs": ("item", "period"),
    "links": ("link",),
    "link_sites": ("link", "site", "equipment"),
    "link_spans": ("link", "span"),
    "capacity": ("link", "period"),
    "demands": ("demand",),
    "demand_rates": ("demand", "period"),
    "customer_sites": ("customer", "site"),
}


def rows(df: pd.DataFrame, *columns: str) -> zip:
    """Tuples of plain Python values of ``columns``, row by row: ``tolist`` per column is ~20x
    faster than ``itertuples`` over pandas' Arrow-backed string columns."""
    return zip(*(df[c].tolist() for c in columns), strict=True)


class ModelDataError(ValueError):
    """A ModelData table is malformed: the message names the table and the problem."""


@dataclass(frozen=True)
class ModelData:
    """The optimizer's whole input. See the module docstring for every table's columns."""

    sites: pd.DataFrame
    spans: pd.DataFrame
    periods: pd.DataFrame
    technologies: pd.DataFrame
    equipment: pd.DataFrame
    costs: pd.DataFrame
    links: pd.DataFrame
    link_sites: pd.DataFrame
    link_spans: pd.DataFrame
    capacity: pd.DataFrame
    demands: pd.DataFrame
    demand_rates: pd.DataFrame
    customer_sites: pd.DataFrame
    unserved_penalty_eur_per_bps_year: float = 100.0
    objective: str = "cost"

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name, in ``SCHEMA`` order."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in SCHEMA}

    def describe(self) -> dict[str, int]:
        """Row counts per table, plus counts a reader wants first."""
        counts = {name: len(df) for name, df in self.tables().items()}
        counts["link_techs"] = int(self.links["tech"].nunique()) if len(self.links) else 0
        return counts

    def validate(self) -> ModelData:
        """Check columns, unique keys and cross-references; return self or raise."""
        for name, df in self.tables().items():
            missing = [c for c in SCHEMA[name] if c not in df.columns]
            if missing:
                raise ModelDataError(f"ModelData.{name}: missing columns {missing}")
            key = list(_KEYS[name])
            if df.duplicated(subset=key).any():
                dup = df.loc[df.duplicated(subset=key, keep=False), key].head(3)
                raise ModelDataError(f"ModelData.{name}: duplicate keys {key}:\n{dup}")
        if self.objective not in OBJECTIVES:
            raise ModelDataError(f"ModelData.objective: {self.objective!r} not in {OBJECTIVES}")
        self._check_refs()
        return self

    def restrict(
        self, *, periods: Iterable[int] | None = None, links: Iterable[str] | None = None
    ) -> ModelData:
        """This data with only the given periods and/or candidate links: every table whose
        ``SCHEMA`` has a ``period`` (``link``) column keeps only those rows, so a table or
        column added to the schema is restricted with no other edit. Sites, spans and
        demands are kept whole (a demand without rates in the kept periods asks for 0)."""
        keep = {"period": periods, "link": links}
        cut = {}
        for name, df in self.tables().items():
            mask = None
            for column, values in keep.items():
                if values is not None and column in SCHEMA[name]:
                    hit = df[column].isin(list(values))
                    mask = hit if mask is None else mask & hit
            if mask is not None:
                cut[name] = df[mask].reset_index(drop=True)
        return replace(self, **cut)

    def column(self, table: str, name: str) -> pd.Series:
        """Column ``name`` of ``table``; an absent ``OPTIONAL`` column gives its default."""
        df = getattr(self, table)
        if name in df.columns:
            return df[name]
        kind, default = OPTIONAL[table][name]
        del kind
        return pd.Series([default] * len(df), index=df.index, dtype=object)

    def _check_refs(self) -> None:
        sites = set(self.sites["site"].tolist())
        periods = set(self.periods["period"].tolist())
        links = set(self.links["link"].tolist())
        refs: list[tuple[str, str, set]] = [
            ("spans", "site_a", sites),
            ("spans", "site_b", sites),
            ("links", "site_a", sites),
            ("links", "site_b", sites),
            ("links", "tech", set(self.technologies["tech"].tolist())),
            ("link_sites", "link", links),
            ("link_sites", "site", sites),
            ("link_sites", "equipment", set(self.equipment["equipment"].tolist())),
            ("link_spans", "link", links),
            ("link_spans", "span", set(self.spans["span"].tolist())),
            ("capacity", "link", links),
            ("capacity", "period", periods),
            ("costs", "period", periods),
            ("demands", "site_a", sites),
            ("demands", "site_b", sites),
            ("demands", "trust", set(TRUST_CLASSES)),
            ("demand_rates", "demand", set(self.demands["demand"].tolist())),
            ("demand_rates", "period", periods),
            ("customer_sites", "site", sites),
        ]
        if "usage" in self.links.columns:
            refs.append(("links", "usage", set(LINK_USAGES)))
        for table, column, allowed in refs:
            bad = set(getattr(self, table)[column].unique().tolist()) - allowed
            if bad:
                raise ModelDataError(
                    f"ModelData.{table}.{column}: unknown values {sorted(map(str, bad))[:5]}"
                )
