"""Chart builders: results DataFrames in, plotly figures out (used by the app and the report).

Every builder takes long-format results tables as ``engine.results.read_table`` returns them
(several runs concatenated, told apart by their ``scenario`` column) and returns a
``plotly.graph_objects.Figure`` whose axis titles carry units. None of them reads files or
touches the network; the map is drawn on plain lon/lat axes, so it needs no map tiles.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from engine.names import PHASES, TECHNOLOGIES, TRUST_CLASSES
from engine.palette import (
    COST_COLOURS,
    COST_LABELS,
    EQUIPMENT_COLOURS,
    EQUIPMENT_LABELS,
    PHASE_COLOURS,
    TECH_LABELS,
    TIMELINE_COLOURS,
    TRUST_COLOURS,
    TRUST_LABELS,
    TRUST_LINES,
    run_colours,
    run_symbols,
)
from engine.physics import plob, transmittance
from optimizer.names import COST_CATEGORIES

PERIOD_TITLE = "Period start (year)"
LEGEND_TITLES = {
    "phase": "Roadmap phase",
    "trust": "Trust class",
    "equipment": "Site equipment",
    "category": "Cost category",
}
__all__ = ["EQUIPMENT_LABELS", "PERIOD_TITLE"]


def _facet(fig: go.Figure, x_title: str, y_title: str) -> go.Figure:
    """Unit-bearing axis titles (the y title on the left panel only, so it never overlaps the
    panel beside it), whole-year ticks tilted so neighbours never run together, and px's
    ``scenario=`` facet prefixes stripped."""
    fig.update_xaxes(title_text=x_title, tickformat="d", tickangle=-45, nticks=8)
    fig.update_yaxes(title_text=None)
    fig.layout.yaxis.title.text = y_title
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=", 1)[-1]))
    return fig


def _complete(frame: pd.DataFrame, keys: list[str], value: str) -> pd.DataFrame:
    """Sum ``value`` over ``keys`` (scenario, period, group) and fill the missing periods of
    each scenario's own groups with 0.

    Stacked areas need every group at every period, or plotly interpolates across the gap;
    a group a scenario never has (phase III in a run without repeaters) stays absent, so no
    zero-height area of its colour is drawn on that run's panel.
    """
    scenario, period, group = keys
    summed = frame.groupby(keys, observed=True)[value].sum().reset_index()
    parts = []
    for name, rows in summed.groupby(scenario, sort=False):
        full = pd.MultiIndex.from_product(
            [[name], sorted(rows[period].unique()), rows[group].unique()], names=keys
        )
        parts.append(rows.set_index(keys)[value].reindex(full, fill_value=0.0).reset_index())
    return pd.concat(parts, ignore_index=True) if parts else summed


def _per_period(
    data: pd.DataFrame,
    y: str,
    color: str,
    order: list[str],
    *,
    stacked: bool,
    title: str,
    y_title: str,
    colours: dict[str, str],
) -> go.Figure:
    """``y`` over the periods, one fixed colour per ``color`` value in ``order``, one panel
    per scenario: stacked areas when ``stacked``, else lines with markers."""
    draw = px.area if stacked else px.line
    fig = draw(
        data,
        x="period",
        y=y,
        color=color,
        facet_col="scenario",
        facet_col_spacing=0.07,
        markers=not stacked,
        category_orders={color: order},
        color_discrete_map=colours,
        labels={color: LEGEND_TITLES.get(color, color)},
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
        colours=PHASE_COLOURS,
    )


def served_share_by_trust_figure(served: pd.DataFrame) -> go.Figure:
    """Share of demanded key that is served, per trust class over time (%), per scenario.

    Classes are named in words; each has its own width and dash (wide solid under narrow
    dotted), so two classes with the same shares both stay visible.
    """
    sums = served.groupby(["scenario", "period", "trust"], as_index=False)[
        ["served_bps", "demand_bps"]
    ].sum()
    sums = sums[sums["demand_bps"] > 0]
    sums = sums.assign(
        share_pct=100.0 * sums["served_bps"] / sums["demand_bps"],
        trust=sums["trust"].map(TRUST_LABELS).fillna(sums["trust"]),
    )
    fig = _per_period(
        sums,
        "share_pct",
        "trust",
        [TRUST_LABELS[t] for t in TRUST_CLASSES],
        stacked=False,
        title="Served share of demand by trust class",
        y_title="Served share of demand (%)",
        colours={TRUST_LABELS[t]: c for t, c in TRUST_COLOURS.items()},
    )
    styles = {TRUST_LABELS[t]: s for t, s in TRUST_LINES.items()}
    fig.for_each_trace(lambda t: t.update(line=styles.get(t.name, {}), opacity=0.85))
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
    data = (
        equipment_counts(equipment).drop(columns="equipment").rename(columns={"label": "equipment"})
    )
    fig = _per_period(
        data,
        "count",
        "equipment",
        list(EQUIPMENT_LABELS.values()),
        stacked=False,
        title="Installed site equipment",
        y_title="Sites with equipment (count)",
        colours={EQUIPMENT_LABELS[e]: c for e, c in EQUIPMENT_COLOURS.items()},
    )
    # equal counts (often 0) would hide one another: earlier kinds wider, underneath
    widths = {label: 9 - 1.6 * i for i, label in enumerate(EQUIPMENT_LABELS.values())}
    return fig.for_each_trace(lambda t: t.update(line_width=widths.get(t.name, 2)))


def cumulative_cost(costs: pd.DataFrame) -> pd.DataFrame:
    """Cumulative discounted cost per scenario, period and category, in M€."""
    data = _complete(costs, ["scenario", "period", "category"], "discounted_eur")
    data = data.sort_values(["scenario", "category", "period"], ignore_index=True)
    cum = data.groupby(["scenario", "category"])["discounted_eur"].cumsum()
    return data.assign(cumulative_meur=cum / 1e6)


def cumulative_cost_figure(costs: pd.DataFrame) -> go.Figure:
    """Cumulative discounted cost by category, stacked areas (M€), one panel per scenario;
    categories named in words (the unserved-key penalty apart from the money)."""
    data = cumulative_cost(costs)
    data = data.assign(category=data["category"].map(COST_LABELS).fillna(data["category"]))
    order = [COST_LABELS[c] for c in COST_CATEGORIES if COST_LABELS[c] in set(data["category"])]
    order += sorted(set(data["category"]) - set(order))
    return _per_period(
        data,
        "cumulative_meur",
        "category",
        order,
        stacked=True,
        title="Cumulative discounted cost by category",
        y_title="Cost (M€, discounted, cumulative)",
        colours={COST_LABELS[c]: v for c, v in COST_COLOURS.items()},
    )


def adoption_years(builds: pd.DataFrame) -> pd.DataFrame:
    """First period each technology has systems installed, per scenario (scenario, tech, year)."""
    used = builds[builds["systems_installed"] > 0]
    first = used.groupby(["scenario", "tech"], as_index=False)["period"].min()
    return first.rename(columns={"period": "first_year"}).sort_values(
        ["scenario", "first_year", "tech"], ignore_index=True
    )


def _rows_figure(
    groups: list[tuple[str, pd.DataFrame, dict[str, object]]],
    rows: list[str],
    row_labels: dict[str, str],
    x: str,
    y: str,
) -> go.Figure:
    """Markers on numbered rows: each group (name, frame, marker) gets its own lane inside
    every row, so markers of different runs at the same year never hide one another."""
    fig = go.Figure()
    index = {r: i for i, r in enumerate(rows)}
    lane = 0.8 / max(len(groups), 1)
    for j, (name, frame, marker) in enumerate(groups):
        offset = (j - (len(groups) - 1) / 2) * lane
        frame = frame[frame[y].isin(index)]
        fig.add_trace(
            go.Scatter(
                x=frame[x],
                y=[index[r] + offset for r in frame[y]],
                mode="markers",
                name=name,
                marker=marker,
                customdata=frame[y],
                hovertemplate=f"{name}<br>%{{customdata}}: %{{x}}<extra></extra>",
            )
        )
    fig.update_yaxes(
        tickvals=list(range(len(rows))),
        ticktext=[row_labels.get(r, r) for r in rows],
        range=[-0.6, len(rows) - 0.4],
        autorange="reversed",
        zeroline=False,
    )
    fig.update_xaxes(tickformat="d")
    return fig


def _tech_order(techs: pd.Series) -> list[str]:
    present = set(techs)
    return [t for t in TECHNOLOGIES if t in present] + sorted(present - set(TECHNOLOGIES))


def _run_markers(names: list[str], run_names: list[str] | None, size: int) -> dict[str, dict]:
    universe = run_names or names
    colours, symbols = run_colours(universe), run_symbols(universe)
    return {n: {"size": size, "color": colours[n], "symbol": symbols[n]} for n in names}


def adoption_figure(builds: pd.DataFrame, run_names: list[str] | None = None) -> go.Figure:
    """Adoption year of each technology (first period in use): one row per technology, one
    lane per run inside it, each run in its fixed colour (``run_names``: every run there
    is, so a run's colour does not depend on which are shown)."""
    first = adoption_years(builds)
    names = sorted(first["scenario"].unique())
    markers = _run_markers(names, run_names, 12)
    groups = [(n, first[first["scenario"] == n], markers[n]) for n in names]
    labels = {t: f"{t} ({TECH_LABELS[t]})" for t in TECH_LABELS}
    fig = _rows_figure(groups, _tech_order(first["tech"]), labels, "first_year", "tech")
    fig.update_layout(
        title="Technology adoption (first period in use)", legend_title_text="Run", showlegend=True
    )
    fig.update_xaxes(title_text="First period in use (year)")
    fig.update_yaxes(title_text="Technology")
    return fig


def roadmap_timeline_figure(
    milestones: pd.DataFrame, builds: pd.DataFrame, run_names: list[str] | None = None
) -> go.Figure:
    """Milestone years of each timeline against the year each plan first uses a technology.

    ``milestones`` has columns ``timeline``, ``milestone``, ``year``; ``builds`` is the
    builds table. Milestones are diamonds (one trace per timeline, fixed colour per
    timeline), first use the runs' markers, each in its own lane of a row, on one year axis.
    """
    first = adoption_years(builds)
    names = sorted(first["scenario"].unique())
    markers = _run_markers(names, run_names, 11)
    groups = [
        (
            f"milestones: {t}",
            milestones[milestones["timeline"] == t],
            {"symbol": "diamond", "size": 11, "color": TIMELINE_COLOURS.get(t, "#444444")},
        )
        for t in sorted(milestones["timeline"].unique())
    ]
    groups += [(f"first use: {n}", first[first["scenario"] == n], markers[n]) for n in names]
    frames = [g[1].rename(columns={"milestone": "row", "tech": "row"}) for g in groups]
    frames = [f.rename(columns={"year": "x", "first_year": "x"}) for f in frames]
    rows = list(dict.fromkeys(milestones["milestone"])) + _tech_order(first["tech"])
    labels = {t: f"{t} ({TECH_LABELS[t]})" for t in TECH_LABELS}
    fig = _rows_figure(
        [(g[0], f, g[2]) for g, f in zip(groups, frames, strict=True)], rows, labels, "x", "row"
    )
    fig.update_layout(
        title="Roadmap milestones and first use of each technology",
        height=max(500, 28 * len(rows)),
        showlegend=True,
    )
    fig.update_xaxes(title_text="Year")
    fig.update_yaxes(title_text="Milestone / technology")
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
    tables: dict[str, pd.DataFrame],
    milestones: pd.DataFrame | None = None,
    run_names: list[str] | None = None,
) -> list[tuple[str, go.Figure]]:
    """The Compare view as (title, figure) pairs from concatenated results tables;
    ``run_names`` (every run there is) fixes each run's colour."""
    builds = tables["builds"]
    figures = [
        ("Key served by phase", served_by_phase_figure(tables["phases"])),
        ("Served share by trust class", served_share_by_trust_figure(tables["served"])),
        ("Installed equipment", equipment_counts_figure(tables["equipment"])),
        ("Cumulative discounted cost", cumulative_cost_figure(tables["costs"])),
        ("Technology adoption", adoption_figure(builds, run_names)),
    ]
    if milestones is not None and len(milestones):
        timeline = roadmap_timeline_figure(milestones, builds, run_names)
        figures.append(("Roadmap timeline", timeline))
    return figures
