"""Benchmark: throughput of a sweep on a LocalCluster with 1 and 2 workers, and the per-task
overhead of Dask + the sweep's bookkeeping compared with a plain loop of the same solves.

    .venv/bin/python bench/bench_sweep.py [--scenario scenarios/uk-sweep.yaml] [--samples 40]
        [--overhead-scenario scenarios/tiny.yaml] [--workers 1,2]

Throughput: ``--scenario``'s samples (same seed) on a fresh LocalCluster of 1 and of 2
single-threaded worker processes (cluster start-up timed apart, not counted), one HiGHS
thread per solve. Overhead: ``--overhead-scenario``'s samples (a small scenario, a few seconds a
sample, so the overhead is not lost in the UK solves' time noise) as a plain loop of
``run_scenario`` in this process and as a 1-worker sweep; per-task overhead =
(1-worker sweep time - loop time) / samples. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from engine.paths import DATA_DIR
from engine.pipeline import run_scenario
from engine.scenario import Scenario, load_scenario
from engine.sweep.runner import plan_sweep, run_sweep, sweep_client
from engine.sweep.sampling import sample_scenario


def plain_loop(scenario: Scenario, samples: int, seed: int) -> float:
    """Seconds to solve every sample with run_scenario in this process."""
    design, _ = plan_sweep(scenario, samples=samples, seed=seed)
    inputs = [c for c in design.columns if c != "sample"]
    base_dir = scenario.source_file.parent if scenario.source_file else Path.cwd()
    context = {"data_dir": DATA_DIR, "base_dir": base_dir}
    start = time.perf_counter()
    with TemporaryDirectory(prefix="qroad-bench-loop-") as tmp:
        for row in design.to_dict("records"):
            data = sample_scenario(scenario, {c: row[c] for c in inputs}, int(row["sample"]))
            run_scenario(Scenario.model_validate(data, context=context), out_dir=Path(tmp))
    return time.perf_counter() - start


def cluster_sweep(scenario: Scenario, samples: int, seed: int, workers: int) -> dict[str, Any]:
    """Start-up and sweep seconds on a fresh LocalCluster of ``workers`` processes."""
    t0 = time.perf_counter()
    with (
        sweep_client(n_workers=workers) as client,
        TemporaryDirectory(prefix="qroad-bench-sweep-") as tmp,
    ):
        startup_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        outcome = run_sweep(scenario, out_dir=Path(tmp), client=client, samples=samples, seed=seed)
        sweep_s = time.perf_counter() - t1
        statuses = outcome.samples["status"].value_counts().to_dict()
    return {"startup_s": round(startup_s, 2), "sweep_s": round(sweep_s, 2), "statuses": statuses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/uk-sweep.yaml")
    parser.add_argument("--overhead-scenario", default="scenarios/tiny.yaml")
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    args = parser.parse_args()
    scenario = load_scenario(args.scenario, overrides=["solver.threads=1"])
    small = load_scenario(args.overhead_scenario, overrides=["solver.threads=1"])
    loop_s = plain_loop(small, args.samples, args.seed)
    small_sweep_s = cluster_sweep(small, args.samples, args.seed, 1)["sweep_s"]
    runs = {
        int(w): cluster_sweep(scenario, args.samples, args.seed, int(w))
        for w in args.workers.split(",")
    }
    report: dict[str, Any] = {
        "scenario": args.scenario,
        "samples": args.samples,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "overhead_scenario": args.overhead_scenario,
        "overhead_loop_s": round(loop_s, 2),
        "overhead_1_worker_sweep_s": small_sweep_s,
        "overhead_per_task_s": round((small_sweep_s - loop_s) / args.samples, 3),
        "workers": {
            w: r | {"samples_per_min": round(60 * args.samples / r["sweep_s"], 2)}
            for w, r in runs.items()
        },
    }
    if 1 in runs:
        for w, r in runs.items():
            report["workers"][w]["speedup_vs_1_worker"] = round(
                runs[1]["sweep_s"] / r["sweep_s"], 2
            )
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
