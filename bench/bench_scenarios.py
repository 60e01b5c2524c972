"""Benchmark: every bundled scenario at full size, as a user runs it (``qroad run FILE``).

    .venv/bin/python bench/bench_scenarios.py [--only tiny,uk-backbone] [--timeline mid]
        [--out docs/benchmarks-scenarios.md]

Per scenario: the strategy ``auto`` chose, status, cost (capex + opex - residual value,
discounted, EUR), the unserved-key penalty, the proven gap, the key asked and served
(bit/s summed over demands and periods) and the demands left out as unservable, and the
wall time of the whole command (prepare, solve, write). Not a test: it takes as long as
the scenarios' own time limits (Europe: 30 minutes).
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

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
QROAD = Path(sys.executable).parent / "qroad"


def run_one(path: Path, timeline: str | None, out: Path) -> dict[str, Any]:
    """Run one scenario file through the CLI; its JSON summary and served-key totals."""
    cmd = [str(QROAD), "run", str(path), "--out", str(out), "--json"]
    cmd += ["--timeline", timeline] if timeline else []
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    row: dict[str, Any] = {"scenario": path.stem, "wall_s": time.perf_counter() - t0}
    try:
        summary = json.loads(proc.stdout)[0]  # --json: stdout is the JSON summary alone
    except (ValueError, IndexError, KeyError):
        return row | {"status": f"exit {proc.returncode}: {proc.stderr.strip()[-200:]}"}
    row |= {k: summary.get(k) for k in ("status", "cost_eur", "unserved_penalty_eur", "gap")}
    run_dir = Path(summary["run_dir"]) if summary.get("run_dir") else None
    if run_dir and (run_dir / "served.parquet").exists():
        served = pd.read_parquet(run_dir / "served.parquet")
        row["asked_bps"] = float(served["demand_bps"].sum())
        row["served_bps"] = float(served["served_bps"].sum())
        manifest = json.loads((run_dir / "manifest.json").read_text())
        row["strategy"] = manifest["solver"].get("strategy_used")
        row["excluded"] = len(manifest["service"].get("excluded") or [])
        row["time_limit_s"] = manifest["solver"]["time_limit_s"]
    return row


def _f(x: Any, spec: str) -> str:
    return "–" if x is None else format(x, spec)


def table(rows: list[dict[str, Any]]) -> str:
    head = ("| scenario | strategy | status | cost M€ | penalty M€ | gap | key asked bit/s "
            "| served | demands left out | limit s | wall s |")  # fmt: skip
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        share = r["served_bps"] / r["asked_bps"] if r.get("asked_bps") else None
        cost = r["cost_eur"] / 1e6 if r.get("cost_eur") is not None else None
        pen = r["unserved_penalty_eur"] / 1e6 if r.get("unserved_penalty_eur") is not None else None
        lines.append(
            f"| {r['scenario']} | {r.get('strategy') or '–'} | {r.get('status')} "
            f"| {_f(cost, ',.2f')} | {_f(pen, ',.2f')} | {_f(r.get('gap'), '.1%')} "
            f"| {_f(r.get('asked_bps'), ',.0f')} | {_f(share, '.1%')} | {r.get('excluded', '–')} "
            f"| {r.get('time_limit_s', '–')} | {r['wall_s']:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="comma-separated scenario names (default: every file)")
    ap.add_argument("--timeline", help="early, mid or late (default: each file's own)")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks-scenarios.md")
    args = ap.parse_args()
    files = sorted((ROOT / "scenarios").glob("*.yaml"))
    if args.only:
        files = [f for f in files if f.stem in args.only.split(",")]
    load = os.getloadavg()
    rows = []
    with TemporaryDirectory(prefix="qroad-scenarios-") as tmp:
        for path in files:
            rows.append(run_one(path, args.timeline, Path(tmp)))
            print(json.dumps(rows[-1], default=str), flush=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=ROOT).stdout.strip()  # fmt: skip
    text = "\n".join([
        "# Bundled scenarios at full size (bench/bench_scenarios.py)", "",
        f"- date: {dt.datetime.now().isoformat(timespec='seconds')}, commit {commit}",
        f"- machine: `{' '.join(platform.uname())}`, nproc {os.cpu_count()}",
        f"- load average before: {load}",
        f"- command: `{' '.join([Path(sys.executable).name, *sys.argv])}`", "",
        table(rows), "",
        "cost = capex + opex - residual value, discounted; penalty = unserved key at the",
        "scenario's penalty (must_serve runs have none); served = key served / key asked,",
        "summed over demands and periods, the demands left out (no technology can serve",
        "them) included in 'asked'; wall = the whole `qroad run` command.", "",
    ])  # fmt: skip
    args.out.write_text(text)
    print(table(rows))


if __name__ == "__main__":
    main()
