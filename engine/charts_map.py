"""The network map of one run in one period (``network_map_figure``), on lon/lat axes with
no map tiles: sites coloured by their installed equipment, field huts as diamonds, links
with systems coloured by technology or phase and as wide as their key flow."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from engine.charts import EQUIPMENT_LABELS, PALETTE


def _site_equipment(equipment: pd.DataFrame, scenario: str, period: int) -> pd.Series:
    """Per site, the label of its installed equipment in ``period`` ("none" if it has none)."""
    rows = equipment[
        (equipment["scenario"] == scenario)
        & (equipment["period"] == period)
        & equipment["installed"].astype(bool)
    ]
    labels = rows.assign(label=rows["equipment"].map(EQUIPMENT_LABELS).fillna(rows["equipment"]))
    return labels.groupby("site")["label"].agg(lambda s: " + ".join(sorted(set(s))))


def is_field_site(sites: pd.DataFrame) -> pd.Series:
    """Which rows of a sites table are field huts: ``kind == "field"``, or, in tables
    written before the ``kind`` column, an id of the form ``A~B@91km``."""
    by_id = sites["site"].astype(str).str.contains(r"~.+@[\d.]+km$", regex=True)
    if "kind" not in sites.columns:
        return by_id
    kind = sites["kind"]
    return kind.eq("field") | (kind.isna() & by_id)


def network_map_figure(
    sites: pd.DataFrame,
    links: pd.DataFrame,
    builds: pd.DataFrame,
    flows: pd.DataFrame,
    equipment: pd.DataFrame,
    *,
    scenario: str,
    period: int,
    color_by: str = "tech",
) -> go.Figure:
    """The network of one scenario in one period on lon/lat axes (no map tiles needed).

    Sites are coloured by their installed equipment; field huts (relays and repeater nodes
    between sites) are diamonds, drawn where equipment is installed in the period. Links with
    systems installed in the period are drawn as straight lines coloured by ``color_by``
    (``tech`` or ``phase``), one legend entry per group, line width proportional to the
    link's key flow (bit/s).
    """
    sel = {k: t[t["scenario"] == scenario] for k, t in {"sites": sites, "links": links}.items()}
    site_xy = sel["sites"].set_index("site")[["lon", "lat"]]
    installed = (
        builds[
            (builds["scenario"] == scenario)
            & (builds["period"] == period)
            & (builds["systems_installed"] > 0)
        ]
        .groupby("link")["systems_installed"]
        .sum()
    )
    flow = (
        flows[(flows["scenario"] == scenario) & (flows["period"] == period)]
        .groupby("link")["key_flow_bps"]
        .sum()
    )
    drawn = sel["links"][sel["links"]["link"].isin(installed.index)]
    max_flow = float(flow.max()) if len(flow) and flow.max() > 0 else 1.0
    fig = go.Figure()
    groups = sorted(drawn[color_by].unique())
    for gi, group in enumerate(groups):
        for j, link in enumerate(drawn[drawn[color_by] == group].itertuples(index=False)):
            if link.site_a not in site_xy.index or link.site_b not in site_xy.index:
                continue
            a, b = site_xy.loc[link.site_a], site_xy.loc[link.site_b]
            key_bps = float(flow.get(link.link, 0.0))
            fig.add_trace(
                go.Scatter(
                    x=[a["lon"], b["lon"]],
                    y=[a["lat"], b["lat"]],
                    mode="lines",
                    name=str(group),
                    legendgroup=f"link:{group}",
                    showlegend=j == 0,
                    line={"width": 1.5 + 8.0 * key_bps / max_flow, "color": PALETTE[gi % 10]},
                    hovertext=(
                        f"{link.link} ({link.tech}, phase {link.phase}): "
                        f"{int(installed[link.link])} systems, {key_bps:,.0f} bit/s"
                    ),
                    hoverinfo="text",
                )
            )
    labels = _site_equipment(equipment, scenario, period)
    site_rows = sel["sites"].assign(label=sel["sites"]["site"].map(labels).fillna("none"))
    field = is_field_site(site_rows)
    colours = {k: PALETTE[(i + 3) % 10] for i, k in enumerate(sorted(set(site_rows["label"])))}
    # network sites labelled by id; field huts (relay, memory or repeater nodes between
    # sites) as diamonds, drawn only when equipment is installed there in the period
    shown = site_rows[~field], site_rows[field & (site_rows["label"] != "none")]
    for rows, prefix, symbol in zip(
        shown, ("sites", "field huts"), ("circle", "diamond"), strict=True
    ):
        for label, group in rows.groupby("label", sort=True):
            fig.add_trace(
                go.Scatter(
                    x=group["lon"],
                    y=group["lat"],
                    mode="markers" if symbol == "diamond" else "markers+text",
                    name=f"{prefix}: {label}",
                    text=group["site"],
                    textposition="top center",
                    marker={
                        "size": 9 if label == "none" or symbol == "diamond" else 13,
                        "symbol": symbol,
                        "color": "lightgrey" if label == "none" else colours[label],
                        "line": {"width": 1, "color": "black"},
                    },
                    hovertext=group["name"] + " (" + group["site"] + "): " + label,
                    hoverinfo="text",
                )
            )
    mean_lat = float(site_rows["lat"].mean()) if len(site_rows) else 0.0
    fig.update_layout(title=f"Network of {scenario} in period {period}", height=650)
    fig.update_xaxes(title_text="Longitude (°)")
    fig.update_yaxes(
        title_text="Latitude (°)",
        scaleanchor="x",
        scaleratio=1.0 / max(math.cos(math.radians(mean_lat)), 0.1),
    )
    return fig
