"""Key-rate tables and plots over distance for the physics models and their named presets.

``rates_table`` evaluates each model at its preset (``data/physics_presets.yaml``) over a grid
of lengths; ``plot_rates`` draws the table on a log scale beside the PLOB repeaterless bound
at each preset's own clock; ``parse_distance_range`` reads the CLI's ``start:stop:step`` grid.
The catalogue technologies' rates, the ones the optimiser uses, are in
``engine.catalogue_rates``.

Units: ``length_km`` in km (slant range for satellite downlinks); ``key_rate_per_pulse`` in
secret bits per channel use; ``key_rate_bps`` in secret bits per second. For models whose
output is already per second (memory-assisted MDI, repeater chains) ``key_rate_bps`` is that
output and ``key_rate_per_pulse`` = key_rate_bps / the preset's repetition_rate_hz, i.e. per
tick of its nominal attempt clock.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from engine import physics
from engine.physics.common import plob, transmittance
from engine.presets import preset_info, preset_names

PER_SECOND_MODELS = frozenset({"memory_mdi", "repeater_key_rate_bps", "repeater_qec_key_rate_bps"})
"""Models returning bits per second rather than bits per channel use."""

MODEL_ALIASES = {
    "repeater_chain": "repeater_key_rate_bps",
    "repeater_qec_chain": "repeater_qec_key_rate_bps",
}
"""Pair-rate models whose key is tabulated through their BBM92 key-rate wrapper."""

TABLE_COLUMNS = ["model", "preset", "length_km", "key_rate_per_pulse", "key_rate_bps"]
MAX_GRID_POINTS = 10_000_000


def _model_function(model: str) -> Callable[..., Any]:
    fn = getattr(physics, model, None)
    if fn is None or not callable(fn):
        raise ValueError(f"unknown physics model {model!r}")
    return fn


def presets_for_model(model: str) -> list[str]:
    """Names of the presets whose ``model`` is ``model`` (aliases resolved), sorted."""
    target = MODEL_ALIASES.get(model, model)
    return [n for n in preset_names() if preset_info(n)["model"] == target]


def resolve_preset(model: str, preset: str | None = None) -> str:
    """The preset used for ``model``: ``preset`` if given (must belong to the model), else the
    one marked ``default: true``, else the first by name. ValueError names the allowed ones."""
    allowed = presets_for_model(model)
    if preset is not None:
        if preset not in allowed:
            raise ValueError(
                f"preset {preset!r} is not a preset of model {model!r}; "
                f"allowed: {', '.join(allowed) or '(none)'}"
            )
        return preset
    if not allowed:
        raise ValueError(f"no preset for model {model!r} in data/physics_presets.yaml")
    defaults = [n for n in allowed if preset_info(n).get("default") is True]
    return defaults[0] if defaults else allowed[0]


def rates_table(
    models: list[str], lengths_km: np.ndarray, preset: str | None = None
) -> pd.DataFrame:
    """Long table of key rates: one row per (model, length).

    Columns: model, preset, length_km (km), key_rate_per_pulse (bits per channel use),
    key_rate_bps (bits/s) = key_rate_per_pulse × the preset's repetition_rate_hz (for
    per-second models the reverse: key_rate_per_pulse = key_rate_bps / repetition_rate_hz).
    ``preset`` applies to every model and must belong to each.
    """
    lengths = np.asarray(lengths_km, dtype=np.float64).reshape(-1)
    if lengths.size == 0 or np.any(lengths < 0.0) or not np.all(np.isfinite(lengths)):
        raise ValueError("lengths_km must be a non-empty array of finite, non-negative km")
    frames = []
    for model in models:
        name = resolve_preset(model, preset)
        info = preset_info(name)
        rep_hz = float(info["repetition_rate_hz"])
        target = info["model"]
        out = np.asarray(_model_function(target)(lengths, **info["params"]), dtype=np.float64)
        out = np.broadcast_to(out, lengths.shape)
        if target in PER_SECOND_MODELS:
            bps, per_pulse = out, out / rep_hz
        else:
            per_pulse, bps = out, out * rep_hz
        frames.append(
            pd.DataFrame(
                {
                    "model": model,
                    "preset": name,
                    "length_km": lengths,
                    "key_rate_per_pulse": per_pulse,
                    "key_rate_bps": bps,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)[TABLE_COLUMNS]


def plob_bps(
    lengths_km: np.ndarray, *, alpha_db_per_km: float, repetition_rate_hz: float
) -> np.ndarray:
    """PLOB bound −log₂(1−η) × repetition rate (bits/s) for fibre of loss α (dB/km)."""
    return plob(transmittance(lengths_km, alpha_db_per_km)) * repetition_rate_hz


def plot_rates(table: pd.DataFrame, path: str | Path) -> Path:
    """Write a log-scale PNG of key_rate_bps against length_km, one line per model, with the
    PLOB bound at each distinct repetition rate of the presets shown (so no model is drawn
    beside a bound at another clock). Zero rates are left out of the log plot."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    missing = set(TABLE_COLUMNS) - set(table.columns)
    if missing:
        raise ValueError(f"table lacks columns {sorted(missing)}")
    if table.empty:
        raise ValueError("table is empty")
    path = Path(path)
    fig, ax = plt.subplots(figsize=(8, 5), dpi=100)
    for (model, preset_name), grp in table.groupby(["model", "preset"], sort=False):
        grp = grp.sort_values("length_km")
        positive = grp["key_rate_bps"] > 0.0
        ax.plot(
            grp["length_km"][positive],
            grp["key_rate_bps"][positive],
            label=f"{model} ({preset_name})",
        )
    grid = np.linspace(table["length_km"].min(), table["length_km"].max(), 400)
    clocks: dict[float, float] = {}  # clock -> fibre loss of the first preset at that clock
    for name in dict.fromkeys(table["preset"].astype(str)):
        info = preset_info(name)
        alpha = float(info["params"].get("alpha_db_per_km", 0.2))
        clocks.setdefault(float(info["repetition_rate_hz"]), alpha)
    for rep_hz, alpha in clocks.items():
        ax.plot(
            grid,
            plob_bps(grid, alpha_db_per_km=alpha, repetition_rate_hz=rep_hz),
            "k--",
            lw=0.8,
            label=f"PLOB bound @ {format_hz(rep_hz)} ({alpha:g} dB/km)",
        )
    ax.set_yscale("log")
    ax.set_xlabel("distance (km)")
    ax.set_ylabel("secret key rate (bit/s)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    plt.close(fig)
    return path


def presets_figure(table: pd.DataFrame) -> Any:
    """Plotly figure of a ``rates_table`` (key rate vs distance per model and preset, log y)
    with the PLOB bound at each distinct repetition rate of the presets shown."""
    import plotly.graph_objects as go

    fig = go.Figure()
    clocks: dict[float, float] = {}
    for (model, name), rows in table.groupby(["model", "preset"], sort=False):
        info = preset_info(str(name))
        clock = float(info["repetition_rate_hz"])
        clocks.setdefault(clock, float(info["params"].get("alpha_db_per_km", 0.2)))
        rows = rows[rows["key_rate_bps"] > 0].sort_values("length_km")
        label = f"{model} ({name}) @ {format_hz(clock)}"
        fig.add_trace(go.Scatter(x=rows["length_km"], y=rows["key_rate_bps"], name=label))
    grid = np.linspace(float(table["length_km"].min()), float(table["length_km"].max()), 200)
    for clock, alpha in clocks.items():
        bound = plob_bps(grid, alpha_db_per_km=alpha, repetition_rate_hz=clock)
        fig.add_trace(
            go.Scatter(
                x=grid[bound > 0],
                y=bound[bound > 0],
                name=f"PLOB bound @ {format_hz(clock)}",
                line={"dash": "dash"},
            )
        )
    fig.update_xaxes(title_text="Distance (km)")
    fig.update_yaxes(title_text="Secret key rate (bit/s)", type="log")
    return fig


def format_hz(hz: float) -> str:
    """A clock as '1 GHz', '100 MHz', '24.8 MHz', '500 kHz'."""
    for scale, unit in ((1e9, "GHz"), (1e6, "MHz"), (1e3, "kHz")):
        if hz >= scale:
            return f"{hz / scale:.3g} {unit}"
    return f"{hz:.3g} Hz"


def parse_distance_range(spec: str) -> np.ndarray:
    """Parse ``"start:stop:step"`` (km) into a grid start, start+step, …, including ``stop``
    when it lies on the grid (to 1e-9 of a step). ValueError on malformed specs, negative
    start, stop < start, non-positive step or more than 10 million points."""
    parts = spec.strip().split(":")
    if len(parts) != 3:
        raise ValueError(f"distance range {spec!r} must be 'start:stop:step' in km, e.g. 0:600:5")
    try:
        start, stop, step = (float(p) for p in parts)
    except ValueError:
        raise ValueError(f"distance range {spec!r}: start, stop and step must be numbers") from None
    if not all(math.isfinite(v) for v in (start, stop, step)):
        raise ValueError(f"distance range {spec!r}: values must be finite")
    if start < 0.0:
        raise ValueError(f"distance range {spec!r}: start must be ≥ 0 km")
    if step <= 0.0:
        raise ValueError(f"distance range {spec!r}: step must be > 0 km")
    if stop < start:
        raise ValueError(f"distance range {spec!r}: stop must be ≥ start")
    n_steps = math.floor((stop - start) / step + 1e-9)
    if n_steps + 1 > MAX_GRID_POINTS:
        raise ValueError(f"distance range {spec!r} has more than {MAX_GRID_POINTS} points")
    return start + step * np.arange(n_steps + 1, dtype=np.float64)
