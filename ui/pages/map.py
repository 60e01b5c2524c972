"""Map page: one run's network as a roadmap, offline (no tiles): a period slider over a
fixed extent, or every period side by side; links along their fibre routes, relays and
repeater nodes where they stand, what each period builds ringed in gold, the coast behind."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from engine.charts_map import network_map_figure
from ui.common import CHART_CONFIG, load_tables, page_run


def new_in_period(tables: dict[str, pd.DataFrame], period: int) -> pd.DataFrame:
    """What the period builds: systems per technology and equipment per kind."""
    builds = tables["builds"]
    systems = builds[(builds["period"] == period) & (builds["systems_new"] > 0)]
    systems = systems.groupby("tech", as_index=False)["systems_new"].sum()
    systems = systems.rename(columns={"tech": "What", "systems_new": "New (count)"})
    kit = tables["equipment"]
    kit = kit[(kit["period"] == period) & kit["new"].astype(bool)]
    kit = kit.groupby("equipment", as_index=False).size()
    kit = kit.rename(columns={"equipment": "What", "size": "New (count)"})
    return pd.concat(
        [systems.assign(Kind="link systems"), kit.assign(Kind="site equipment")],
        ignore_index=True,
    )[["Kind", "What", "New (count)"]]


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
    colour = st.radio("Colour links by", ["technology", "phase"], horizontal=True)
    every = len(periods) > 1 and st.toggle("Every period side by side", value=False)

    def figure(period: int) -> go.Figure:
        return network_map_figure(
            tables["sites"], tables["links"], tables["builds"], tables["flows"],
            tables["equipment"], scenario=name, period=int(period),
            color_by="tech" if colour == "technology" else "phase",
        )  # fmt: skip

    if every:
        cols = st.columns(2)
        for i, period in enumerate(periods):
            fig = figure(period).update_layout(height=480, showlegend=i == 0)
            cols[i % 2].plotly_chart(fig, key=f"map-{period}", config=CHART_CONFIG)
        return
    if len(periods) > 1:
        period = st.select_slider("Period (start year)", options=periods, value=periods[-1])
    else:
        period = periods[0]
        st.caption(f"Period (start year): {period}")
    builds = tables["builds"]
    in_use = builds[(builds["period"] == period) & (builds["systems_installed"] > 0)]
    flows = tables["flows"]
    equipment = tables["equipment"]
    eq_now = equipment[(equipment["period"] == period) & equipment["installed"].astype(bool)]
    c1, c2, c3 = st.columns(3)
    c1.metric("Links in use", int(in_use["link"].nunique()))
    c2.metric("Systems installed", int(in_use["systems_installed"].sum()))
    c3.metric("Sites with equipment", int(eq_now["site"].nunique()))
    st.plotly_chart(figure(period), key="map", config=CHART_CONFIG)
    st.caption(
        "Gold: built in this period. Diamonds: field huts (relays, memory stations, repeater "
        "nodes between sites). Coast and borders: Natural Earth (public domain)."
    )
    st.subheader(f"Built in {period}")
    st.dataframe(new_in_period(tables, int(period)), hide_index=True)
    carried = (
        flows[flows["period"] == period]
        .groupby("link", as_index=False)["key_flow_bps"]
        .sum()
        .merge(tables["links"][["link", "tech", "phase", "site_a", "site_b"]], on="link")
        .rename(columns={"key_flow_bps": "Key flow (bit/s)"})
    )
    st.subheader("Key carried per link")
    st.dataframe(carried, hide_index=True)


main()
