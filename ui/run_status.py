"""What the Run page says about a job, in plain words: the stage it is in, the solver's live
incumbent, bound and gap, and the outcome ("within 0.4 % of optimal", not "optimal").
Pure functions of the progress events and the outcome, so they are tested without a page."""

from __future__ import annotations

from typing import Any

from engine.results.headline import gap_words

STAGE_WORDS = {  # pipeline stages
    "candidates": "building network, demand and candidate links",
    "build": "building the optimisation model",
    "solve": "solving",
    "write": "writing results",
}
SOLVER_WORDS = {  # optimizer progress stages (info["stage"] of the "solve" events)
    "build": "building the model",
    "lp": "solving the relaxation (a lower bound)",
    "lp_done": "lower bound found",
    "warm_start_done": "first plan found",
    "guided": "improving the first plan",
    "relaxed_mip": "planning with fractional system counts",
    "relaxed_mip_done": "fractional plan found",
    "rounding_done": "rounded to whole systems",
    "mip": "searching for cheaper plans",
    "rolling_step": "planning one period",
    "rolling_step_done": "period planned",
    "decomposed_select": "choosing the links to plan with",
    "evaluate": "checking the plan against the full model",
    "done": "finishing",
}
HEURISTIC = {"rolling", "decomposed"}


def stage_text(events: list[tuple[str, dict[str, Any]]]) -> str:
    """The job's current stage in words (the last event)."""
    if not events:
        return ""
    stage, info = events[-1]
    text = STAGE_WORDS.get(stage, stage)
    inner = info.get("stage")
    if stage == "solve" and inner:
        text += f": {SOLVER_WORDS.get(str(inner), str(inner))}"
        if info.get("period") is not None:
            text += f" {info['period']}"
    elif info.get("message"):
        text += f" ({info['message']})"
    return text


def live_numbers(events: list[tuple[str, dict[str, Any]]]) -> dict[str, float | None]:
    """The latest incumbent (best plan's objective), bound and gap the solver reported
    while solving (M€, M€, %); None where none was reported yet."""
    out: dict[str, float | None] = {"incumbent": None, "bound": None, "gap": None}
    for stage, info in events:
        if stage != "solve":
            continue
        value = info.get("incumbent", info.get("objective", info.get("start_objective")))
        if value is not None:
            out["incumbent"] = float(value)
        bound = info.get("bound", info.get("lp_bound"))
        if bound is not None:
            out["bound"] = float(bound)
        if info.get("gap") is not None:
            out["gap"] = float(info["gap"])
    return {
        "Best plan so far (M€)": None if out["incumbent"] is None else out["incumbent"] / 1e6,
        "Lower bound (M€)": None if out["bound"] is None else out["bound"] / 1e6,
        "Gap (%)": None if out["gap"] is None else 100 * out["gap"],
    }


def outcome_words(outcome: Any) -> str:
    """What came of a run, for a strategist: solved within a gap, stopped at the time limit
    with a plan, heuristic plan, or no plan and why (the solver's own message stays in the
    run's solver.log and the page's "Solver details")."""
    status, gap = str(outcome.status), outcome.gap
    strategy = getattr(outcome, "strategy", "exact")
    if outcome.run_dir is None:
        diagnosis = list(getattr(outcome, "diagnosis", []) or [])
        why = f": {diagnosis[0]}" if diagnosis else ""
        more = f" (and {len(diagnosis) - 1} more)" if len(diagnosis) > 1 else ""
        return f"No plan found ({status.replace('_', ' ')}){why}{more}."
    if strategy in HEURISTIC:
        gap_text = "" if gap is None else f", {100 * gap:.2g} % above the lower bound"
        return f"Plan found by the {strategy} heuristic{gap_text}; not proven within the gap."
    if status == "optimal":
        return f"Solved: {gap_words(gap)}."
    if status == "time_limit":
        gap_text = "" if gap is None else f", {100 * gap:.2g} % above the lower bound"
        return f"Stopped at the time limit with a plan{gap_text}."
    return f"Finished ({status.replace('_', ' ')})."


def status_words(outcome: Any) -> str:
    """The short status column: ``within 0.4 % of optimal``, ``time limit``, ``no plan``."""
    if outcome.run_dir is None:
        return "no plan"
    if getattr(outcome, "strategy", "exact") in HEURISTIC:
        return "heuristic plan"
    if outcome.status == "optimal":
        return gap_words(outcome.gap)
    return str(outcome.status).replace("_", " ")
