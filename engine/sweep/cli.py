"""``qroad sweep``: uncertainty sweeps from the command line (registered in engine.cli).

Exit codes: 0 every sample finished (the solver answered), 1 some samples failed or timed
out on both attempts (recorded in samples.parquet; run the same command again to retry
them), 2 bad input.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from engine.errors import QroadInputError

if TYPE_CHECKING:
    from engine.scenario import Scenario
    from engine.sweep.runner import SweepOutcome

console = Console()
EXIT_OK, EXIT_UNFINISHED = 0, 1


def sweep_command(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")],
    samples: Annotated[int, typer.Option(min=1, help="Futures to draw per scenario.")] = 40,
    out: Annotated[Path, typer.Option(help="Folder for the sweep folders.")] = Path("results"),
    seed: Annotated[int, typer.Option(help="Seed of the Latin hypercube.")] = 0,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Dask scheduler tcp://HOST:PORT (default: a LocalCluster here)."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="LocalCluster worker processes (default: cores).")
    ] = None,
    one_at_a_time: Annotated[
        bool,
        typer.Option("--one-at-a-time", help="Move each input low→high, others central."),
    ] = False,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a scenario value: key.path=value (repeatable)."),
    ] = None,
    timeline: Annotated[
        str | None, typer.Option(help="Base timeline (drawn milestones replace its years).")
    ] = None,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Solver time limit per sample (s).")
    ] = None,
    solver_threads: Annotated[
        int, typer.Option(min=1, help="HiGHS threads per sample (one task per worker core).")
    ] = 1,
    sample_timeout: Annotated[
        float | None,
        typer.Option(help="Give up on a sample after this many s (default 2 x time limit + 60)."),
    ] = None,
    quiet: Annotated[bool, typer.Option(help="Print only the summary.")] = False,
) -> None:
    """Solve many futures of each scenario on Dask: milestone years and cost multipliers
    drawn from the scenario's uncertainty section; writes DIR/<name>-sweep/ and a summary."""
    from engine.scenario import load_scenario
    from engine.sweep.runner import run_sweep, sweep_client
    from engine.sweep.task import SampleResult

    overrides = [*(set_ or []), f"solver.threads={solver_threads}"]
    if time_limit is not None:
        overrides.append(f"solver.time_limit_s={time_limit}")
    loaded = [load_scenario(p, overrides=overrides, timeline=timeline) for p in scenarios]
    loaded = _with_uncertainty(loaded, scenarios, quiet=quiet)
    code = EXIT_OK
    with sweep_client(scheduler, workers) as client:
        if not quiet:
            console.print(f"dask scheduler: {client.scheduler.address}", highlight=False)
        for scenario in loaded:
            timeout_s = sample_timeout or 2 * scenario.solver.time_limit_s + 60

            def show(
                done: int, total: int, result: SampleResult, name: str = scenario.name
            ) -> None:
                if not quiet:
                    console.print(
                        f"{name} sample {result.sample}: {result.status} "
                        f"({result.elapsed_s:.1f} s) [{done}/{total}]",
                        highlight=False,
                    )

            outcome = run_sweep(
                scenario,
                out_dir=out,
                client=client,
                samples=samples,
                seed=seed,
                one_at_a_time=one_at_a_time,
                sample_timeout_s=timeout_s,
                progress=show,
            )
            print_summary(outcome)
            if outcome.unfinished:
                code = EXIT_UNFINISHED
    raise typer.Exit(code)


def _with_uncertainty(loaded: list[Scenario], files: list[Path], *, quiet: bool) -> list[Scenario]:
    """The scenarios with an ``uncertainty:`` section; the others are skipped with a note, so
    a glob such as ``scenarios/uk-*.yaml`` sweeps just the scenarios written for sweeping
    (an empty section, ``uncertainty: {}``, draws every milestone). None left: exit 2."""
    has_inputs = [s.uncertainty is not None for s in loaded]
    kept = [s for s, keep in zip(loaded, has_inputs, strict=True) if keep]
    skipped = [str(f) for f, keep in zip(files, has_inputs, strict=True) if not keep]
    if skipped and not quiet:
        console.print(
            f"skipped (no uncertainty: section, nothing to draw): {', '.join(skipped)}",
            highlight=False,
            soft_wrap=True,  # file paths stay whole (copyable) in a narrow terminal
        )
    if not kept:
        raise QroadInputError(
            "no scenario has an uncertainty: section, so there is nothing to sweep",
            path="uncertainty",
            allowed="a scenario with an uncertainty: section (e.g. scenarios/uk-sweep.yaml; "
            "docs/sweeps.md)",
        )
    return kept


def print_summary(outcome: SweepOutcome, out: Console | None = None) -> None:
    """Status counts, cost percentiles, adoption probability and (one-at-a-time) tornado."""
    out = out or console
    samples = outcome.samples
    out.rule(f"{outcome.sweep_dir}")
    counts = samples["status"].fillna("not run").value_counts().to_dict()
    out.print(
        f"{len(samples)} samples: {counts}; solved now {len(outcome.solved_now)}, "
        f"skipped (already done) {len(outcome.skipped)}",
        highlight=False,
    )
    if outcome.unfinished:
        out.print(f"[bold red]unfinished samples[/] (rerun to retry): {outcome.unfinished}")
    if "has_plan" in samples.columns:
        cost = samples.loc[samples["has_plan"].fillna(False).astype(bool), "objective_eur"]
        if len(cost):
            q = cost.quantile([0.05, 0.5, 0.95]) / 1e6
            out.print(
                f"total discounted cost (M EUR): p5 {q.iloc[0]:,.2f}  median {q.iloc[1]:,.2f}  "
                f"p95 {q.iloc[2]:,.2f}",
                highlight=False,
            )
    if len(outcome.adoption):
        pivot = outcome.adoption.pivot(index="tech", columns="period", values="adoption_share")
        out.print("share of samples adopting each technology, by period:")
        out.print(pivot.to_string(float_format=lambda v: f"{v:.2f}"), highlight=False)
    if outcome.tornado is not None and len(outcome.tornado):
        shown = outcome.tornado[["input", "low_value", "high_value", "delta_low_eur"]].assign(
            delta_high_eur=outcome.tornado["delta_high_eur"]
        )
        out.print("one at a time: change in total cost from the central case (EUR):")
        out.print(shown.to_string(index=False, float_format=lambda v: f"{v:,.4g}"), highlight=False)
