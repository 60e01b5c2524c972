"""Compare page: the chosen runs side by side. Headline per run (cost = discounted capex +
opex − residual value; the unserved-key penalty and the unserved key apart), a summary table
with units, the cost table by period and category and by technology, and the charts (served
key by phase, trust shares, equipment, cumulative cost, adoption, roadmap timeline), every
run in its own fixed colour."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.charts import compare_figures
from engine.compare import cost_by_category, summary_table
from engine.cost_breakdown import cost_by_item, cost_by_item_display
from engine.report import (
    assumptions_table,
    differing_assumptions,
    milestones_frame,
    run_timelines,
)
from engine.results.headline import solver_words
from ui.common import CHART_CONFIG, load_tables, page_runs

SUMMARY_NAMES = {
    "scenario": "Scenario",
    "status": "Solver",
    "gap_pct": "Gap (%)",
    "cost_meur": "Cost (M€, discounted: capex + opex − residual value)",
    "capex_meur": "Capex (M€, discounted)",
    "opex_meur": "Opex (M€, discounted)",
    "residual_meur": "Residual value (M€, discounted, credit)",
    "penalty_meur": "Unserved-key penalty (M€, discounted)",
    "unserved_bps_last_period": "Unserved key, last period (bit/s)",
    "trusted_pct": "Served trusted (%)",
    "partial_pct": "Served partial (%)",
    "trust_free_pct": "Served trust-free (%)",
}


def summary_display(run_dirs: list) -> pd.DataFrame:
    """The summary table with strategist-facing column names (units in them)."""
    summary = summary_table(run_dirs)
    shown = summary.assign(
        status=[
            solver_words(str(s), g)
            for s, g in zip(summary["status"], summary["gap"].astype(float), strict=True)
        ],
        cost_meur=summary["cost_eur"] / 1e6,
        capex_meur=summary["capex_eur"] / 1e6,
        opex_meur=summary["opex_eur"] / 1e6,
        residual_meur=summary["residual_value_eur"] / 1e6,
        penalty_meur=summary["unserved_penalty_eur"] / 1e6,
        gap_pct=summary["gap"].astype(float) * 100.0,
        **{
            f"{t}_pct": summary[f"served_share_{t}"] * 100.0
            for t in ("trusted", "partial", "trust_free")
        },
    )
    return shown[list(SUMMARY_NAMES)].rename(columns=SUMMARY_NAMES).round(2)


def headline_metrics(summary: pd.DataFrame) -> None:
    """Per run: the cost, and apart from it the penalty and the key left unserved."""
    for row in summary.to_dict("records"):
        st.markdown(f"**{row['Scenario']}**")
        cost, penalty, unserved = st.columns(3)
        cost.metric("Cost (M€, discounted)", f"{row[SUMMARY_NAMES['cost_meur']]:,.2f}")
        penalty.metric("Unserved-key penalty (M€)", f"{row[SUMMARY_NAMES['penalty_meur']]:,.2f}")
        unserved.metric(
            "Unserved key, last period (bit/s)",
            f"{row[SUMMARY_NAMES['unserved_bps_last_period']]:,.0f}",
        )


def main() -> None:
    """Draw the page."""
    runs = page_runs("Compare runs")
    if not runs:
        return
    wanted = [n for n in st.session_state.get("compare_runs", []) if n in runs]
    chosen = st.multiselect("Runs to compare", list(runs), default=wanted or list(runs)[:4])
    if not chosen:
        st.info("Pick at least one run.")
        return
    run_dirs = [runs[name] for name in chosen]
    summary = summary_display(run_dirs)
    headline_metrics(summary)
    st.caption(
        "Cost is money: capex + opex − the residual value of hardware still alive at the "
        "horizon's end, all discounted. The unserved-key penalty is a notional price on key "
        "not served; the solver minimises their sum (the objective)."
    )
    st.dataframe(summary, hide_index=True)
    if len(run_dirs) > 1:
        differ = differing_assumptions(assumptions_table(run_dirs))
        st.subheader("Inputs that differ between these runs")
        if differ.empty:
            st.caption("None of the headline inputs differ.")
        else:
            st.dataframe(differ.rename_axis("Setting").reset_index(), hide_index=True)
    tables = load_tables(run_dirs)
    with st.expander("Cost table by period and category (M€, discounted)"):
        st.dataframe(cost_by_category(tables["costs"]).round(3), hide_index=True)
    with st.expander("Cost by technology, site equipment and period (M€)"):
        st.dataframe(cost_by_item_display(cost_by_item(run_dirs)), hide_index=True)
        st.caption(
            "Split of the cost table by item, priced as the model prices it (catalogue, "
            "learning, roadmap cost steps, the run's overrides); items sum to the cost table."
        )
    milestones = milestones_frame(run_timelines(run_dirs))
    for title, fig in compare_figures(tables, milestones, run_names=list(runs)):
        st.subheader(title)
        st.plotly_chart(fig, key=f"compare-{title}", config=CHART_CONFIG)


main()
