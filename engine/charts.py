"""Chart builders: results DataFrames in, plotly figures out (used by the app and the report).

Every builder takes long-format results tables as ``engine.results.read_table`` returns them
(several runs concatenated, told apart by their ``scenario`` column) and returns a
``plotly.graph_objects.Figure`` whose axis titles carry units. None of them reads files or
touches the network; the map is drawn on plain lon/lat axes, so it needs no map tiles.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from engine.names import PHASES, TRUST_CLASSES
from engine.physics import plob, transmittance
from optimizer.names import COST_CATEGORIES

EQUIPMENT_LABELS: dict[str, str] = {
    "trusted_node": "trusted nodes",
    "relay": "relays",
    "memory_station": "memories",
    "repeater_node": "repeaters",
    "ground_station": "ground stations",
}
PERIOD_TITLE = "Period start (year)"
PALETTE = px.colors.qualitative.Plotly


def _facet(fig: go.Figure, x_title: str, y_title: str) -> go.Figure:
    """Put unit-bearing titles on every axis and strip px's ``scenario=`` facet prefixes."""
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=", 1)[-1]))
    return fig


def _complete(frame: pd.DataFrame, keys: list[str], value: str) -> pd.DataFrame:
    """Sum ``value`` over ``keys`` and fill missing (scenario, period, key) combinations with 0.

    Stacked areas need every group at every period, or plotly interpolates across the gap.
    """
    summed = frame.groupby(keys, observed=True)[value].sum()
    full = pd.MultiIndex.from_product([summed.index.unique(level=k) for k in keys], names=keys)
    return summed.reindex(full, fill_value=0.0).reset_index()


def _per_period(
    data: pd.DataFrame,
    y: str,
    color: str,
    order: list[str],
    *,
    stacked: bool,
    title: str,
    y_title: str,
) -> go.Figure:
    """``y`` over the periods, one colour per ``color`` value in ``order``, one panel per
    scenario: stacked areas when ``stacked``, else lines with markers; unit-bearing titles."""
    draw = px.area if stacked else px.line
    fig = draw(
        data,
        x="period",
        y=y,
        color=color,
        facet_col="scenario",
        markers=not stacked,
        category_orders={color: order},
        title=title,
    )
    return _facet(fig, PERIOD_TITLE, y_title)


def served_by_phase_figure(phases: pd.DataFrame) -> go.Figure:
    """Served key per roadmap phase over time, as stacked areas, one panel per scenario."""
    data = _complete(phases, ["scenario", "period", "phase"], "served_bps")
    return _per_period(
        data,
        "served_bps",
        "phase",
        list(PHASES),
        stacked=True,
        title="Key served by roadmap phase",
        y_title="Served key (bit/s)",
    )


def served_share_by_trust_figure(served: pd.DataFrame) -> go.Figure:
    """Share of demanded key that is served, per trust class over time (%), per scenario."""
    sums = served.groupby(["scenario", "period", "trust"], as_index=False)[
        ["served_bps", "demand_bps"]
    ].sum()
    sums = sums[sums["demand_bps"] > 0]
    sums = sums.assign(share_pct=100.0 * sums["served_bps"] / sums["demand_bps"])
    fig = _per_period(
        sums,
        "share_pct",
        "trust",
        list(TRUST_CLASSES),
        stacked=False,
        title="Served share of demand by trust class",
        y_title="Served share of demand (%)",
    )
    return fig.update_yaxes(range=[0, 105])


def equipment_counts(equipment: pd.DataFrame) -> pd.DataFrame:
    """Installed sites per scenario, period and equipment label (all five kinds, zeros kept)."""
    installed = equipment[equipment["installed"].astype(bool)].assign(count=1)
    base = equipment[["scenario", "period"]].drop_duplicates()
    grid = base.merge(pd.DataFrame({"equipment": list(EQUIPMENT_LABELS)}), how="cross")
    counts = installed.groupby(["scenario", "period", "equipment"], as_index=False)["count"].sum()
    out = grid.merge(counts, how="left", on=["scenario", "period", "equipment"])
    out["count"] = out["count"].fillna(0).astype(int)
    out["label"] = out["equipment"].map(EQUIPMENT_LABELS)
    return out.sort_values(["scenario", "period", "equipment"], ignore_index=True)


def equipment_counts_figure(equipment: pd.DataFrame) -> go.Figure:
    """Installed equipment counts over time (trusted nodes … ground stations), per scenario."""
    return _per_period(
        equipment_counts(equipment),
        "count",
        "label",
        list(EQUIPMENT_LABELS.values()),
        stacked=False,
        title="Installed site equipment",
        y_title="Sites with equipment (count)",
    )


def cumulative_cost(costs: pd.DataFrame) -> pd.DataFrame:
    """Cumulative discounted cost per scenario, period and category, in M€."""
    data = _complete(costs, ["scenario", "category", "period"], "discounted_eur")
    data = data.sort_values(["scenario", "category", "period"], ignore_index=True)
    cum = data.groupby(["scenario", "category"])["discounted_eur"].cumsum()
    return data.assign(cumulative_meur=cum / 1e6)


def cumulative_cost_figure(costs: pd.DataFrame) -> go.Figure:
    """Cumulative discounted cost by category, stacked areas (M€), one panel per scenario."""
    data = cumulative_cost(costs)
    order = [c for c in COST_CATEGORIES if c in set(data["category"])]
    order += sorted(set(data["category"]) - set(order))
    return _per_period(
        data,
        "cumulative_meur",
        "category",
        order,
        stacked=True,
        title="Cumulative discounted cost by category",
        y_title="Cost (M€, discounted, cumulative)",
    )


