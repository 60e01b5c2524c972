"""The network map of one run in one period (``network_map_figure``), on lon/lat axes with
no map tiles: the coast and borders (Natural Earth, bundled), links along their fibre routes
in fixed technology or phase colours and as wide as their key flow, sites and field huts
(relays, memory stations, repeater nodes between sites) where they stand, in fixed
equipment colours, and what was built in the period ringed in gold. The axes' extent is the
run's whole network, the same in every period, so the map never jumps."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from engine.charts_outline import OUTLINE_COLOUR, outline_xy
from engine.palette import (
    EQUIPMENT_COLOURS,
    EQUIPMENT_LABELS,
    NO_EQUIPMENT_COLOUR,
    PHASE_COLOURS,
    TECH_COLOURS,
    colour_of,
)

NEW_COLOUR = "#ffbf00"  # gold: built in this period
# a site's colour is its most advanced equipment (the others are in its hover text)
EQUIPMENT_RANK = ("repeater_node", "memory_station", "relay", "ground_station", "trusted_node")
MARGIN = 0.08  # of the network's span, around it


def is_field_site(sites: pd.DataFrame) -> pd.Series:
    """Which rows of a sites table are field huts: ``kind == "field"``, or, in tables
    written before the ``kind`` column, an id of the form ``A~B@91km``."""
    by_id = sites["site"].astype(str).str.contains(r"~.+@[\d.]+km$", regex=True)
    if "kind" not in sites.columns:
        return by_id
    kind = sites["kind"]
    return kind.eq("field") | (kind.isna() & by_id)


def map_extent(sites: pd.DataFrame) -> tuple[tuple[float, float], tuple[float, float]]:
    """Lon and lat ranges (degrees) around every site of the table, with a margin, the
    narrower side widened to at least 60 % of the wider (on the ground), so a network
    along a line still shows the land around it."""
    if sites.empty:
        return (-1.0, 1.0), (-1.0, 1.0)
    lon, lat = sites["lon"].astype(float), sites["lat"].astype(float)
    squeeze = max(math.cos(math.radians(float(lat.mean()))), 0.1)  # lon degree on the ground
    wide = max(float(lon.max() - lon.min()) * squeeze, float(lat.max() - lat.min()), 0.5)
    half_x = max(float(lon.max() - lon.min()) * squeeze, 0.6 * wide) * (0.5 + MARGIN) / squeeze
    half_y = max(float(lat.max() - lat.min()), 0.6 * wide) * (0.5 + MARGIN)
    cx, cy = float(lon.max() + lon.min()) / 2, float(lat.max() + lat.min()) / 2
    return (cx - half_x, cx + half_x), (cy - half_y, cy + half_y)


def _site_equipment(equipment: pd.DataFrame, scenario: str, period: int) -> pd.DataFrame:
    """Per site with equipment installed in ``period``: its most advanced kind (``primary``),
    every kind in words (``label``) and whether any of it is new in the period."""
    rows = equipment[
        (equipment["scenario"] == scenario)
        & (equipment["period"] == period)
        & equipment["installed"].astype(bool)
    ]
    out = []
    for site, group in rows.groupby("site"):
        kinds = set(group["equipment"])
        primary = next((k for k in EQUIPMENT_RANK if k in kinds), sorted(kinds)[0])
        label = " + ".join(sorted(EQUIPMENT_LABELS.get(k, k) for k in kinds))
        out.append((site, primary, label, bool(group["new"].astype(bool).any())))
    return pd.DataFrame(out, columns=["site", "primary", "label", "is_new"]).set_index("site")


def route_xy(route: str, site_a: str, site_b: str, xy: pd.DataFrame) -> tuple[list, list]:
    """Lon and lat of a link along its fibre route ``A>B>C`` (a satellite link, ``sat``, or
    a route through unknown sites: the straight line between its ends)."""
    hops = [s for s in str(route).split(">") if s] if route and route != "sat" else []
    if len(hops) < 2 or not all(h in xy.index for h in hops):
        hops = [site_a, site_b]
    hops = [h for h in hops if h in xy.index]
    return xy.loc[hops, "lon"].tolist(), xy.loc[hops, "lat"].tolist()


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
    outline: bool = True,
) -> go.Figure:
    """The network of one scenario in one period on lon/lat axes (no map tiles needed).

    Links with systems installed in the period follow their fibre routes, one legend entry
    per technology (or phase, ``color_by="phase"``) in its fixed colour, line width
    proportional to the link's key flow (bit/s); links with systems new in the period have a
    gold halo. Sites are coloured by their most advanced equipment (fixed colours), field
    huts are diamonds drawn where equipment is installed, and sites whose equipment is new
    in the period are ringed in gold. The extent covers every site of the run, whatever the
    period; ``outline`` draws the bundled coast and country borders.
    """
    sel = {k: t[t["scenario"] == scenario] for k, t in {"sites": sites, "links": links}.items()}
    site_xy = sel["sites"].drop_duplicates("site").set_index("site")[["lon", "lat"]]
    now = builds[
        (builds["scenario"] == scenario)
        & (builds["period"] == period)
        & (builds["systems_installed"] > 0)
    ]
    installed = now.groupby("link")["systems_installed"].sum()
    new = now.groupby("link")["systems_new"].sum()
    flow = (
        flows[(flows["scenario"] == scenario) & (flows["period"] == period)]
        .groupby("link")["key_flow_bps"]
        .sum()
    )
    drawn = sel["links"][sel["links"]["link"].isin(installed.index)]
    max_flow = float(flow.max()) if len(flow) and flow.max() > 0 else 1.0
    lon_range, lat_range = map_extent(sel["sites"])
    fig = go.Figure()
    if outline:
        ox, oy = outline_xy(lon_range, lat_range)
        fig.add_trace(
            go.Scatter(
                x=ox, y=oy, mode="lines", name="coast and borders (Natural Earth)",
                line={"width": 1, "color": OUTLINE_COLOUR}, hoverinfo="skip",
            )
        )  # fmt: skip
    fresh = drawn[drawn["link"].map(new).fillna(0) > 0]
    for j, link in enumerate(fresh.itertuples(index=False)):
        x, y = route_xy(link.route, link.site_a, link.site_b, site_xy)
        fig.add_trace(
            go.Scatter(
                x=x, y=y, mode="lines", name=f"links new in {period}", legendgroup="new",
                showlegend=j == 0, line={"width": 12, "color": NEW_COLOUR}, opacity=0.45,
                hoverinfo="skip",
            )
        )  # fmt: skip
    order = PHASE_COLOURS if color_by == "phase" else TECH_COLOURS
    groups = [g for g in order if g in set(drawn[color_by])]
    groups += sorted(set(drawn[color_by]) - set(groups))
    for group in groups:
        for j, link in enumerate(drawn[drawn[color_by] == group].itertuples(index=False)):
            x, y = route_xy(link.route, link.site_a, link.site_b, site_xy)
            if len(x) < 2:
                continue
            key_bps = float(flow.get(link.link, 0.0))
            relay = f", relay at {link.relay_site}" if link.relay_site else ""
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=y,
                    mode="lines",
                    name=str(group),
                    legendgroup=f"link:{group}",
                    showlegend=j == 0,
                    line={
                        "width": 1.5 + 8.0 * key_bps / max_flow,
                        "color": colour_of("phase" if color_by == "phase" else "tech", group),
                        "dash": "dot" if link.route == "sat" else "solid",
                    },
                    hovertext=(
                        f"{link.link} ({link.tech}, phase {link.phase}{relay}): "
                        f"{int(installed[link.link])} systems "
                        f"({int(new.get(link.link, 0))} new), {key_bps:,.0f} bit/s"
                    ),
                    hoverinfo="text",
                )
            )
    _add_sites(fig, sel["sites"], _site_equipment(equipment, scenario, period), period)
    mean_lat = float(sel["sites"]["lat"].mean()) if len(sel["sites"]) else 0.0
    fig.update_layout(
        title=f"Network of {scenario} in period {period}",
        height=650,
        legend={"groupclick": "togglegroup"},
        plot_bgcolor="white",
    )
    fig.update_xaxes(title_text="Longitude (°)", range=list(lon_range), showgrid=False)
    fig.update_yaxes(
        title_text="Latitude (°)",
        range=list(lat_range),
        showgrid=False,
        scaleanchor="x",
        scaleratio=1.0 / max(math.cos(math.radians(mean_lat)), 0.1),
        constrain="domain",
    )
    return fig


def _add_sites(fig: go.Figure, sites: pd.DataFrame, kit: pd.DataFrame, period: int) -> None:
    """Network sites (labelled circles) and equipped field huts (diamonds), one legend entry
    per equipment kind in its fixed colour, and a gold ring where equipment is new."""
    rows = sites.drop_duplicates("site").join(kit, on="site")
    rows["primary"] = rows["primary"].fillna("none")
    rows["label"] = rows["label"].fillna("no equipment")
    rows["is_new"] = rows["is_new"].fillna(False).astype(bool)
    field = is_field_site(rows)
    shown = rows[~field], rows[field & (rows["primary"] != "none")]
    kinds = (("sites", "circle"), ("field huts", "diamond"))
    for part, (prefix, symbol) in zip(shown, kinds, strict=True):
        for primary in [*EQUIPMENT_RANK, "none"]:
            group = part[part["primary"] == primary]
            if group.empty:
                continue
            name = EQUIPMENT_LABELS.get(primary, "no equipment")
            fig.add_trace(
                go.Scatter(
                    x=group["lon"],
                    y=group["lat"],
                    mode="markers" if symbol == "diamond" else "markers+text",
                    name=f"{prefix}: {name}",
                    text=group["site"],
                    textposition="top center",
                    marker={
                        "size": 9 if primary == "none" or symbol == "diamond" else 13,
                        "symbol": symbol,
                        "color": EQUIPMENT_COLOURS.get(primary, NO_EQUIPMENT_COLOUR),
                        "line": {"width": 1, "color": "black"},
                    },
                    hovertext=group["name"] + " (" + group["site"] + "): " + group["label"],
                    hoverinfo="text",
                )
            )
    built = rows[rows["is_new"]]
    if len(built):
        fig.add_trace(
            go.Scatter(
                x=built["lon"], y=built["lat"], mode="markers", name=f"equipment new in {period}",
                marker={"size": 22, "symbol": "circle-open", "color": NEW_COLOUR,
                        "line": {"width": 3, "color": NEW_COLOUR}},
                hoverinfo="skip",
            )
        )  # fmt: skip
