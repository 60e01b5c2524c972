"""Physics page: secret key rate vs distance for the technologies' models, with PLOB."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from engine.charts import physics_figure
from engine.presets import preset_info, preset_names
from engine.rates import MODEL_ALIASES, presets_for_model, rates_table

DEFAULT_MODELS = ["decoy_bb84", "mdi_qkd", "tf_qkd", "cv_qkd"]


def model_names() -> list[str]:
    """Models that have a preset, named as engine.rates.rates_table wants them."""
    alias = {target: name for name, target in MODEL_ALIASES.items()}
    models = {preset_info(n)["model"] for n in preset_names()}
    return sorted(alias.get(m, m) for m in models)


def main() -> None:
    """Draw the page."""
    st.title("Key rate vs distance")
    models = model_names()
    chosen = st.multiselect("Models", models, default=[m for m in DEFAULT_MODELS if m in models])
    lo, hi = st.slider("Distance range (km)", 0, 1000, (0, 400), step=10)
    step_km = st.number_input("Distance step (km)", min_value=0.5, max_value=50.0, value=5.0)
    c1, c2 = st.columns(2)
    alpha = c1.number_input("Fibre loss for PLOB (dB/km)", 0.1, 1.0, 0.2, step=0.01)
    rep_ghz = c2.number_input("PLOB repetition rate (GHz)", 0.001, 100.0, 1.0, step=0.5)
    if not chosen:
        st.info("Pick at least one model.")
        return
    presets: dict[str, str] = {}
    with st.expander("Parameter preset per model (from data/physics_presets.yaml)"):
        for model in chosen:
            options = presets_for_model(model)
            presets[model] = st.selectbox(model, options, key=f"preset-{model}")
    lengths_km = np.arange(float(lo), float(hi) + step_km / 2, float(step_km))
    table = pd.concat([rates_table([m], lengths_km, presets[m]) for m in chosen], ignore_index=True)
    fig = physics_figure(table, alpha_db_per_km=alpha, plob_repetition_rate_hz=rep_ghz * 1e9)
    st.plotly_chart(fig, key="physics")
    start = table[table["length_km"] == lengths_km[0]].set_index("model")["key_rate_bps"]
    keyed = table[table["key_rate_bps"] > 0]
    reach = keyed.groupby("model")["length_km"].max()
    summary = pd.DataFrame(
        {
            "Model": chosen,
            "Preset": [presets[m] for m in chosen],
            "Reach (km)": [float(reach.get(m, 0.0)) for m in chosen],
            f"Key rate at {lengths_km[0]:g} km (bit/s)": [float(start[m]) for m in chosen],
        }
    )
    st.dataframe(summary, hide_index=True)


main()
