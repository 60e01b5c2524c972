"""The catalogue technologies' key rates over distance: the rates the optimiser uses.

``catalogue_rates_table`` evaluates every (chosen) catalogue technology in one year of one
timeline with the engine's own per-period parameters (``engine.tech_periods``) and rate per
system (``engine.capacity.key_rate_per_system_bps``, detector saturation included), so a plot
of it shows the plan's physics. ``plot_catalogue_rates`` (PNG, ``qroad rates``) and
``catalogue_rates_figure`` (plotly, the app's Physics page) draw it on a log scale, each
technology labelled with its clock, beside the PLOB repeaterless bound at that same clock
(or everything in bits per channel use with one bound), and mark each technology's maximum
length.

Chains: a first-generation ``repeater`` gets equally spaced nodes and the nesting level (up to
the catalogue's) that gives the most key, an encoded ``repeater_qec`` the fewest equal links
no longer than its ``max_node_spacing_km`` (the layouts the candidate links use when nodes can
go anywhere). Satellites give their day-averaged rate, whatever the ground distance.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from engine.capacity import FIBRE_KINDS, key_rate_per_system_bps
from engine.catalogue import Catalogue, load_catalogue
from engine.physics.common import plob, transmittance
from engine.rates import format_hz
from engine.scenario.timeline import milestone_years
from engine.tech_periods import technology_periods

CATALOGUE_COLUMNS = [
    "tech",
    "timeline",
    "year",
    "available",
    "length_km",
    "key_rate_bps",
    "clock_hz",
    "key_rate_per_use",
    "max_length_km",
    "link_kind",
]


def clock_hz(row: Mapping[str, Any]) -> float:
    """Channel uses per second of one technology-period row: 1/attempt_s for memory-assisted
    MDI (its attempt clock that year), else the catalogue's repetition rate (the nominal
    clock of per-second models)."""
    attempt = row["params"].get("attempt_s")
    return 1.0 / float(attempt) if attempt else float(row["repetition_rate_hz"])


def chain_rates(row: Mapping[str, Any], lengths_km: np.ndarray, alpha: float) -> np.ndarray:
    """Rates (bits/s) of a repeater chain of each length, laid out as the module says."""
    params, spacing = row["params"], row.get("max_node_spacing_km")
    if "nesting_level" in params:
        levels = range(1, int(params["nesting_level"]) + 1)
        per_level = [
            key_rate_per_system_bps(row, lengths_km, alpha_db_per_km=alpha, nesting_level=n)
            for n in levels
        ]
        if spacing is not None and not pd.isna(spacing):  # links longer than the spacing
            per_level = [
                np.where(lengths_km / 2**n <= float(spacing) + 1e-9, r, 0.0)
                for n, r in zip(levels, per_level, strict=True)
            ]
        return np.max(np.stack(per_level), axis=0)
    limit = float(spacing) if spacing is not None and not pd.isna(spacing) else None
    limit = limit or float(params["node_spacing_km"])
    out = np.zeros(lengths_km.shape)
    for i, length in enumerate(lengths_km):
        links = max(1, math.ceil(length / limit - 1e-9))
        kwargs = {"node_spacing_km": max(length / links, 1e-9)}
        out[i] = key_rate_per_system_bps(row, [length], alpha_db_per_km=alpha, **kwargs)[0]
    return out


def catalogue_rates_table(
    lengths_km: Iterable[float],
    *,
    timeline: str | Mapping[str, int] = "mid",
    year: int = 2030,
    techs: Iterable[str] | None = None,
    alpha_db_per_km: float = 0.2,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """One row per (technology, length up to its ``max_length_km``); ``CATALOGUE_COLUMNS``.

    ``key_rate_bps`` is a system's key in ``year`` (0 where the technology is not available
    yet); ``key_rate_per_use`` = key_rate_bps / ``clock_hz``. Satellites have no length: their
    day-averaged rate is repeated at every length.
    """
    catalogue = catalogue or load_catalogue()
    lengths = np.asarray(list(lengths_km), dtype=float)
    if lengths.size == 0 or np.any(lengths < 0.0) or not np.all(np.isfinite(lengths)):
        raise ValueError("lengths_km must be a non-empty list of finite, non-negative km")
    names = list(techs) if techs is not None else list(catalogue.technologies)
    rows = technology_periods(
        catalogue, enabled=names, periods=[int(year)], milestone_years=milestone_years(timeline)
    )
    frames = []
    for row in rows.to_dict("records"):
        within = lengths[lengths <= float(row["max_length_km"]) + 1e-9]
        if row["link_kind"] == "repeater_chain" and bool(row["available"]):
            rate = chain_rates(row, within, alpha_db_per_km)
        else:
            rate = key_rate_per_system_bps(row, within, alpha_db_per_km=alpha_db_per_km)
        clock = clock_hz(row)
        frames.append(
            pd.DataFrame(
                {
                    "tech": row["tech"],
                    "timeline": timeline if isinstance(timeline, str) else "custom",
                    "year": int(year),
                    "available": bool(row["available"]),
                    "length_km": within,
                    "key_rate_bps": rate,
                    "clock_hz": clock,
                    "key_rate_per_use": rate / clock,
                    "max_length_km": float(row["max_length_km"]),
                    "link_kind": row["link_kind"],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)[CATALOGUE_COLUMNS]


def _series(table: pd.DataFrame, per_use: bool, alpha: float) -> tuple[list[dict], list[dict]]:
    """Curves (tech, label, x, y, marker at the maximum length) and PLOB bounds to draw."""
    value = "key_rate_per_use" if per_use else "key_rate_bps"
    curves, clocks = [], {}
    for tech, rows in table.groupby("tech", sort=False):
        rows = rows.sort_values("length_km")
        keyed = rows[rows[value] > 0.0]
        if keyed.empty:
            continue
        clock = float(rows["clock_hz"].iloc[0])
        kind = str(rows["link_kind"].iloc[0])
        note = " (day average)" if kind == "satellite" else ""
        cap = float(rows["max_length_km"].iloc[0])
        curves.append(
            {
                "tech": str(tech),
                "label": f"{tech} @ {format_hz(clock)}{note}",
                "x": keyed["length_km"].to_numpy(),
                "y": keyed[value].to_numpy(),
                "max_length": cap if cap <= float(table["length_km"].max()) else None,
            }
        )
        if kind in FIBRE_KINDS:
            clocks.setdefault(1.0 if per_use else clock, None)
    grid = np.linspace(float(table["length_km"].min()), float(table["length_km"].max()), 300)
    bound = plob(transmittance(grid, alpha))
    bounds = [
        {
            "label": "PLOB bound per channel use" if per_use else f"PLOB bound @ {format_hz(c)}",
            "x": grid[bound > 0],
            "y": (bound * c)[bound > 0],
        }
        for c in sorted(clocks, reverse=True)
    ]
    return curves, bounds


def plot_catalogue_rates(
    table: pd.DataFrame, path: str | Path, *, per_use: bool = False, alpha_db_per_km: float = 0.2
) -> Path:
    """PNG of ``catalogue_rates_table``: one line per technology (label: tech @ clock), the
    PLOB bound at each fibre technology's clock (dashed; one bound per use with
    ``per_use``), and a tick on the distance axis at each technology's maximum length."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curves, bounds = _series(table, per_use, alpha_db_per_km)
    fig, ax = plt.subplots(figsize=(9, 5.5), dpi=100)
    for c in curves:
        (line,) = ax.plot(c["x"], c["y"], label=c["label"])
        if c["max_length"] is not None:  # a tick in the line's colour on the distance axis
            ax.axvline(c["max_length"], ymax=0.06, color=line.get_color(), lw=2.5)
    for i, b in enumerate(bounds):
        ax.plot(b["x"], b["y"], "--", color=str(0.1 + 0.15 * i), lw=0.9, label=b["label"])
    year = int(table["year"].iloc[0])
    ax.set_title(f"Catalogue technologies, {table['timeline'].iloc[0]} timeline, {year}")
    ax.set_yscale("log")
    ax.set_xlabel("distance (km); ticks on the axis mark each technology's maximum length")
    ax.set_ylabel("secret key per channel use" if per_use else "secret key rate (bit/s)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    plt.close(fig)
    return path


def catalogue_rates_figure(
    table: pd.DataFrame, *, per_use: bool = False, alpha_db_per_km: float = 0.2
) -> Any:
    """The plotly figure of ``plot_catalogue_rates`` (for the app's Physics page)."""
    import plotly.graph_objects as go

    curves, bounds = _series(table, per_use, alpha_db_per_km)
    fig = go.Figure()
    for c in curves:
        fig.add_trace(go.Scatter(x=c["x"], y=c["y"], mode="lines", name=c["label"]))
        if c["max_length"] is not None:  # a tick on the distance axis
            fig.add_shape(
                type="line",
                x0=c["max_length"],
                x1=c["max_length"],
                y0=0.0,
                y1=0.06,
                yref="paper",
                line={"width": 3},
                name=f"{c['tech']} max length",
            )
    for b in bounds:
        fig.add_trace(
            go.Scatter(x=b["x"], y=b["y"], mode="lines", name=b["label"], line={"dash": "dash"})
        )
    fig.update_layout(title="Secret key rate vs distance (the optimiser's rates)")
    fig.update_xaxes(title_text="Distance (km); ticks on the axis mark maximum lengths")
    label = "Secret key per channel use" if per_use else "Secret key rate (bit/s)"
    fig.update_yaxes(title_text=label, type="log")
    return fig
