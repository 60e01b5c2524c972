"""Map page: one run's network in a chosen period on lon/lat axes (no internet tiles)."""

from __future__ import annotations

import streamlit as st

from engine.charts_map import network_map_figure
from ui.common import load_tables, page_run


def main() -> None:
    """Draw the page."""
    picked = page_run("Network map")
    if picked is None:
        return
    name, run_dir = picked
    tables = load_tables([run_dir])
    periods = sorted(int(p) for p in tables["builds"]["period"].unique()) or sorted(
        int(p) for p in tables["served"]["period"].unique()
    )
    if not periods:
        st.warning(f"Run {name} has no periods to show.")
        return
    if len(periods) > 1:
        period = st.select_slider("Period (start year)", options=periods, value=periods[-1])
    else:
        period = periods[0]
        st.caption(f"Period (start year): {period}")
    colour = st.radio("Colour links by", ["technology", "phase"], horizontal=True)
    builds = tables["builds"]
    in_use = builds[(builds["period"] == period) & (builds["systems_installed"] > 0)]
    flows = tables["flows"]
    equipment = tables["equipment"]
    eq_now = equipment[(equipment["period"] == period) & equipment["installed"].astype(bool)]
    c1, c2, c3 = st.columns(3)
    c1.metric("Links in use", int(in_use["link"].nunique()))
    c2.metric("Systems installed", int(in_use["systems_installed"].sum()))
    c3.metric("Sites with equipment", int(eq_now["site"].nunique()))
    fig = network_map_figure(
        tables["sites"],
        tables["links"],
        builds,
        flows,
        equipment,
        scenario=name,
        period=int(period),
        color_by="tech" if colour == "technology" else "phase",
    )
    st.plotly_chart(fig, key="map")
    carried = (
        flows[flows["period"] == period]
        .groupby("link", as_index=False)["key_flow_bps"]
        .sum()
        .merge(tables["links"][["link", "tech", "phase", "site_a", "site_b"]], on="link")
        .rename(columns={"key_flow_bps": "Key flow (bit/s)"})
    )
    st.dataframe(carried, hide_index=True)


main()
