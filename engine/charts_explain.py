"""The Explain view's chart: each technology's cost per bit/s·year over the periods (log
axis), filled markers where the plan uses it, open where it is available but unused
(``engine.explain.technology_explanation`` gives the table)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from engine.charts import PERIOD_TITLE
from engine.names import TECHNOLOGIES
from engine.palette import TECH_LABELS, colour_of


def cost_per_bit_figure(table: pd.DataFrame) -> go.Figure:
    """Cost per bit/s·year (€, log y) per technology and period, in the fixed technology
    colours; periods where a technology is not available or makes no key are left out."""
    fig = go.Figure()
    shown = table.dropna(subset=["cost_eur_per_bps_year"])
    shown = shown[shown["available"] & (shown["cost_eur_per_bps_year"] > 0)]
    order = [t for t in TECHNOLOGIES if t in set(shown["tech"])]
    order += sorted(set(shown["tech"]) - set(order))
    for tech in order:
        rows = shown[shown["tech"] == tech].sort_values("period")
        used = rows["used"].astype(bool)
        fig.add_trace(
            go.Scatter(
                x=rows["period"],
                y=rows["cost_eur_per_bps_year"],
                mode="lines+markers",
                name=f"{tech} ({TECH_LABELS.get(tech, tech)})",
                line={"color": colour_of("tech", tech), "width": 2},
                marker={
                    "size": 11,
                    "symbol": ["circle" if u else "circle-open" for u in used],
                    "line": {"width": 2, "color": colour_of("tech", tech)},
                },
                customdata=[("used" if u else "unused") for u in used],
                hovertemplate=f"{tech} %{{x}}: %{{y:,.3g}} €/(bit/s·year), %{{customdata}}"
                "<extra></extra>",
            )
        )
    fig.update_layout(
        title="Cost per bit/s·year of one system (filled: used in the plan, open: unused)",
        showlegend=True,
    )
    fig.update_xaxes(title_text=PERIOD_TITLE, tickformat="d")
    fig.update_yaxes(title_text="Cost per bit/s·year (€, log scale)", type="log")
    return fig
