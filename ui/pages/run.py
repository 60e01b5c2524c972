"""Run page: solve one scenario under several timelines off the page's thread, with progress.

Each variant is validated here (errors show inline) and handed to a one-worker
``ThreadPoolExecutor`` kept in ``st.session_state``; ``engine.pipeline.run_scenario`` writes
``results/<name>/`` like the CLI. A fragment polls the jobs every second while any runs.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from engine import pipeline
from engine.errors import QroadInputError
from engine.results import RunExistsError
from engine.scenario import load_scenario
from ui.common import bundled_scenarios, results_dir
from ui.scenario_form import TIMELINES, friendly_errors

AS_EDITED = "as edited on the Scenario page"
RENAME_HINT = "Tick 'Replace existing results' or change the scenario name, and run again"


@dataclass
class Job:
    """One submitted variant: its future and the progress events the worker reported."""

    name: str
    future: Future
    started_s: float = field(default_factory=time.monotonic)
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    finished_s: float | None = None

    def progress(self, stage: str, info: dict[str, Any]) -> None:
        """The pipeline's progress callback (called on the worker thread; appends only)."""
        self.events.append((stage, dict(info)))


def executor() -> ThreadPoolExecutor:
    """This session's one-worker executor: variants queue and solve one at a time."""
    if "executor" not in st.session_state:
        st.session_state["executor"] = ThreadPoolExecutor(1, thread_name_prefix="qroad-run")
    return st.session_state["executor"]


def job_row(job: Job) -> dict[str, Any]:
    """One line of the status table."""
    row: dict[str, Any] = {"Variant": job.name, "State": "queued", "Stage": "", "Status": ""}
    row.update({"Objective (M€)": None, "Gap (%)": None, "Folder": "", "Message": ""})
    if job.events:
        stage, info = job.events[-1]
        row["Stage"] = stage + (f" ({info.get('message')})" if info.get("message") else "")
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
            row["Status"] = out.status
            row["Objective (M€)"] = None if out.objective is None else out.objective / 1e6
            row["Gap (%)"] = None if out.gap is None else 100 * out.gap
            row["Folder"] = str(out.run_dir or "")
            row["Message"] = out.message
    end = job.finished_s or time.monotonic()
    row["Elapsed (s)"] = round(end - job.started_s, 1)
    return row


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
    options = list(TIMELINES) + ([AS_EDITED] if base_overrides else [])
    chosen = st.multiselect("Timelines to run", options, default=["early", "late"])
    overwrite = st.checkbox("Replace existing results with the same name")
    if not st.button("Run", type="primary", disabled=not chosen):
        return
    kept = [o for o in base_overrides if not o.startswith(("name=", "timeline="))]
    scenarios = []
    for variant in chosen:
        if variant == AS_EDITED:
            overrides, timeline = list(base_overrides), None
        else:
            overrides, timeline = [*kept, f"name={base_name}-{variant}"], variant
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
    jobs: list[Job] = st.session_state.setdefault("jobs", [])
    for scenario in scenarios:
        job = Job(scenario.name, Future())
        job.future = executor().submit(
            run_scenario, scenario, out_dir=out_dir, overwrite=overwrite, progress=job.progress
        )
        jobs.append(job)
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
