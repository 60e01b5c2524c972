"""The cost of a plan by technology, site equipment and period (as PyPSA's ``statistics``
give it per carrier), rebuilt from a run folder.

The ``costs`` table has categories only (``capex_systems``, ``opex_systems``, …). Their split
by item follows the model's own pricing, re-derived from the catalogue under the run's
resolved scenario (``engine.tech_periods``):

- link systems: capex = the ``builds`` table's ``capex_eur`` (the purchases of the period);
  opex = systems installed × opex per system and year × the period's years;
- site equipment: capex = sites where it is new × its price in the period; opex = sites
  where it is installed × opex per site and year × the period's years.

Discounted values apply each period's own factor (``discounted_eur / eur`` of the category
in ``costs``), the same for every item of the category. Whatever the items do not account
for (a residual value, the unserved-key penalty, or a share a future model adds) appears as
its own row, so the items always sum to the ``costs`` table.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from engine.catalogue import load_catalogue
from engine.results import read_manifest, read_table
from engine.run_files import run_scenario_dict
from engine.scenario.timeline import milestone_years
from engine.tech_periods import model_tables, technology_periods

COLUMNS = [
    "scenario",
    "period",
    "kind",
    "item",
    "capex_eur",
    "opex_eur",
    "other_eur",
    "capex_discounted_eur",
    "opex_discounted_eur",
    "other_discounted_eur",
    "total_discounted_eur",
]
OTHER = {  # costs categories not split by item, and what they are called
    "residual_value": "residual value (credit at the horizon's end)",
    "unserved_penalty": "unserved-key penalty (not money)",
}


def set_overrides(section: object) -> dict[str, dict[str, object]]:
    """A resolved scenario's ``overrides`` / ``equipment_overrides``: per name, only the
    fields it sets (the resolved file lists unset fields as null)."""
    if not isinstance(section, dict):
        return {}
    return {
        str(name): {k: v for k, v in (fields or {}).items() if v is not None}
        for name, fields in section.items()
    }


def _period_years(periods: list[int], scenario: dict) -> dict[int, float]:
    horizon = scenario.get("horizon") or {}
    step = float(horizon.get("period_years", 0) or 0)
    end = horizon.get("end_year")
    out = {}
    for i, p in enumerate(periods):
        nxt = periods[i + 1] if i + 1 < len(periods) else (end if end else p + step)
        out[p] = float(nxt - p) if nxt else step
    return out


def _items(run_dir: Path) -> pd.DataFrame:
    """Undiscounted capex and opex per period and item (technology or equipment kind)."""
    scen = run_scenario_dict(run_dir)
    techs = scen.get("technologies") or {}
    builds = read_table(run_dir, "builds")
    equipment = read_table(run_dir, "equipment")
    periods = sorted(int(p) for p in read_table(run_dir, "costs")["period"].unique())
    years = _period_years(periods, scen)
    catalogue = load_catalogue()
    dates = milestone_years(scen.get("timeline") or "mid")
    tech_periods = technology_periods(
        catalogue,
        enabled=list(techs.get("enabled") or sorted(builds["tech"].unique())),
        periods=periods,
        milestone_years=dates,
        overrides=set_overrides(techs.get("overrides")),
    )
    priced = model_tables(
        catalogue,
        tech_periods,
        equipment_overrides=set_overrides(techs.get("equipment_overrides")),
        milestone_years=dates,
    )["costs"]
    span = builds["period"].map(years)
    systems = builds.merge(tech_periods[["tech", "period", "opex_eur_per_year"]], how="left")
    systems = systems.assign(
        opex_eur=systems["systems_installed"] * systems["opex_eur_per_year"].fillna(0.0) * span
    )
    systems = systems.groupby(["period", "tech"], as_index=False)[["capex_eur", "opex_eur"]].sum()
    kit = equipment.merge(
        priced.rename(columns={"item": "equipment"}), on=["equipment", "period"], how="left"
    )
    kit = kit.assign(
        capex=kit["new"].astype(int) * kit["capex_eur"].fillna(0.0),
        opex_eur=kit["installed"].astype(int)
        * kit["opex_eur_per_year"].fillna(0.0)
        * kit["period"].map(years),
    )
    kit = kit.groupby(["period", "equipment"], as_index=False)[["capex", "opex_eur"]].sum()
    return pd.concat(
        [
            systems.rename(columns={"tech": "item"}).assign(kind="link systems"),
            kit.rename(columns={"equipment": "item", "capex": "capex_eur"}).assign(
                kind="site equipment"
            ),
        ],
        ignore_index=True,
    )


def cost_by_item(run_dirs: Sequence[Path]) -> pd.DataFrame:
    """Per run, period and item (technology, site equipment kind, and the categories not
    split by item): capex and opex in €, undiscounted and discounted (columns ``COLUMNS``).
    Items with no cost in a period are left out."""
    frames = []
    for run_dir in map(Path, run_dirs):
        name = str(read_manifest(run_dir)["scenario"])
        items = _items(run_dir)
        costs = read_table(run_dir, "costs")
        by_cat = costs.groupby(["period", "category"])[["eur", "discounted_eur"]].sum()
        rows = []
        for (period, category), values in by_cat.iterrows():
            eur, disc = float(values["eur"]), float(values["discounted_eur"])
            factor = disc / eur if eur else 0.0
            part, kind = category.split("_", 1) if "_" in category else (category, "")
            col = f"{part}_eur"
            mine = items[(items["period"] == period) & (items["kind"] == _KIND.get(kind, ""))]
            counted = float(mine[col].sum()) if col in mine else 0.0
            for item in mine.itertuples(index=False):
                value = float(getattr(item, col))
                if value:
                    rows.append((period, item.kind, item.item, col, value, value * factor))
            rest = eur - counted if category not in OTHER else eur
            if abs(rest) > 1e-6 * max(1.0, abs(eur)):
                label = OTHER.get(category, f"{category} not split by item")
                rows.append((period, "other", label, "other_eur", rest, rest * factor))
        long = pd.DataFrame(rows, columns=["period", "kind", "item", "col", "eur", "disc"])
        wide = long.pivot_table(
            index=["period", "kind", "item"], columns="col", values=["eur", "disc"], aggfunc="sum"
        ).fillna(0.0)
        out = pd.DataFrame(index=wide.index)
        for part in ("capex", "opex", "other"):
            out[f"{part}_eur"] = wide.get(("eur", f"{part}_eur"), 0.0)
            out[f"{part}_discounted_eur"] = wide.get(("disc", f"{part}_eur"), 0.0)
        out["total_discounted_eur"] = (
            out["capex_discounted_eur"] + out["opex_discounted_eur"] + out["other_discounted_eur"]
        )
        frames.append(out.reset_index().assign(scenario=name))
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(frames, ignore_index=True)[COLUMNS]


_KIND = {"systems": "link systems", "equipment": "site equipment"}


def cost_by_item_display(table: pd.DataFrame) -> pd.DataFrame:
    """The table in M€ with a reader's column names."""
    shown = table.copy()
    money = [c for c in COLUMNS if c.endswith("_eur")]
    shown[money] = (shown[money] / 1e6).round(4)
    return shown.rename(
        columns={
            "scenario": "Run",
            "period": "Period",
            "kind": "Kind",
            "item": "Technology / equipment",
            "capex_eur": "Capex (M€)",
            "opex_eur": "Opex (M€)",
            "other_eur": "Other (M€)",
            "capex_discounted_eur": "Capex (M€, discounted)",
            "opex_discounted_eur": "Opex (M€, discounted)",
            "other_discounted_eur": "Other (M€, discounted)",
            "total_discounted_eur": "Total (M€, discounted)",
        }
    )
