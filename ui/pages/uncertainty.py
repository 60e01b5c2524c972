"""Uncertainty page: a sweep's fan charts of cost and phase shares, the adoption-probability
heat map (technology × period) and, for one-at-a-time sweeps, the tornado chart.

Sweeps are folders ``<results>/<scenario>-sweep`` or ``-sensitivity`` written by
``qroad sweep``; this page only reads their summary tables."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from engine.charts_uncertainty import adoption_heatmap, fan_chart, tornado_chart
from engine.sweep.store import is_sweep_dir, read_summary_table, read_sweep_meta
from ui.common import results_dir


def list_sweeps(folder: Path) -> dict[str, Path]:
    """Sweep folders under ``folder`` by name, sorted."""
    if not folder.is_dir():
        return {}
    return {p.name: p for p in sorted(folder.iterdir()) if p.is_dir() and is_sweep_dir(p)}


def main() -> None:
    """Draw the page."""
    st.title("Uncertainty")
    sweeps = list_sweeps(results_dir())
    if not sweeps:
        st.info(
            f"No sweeps in {results_dir()}. Run one in a terminal, e.g. "
            "`qroad sweep scenarios/uk-sweep.yaml --samples 40 --out results`."
        )
        return
    name = st.selectbox("Sweep", list(sweeps))
    sweep_dir = sweeps[name]
    meta = read_sweep_meta(sweep_dir)
    samples = read_summary_table(sweep_dir, "samples")
    if samples.empty:
        st.warning("This sweep has no finished samples yet.")
        return
    counts = samples["status"].fillna("not run").value_counts()
    st.caption(
        f"{meta['scenario']} · {meta['mode'].replace('_', ' ')} · seed {meta['seed']} · "
        f"{len(samples)} samples: "
        + ", ".join(f"{k} {v}" for k, v in counts.items())
        + f" · {len(meta['inputs'])} uncertain inputs"
    )
    percentiles = read_summary_table(sweep_dir, "percentiles")
    tornado = read_summary_table(sweep_dir, "tornado")
    if not tornado.empty:
        st.subheader("Which input moves the cost most (one at a time)")
        st.plotly_chart(tornado_chart(tornado), key="tornado")
        st.dataframe(read_summary_table(sweep_dir, "tornado_adoption"), hide_index=True)
    if not percentiles.empty:
        left, right = st.columns(2)
        left.subheader("Cumulative discounted cost")
        left.plotly_chart(fan_chart(percentiles), key="fan-cost")
        right.subheader("Share of served key by phase")
        right.plotly_chart(fan_chart(percentiles, "phase_share"), key="fan-phase")
    st.subheader("Probability of adopting each technology")
    st.plotly_chart(adoption_heatmap(read_summary_table(sweep_dir, "adoption")), key="adoption")
    with st.expander("Samples: inputs drawn, status, reason, attempts"):
        st.dataframe(samples, hide_index=True)


main()
