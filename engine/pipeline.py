"""One run, end to end: prepared scenario → ``optimizer.optimise`` → results folder.

``run_scenario`` reports progress through a callback ``progress(stage, info)`` with stages
``candidates``, ``build``, ``solve`` (the solver's own stages in ``info["stage"]``, with
incumbent/bound/gap as HiGHS reports them) and ``write``; the CLI and the app draw it. A
plan is written only when the solver found one (``optimizer.has_plan``); infeasible runs
and runs without a plan write nothing and carry a diagnosis instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import pandas as pd
import yaml

from engine.diagnose import describe_unservable, unservable_demands
from engine.manifest import environment, package_versions
from engine.prepare import Prepared, prepare
from engine.results import RunExistsError, write_run
from engine.results.headline import headline
from engine.scenario import Scenario
from engine.service import serve_most
from optimizer import SolveOptions, SolveResult, has_plan, optimise

Progress = Callable[[str, dict[str, Any]], None]


@dataclass
class RunOutcome:
    """What a run produced: where it was written, how the solver ended, and why."""

    scenario: str
    status: str
    run_dir: Path | None = None
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    headline: dict[str, Any] = field(default_factory=dict)  # engine.results.headline
    service: str = "must_serve"  # demand.service.mode
    excluded: list[str] = field(default_factory=list)  # demands no technology can serve
    message: str = ""
    strategy: str = "exact"  # the strategy that ran (auto's choice): rolling, decomposed heuristic
    diagnosis: list[str] = field(default_factory=list)
    timings_s: dict[str, float] = field(default_factory=dict)
    replaced: bool = False  # an earlier run of the same name was replaced (--overwrite)

    @classmethod
    def of(
        cls, scenario: Scenario, result: SolveResult, excluded: list[str], timings: dict
    ) -> RunOutcome:
        """The outcome of solving ``scenario`` (not yet written)."""
        r = result
        return cls(scenario.name, r.status, None, r.objective, r.bound, r.gap,
                   service=scenario.demand.service.mode, excluded=excluded, message=r.message,
                   strategy=r.strategy or scenario.solver.strategy, timings_s=timings)  # fmt: skip

    @property
    def has_plan(self) -> bool:
        return has_plan(self.status)

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary (the CLI's ``--json`` output)."""
        return {
            "scenario": self.scenario,
            "status": self.status,
            "run_dir": str(self.run_dir) if self.run_dir else None,
            "replaced_earlier_run": self.replaced,
            "objective_eur": self.objective,
            "cost_eur": self.headline.get("cost_eur"),
            "unserved_penalty_eur": self.headline.get("unserved_penalty_eur"),
            "unserved_bps": self.headline.get("unserved_bps"),
            "bound_eur": self.bound,
            "gap": self.gap,
            "service": self.service,
            "excluded_demands": self.excluded,
            "message": self.message,
            "diagnosis": self.diagnosis,
            "timings_s": self.timings_s,
        }


def _quiet(stage: str, info: dict[str, Any]) -> None:
    del stage, info


def solve_options(
    scenario: Scenario, log_path: Path | None = None, model_path: Path | None = None
) -> SolveOptions:
    """The scenario's solver section as optimizer options."""
    spec = scenario.solver
    return SolveOptions(
        time_limit_s=spec.time_limit_s,
        mip_gap=spec.mip_gap,
        threads=spec.threads,
        seed=spec.seed,
        strategy=spec.strategy,
        log_path=log_path,
        model_path=model_path,
    )


