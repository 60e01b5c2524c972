"""Side-by-side comparison of finished runs, from their Parquet tables only."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from engine.palette import COST_LABELS
from engine.results import read_manifest, read_table
from engine.results.headline import PENALTY, cost_parts, headline
from optimizer.names import COST_CATEGORIES


def summary_table(run_dirs: Sequence[Path]) -> pd.DataFrame:
    """One row per run: status, gap, the headline (``engine.results.headline``: cost_eur =
    discounted capex + opex − residual value, with capex_eur, opex_eur and
    residual_value_eur its parts, unserved_penalty_eur, objective_eur = cost + penalty),
    the unserved key in the last period (bit/s), and the served share by trust class.

    ``served_share_<trust>`` = Σ served_bps / Σ demand_bps over all periods (key-weighted),
    blank (NaN) when the run has no demand of that class.
    """
    rows = []
    for run_dir in run_dirs:
        manifest = read_manifest(run_dir)
        served = read_table(run_dir, "served")
        costs = read_table(run_dir, "costs")
        head = headline(costs, served)
        last = max(head["unserved_bps"], default=None)
        row: dict[str, object] = {
            "scenario": manifest["scenario"],
            "status": manifest.get("status", ""),
            "gap": manifest.get("gap"),
            "cost_eur": head["cost_eur"],
            **cost_parts(costs),
            "unserved_penalty_eur": head["unserved_penalty_eur"],
            "objective_eur": head["objective_eur"],
            "unserved_bps_last_period": head["unserved_bps"].get(last, 0.0),
        }
        by_trust = served.groupby("trust")[["served_bps", "demand_bps"]].sum()
        for trust in ("trusted", "partial", "trust_free"):
            if trust in by_trust.index and by_trust.loc[trust, "demand_bps"] > 0:
                share = by_trust.loc[trust, "served_bps"] / by_trust.loc[trust, "demand_bps"]
            else:
                share = float("nan")
            row[f"served_share_{trust}"] = float(share)
        rows.append(row)
    return pd.DataFrame(rows)


def unserved_table(run_dirs: Sequence[Path]) -> pd.DataFrame:
    """Unserved key (bit/s) per scenario (rows) and period (columns)."""
    served = read_table(list(run_dirs), "served")
    gap = (served["demand_bps"] - served["served_bps"]).clip(lower=0.0)
    table = gap.groupby([served["scenario"], served["period"]]).sum().unstack("period")
    return table.fillna(0.0).round(3).reset_index()


def phase_shares(run_dirs: Sequence[Path]) -> pd.DataFrame:
    """Share of served key carried by each phase's technologies: rows scenario × period."""
    phases = read_table(list(run_dirs), "phases")
    wide = phases.pivot_table(
        index=["scenario", "period"], columns="phase", values="share", aggfunc="sum"
    )
    return wide.reindex(columns=["I", "II", "III"]).fillna(0.0).reset_index()


def equipment_counts(run_dirs: Sequence[Path]) -> pd.DataFrame:
    """Installed site equipment per scenario, period and kind (a wide count table)."""
    equipment = read_table(list(run_dirs), "equipment")
    installed = equipment[equipment["installed"]]
    counts = installed.groupby(["scenario", "period", "equipment"]).size()
    return counts.unstack("equipment", fill_value=0).reset_index()


def roadmap_table(run_dirs: Sequence[Path]) -> pd.DataFrame:
    """The roadmap summary: per scenario and period, served key by phase (bit/s), installed
    site equipment counts, the period's discounted cost (M€: capex + opex − residual value)
    and, apart, its discounted unserved-key penalty (M€)."""
    dirs = list(run_dirs)
    phases = read_table(dirs, "phases").pivot_table(
        index=["scenario", "period"], columns="phase", values="served_bps", aggfunc="sum"
    )
    phases = phases.reindex(columns=["I", "II", "III"]).fillna(0.0)
    phases.columns = [f"served_{p}_bps" for p in phases.columns]
    equipment = equipment_counts(dirs).set_index(["scenario", "period"])
    costs = read_table(dirs, "costs")
    penalty = costs["category"] == PENALTY
    by_period = costs.groupby([costs["scenario"], costs["period"]])["discounted_eur"]
    money = costs[~penalty].groupby(["scenario", "period"])["discounted_eur"].sum()
    table = phases.join(equipment, how="left").fillna(0)
    table["cost_meur_discounted"] = money.reindex(table.index, fill_value=0.0) / 1e6
    table["penalty_meur_discounted"] = (by_period.sum() - money).reindex(
        table.index, fill_value=0.0
    ) / 1e6
    counts = [c for c in table.columns if not c.startswith(("served_", "cost_"))]
    return table.astype(dict.fromkeys(counts, "int64")).reset_index()


def cost_by_category(costs: pd.DataFrame) -> pd.DataFrame:
    """The cost table per scenario and period (rows) and category (columns, in words), in
    M€ discounted, then the cost (capex + opex − residual value) and, apart, the
    unserved-key penalty; a last row per scenario (period ``all periods``) sums them."""
    wide = costs.pivot_table(
        index=["scenario", "period"], columns="category", values="discounted_eur", aggfunc="sum"
    ).fillna(0.0)
    cats = [c for c in COST_CATEGORIES if c in wide.columns]
    wide = wide[cats + sorted(set(wide.columns) - set(cats))] / 1e6
    money = [c for c in wide.columns if c != PENALTY]
    wide["cost"] = wide[money].sum(axis=1)
    wide = wide[[*money, "cost", *([PENALTY] if PENALTY in wide.columns else [])]]
    labels = COST_LABELS | {"cost": "cost: capex + opex − residual value"}
    wide = wide.rename(columns={c: f"{labels.get(c, c)} (M€)" for c in wide.columns})
    wide.columns.name = None
    out = wide.reset_index()
    out["period"] = out["period"].astype(str)
    totals = out.drop(columns="period").groupby("scenario", as_index=False).sum()
    out = pd.concat([out, totals.assign(period="all periods")], ignore_index=True)
    return out.sort_values(["scenario", "period"], kind="stable", ignore_index=True)


def capex_by_technology(builds: pd.DataFrame) -> pd.DataFrame:
    """Capex of the link systems bought per scenario, period and technology (M€, not
    discounted: the price paid in that period), with the systems bought and installed."""
    table = builds.groupby(["scenario", "period", "tech"], as_index=False).agg(
        systems_new=("systems_new", "sum"),
        systems_installed=("systems_installed", "sum"),
        capex_meur=("capex_eur", "sum"),
    )
    table["capex_meur"] = table["capex_meur"] / 1e6
    table = table[(table["systems_installed"] > 0) | (table["systems_new"] > 0)]
    return table.rename(
        columns={
            "tech": "technology",
            "systems_new": "systems bought",
            "systems_installed": "systems installed",
            "capex_meur": "capex (M€, undiscounted)",
        }
    ).reset_index(drop=True)


def equipment_by_period(equipment: pd.DataFrame) -> pd.DataFrame:
    """Site equipment per scenario, period and kind: sites equipped and new in the period."""
    kit = equipment.assign(
        installed=equipment["installed"].astype(bool), new=equipment["new"].astype(bool)
    )
    table = kit.groupby(["scenario", "period", "equipment"], as_index=False).agg(
        sites_installed=("installed", "sum"), sites_new=("new", "sum")
    )
    return table[table["sites_installed"] > 0].reset_index(drop=True)
