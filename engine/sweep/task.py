"""One sample of a sweep, as a Dask task: a scenario mapping in, a result record and the
sample's results tables out. ``solve_sample`` never raises: an exception comes back as a
result with ``status`` ``failed`` and its reason, so the driver can record it and retry
once. Timeouts are the driver's (engine.sweep.runner): it restarts the stuck worker.

The task reads and writes no shared files (it solves into a private temporary folder and
returns the tables), so it runs the same on a LocalCluster and on a remote scheduler's
workers, which need qroad installed but not the sweep's output folder.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import pandas as pd

from engine.paths import DATA_DIR

FAILED, TIMEOUT = "failed", "timeout"
SAMPLE_TABLES = ("builds", "equipment", "served", "flows", "costs", "phases")
"""The results tables kept per sample (sites, links and capacity are inputs)."""


@dataclass(frozen=True)
class SampleTask:
    """Everything a worker needs to solve one sample."""

    sample: int
    attempt: int
    scenario: dict[str, Any]
    base_dir: str


@dataclass
class SampleResult:
    """How one attempt at a sample ended; ``tables`` is empty unless the solver found a plan."""

    sample: int
    attempt: int
    status: str
    reason: str = ""
    objective_eur: float | None = None
    gap: float | None = None
    elapsed_s: float = 0.0
    worker: str = ""
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        """The solver gave an answer (a plan, or a proof there is none): nothing to retry."""
        return self.status not in (FAILED, TIMEOUT)


def _solve(task: SampleTask) -> SampleResult:
    from engine.pipeline import run_scenario
    from engine.results import read_table
    from engine.scenario import Scenario

    context = {"data_dir": DATA_DIR, "base_dir": Path(task.base_dir)}
    scenario = Scenario.model_validate(task.scenario, context=context)
    with TemporaryDirectory(prefix="qroad-sample-") as scratch:
        outcome = run_scenario(scenario, out_dir=Path(scratch))
        tables = {}
        if outcome.run_dir is not None:
            tables = {name: read_table(outcome.run_dir, name) for name in SAMPLE_TABLES}
    reason = "" if outcome.has_plan else "; ".join([outcome.message, *outcome.diagnosis])
    return SampleResult(
        sample=task.sample,
        attempt=task.attempt,
        status=outcome.status,
        reason=reason,
        objective_eur=outcome.objective,
        gap=outcome.gap,
        tables=tables,
    )


def solve_sample(task: SampleTask) -> SampleResult:
    """Solve one sample; an exception is returned as a ``failed`` result, never raised."""
    start = time.perf_counter()
    try:
        result = _solve(task)
    except Exception as exc:
        last = traceback.extract_tb(exc.__traceback__)[-1:]
        where = f" at {Path(last[0].filename).name}:{last[0].lineno}" if last else ""
        result = SampleResult(
            task.sample, task.attempt, FAILED, f"{type(exc).__name__}: {exc}{where}"
        )
    result.elapsed_s = round(time.perf_counter() - start, 3)
    result.worker = f"{socket.gethostname()}:{os.getpid()}"
    return result
