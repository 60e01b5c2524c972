"""A sweep started from the Uncertainty page: the same path as ``qroad sweep`` (a Dask
client, a LocalCluster of worker processes by default, ``engine.sweep.runner.run_sweep``),
run on a background thread of this browser session, its per-sample progress kept for the
page to show."""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st

from engine.scenario import Scenario


@dataclass
class SweepJob:
    """One sweep: its future (the ``SweepOutcome``) and the samples finished so far."""

    name: str
    total: int
    future: Future
    done: list[tuple[int, str, float]] = field(default_factory=list)  # sample, status, s
    started_s: float = field(default_factory=time.monotonic)

    def progress(self, done: int, total: int, result: Any) -> None:
        """``run_sweep``'s progress callback (worker thread; appends only)."""
        self.total = total
        self.done.append((int(result.sample), str(result.status), float(result.elapsed_s)))


def run_on_dask(
    scenario: Scenario,
    job: SweepJob,
    *,
    out_dir: Path,
    samples: int,
    one_at_a_time: bool,
    workers: int,
    scheduler: str | None = None,
) -> Any:
    """What ``qroad sweep`` does for one scenario: a Dask client, then ``run_sweep``."""
    from engine.sweep.runner import run_sweep, sweep_client

    with sweep_client(scheduler, workers) as client:
        return run_sweep(
            scenario,
            out_dir=out_dir,
            client=client,
            samples=samples,
            one_at_a_time=one_at_a_time,
            sample_timeout_s=2 * scenario.solver.time_limit_s + 60,
            progress=job.progress,
        )


def start_sweep(
    scenario: Scenario,
    *,
    out_dir: Path,
    samples: int,
    one_at_a_time: bool,
    workers: int,
    scheduler: str | None = None,
) -> SweepJob:
    """Start the sweep on this session's sweep thread; kept in ``st.session_state``."""
    if "sweep_executor" not in st.session_state:
        st.session_state["sweep_executor"] = ThreadPoolExecutor(1, thread_name_prefix="qroad-sweep")
    job = SweepJob(scenario.name, samples, Future())
    job.future = st.session_state["sweep_executor"].submit(
        run_on_dask, scenario, job, out_dir=out_dir, samples=samples,
        one_at_a_time=one_at_a_time, workers=workers, scheduler=scheduler,
    )  # fmt: skip
    st.session_state.setdefault("sweeps", []).append(job)
    return job
