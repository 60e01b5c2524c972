"""Benchmark: size and speed of the optimisation model, and its modelling overhead.

    .venv/bin/python bench/bench_model.py [--instances uk-backbone-5p,germany50-6p@rolling@600]
        [--large] [--time-limit 120] [--strategy exact|rolling|decomposed] [--no-highs-alone]
        [--out docs/benchmarks-model.md] [--plot docs/img/bench-model.png]

Each instance runs in its own subprocess (so ``ru_maxrss`` is that instance's peak memory):
prepare ModelData (``engine.prepare.prepare``), build the Pyomo model, solve (time limit
``--time-limit``; ``--strategy`` as ``solver.strategy``), extract; then the same model as MPS
(``optimizer.write_model``) is solved by highspy alone with the same time limit and threads.
Modelling overhead = (prepare + build + extract) / highspy's own solve time. Peak memory
is read before the highspy run (``--no-highs-alone`` skips that run). Prints a Markdown
table and writes it, with the machine, date, command and load average, to ``--out``; with
``--plot``, a PNG of solve time and gap against sites.
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
BKS = ROOT / "bench" / "bks"  # one JSON per instance: best known plan and bound
THREE = [  # 3 periods: 2025, 2030, 2035 (the trust mix must stay inside the horizon)
    "horizon.end_year=2040",
    "demand.trust_mix={2025: {trusted: 1.0}, 2035: {trusted: 0.7, partial: 0.2, trust_free: 0.1}}",
]
# name -> (scenario file, overrides); the horizon's end year sets the periods (5 y each)
INSTANCES: dict[str, tuple[Path, list[str]]] = {
    "uk-backbone-5p": (SC / "uk-backbone.yaml", []),
    "uk-backbone-3p": (SC / "uk-backbone.yaml", [*THREE]),
    "uk-backbone-6p": (SC / "uk-backbone.yaml", ["horizon.end_year=2055"]),
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
    "europe-3p": (SC / "europe.yaml", []),  # 12 capital regions, 3 periods
}  # fmt: skip
# `--large` runs these with the strategy and time limit each needs (NAME@STRATEGY@SECONDS)
LARGE_RUNS = ["gabriel-100-3p@rolling@300", "gabriel-200-3p@decomposed@1800",
              "europe-3p@decomposed@1800"]  # fmt: skip
DEFAULT = ["uk-backbone-5p", "uk-quantum-network-5p", "germany50-3p", "gabriel-25-3p",
           "gabriel-50-3p"]  # fmt: skip


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_one(
    name: str, time_limit: float, strategy: str = "exact", highs_alone: bool = True
) -> dict[str, Any]:
    """Prepare one instance and ``optimise`` it (build, solve, extract; the model also
    written as MPS), then run highspy alone on that MPS file. Model sizes are HiGHS's
    counts of the MPS file, i.e. of the model as built."""
    import highspy

    from engine.prepare import prepare
    from engine.scenario import load_scenario
    from optimizer import SolveOptions, optimise

    path, overrides = {**INSTANCES, **LARGE}[name]
    scenario = load_scenario(path, overrides=overrides)
    out: dict[str, Any] = {"instance": name, "strategy": strategy, "time_limit_s": time_limit}
    t0 = time.perf_counter()
    data = prepare(scenario).model_data
    out["prepare_s"] = time.perf_counter() - t0
    out["sites"] = len(data.sites)
    out["periods"] = len(data.periods)
    spec = scenario.solver
    with TemporaryDirectory(prefix="qroad-bench-") as tmp:
        mps = Path(tmp) / "model.mps"
        opts = SolveOptions(time_limit_s=time_limit, mip_gap=spec.mip_gap,
                            threads=spec.threads, strategy=strategy, model_path=mps)  # fmt: skip
        t0 = time.perf_counter()
        res, _ = optimise(data, opts)
        total_s = time.perf_counter() - t0
        stages = dict(res.timings_s)
        out["build_s"] = stages.pop("build_s")
        out["extract_s"] = stages.pop("extract_s")
        out["solve_s"] = total_s - out["build_s"] - out["extract_s"]
        out["solve_s"] -= stages.pop("write_model_s", 0.0)
        out |= {"status": res.status, "objective": res.objective, "bound": res.bound,
                "gap": res.gap, "lp_bound": res.lp_bound, "stages": stages,
                "strategy_used": res.strategy, "threads": spec.threads}  # fmt: skip
        out["peak_mb"] = _peak_mb()
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.readModel(str(mps))
        lp = h.getLp()
        out["variables"], out["constraints"] = int(lp.num_col_), int(lp.num_row_)
        out["integers"] = sum(1 for x in lp.integrality_ if x != highspy.HighsVarType.kContinuous)
        out["nonzeros"] = int(h.getNumNz())
        out["highs_s"] = out["highs_gap"] = out["overhead"] = None
        if not highs_alone:
            return out
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


def _commit() -> str:
    proc = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True, cwd=ROOT)  # fmt: skip
    return proc.stdout.strip() or "?"


def read_bks(name: str) -> dict[str, Any]:
    """The instance's best known objective and bound (EUR) with how each was found; {}
    when no file exists yet."""
    path = BKS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def update_bks(row: dict[str, Any], command: str) -> dict[str, Any]:
    """Record a run's plan and bound in ``bench/bks/<instance>.json`` where they beat the
    file's (a lower objective, a higher bound); returns the file's content after."""
    name = row["instance"]
    bks = read_bks(name)
    found = {"command": command, "commit": _commit(), "strategy": row["strategy"],
             "date": dt.datetime.now().isoformat(timespec="seconds"),
             "time_limit_s": row["time_limit_s"], "solve_s": round(row["solve_s"], 1),
             "threads": row.get("threads"), "load_average": list(os.getloadavg())}  # fmt: skip
    changed = False
    obj, bound = row.get("objective"), row.get("bound")
    if obj is not None and obj < bks.get("objective_eur", float("inf")):
        bks |= {"objective_eur": obj, "objective_found": found}
        changed = True
    if bound is not None and bound > bks.get("bound_eur", float("-inf")):
        bks |= {"bound_eur": bound, "bound_found": found}
        changed = True
    if changed:
        BKS.mkdir(parents=True, exist_ok=True)
        (BKS / f"{name}.json").write_text(json.dumps({"instance": name, **bks}, indent=2) + "\n")
    return bks


def with_gaps(row: dict[str, Any], bks: dict[str, Any]) -> dict[str, Any]:
    """``primal_gap`` = (plan - best known) / best known; ``dual_gap`` = (best known -
    bound) / best known; ``gap`` stays the run's proven (plan - bound) / plan."""
    best = bks.get("objective_eur")
    obj, bound = row.get("objective"), row.get("bound")
    row["bks_objective"] = best
    row["primal_gap"] = (obj - best) / best if obj is not None and best else None
    row["dual_gap"] = (best - bound) / best if bound is not None and best else None
    return row


