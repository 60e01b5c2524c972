"""``HighsRun``: the one place that runs the solver (HiGHS, embedded through Pyomo's appsi).

One HiGHS instance is kept across a solve's stages (the model is loaded once). Each run
gets the time left, capped by its stage's share (``TimeBudget``), works around HiGHS's
process-wide thread pool and its cumulative run clock, and accepts a solution only when
HiGHS reports it primal feasible (docs/model.md, "Solving").

A strategy never builds a ``HighsRun`` itself: it asks its ``Session`` (``session.run()``),
whose ``runner`` is this class unless a test passes another with the same interface to
``optimise`` (the public seam for making a run fail or recording what it was given).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager

import highspy
import pyomo.environ as pyo
from pyomo.contrib.appsi.base import TerminationCondition
from pyomo.contrib.appsi.solvers import Highs

from optimizer.gc_pause import gc_paused
from optimizer.solving.budget import Clock
from optimizer.solving.options import Progress, SolveOptions, gap_between

_scheduler_threads: list[int] = []  # HiGHS's process-wide thread pool size, once started


def _match_thread_pool(threads: int) -> None:
    """HiGHS starts one global thread pool per process, sized by the first run's
    ``threads``; a later run asking for another size fails at once (model status "not
    set", which appsi reports as termination "unknown"). Restart the pool when the size
    changes, e.g. a 1-thread test followed by a 2-thread one in one pytest worker."""
    if _scheduler_threads and _scheduler_threads[0] != threads:
        highspy.Highs.resetGlobalScheduler(True)
        _scheduler_threads.clear()
    if not _scheduler_threads:
        _scheduler_threads.append(threads)


@contextmanager
def pyomo_quietly() -> Iterator[None]:
    """Pyomo's warnings while loading solver values, dropped: its W1001 for each value a
    hair outside its domain (an interior-point flow of -4.5e-13 bit/s), or "Loading a
    SolverResults object with an 'aborted' status" (a PH subproblem at its time limit).
    Pyomo logs to standard output, where those lines broke ``qroad run --json``."""
    logger = logging.getLogger("pyomo.core")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


class HighsRun:
    """One appsi HiGHS instance kept across a solve's stages (persistent model)."""

    def __init__(self, options: SolveOptions, progress: Progress | None = None):
        _match_thread_pool(int(options.threads))
        self.options = options
        self.progress = progress
        self.budget = options.budget
        self.clock = Clock(options.time_limit_s, progress)
        self.opt = Highs()
        self.opt.config.load_solution = False
        self.opt.config.stream_solver = False
        self.opt.config.mip_gap = options.mip_gap
        # fixed variables become column bounds; appsi's default rebuilds every row that
        # holds a fixed variable, which makes the rounded-start LP slow on large models
        self.opt.update_config.treat_fixed_vars_as_params = False
        if options.log_path is not None:
            self.opt.config.logfile = str(options.log_path)
        self.base_options = {"threads": int(options.threads), "random_seed": int(options.seed)}
        self.opt.highs_options = dict(self.base_options)

    def elapsed(self) -> float:
        return self.clock.elapsed()

    def left(self) -> float:
        return self.clock.left()

    def emit(self, stage: str, **info) -> None:
        self.clock.emit(stage, **info)

    def solve(
        self,
        model: pyo.ConcreteModel,
        stage: str,
        warm: bool = False,
        lp: bool = False,
        limit: float | None = None,
    ):
        """One HiGHS run for ``stage`` (its name, e.g. ``lp``, ``rounding``, ``mip``) within
        the time left and the stage's ``limit`` (s, from the ``TimeBudget``); ``lp`` uses
        the interior point method (far faster than simplex on the large flow LPs).
        Returns (appsi results, whether a primal feasible solution was loaded)."""
        allowed = self.budget.run_s(self.left(), limit)
        self.opt.config.time_limit = allowed
        self.opt.config.warmstart = warm
        self.opt.highs_options = {**self.base_options, "solver": "ipm" if lp else "choose"}
        start = time.perf_counter()
        with gc_paused():  # the first run loads the model into HiGHS: ~10 % faster
            res = self.opt.solve(model)
        highs = getattr(self.opt, "_solver_model", None)
        if (
            res.termination_condition == TerminationCondition.maxTimeLimit
            and time.perf_counter() - start < 0.05 * allowed
            and hasattr(highs, "getRunTime")
        ):
            # HiGHS 1.16 checks some limits against the instance's cumulative run time
            # (ERGO-Code/HiGHS#1477): an LP after a MIP that hit its limit stops at once.
            # Measured on Germany50: the rounding after the relaxed-count MIP got 0.1 s.
            self.opt.config.time_limit = allowed + highs.getRunTime()
            res = self.opt.solve(model)
        # appsi counts any valid primal vector as feasible after a time limit (an
        # interrupted IPM iterate, a MIP's relaxation); only HiGHS's primal status says so
        feasible = highs is None or highs.getInfo().primal_solution_status == 2
        if not feasible:
            res.best_feasible_objective = None
        ok = res.best_feasible_objective is not None
        if ok:
            with pyomo_quietly():
                self.opt.load_vars()
        return res, ok

    def watch_mip(self) -> None:
        """Feed incumbent/bound/gap of HiGHS's improving solutions to ``progress``."""
        highs = getattr(self.opt, "_solver_model", None)
        if self.progress is None or not hasattr(highs, "cbMipImprovingSolution"):
            return

        def on_improving(event) -> None:
            out = event.data_out
            inc, bnd = float(out.objective_function_value), float(out.mip_dual_bound)
            self.emit(
                "mip",
                incumbent=inc,
                bound=bnd if math.isfinite(bnd) else None,
                gap=gap_between(inc, bnd) if math.isfinite(bnd) else None,
            )

        highs.cbMipImprovingSolution.subscribe(on_improving)
