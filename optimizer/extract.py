"""``extract``: solved model -> the result tables of DESIGN.md ("Results"), tidy pandas.

Counts are rounded to integers when the model's system counts are integer (with
``relax_integers`` they are reported as the continuous values solved). Floats are rounded
to 6 decimals and never ``-0.0``. ``phases`` attributes each commodity's served key to the
phases of the links carrying it, in proportion to the commodity's flow on those links
(flow volume = bps x hops), then sums over commodities; key served directly counts for its
link's phase.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from optimizer.model_data import ModelData
from optimizer.names import PHASES
from optimizer.objective import discount_weight
from optimizer.result_schema import SOLUTION_SCHEMAS
from optimizer.sets import CATEGORIES, ModelSets

COLUMNS: dict[str, list[str]] = {name: schema.names for name, schema in SOLUTION_SCHEMAS.items()}
"""Column names per table, from ``result_schema`` (the one statement of them)."""
_TOL = 1e-6


def _clean(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(df, columns=columns).reset_index(drop=True)
    for col in df.columns:
        if pd.api.types.is_float_dtype(df[col]):
            x = df[col].to_numpy(dtype=float).round(6)
            x[np.abs(x) < 1e-9] = 0.0
            df[col] = x + 0.0
    if "period" in df.columns:
        df["period"] = df["period"].astype("int64")
    return df


def empty_tables() -> dict[str, pd.DataFrame]:
    """The result tables with their columns and no rows (no solution to report)."""
    return {name: pd.DataFrame(columns=cols) for name, cols in COLUMNS.items()}


def _v(x) -> float:
    val = pyo.value(x, exception=False)
    return 0.0 if val is None else float(val)


def _builds(m: pyo.ConcreteModel, s: ModelSets) -> pd.DataFrame:
    """Per (period, link) with systems: new and installed counts, the purchase price, the
    rate per system of that period's vintage, and what all installed systems make (each
    vintage at its own rate)."""
    integer = any(v.is_integer() for v in m.build.values())
    rows = []
    for (ln, t), vintages in s.installed_from.items():
        new = _v(m.build[ln, t]) if (ln, t) in m.build else 0.0
        counts = {t0: _v(m.build[ln, t0]) for t0 in vintages}
        if integer:
            new, counts = round(new), {t0: round(x) for t0, x in counts.items()}
        inst = sum(counts.values())
        if new > _TOL or inst > _TOL:
            tech = s.link_tech[ln]
            capex = s.capex_eur[tech, t] * new
            rate = s.rate_per_system_bps.get((ln, t), 0.0)
            made = sum(s.rate_per_system_bps[ln, t0] * x for t0, x in counts.items())
            rows.append((t, ln, tech, new, inst, float(capex), rate, float(made)))
    df = _clean(pd.DataFrame(rows, columns=COLUMNS["builds"]), COLUMNS["builds"])
    if integer:
        df[["systems_new", "systems_installed"]] = df[["systems_new", "systems_installed"]].astype(
            "int64"
        )
    return df.sort_values(["period", "link"], ignore_index=True)


def _equipment(m: pyo.ConcreteModel, s: ModelSets) -> pd.DataFrame:
    first = {k: round(_v(m.site_new[k])) for k in m.site_new}
    bought: dict[tuple[str, str, int], int] = defaultdict(int)
    for i, e in s.site_keys:
        for t0 in s.periods:
            for t in s.equipment_purchases[e, t0]:
                bought[i, e, t] += first[i, e, t0]
    rows = [  # a bundle key stands for its member sites (optimizer.bundles)
        (t, site, e, 1, int(bought[i, e, t] > 0))
        for i, e in s.site_keys
        for t in s.periods
        if _v(m.site[i, e, t]) > 0.5
        for site in s.site_members[i, e]
    ]
    df = pd.DataFrame(rows, columns=COLUMNS["equipment"])
    df[["installed", "new"]] = df[["installed", "new"]].astype("int64")
    return _clean(df, COLUMNS["equipment"]).sort_values(["period", "site", "equipment"])


def _served(m: pyo.ConcreteModel, s: ModelSets) -> pd.DataFrame:
    rows = []
    for (d, t), bps in s.demand_bps.items():
        info = s.demand_info[d]
        rows.append(
            (t, d, info["site_a"], info["site_b"], info["trust"], info["customer"], bps,
             min(_v(m.served[d, t]), bps))
        )  # fmt: skip
    df = _clean(pd.DataFrame(rows, columns=COLUMNS["served"]), COLUMNS["served"])
    return df.sort_values(["period", "demand"], ignore_index=True)


def _flows(m: pyo.ConcreteModel, s: ModelSets) -> pd.DataFrame:
    total: dict[tuple[int, str, str], float] = defaultdict(float)
    for k in s.flow_index:
        c, ln, _, _, t = k
        if ln not in s.corridor_links:  # corridor flows are reported through ``carry``
            total[t, ln, s.commodities[c].trust] += _v(m.flow[k])
    for k in s.carry_index:
        ln, trust, t = k
        total[t, ln, trust] += _v(m.carry[k])
    for k in s.direct_index:
        d, ln, t = k
        total[t, ln, s.demand_info[d]["trust"]] += _v(m.direct[k])
    rows = [(t, ln, trust, x) for (t, ln, trust), x in total.items() if x > _TOL]
    df = _clean(pd.DataFrame(rows, columns=COLUMNS["flows"]), COLUMNS["flows"])
    return df.sort_values(["period", "link", "trust"], ignore_index=True)


def _costs(m: pyo.ConcreteModel, s: ModelSets) -> pd.DataFrame:
    """Every (period, category): undiscounted EUR and its weight in the objective
    (``objective.discount_weight``); ``residual_value`` only in the last period."""
    rows = []
    for t in s.periods:
        for k in CATEGORIES:
            if k == "residual_value" and t != s.periods[-1]:
                continue
            eur = _v(m.cost_eur[t, k])
            rows.append((t, k, eur, discount_weight(s, t, k) * eur))
    return _clean(pd.DataFrame(rows, columns=COLUMNS["costs"]), COLUMNS["costs"])


def _corridor_phases(m: pyo.ConcreteModel, s: ModelSets) -> dict:
    """(corridor, trust, t) -> {phase: share of the class's corridor flow on its links}."""
    corridor_of = {ln: k for k, lns in s.corridor_links.items() for ln in lns}
    carried: dict[tuple[str, str, int], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for k in s.carry_index:
        ln, trust, t = k
        carried[corridor_of[ln], trust, t][s.tech_phase[s.link_tech[ln]]] += _v(m.carry[k])
    out = {}
    for key, by_phase in carried.items():
        total = sum(by_phase.values())
        if total > _TOL:
            out[key] = {p: x / total for p, x in by_phase.items()}
    return out


def _phases(m: pyo.ConcreteModel, s: ModelSets) -> pd.DataFrame:
    split = _corridor_phases(m, s)
    by_phase: dict[tuple[str, int], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for k in s.flow_index:
        c, ln, _, _, t = k
        x = _v(m.flow[k])
        if ln in s.corridor_links:
            for phase, share in split.get((ln, s.commodities[c].trust, t), {}).items():
                by_phase[c, t][phase] += x * share
        else:
            by_phase[c, t][s.tech_phase[s.link_tech[ln]]] += x
    served_bps: dict[tuple[int, str], float] = defaultdict(float)
    direct_bps: dict[tuple[str, int], float] = defaultdict(float)
    for k in s.direct_index:
        d, ln, t = k
        x = _v(m.direct[k])
        direct_bps[d, t] += x
        served_bps[t, s.tech_phase[s.link_tech[ln]]] += x
    for (c, t), flows in by_phase.items():
        volume = sum(flows.values())
        delivered = sum(_v(m.served[d, t]) - direct_bps[d, t] for d in s.commodities[c].demands)
        if volume > _TOL and delivered > _TOL:
            for phase, f in flows.items():
                served_bps[t, phase] += delivered * f / volume
    rows = []
    for t in s.periods:
        total = sum(served_bps[t, p] for p in PHASES)
        for p in PHASES:
            share = served_bps[t, p] / total if total > _TOL else 0.0
            rows.append((t, p, served_bps[t, p], share))
    return _clean(pd.DataFrame(rows, columns=COLUMNS["phases"]), COLUMNS["phases"])


def extract(model: pyo.ConcreteModel, data: ModelData | None = None) -> dict[str, pd.DataFrame]:
    """Result tables from a solved model (``data`` is accepted for symmetry; the model
    carries the sets it was built from)."""
    s: ModelSets = model.sets
    tables = {
        "builds": _builds(model, s),
        "equipment": _equipment(model, s),
        "served": _served(model, s),
        "flows": _flows(model, s),
        "costs": _costs(model, s),
        "phases": _phases(model, s),
    }
    return {k: df.reset_index(drop=True) for k, df in tables.items()}
