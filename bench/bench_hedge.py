"""Benchmark: ``qroad hedge`` as a user runs it, against issue 21's targets.

    .venv/bin/python bench/bench_hedge.py                         # both cases, 2 workers
    .venv/bin/python bench/bench_hedge.py --only uk-backbone --workers 1,2
    .venv/bin/python bench/bench_hedge.py --out docs/benchmarks-hedge.md

Cases (the commands of docs/benchmarks.md, "Hedged plans"):

- ``ukqn``: the UK Quantum Network, futures early 0.25 / mid 0.5 / late 0.25, commit
  until 2030, the extensive form; target: the extensive form within 3x one future's own
  solve time to the same gap;
- ``uk-backbone``: the UK backbone, same futures, ``--first-plan --ph-iterations 0
  --ph-total-time 60 --time-limit 300``; target: a plan with a reported gap within 10 min.

Per case and worker count: wall time of the whole command, the manifest's stage times
(prepare, own solves, held plans, extensive form or PH), status, gap, expected cost,
wait-and-see, EEV, EVPI and VSS. Machine, date, command and load average go with the
table. Not a test: a run of both cases takes about 10 minutes with two workers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
QROAD = Path(sys.executable).parent / "qroad"
FUTURES = ["--futures", "early:0.25,mid:0.5,late:0.25", "--commit-until", "2030"]
CASES: dict[str, list[str]] = {
    "ukqn": ["scenarios/uk-quantum-network.yaml", *FUTURES],
    "uk-backbone": [
        "scenarios/uk-backbone.yaml",
        *FUTURES,
        *["--first-plan", "--ph-iterations", "0", "--ph-total-time", "60"],
        *["--time-limit", "300"],
    ],
}


def run_case(name: str, workers: int, out: Path) -> dict[str, Any]:
    """One ``qroad hedge`` command; its manifest's figures and the wall time."""
    cmd = [str(QROAD), "hedge", *CASES[name], "--workers", str(workers)]
    cmd += ["--out", str(out), "--quiet"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    row: dict[str, Any] = {"case": name, "workers": workers, "wall_s": time.perf_counter() - t0}
    found = list(out.glob("*-hedged/manifest.json"))
    if not found:
        return row | {"status": f"exit {proc.returncode}: {proc.stderr.strip()[-200:]}"}
    m = json.loads(found[0].read_text())
    keys = ("status", "gap", "expected_cost_eur", "wait_and_see_eur", "eev_eur", "evpi_eur",
            "vss_eur")  # fmt: skip
    return row | {k: m.get(k) for k in keys} | {"timings_s": m.get("timings_s", {})}


def _meur(x: float | None) -> str:
    return "–" if x is None else f"{x / 1e6:,.2f}"


def table(rows: list[dict[str, Any]]) -> str:
    head = ("| case | workers | wall | prepare s | own s | held s | EF / PH s | status | gap "
            "| expected M€ | wait-and-see M€ | EEV M€ | EVPI M€ | VSS M€ |")  # fmt: skip
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        t = r.get("timings_s", {})
        last = t.get("solver_extensive_s", t.get("solver_ph_s"))
        gap = "–" if r.get("gap") is None else f"{100 * r['gap']:.2f} %"
        minutes, seconds = divmod(round(r["wall_s"]), 60)
        lines.append(
            f"| {r['case']} | {r['workers']} | {minutes} min {seconds} s "
            f"| {t.get('prepare_s', '–')} | {t.get('solver_own_s', '–')} "
            f"| {t.get('solver_cross_s', '–')} | {last if last is not None else '–'} "
            f"| {r.get('status')} | {gap} | {_meur(r.get('expected_cost_eur'))} "
            f"| {_meur(r.get('wait_and_see_eur'))} | {_meur(r.get('eev_eur'))} "
            f"| {_meur(r.get('evpi_eur'))} | {_meur(r.get('vss_eur'))} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help=f"comma-separated cases (default: {','.join(CASES)})")
    ap.add_argument("--workers", default="2", help="comma-separated worker counts (default 2)")
    ap.add_argument("--out", type=Path, help="also write the table here (markdown)")
    args = ap.parse_args()
    names = args.only.split(",") if args.only else list(CASES)
    unknown = sorted(set(names) - set(CASES))
    if unknown:
        ap.error(f"unknown case(s) {unknown}; allowed: {', '.join(CASES)}")
    started = dt.datetime.now(dt.UTC)
    load = os.getloadavg()[0]
    rows = []
    for name in names:
        for workers in (int(w) for w in args.workers.split(",")):
            with TemporaryDirectory() as tmp:
                rows.append(run_case(name, workers, Path(tmp)))
            print(table(rows[-1:]).splitlines()[-1], flush=True)
    text = (
        f"Machine: {platform.node()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {started:%Y-%m-%d %H:%M} UTC, load average {load:.2f} "
        f"at the start.\nCommand: `{' '.join([Path(sys.executable).name, *sys.argv])}`\n\n"
        + table(rows)
    )
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
