"""Physics page: the catalogue technologies' key rates (the optimiser's) vs distance, with PLOB.

The rates come from ``engine.catalogue_rates`` (the catalogue's parameters in the chosen year
of the chosen timeline, the engine's rate per system with detector saturation), each curve
labelled with its clock beside the PLOB bound at that clock, or all in bits per channel use.
The literature presets of ``data/physics_presets.yaml`` are in an expander, each model at its
``default: true`` preset unless another is picked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from engine.catalogue import load_catalogue
from engine.catalogue_rates import catalogue_rates_figure, catalogue_rates_table
from engine.palette import colour_by_technology
from engine.presets import preset_info, preset_names
from engine.rates import (
    MODEL_ALIASES,
    format_hz,
    presets_figure,
    presets_for_model,
    rates_table,
    resolve_preset,
)
from engine.scenario.timeline import load_roadmap

DEFAULT_YEAR = 2030


def model_names() -> list[str]:
    """Models that have a preset, named as engine.rates.rates_table wants them."""
    alias = {target: name for name, target in MODEL_ALIASES.items()}
    models = {preset_info(n)["model"] for n in preset_names()}
    return sorted(alias.get(m, m) for m in models)


def summary(table: pd.DataFrame, first_km: float) -> pd.DataFrame:
    """One row per technology: clock, availability, maximum length, reach, first rate."""
    rows = []
    for tech, group in table.groupby("tech", sort=False):
        keyed = group[group["key_rate_bps"] > 0]
        start = group[group["length_km"] == first_km]["key_rate_bps"]
        rows.append(
            {
                "Technology": tech,
                "Clock": format_hz(float(group["clock_hz"].iloc[0])),
                "Available": bool(group["available"].iloc[0]),
                "Max length (km)": float(group["max_length_km"].iloc[0]),
                "Reach (km)": float(keyed["length_km"].max()) if len(keyed) else 0.0,
                f"Key rate at {first_km:g} km (bit/s)": float(start.iloc[0]) if len(start) else 0.0,
            }
        )
    return pd.DataFrame(rows)


def presets_section(lo: int, hi: int, step_km: float) -> None:
    """Literature presets, each model at its default preset unless another is picked."""
    models = model_names()
    chosen = st.multiselect("Models", models, default=[], key="preset-models")
    if not chosen:
        return
    picked: dict[str, str] = {}
    for model in chosen:
        options = presets_for_model(model)
        default = resolve_preset(model)
        picked[model] = st.selectbox(
            model, options, index=options.index(default), key=f"preset-{model}"
        )
    lengths_km = np.arange(float(lo), float(hi) + step_km / 2, float(step_km))
    table = pd.concat([rates_table([m], lengths_km, picked[m]) for m in chosen], ignore_index=True)
    st.plotly_chart(presets_figure(table), key="presets")


def main() -> None:
    """Draw the page."""
    st.title("Key rate vs distance")
    st.caption(
        "The catalogue technologies as the optimiser sees them: each system's key rate in the "
        "chosen year of the chosen timeline (detector saturation included), its clock in the "
        "legend and the PLOB repeaterless bound at that clock. Ticks on the distance axis mark "
        "each technology's maximum length."
    )
    catalogue = load_catalogue()
    timelines = list(load_roadmap().timelines)
    c1, c2 = st.columns(2)
    timeline = c1.selectbox("Timeline", timelines, index=timelines.index("mid"))
    year = c2.slider("Year", 2021, 2060, DEFAULT_YEAR)
    techs = st.multiselect(
        "Technologies", list(catalogue.technologies), default=list(catalogue.technologies)
    )
    lo, hi = st.slider("Distance range (km)", 0, 1000, (0, 600), step=10)
    c3, c4, c5 = st.columns(3)
    step_km = c3.number_input("Distance step (km)", min_value=0.5, max_value=50.0, value=5.0)
    alpha = c4.number_input("Fibre loss (dB/km)", 0.1, 1.0, 0.2, step=0.01)
    per_use = c5.checkbox("Bits per channel use", value=False)
    if not techs:
        st.info("Pick at least one technology.")
        return
    lengths_km = np.arange(float(lo), float(hi) + step_km / 2, float(step_km))
    table = catalogue_rates_table(
        lengths_km, timeline=timeline, year=int(year), techs=techs, alpha_db_per_km=alpha
    )
    fig = colour_by_technology(
        catalogue_rates_figure(table, per_use=per_use, alpha_db_per_km=alpha)
    )
    st.plotly_chart(fig, key="physics")
    st.dataframe(summary(table, float(lengths_km[0])), hide_index=True)
    with st.expander("Literature presets (data/physics_presets.yaml)"):
        presets_section(lo, hi, float(step_km))


main()
