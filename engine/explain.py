"""Why the plan looks as it does, per period and technology, from a finished run's folder.

``technology_explanation(run_dir)`` gives one row per (period, enabled technology):

- whether it is available (and the roadmap milestone and year that unlock it), and used;
- its **cost per bit/s·year** on the candidate links it could serve: (capex / lifetime +
  opex per year) of one system in that period (learning and roadmap cost steps applied, as
  the model prices it), divided by the median key rate of one system over the run's
  candidate links of that technology where it makes key. Site equipment (trusted nodes,
  relays, memory stations, repeater nodes) and discounting are left out: it compares link
  systems, it is not the model's objective;
- for an unused technology, why: not yet unlocked, out of reach (no candidate link where it
  makes key), or dearer than the technologies the plan uses on the same site pairs. Peers
  are used technologies of the same kind of trust (with or without a trusted intermediary,
  so an MDI link is never compared with a trusted-node chain); the comparison is the median,
  over the site pairs both have candidate links for, of its cost per bit/s·year over the
  cheapest used peer's on that pair;
- a **first guess** at the break-even: how much cheaper (%) it would have to be to match
  those peers on that median pair. It comes from this comparison, not from a re-solve nor
  from the LP's reduced costs; the break-even proper is found by re-solving the plan at
  lower prices (``engine.break_even.break_even_by_resolve``, a bisection on the price).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from engine.catalogue import load_catalogue
from engine.cost_breakdown import set_overrides
from engine.results import read_table
from engine.run_files import run_scenario_dict
from engine.scenario.timeline import load_roadmap, milestone_years
from engine.tech_periods import technology_periods

COLUMNS = [
    "period",
    "tech",
    "phase",
    "available",
    "unlocked_by",
    "used",
    "systems_installed",
    "candidate_links",
    "median_rate_bps",
    "cost_eur_per_bps_year",
    "why",
    "break_even_pct",
]


def _scenario(run_dir: Path) -> dict[str, Any]:
    return run_scenario_dict(run_dir)


def _unlock_text(row: dict[str, Any], tech: Any, labels: dict[str, str], over: dict) -> str:
    year = int(row["available_year"])
    if "available_year" in over:
        return f"scenario override: available from {year}"
    if tech.available_since is not None:
        return f"deployed already (since {year})"
    return f"{labels.get(tech.milestone, tech.milestone)} ({year})"


def technology_explanation(run_dir: Path) -> pd.DataFrame:
    """One row per period and enabled technology (columns ``COLUMNS``); see the module."""
    run_dir = Path(run_dir)
    scen = _scenario(run_dir)
    techs = scen.get("technologies") or {}
    enabled = list(techs.get("enabled") or [])
    overrides = set_overrides(techs.get("overrides"))
    links = read_table(run_dir, "links")
    capacity = read_table(run_dir, "capacity")
    builds = read_table(run_dir, "builds")
    periods = sorted(int(p) for p in capacity["period"].unique()) or sorted(
        int(p) for p in builds["period"].unique()
    )
    if not enabled:
        enabled = sorted(links["tech"].unique())
    years = milestone_years(scen.get("timeline") or "mid")
    catalogue = load_catalogue()
    table = technology_periods(
        catalogue,
        enabled=enabled,
        periods=periods,
        milestone_years=years,
        overrides=overrides,
        equipment_overrides=set_overrides(techs.get("equipment_overrides")),
    )
    rates = capacity.merge(links[["link", "tech", "site_a", "site_b"]], on="link")
    rates = rates[rates["key_rate_per_system_bps"] > 0]
    by = rates.groupby(["period", "tech"])["key_rate_per_system_bps"]
    median, count = by.median(), by.size()
    installed = builds.groupby(["period", "tech"])["systems_installed"].sum()
    labels = {m.id: m.label for m in load_roadmap().milestones}
    rows = []
    for row in table.to_dict("records"):
        key = (int(row["period"]), row["tech"])
        rate = float(median.get(key, 0.0))
        yearly = float(row["capex_eur"]) / max(float(row["lifetime_years"]), 1e-9)
        yearly += float(row["opex_eur_per_year"])
        tech = catalogue.technologies[row["tech"]]
        rows.append(
            {
                "period": key[0],
                "tech": key[1],
                "phase": row["phase"],
                "available": bool(row["available"]),
                "unlocked_by": _unlock_text(row, tech, labels, overrides.get(key[1], {})),
                "used": float(installed.get(key, 0)) > 0,
                "systems_installed": int(installed.get(key, 0)),
                "candidate_links": int(count.get(key, 0)),
                "median_rate_bps": rate,
                "cost_eur_per_bps_year": yearly / rate if rate > 0 else float("nan"),
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=COLUMNS)
    yearly_cost = table.assign(
        yearly=table["capex_eur"] / table["lifetime_years"].clip(lower=1e-9)
        + table["opex_eur_per_year"]
    )[["period", "tech", "yearly", "trusted_intermediary"]]
    per_link = rates.merge(yearly_cost, on=["period", "tech"])
    per_link = per_link.assign(
        cost=per_link["yearly"] / per_link["key_rate_per_system_bps"],
        pair=[tuple(sorted(p)) for p in zip(per_link["site_a"], per_link["site_b"], strict=True)],
    )
    return _reasons(out, per_link)[COLUMNS]


def _peer_ratio(
    row: dict[str, Any], used: pd.DataFrame, per_link: pd.DataFrame
) -> tuple[float, str] | None:
    """Median over shared site pairs of the technology's cost per bit/s·year over the
    cheapest used peer's on that pair, and that peer's name (the most frequent cheapest);
    None when they share no site pair."""
    mine = per_link[(per_link["period"] == row["period"]) & (per_link["tech"] == row["tech"])]
    if mine.empty:
        return None
    kind = bool(mine["trusted_intermediary"].iloc[0])
    peers = per_link[
        (per_link["period"] == row["period"])
        & per_link["tech"].isin(used["tech"])
        & (per_link["trusted_intermediary"] == kind)
    ]
    if peers.empty:
        return None
    best = peers.loc[peers.groupby("pair")["cost"].idxmin(), ["pair", "cost", "tech"]]
    own = mine.groupby("pair", as_index=False)["cost"].min()
    shared = own.merge(best, on="pair", suffixes=("", "_peer"))
    if shared.empty:
        return None
    ratio = float((shared["cost"] / shared["cost_peer"]).median())
    return ratio, str(shared["tech"].mode().iloc[0])


def _reasons(frame: pd.DataFrame, per_link: pd.DataFrame) -> pd.DataFrame:
    """The ``why`` and ``break_even_pct`` columns, per period against the used peers."""
    why, breakeven = [], []
    for row in frame.to_dict("records"):
        used = frame[(frame["period"] == row["period"]) & frame["used"]]
        pct = float("nan")
        if row["used"]:
            text = "used"
        elif not row["available"]:
            text = f"not yet unlocked: {row['unlocked_by']}"
        elif row["candidate_links"] == 0:
            text = "out of reach: no candidate link where it makes key"
        elif (found := _peer_ratio(row, used, per_link)) is None:
            text = (
                "available, but the plan uses no technology of its kind of trust on the "
                "site pairs its links join"
            )
        elif found[0] > 1.0:
            pct = 100.0 * (1.0 - 1.0 / found[0])
            text = (
                f"dearer: {found[0]:,.1f}× the cost per bit/s·year of {found[1]} on the same pairs"
            )
        else:
            text = (
                f"as cheap per bit/s·year as {found[1]} on the same pairs ({found[0]:.2f}×) but "
                "unused: it needs dearer site equipment, or the plan's systems have capacity left"
            )
        why.append(text)
        breakeven.append(pct)
    return frame.assign(why=why, break_even_pct=breakeven)


def explanation_display(table: pd.DataFrame) -> pd.DataFrame:
    """The explanation with a reader's column names (units in them)."""
    shown = table.assign(
        available=table["available"].map({True: "yes", False: "no"}),
        used=table["used"].map({True: "yes", False: "no"}),
        cost_eur_per_bps_year=table["cost_eur_per_bps_year"].round(3),
        median_rate_bps=table["median_rate_bps"].round(1),
        break_even_pct=table["break_even_pct"].round(1),
    )
    return shown.rename(
        columns={
            "period": "Period",
            "tech": "Technology",
            "phase": "Phase",
            "available": "Available",
            "unlocked_by": "Unlocked by (milestone, year)",
            "used": "Used",
            "systems_installed": "Systems installed",
            "candidate_links": "Candidate links making key",
            "median_rate_bps": "Median key rate per system (bit/s)",
            "cost_eur_per_bps_year": "Cost per bit/s·year (€)",
            "why": "Why (not) used",
            "break_even_pct": "First guess: cheaper by (%, cost comparison)",
        }
    )
