"""The hedge's single-future solves, several at once in worker processes.

A hedge solves every future alone and holds plans in other futures (``solve.py``, steps 1
and 2; PH's candidates, ``ph_plan.py``). These solves are independent of each other, and
each is dominated by HiGHS's interior point method, which runs on one core whatever
``threads`` says (UK backbone, one future: 156 s of CPU in 158 s of wall clock). So on a
machine with ``k`` cores, ``k`` of them run at once in ``k`` worker processes, each with
``threads // k`` HiGHS threads (at least 1), and the solves take about ``1/k`` of the time
(docs/benchmarks.md, "Hedged plans").

A worker builds each future's model from its ``ModelData`` once (``build_model``, the same
function and input as the main process, so the variables come in the same order), solves
jobs on it and returns the variable values as a list; the main process loads them into
its own copy of the model (``load_values``). With ``workers=1`` the jobs run in this
process, one after another, on the main process's models (as the session's runner, a
test's stand-in included, sees them).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import pyomo.environ as pyo

from optimizer.build import build_model
from optimizer.hedge.commit import Commitment, hold_commitment, read_commitment, release_commitment
from optimizer.model_data import ModelData
from optimizer.solving.options import SolveOptions
from optimizer.solving.session import Session
from optimizer.solving.strategies import model_columns, solve_with

PARALLEL_MIN_COLUMNS = 2_000
"""``choose_workers``: below this many columns per future model, solves run in this
process: starting a worker (importing Pyomo and HiGHS, building the model) takes seconds,
about what such a model's solve takes."""

Values = list[float | None]


@dataclass(frozen=True)
class SolveJob:
    """One single-future solve: ``future``'s model with ``plan``'s ``commitment`` held (no
    commitment: the future alone), the decisions of ``read_periods`` read back."""

    future: str
    plan: str
    commitment: Commitment | None = None
    read_periods: tuple[int, ...] = ()


@dataclass
class JobResult:
    """A job's outcome: the strategy's status, gap and bound, the objective (EUR) and the
    variable values when it has a plan, the missing decisions when the commitment cannot be
    carried out in the future, and the commitment read back (``read_periods``)."""

    job: SolveJob
    status: str = "not_solved"
    objective_eur: float | None = None
    bound_eur: float | None = None
    gap: float | None = None
    message: str = ""
    values: Values | None = None
    missing: list[tuple] = field(default_factory=list)
    commitment: Commitment | None = None

    @property
    def has_plan(self) -> bool:
        return self.values is not None


def variables(model: pyo.ConcreteModel) -> Iterator[pyo.Var]:
    """The model's variables in build order (the order values travel in)."""
    return model.component_data_objects(pyo.Var, descend_into=True, sort=False)


def snapshot_of(model: pyo.ConcreteModel, values: Values) -> list[tuple[Any, float | None]]:
    """``values`` (a job's) paired with ``model``'s variables: a ``warmstart.snapshot``."""
    model_vars = list(variables(model))
    if len(model_vars) != len(values):
        raise ValueError(f"{len(values)} values for a model of {len(model_vars)} variables")
    pairs = list(zip(model_vars, values, strict=True))
    return pairs


def solve_job(
    model: pyo.ConcreteModel, data: ModelData, session: Session, job: SolveJob
) -> JobResult:
    """Run ``job`` on ``model`` (built from ``data``); the held rows are removed after."""
    out = JobResult(job)
    if job.commitment is not None:
        out.missing = hold_commitment(model, job.commitment)
        if out.missing:
            return out
    try:
        res = solve_with(model, data, session)
    finally:
        release_commitment(model)
    out.status, out.bound_eur, out.gap, out.message = res.status, res.bound, res.gap, res.message
    if res.has_solution:
        out.objective_eur = float(pyo.value(model.total_cost))
        out.values = [v.value for v in variables(model)]
        if job.read_periods:
            out.commitment = read_commitment(model, job.read_periods)
    return out


