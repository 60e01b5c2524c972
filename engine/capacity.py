"""Key capacity per system of one technology, from engine.physics, and its reach.

A technology's per-period row of ``engine.tech_periods.technology_periods`` names its physics
model, that period's keyword arguments and its rate unit. Capacity per system (bits/s):

- ``per_pulse``: model rate (bits per pulse / pulse pair / symbol) x repetition rate;
- ``per_second``: the model rate as is (memory-assisted MDI, repeater chains);
- ``per_pass``: bits per pass x passes_per_day / 86400 (satellites, no length argument);

each times ``clear_sky_probability`` (1 unless the catalogue sets weather availability), and
0 in periods where the technology is not available. Fibre technologies get the scenario's
fibre loss (``alpha_db_per_km``) when their model takes one; free-space and satellite links
keep the catalogue's. The optimizer never calls this: it reads the resulting tables.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from engine.catalogue import physics_function

FIBRE_KINDS = frozenset({"point_to_point", "relay_midpoint", "memory_midpoint", "repeater_chain"})
SECONDS_PER_DAY = 86400.0


@cache
def _accepts(model: str, keyword: str) -> bool:
    """Whether the physics model takes ``keyword`` (explicitly or through ``**kwargs``)."""
    sig = inspect.signature(physics_function(model))
    return keyword in sig.parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in sig.parameters.values()
    )


def physics_kwargs(
    row: Mapping[str, Any], *, alpha_db_per_km: float, **link_kwargs: Any
) -> dict[str, Any]:
    """The keyword arguments the model of ``row`` is called with for one link.

    ``link_kwargs`` (e.g. ``relay_fraction``, ``nesting_level``) are added when the model
    accepts them; the scenario's fibre loss replaces the catalogue's for fibre links.
    """
    params = dict(row["params"])
    model = str(row["physics_model"])
    if row["link_kind"] in FIBRE_KINDS and _accepts(model, "alpha_db_per_km"):
        params["alpha_db_per_km"] = float(alpha_db_per_km)
    for key, value in link_kwargs.items():
        if value is not None and _accepts(model, key):
            params[key] = value
    return params


def key_rate_per_system_bps(
    row: Mapping[str, Any],
    length_km: ArrayLike,
    *,
    alpha_db_per_km: float,
    **link_kwargs: Any,
) -> np.ndarray:
    """Secret key (bits/s) of one system of ``row``'s technology at ``length_km`` (array).

    ``row`` is one (tech, period) row of ``technology_periods``; 0 everywhere when the
    technology is not available in that period.
    """
    length = np.atleast_1d(np.asarray(length_km, dtype=float))
    if not bool(row["available"]):
        return np.zeros(length.shape)
    fn = physics_function(str(row["physics_model"]))
    params = physics_kwargs(row, alpha_db_per_km=alpha_db_per_km, **link_kwargs)
    unit = row["rate_unit"]
    if unit == "per_pass":
        bits = fn(repetition_rate_hz=float(row["repetition_rate_hz"]), **params)
        rate = np.broadcast_to(
            np.asarray(bits, dtype=float) * float(row["passes_per_day"]) / SECONDS_PER_DAY,
            length.shape,
        )
    else:
        rate = np.asarray(fn(length, **params), dtype=float)
        if unit == "per_pulse":
            rate = rate * float(row["repetition_rate_hz"])
        # detector saturation: every key bit needs a detection (docs/physics.md)
        cap = row.get("max_count_rate_hz")
        if cap is not None and not pd.isna(cap):
            rate = np.minimum(rate, float(cap))
    out = rate * float(row["clear_sky_probability"])
    return np.where(np.isfinite(out) & (out > 0.0), out, 0.0)


def fill_capacities(
    cands: list[Any], rows: list[Mapping[str, Any]], *, alpha_db_per_km: float
) -> None:
    """Set each candidate's ``capacity`` (bits/s per system, one value per period row of its
    technology), batching the candidates whose ``link_kwargs`` are equal. A candidate has
    ``length_km``, ``effective_length_km`` (NaN: use ``length_km``) and ``link_kwargs``."""
    groups: dict[tuple, list[Any]] = {}
    for c in cands:
        groups.setdefault(tuple(sorted(c.link_kwargs.items())), []).append(c)
    for key, members in groups.items():
        lengths = np.array(
            [
                c.length_km if np.isnan(c.effective_length_km) else c.effective_length_km
                for c in members
            ]
        )
        per_period = np.stack(
            [
                key_rate_per_system_bps(r, lengths, alpha_db_per_km=alpha_db_per_km, **dict(key))
                for r in rows
            ]
        )
        for i, c in enumerate(members):
            c.capacity = per_period[:, i]


def reach_km(
    rows: list[Mapping[str, Any]],
    *,
    alpha_db_per_km: float,
    min_key_rate_bps: float,
    step_km: float = 1.0,
) -> float:
    """Largest length (km) at which the best period's capacity per system >= the floor.

    ``rows`` are one technology's period rows. Evaluated on a grid of ``step_km`` from
    ``step_km`` to the technology's ``max_length_km`` (the hard cap); 0 when no length (or no
    available period) reaches the floor. Satellites (no length argument) reach their cap.
    """
    available = [r for r in rows if bool(r["available"])]
    if not available:
        return 0.0
    cap = max(float(r["max_length_km"]) for r in available)
    grid = np.arange(step_km, cap + step_km / 2.0, step_km)
    best = np.zeros(grid.shape)
    for row in available:
        best = np.maximum(best, key_rate_per_system_bps(row, grid, alpha_db_per_km=alpha_db_per_km))
    ok = np.nonzero(best >= min_key_rate_bps)[0]
    return float(grid[ok[-1]]) if ok.size else 0.0


@dataclass(frozen=True)
class DemandTotals:
    """Demand per period (bps) by who may use a link (docs/candidates.md, big-M rule),
    without per-link table scans."""

    trusted: np.ndarray
    partial: np.ndarray
    pair: dict[tuple[str, str], dict[str, np.ndarray]]

    @classmethod
    def build(cls, demands: pd.DataFrame, rates: pd.DataFrame, periods: list[int]) -> DemandTotals:
        table = rates.pivot_table(
            index="demand", columns="period", values="key_rate_bps", aggfunc="sum", fill_value=0.0
        ).reindex(columns=periods, fill_value=0.0)
        table.index = table.index.astype(str)
        values = table.to_numpy(dtype=float)  # one row per demand, one column per period
        position = {d: i for i, d in enumerate(table.index)}
        zero = np.zeros(len(periods))
        totals: dict[str, np.ndarray] = {"trusted": zero.copy(), "partial": zero.copy()}
        pair: dict[tuple[str, str], dict[str, np.ndarray]] = {}
        columns = (demands[c].tolist() for c in ("demand", "site_a", "site_b", "trust"))
        for d, a, b, trust in zip(*columns, strict=True):
            i = position.get(str(d))
            row = values[i] if i is not None else zero
            key = (min(str(a), str(b)), max(str(a), str(b)))
            by_trust = pair.setdefault(key, {})
            by_trust[str(trust)] = by_trust.get(str(trust), zero) + row
            if trust != "trust_free":
                totals[str(trust)] = totals[str(trust)] + row
        return cls(totals["trusted"], totals["partial"], pair)

    def usable(self, cand: Any, trusted_intermediary: bool) -> np.ndarray:
        """Per-period demand that could use ``cand`` (rule 7)."""
        here = self.pair.get((cand.site_a, cand.site_b), {})
        zero = np.zeros_like(self.trusted)
        classes = ("trusted",) if trusted_intermediary else ("trusted", "partial", "trust_free")
        if cand.usage == "direct":  # only the demands between its two ends
            return sum((here.get(k, zero) for k in classes), zero)
        need = self.trusted.copy()
        if not trusted_intermediary:
            need = need + self.partial + here.get("trust_free", zero)
        return need


def max_systems(
    cand: Any,
    trusted_intermediary: bool,
    totals: DemandTotals,
    span_limits: dict[str, float],
    cap: int,
) -> int:
    """A candidate's ``max_systems`` (big-M): systems for the most demand that may use it,
    >= 1, capped by its limited spans and ``cap``. ``cand`` has site_a, site_b, usage,
    capacity (per period) and spans."""
    need = totals.usable(cand, trusted_intermediary)
    systems = 1
    for demand_bps, capacity in zip(need, cand.capacity, strict=True):
        if capacity > 0:
            systems = max(systems, math.ceil(float(demand_bps) / capacity - 1e-9))
    limits = [span_limits[s] for s in cand.spans if s in span_limits]
    return int(max(1, min([systems, cap, *(int(x) for x in limits)])))
