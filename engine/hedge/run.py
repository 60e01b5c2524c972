"""``qroad hedge``: a scenario under several timelines -> one hedged plan -> its folder.

``hedge_scenario`` loads the scenario once per future (``--timeline`` semantics: the
timeline replaced, everything else as the file and ``--set`` say), prepares each
(``engine.prepare``), hands the ModelData to ``optimizer.hedge.solve_hedge`` with the
scenario's solver options (its time limit per single-future solve; the extensive form gets
the number of futures times it) and writes ``DIR/<name>-hedged/`` (``engine.hedge.store``)
with the manifest of docs/hedge.md. With ``from_sweep`` the futures are instead the first
``samples`` samples of a sweep folder, each of probability 1/``samples``
(``engine.hedge.sampled``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from engine.hedge.futures import check_commit_year
from engine.hedge.sampled import sweep_futures
from engine.hedge.store import write_hedged
from engine.manifest import environment, package_versions
from engine.pipeline import result_tables, solve_options
from engine.prepare import Prepared, prepare
from engine.results import RunExistsError
from engine.results.headline import headline
from engine.scenario import Scenario, load_scenario
from optimizer import ModelData
from optimizer.hedge import Future, HedgeResult, PHSettings, Risk, solve_hedge

Progress = Callable[[dict[str, Any]], None]


@dataclass
class HedgeOutcome:
    """What ``hedge_scenario`` produced: the run's name, the result, where it was written."""

    name: str
    result: HedgeResult
    run_dir: Path | None
    timings_s: dict[str, float]


def hedged_name(path: Path, overrides: Sequence[str] = ()) -> tuple[str, Scenario]:
    """``<scenario name>-hedged`` and the scenario as the file (and ``--set``) state it."""
    base = load_scenario(path, overrides=overrides)
    return f"{base.name}-hedged", base


def combined(result: HedgeResult, prepared: dict[str, Prepared]) -> dict[str, pd.DataFrame]:
    """Every contract table of every future, stacked, with ``future`` and ``probability``."""
    out: dict[str, list[pd.DataFrame]] = {}
    for f in result.futures:
        tables = result_tables(prepared[f], result.tables[f])
        for name, frame in tables.items():
            tagged = frame.assign(future=f, probability=result.probabilities[f])
            out.setdefault(name, []).append(tagged)
    return {name: pd.concat(frames, ignore_index=True) for name, frames in out.items()}


def common_requirements(
    data: dict[str, ModelData], commit_until: int
) -> tuple[dict[str, ModelData], float]:
    """Under ``must_serve`` each future requires the key its own technologies can serve
    (``demand_rates.min_served_bps``). Before the commit year the plan is shared, so there
    every future requires only what every future can serve: the least ``min_served_bps``
    over the futures, per demand and period (docs/hedge.md). Returns the data and the
    bit/s no longer required (summed over demands, periods and futures)."""
    frames = [d.demand_rates for d in data.values()]
    if not all("min_served_bps" in f.columns for f in frames):
        return data, 0.0
    key = ["demand", "period"]
    least = pd.concat(frames).groupby(key, as_index=False)["min_served_bps"].min()
    least = least[least["period"] < commit_until].rename(columns={"min_served_bps": "least"})
    out, dropped = {}, 0.0
    for name, d in data.items():
        rates = d.demand_rates.merge(least, on=key, how="left")
        floor = rates["least"].fillna(rates["min_served_bps"]).clip(upper=rates["min_served_bps"])
        dropped += float((rates["min_served_bps"] - floor).sum())
        out[name] = replace(
            d, demand_rates=rates.drop(columns="least").assign(min_served_bps=floor)
        )
    return out, dropped