_WORKER: dict[str, Any] = {}  # one worker process's data, options and built models


def _start_worker(data: Mapping[str, ModelData], options: SolveOptions) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
    _WORKER.update(data=dict(data), options=options, models={})


def _run_in_worker(job: SolveJob) -> JobResult:
    data, options, models = _WORKER["data"], _WORKER["options"], _WORKER["models"]
    if job.future not in models:
        models[job.future] = build_model(data[job.future], relax_integers=options.relax_integers)
    return solve_job(models[job.future], data[job.future], Session(options), job)


class _InProcess(Executor):
    """Runs each job when it is submitted, on the main process's models (``fn``, the
    worker's entry, is not needed: the job runs on ``models`` with ``session``)."""

    def __init__(
        self,
        models: Mapping[str, pyo.ConcreteModel],
        data: Mapping[str, ModelData],
        session: Session,
    ) -> None:
        self.models, self.data, self.session = models, data, session

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:  # type: ignore[override]
        (job,) = args
        done: Future = Future()
        try:
            done.set_result(solve_job(self.models[job.future], self.data[job.future],
                                      self.session, job))  # fmt: skip
        except BaseException as exc:
            done.set_exception(exc)
        return done


def choose_workers(models: Mapping[str, pyo.ConcreteModel], workers: int | None) -> int:
    """``workers`` if given, else the usable cores for models of at least
    ``PARALLEL_MIN_COLUMNS`` columns (1 below), never more than there are futures."""
    if workers is not None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        return workers
    largest = max((model_columns(m) for m in models.values()), default=0)
    if largest < PARALLEL_MIN_COLUMNS:
        return 1
    return max(1, min(len(models), _cores()))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return multiprocessing.cpu_count()


@contextmanager
def solve_pool(
    models: Mapping[str, pyo.ConcreteModel],
    data: Mapping[str, ModelData],
    session: Session,
    workers: int,
) -> Iterator[Executor]:
    """An executor for ``SolveJob``s (``submit(pool, job)``): in this process for
    ``workers=1``, else ``workers`` spawned processes sharing ``session.options.threads``
    among them.

    Ctrl-C is the main process's alone: the workers are started with SIGINT ignored (an
    ignored signal stays ignored across ``exec``, and Python then installs no handler), so
    an interrupt prints no worker tracebacks; on an interrupt or an error the main process
    terminates the workers at once (a solve would otherwise run on to its time limit) and
    drops the queued jobs."""
    if workers <= 1:
        yield _InProcess(models, data, session)
        return
    options = replace(session.options, threads=max(1, session.options.threads // workers))
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(dict(data), options),
    )
    procs = _start_ignoring_sigint(pool, workers)
    try:
        yield pool
    except BaseException:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.join(timeout=10)
        # the pool's manager thread sees its workers gone, drops the queued jobs and ends;
        # waiting for it keeps CPython 3.11's exit hook from writing to the pipe that
        # thread closes ("Exception ignored ... Bad file descriptor" at exit otherwise)
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _ready() -> None:
    """A job that does nothing: submitting it starts a worker."""


def _start_ignoring_sigint(pool: ProcessPoolExecutor, workers: int) -> list[Any]:
    """Start ``pool``'s workers now, with SIGINT ignored while they are spawned (each
    ``submit`` of a spawn pool starts a worker while none is idle); the workers started."""
    before = set(multiprocessing.active_children())
    handler = signal.getsignal(signal.SIGINT)
    in_main = threading.current_thread() is threading.main_thread()
    if in_main:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        for _ in range(workers):
            pool.submit(_ready)
    finally:
        if in_main:
            signal.signal(signal.SIGINT, handler)
    return [p for p in multiprocessing.active_children() if p not in before]


def submit(pool: Executor, job: SolveJob) -> Future:
    """Queue ``job`` on ``pool`` (``solve_pool``)."""
    return pool.submit(_run_in_worker, job)
