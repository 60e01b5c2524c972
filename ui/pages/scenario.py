"""Scenario page: pick or upload a scenario, edit what strategists change most, validate,
save. Edits become ``--set`` overrides (ui.scenario_form) kept for the Run page."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from engine.errors import QroadInputError
from ui.common import scenarios_dir
from ui.scenario_form import (
    TIMELINES,
    friendly_errors,
    scalar_override,
    scenario_yaml,
    technology_overrides,
    timeline_overrides,
    trust_mix_override,
)


def bundled_scenarios() -> dict[str, Path]:
    """Runnable bundled scenarios by file name (``base.yaml`` and hidden files left out)."""
    files = sorted(scenarios_dir().glob("*.yaml"))
    return {p.name: p for p in files if not p.name.startswith((".", "base"))}


def uploaded_path(upload) -> Path:
    """Save an upload beside copies of the bundled scenarios, so ``extends:`` still resolves."""
    folder = Path(st.session_state.setdefault("upload_dir", tempfile.mkdtemp(prefix="qroad-")))
    for path in scenarios_dir().glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    target = folder / f"uploaded-{Path(upload.name).name}"
    target.write_bytes(upload.getvalue())
    return target


def pick_scenario() -> Path | None:
    """The scenario file the user picked or uploaded."""
    source = st.radio("Scenario source", ["Bundled", "Upload"], horizontal=True)
    if source == "Upload":
        upload = st.file_uploader("Scenario YAML", type=["yaml", "yml"])
        return uploaded_path(upload) if upload is not None else None
    files = bundled_scenarios()
    if not files:
        st.warning(f"No scenarios in {scenarios_dir()}.")
        return None
    default = list(files).index("tiny.yaml") if "tiny.yaml" in files else 0
    return files[st.selectbox("Bundled scenario", list(files), index=default)]


def main() -> None:
    """Draw the page."""
    st.title("Scenario")
    try:
        from engine.catalogue import load_catalogue
        from engine.scenario import load_roadmap, load_scenario, milestone_years
    except ImportError as exc:
        st.error(f"The scenario loader is not available: {exc}")
        return
    path = pick_scenario()
    if path is None:
        return
    try:
        base = load_scenario(path)
    except QroadInputError as err:
        st.error(f"{path.name} cannot be read:\n\n" + "\n\n".join(friendly_errors(err)))
        return
    resolved = base.resolved()
    st.caption(resolved.get("description", ""))
    overrides: list[str] = []

    st.header("Timeline")
    roadmap = load_roadmap()
    start = resolved["timeline"] if isinstance(resolved["timeline"], str) else "mid"
    timeline = st.selectbox("Technology timeline", TIMELINES, index=TIMELINES.index(start))
    named = milestone_years(timeline, roadmap)
    file_years = milestone_years(base.timeline, roadmap) if timeline == start else named
    years: dict[str, int] = {}
    with st.expander("Milestone years (edit any to move it)", expanded=True):
        cols = st.columns(3)
        for i, m in enumerate(roadmap.milestones):
            years[m.id] = int(
                cols[i % 3].number_input(
                    f"{m.label} (phase {m.phase})",
                    min_value=2000,
                    max_value=2200,
                    value=int(file_years[m.id]),
                    step=1,
                    key=f"ms-{timeline}-{m.id}",
                    help=f"Unlocks: {m.unlocks}",
                )
            )
    tl_over, tl_arg = timeline_overrides(timeline, years, named)
    overrides += tl_over
    if tl_arg is not None and tl_arg != resolved["timeline"]:
        overrides.append(f"timeline={tl_arg}")

    st.header("Technology costs and learning")
    catalogue = load_catalogue()
    techs = resolved["technologies"]
    tech_over = techs.get("overrides") or {}
    base_costs = {
        t: {
            "capex_eur": float(
                tech_over.get(t, {}).get("capex_eur", catalogue.technologies[t].capex_eur)
            ),
            "learning_rate_per_year": float(
                tech_over.get(t, {}).get(
                    "learning_rate_per_year", catalogue.technologies[t].learning_rate_per_year
                )
            ),
        }
        for t in techs["enabled"]
    }
    costs = pd.DataFrame(
        {
            "tech": list(base_costs),
            "capex_keur": [v["capex_eur"] / 1e3 for v in base_costs.values()],
            "learning_pct": [100 * v["learning_rate_per_year"] for v in base_costs.values()],
        }
    )
    costs = st.data_editor(
        costs,
        hide_index=True,
        disabled=["tech"],
        column_config={
            "capex_keur": st.column_config.NumberColumn("Capex per system (k€)", min_value=0.0),
            "learning_pct": st.column_config.NumberColumn(
                "Learning (% cheaper per year)", min_value=0.0, max_value=100.0
            ),
        },
        key="costs",
    )
    overrides += technology_overrides(
        {
            r.tech: {
                "capex_eur": r.capex_keur * 1e3,
                "learning_rate_per_year": r.learning_pct / 100,
            }
            for r in costs.itertuples()
        },
        base_costs,
    )

    st.header("Demand")
    demand = resolved["demand"]
    growth = st.number_input(
        "Demand growth (% per year)", value=round(100 * float(demand["growth_per_year"]), 4)
    )
    overrides += scalar_override(
        "demand.growth_per_year", round(growth / 100, 6), round(float(demand["growth_per_year"]), 6)
    )
    mix = demand.get("trust_mix") or {}
    mix_rows = pd.DataFrame(
        [
            {
                "year": int(y),
                **{t: 100 * float(s.get(t, 0)) for t in ("trusted", "partial", "trust_free")},
            }
            for y, s in mix.items()
        ],
        columns=["year", "trusted", "partial", "trust_free"],
    )
    st.caption("Trust mix: share of demand in each trust class (%) from each year on.")
    mix_edit = st.data_editor(mix_rows, hide_index=True, num_rows="dynamic", key="trust_mix")
    overrides += trust_mix_override(mix_edit.to_dict("records"), mix)

    st.header("Budget")
    old_budget = resolved["economics"].get("budget_eur_per_period")
    budget_meur = st.number_input(
        "Budget per period (M€, 0 = no budget)",
        min_value=0.0,
        value=0.0 if old_budget is None else float(old_budget) / 1e6,
    )
    new_budget = None if budget_meur == 0 else budget_meur * 1e6
    overrides += scalar_override("economics.budget_eur_per_period", new_budget, old_budget)

    st.header("Check and save")
    name = st.text_input("Scenario name", value=base.name + ("-edited" if overrides else ""))
    overrides += scalar_override("name", name, base.name)
    st.code("\n".join(overrides) or "(no changes)", language="text")
    try:
        scenario = load_scenario(path, overrides=overrides)
    except QroadInputError as err:
        for line in friendly_errors(err):
            st.error(line)
        return
    st.success(f"Scenario {scenario.name} is valid.")
    st.session_state["scenario"] = {
        "path": str(path),
        "overrides": overrides,
        "name": scenario.name,
        "timeline": scenario.timeline if isinstance(scenario.timeline, str) else "custom",
    }
    text = scenario_yaml(scenario.resolved(), scenario.name)
    st.download_button("Download YAML", text, file_name=f"{scenario.name}.yaml")
    target = scenarios_dir() / f"{scenario.name}.yaml"
    if st.button(f"Save as {target.name} in {scenarios_dir().name}/"):
        if target.exists():
            st.error(f"{target.name} exists already; choose another scenario name.")
        else:
            target.write_text(text, encoding="utf-8")
            st.success(f"Saved {target}.")


main()
