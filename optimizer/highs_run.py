"""``HighsRun``: the one place that runs the solver (HiGHS, embedded through Pyomo's appsi).

One HiGHS instance is kept across a solve's stages (the model is loaded once). Each run
gets the time left or its stage's share, works around HiGHS's process-wide thread pool and
its cumulative run clock, and accepts a solution only when HiGHS reports it primal
feasible (docs/model.md, "Solving").
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

import highspy
import pyomo.environ as pyo
from pyomo.contrib.appsi.base import TerminationCondition
from pyomo.contrib.appsi.solvers import Highs

from optimizer.gc_pause import gc_paused

if TYPE_CHECKING:
    from optimizer.solve import SolveOptions


def gap_between(objective: float | None, bound: float | None) -> float | None:
    """``|objective - bound| / |objective|`` (0 when they agree to 1e-9), None if either is."""
    if objective is None or bound is None:
        return None
    diff = abs(objective - bound)
    return 0.0 if diff <= 1e-9 * max(1.0, abs(objective)) else diff / max(abs(objective), 1e-9)


def gap_text(gap: float | None) -> str:
    """A gap for messages: ``"12.34 %"``, or ``"n/a"`` without one."""
    return "n/a" if gap is None else f"{100 * gap:.2f} %"


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


class HighsRun:
    """One appsi HiGHS instance kept across a solve's stages (persistent model)."""

    def __init__(self, options: SolveOptions):
        _match_thread_pool(int(options.threads))
        self.options = options
        self.t0 = time.perf_counter()
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
        return time.perf_counter() - self.t0

    def left(self) -> float:
        return self.options.time_limit_s - self.elapsed()

    def emit(self, stage: str, **info) -> None:
        if self.options.progress is not None:
            self.options.progress({"stage": stage, "elapsed_s": round(self.elapsed(), 3), **info})

    def solve(
        self,
        model: pyo.ConcreteModel,
        warm: bool = False,
        lp: bool = False,
        limit: float | None = None,
    ):
        """One HiGHS run within the remaining time (and ``limit`` s); ``lp`` uses the
        interior point method (far faster than simplex on the large flow LPs)."""
        left = self.options.time_limit_s - self.elapsed()
        allowed = max(min(left, limit if limit is not None else left), 1.0)
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
            self.opt.load_vars()
        return res, ok

    def watch_mip(self) -> None:
        """Feed incumbent/bound/gap of HiGHS's improving solutions to ``progress``."""
        highs = getattr(self.opt, "_solver_model", None)
        if self.options.progress is None or not hasattr(highs, "cbMipImprovingSolution"):
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
