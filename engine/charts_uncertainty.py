"""Chart builders for uncertainty sweeps: summary DataFrames in, plotly figures out.

They take the tables a sweep writes (engine.sweep.store): ``percentiles`` (metric, period,
phase, p05 ... p95, mean, n), ``adoption`` (period, tech, adoption_share) and ``tornado``
(input, cost_low_eur, cost_central_eur, cost_high_eur). None reads files; axis titles carry
units.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from engine.palette import PHASE_COLOURS

PERIOD_TITLE = "Period start (year)"
METRIC_TITLES = {
    "discounted_cost_eur": "Discounted cost in the period (M€)",
    "cumulative_discounted_cost_eur": "Cumulative discounted cost (M€)",
    "served_bps": "Served key (kbit/s)",
    "phase_share": "Share of served key (%)",
}
_SCALE = {
    "discounted_cost_eur": 1e-6,
    "cumulative_discounted_cost_eur": 1e-6,
    "served_bps": 1e-3,
    "phase_share": 100.0,
}
BANDS = (("p05", "p95", 0.15, "5–95 %"), ("p25", "p75", 0.3, "25–75 %"))


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _add_fan(fig: go.Figure, rows: pd.DataFrame, scale: float, colour: str, label: str) -> None:
    rows = rows.sort_values("period")
    x = rows["period"].tolist()
    for lo, hi, alpha, band in BANDS:
        fig.add_trace(
            go.Scatter(
                x=x + x[::-1],
                y=(rows[hi] * scale).tolist() + (rows[lo] * scale).tolist()[::-1],
                fill="toself",
                fillcolor=_rgba(colour, alpha),
                line={"width": 0},
                hoverinfo="skip",
                name=f"{label} {band}".strip(),
                legendgroup=label,
            )
        )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=rows["p50"] * scale,
            mode="lines+markers",
            line={"color": colour},
            name=f"{label} median".strip(),
            legendgroup=label,
        )
    )


def fan_chart(
    percentiles: pd.DataFrame, metric: str = "cumulative_discounted_cost_eur"
) -> go.Figure:
    """Median and 25–75 % / 5–95 % bands of ``metric`` over periods; one fan per phase for
    the per-phase metrics (served_bps, phase_share)."""
    if metric not in METRIC_TITLES:
        raise KeyError(f"unknown metric {metric!r}; metrics: {', '.join(METRIC_TITLES)}")
    rows = percentiles[percentiles["metric"] == metric]
    fig = go.Figure()
    phases = [p for p in rows["phase"].unique() if p]
    if phases:
        for phase in sorted(phases, key=lambda p: list(PHASE_COLOURS).index(p)):
            colour = PHASE_COLOURS.get(phase, "#7f7f7f")
            _add_fan(fig, rows[rows["phase"] == phase], _SCALE[metric], colour, f"phase {phase}")
    else:
        _add_fan(fig, rows, _SCALE[metric], "#1f77b4", "")
    fig.update_layout(
        xaxis_title=PERIOD_TITLE, yaxis_title=METRIC_TITLES[metric], hovermode="x unified"
    )
    return fig


def adoption_heatmap(adoption: pd.DataFrame) -> go.Figure:
    """Share of samples adopting each technology (rows) in each period (columns), in %."""
    pivot = adoption.pivot(index="tech", columns="period", values="adoption_share") * 100.0
    fig = go.Figure(
        go.Heatmap(
            z=pivot.to_numpy(),
            x=[str(p) for p in pivot.columns],
            y=list(pivot.index),
            zmin=0,
            zmax=100,
            colorscale="Blues",
            colorbar={"title": "Samples adopting (%)"},
            text=pivot.round(0).to_numpy(),
            texttemplate="%{text:.0f}",
            hovertemplate="%{y}, %{x}: %{z:.0f} % of samples<extra></extra>",
        )
    )
    fig.update_layout(xaxis_title=PERIOD_TITLE, yaxis_title="Technology")
    return fig


def tornado_chart(tornado: pd.DataFrame) -> go.Figure:
    """Change in total discounted cost (M€) from the central case when each input is at its
    low (left bar colour) or high end, the largest swing on top."""
    data = tornado.sort_values("swing_eur", ascending=True, kind="stable")
    centre = data["cost_central_eur"]
    fig = go.Figure()
    for end, colour in (("low", "#1f77b4"), ("high", "#d62728")):
        values = data[f"{end}_value"].map(lambda v: f"{v:.4g}")
        fig.add_trace(
            go.Bar(
                y=data["input"],
                x=(data[f"cost_{end}_eur"] - centre) / 1e6,
                orientation="h",
                name=f"input at its {end} end",
                marker_color=colour,
                customdata=values,
                hovertemplate="%{y} = %{customdata}: %{x:+.3f} M€<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="overlay",
        xaxis_title="Change in total discounted cost from the central case (M€)",
        yaxis_title="Uncertain input",
    )
    return fig


BAND_MIN_SAMPLES = {"5–95 %": 20, "25–75 %": 4}
"""Samples a band needs before its edges rest on data: a p-th percentile needs about
1 / min(p, 1 − p) samples (20 for the 5th and 95th, 4 for the 25th and 75th); with fewer,
the edge is the extreme sample, interpolated."""


def band_warnings(n_samples: int) -> list[str]:
    """A warning for every band of the fan charts that ``n_samples`` finished samples are too
    few to draw honestly (empty when there are enough)."""
    return [
        f"Only {n_samples} finished samples: the {band} band needs at least {need} to rest on "
        "data (with fewer its edges are the extreme samples); run more samples."
        for band, need in BAND_MIN_SAMPLES.items()
        if n_samples < need
    ]
