"""Run page: solve one scenario under several timelines off the page's thread, with progress.

An edited scenario (Scenario page) runs as edited by default; its early/mid/late variants
keep every edit, and the milestones the user moved stay where they were put. Each variant is
validated here (errors show inline) and handed to a one-worker ``ThreadPoolExecutor`` kept in
``st.session_state``; ``engine.pipeline.run_scenario`` writes ``results/<name>/`` like the
CLI. A fragment polls the jobs every second while any runs, showing the solver's best plan,
lower bound and gap live (ui.run_status), and links the finished runs to the Compare page.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from engine import pipeline
from engine.errors import QroadInputError
from engine.results import RunExistsError
from engine.scenario import load_scenario
from ui.common import bundled_scenarios, results_dir
from ui.jobs import Job, submit
from ui.run_status import live_numbers, outcome_words, stage_text, status_words
from ui.scenario_form import TIMELINES, friendly_errors, variant_overrides

AS_EDITED = "as edited on the Scenario page"
COMPARE_PAGE = "pages/compare.py"
RENAME_HINT = "Tick 'Replace existing results' or change the scenario name, and run again"


def job_row(job: Job) -> dict[str, Any]:
    """One line of the status table, in plain words, with the solver's live numbers."""
    row: dict[str, Any] = {"Variant": job.name, "State": "queued", "Stage": ""}
    row.update(live_numbers(job.events))
    row.update({"Status": "", "Cost (M€)": None, "Folder": "", "Message": ""})
    row["Stage"] = stage_text(job.events)
    if job.future.running():
        row["State"] = "running"
    elif job.future.done():
        if job.finished_s is None:
            job.finished_s = time.monotonic()
        exc = job.future.exception()
        if isinstance(exc, RunExistsError):  # another session or the CLI, same name
            message = f"Results for {job.name} were written meanwhile by another run. "
            row.update({"State": "failed", "Message": message + RENAME_HINT + "."})
        elif exc is not None:
            row.update({"State": "failed", "Message": str(exc)})
        else:
            out = job.future.result()
            row["State"] = "done" if out.run_dir is not None else "no plan"
            row["Stage"] = ""
            row["Status"] = status_words(out)
            head = getattr(out, "headline", None) or {}
            cost = head.get("cost_eur", out.objective)
            row["Cost (M€)"] = None if cost is None else cost / 1e6
            row["Best plan so far (M€)"] = None if out.objective is None else out.objective / 1e6
            row["Gap (%)"] = None if out.gap is None else 100 * out.gap
            row["Folder"] = str(out.run_dir or "")
            row["Message"] = outcome_words(out)
    end = job.finished_s or time.monotonic()
    row["Elapsed (s)"] = round(end - job.started_s, 1)
    return row


def finished_links(jobs: list[Job]) -> None:
    """Solver details of finished runs, and a link to compare the runs written."""
    done = [j for j in jobs if j.future.done() and j.future.exception() is None]
    written = [j.name for j in done if j.future.result().run_dir is not None]
    for job in done:
        message = getattr(job.future.result(), "message", "")
        if message:
            with st.expander(f"Solver details: {job.name}"):
                st.text(message)
    if not written:
        return
    st.session_state["compare_runs"] = written
    try:
        st.page_link(COMPARE_PAGE, label=f"Compare {', '.join(written)}", icon="📊")
    except Exception:  # the page runs on its own (tests): no navigation to link into
        st.markdown(f"Compare them on the **Compare** page: {', '.join(written)}.")


def show_jobs() -> None:
    """Status table; polls every second while any job is queued or running."""
    jobs: list[Job] = st.session_state.get("jobs", [])
    if not jobs:
        return
    active = any(not j.future.done() for j in jobs)

    @st.fragment(run_every=1.0 if active else None)
    def table() -> None:
        rows = [job_row(j) for j in jobs]
        done = sum(r["State"] in ("done", "no plan", "failed") for r in rows)
        st.progress(done / len(rows), text=f"{done} of {len(rows)} variants finished")
        st.dataframe(pd.DataFrame(rows), hide_index=True)
        finished_links(jobs)
        if active and done == len(rows):
            st.rerun()  # stop polling; the Compare page now lists the new runs

    table()


def variants_form(run_scenario: Any, load_scenario: Any) -> None:
    """Pick the scenario and timelines, validate every variant, submit them."""
    picked = st.session_state.get("scenario")
    files = bundled_scenarios()
    choices = ([f"{picked['name']} (from the Scenario page)"] if picked else []) + list(files)
    choice = st.selectbox("Scenario", choices)
    if picked and choice == choices[0]:
        path, base_overrides, base_name = Path(picked["path"]), picked["overrides"], picked["name"]
    else:
        path, base_overrides, base_name = files[choice], [], Path(choice).stem
    pinned = dict(picked.get("pinned") or {}) if picked and choice == choices[0] else {}
    options = ([AS_EDITED] if base_overrides else []) + list(TIMELINES)
    labels = {t: f"{t} timeline, with your edits" for t in TIMELINES} if base_overrides else {}
    chosen = st.multiselect(
        "Variants to run",
        options,
        default=[AS_EDITED] if base_overrides else ["early", "late"],
        format_func=lambda o: labels.get(o, o),
        help="An edited scenario keeps every edit in every variant; milestones you moved "
        "stay where you put them, the others follow the variant's timeline.",
    )
    overwrite = st.checkbox("Replace existing results with the same name")
    if not st.button("Run", type="primary", disabled=not chosen):
        return
    scenarios = []
    for variant in chosen:
        if variant == AS_EDITED:
            overrides, timeline = list(base_overrides), None
        else:
            overrides, timeline = variant_overrides(
                base_overrides, pinned, variant, f"{base_name}-{variant}"
            )
        try:
            scenarios.append(load_scenario(path, overrides=overrides, timeline=timeline))
        except QroadInputError as err:
            st.error(f"Variant {variant}: " + " ".join(friendly_errors(err)))
            return
    out_dir = results_dir()
    existing = [s.name for s in scenarios if (out_dir / s.name).exists()]
    if existing and not overwrite:
        st.error(
            f"Results for {', '.join(existing)} exist in {out_dir}; tick 'Replace existing "
            "results' or change the scenario name."
        )
        return
    for scenario in scenarios:
        submit(run_scenario, scenario, out_dir, overwrite)
    st.toast(f"Started {len(scenarios)} run(s)")


def main() -> None:
    """Draw the page."""
    st.title("Run scenarios")
    st.caption(f"Results are written to {results_dir()}.")
    variants_form(pipeline.run_scenario, load_scenario)
    show_jobs()
    if st.session_state.get("jobs") and st.button("Clear finished"):
        st.session_state["jobs"] = [j for j in st.session_state["jobs"] if not j.future.done()]
        st.rerun()


main()
