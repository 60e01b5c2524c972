"""Run a sweep on a Dask cluster: design the samples, solve each as one task, record every
attempt, retry a failed sample once, resume, and summarise (docs/sweeps.md).

The driver (this process) does all the writing; tasks only compute (engine.sweep.task).
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from distributed import Client, Future, LocalCluster, wait

from engine.paths import DATA_DIR
from engine.scenario import Scenario
from engine.sweep import store
from engine.sweep.sampling import check_inputs, latin_hypercube, sample_scenario, uncertain_inputs
from engine.sweep.sampling import one_at_a_time as oat_design
from engine.sweep.summary import adoption_table, adoption_years, percentile_table, tornado_tables
from engine.sweep.task import FAILED, TIMEOUT, SampleResult, SampleTask, solve_sample
from optimizer import has_plan

MAX_ATTEMPTS_PER_RUN = 2  # the first try and one retry
POLL_S = 1.0  # how often running tasks are checked against the sample timeout
SolveFn = Callable[[SampleTask], SampleResult]
Progress = Callable[[int, int, SampleResult], None]


@dataclass
class SweepOutcome:
    """What a sweep run did and the summary tables it wrote."""

    sweep_dir: Path
    samples: pd.DataFrame
    adoption: pd.DataFrame
    percentiles: pd.DataFrame
    tornado: pd.DataFrame | None = None
    tornado_adoption: pd.DataFrame | None = None
    solved_now: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)

    @property
    def unfinished(self) -> list[int]:
        """Samples that failed or timed out on every attempt of this run (rerun to retry)."""
        done = self.samples["status"].isin((FAILED, TIMEOUT))
        return [int(s) for s in self.samples.loc[done, "sample"]]


@contextmanager
def sweep_client(scheduler: str | None = None, n_workers: int | None = None) -> Iterator[Client]:
    """A Dask client: to ``scheduler`` (``tcp://HOST:PORT``) if given, else to a LocalCluster
    of ``n_workers`` single-threaded processes (default: one per core) on loopback."""
    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=n_workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def sweep_name(scenario: Scenario, *, one_at_a_time: bool) -> str:
    """Folder name of a scenario's sweep: ``<name>-sweep`` or ``<name>-sensitivity``."""
    return f"{scenario.name}-{'sensitivity' if one_at_a_time else 'sweep'}"


def plan_sweep(
    scenario: Scenario, *, samples: int, seed: int, one_at_a_time: bool = False
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The design (one row per sample) and the spec that identifies the sweep."""
    inputs = uncertain_inputs(scenario)
    check_inputs(scenario, inputs)
    design = oat_design(inputs) if one_at_a_time else latin_hypercube(inputs, samples, seed)
    spec = {
        "scenario": scenario.name,
        "mode": "one_at_a_time" if one_at_a_time else "latin_hypercube",
        "seed": None if one_at_a_time else seed,
        "samples": len(design),
        "inputs": [vars(i) for i in inputs],
        "scenario_resolved": scenario.resolved(),
    }
    return design, spec


def run_sweep(
    scenario: Scenario,
    *,
    out_dir: Path,
    client: Client,
    samples: int = 40,
    seed: int = 0,
    one_at_a_time: bool = False,
    sample_timeout_s: float | None = None,
    solve: SolveFn = solve_sample,
    progress: Progress | None = None,
) -> SweepOutcome:
    """Solve every unfinished sample of the sweep on ``client`` and write its folder.

    Samples with a finished record (the solver answered) are skipped; a sample whose task
    fails or times out is recorded with its reason and submitted once more in this run."""
    design, spec = plan_sweep(scenario, samples=samples, seed=seed, one_at_a_time=one_at_a_time)
    sweep_dir = Path(out_dir) / sweep_name(scenario, one_at_a_time=one_at_a_time)
    meta = store.open_sweep_dir(sweep_dir, spec)
    store.write_summary_table(sweep_dir, "design", design)
    records = store.read_records(sweep_dir)
    skipped = [s for s, r in sorted(records.items()) if r["status"] not in (FAILED, TIMEOUT)]
    todo = [int(s) for s in design["sample"] if int(s) not in skipped]
    base_dir = str(scenario.source_file.parent if scenario.source_file else Path.cwd())
    rows = design.set_index("sample")
    inputs = [c for c in design.columns if c not in ("sample", "oat_input", "oat_level")]
    tasks: dict[int, dict[str, Any]] = {}
    for s in todo:
        data = sample_scenario(scenario, {c: rows.at[s, c] for c in inputs}, s)
        Scenario.model_validate(data, context={"data_dir": DATA_DIR, "base_dir": base_dir})
        tasks[s] = data
    prior = {s: int(records[s]["attempts"]) if s in records else 0 for s in todo}
    failures = {s: list(records[s].get("failures", [])) if s in records else [] for s in todo}

    def submit(sample: int, attempt: int) -> Future:
        task = SampleTask(sample, attempt, tasks[sample], base_dir)
        key = f"qroad-sample-{meta['fingerprint']}-{sample}-r{meta['runs']}-a{attempt}"
        return client.submit(solve, task, key=key, pure=False)

    queue = deque((s, 1) for s in todo)
    running: dict[Future, tuple[int, int, float]] = {}  # future -> sample, attempt, start
    done = 0
    while queue or running:
        # no more tasks than worker threads: a task starts when it is submitted, so its
        # timeout counts from then
        slots = max(1, sum(client.nthreads().values()))
        while queue and len(running) < slots:
            sample, attempt = queue.popleft()
            running[submit(sample, attempt)] = (sample, attempt, time.monotonic())
        results = [_result(fut, *running.pop(fut)[:2]) for fut in _wait(running, sample_timeout_s)]
        if sample_timeout_s is not None:
            now = time.monotonic()
            for fut, (sample, attempt, started) in list(running.items()):
                if now - started > sample_timeout_s:
                    del running[fut]
                    _abandon(client, fut)
                    reason = f"no result within {sample_timeout_s:g} s"
                    results.append(
                        SampleResult(sample, attempt, TIMEOUT, reason, elapsed_s=now - started)
                    )
        for result in results:
            sample, attempt = result.sample, result.attempt
            if not result.finished:
                failures[sample].append(f"attempt {prior[sample] + attempt}: {result.reason}")
            if result.tables:
                store.write_sample_tables(sweep_dir, result)
            store.append_record(sweep_dir, _record(result, prior[sample], failures[sample], meta))
            if not result.finished and attempt < MAX_ATTEMPTS_PER_RUN:
                queue.append((sample, attempt + 1))
                continue
            done += 1
            if progress is not None:
                progress(done, len(todo), result)
    outcome = summarise(scenario, sweep_dir, design)
    outcome.solved_now, outcome.skipped = todo, skipped
    return outcome


def _wait(running: dict[Future, Any], timeout_s: float | None) -> set[Future]:
    """Futures that finished, waiting for the first (at most POLL_S when timeouts apply)."""
    if not running:
        return set()
    try:
        poll = None if timeout_s is None else min(POLL_S, timeout_s)
        return set(wait(list(running), timeout=poll, return_when="FIRST_COMPLETED").done)
    except TimeoutError:
        return set()


def _result(fut: Future, sample: int, attempt: int) -> SampleResult:
    try:
        return fut.result()
    except Exception as exc:  # the task raised, its worker was lost, or it was cancelled
        return SampleResult(sample, attempt, FAILED, f"{type(exc).__name__}: {exc}")


def _abandon(client: Client, fut: Future) -> None:
    """Cancel a task that ran too long and restart its worker, which stops the solve (a
    running Python task cannot be interrupted otherwise). Best effort: a worker without a
    nanny cannot be restarted, and then keeps the task until it ends."""
    workers = [w for w, keys in client.processing().items() if fut.key in keys]
    fut.cancel()
    if workers:
        with suppress(Exception):  # nothing more can be done from here
            client.restart_workers(workers, timeout=60)


def _record(
    result: SampleResult, prior: int, failures: list[str], meta: dict[str, Any]
) -> dict[str, Any]:
    return {
        "sample": result.sample,
        "status": result.status,
        "reason": result.reason,
        "failures": list(failures),
        "attempts": prior + result.attempt,
        "has_plan": has_plan(result.status),
        "objective_eur": result.objective_eur,
        "gap": result.gap,
        "elapsed_s": round(result.elapsed_s, 3),
        "worker": result.worker,
        "sweep_run": meta["runs"],
    }


def summarise(scenario: Scenario, sweep_dir: Path, design: pd.DataFrame) -> SweepOutcome:
    """Build and write the samples table and the summaries from the records and tables."""
    records = store.read_records(sweep_dir)
    rec = pd.DataFrame([records[s] for s in sorted(records) if s in set(design["sample"])])
    samples = design.merge(rec, on="sample", how="left") if len(rec) else design.copy()
    samples["failures"] = samples.get("failures", pd.Series(dtype=object)).map(
        lambda f: "; ".join(f) if isinstance(f, list) else ""
    )
    has_plan = (
        samples["has_plan"] if "has_plan" in samples.columns else pd.Series(False, samples.index)
    )
    solved = [int(s) for s in samples.loc[has_plan.fillna(False).astype(bool), "sample"]]
    techs = list(scenario.technologies.enabled)
    builds = store.read_sample_table(sweep_dir, "builds", solved)
    adoption = adoption_table(builds, solved, scenario.periods(), techs)
    years = adoption_years(builds, solved, techs)
    percentiles = percentile_table(
        store.read_sample_table(sweep_dir, "costs", solved),
        store.read_sample_table(sweep_dir, "phases", solved),
        solved,
    )
    outcome = SweepOutcome(sweep_dir, samples, adoption, percentiles)
    tables = {
        "samples": samples,
        "adoption": adoption,
        "adoption_years": years,
        "percentiles": percentiles,
    }
    if "oat_level" in samples.columns:
        outcome.tornado, outcome.tornado_adoption = tornado_tables(
            samples[samples["sample"].isin(solved)], years
        )
        tables |= {"tornado": outcome.tornado, "tornado_adoption": outcome.tornado_adoption}
    for name, frame in tables.items():
        store.write_summary_table(sweep_dir, name, frame)
    return outcome
