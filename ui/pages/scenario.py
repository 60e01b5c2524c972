"""Scenario page: pick or upload a scenario, edit what strategists change most, validate,
save. Edits become ``--set`` overrides (ui.scenario_form) kept for the Run page; uploads are
checked by ui.uploads (size, type, safe YAML, paths) and a refused one only shows why."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from engine.catalogue import load_catalogue
from engine.errors import QroadInputError
from engine.names import TRUST_CLASSES
from engine.scenario import Scenario, load_roadmap, load_scenario, milestone_years
from ui.common import bundled_scenarios, scenarios_dir
from ui.scenario_form import (
    TIMELINES,
    friendly_errors,
    scalar_override,
    scenario_yaml,
    technology_overrides,
    timeline_overrides,
    trust_mix_override,
    widget_key,
)
from ui.uploads import (
    MAX_UPLOAD_MB,
    UPLOADER_TYPES,
    UploadResult,
    check_upload,
    session_upload_dir,
    write_new_file,
)


def uploaded_path(upload: UploadedFile) -> Path | None:
    """The checked upload saved in this session's folder, or None after showing why not.

    The check runs once per file content (kept in the session's state), not on every rerun.
    """
    data = upload.getvalue()
    key = (upload.name, hashlib.sha256(data).hexdigest())
    cached = st.session_state.get("upload_check")
    if cached is None or cached[0] != key:
        folder = session_upload_dir(st.session_state)
        cached = (key, check_upload(upload.name, data, folder, scenarios_dir()))
        st.session_state["upload_check"] = cached
    result: UploadResult = cached[1]
    if result.path is None:
        st.error(
            f"{upload.name} cannot be used:\n\n"
            + "\n\n".join(result.errors)
            + "\n\nFix the file and upload it again, or pick a bundled scenario."
        )
    return result.path


def pick_scenario() -> Path | None:
    """The scenario file the user picked or uploaded."""
    source = st.radio("Scenario source", ["Bundled", "Upload"], horizontal=True)
    if source == "Upload":
        upload = st.file_uploader(
            "Scenario YAML",
            type=UPLOADER_TYPES,
            max_upload_size=MAX_UPLOAD_MB,
            help=f"A .yaml or .yml scenario of at most {MAX_UPLOAD_MB} MB. It may extend a "
            "bundled scenario (extends: base.yaml) and name networks under data/ or topohub:.",
        )
        return uploaded_path(upload) if upload is not None else None
    files = bundled_scenarios()
    if not files:
        st.warning(f"No scenarios in {scenarios_dir()}.")
        return None
    default = list(files).index("tiny.yaml") if "tiny.yaml" in files else 0
    return files[st.selectbox("Bundled scenario", list(files), index=default)]


def timeline_section(path: Path, base: Scenario, resolved: dict[str, Any]) -> list[str]:
    """The timeline picker and its milestone years; the overrides they make."""
    st.header("Timeline")
    roadmap = load_roadmap()
    start = resolved["timeline"] if isinstance(resolved["timeline"], str) else "mid"
    timeline = st.selectbox(
        "Technology timeline",
        TIMELINES,
        index=TIMELINES.index(start),
        key=widget_key(path, "timeline"),
    )
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
                    key=widget_key(path, f"ms-{timeline}-{m.id}"),
                    help=f"Unlocks: {m.unlocks}",
                )
            )
    overrides, tl_arg = timeline_overrides(timeline, years, named)
    if tl_arg is not None and tl_arg != resolved["timeline"]:
        overrides.append(f"timeline={tl_arg}")
    return overrides


def scenario_costs(resolved: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Capex and learning rate of each enabled technology: the scenario's override, else the
    catalogue's value."""
    catalogue = load_catalogue()
    techs = resolved["technologies"]
    tech_over = techs.get("overrides") or {}
    costs = {}
    for t in techs["enabled"]:
        given, listed = tech_over.get(t, {}), catalogue.technologies[t]
        costs[t] = {
            "capex_eur": float(given.get("capex_eur", listed.capex_eur)),
            "learning_rate_per_year": float(
                given.get("learning_rate_per_year", listed.learning_rate_per_year)
            ),
        }
    return costs


def costs_section(path: Path, resolved: dict[str, Any]) -> list[str]:
    """The editable table of technology costs and learning rates; the overrides it makes."""
    st.header("Technology costs and learning")
    base_costs = scenario_costs(resolved)
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
        key=widget_key(path, "costs"),
    )
    edited = {
        r.tech: {"capex_eur": r.capex_keur * 1e3, "learning_rate_per_year": r.learning_pct / 100}
        for r in costs.itertuples()
    }
    return technology_overrides(edited, base_costs)


def demand_section(path: Path, resolved: dict[str, Any]) -> list[str]:
    """Demand growth and the trust mix table; the overrides they make."""
    st.header("Demand")
    demand = resolved["demand"]
    growth = st.number_input(
        "Demand growth (% per year)",
        value=round(100 * float(demand["growth_per_year"]), 4),
        key=widget_key(path, "growth"),
    )
    overrides = scalar_override(
        "demand.growth_per_year", round(growth / 100, 6), round(float(demand["growth_per_year"]), 6)
    )
    mix = demand.get("trust_mix") or {}
    mix_rows = pd.DataFrame(
        [
            {"year": int(y), **{t: 100 * float(s.get(t, 0)) for t in TRUST_CLASSES}}
            for y, s in mix.items()
        ],
        columns=["year", *TRUST_CLASSES],
    )
    st.caption("Trust mix: share of demand in each trust class (%) from each year on.")
    mix_edit = st.data_editor(
        mix_rows, hide_index=True, num_rows="dynamic", key=widget_key(path, "trust_mix")
    )
    return overrides + trust_mix_override(mix_edit.to_dict("records"), mix)


def budget_section(path: Path, resolved: dict[str, Any]) -> list[str]:
    """The budget per period (0 = none); the override it makes."""
    st.header("Budget")
    old_budget = resolved["economics"].get("budget_eur_per_period")
    budget_meur = st.number_input(
        "Budget per period (M€, 0 = no budget)",
        min_value=0.0,
        value=0.0 if old_budget is None else float(old_budget) / 1e6,
        key=widget_key(path, "budget"),
    )
    new_budget = None if budget_meur == 0 else budget_meur * 1e6
    return scalar_override("economics.budget_eur_per_period", new_budget, old_budget)


def save_section(path: Path, base: Scenario, overrides: list[str]) -> None:
    """Name the edited scenario, validate it with every override, keep it for the Run page,
    and offer it as a download and a new file in the scenarios folder."""
    st.header("Check and save")
    name = st.text_input(
        "Scenario name",
        value=base.name + ("-edited" if overrides else ""),
        key=widget_key(path, f"name-{bool(overrides)}"),
    )
    overrides = overrides + scalar_override("name", name, base.name)
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
        try:
            write_new_file(target, text)
        except FileExistsError:
            st.error(f"{target.name} exists already; choose another scenario name.")
        else:
            st.success(f"Saved {target}.")


def main() -> None:
    """Draw the page: pick a scenario, then each section of edits, then check and save."""
    st.title("Scenario")
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
    overrides = timeline_section(path, base, resolved)
    overrides += costs_section(path, resolved)
    overrides += demand_section(path, resolved)
    overrides += budget_section(path, resolved)
    save_section(path, base, overrides)


main()