def hedge_scenario(
    path: Path,
    *,
    futures: Sequence[tuple[str, float]] = (),
    commit_until: int,
    out_dir: Path,
    risk: Risk | None = None,
    method: str = "auto",
    ph: PHSettings | None = None,
    overrides: Sequence[str] = (),
    expected: str | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
    from_sweep: Path | None = None,
    samples: int | None = None,
    first_plan: bool = False,
    workers: int | None = None,
) -> HedgeOutcome:
    """Hedge scenario ``path`` across ``futures`` (timeline, probability), or across the
    first ``samples`` samples of sweep folder ``from_sweep``, and write the folder when
    there is a plan. ``method``: ``ef``, ``ph`` or ``auto`` (``optimizer.hedge.ph_plan``);
    ``ph``: progressive hedging's settings; ``first_plan``: every single-future solve stops
    at its first plan with a bound (``SolveOptions.first_plan``); ``workers``: single-future
    solves at once in worker processes (None: ``optimizer.hedge.pool.choose_workers``).
    Input errors raise ``QroadInputError``/``ValueError``."""
    say = progress or (lambda info: None)
    start = time.perf_counter()
    name, base = hedged_name(Path(path), overrides)
    check_commit_year(commit_until, base.horizon.start_year, base.horizon.end_year)
    provenance: dict[str, Any] = {}
    if from_sweep is not None:
        sampled = sweep_futures(Path(from_sweep), int(samples or 0), base, Path(path))
        futures, scenarios = sampled.futures, sampled.scenarios
        expected, provenance = expected or sampled.expected, sampled.provenance
    else:
        scenarios = {t: load_scenario(path, overrides=overrides, timeline=t) for t, _ in futures}
    if (Path(out_dir) / name).exists() and not overwrite:
        raise RunExistsError(f"{Path(out_dir) / name} exists; pass --overwrite to replace it")
    if expected is not None and expected not in [n for n, _ in futures]:
        raise ValueError(f"--expected {expected!r} is not one of the futures")
    prepared: dict[str, Prepared] = {}
    for future, _ in futures:
        say({"stage": "prepare", "future": future})
        prepared[future] = prepare(scenarios[future])
    timings = {"prepare_s": round(time.perf_counter() - start, 3)}
    options = replace(solve_options(base), first_plan=first_plan)
    data, relaxed_bps = common_requirements(
        {n: prepared[n].model_data for n, _ in futures}, commit_until
    )
    result = solve_hedge(
        [Future(n, p, data[n]) for n, p in futures],
        commit_until,
        risk=risk,
        options=options,
        expected=expected,
        progress=say,
        method=method,
        ph=ph,
        workers=workers,
    )
    timings.update({f"solver_{k}": v for k, v in result.timings_s.items()})
    if relaxed_bps > 0:
        result.message += (
            f"; before {commit_until} only the key every future can serve is required "
            f"({relaxed_bps:,.0f} bit/s summed over demands, periods and futures less)"
        )
    outcome = HedgeOutcome(name, result, None, timings)
    if not result.has_plan:
        return outcome
    say({"stage": "write", "out_dir": str(out_dir)})
    timings["total_s"] = round(time.perf_counter() - start, 3)
    outcome.run_dir = write_hedged(
        out_dir,
        name,
        combined(result, prepared),
        {"commitments": result.commitments, "regrets": result.regrets()},
        manifest(base, result, commit_until, timings, first_plan=first_plan)
        | provenance_entry(provenance),
        extra_files={"scenario.yaml": yaml.safe_dump(base.resolved(), sort_keys=False)},
        overwrite=overwrite,
    )
    return outcome


def manifest(
    base: Scenario,
    result: HedgeResult,
    commit_until: int,
    timings: dict[str, float],
    *,
    first_plan: bool = False,
) -> dict[str, Any]:
    """The hedged folder's manifest: ``optimizer.hedge.HedgeResult.summary`` (expected
    cost, wait-and-see, EEV, EVPI, VSS, regrets; EUR, discounted), the headline numbers of
    each future, the solver settings, versions and the scenario as the file states it."""
    heads = {
        f: headline(result.tables[f]["costs"], result.tables[f]["served"]) for f in result.futures
    }
    return {
        **result.summary(),
        "commit_until": commit_until,
        "headline_by_future": heads,
        "solver": {
            "name": "highs",
            "time_limit_s_per_future": base.solver.time_limit_s,
            "mip_gap": base.solver.mip_gap,
            "threads": base.solver.threads,
            "strategy": base.solver.strategy,
            "hedge_method": result.method,
            "first_plan": first_plan,
            "workers": result.workers,
        },
        "timings_s": timings,
        # mpi-sppy solved the PH subproblems
        "versions": package_versions(("mpi-sppy",) if result.method == "ph" else ()),
        "environment": environment(),
        "source_file": str(base.source_file) if base.source_file else None,
        "scenario_resolved": base.resolved(),
    }


def provenance_entry(provenance: dict[str, Any]) -> dict[str, Any]:
    """The manifest's ``from_sweep`` entry (sampled futures only): the sweep folder, its
    fingerprint, seed and size, the samples taken, each future's drawn values and how the
    expected future was chosen."""
    return {"from_sweep": provenance} if provenance else {}
