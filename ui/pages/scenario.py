"""Scenario page: pick or upload a scenario, edit what strategists change most, validate,
save. Edits become ``--set`` overrides (ui.scenario_form) kept for the Run page and listed as
"your changes" (setting, value in the file, your value); they survive switching to Upload
and back (ui.kept). Uploads are checked by ui.uploads (size, type, safe YAML, paths) and a
refused one only shows why."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from engine.catalogue import load_catalogue
from engine.demand import trust_shares
from engine.errors import QroadInputError
from engine.names import TRUST_CLASSES
from engine.scenario import Scenario, load_roadmap, load_scenario, milestone_years
from ui.common import bundled_scenarios, scenarios_dir
from ui.kept import kept, kept_editor
from ui.scenario_form import (
    TIMELINES,
    cost_problems,
    friendly_errors,
    pinned_milestones,
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

Change = tuple[str, str, str]  # setting, value in the scenario file, your value


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
    name = kept(
        st.selectbox, "Bundled scenario", "bundled", {"index": default}, options=list(files)
    )
    return files[name]


def timeline_section(
    path: Path, base: Scenario, resolved: dict[str, Any]
) -> tuple[list[str], list[Change]]:
    """The timeline picker and its milestone years; the overrides and changes they make
    (the moved milestones are also kept in ``st.session_state["pinned"]`` for the Run page)."""
    st.header("Timeline")
    roadmap = load_roadmap()
    start = resolved["timeline"] if isinstance(resolved["timeline"], str) else "mid"
    timeline = kept(
        st.selectbox, "Technology timeline", widget_key(path, "timeline"),
        {"index": TIMELINES.index(start)}, options=TIMELINES,
    )  # fmt: skip
    named = milestone_years(timeline, roadmap)
    file_years = milestone_years(base.timeline, roadmap) if timeline == start else named
    years: dict[str, int] = {}
    with st.expander("Milestone years (edit any to move it)", expanded=True):
        cols = st.columns(3)
        for i, m in enumerate(roadmap.milestones):
            with cols[i % 3]:
                years[m.id] = int(
                    kept(
                        st.number_input, f"{m.label} (phase {m.phase})",
                        widget_key(path, f"ms-{timeline}-{m.id}"), {"value": int(file_years[m.id])},
                        min_value=2000, max_value=2200, step=1,
                        help=f"Unlocks: {m.unlocks}. {timeline} timeline: {named[m.id]}.",
                    )
                )  # fmt: skip
    overrides, tl_arg = timeline_overrides(timeline, years, named)
    if tl_arg is not None and tl_arg != resolved["timeline"]:
        overrides.append(f"timeline={tl_arg}")
    changes: list[Change] = []
    if timeline != start:
        changes.append(("timeline", str(resolved["timeline"]), timeline))
    labels = {m.id: m.label for m in roadmap.milestones}
    was = milestone_years(base.timeline, roadmap)
    for mid, year in pinned_milestones(years, named).items():
        changes.append((f"milestone: {labels[mid]} (year)", str(was[mid]), str(year)))
    st.session_state["pinned"] = pinned_milestones(years, named)
    return overrides, changes


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


def costs_section(
    path: Path, resolved: dict[str, Any]
) -> tuple[list[str], list[Change], list[str]]:
    """The editable table of technology costs and learning rates; the overrides and changes
    it makes, and its problems in words (a negative price is refused, never made positive)."""
    st.header("Technology costs and learning")
    base_costs = scenario_costs(resolved)
    costs = pd.DataFrame(
        {
            "tech": list(base_costs),
            "capex_keur": [v["capex_eur"] / 1e3 for v in base_costs.values()],
            "learning_pct": [100 * v["learning_rate_per_year"] for v in base_costs.values()],
        }
    )
    costs = kept_editor(
        costs,
        widget_key(path, "costs"),
        hide_index=True,
        disabled=["tech"],
        column_config={  # no min_value: the grid would drop a typed minus sign silently
            "tech": st.column_config.TextColumn("Technology"),
            "capex_keur": st.column_config.NumberColumn("Capex per system (k€)", format="%.1f"),
            "learning_pct": st.column_config.NumberColumn("Learning (% cheaper per year)"),
        },
    )
    edited = {
        r.tech: {"capex_eur": r.capex_keur * 1e3, "learning_rate_per_year": r.learning_pct / 100}
        for r in costs.itertuples()
    }
    problems = cost_problems(edited)
    for line in problems:
        st.error(line)
    changes: list[Change] = []
    for tech, fields in edited.items():
        old = base_costs[tech]
        if abs(fields["capex_eur"] - old["capex_eur"]) > 1e-6:
            was, now = old["capex_eur"] / 1e3, fields["capex_eur"] / 1e3
            changes.append((f"{tech}: capex per system (k€)", f"{was:,.1f}", f"{now:,.1f}"))
        if abs(fields["learning_rate_per_year"] - old["learning_rate_per_year"]) > 1e-9:
            changes.append((f"{tech}: learning (% per year)",
                            f"{100 * old['learning_rate_per_year']:g}",
                            f"{100 * fields['learning_rate_per_year']:g}"))  # fmt: skip
    return technology_overrides(edited, base_costs), changes, problems


def demand_section(path: Path, resolved: dict[str, Any]) -> tuple[list[str], list[Change]]:
    """Demand growth and the trust mix table; the overrides and changes they make."""
    st.header("Demand")
    demand = resolved["demand"]
    old_growth = round(100 * float(demand["growth_per_year"]), 4)
    growth = kept(
        st.number_input, "Demand growth (% per year)", widget_key(path, "growth"),
        {"value": old_growth},
    )  # fmt: skip
    overrides = scalar_override(
        "demand.growth_per_year", round(growth / 100, 6), round(float(demand["growth_per_year"]), 6)
    )
    changes: list[Change] = []
    if overrides:
        changes.append(("demand growth (% per year)", f"{old_growth:g}", f"{growth:g}"))
    mix = demand.get("trust_mix") or {}
    mix_rows = pd.DataFrame(
        [
            {"year": int(y), **{t: 100 * float(s.get(t, 0)) for t in TRUST_CLASSES}}
            for y, s in mix.items()
        ],
        columns=["year", *TRUST_CLASSES],
    )
    st.caption(
        "Trust mix: share of demand in each trust class (%) in the years listed. Between two "
        "listed years the shares change linearly (the engine interpolates); before the first "
        "and after the last year they stay as listed. Each period takes the shares of its "
        "first year (table below)."
    )
    mix_edit = kept_editor(
        mix_rows, widget_key(path, "trust_mix"), hide_index=True, num_rows="dynamic"
    )
    mix_over = trust_mix_override(mix_edit.to_dict("records"), mix)
    if mix_over:
        changes.append(
            ("trust mix (% per class and year)", _mix_text(mix_rows), _mix_text(mix_edit))
        )
    _period_shares(resolved, mix_edit)
    return overrides + mix_over, changes


def _mix_text(rows: pd.DataFrame) -> str:
    parts = []
    for r in rows.dropna(subset=["year"]).to_dict("records"):
        shares = ", ".join(f"{t} {float(r.get(t) or 0):g}" for t in TRUST_CLASSES)
        parts.append(f"{int(r['year'])}: {shares}")
    return "; ".join(parts)


def _period_shares(resolved: dict[str, Any], rows: pd.DataFrame) -> None:
    """The shares each period gets from the (edited) mix, as the engine computes them."""
    rows = rows.dropna(subset=["year"])
    if rows.empty:
        return
    mix = {
        int(r["year"]): {t: float(r.get(t) or 0.0) for t in TRUST_CLASSES}
        for r in rows.to_dict("records")
    }
    horizon = resolved["horizon"]
    periods = range(
        int(horizon["start_year"]), int(horizon["end_year"]), int(horizon["period_years"])
    )
    table = pd.DataFrame(
        [
            {"period": p, **{t: round(v, 1) for t, v in trust_shares(mix, p).items()}}
            for p in periods
        ]
    )
    with st.expander("Trust mix per period (%), as the engine uses it"):
        st.dataframe(table, hide_index=True)


def budget_section(path: Path, resolved: dict[str, Any]) -> tuple[list[str], list[Change]]:
    """The budget per period (0 = none); the override and change it makes."""
    st.header("Budget")
    old_budget = resolved["economics"].get("budget_eur_per_period")
    budget_meur = kept(
        st.number_input, "Budget per period (M€, 0 = no budget)", widget_key(path, "budget"),
        {"value": 0.0 if old_budget is None else float(old_budget) / 1e6}, min_value=0.0,
    )  # fmt: skip
    new_budget = None if budget_meur == 0 else budget_meur * 1e6
    overrides = scalar_override("economics.budget_eur_per_period", new_budget, old_budget)
    was = "none" if old_budget is None else f"{old_budget / 1e6:g}"
    now = "none" if new_budget is None else f"{budget_meur:g}"
    return overrides, [("budget per period (M€)", was, now)] if overrides else []


def changes_table(changes: list[Change]) -> None:
    """The user's edits, each beside the value in the scenario file, new values highlighted."""
    st.subheader("Your changes")
    if not changes:
        st.caption("None yet: the scenario is as in its file.")
        return
    table = pd.DataFrame(changes, columns=["Setting", "In the scenario file", "Your value"])
    styled = table.style.set_properties(
        subset=["Your value"], **{"background-color": "#fff3b0", "font-weight": "bold"}
    )
    st.dataframe(styled, hide_index=True)


