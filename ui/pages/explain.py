"""Explain page: why one run's plan looks as it does, per period (engine.explain): each
available technology's cost per bit/s·year on its candidate links, which were unused and
why (with a first guess at the price cut that would bring them in, from that cost
comparison), the milestone that unlocked each adopted one, the break-even of an unused
technology found by re-solving the plan at lower prices (engine.break_even), and a saved run
at that price."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from engine import pipeline
from engine.break_even import BreakEven, break_even_by_resolve, priced
from engine.charts_explain import cost_per_bit_figure
from engine.errors import QroadInputError
from engine.explain import explanation_display, technology_explanation
from engine.run_files import run_scenario_dict
from engine.scenario import Scenario, load_scenario
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


def _run_scenario(name: str, run_dir: Path, overrides: list[str]) -> Scenario | None:
    """The run's resolved scenario (its ``extends`` already applied) with ``overrides``;
    None, with the errors drawn, when they do not validate."""
    standalone = session_upload_dir(st.session_state) / f"{name}-resolved.yaml"
    standalone.write_text(scenario_yaml(run_scenario_dict(run_dir), name), encoding="utf-8")
    try:
        return load_scenario(standalone, overrides=overrides)
    except QroadInputError as err:
        st.error(" ".join(friendly_errors(err)))
        return None


def _unused(table: pd.DataFrame) -> dict[str, pd.Series]:
    """Options of the break-even picker: per technology available but unused in some period
    where it makes key, the period with the smallest first-guess cut (the latest on ties)."""
    rows = table[table["available"] & ~table["used"] & (table["candidate_links"] > 0)]
    rows = rows.sort_values(["break_even_pct", "period"], ascending=[True, False])
    options = {}
    for _, r in rows.drop_duplicates("tech").iterrows():
        guess = r["break_even_pct"]
        hint = "as cheap already" if pd.isna(guess) else f"{guess:.1f} % cheaper"
        options[f"{r['tech']} in {int(r['period'])} (first guess: {hint})"] = r
    return options


def show_break_even(found: BreakEven) -> None:
    """The re-solved break-even: factor, cut and each re-solve."""
    factor, cut = st.columns(2)
    factor.metric("Price factor", "none" if found.factor is None else f"{found.factor:.3f}")
    cut.metric(
        "Price cut (%)",
        f"> {100 * found.max_cut:.0f}" if found.cut_pct is None else f"{found.cut_pct:.1f}",
    )
    st.write(found.summary())
    st.caption(
        "From re-solves of the whole plan (a bisection on the price factor), not from the "
        "cost comparison above nor from LP reduced costs. The true break-even lies between "
        "the factor shown and it plus the tolerance."
    )
    st.dataframe(found.table(), hide_index=True)


def breakeven_section(name: str, run_dir: Path, table: pd.DataFrame) -> None:
    """Find an unused technology's break-even by re-solving, then save a run at that price."""
    st.subheader("Break-even by re-solving")
    options = _unused(table)
    if not options:
        st.caption("Every available technology that makes key is in the plan.")
        return
    choice = options[st.selectbox("Unused technology (period)", list(options))]
    tech, period = str(choice["tech"]), int(choice["period"])
    limit = float(((run_scenario_dict(run_dir).get("solver") or {}).get("time_limit_s")) or 120)
    left, mid, right = st.columns(3)
    max_cut = left.number_input("Largest cut tried (%)", 5.0, 99.0, 95.0, 5.0) / 100.0
    tolerance = mid.number_input("Tolerance (points of %)", 0.5, 20.0, 2.0, 0.5) / 100.0
    seconds = right.number_input("Time limit per re-solve (s)", min(1.0, limit), limit, limit)
    st.caption(
        f"Bisects on a factor on {tech}'s capex and opex per system, re-solving {name} with "
        f"its own solver settings (time limit {seconds:.0f} s) until {tech} is installed in "
        f"{period}; this run is the re-solve at today's price. Each step is a full solve."
    )
    key = f"break-even:{name}:{tech}:{period}"
    if st.button("Find the break-even by re-solving"):
        scenario = _run_scenario(name, run_dir, [])
        if scenario is None:
            return
        with st.spinner(f"Re-solving {name} at lower {tech} prices…"):
            st.session_state[key] = break_even_by_resolve(
                scenario, tech, period=period, max_cut=max_cut, tolerance=tolerance,
                time_limit_s=seconds, known_unused=True,
            )  # fmt: skip
    found: BreakEven | None = st.session_state.get(key)
    if found is not None:
        show_break_even(found)
    save_run(name, run_dir, tech, choice, found)


def save_run(
    name: str, run_dir: Path, tech: str, choice: pd.Series, found: BreakEven | None
) -> None:
    """A full, saved run at the re-solved break-even factor (else at the first guess), in
    the background; its progress is on the Run page."""
    if found is not None and found.factor is not None:
        factor, source = found.factor, "the re-solved break-even"
    elif found is None and not pd.isna(choice["break_even_pct"]):
        factor, source = 1.0 - float(choice["break_even_pct"]) / 100.0, "the first guess"
    else:
        return
    st.caption(f"Save a full run of {name} with {tech} × {factor:.3f} ({source}).")
    if not st.button("Save a run at this price"):
        return
    variant = f"{name}-{tech}-x{factor:.3f}"
    scenario = _run_scenario(name, run_dir, [f"name={yaml_value(variant)}"])
    if scenario is None:
        return
    scenario = priced(scenario, tech, factor)
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
        "Site equipment and discounting are left out. The first-guess cut compares "
        "technologies on the same site pairs (not a re-solve, not LP reduced costs); the "
        "break-even below comes from re-solving the plan."
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
