"""Compare page: the chosen runs side by side (served key by phase, trust shares, equipment,
cumulative cost, adoption, roadmap timeline) and a summary table with units."""

from __future__ import annotations

import streamlit as st

from engine.charts import compare_figures
from engine.compare import summary_table
from engine.report import milestones_frame, run_timelines
from ui.common import load_tables, page_runs


def summary_display(run_dirs: list) -> object:
    """The summary table with strategist-facing column names (units in them)."""
    summary = summary_table(run_dirs)
    shown = summary.assign(
        cost_meur=summary["cost_eur"] / 1e6,
        penalty_meur=summary["unserved_penalty_eur"] / 1e6,
        gap_pct=summary["gap"].astype(float) * 100.0,
        **{
            f"{t}_pct": summary[f"served_share_{t}"] * 100.0
            for t in ("trusted", "partial", "trust_free")
        },
    )
    names = {
        "scenario": "Scenario",
        "status": "Solver status",
        "gap_pct": "Gap (%)",
        "cost_meur": "Cost (M€, discounted, net of residual value)",
        "penalty_meur": "Unserved-key penalty (M€)",
        "unserved_bps_last_period": "Unserved key, last period (bit/s)",
        "trusted_pct": "Served trusted (%)",
        "partial_pct": "Served partial (%)",
        "trust_free_pct": "Served trust-free (%)",
    }
    return shown[list(names)].rename(columns=names).round(2)


def main() -> None:
    """Draw the page."""
    runs = page_runs("Compare runs")
    if not runs:
        return
    chosen = st.multiselect("Runs to compare", list(runs), default=list(runs)[:4])
    if not chosen:
        st.info("Pick at least one run.")
        return
    run_dirs = [runs[name] for name in chosen]
    summary = summary_display(run_dirs)
    cols = st.columns(len(chosen))
    for col, row in zip(cols, summary.itertuples(index=False), strict=True):
        col.metric(f"{row[0]}: cost (M€, discounted)", f"{row[3]:,.2f}")
    st.dataframe(summary, hide_index=True)
    tables = load_tables(run_dirs)
    for title, fig in compare_figures(tables, milestones_frame(run_timelines(run_dirs))):
        st.subheader(title)
        st.plotly_chart(fig, key=f"compare-{title}")


main()
