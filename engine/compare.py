"""Side-by-side comparison of finished runs, from their Parquet tables only."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from engine.results import read_manifest, read_table
from engine.results.headline import headline


def summary_table(run_dirs: Sequence[Path]) -> pd.DataFrame:
    """One row per run: status, gap, the headline (``engine.results.headline``: cost_eur =
    discounted capex + opex − residual value, unserved_penalty_eur, objective_eur = their
    sum), the unserved key in the last period (bit/s), and the served share by trust class.

    ``served_share_<trust>`` = Σ served_bps / Σ demand_bps over all periods (key-weighted),
    blank (NaN) when the run has no demand of that class.
    """
    rows = []
    for run_dir in run_dirs:
        manifest = read_manifest(run_dir)
        served = read_table(run_dir, "served")
        head = headline(read_table(run_dir, "costs"), served)
        last = max(head["unserved_bps"], default=None)
        row: dict[str, object] = {
            "scenario": manifest["scenario"],
            "status": manifest.get("status", ""),
            "gap": manifest.get("gap"),
            "cost_eur": head["cost_eur"],
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
    site equipment counts, and the period's discounted cost (M€)."""
    dirs = list(run_dirs)
    phases = read_table(dirs, "phases").pivot_table(
        index=["scenario", "period"], columns="phase", values="served_bps", aggfunc="sum"
    )
    phases = phases.reindex(columns=["I", "II", "III"]).fillna(0.0)
    phases.columns = [f"served_{p}_bps" for p in phases.columns]
    equipment = equipment_counts(dirs).set_index(["scenario", "period"])
    costs = read_table(dirs, "costs").groupby(["scenario", "period"])["discounted_eur"].sum()
    table = phases.join(equipment, how="left").fillna(0)
    table["cost_meur_discounted"] = costs / 1e6
    counts = [c for c in table.columns if not c.startswith(("served_", "cost_"))]
    return table.astype(dict.fromkeys(counts, "int64")).reset_index()
