"""Uncertainty page: a sweep's fan charts of cost and phase shares, the adoption-probability
heat map (technology × period) and, for one-at-a-time sweeps, the tornado chart.

Sweeps are folders ``<results>/<scenario>-sweep`` or ``-sensitivity`` written by
``qroad sweep`` or started here (ui.sweep_jobs: the same Dask path, on a background
thread); the fan charts warn when there are too few samples for the bands they draw."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from engine.charts_uncertainty import adoption_heatmap, band_warnings, fan_chart, tornado_chart
from engine.errors import QroadInputError
from engine.scenario import load_scenario
from engine.sweep.store import is_sweep_dir, read_summary_table, read_sweep_meta
from ui import sweep_jobs
from ui.common import bundled_scenarios, results_dir
from ui.scenario_form import friendly_errors


def list_sweeps(folder: Path) -> dict[str, Path]:
    """Sweep folders under ``folder`` by name, sorted."""
    if not folder.is_dir():
        return {}
    return {p.name: p for p in sorted(folder.iterdir()) if p.is_dir() and is_sweep_dir(p)}


def sweepable() -> dict[str, Path]:
    """Bundled scenarios with an ``uncertainty:`` section (what a sweep draws from)."""
    out = {}
    for name, path in bundled_scenarios().items():
        try:
            if load_scenario(path).uncertainty is not None:
                out[name] = path
        except QroadInputError:
            continue
    return out


def start_section() -> None:
    """Start a sweep (as ``qroad sweep``) and follow its samples."""
    st.header("Start a sweep")
    files = sweepable()
    if not files:
        st.caption("No bundled scenario has an uncertainty: section (docs/sweeps.md).")
        return
    name = st.selectbox("Scenario with an uncertainty section", list(files))
    c1, c2, c3 = st.columns(3)
    samples = int(c1.number_input("Samples", min_value=1, max_value=1000, value=40, step=1))
    workers = int(c2.number_input("Worker processes", min_value=1, max_value=64, value=2))
    limit = c3.number_input("Time limit per sample (s)", min_value=5.0, value=60.0, step=5.0)
    one_at_a_time = st.checkbox("One input at a time (tornado) instead of Latin hypercube")
    for line in band_warnings(samples) if not one_at_a_time else []:
        st.warning(line)
    if st.button("Start the sweep", type="primary"):
        try:
            overrides = [f"solver.time_limit_s={limit}", "solver.threads=1"]
            scenario = load_scenario(files[name], overrides=overrides)
        except QroadInputError as err:
            st.error(" ".join(friendly_errors(err)))
            return
        sweep_jobs.start_sweep(
            scenario, out_dir=results_dir(), samples=samples, one_at_a_time=one_at_a_time,
            workers=workers,
        )  # fmt: skip
        st.toast(f"Started a sweep of {scenario.name}")
    show_sweeps()


def show_sweeps() -> None:
    """Progress of the sweeps started in this session; polls while any runs."""
    jobs: list[sweep_jobs.SweepJob] = st.session_state.get("sweeps", [])
    if not jobs:
        return
    active = any(not j.future.done() for j in jobs)

    @st.fragment(run_every=2.0 if active else None)
    def table() -> None:
        rows = []
        for job in jobs:
            state = "running" if not job.future.done() else "done"
            if job.future.done() and job.future.exception() is not None:
                state = f"failed: {job.future.exception()}"
            statuses = pd.Series([s for _, s, _ in job.done], dtype=str).value_counts()
            rows.append(
                {"Sweep": job.name, "State": state, "Samples finished": len(job.done),
                 "Of": job.total, "Statuses": ", ".join(f"{k} {v}" for k, v in statuses.items())}
            )  # fmt: skip
        st.dataframe(pd.DataFrame(rows), hide_index=True)
        if active and all(j.future.done() for j in jobs):
            st.rerun()

    table()


def main() -> None:
    """Draw the page."""
    st.title("Uncertainty")
    show_results()
    start_section()


def show_results() -> None:
    """The chosen sweep's charts and tables."""
    sweeps = list_sweeps(results_dir())
    if not sweeps:
        st.info(
            f"No sweeps in {results_dir()}. Start one below, or in a terminal, e.g. "
            "`qroad sweep scenarios/uk-sweep.yaml --samples 40 --out results`."
        )
        return
    name = st.selectbox("Sweep", list(sweeps))
    sweep_dir = sweeps[name]
    meta = read_sweep_meta(sweep_dir)
    samples = read_summary_table(sweep_dir, "samples")
    if samples.empty:
        st.warning("This sweep has no finished samples yet.")
        return
    counts = samples["status"].fillna("not run").value_counts()
    st.caption(
        f"{meta['scenario']} · {meta['mode'].replace('_', ' ')} · seed {meta['seed']} · "
        f"{len(samples)} samples: "
        + ", ".join(f"{k} {v}" for k, v in counts.items())
        + f" · {len(meta['inputs'])} uncertain inputs"
    )
    percentiles = read_summary_table(sweep_dir, "percentiles")
    tornado = read_summary_table(sweep_dir, "tornado")
    if not tornado.empty:
        st.subheader("Which input moves the cost most (one at a time)")
        st.plotly_chart(tornado_chart(tornado), key="tornado")
        st.dataframe(read_summary_table(sweep_dir, "tornado_adoption"), hide_index=True)
    if not percentiles.empty:
        finished = int(percentiles["n"].min()) if "n" in percentiles else len(samples)
        for line in band_warnings(finished):
            st.warning(line)
        left, right = st.columns(2)
        left.subheader("Cumulative discounted cost")
        left.plotly_chart(fan_chart(percentiles), key="fan-cost")
        right.subheader("Share of served key by phase")
        right.plotly_chart(fan_chart(percentiles, "phase_share"), key="fan-phase")
    st.subheader("Probability of adopting each technology")
    st.plotly_chart(adoption_heatmap(read_summary_table(sweep_dir, "adoption")), key="adoption")
    with st.expander("Samples: inputs drawn, status, reason, attempts"):
        st.dataframe(samples, hide_index=True)


main()