def _fmt(x: Any, spec: str) -> str:
    return "–" if x is None else format(x, spec)


STAGES = {"lp_s": "LP", "warm_start_s": "start", "relaxed_mip_s": "relaxed MIP",
          "rounding_s": "rounding", "mip_s": "MIP"}  # fmt: skip


def split(stages: dict[str, float]) -> str:
    """Where the solve's time went: ``LP 80 / start 35 / MIP 51`` (seconds)."""
    parts = [f"{label} {stages[k]:.0f}" for k, label in STAGES.items() if stages.get(k)]
    return " / ".join(parts) or "–"


def table(rows: list[dict[str, Any]]) -> str:
    head = ("| instance | sites | periods | variables | integers | constraints | non-zeros "
            "| prepare s | build s | solve s | extract s | limit s | LP bound | objective | bound "
            "| gap | best known | primal gap | dual gap | peak MB | HiGHS-alone s "
            "| HiGHS-alone gap | overhead | solve time split s |")  # fmt: skip
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['instance']} | error: {r['error']} |")
            continue
        used = r.get("strategy_used") or r["strategy"]
        label = r["instance"] + f" ({used})"
        lines.append(
            f"| {label} | {r['sites']} | {r['periods']} | {r['variables']:,} "
            f"| {r['integers']:,} | {r['constraints']:,} | {_fmt(r['nonzeros'], ',')} "
            f"| {r['prepare_s']:.1f} | {r['build_s']:.1f} | {r['solve_s']:.1f} "
            f"| {r['extract_s']:.1f} | {r.get('time_limit_s', '–')} | {_fmt(r['lp_bound'], '.4g')} "
            f"| {_fmt(r['objective'], '.4g')} "
            f"| {_fmt(r['bound'], '.4g')} | {_fmt(r['gap'], '.1%')} "
            f"| {_fmt(r.get('bks_objective'), '.4g')} | {_fmt(r.get('primal_gap'), '.1%')} "
            f"| {_fmt(r.get('dual_gap'), '.1%')} | {r['peak_mb']:.0f} "
            f"| {_fmt(r['highs_s'], '.1f')} | {_fmt(r['highs_gap'], '.1%')} "
            f"| {_fmt(r['overhead'], '.0%')} | {split(r.get('stages', {}))} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", default=",".join(DEFAULT))
    ap.add_argument("--large", action="store_true", help="add LARGE_RUNS: gabriel 100/200, Europe")
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks-model.md")
    ap.add_argument("--strategy", default="auto",
                    choices=["auto", "exact", "rolling", "decomposed"])  # fmt: skip
    ap.add_argument("--no-highs-alone", action="store_true", help="skip HiGHS on the MPS")
    ap.add_argument("--plot", type=Path, help="PNG of solve time and gap against sites")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        row = run_one(args.one, args.time_limit, args.strategy, not args.no_highs_alone)
        print(json.dumps(row, default=str))
        return
    load = os.getloadavg()  # before the run
    names = [n for n in args.instances.split(",") if n] + (LARGE_RUNS if args.large else [])
    rows = []
    for token in names:  # NAME[@STRATEGY[@SECONDS]]: per-instance strategy and time limit
        parts = token.split("@")
        name = parts[0]
        strategy = parts[1] if len(parts) > 1 else args.strategy
        limit = parts[2] if len(parts) > 2 else str(args.time_limit)
        cmd = [sys.executable, __file__, "--one", name, "--time-limit", limit,
               "--strategy", strategy]  # fmt: skip
        cmd += ["--no-highs-alone"] * args.no_highs_alone
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        last = proc.stdout.strip().splitlines()[-1:] if proc.stdout.strip() else []
        try:
            row = json.loads(last[0])
            rows.append(with_gaps(row, update_bks(row, " ".join(cmd[1:]))))
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
        "gap = (plan - bound) / plan, proven by this run; best known = the lowest plan any",
        "run recorded in bench/bks/<instance>.json; primal gap = (plan - best known) / best",
        "known; dual gap = (best known - bound) / best known.",
        "overhead = (prepare + build + extract) / HiGHS-alone solve time; stage times per",
        "instance (LP, warm start, relaxed MIP, final MIP) are in the JSON lines printed.", "",
    ])  # fmt: skip
    args.out.write_text(text)
    print(table(rows))
    if args.plot:
        plot(rows, args.plot)


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    """Two panels against sites (log x): solve time (s) and final gap (%), one marker per
    instance, labelled."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = [r for r in rows if "error" not in r]
    fig, (ax_t, ax_g) = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    for r in ok:
        points = [(ax_t, r["solve_s"])]
        if r["gap"] is not None:  # no plan: no gap to draw
            points.append((ax_g, 100 * r["gap"]))
        for ax, y in points:
            ax.scatter(r["sites"], y, color="tab:blue")
            ax.annotate(r["instance"], (r["sites"], y), fontsize=7, xytext=(3, 3),
                        textcoords="offset points")  # fmt: skip
    ax_t.set(xscale="log", xlabel="sites", ylabel="solve time (s)", title="Solve time")
    ax_g.set(xscale="log", xlabel="sites", ylabel="final gap (%)", title="Gap at the end")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    main()
