"""``qroad hedge`` on the command line (registered in engine.cli).

Exit codes as ``qroad run``: 0 solved within the gap, 1 stopped at a time limit with a
plan (written), 2 bad input (one line naming the flag and the value), 3 no plan.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from engine.cli_common import EXIT_NO_PLAN, EXIT_OK, EXIT_TIME_LIMIT, meur_text, solver_overrides

console = Console()
STEPS = {
    "prepare": "building network, demand and candidate links",
    "own optimum": "solving the future alone",
    "plan held": "holding one future's plan in another",
    "extensive form": "solving all futures together",
    "progressive hedging": "progressive hedging across the futures",
    "first plan": "first hedged plan",
    "solved": "solved",
    "write": "writing results",
}


def hedge_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    futures: Annotated[
        str | None,
        typer.Option(help="Timelines with probabilities, e.g. early:0.25,mid:0.5,late:0.25."),
    ] = None,
    from_sweep: Annotated[
        Path | None,
        typer.Option(
            "--from-sweep",
            help="Sweep folder (qroad sweep) whose first --samples samples are the futures, "
            "each of probability 1/N (instead of --futures).",
        ),
    ] = None,
    samples: Annotated[
        int | None, typer.Option(help="How many samples of --from-sweep to hedge across.")
    ] = None,
    commit_until: Annotated[
        int,
        typer.Option(
            "--commit-until",
            help="Decisions in periods starting before this year are shared by every future.",
        ),
    ] = 2030,
    out: Annotated[Path, typer.Option(help="Folder for DIR/<name>-hedged/.")] = Path("results"),
    risk: Annotated[
        str, typer.Option(help="expected | cvar:ALPHA:WEIGHT | regret (what is minimised).")
    ] = "expected",
    method: Annotated[
        str,
        typer.Option(
            help="ef (extensive form) | ph (progressive hedging, expected cost) | auto "
            "(ef up to 150,000 columns over all futures, ph above)."
        ),
    ] = "auto",
    ph_iterations: Annotated[
        int,
        typer.Option(
            "--ph-iterations", min=0, help="Progressive hedging: at most this many iterations."
        ),
    ] = 20,
    ph_time_limit: Annotated[
        float | None,
        typer.Option(
            "--ph-time-limit",
            min=1,
            help="Progressive hedging: time limit per subproblem solve (s; default --time-limit).",
        ),
    ] = None,
    ph_total_time: Annotated[
        float | None,
        typer.Option(
            "--ph-total-time",
            min=1,
            help="Progressive hedging: its iterations and candidate plans together, at most "
            "this (s) after the single-future solves (default: futures x --time-limit).",
        ),
    ] = None,
    first_plan: Annotated[
        bool,
        typer.Option(
            "--first-plan",
            help="Each single-future solve stops at its first plan with a bound (LP rounding, "
            "no MIP): for large networks, where the MIP rarely improves on it.",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Single-future solves run at once, each in its own process (default: the "
            "cores, for models of 2,000 columns or more; 1: one after another here).",
        ),
    ] = None,
    expected: Annotated[
        str | None,
        typer.Option(
            help="Future whose plan gives EEV (default: mid, else the most probable; "
            "with --from-sweep the sample closest to the mean)."
        ),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a scenario value: key.path=value (repeatable)."),
    ] = None,
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            help="Solver time limit per future (s); all together get "
            "the number of futures times it.",
        ),
    ] = None,
    mip_gap: Annotated[float | None, typer.Option(help="Relative MIP gap to stop at.")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing folder.")] = False,
    quiet: Annotated[bool, typer.Option(help="Print only problems.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """One plan for the years before --commit-until, hedged across timelines (--futures) or
    a sweep's samples (--from-sweep --samples); writes
    DIR/<name>-hedged/ with the commitments, regrets, EVPI and VSS (docs/hedge.md)."""
    from engine.hedge.futures import check_source, parse_futures, parse_method, parse_risk
    from engine.hedge.run import hedge_scenario
    from optimizer.hedge import PHSettings

    check_source(futures, from_sweep, samples)
    parsed = parse_futures(futures) if futures is not None else []
    measure = parse_risk(risk)
    chosen = parse_method(method, measure)

    def progress(info: dict[str, Any]) -> None:
        if quiet or as_json:
            return
        step = info.get("step", info.get("stage", ""))
        if step == "method":
            _say_method(info)
            return
        where = " ".join(f"{k}={info[k]}" for k in ("future", "plan", "start") if info.get(k))
        if info.get("gap") is not None:
            where += f" expected {meur_text(info['expected_eur'])} gap {100 * info['gap']:.2f} %"
        if info.get("objective_eur") is not None:
            where += f" {meur_text(info['objective_eur'])}"
            if info.get("solve_gap") is not None:
                where += f" (gap {100 * info['solve_gap']:.2f} %)"
        console.print(f"  {STEPS.get(step, step)} {where}".rstrip(), highlight=False)

    outcome = hedge_scenario(
        scenario,
        futures=parsed,
        commit_until=commit_until,
        out_dir=out,
        risk=measure,
        method=chosen,
        ph=PHSettings(
            max_iterations=ph_iterations,
            subproblem_time_limit_s=ph_time_limit,
            time_limit_s=ph_total_time,
        ),
        overrides=[*(set_ or []), *solver_overrides(time_limit, mip_gap)],
        expected=expected,
        overwrite=overwrite,
        progress=progress,
        from_sweep=from_sweep,
        samples=samples,
        first_plan=first_plan,
        workers=workers,
    )
    r = outcome.result
    summary = {**r.summary(), "run_dir": str(outcome.run_dir) if outcome.run_dir else None}
    if as_json:
        console.print_json(json.dumps(summary, default=str))
    elif not quiet:
        _print(outcome.name, r, outcome.run_dir)
    if not r.has_plan:
        raise typer.Exit(EXIT_NO_PLAN)
    raise typer.Exit(EXIT_OK if r.status == "optimal" else EXIT_TIME_LIMIT)


def _say_method(info: dict[str, Any]) -> None:
    """The method and workers chosen; for progressive hedging without ``--first-plan``,
    how to get a plan sooner on large networks."""
    name = "progressive hedging" if info["method"] == "ph" else "extensive form"
    console.print(f"  method: {name}, {info['workers']} worker(s) for the single-future solves")
    if info["method"] == "ph" and not info.get("first_plan"):
        console.print(
            "  tip: on large networks --first-plan stops each single-future solve at its "
            "LP-rounded plan instead of running its MIP up to --time-limit (docs/hedge.md)",
            highlight=False,
        )


def _print(name: str, r: Any, run_dir: Path | None) -> None:
    if not r.has_plan:
        console.print(f"[bold red]{name}: no hedged plan[/] ({r.status}): {r.message}")
        return
    gap = "n/a" if r.gap is None else f"{100 * r.gap:.2f} %"
    console.print(f"[bold]{name}[/]: {r.status}, gap {gap}, risk {r.risk.label()}")
    if r.method == "ph":
        ph = r.ph
        console.print(
            f"  progressive hedging: {ph.get('iterations')} iterations, bound "
            f"{meur_text(ph.get('bound_eur'))} (trivial {meur_text(ph.get('trivial_bound_eur'))}, "
            f"Lagrangian {meur_text(ph.get('lagrangian_bound_eur'))}), plan: {ph.get('plan')}"
        )
        for item in r.skipped:
            console.print(f"  skipped: {item}")
    console.print(
        f"  expected cost {meur_text(r.expected_cost_eur)}; wait-and-see "
        f"{meur_text(r.wait_and_see_eur)}; EEV ({r.expected_future}'s plan) {meur_text(r.eev_eur)}"
    )
    console.print(f"  EVPI {meur_text(r.evpi_eur)}; VSS {meur_text(r.vss_eur)}")
    c = r.commitments
    counts = c.groupby(["period", "kind", "item"])["count"].sum()
    for (period, kind, item), n in counts.items():
        console.print(
            f"  commit {period}: {n:g} {'systems of ' if kind == 'systems' else ''}{item}"
        )
    if run_dir is not None:
        console.print(f"  wrote {run_dir}")