def adoption_years(builds: pd.DataFrame) -> pd.DataFrame:
    """First period each technology has systems installed, per scenario (scenario, tech, year)."""
    used = builds[builds["systems_installed"] > 0]
    first = used.groupby(["scenario", "tech"], as_index=False)["period"].min()
    return first.rename(columns={"period": "first_year"}).sort_values(
        ["scenario", "first_year", "tech"], ignore_index=True
    )


def _add_markers(
    fig: go.Figure,
    frame: pd.DataFrame,
    by: str,
    xy: tuple[str, str],
    name: Callable[[object], str],
    marker: Callable[[int], dict[str, object]],
) -> None:
    """One marker trace per ``by`` group of ``frame`` (sorted), x and y from the columns
    ``xy``, called ``name(group)`` and drawn with ``marker(group index)``."""
    for i, (group, rows) in enumerate(frame.groupby(by, sort=True)):
        fig.add_trace(
            go.Scatter(
                x=rows[xy[0]], y=rows[xy[1]], mode="markers", name=name(group), marker=marker(i)
            )
        )


def adoption_figure(builds: pd.DataFrame) -> go.Figure:
    """Adoption year of each technology (first period in use), one marker per scenario."""
    fig = go.Figure()
    _add_markers(
        fig,
        adoption_years(builds),
        "scenario",
        ("first_year", "tech"),
        str,
        lambda i: {"size": 12, "color": PALETTE[i % len(PALETTE)]},
    )
    fig.update_layout(title="Technology adoption (first period in use)")
    fig.update_xaxes(title_text="First period in use (year)")
    fig.update_yaxes(title_text="Technology", type="category")
    return fig


def roadmap_timeline_figure(milestones: pd.DataFrame, builds: pd.DataFrame) -> go.Figure:
    """Milestone years of each timeline against the year each plan first uses a technology.

    ``milestones`` has columns ``timeline``, ``milestone``, ``year``; ``builds`` is the
    builds table. Milestones are diamonds (one trace per timeline), first use circles (one
    trace per scenario), on one shared year axis.
    """
    fig = go.Figure()
    _add_markers(
        fig,
        milestones,
        "timeline",
        ("year", "milestone"),
        lambda timeline: f"milestones: {timeline}",
        lambda i: {"symbol": "diamond", "size": 11, "color": PALETTE[(i + 5) % 10]},
    )
    _add_markers(
        fig,
        adoption_years(builds),
        "scenario",
        ("first_year", "tech"),
        lambda scenario: f"first use: {scenario}",
        lambda i: {"symbol": "circle", "size": 11, "color": PALETTE[i % 5]},
    )
    fig.update_layout(title="Roadmap milestones and first use of each technology", height=600)
    fig.update_xaxes(title_text="Year")
    fig.update_yaxes(title_text="Milestone / technology", type="category")
    return fig


def physics_figure(
    rates: pd.DataFrame,
    *,
    alpha_db_per_km: float = 0.2,
    plob_repetition_rate_hz: float = 1e9,
) -> go.Figure:
    """Secret key rate vs distance per model (log y), with the PLOB repeaterless bound.

    ``rates`` has columns ``model``, ``length_km``, ``key_rate_bps``; zero rates (no key)
    are left out, as a log axis cannot show them. PLOB is −log₂(1−η) per channel use at
    ``alpha_db_per_km`` fibre loss times ``plob_repetition_rate_hz`` channel uses per second.
    """
    fig = go.Figure()
    for model, rows in rates.groupby("model", sort=False):
        rows = rows[rows["key_rate_bps"] > 0].sort_values("length_km")
        fig.add_trace(
            go.Scatter(x=rows["length_km"], y=rows["key_rate_bps"], mode="lines", name=str(model))
        )
    if len(rates):
        lengths = np.linspace(float(rates["length_km"].min()), float(rates["length_km"].max()), 200)
        bound = plob(transmittance(lengths, alpha_db_per_km)) * plob_repetition_rate_hz
        keep = bound > 0
        fig.add_trace(
            go.Scatter(
                x=lengths[keep],
                y=bound[keep],
                mode="lines",
                name=f"PLOB bound ({plob_repetition_rate_hz / 1e9:g} GHz)",
                line={"dash": "dash", "color": "black"},
            )
        )
    fig.update_layout(title="Secret key rate vs distance")
    fig.update_xaxes(title_text="Distance (km)")
    fig.update_yaxes(title_text="Secret key rate (bit/s)", type="log")
    return fig


def compare_figures(
    tables: dict[str, pd.DataFrame], milestones: pd.DataFrame | None = None
) -> list[tuple[str, go.Figure]]:
    """The Compare view as (title, figure) pairs from concatenated results tables."""
    figures = [
        ("Key served by phase", served_by_phase_figure(tables["phases"])),
        ("Served share by trust class", served_share_by_trust_figure(tables["served"])),
        ("Installed equipment", equipment_counts_figure(tables["equipment"])),
        ("Cumulative discounted cost", cumulative_cost_figure(tables["costs"])),
        ("Technology adoption", adoption_figure(tables["builds"])),
    ]
    if milestones is not None and len(milestones):
        figures.append(("Roadmap timeline", roadmap_timeline_figure(milestones, tables["builds"])))
    return figures
