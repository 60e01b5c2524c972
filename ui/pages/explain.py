"""Explain page: why one run's plan looks as it does, per period (engine.explain): each
available technology's cost per bit/s·year on its candidate links, which were unused and
why, the milestone that unlocked each adopted one, an indicative break-even, and a re-solve
with the lower price to check it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from engine import pipeline
from engine.charts_explain import cost_per_bit_figure
from engine.errors import QroadInputError
from engine.explain import explanation_display, technology_explanation
from engine.run_files import run_scenario_dict
from engine.scenario import load_scenario
from ui.common import CHART_CONFIG, page_run, results_dir
from ui.jobs import submit
from ui.scenario_form import friendly_errors, scenario_yaml, yaml_value
from ui.uploads import session_upload_dir


@st.cache_data(show_spinner=False, max_entries=8)
def _explanation(run_dir: str, stamp: float) -> pd.DataFrame:
    del stamp  # part of the cache key: a rewritten run is explained again
    return technology_explanation(Path(run_dir))


def adopted(table: pd.DataFrame) -> pd.DataFrame:
    """Each technology the plan uses: first period in use and the milestone that unlocked it."""
    used = table[table["used"]].sort_values("period")
    first = used.groupby("tech", as_index=False).first()
    return first[["tech", "period", "unlocked_by"]].rename(
        columns={
            "tech": "Technology",
            "period": "First period in use",
            "unlocked_by": "Unlocked by (milestone, year)",
        }
    )


def breakeven_section(name: str, run_dir: Path, table: pd.DataFrame) -> None:
    """Pick an unused technology's break-even and re-solve the run with it that much cheaper."""
    st.subheader("Check a break-even by re-solving")
    candidates = table.dropna(subset=["break_even_pct"])
    if candidates.empty:
        st.caption("No available technology is left out for being dearer.")
        return
    best = candidates.sort_values("break_even_pct").drop_duplicates("tech")
    options = {
        f"{r.tech}: {r.break_even_pct:.1f} % cheaper (period {r.period})": r
        for r in best.itertuples()
    }
    choice = options[st.selectbox("Technology and price cut", list(options))]
    factor = 1.0 - float(choice.break_even_pct) / 100.0
    resolved = run_scenario_dict(run_dir)
    over = ((resolved.get("technologies") or {}).get("overrides") or {}).get(choice.tech, {})
    st.caption(
        f"Re-solves {name} with {choice.tech}'s capex and opex per system × {factor:.3f} "
        "(a full solve, as long as the original run; follow it on the Run page)."
    )
    if not st.button("Re-solve with this price"):
        return
    from engine.catalogue import load_catalogue

    listed = load_catalogue().technologies[choice.tech]
    capex = float(over.get("capex_eur", listed.capex_eur)) * factor
    opex = float(over.get("opex_eur_per_year", listed.opex_eur_per_year)) * factor
    variant = f"{name}-{choice.tech}-x{factor:.3f}"
    overrides = [
        f"technologies.overrides.{choice.tech}.capex_eur={capex!r}",
        f"technologies.overrides.{choice.tech}.opex_eur_per_year={opex!r}",
        f"name={yaml_value(variant)}",
    ]
    # the run's resolved scenario as a standalone file (its ``extends`` already applied)
    standalone = session_upload_dir(st.session_state) / f"{name}-resolved.yaml"
    standalone.write_text(scenario_yaml(resolved, name), encoding="utf-8")
    try:
        scenario = load_scenario(standalone, overrides=overrides)
    except QroadInputError as err:
        st.error(" ".join(friendly_errors(err)))
        return
    if (results_dir() / scenario.name).exists():
        st.info(f"{scenario.name} exists already in {results_dir()}: compare it.")
        return
    submit(pipeline.run_scenario, scenario, results_dir(), overwrite=False)
    st.success(f"Started {scenario.name}; its progress is on the Run page.")


def main() -> None:
    """Draw the page."""
    picked = page_run("Explain the plan")
    if picked is None:
        return
    name, run_dir = picked
    table = _explanation(str(run_dir), (run_dir / "manifest.json").stat().st_mtime)
    if table.empty:
        st.warning(f"Run {name} has no technologies to explain.")
        return
    st.caption(
        "Cost per bit/s·year of one link system = (capex spread over its lifetime + opex per "
        "year) ÷ its median key rate on the run's candidate links, in each period's prices. "
        "Site equipment and discounting are left out. Break-even figures compare technologies "
        "on the same site pairs; they are indicative (not a re-solve, not LP reduced costs)."
    )
    st.plotly_chart(cost_per_bit_figure(table), key="explain-cost", config=CHART_CONFIG)
    periods = sorted(int(p) for p in table["period"].unique())
    period = (
        st.select_slider("Period (start year)", options=periods, value=periods[-1])
        if len(periods) > 1
        else periods[0]
    )
    rows = table[table["period"] == period]
    st.dataframe(explanation_display(rows).drop(columns="Period"), hide_index=True)
    st.subheader("Adopted technologies and what unlocked them")
    st.dataframe(adopted(table), hide_index=True)
    breakeven_section(name, run_dir, table)


main()
