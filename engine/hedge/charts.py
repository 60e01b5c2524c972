"""What the "Decide now" page draws from a hedged folder, as plain functions (testable
without a browser): the commitments as a table and on the map, the regret table and
chart, the options no commitment may use, and EVPI and VSS in words. Money in M€
(discounted EUR / 1e6)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from engine.charts_map import network_map_figure
from engine.cli_common import meur_text

COMMITMENT_NAMES = {
    "period": "Period (start year)",
    "kind": "Kind",
    "item": "Technology or equipment",
    "where": "Where",
    "count": "Count",
    "capex_meur": "Purchase price (M€, expected, undiscounted)",
}


def value_in_words(manifest: dict[str, Any]) -> str:
    """EVPI and VSS as a strategist reads them (futures from a sweep: the future rather than
    the timeline, and the sample closest to the mean rather than the average timeline)."""
    evpi, vss = manifest.get("evpi_eur"), manifest.get("vss_eur")
    expected = manifest.get("expected_future", "the expected")
    sampled = bool(manifest.get("from_sweep"))
    what = "the future" if sampled else "the timeline"
    average = "the sample closest to the mean" if sampled else "the average timeline"
    first = (
        f"Knowing {what} would save {meur_text(evpi)} (EVPI)"
        if evpi is not None
        else f"The value of knowing {what} is unknown"
    )
    if vss is not None:
        second = f"planning for {average} ({expected}) would cost {meur_text(vss)} more (VSS)"
    else:
        second = (
            f"the plan for {average} ({expected}) cannot be carried out in every "
            "future, so it has no expected cost (no VSS)"
        )
    return f"{first}; {second}."


def commitments_display(commitments: pd.DataFrame) -> pd.DataFrame:
    """The commitments with strategist-facing columns (units in the names)."""
    c = commitments
    where = c["site"].where(c["kind"] == "equipment", c["site_a"] + " – " + c["site_b"])
    shown = c.assign(where=where, capex_meur=c["capex_eur"] / 1e6)
    return shown[list(COMMITMENT_NAMES)].rename(columns=COMMITMENT_NAMES).round(3)


def regret_table(regrets: pd.DataFrame) -> pd.DataFrame:
    """Rows: the hedged plan and each single-future plan; columns: the regret (M€) in each
    future and the expected cost (M€); a plan that cannot be carried out in a future shows
    NaN there and has no expected cost."""
    r = regrets.assign(
        regret_meur=regrets["regret_eur"] / 1e6,
        weighted=regrets["cost_eur"] * regrets["probability"],
    )
    table = r.pivot(index="plan", columns="future", values="regret_meur")
    table.columns = [f"Regret in {f} (M€)" for f in table.columns]
    expected = r.groupby("plan")["weighted"].sum(min_count=len(r["future"].unique())) / 1e6
    table["Expected cost (M€)"] = expected
    order = ["hedged", *[p for p in table.index if p != "hedged"]]
    table = table.loc[order]
    table.index = ["hedged plan" if p == "hedged" else f"plan for {p}" for p in table.index]
    return table.rename_axis("Plan").reset_index().round(3)


def regret_figure(regrets: pd.DataFrame) -> go.Figure:
    """Cost (M€) of each plan in each future: one bar group per future."""
    fig = go.Figure()
    for plan, group in regrets.groupby("plan", sort=False):
        label = "hedged plan" if plan == "hedged" else f"plan for {plan}"
        fig.add_bar(x=group["future"], y=group["cost_eur"] / 1e6, name=label)
    fig.update_layout(
        barmode="group",
        xaxis_title="Future (timeline)",
        yaxis_title="Cost in that future (M€, discounted)",
        legend_title="Plan",
    )
    return fig


def ruled_out(capacity: pd.DataFrame, links: pd.DataFrame, periods: list[int]) -> pd.DataFrame:
    """Technologies that make key in a commit period in some futures but not in all: no
    commitment may use them then (docs/hedge.md). Columns: period, tech, available_in,
    missing_in (future names, comma-separated)."""
    cap = capacity[capacity["period"].isin(periods)].merge(
        links[["link", "tech", "future"]].drop_duplicates(), on=["link", "future"]
    )
    futures = sorted(cap["future"].unique())
    ok = cap[cap["key_rate_per_system_bps"] > 0].groupby(["period", "tech"])["future"].unique()
    rows = []
    for (period, tech), have in ok.items():
        missing = [f for f in futures if f not in set(have)]
        if missing:
            rows.append((int(period), tech, ", ".join(sorted(have)), ", ".join(missing)))
    return pd.DataFrame(rows, columns=["period", "tech", "available_in", "missing_in"])


def commitments_map(tables: dict[str, pd.DataFrame], run: str, period: int) -> go.Figure:
    """The network at the last commit period ``period`` of one future (every future's plan
    is the same up to then): only committed systems and equipment are installed."""
    first = tables["builds"]["future"].iloc[0] if len(tables["builds"]) else None
    one = {k: t[t["future"] == first] if "future" in t.columns else t for k, t in tables.items()}
    return network_map_figure(
        one["sites"], one["links"], one["builds"], one["flows"], one["equipment"],
        scenario=run, period=int(period),
    )  # fmt: skip
