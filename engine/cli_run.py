"""``qroad run``: solve scenarios and write their results, with progress and exit codes.

Exit codes: 0 every scenario solved (optimal or within the gap), 1 some scenario stopped at
the time limit with a feasible plan (written, and said so), 2 bad input, 3 some scenario
found no plan (nothing written for it; a diagnosis is printed).
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

EXIT_OK, EXIT_TIME_LIMIT, EXIT_NO_PLAN = 0, 1, 3

STAGE_LABELS = {
    "candidates": "building network, demand and candidate links",
    "build": "building the optimisation model",
    "solve": "solving with HiGHS",
    "write": "writing results",
}


def solver_overrides(time_limit_s: float | None, mip_gap: float | None) -> list[str]:
    """``--time-limit``/``--mip-gap`` as the scenario overrides they stand for."""
    sets = []
    if time_limit_s is not None:
        sets.append(f"solver.time_limit_s={time_limit_s}")
    if mip_gap is not None:
        sets.append(f"solver.mip_gap={mip_gap}")
    return sets


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
            text += _solve_detail(info)
        self.status.update(text)


def _solve_detail(info: dict[str, Any]) -> str:
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
        lines.append(f"  discounted cost {outcome.objective / 1e6:,.2f} M€{gap}")
    if outcome.run_dir is not None:
        replaced = " (replaced the earlier run of this name: --overwrite)" * outcome.replaced
        lines.append(f"  results in {outcome.run_dir}{replaced}")
    if outcome.diagnosis:
        lines.append("  demands no available technology can serve:")
        lines += [f"    {line}" for line in outcome.diagnosis]
    if not outcome.has_plan and outcome.message:
        lines.append(f"  solver: {outcome.message}")
    return "\n".join(lines)


def exit_code(outcomes: Sequence[RunOutcome]) -> int:
    """The worst outcome decides: no plan (3) > time limit (1) > solved (0)."""
    if any(not o.has_plan for o in outcomes):
        return EXIT_NO_PLAN
    if any(o.status != "optimal" for o in outcomes):
        return EXIT_TIME_LIMIT
    return EXIT_OK


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
) -> int:
    """Validate every scenario first (so a typo in the last file fails fast), then run each."""
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
    return exit_code(outcomes)