def save_section(
    path: Path, base: Scenario, overrides: list[str], changes: list[Change], problems: list[str]
) -> None:
    """Name the edited scenario, validate it with every override, keep it for the Run page,
    and offer it as a download and a new file in the scenarios folder."""
    st.header("Check and save")
    name = kept(
        st.text_input, "Scenario name", widget_key(path, f"name-{bool(overrides)}"),
        {"value": base.name + ("-edited" if overrides else "")},
    )  # fmt: skip
    overrides = overrides + scalar_override("name", name, base.name)
    if name != base.name:
        changes = [*changes, ("name", base.name, name)]
    changes_table(changes)
    with st.expander("The same changes as `qroad run --set` options"):
        st.code("\n".join(overrides) or "(no changes)", language="text", wrap_lines=True)
    if problems:
        st.error("Fix the problems above before this scenario can be run or saved.")
        return
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
        "pinned": dict(st.session_state.get("pinned", {})),
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
    overrides, changes = timeline_section(path, base, resolved)
    cost_over, cost_changes, problems = costs_section(path, resolved)
    demand_over, demand_changes = demand_section(path, resolved)
    budget_over, budget_changes = budget_section(path, resolved)
    overrides += cost_over + demand_over + budget_over
    changes += cost_changes + demand_changes + budget_changes
    save_section(path, base, overrides, changes, problems)


main()