def result_tables(prepared: Prepared, solution: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The contract's nine tables: inputs a report needs (sites, links, capacity) + solution."""
    data = prepared.model_data
    phase = data.technologies.set_index("tech")["phase"]
    links = data.links.assign(phase=data.links["tech"].map(phase))
    return {"sites": data.sites, "links": links, "capacity": data.capacity, **solution}


def run_scenario(
    scenario: Scenario,
    *,
    out_dir: Path,
    overwrite: bool = False,
    save_lp: bool = False,
    progress: Progress | None = None,
) -> RunOutcome:
    """Prepare, solve and write one scenario; return the outcome (never raises on no plan).

    Input errors (``QroadInputError``) and an existing run folder (``RunExistsError``)
    propagate: they are the caller's to report.
    """
    report = progress or _quiet
    if (Path(out_dir) / scenario.name).exists() and not overwrite:
        raise RunExistsError(
            f"{Path(out_dir) / scenario.name} exists; pass --overwrite to replace it"
        )
    timings: dict[str, float] = {}
    start = time.perf_counter()
    report("candidates", {"scenario": scenario.name})
    prepared = prepare(scenario)
    timings["prepare_s"] = round(time.perf_counter() - start, 3)
    report("build", {"counts": prepared.model_data.describe()})
    result, solution, files = _solve(prepared, scenario, save_lp, report)
    if result.status == "infeasible" and scenario.demand.service.mode == "must_serve":
        result, solution, files = _serve_most(prepared, scenario, save_lp, report, result)
    for key in ("build_s", "write_model_s", "extract_s"):
        if key in result.timings_s:
            timings[key] = result.timings_s.pop(key)
    timings.update({f"solver_{k}": v for k, v in result.timings_s.items()})
    outcome = RunOutcome.of(scenario, result, describe_unservable(prepared.unservable), timings)
    if not outcome.has_plan:
        outcome.diagnosis = unservable_demands(prepared.model_data)
        return outcome
    outcome.headline = headline(solution["costs"], solution["served"])
    report("write", {"out_dir": str(out_dir)})
    files["scenario.yaml"] = yaml.safe_dump(scenario.resolved(), sort_keys=False)
    timings["total_s"] = round(time.perf_counter() - start, 3)
    outcome.replaced = (Path(out_dir) / scenario.name).exists()
    outcome.run_dir = write_run(
        out_dir,
        scenario.name,
        result_tables(prepared, solution),
        manifest(scenario, prepared, result, timings) | outcome.headline,
        extra_files=files,
        overwrite=overwrite,
    )
    return outcome


def _serve_most(
    prepared: Prepared, scenario: Scenario, save_lp: bool, report: Progress, first: SolveResult
) -> tuple[SolveResult, dict[str, pd.DataFrame], dict[str, str]]:
    """A must-serve model that is infeasible (demands that can each be served but not all
    together on the candidate links' largest system counts): solve it again as "the most
    key, then the least cost" (``engine.service.serve_most``), saying so."""
    report("solve", {"stage": "must_serve infeasible: most key, then least cost"})
    data = serve_most(prepared.model_data)
    again = replace(prepared, model_data=data)
    result, solution, files = _solve(again, scenario, save_lp, report, strategy="exact")
    result.message = (
        "the required key cannot all be served together (must_serve infeasible in "
        f"{first.timings_s.get('total_s', 0):.0f} s): planned for the most key, then the least "
        f"cost; {result.message}"
    )
    return result, solution, files


def _solve(
    prepared: Prepared,
    scenario: Scenario,
    save_lp: bool,
    report: Progress,
    strategy: str | None = None,
) -> tuple[SolveResult, dict[str, pd.DataFrame], dict[str, str]]:
    """``optimise`` the prepared tables with the scenario's solver options; (result,
    solution tables, the text files for the run folder: HiGHS's log, and the model as
    ``model.lp`` with ``save_lp``)."""
    with TemporaryDirectory(prefix="qroad-") as scratch:
        log_path = Path(scratch) / "solver.log"
        lp_path = Path(scratch) / "model.lp" if save_lp else None
        options = solve_options(scenario, log_path, lp_path)
        if strategy is not None:
            options = replace(options, strategy=strategy)
        result, solution = optimise(
            prepared.model_data,
            options,
            lambda info: report("solve", info),
        )
        files = {"solver.log": log_path.read_text(encoding="utf-8") if log_path.exists() else ""}
        if lp_path is not None:
            files["model.lp"] = lp_path.read_text(encoding="utf-8")
    return result, solution, files


def manifest(
    scenario: Scenario, prepared: Prepared, result: SolveResult, timings: dict[str, float]
) -> dict[str, Any]:
    """Everything needed to reproduce and judge the run (written as manifest.json, with the
    headline numbers of ``engine.results.headline``: cost_eur, unserved_penalty_eur,
    objective_eur = their sum, unserved_bps per period)."""
    return {
        "status": result.status,
        "objective_eur": result.objective,
        "bound_eur": result.bound,
        "gap": result.gap,
        "lp_bound_eur": result.lp_bound,
        "warm_start_objective_eur": result.start_objective,
        "solver": {
            "name": "highs",
            "version": result.solver_version,
            "message": result.message,
            "time_limit_s": scenario.solver.time_limit_s,
            "mip_gap": scenario.solver.mip_gap,
            "threads": scenario.solver.threads,
            "seed": scenario.solver.seed,
            "strategy": scenario.solver.strategy,
            "strategy_used": result.strategy or scenario.solver.strategy,
        },
        "service": {
            **scenario.demand.service.model_dump(),
            "excluded": describe_unservable(prepared.unservable, limit=1000),
        },
        "model_size": prepared.model_data.describe(),
        "network_notes": list(prepared.network.notes),
        "timings_s": timings,
        "versions": package_versions(),
        "environment": environment(),
        "source_file": str(scenario.source_file) if scenario.source_file else None,
        "scenario_resolved": scenario.resolved(),
    }
