"""Decide now page: a hedged plan (``qroad hedge``): what to commit before the commit year
whatever the timeline, on the map and as a table; the cost of the hedged plan and of each
single-future plan in every future (the regret table); EVPI and VSS in words; and the
options no commitment may use because some future does not have them yet. Figures and
tables come from engine.hedge.charts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from engine.hedge.charts import (
    commitments_display,
    commitments_map,
    regret_figure,
    regret_table,
    ruled_out,
    value_in_words,
)
from engine.hedge.store import read_hedged
from engine.results import TABLE_NAMES
from ui.common import CHART_CONFIG, results_dir


def hedged_runs(folder: Path) -> dict[str, Path]:
    """Folders written by ``qroad hedge`` (manifest ``kind: hedged``), by name."""
    if not folder.is_dir():
        return {}
    out = {}
    for sub in sorted(folder.iterdir()):
        if sub.is_dir() and not sub.name.startswith(".") and (sub / "manifest.json").is_file():
            try:
                read_hedged(sub)
            except (ValueError, OSError):
                continue
            out[sub.name] = sub
    return out


def main() -> None:
    """Draw the page."""
    st.title("Decide now")
    runs = hedged_runs(results_dir())
    if not runs:
        st.info(
            f"No hedged plans in {results_dir()}. Make one with `qroad hedge "
            "scenarios/uk-quantum-network.yaml --futures early:0.25,mid:0.5,late:0.25 "
            "--commit-until 2030 --out results`."
        )
        return
    name = st.selectbox("Hedged plan", list(runs))
    manifest, extra = read_hedged(runs[name])
    futures = manifest.get("futures", {})
    periods = manifest.get("commit_periods", [])
    st.caption(
        "Futures: " + ", ".join(f"{f} ({100 * p:.0f} %)" for f, p in futures.items())
        + f"; decisions before {manifest.get('commit_until')} are shared by every future; "
        f"risk measure: {manifest.get('risk')}; solver status {manifest.get('status')}."
    )  # fmt: skip
    st.markdown(f"**{value_in_words(manifest)}**")
    c1, c2, c3, c4 = st.columns(4)
    for col, label, key in (
        (c1, "Expected cost (M€)", "expected_cost_eur"),
        (c2, "Wait-and-see (M€)", "wait_and_see_eur"),
        (c3, "EVPI (M€)", "evpi_eur"),
        (c4, "VSS (M€)", "vss_eur"),
    ):
        value = manifest.get(key)
        col.metric(label, "n/a" if value is None else f"{value / 1e6:,.2f}")
    st.subheader(f"Commit before {manifest.get('commit_until')}")
    st.dataframe(commitments_display(extra["commitments"]), hide_index=True)
    tables = {n: pd.read_parquet(runs[name] / f"{n}.parquet") for n in TABLE_NAMES}
    if periods:
        fig = commitments_map(tables, name, max(periods))
        st.plotly_chart(fig, key="commitments-map", config=CHART_CONFIG)
        st.caption(f"Installed in {max(periods)}: the commitments only (gold: new then).")
    st.subheader("Cost in each future: hedged plan against each single-future plan")
    st.dataframe(regret_table(extra["regrets"]), hide_index=True)
    st.plotly_chart(regret_figure(extra["regrets"]), key="regrets", config=CHART_CONFIG)
    st.caption(
        "Regret: a plan's cost in a future minus that future's own optimum. A single-future "
        "plan is its commitments held, the later years re-planned for the future that comes."
    )
    if manifest.get("method") == "ph":
        ph, gap = manifest.get("ph") or {}, manifest.get("gap")
        skipped = manifest.get("skipped") or []
        st.caption(
            f"Found by progressive hedging ({ph.get('iterations')} iterations), within "
            + ("n/a" if gap is None else f"{100 * gap:.1f} %") + " of its lower bound."
            + (" Not computed: " + "; ".join(skipped) + "." if skipped else "")
        )  # fmt: skip
    out = ruled_out(tables["capacity"], tables["links"], periods)
    st.subheader("Options ruled out before the commit year")
    if out.empty:
        st.write("None: every technology that makes key then does so in every future.")
    else:
        st.write("Not available in every future, so not committed:")
        st.dataframe(out, hide_index=True)


main()
