"""Sweep summaries from the samples' tables: adoption probability, percentiles, tornado.

All functions are pure: long-format tables with a ``sample`` column in, DataFrames out.
A technology is *adopted* in a period when the plan has at least one of its systems
installed then; its *adoption year* is the first such period (NaN when never).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

PERCENTILES: tuple[int, ...] = (5, 10, 25, 50, 75, 90, 95)
PCT_COLUMNS = [f"p{q:02d}" for q in PERCENTILES]


def adoption_table(
    builds: pd.DataFrame, solved: Sequence[int], periods: Sequence[int], techs: Sequence[str]
) -> pd.DataFrame:
    """Per period and technology: samples with systems installed, of ``solved``, and share."""
    n = len(solved)
    live = builds[(builds["systems_installed"] > 0) & builds["sample"].isin(solved)]
    counts = live.groupby(["period", "tech"])["sample"].nunique()
    grid = pd.MultiIndex.from_product([list(periods), list(techs)], names=["period", "tech"])
    table = counts.reindex(grid, fill_value=0).rename("samples_adopting").reset_index()
    table["samples_solved"] = n
    table["adoption_share"] = table["samples_adopting"] / n if n else np.nan
    return table.astype({"period": np.int64, "samples_adopting": np.int64})


def adoption_years(
    builds: pd.DataFrame, solved: Sequence[int], techs: Sequence[str]
) -> pd.DataFrame:
    """Per solved sample and technology: first period with systems installed (NaN if none)."""
    live = builds[(builds["systems_installed"] > 0) & builds["sample"].isin(solved)]
    first = live.groupby(["sample", "tech"])["period"].min()
    grid = pd.MultiIndex.from_product([sorted(solved), list(techs)], names=["sample", "tech"])
    table = first.reindex(grid).rename("adoption_year").reset_index()
    return table.astype({"sample": np.int64, "adoption_year": float})


def _percentiles(frame: pd.DataFrame, keys: list[str], value: str) -> pd.DataFrame:
    grouped = frame.groupby(keys)[value]
    levels = [q / 100 for q in PERCENTILES]
    out = grouped.quantile(levels).unstack().reindex(columns=levels)  # also when frame is empty
    out.columns = PCT_COLUMNS
    out["mean"] = grouped.mean()
    out["n"] = grouped.size()
    return out.reset_index()


def percentile_table(
    costs: pd.DataFrame, phases: pd.DataFrame, solved: Sequence[int]
) -> pd.DataFrame:
    """Percentiles over solved samples, per period, of: discounted cost of the period and
    cumulative to it (EUR; capex + opex − residual value, without the unserved-key penalty),
    and per phase the served key (bit/s) and its share.

    Columns: metric, period, phase ("" for costs), p05 ... p95, mean, n."""
    # the cost is money (engine.results.headline): the unserved-key penalty is left out
    costs = costs[costs["sample"].isin(solved) & (costs["category"] != "unserved_penalty")]
    phases = phases[phases["sample"].isin(solved)]
    per_period = costs.groupby(["sample", "period"], as_index=False)["discounted_eur"].sum()
    per_period = per_period.sort_values(["sample", "period"])
    per_period["cumulative"] = per_period.groupby("sample")["discounted_eur"].cumsum()
    parts = [
        _percentiles(per_period, ["period"], "discounted_eur").assign(
            metric="discounted_cost_eur", phase=""
        ),
        _percentiles(per_period, ["period"], "cumulative").assign(
            metric="cumulative_discounted_cost_eur", phase=""
        ),
        _percentiles(phases, ["period", "phase"], "served_bps").assign(metric="served_bps"),
        _percentiles(phases, ["period", "phase"], "share").assign(metric="phase_share"),
    ]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=["metric", "period", "phase", *PCT_COLUMNS, "mean", "n"])
    table = pd.concat(parts, ignore_index=True)
    return table[["metric", "period", "phase", *PCT_COLUMNS, "mean", "n"]]


def tornado_tables(samples: pd.DataFrame, years: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """From a one-at-a-time sweep: the change in total cost (objective) and in adoption years
    when each input goes from low to high with the others central.

    ``samples`` needs sample, oat_input, oat_level, objective_eur and the input columns;
    ``years`` is ``adoption_years``. Returns (tornado, tornado_adoption):
    tornado: input, low_value, high_value, central_value, cost_low_eur, cost_central_eur,
    cost_high_eur, delta_low_eur, delta_high_eur, swing_eur (|high - low|), largest first;
    tornado_adoption: input, tech, year_low, year_central, year_high (NaN = never adopted)."""
    center = samples[samples["oat_level"] == "center"]
    cost_c = float(center["objective_eur"].iloc[0]) if len(center) else np.nan
    rows, adopt = [], []
    by_sample = years.set_index(["sample", "tech"])["adoption_year"] if len(years) else None
    techs = sorted(years["tech"].unique()) if len(years) else []
    c_id = int(center["sample"].iloc[0]) if len(center) else -1
    for name, group in samples[samples["oat_level"] != "center"].groupby("oat_input", sort=False):
        lo = group[group["oat_level"] == "low"].iloc[0]
        hi = group[group["oat_level"] == "high"].iloc[0]
        cost_lo, cost_hi = float(lo["objective_eur"]), float(hi["objective_eur"])
        rows.append(
            {
                "input": name,
                "low_value": float(lo[name]),
                "high_value": float(hi[name]),
                "central_value": float(center[name].iloc[0]) if len(center) else np.nan,
                "cost_low_eur": cost_lo,
                "cost_central_eur": cost_c,
                "cost_high_eur": cost_hi,
                "delta_low_eur": cost_lo - cost_c,
                "delta_high_eur": cost_hi - cost_c,
                "swing_eur": abs(cost_hi - cost_lo),
            }
        )
        for tech in techs:

            def year(sample: int, tech: str = tech) -> float:
                return float(by_sample.get((sample, tech), np.nan))  # type: ignore[union-attr]

            adopt.append(
                {
                    "input": name,
                    "tech": tech,
                    "year_low": year(int(lo["sample"])),
                    "year_central": year(c_id),
                    "year_high": year(int(hi["sample"])),
                }
            )
    tornado = pd.DataFrame(rows, columns=list(rows[0]) if rows else ["input", "swing_eur"])
    tornado = tornado.sort_values("swing_eur", ascending=False, kind="stable", na_position="last")
    cols = ["input", "tech", "year_low", "year_central", "year_high"]
    return tornado.reset_index(drop=True), pd.DataFrame(adopt, columns=cols)
