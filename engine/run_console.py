"""``qroad run`` on the console: a status line per scenario while it runs, then what came of
it (solved, heuristic plan, time limit, no plan, with cost, gap, results folder and a
diagnosis). ``engine.cli`` turns the outcomes into the exit code.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.status import Status

from engine.pipeline import RunOutcome, run_scenario
from engine.scenario import Scenario, load_scenarios

STAGE_LABELS = {
    "candidates": "building network, demand and candidate links",
    "build": "building the optimisation model",
    "solve": "solving with HiGHS",
    "write": "writing results",
}


class ProgressPrinter:
    """Draws a run's stages on a rich status line; silent when ``quiet``."""

    def __init__(self, console: Console, status: Status | None, name: str) -> None:
        self.console = console
        self.status = status
        self.name = name

    def __call__(self, stage: str, info: dict[str, Any]) -> None:
        if self.status is None:
            return
        text = f"[bold]{self.name}[/]: {STAGE_LABELS.get(stage, stage)}"
        if stage == "build" and "counts" in info:
            counts = info["counts"]
            self.console.print(
                f"  {self.name}: {counts.get('sites', 0)} sites, {counts.get('links', 0)} "
                f"candidate links, {counts.get('demands', 0)} demands, "
                f"{counts.get('periods', 0)} periods"
            )
        if stage == "solve":
            text += solve_detail(info)
        self.status.update(text)


def solve_detail(info: dict[str, Any]) -> str:
    """The solve stage's progress for the status line: stage, period, incumbent, bound, gap,
    elapsed time (each when ``info`` has it)."""
    parts = [f" ({info['stage']})"] if "stage" in info else []
    if info.get("period") is not None:  # rolling strategy: the period being planned
        parts.append(f" period {info['period']}")
    if info.get("objective") is not None or info.get("incumbent") is not None:
        value = info.get("incumbent", info.get("objective"))
        parts.append(f" incumbent {value:,.0f} €")
    if info.get("bound") is not None:
        parts.append(f" bound {info['bound']:,.0f} €")
    if info.get("gap") is not None:
        parts.append(f" gap {100 * info['gap']:.2f} %")
    if info.get("elapsed_s") is not None:
        parts.append(f" [{info['elapsed_s']:.0f} s]")
    return "".join(parts)


HEURISTICS = {  # solver.strategy -> how its plans were found (their gap is not proven)
    "rolling": "rolling horizon",
    "decomposed": "decomposed (MIP on selected candidate links)",
}


SERVICE_WORDS = {  # demand.service.mode, as a reader needs it
    "must_serve": "must_serve (every demand a technology can serve is served; cost only)",
    "penalty": "penalty (unserved key priced at economics.unserved_penalty_eur_per_bps_year)",
    "budget": "budget (most key within the budget, then the least cost)",
}


def describe_outcome(outcome: RunOutcome) -> str:
    """One or more lines a person reads after a run."""
    if outcome.status == "optimal":
        head = f"[green]solved[/] {outcome.scenario}"
    elif outcome.has_plan and outcome.strategy in HEURISTICS:
        head = f"[yellow]heuristic plan[/] {outcome.scenario}: {HEURISTICS[outcome.strategy]}, "
        head += "not proven within the gap; plan written"
    elif outcome.has_plan:
        head = f"[yellow]time limit reached[/] {outcome.scenario}: feasible plan written"
    else:
        head = f"[red]no plan[/] {outcome.scenario} ({outcome.status})"
    lines = [head]
    if outcome.objective is not None:
        gap = f", gap {100 * outcome.gap:.2f} %" if outcome.gap is not None else ""
        lines += _headline_lines(outcome.headline, outcome.objective, gap)
    lines.append(f"  service: {SERVICE_WORDS.get(outcome.service, outcome.service)}")
    if outcome.excluded:
        lines.append("  left out (no available technology can serve them):")
        lines += [f"    {line}" for line in outcome.excluded[:10]]
        if len(outcome.excluded) > 10:
            lines.append(f"    ... {len(outcome.excluded) - 10} more (manifest.json, service)")
    if outcome.run_dir is not None:
        replaced = " (replaced the earlier run of this name: --overwrite)" * outcome.replaced
        lines.append(f"  results in {outcome.run_dir}{replaced}")
    if outcome.diagnosis:
        lines.append("  demands no available technology can serve:")
        lines += [f"    {line}" for line in outcome.diagnosis]
    if not outcome.has_plan and outcome.message:
        lines.append(f"  solver: {outcome.message}")
    return "\n".join(lines)


def run_all(
    paths: Sequence[Path],
    *,
    out_dir: Path,
    overrides: Sequence[str],
    timeline: str | None,
    overwrite: bool,
    save_lp: bool,
    quiet: bool,
    as_json: bool,
    console: Console,
) -> list[RunOutcome]:
    """Validate every scenario first (so a typo in the last file fails fast), then run each,
    printing its progress and outcome (or, with ``as_json``, one JSON summary at the end)."""
    scenarios: list[Scenario] = load_scenarios(paths, overrides=overrides, timeline=timeline)
    outcomes = []
    for scenario in scenarios:
        show = not quiet and not as_json
        with (
            console.status(f"[bold]{scenario.name}[/]: loading")
            if show
            else nullcontext() as status
        ):
            printer = ProgressPrinter(console, status if show else None, scenario.name)
            outcome = run_scenario(
                scenario, out_dir=out_dir, overwrite=overwrite, save_lp=save_lp, progress=printer
            )
        outcomes.append(outcome)
        if not as_json and (not quiet or not outcome.has_plan):
            console.print(describe_outcome(outcome), highlight=False)
    if as_json:
        print(json.dumps([o.summary() for o in outcomes], indent=2, default=str))
    return outcomes


def print_time_budget(console: Console) -> None:
    """The solver's time budget (``optimizer.TimeBudget``): every stage's share of the time
    limit, as ``--debug`` shows it before a run."""
    from optimizer import TimeBudget

    console.print("time budget (optimizer/solving/budget.py; docs/model.md, Time budget):")
    for name, value, meaning in TimeBudget().describe():
        unit = "s" if name.startswith("min_") else ""
        console.print(f"  {name:<22} {value:>5g}{unit:<1}  {meaning}", highlight=False)


def _headline_lines(head: dict[str, Any], objective: float, gap: str) -> list[str]:
    """Cost and unserved key apart (engine.results.headline), then the objective."""
    if not head:
        return [f"  objective {objective / 1e6:,.2f} M€{gap}"]
    unserved = head["unserved_bps"]
    short = ", ".join(f"{t}: {bps:,.0f}" for t, bps in unserved.items() if bps > 0.5)
    return [
        f"  cost {head['cost_eur'] / 1e6:,.2f} M€ (capex + opex - residual value, discounted)",
        f"  unserved-key penalty {head['unserved_penalty_eur'] / 1e6:,.2f} M€; unserved key "
        + (f"(bit/s) {short}" if short else "none"),
        f"  objective {objective / 1e6:,.2f} M€{gap}",
    ]
