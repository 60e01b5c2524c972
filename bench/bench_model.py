"""Benchmark: size and speed of the optimisation model, and its modelling overhead.

    .venv/bin/python bench/bench_model.py [--instances uk-backbone,gabriel-25] [--large]
        [--time-limit 120] [--out docs/benchmarks-model.md]

Each instance runs in its own subprocess (so ``ru_maxrss`` is that instance's peak memory):
prepare ModelData (``engine.prepare.prepare``), build the Pyomo model, ``optimizer.solve``
(time limit from ``--time-limit``), extract; then the same model written to MPS
(``optimizer.write_model``) is solved by highspy alone with the same time limit and threads.
Modelling overhead = (prepare + build + extract) / highspy's own solve time. Peak memory
is read before the highspy run. Prints a Markdown table and writes it, with the machine,
date, command and load average, to ``--out``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SC = ROOT / "scenarios"
THREE = [  # 3 periods: 2025, 2030, 2035 (the trust mix must stay inside the horizon)
    "horizon.end_year=2040",
    "demand.trust_mix={2025: {trusted: 1.0}, 2035: {trusted: 0.7, partial: 0.2, trust_free: 0.1}}",
]
# name -> (scenario file, overrides); the horizon's end year sets the periods (5 y each)
INSTANCES: dict[str, tuple[Path, list[str]]] = {
    "uk-backbone-5p": (SC / "uk-backbone.yaml", []),
    "uk-backbone-3p": (SC / "uk-backbone.yaml", [*THREE]),
    "uk-quantum-network-5p": (SC / "uk-quantum-network.yaml", []),
    "germany50-3p": (SC / "germany50.yaml", [*THREE]),
    "germany50-6p": (SC / "germany50.yaml", ["horizon.end_year=2055"]),
    "gabriel-25-3p": (SC / "base.yaml", ["network.topology=topohub:gabriel/25/0",
                                         *THREE]),
    "gabriel-50-3p": (SC / "base.yaml", ["network.topology=topohub:gabriel/50/0",
                                         *THREE]),
}  # fmt: skip
LARGE: dict[str, tuple[Path, list[str]]] = {
    "gabriel-100-3p": (SC / "base.yaml", ["network.topology=topohub:gabriel/100/0",
                                          *THREE]),
    "gabriel-200-3p": (SC / "base.yaml", ["network.topology=topohub:gabriel/200/0",
                                          *THREE]),
    "europe-3p": (SC / "base.yaml", ["network.topology=topohub:backbone/europe",
                                     *THREE]),
}  # fmt: skip
DEFAULT = ["uk-backbone-5p", "uk-quantum-network-5p", "germany50-3p", "gabriel-25-3p",
           "gabriel-50-3p"]  # fmt: skip


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_one(name: str, time_limit: float) -> dict[str, Any]:
    """Prepare, build, solve, extract one instance, then highspy alone on its MPS file."""
    import highspy
    import pyomo.environ as pyo

    from engine.prepare import prepare
    from engine.scenario import load_scenario
    from optimizer import SolveOptions, build_model, extract, solve, write_model

    path, overrides = {**INSTANCES, **LARGE}[name]
    scenario = load_scenario(path, overrides=overrides)
    out: dict[str, Any] = {"instance": name}
    t0 = time.perf_counter()
    data = prepare(scenario).model_data
    out["prepare_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    model = build_model(data)
    out["build_s"] = time.perf_counter() - t0
    variables = list(model.component_data_objects(pyo.Var, descend_into=True))
    out["sites"] = len(data.sites)
    out["periods"] = len(data.periods)
    out["variables"] = len(variables)
    out["integers"] = sum(v.is_integer() or v.is_binary() for v in variables)
    out["constraints"] = sum(1 for _ in model.component_data_objects(pyo.Constraint))
    spec = scenario.solver
    opts = SolveOptions(time_limit_s=time_limit, mip_gap=spec.mip_gap, threads=spec.threads)
    t0 = time.perf_counter()
    res = solve(model, opts)
    out["solve_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    if res.has_solution:
        extract(model, data)
    out["extract_s"] = time.perf_counter() - t0
    out |= {"status": res.status, "objective": res.objective, "bound": res.bound,
            "gap": res.gap, "lp_bound": res.lp_bound, "stages": res.timings_s}  # fmt: skip
    out["peak_mb"] = _peak_mb()
    with TemporaryDirectory(prefix="qroad-bench-") as tmp:
        mps = write_model(model, Path(tmp) / "model.mps")
        del model
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.readModel(str(mps))
        out["nonzeros"] = int(h.getNumNz())
        h.setOptionValue("time_limit", float(time_limit))
        h.setOptionValue("threads", int(spec.threads))
        h.setOptionValue("mip_rel_gap", float(spec.mip_gap))
        t0 = time.perf_counter()
        h.run()
        out["highs_s"] = time.perf_counter() - t0
        info = h.getInfo()
        out["highs_objective"] = info.objective_function_value
        out["highs_gap"] = info.mip_gap
    model_s = out["prepare_s"] + out["build_s"] + out["extract_s"]
    out["overhead"] = model_s / max(out["highs_s"], 1e-9)
    return out


def _fmt(x: Any, spec: str) -> str:
    return "–" if x is None else format(x, spec)


def table(rows: list[dict[str, Any]]) -> str:
    head = ("| instance | sites | periods | variables | integers | constraints | non-zeros "
            "| prepare s | build s | solve s | extract s | LP bound | objective | bound | gap "
            "| peak MB | HiGHS-alone s | HiGHS-alone gap | overhead |")  # fmt: skip
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['instance']} | error: {r['error']} |")
            continue
        lines.append(
            f"| {r['instance']} | {r['sites']} | {r['periods']} | {r['variables']:,} "
            f"| {r['integers']:,} | {r['constraints']:,} | {r['nonzeros']:,} "
            f"| {r['prepare_s']:.1f} | {r['build_s']:.1f} | {r['solve_s']:.1f} "
            f"| {r['extract_s']:.1f} | {_fmt(r['lp_bound'], '.4g')} "
            f"| {_fmt(r['objective'], '.4g')} "
            f"| {_fmt(r['bound'], '.4g')} | {_fmt(r['gap'], '.1%')} | {r['peak_mb']:.0f} "
            f"| {r['highs_s']:.1f} | {_fmt(r['highs_gap'], '.1%')} | {r['overhead']:.0%} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", default=",".join(DEFAULT))
    ap.add_argument("--large", action="store_true", help="add gabriel 100/200 and Europe")
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks-model.md")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.time_limit), default=str))
        return
    load = os.getloadavg()  # before the run
    names = [n for n in args.instances.split(",") if n] + (list(LARGE) if args.large else [])
    rows = []
    for name in names:
        cmd = [sys.executable, __file__, "--one", name, "--time-limit", str(args.time_limit)]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        last = proc.stdout.strip().splitlines()[-1:] if proc.stdout.strip() else []
        try:
            rows.append(json.loads(last[0]))
        except (IndexError, json.JSONDecodeError):
            rows.append(
                {"instance": name, "error": (proc.stderr.strip().splitlines() or ["?"])[-1]}
            )
        print(json.dumps(rows[-1], default=str), flush=True)
    text = "\n".join([
        "# Model benchmarks (bench/bench_model.py)", "",
        f"- date: {dt.datetime.now().isoformat(timespec='seconds')}",
        f"- machine: `{' '.join(platform.uname())}`, nproc {os.cpu_count()}",
        f"- load average before: {load}",
        f"- command: `{' '.join([Path(sys.executable).name, *sys.argv])}`",
        f"- time limit per solve: {args.time_limit:g} s (qroad and HiGHS alone each)", "",
        table(rows), "",
        "overhead = (prepare + build + extract) / HiGHS-alone solve time; stage times per",
        "instance (LP, warm start, relaxed MIP, final MIP) are in the JSON lines printed.", "",
    ])  # fmt: skip
    args.out.write_text(text)
    print(table(rows))


if __name__ == "__main__":
    main()
