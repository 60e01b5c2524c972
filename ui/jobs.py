"""Background runs of this browser session: a one-worker executor in ``st.session_state``
and the jobs it holds (shown by the Run page, submitted by the Run and Explain pages)."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st


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


def submit(run_scenario: Callable[..., Any], scenario: Any, out_dir: Path, overwrite: bool) -> Job:
    """Queue ``run_scenario(scenario, ...)`` on the session's executor; the job is added to
    ``st.session_state["jobs"]`` (the Run page's table)."""
    job = Job(scenario.name, Future())
    job.future = executor().submit(
        run_scenario, scenario, out_dir=out_dir, overwrite=overwrite, progress=job.progress
    )
    st.session_state.setdefault("jobs", []).append(job)
    return job
